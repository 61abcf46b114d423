"""Patch series read into records: quilt directories, mboxes, diffs, patch directories, git ranges.

`read_series` reads a whole series; `iter_patches` streams one patch at a time; `render` and
`render_patch` give back the bytes read; `to_mbox` and `write_mbox` export it for `git am`.
"""

from toolkit.series.reader import iter_patches, read_series
from toolkit.series.records import (
    ChangeKind,
    FileDiff,
    Hunk,
    Line,
    LineKind,
    Patch,
    Series,
    SourceKind,
    Subject,
)
from toolkit.series.render import render, render_patch, table, to_json, to_mbox, write_mbox
from toolkit.series.subject import parse_subject

__all__ = [
    "ChangeKind",
    "FileDiff",
    "Hunk",
    "Line",
    "LineKind",
    "Patch",
    "Series",
    "SourceKind",
    "Subject",
    "iter_patches",
    "parse_subject",
    "read_series",
    "render",
    "render_patch",
    "table",
    "to_json",
    "to_mbox",
    "write_mbox",
]
