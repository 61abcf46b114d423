"""The byte-level diffstat agrees with the reader's parsed counts, in every input form."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.classify.stat import iter_raw, iter_stats, stat_raw, stat_span
from toolkit.errors import MissingInputError, PatchError
from toolkit.series import read_series

DATA = Path(__file__).resolve().parent / "data"
SERIES = ("good", "use-before-define", "inconsistent")


def _reader_counts(path: Path) -> list[list[tuple[str, int, int]]]:
    return [
        [(f.path, f.insertions, f.deletions) for f in p.files] for p in read_series(path).patches
    ]


def _stat_counts(path: Path) -> list[list[tuple[str, int, int]]]:
    return [[(f.path, f.insertions, f.deletions) for f in stat_raw(r)] for r in iter_raw(path)]


@pytest.mark.parametrize("name", SERIES)
def test_quilt_directory_matches_reader(name: str) -> None:
    """On a quilt directory the byte scan counts what the reader parses."""
    assert _stat_counts(DATA / name) == _reader_counts(DATA / name)


def test_mbox_with_signatures(tmp_path: Path) -> None:
    """Patches in one mbox are split, and a `-- ` signature after a hunk is not a deletion."""
    parts = []
    for name in ("add-flag", "use-flag"):
        text = (DATA / "good" / f"{name}.patch").read_text()
        parts.append(
            f"From 0123 Mon Sep 17 00:00:00 2001\nFrom: t <t@example.org>\n{text}-- \n2.1\n\n"
        )
    mbox = tmp_path / "series.mbox"
    mbox.write_text("".join(parts))
    raws = list(iter_raw(mbox))
    assert [r.subject for r in raws] == [
        "demo: add a non-uniform VMA flag and the i386 file-PTE macros",
        "demo: refuse rights beyond the VMA's",
    ]
    assert _stat_counts(mbox) == _reader_counts(DATA / "good")


def test_git_log_form(tmp_path: Path) -> None:
    """`git log -p` output is split at its commit lines and titled by the message's first line."""
    body = (DATA / "inconsistent" / "first.patch").read_text().split("diff -puN", 1)[1]
    log = tmp_path / "log.txt"
    log.write_text(
        f"commit {'a' * 40}\nAuthor: t <t@example.org>\n\n    demo: first title\n\n"
        f"diff -puN{body}"
        f"commit {'b' * 40}\nAuthor: t <t@example.org>\n\n    demo: no diff here\n\n"
    )
    raws = list(iter_raw(log))
    assert [r.subject for r in raws] == ["demo: first title"]
    assert [(f.path, f.insertions, f.deletions) for f in stat_raw(raws[0])] == [
        ("mm/fremap.c", 2, 0)
    ]


def test_bad_hunk_counts(tmp_path: Path) -> None:
    """A hunk header promising more added lines than follow is a PatchError."""
    diff = tmp_path / "bad.diff"
    diff.write_text("--- a/x.c\n+++ b/x.c\n@@ -1,1 +1,5 @@\n a\n+b\n")
    with pytest.raises(PatchError):
        list(map(stat_raw, iter_raw(diff)))


def test_quilt_series_naming_a_missing_file(tmp_path: Path) -> None:
    """A quilt series naming a patch that is not there is a MissingInputError naming it."""
    (tmp_path / "series").write_text("gone.patch\n")
    with pytest.raises(MissingInputError, match=r"gone\.patch"):
        list(iter_raw(tmp_path))


def test_bad_counts_in_an_mbox_name_the_file_line(tmp_path: Path) -> None:
    """A bad hunk in the second message of an mbox is reported at its line in the file."""
    good = "--- a/x.c\n+++ b/x.c\n@@ -1,1 +1,2 @@\n a\n+b\n"
    bad = "--- a/y.c\n+++ b/y.c\n@@ -1,1 +1,5 @@\n a\n+b\n"
    mbox = tmp_path / "bad.mbox"
    mbox.write_text(
        f"From x Mon Sep 17 00:00:00 2001\nSubject: one\n\n{good}"
        f"From x Mon Sep 17 00:00:00 2001\nSubject: two\n\n{bad}"
    )
    with pytest.raises(PatchError) as caught:
        list(map(stat_raw, iter_raw(mbox)))
    assert caught.value.line == 14
    assert caught.value.path == str(mbox)


