"""The C scanner gives exactly the Python scan's diffstat, or hands the input back to it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.classify import strategies
from toolkit.classify import fastscan
from toolkit.classify.stat import PatchStat, fast_stats, iter_stats
from toolkit.errors import ToolkitError

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "classify" / "data"
FIXTURES = sorted(
    p for base in (DATA, TESTS / "series" / "data") for p in base.rglob("*") if p.is_file()
)
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")


def _outcome(path: Path, fast: bool) -> list[PatchStat] | str:
    """The stats of `path`, or the error the scan raised, as text."""
    try:
        return list(iter_stats(path, fast=fast))
    except ToolkitError as exc:
        return f"{type(exc).__name__}: {exc}"


@needs_cc
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_fixture_same_as_python(path: Path) -> None:
    """On every fixture file the default (C when it can) scan equals the Python scan."""
    assert _outcome(path, fast=True) == _outcome(path, fast=False)


@needs_cc
@pytest.mark.parametrize(
    "path",
    [DATA / "real-log.txt", TESTS / "series" / "data" / "git-log.txt"],
    ids=lambda p: p.name,
)
def test_git_logs_go_through_c(path: Path) -> None:
    """A git log is read by the C scanner itself, and its stats equal the Python scan's."""
    found = fast_stats(path)
    assert found is not None
    assert found == list(iter_stats(path, fast=False))


@needs_cc
def test_real_log_agrees_with_git_numstat() -> None:
    """The C scanner's counts on a real `git log -p` are those of `git log --numstat`."""
    found = fast_stats(DATA / "real-log.txt")
    assert found is not None
    rows = [line.split("\t") for line in (DATA / "real-log.numstat").read_text().splitlines()]
    want = [(name, int(plus), int(minus)) for plus, minus, name in rows if name]
    assert [(f.path, f.insertions, f.deletions) for s in found for f in s.files] == want


@needs_cc
def test_mail_goes_back_to_python(tmp_path: Path) -> None:
    """An mbox is not the C scanner's: it says so, and iter_stats still counts the mail."""
    mail = tmp_path / "one.mbox"
    mail.write_text(
        "From 0123 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n"
        + (DATA / "good" / "add-flag.patch").read_text()
    )
    program = fastscan.scanner()
    assert program is not None
    done = subprocess.run([str(program), str(mail)], capture_output=True, check=False)
    assert done.returncode == fastscan.NOT_MINE
    assert fastscan.records(mail) is None
    assert [s.subject for s in iter_stats(mail)] == ["x"]


def test_no_compiler_means_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without cc (and nothing cached) the scan is the Python one, silently."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    log = DATA / "real-log.txt"
    assert fastscan.scanner() is None
    assert fast_stats(log) is None
    assert list(iter_stats(log)) == list(iter_stats(log, fast=False))


@needs_cc
def test_scanner_is_built_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The scanner is compiled into the cache directory once and then reused."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = fastscan.scanner()
    assert first is not None and first.parent == tmp_path / "rfp-toolkit"
    stamp = first.stat().st_mtime_ns
    assert fastscan.scanner() == first and first.stat().st_mtime_ns == stamp


@needs_cc
@settings(max_examples=150, deadline=None)
@given(
    head=st.sampled_from(["commit 0123456789abcdef0123456789abcdef01234567\n", "diff --git ", ""]),
    lines=st.lists(strategies.LOG_LINES, max_size=40),
    end=st.sampled_from(["\n", ""]),
)
def test_random_logs_same_as_python(head: str, lines: list[str], end: str) -> None:
    """On random git logs, well formed or not, the C scan equals the Python scan or its error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.txt"
        path.write_bytes((head + "\n".join(lines) + end).encode("utf-8", "surrogateescape"))
        assert _outcome(path, fast=True) == _outcome(path, fast=False)


@needs_cc
@settings(max_examples=150, deadline=None)
@given(commits=st.lists(strategies.commits(), min_size=1, max_size=4))
def test_well_formed_logs_same_as_python(commits: list[str]) -> None:
    """On random well-formed git logs the C scanner takes the input and equals the Python scan."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.txt"
        path.write_text("".join(commits), encoding="utf-8")
        found = fast_stats(path)
        assert _outcome(path, fast=True) == _outcome(path, fast=False)
        if not isinstance(_outcome(path, fast=False), str):
            assert found is not None or "+++ " not in path.read_text()


@needs_cc
def test_log_longer_than_the_window_same_as_python(tmp_path: Path) -> None:
    """Past the scanner's memory window (pages let go behind it) the counts stay the Python ones."""
    real = (DATA / "real-log.txt").read_bytes()
    path = tmp_path / "long.txt"
    # Each copy shifted by a few bytes, so headers fall on every side of a window's edge.
    path.write_bytes(
        b"".join(real.replace(b"\n\n", b"\n" + b" " * k + b"\n", 1) for k in range(200))
    )
    assert path.stat().st_size > 12 << 20
    found = fast_stats(path)
    assert found is not None
    assert found == list(iter_stats(path, fast=False))


@pytest.mark.parametrize("block", [1, 7, 1 << 19])
def test_subject_only_from_lines_before_the_first_file(tmp_path: Path, block: int) -> None:
    """A `Subject:` line after a log entry's file header is not its subject, in either scan."""
    path = tmp_path / "log.txt"
    path.write_text(
        "commit 0123456789abcdef0123456789abcdef01234567\n"
        "--- a/mm/x.c\n+++ b/mm/x.c\n"
        "Subject: [PATCH 1/2] a subject\n"
        "commit 0123456789abcdef0123456789abcdef01234567"
    )
    slow = list(iter_stats(path, block, fast=False))
    assert [p.subject for p in slow] == [""]
    assert _outcome(path, fast=True) == _outcome(path, fast=False)
