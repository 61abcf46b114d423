"""Manifest drift: the series as read, compared with what patches/series.toml says it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.classify.records import FileStat, Finding, PatchReport, Severity
from toolkit.errors import InputError, MissingInputError
from toolkit.tomlfile import line_of, parse_toml

# `[PATCH 02/18] remap_file_pages ...`, `Re: [patch 2/18] ...`: the prefixes matching ignores.
_SUBJECT_PREFIX = re.compile(r"^(?:re:\s*)?(?:\[[^\]]*\]\s*)*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Expected:
    """One patch as the manifest lists it."""

    number: int
    subject: str
    quilt_name: str | None
    files: tuple[FileStat, ...]  # insertions/deletions -1 where the manifest gives none
    classes: tuple[str, ...]
    insertions: int | None = None  # the patch's totals, where the manifest gives them
    deletions: int | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """The manifest's patches in order."""

    source: str
    patches: tuple[Expected, ...]


def _fail(message: str, path: Path, text: str, needle: str | None = None) -> InputError:
    return InputError(message, path, None if needle is None else line_of(text, needle))


def load_manifest(path: str | Path) -> Manifest:
    """Read a manifest: `[[patch]]` tables with number, subject, quilt name, files, classes."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingInputError("no such manifest", source) from None
    data = parse_toml(text, source, InputError)
    entries = data.get("patch", data.get("patches"))
    if not isinstance(entries, list) or not entries:
        raise _fail("no [[patch]] tables", source, text)
    patches = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise _fail(f"patch {index} is not a table", source, text)
        patches.append(_expected(entry, index, source, text))
    return Manifest(str(source), tuple(patches))


def _expected(entry: dict[str, object], index: int, source: Path, text: str) -> Expected:
    number = entry.get("number", index)
    subject = entry.get("subject", "")
    quilt = entry.get("quilt_name", entry.get("quilt"))
    classes = entry.get("classes", [])
    if not isinstance(number, int) or not isinstance(subject, str):
        raise _fail(
            f"patch {index}: number and subject must be an integer and a string", source, text
        )
    if quilt is not None and not isinstance(quilt, str):
        raise _fail(f"patch {index}: quilt name must be a string", source, text, str(quilt))
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise _fail(f"patch {index}: classes must be a list of strings", source, text, subject)
    plus, minus = entry.get("insertions"), entry.get("deletions")
    if not isinstance(plus, int | None) or not isinstance(minus, int | None):
        raise _fail(f"patch {index}: counts must be integers", source, text, subject)
    files = _files(entry.get("files", []), index, source, text)
    return Expected(number, subject, quilt, files, tuple(classes), plus, minus)


def _files(value: object, index: int, source: Path, text: str) -> tuple[FileStat, ...]:
    if isinstance(value, dict):  # { "mm/fremap.c" = { insertions = 3, deletions = 1 } }
        value = [{"path": k, **(v if isinstance(v, dict) else {})} for k, v in value.items()]
    if not isinstance(value, list):
        raise _fail(f"patch {index}: files must be a list", source, text)
    files = []
    for item in value:
        if isinstance(item, str):
            files.append(FileStat(item, -1, -1))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise _fail(f"patch {index}: a file needs a path", source, text)
        plus = item.get("insertions", item.get("added", -1))
        minus = item.get("deletions", item.get("removed", -1))
        if not isinstance(plus, int) or not isinstance(minus, int):
            raise _fail(f"patch {index}: counts must be integers", source, text, item["path"])
        files.append(FileStat(item["path"], plus, minus))
    return tuple(files)


def normal_subject(subject: str) -> str:
    """A subject without its bracketed prefixes, lower-cased, spaces collapsed."""
    return " ".join(_SUBJECT_PREFIX.sub("", subject).lower().split())


def _pair(patches: tuple[PatchReport, ...], manifest: Manifest) -> dict[int, int]:
    """Series index -> manifest index, by quilt name first and then by subject."""
    by_quilt = {e.quilt_name: i for i, e in enumerate(manifest.patches) if e.quilt_name}
    by_subject = {normal_subject(e.subject): i for i, e in enumerate(manifest.patches)}
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for index, report in enumerate(patches):
        found = by_quilt.get(report.quilt_name) if report.quilt_name else None
        if found is None:
            found = by_subject.get(normal_subject(report.subject))
        if found is not None and found not in taken:
            pairs[index] = found
            taken.add(found)
    return pairs


def drift(patches: tuple[PatchReport, ...], manifest: Manifest, classified: bool) -> list[Finding]:
    """Missing, extra and reordered patches, other files, counts and classes than the manifest's."""
    pairs = _pair(patches, manifest)
    found: list[Finding] = []
    matched = set(pairs.values())
    for index, expected in enumerate(manifest.patches):
        if index not in matched:
            found.append(
                Finding(
                    Severity.WARNING,
                    "manifest-missing",
                    f"manifest patch {expected.number:02d} "
                    f"{expected.quilt_name or expected.subject!r} is not in the series",
                    None,
                    manifest.source,
                )
            )
    last = -1
    for index, report in enumerate(patches):
        if index not in pairs:
            found.append(
                Finding(
                    Severity.WARNING,
                    "manifest-extra",
                    f"{report.subject!r} is not in the manifest",
                    report.number,
                )
            )
            continue
        expected = manifest.patches[pairs[index]]
        if pairs[index] < last:
            found.append(
                Finding(
                    Severity.WARNING,
                    "manifest-reordered",
                    "comes after a patch the manifest lists later "
                    f"(manifest number {expected.number:02d})",
                    report.number,
                )
            )
        last = max(last, pairs[index])
        found.extend(_compare(report, expected, classified))
    return found


def _compare(report: PatchReport, expected: Expected, classified: bool) -> list[Finding]:
    found: list[Finding] = []
    have = {f.path: f for f in report.files}
    want = {f.path: f for f in expected.files}
    if want and set(have) != set(want):
        extra = sorted(set(have) - set(want))
        missing = sorted(set(want) - set(have))
        parts = ([f"extra {', '.join(extra)}"] if extra else []) + (
            [f"missing {', '.join(missing)}"] if missing else []
        )
        found.append(
            Finding(
                Severity.WARNING,
                "manifest-files",
                f"touches other files than the manifest: {'; '.join(parts)}",
                report.number,
            )
        )
    for path in sorted(set(have) & set(want)):
        got, exp = have[path], want[path]
        if exp.insertions < 0 or (got.insertions, got.deletions) == (exp.insertions, exp.deletions):
            continue
        found.append(
            Finding(
                Severity.INFO,
                "manifest-counts",
                f"{path}: +{got.insertions}/-{got.deletions}, "
                f"manifest +{exp.insertions}/-{exp.deletions}",
                report.number,
                path,
            )
        )
    totals = (expected.insertions, expected.deletions)
    if None not in totals and totals != (report.insertions, report.deletions):
        found.append(
            Finding(
                Severity.INFO,
                "manifest-counts",
                f"+{report.insertions}/-{report.deletions}, "
                f"manifest +{expected.insertions}/-{expected.deletions}",
                report.number,
            )
        )
    if classified and expected.classes and set(report.classes) != set(expected.classes):
        extra = [c for c in report.classes if c not in expected.classes]
        missing = [c for c in expected.classes if c not in report.classes]
        parts = ([f"extra {', '.join(extra)}"] if extra else []) + (
            [f"missing {', '.join(missing)}"] if missing else []
        )
        found.append(
            Finding(
                Severity.WARNING,
                "manifest-classes",
                f"classes differ from the manifest: {'; '.join(parts)}",
                report.number,
            )
        )
    return found
