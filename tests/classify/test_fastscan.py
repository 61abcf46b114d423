"""The C scanner gives exactly the Python scan's diffstat, or hands the input back to it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Lines a random log is made of: message starts, file headers, hunk headers, hunk lines and
# the lookalikes that must not be taken for them.
_LINES = st.sampled_from(
    [
        "commit 0123456789abcdef0123456789abcdef01234567",
        "commit 0123456789abcdef0123456789abcdef01234567 (HEAD)",
        "commit 0123456789ABCDEF0123456789abcdef01234567",
        "From 0123 Mon Sep 17 00:00:00 2001",
        "From x",
        "Author: A <a@b>",
        "",
        "    fix the thing",
        "Subject: [PATCH 1/2] a subject",
        "diff --git a/mm/x.c b/mm/x.c",
        "--- a/mm/x.c",
        "--- a/mm/y.c\t2005-01-01",
        "--- /dev/null",
        "+++ b/mm/x.c",
        "+++ b/mm/y.c\t2005-01-01",
        "+++  /dev/null ",
        "+++ ",
        "+++ b/caf\xe9.c",
        "+++ b/caf\udce9.c",
        "+++ b/nbsp\u00a0",
        "+++ b/crlf.c\r",
        "--- a/crlf.c\r",
        "++ plus",
        "@@ -1,3 +1,4 @@ int f(void)",
        "@@ -1 +1 @@",
        "@@ -0,0 +1,2 @@",
        "@@ -5,2 +5,0 @@",
        "@@ -x +1 @@",
        "+added",
        "-removed",
        "--- removed dashes",
        " context",
        "\\ No newline at end of file",
    ]
)


@needs_cc
@settings(max_examples=150, deadline=None)
@given(
    head=st.sampled_from(["commit 0123456789abcdef0123456789abcdef01234567\n", "diff --git ", ""]),
    lines=st.lists(_LINES, max_size=40),
    end=st.sampled_from(["\n", ""]),
)
def test_random_logs_same_as_python(head: str, lines: list[str], end: str) -> None:
    """On random git logs, well formed or not, the C scan equals the Python scan or its error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.txt"
        path.write_bytes((head + "\n".join(lines) + end).encode("utf-8", "surrogateescape"))
        assert _outcome(path, fast=True) == _outcome(path, fast=False)


# What a hunk line says after its +, - or space: some look like headers once marked.
_TEXT = st.sampled_from(["x", "", "-- a/q.c", "++ b/q.c", "+ y", "@ -1 +1 @@", "commit", "\t"])
_NAME = st.sampled_from(["mm/a.c", "mm/b.c", "include/x.h", "caf\xe9.c", "sp ace.c"])


@st.composite
def _hunk(draw: st.DrawFn) -> str:
    """A hunk whose header counts its lines (old lines are context or removed)."""
    lines = draw(st.lists(st.tuples(st.sampled_from(" +-"), _TEXT), min_size=1, max_size=6))
    old = sum(kind != "+" for kind, _ in lines)
    new = sum(kind != "-" for kind, _ in lines)
    body = "".join(f"{kind}{text}\n" for kind, text in lines)
    return f"@@ -1,{old} +1,{new} @@ f\n{body}"


@st.composite
def _file(draw: st.DrawFn) -> str:
    """One file of a commit: git's header lines, then its hunks."""
    name = draw(_NAME)
    old, new = draw(
        st.sampled_from(
            [(f"a/{name}", f"b/{name}"), ("/dev/null", f"b/{name}"), (f"a/{name}", "/dev/null")]
        )
    )
    hunks = "".join(draw(st.lists(_hunk(), max_size=3)))
    return f"diff --git a/{name} b/{name}\n--- {old}\n+++ {new}\n{hunks}"


@st.composite
def _commit(draw: st.DrawFn) -> str:
    """A `git log -p` entry: its header, an indented message, its files."""
    title = draw(st.sampled_from(["fix it", "", "[PATCH] x", "Subject: y"]))
    files = "".join(draw(st.lists(_file(), max_size=3)))
    return f"commit {'ab' * 20}\nAuthor: A <a@b>\n\n    {title}\n\n{files}"


@needs_cc
@settings(max_examples=150, deadline=None)
@given(commits=st.lists(_commit(), min_size=1, max_size=4))
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