# A removed `-- x` over an added `++ y` would read as a file header (diffstat agrees): excluded.
_TEXT = st.text(alphabet="ab -+@\\x", max_size=12).filter(
    lambda text: not text.startswith(("--", "++"))
)
_LINE = st.tuples(st.sampled_from(" +-"), _TEXT)


@settings(max_examples=60, deadline=None)
@given(
    files=st.lists(
        st.lists(st.lists(_LINE, min_size=1, max_size=8), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    ),
    signature=st.booleans(),
)
def test_counts_any_diff(files: list[list[list[tuple[str, str]]]], signature: bool) -> None:
    """Whatever the lines hold (even `+++`, `---` or `@@` text), the counts are the kinds'."""
    out, want = [], []
    for number, hunks in enumerate(files):
        out += [f"--- a/f{number}.c", f"+++ b/f{number}.c"]
        start = 1
        for lines in hunks:
            old = sum(kind != "+" for kind, _ in lines)
            new = sum(kind != "-" for kind, _ in lines)
            out.append(f"@@ -{start},{old} +{start},{new} @@")
            out += [kind + text for kind, text in lines]
            start += old + 5
        flat = [kind for lines in hunks for kind, _ in lines]
        want.append((f"f{number}.c", flat.count("+"), flat.count("-")))
    if signature:
        out += ["-- ", "2.1"]
    data = ("\n".join(out) + "\n").encode()
    got = stat_span(data, 0, len(data), "x.diff")
    assert [(f.path, f.insertions, f.deletions) for f in got] == want


def test_removed_and_added_files(tmp_path: Path) -> None:
    """A deleted file is named by its `---` line, a created one by its `+++` line."""
    diff = tmp_path / "files.diff"
    diff.write_text(
        "--- a/mm/old.c\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
        "--- /dev/null\n+++ b/mm/new.c\n@@ -0,0 +1 @@\n+c\n"
    )
    (raw,) = iter_raw(diff)
    assert [(f.path, f.insertions, f.deletions) for f in stat_raw(raw)] == [
        ("mm/old.c", 0, 2),
        ("mm/new.c", 1, 0),
    ]


def _numstat(path: Path) -> list[tuple[str, int, int]]:
    rows = [line.split("\t") for line in path.read_text().splitlines() if line]
    return [(name, int(plus), int(minus)) for plus, minus, name in rows]


def _all_stats(
    path: Path, block: int = 512 << 10, fast: bool = True
) -> list[tuple[str, str, int, int]]:
    return [
        (s.subject, f.path, f.insertions, f.deletions)
        for s in iter_stats(path, block, fast)
        for f in s.files
    ]


def test_real_git_log_agrees_with_git_numstat() -> None:
    """On real `git log -p` output every file's counts are those of `git log --numstat`."""
    got = [row[1:] for row in _all_stats(DATA / "real-log.txt")]
    assert got == _numstat(DATA / "real-log.numstat")


@pytest.mark.parametrize("block", [7, 64, 1000, 4096])
def test_block_size_changes_nothing(block: int) -> None:
    """However the blocks cut lines, headers and messages, the counts and subjects stay."""
    log = DATA / "real-log.txt"
    assert _all_stats(log, block, fast=False) == _all_stats(log, fast=False)


def test_stats_agree_with_raw_patches(tmp_path: Path) -> None:
    """The streaming scan gives what the per-message scan gives, for mails, logs and quilt."""
    mbox = tmp_path / "series.mbox"
    mbox.write_text(
        "".join(
            f"From 0123 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] {name}\n\n"
            + (DATA / "good" / f"{name}.patch").read_text()
            + "-- \n2.1\n\n"
            for name in ("add-flag", "use-flag")
        )
    )
    for path in (mbox, DATA / "real-log.txt", DATA / "good", DATA / "inconsistent"):
        raw = [(r.subject, stat_raw(r)) for r in iter_raw(path)]
        for block in (64, 512 << 10):
            assert [(s.subject, s.files) for s in iter_stats(path, block)] == raw


def test_stream_reports_bad_counts_at_the_file_line(tmp_path: Path) -> None:
    """A bad hunk in a mail is found by the streaming scan too, at its line of the file."""
    good = "--- a/x.c\n+++ b/x.c\n@@ -1,1 +1,2 @@\n a\n+b\n"
    bad = "--- a/y.c\n+++ b/y.c\n@@ -1,1 +1,5 @@\n a\n+b\n"
    mbox = tmp_path / "bad.mbox"
    mbox.write_text(
        f"From x Mon Sep 17 00:00:00 2001\nSubject: one\n\n{good}"
        f"From x Mon Sep 17 00:00:00 2001\nSubject: two\n\n{bad}"
    )
    with pytest.raises(PatchError) as caught:
        list(iter_stats(mbox, 16))
    assert (caught.value.path, caught.value.line) == (str(mbox), 14)


@settings(max_examples=40, deadline=None)
@given(
    commits=st.lists(
        st.lists(st.lists(_LINE, min_size=1, max_size=6), min_size=1, max_size=3),
        min_size=1,
        max_size=4,
    ),
    block=st.integers(min_value=1, max_value=200),
)
def test_git_log_counts_any_lines(commits: list[list[list[tuple[str, str]]]], block: int) -> None:
    """In a git log each file's counts are its lines' kinds, whatever the block size."""
    out, want = [], []
    for number, files in enumerate(commits):
        out += [f"commit {number:040x}", "Author: t <t@example.org>", "", f"    title {number}", ""]
        for index, lines in enumerate(files):
            name = f"d{number}/f{index}.c"
            out += [f"diff --git a/{name} b/{name}", f"--- a/{name}", f"+++ b/{name}"]
            old = sum(kind != "+" for kind, _ in lines)
            new = sum(kind != "-" for kind, _ in lines)
            out.append(f"@@ -1,{old} +1,{new} @@")
            out += [kind + text for kind, text in lines]
            kinds = [kind for kind, _ in lines]
            want.append((f"title {number}", name, kinds.count("+"), kinds.count("-")))
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "log.txt"
        log.write_text("\n".join(out) + "\n")
        assert _all_stats(log, block) == want


def test_cut_git_log_is_a_patch_error(tmp_path: Path) -> None:
    """A log entry whose hunk promises more lines than follow is reported at the entry's line."""
    entry = "commit {}\nAuthor: t <t@example.org>\n\n    title\n\n--- a/x.c\n+++ b/x.c\n"
    log = tmp_path / "log.txt"
    log.write_text(
        entry.format("a" * 40)
        + "@@ -1,1 +1,2 @@\n a\n+b\n"
        + entry.format("b" * 40)
        + "@@ -1,1 +1,5 @@\n a\n+b\n"
    )
    with pytest.raises(PatchError, match=r"x\.c: hunk counts") as caught:
        list(iter_stats(log))
    assert (caught.value.path, caught.value.line) == (str(log), 11)


def test_bare_git_diff_streams(tmp_path: Path) -> None:
    """A `git diff` without commit lines is counted as it streams, as the checked scan counts."""
    log = (DATA / "real-log.txt").read_bytes()
    start = log.index(b"\ndiff --git ") + 1
    end = log.index(b"\ncommit ", start) + 1
    diff = tmp_path / "tree.diff"
    diff.write_bytes(log[start:end])
    checked = stat_span(log[start:end], 0, end - start, str(diff))
    assert len(checked) > 1
    for block in (16, 4096):
        (only,) = iter_stats(diff, block)
        assert only.files == checked
