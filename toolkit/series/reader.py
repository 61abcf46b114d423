"""`read_series` and `iter_patches`: every input form a series comes in, read into records."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from toolkit.errors import (
    InputError,
    MissingInputError,
    PatchError,
    SeriesError,
    ToolkitError,
)
from toolkit.series import mbox, quilt
from toolkit.series.patchtext import decode, read_file, read_patch, unreadable
from toolkit.series.records import Patch, Series, SourceKind

_NATURAL = re.compile(r"(\d+)")
_PATCH_SUFFIXES = (".patch", ".diff")
_HEAD_BYTES = 65536  # enough for any mail header block


def read_series(path: str | Path, *, git_range: str | None = None) -> Series:
    """Read a quilt directory, mbox, diff, directory of patches or git range into a Series."""
    where = Path(path)
    kind, items = _items(where, git_range)
    source = f"{where}@{git_range}" if git_range else str(where)
    warnings: list[str] = []
    cover: Patch | None = None
    patches: list[Patch] = []
    # A git log has no cover letter: a commit without a diff there is a merge, skipped below.
    may_cover = kind is not SourceKind.GIT_LOG
    for patch in items:
        warnings.extend(patch.warnings)
        first_without_diff = may_cover and not patch.files and cover is None and not patches
        if "Re" in patch.subject.prefixes:
            warnings.append(f"{patch.source}: reply skipped: {patch.subject.raw}")
        elif patch.subject.counter == 0 or first_without_diff:
            if cover is not None:
                warnings.append(f"{patch.source}: a second cover letter, ignored")
            else:
                cover = patch
        elif not patch.files:
            warnings.append(f"{patch.source}: message without a diff skipped: {patch.subject.raw}")
        else:
            patches.append(patch)
    if kind in (SourceKind.MBOX, SourceKind.GIT):
        patches = _by_counter(patches, warnings)
    elif kind is SourceKind.GIT_LOG:
        # git log lists the newest commit first; a series reads oldest first
        patches.reverse()
    numbered = tuple(dataclasses.replace(p, number=n) for n, p in enumerate(patches, 1))
    return Series(source, numbered, cover, tuple(warnings), kind)


def iter_patches(path: str | Path) -> Iterator[Patch]:
    """Yield the patches of a series one at a time in file order, without its cover letter."""
    number = 0
    for patch in _items(Path(path), None)[1]:
        if patch.files and patch.subject.counter != 0 and "Re" not in patch.subject.prefixes:
            number += 1
            yield dataclasses.replace(patch, number=number)


def _by_counter(patches: list[Patch], warnings: list[str]) -> list[Patch]:
    """Patches ordered by their `NN/MM` counter as b4 does, when every patch has one."""
    counters = [p.subject.counter for p in patches]
    if None in counters:
        return patches
    if len(set(counters)) != len(counters):
        warnings.append("several patches carry the same counter; kept in file order")
        return patches
    return sorted(patches, key=lambda p: p.subject.counter or 0)


def _items(where: Path, git_range: str | None) -> tuple[SourceKind, Iterator[Patch]]:
    """The kind of input at `where` and a lazy stream of its patches (cover letter included)."""
    if git_range is not None:
        # GitPython takes a tenth of a second to import; only a git range needs it
        from toolkit import vcs

        data = vcs.format_patches(where, git_range)
        source = f"{where}@{git_range}"
        return SourceKind.GIT, _from_mbox(io.BytesIO(data), source, mbox.MBOX_START)
    if where.is_dir():
        if (where / "series").is_file():
            return SourceKind.QUILT, _from_quilt(where)
        files = sorted(
            (f for f in where.iterdir() if f.suffix in _PATCH_SUFFIXES and f.is_file()),
            key=lambda f: [int(t) if t.isdigit() else t for t in _NATURAL.split(f.name)],
        )
        if not files:
            raise MissingInputError(
                "quilt directory without a series file (and no *.patch files)", where / "series"
            )
        # git format-patch -o writes the cover letter as a file of its own: 0000-cover-letter.patch
        return SourceKind.DIRECTORY, (_from_file(f, None, 1, cover_ok=True) for f in files)
    if not where.is_file():
        if where.exists():
            # a device or FIFO would be read forever or give nothing a patch could be
            raise InputError("not a regular file or directory", where)
        raise MissingInputError("no such file or directory", where)
    head = read_file(where, _HEAD_BYTES)
    if not head:
        raise PatchError("empty file", where, 1)
    if mbox.MBOX_START.match(head):
        return SourceKind.MBOX, _from_mbox_file(where, mbox.MBOX_START)
    if mbox.LOG_START.match(head):
        return SourceKind.GIT_LOG, _from_mbox_file(where, mbox.LOG_START)
    return SourceKind.DIFF, iter([_from_file(where, None, 1)])


def _from_quilt(directory: Path) -> Iterator[Patch]:
    """The cover letter (if kept beside the series) and the patches of a quilt directory."""
    cover = directory / quilt.COVER
    if cover.is_file():
        yield read_patch(decode(read_file(cover), str(cover)), path=str(cover), require_diff=False)
    for entry in quilt.entries(directory):
        yield _from_file(entry.file, entry.name, entry.strip)


def _from_file(path: Path, quilt_name: str | None, strip: int, *, cover_ok: bool = False) -> Patch:
    """One patch file: a plain patch, a saved mail or a one-mail mbox (`0/N` only if `cover_ok`)."""
    raw = read_file(path)
    if not raw:
        raise PatchError("empty file", path, 1)
    if mbox.MBOX_START.match(raw):
        # git format-patch -o writes each mail as a one-message mbox, envelope line first
        messages = list(mbox.split_messages(io.BytesIO(raw), mbox.MBOX_START))
        if len(messages) > 1:
            raise SeriesError(f"{len(messages)} mails in one patch file", path, messages[1].line)
        patch = dataclasses.replace(
            mbox.read_message(messages[0], str(path)), quilt_name=quilt_name
        )
    elif mbox.is_encoded_mail(raw[:_HEAD_BYTES]):
        mail = mbox.read_message(mbox.RawMessage(None, raw, 0), str(path))
        patch = dataclasses.replace(mail, quilt_name=quilt_name)
    else:
        text = decode(raw, str(path))
        patch = read_patch(
            text, path=str(path), quilt_name=quilt_name, strip=strip, require_diff=False
        )
    if not patch.files and not (cover_ok and patch.subject.counter == 0):
        # `git log -p --color=always` saved to a file hides every header behind escapes
        colour = b"\x1b[" in raw[:_HEAD_BYTES]
        hint = " (it holds terminal colour codes: write it with --no-color)" if colour else ""
        raise PatchError(f"no diff found in the patch{hint}", path, 1)
    return patch


def _from_mbox_file(path: Path, start: re.Pattern[bytes]) -> Iterator[Patch]:
    """The messages of an mbox or git log file, one at a time."""
    # The file is read line by line, so a large mailbox or log is never held whole.
    try:
        with path.open("rb") as stream:
            yield from _from_mbox(stream, str(path), start)
    except ToolkitError:
        # some of ours are OSErrors too (MissingInputError, UnsafePathError): pass them on
        raise
    except OSError as exc:
        raise unreadable(path, exc) from None


def _from_mbox(stream: IO[bytes], path: str, start: re.Pattern[bytes]) -> Iterator[Patch]:
    """The messages of a stream, cut at `start` lines."""
    for raw in mbox.split_messages(stream, start):
        yield mbox.read_message(raw, path)
