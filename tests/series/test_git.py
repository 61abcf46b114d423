"""Git ranges through GitPython, and mbox export checked by `git am` in a temporary repo."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import vcs
from toolkit.errors import ExternalToolError, MissingInputError
from toolkit.series import LineKind, Patch, Series, SourceKind, read_series, to_mbox

from .conftest import DATA, QUILT

TOY_C = "/* toy */\nint toy;\nint toy_count;\n/* end */\n"
TOY_H = "#ifndef TOY_H\n#define TOY_H\n#endif\n"


def _shape(patch: Patch, *, context: bool = True) -> tuple[object, ...]:
    """What must survive a trip through git: subject, author and the diff lines.

    git writes three lines of context where a hand-written hunk may have fewer, so a
    comparison with git's own diff can leave context lines out.
    """
    files = tuple(
        (
            f.path,
            f.old_path,
            f.kind,
            tuple(
                (ln.kind, ln.text)
                for h in f.hunks
                for ln in h.lines
                if context or ln.kind is not LineKind.CONTEXT
            ),
        )
        for f in patch.files
    )
    # git am makes an in-body From: the commit author
    author = (patch.body_from or (patch.author,))[0]
    return (patch.subject.text, author.split("<")[0].strip(), files)


def _repo(tmp_path: Path, files: dict[str, str]) -> tuple[Path, str]:
    """A new repository with `files` committed, and that commit's sha."""
    repo = tmp_path / "repo"
    vcs.init_repo(repo)
    base = vcs.commit_files(repo, {k: v.encode() for k, v in files.items()}, "base")
    return repo, base


def _am_and_read(tmp_path: Path, series: Series, files: dict[str, str]) -> Series:
    """`series` exported, applied by git am onto `files`, and read back from the commits."""
    repo, base = _repo(tmp_path, files)
    mbox = tmp_path / "export.mbox"
    mbox.write_bytes(to_mbox(series, cover=False))
    vcs.am(repo, mbox)
    return read_series(repo, git_range=f"{base}..HEAD")


def test_git_range_reads_commits(tmp_path: Path) -> None:
    """`--git REPO --range A..B` gives one patch per commit, oldest first."""
    repo, base = _repo(tmp_path, {"mm/toy.c": TOY_C})
    vcs.commit_files(repo, {"mm/toy.c": TOY_C.replace("toy;", "toy_value;").encode()}, "first")
    vcs.commit_files(repo, {"mm/new.c": b"int x;\n"}, "second: add a file")
    series = read_series(repo, git_range=f"{base}..HEAD")
    assert series.kind is SourceKind.GIT
    assert [p.subject.text for p in series.patches] == ["first", "second: add a file"]
    assert [p.subject.counter for p in series.patches] == [1, 2]
    assert [f.path for p in series.patches for f in p.files] == ["mm/toy.c", "mm/new.c"]


def test_mbox_export_through_git_am(tmp_path: Path) -> None:
    """A format-patch series exported, applied by git am and read back is the same series."""
    series = read_series(DATA / "format-patch.mbox")
    again = _am_and_read(tmp_path, series, {"mm/toy.c": TOY_C, "include/toy.h": TOY_H})
    assert [_shape(p) for p in again.patches] == [_shape(p) for p in series.patches]


def test_quilt_export_through_git_am(tmp_path: Path) -> None:
    """The quilt fixture (tilde names, Index: lines, -p0) survives export and git am."""
    toy_h = "#ifndef TOY_H\n#define TOY_H\n#define TOY_SHARED 0x01\n\n#endif\n"
    # mm/toy.c with the old lines of the two hunks at lines 10-16 and 30-32
    lines = {n: f"/* line {n} */" for n in range(1, 33)}
    old = ["\tint err = -EINVAL;", "", "\tif (size) {", "\t\terr = 0;", "\t}", "\treturn err;", "}"]
    lines.update(enumerate(old, 10))
    lines.update(enumerate(["{", "\treturn 0;", "}"], 30))
    toy_c = "".join(f"{lines[n]}\n" for n in sorted(lines))
    series = read_series(QUILT)
    again = _am_and_read(tmp_path, series, {"include/toy.h": toy_h, "mm/toy.c": toy_c})
    # Two fixture patches carry no author, which the export fills in; compare the rest.
    got = [_shape(p, context=False)[::2] for p in again.patches]
    assert got == [_shape(p, context=False)[::2] for p in series.patches]
    assert _shape(again.patches[0])[1] == _shape(series.patches[0])[1] == "Example Author"


def test_mbox_export_keeps_the_cover(tmp_path: Path) -> None:
    """An exported mbox with its cover letter reads back with the same cover and patches."""
    series = read_series(DATA / "format-patch.mbox")
    out = tmp_path / "out.mbox"
    out.write_bytes(to_mbox(series))
    again = read_series(out)
    assert again.cover is not None and series.cover is not None
    assert again.cover.subject == series.cover.subject
    assert again.cover.description == series.cover.description
    assert [_shape(p) for p in again.patches] == [_shape(p) for p in series.patches]
    assert [p.description for p in again.patches] == [p.description for p in series.patches]


def test_bad_range(tmp_path: Path) -> None:
    """A range git does not know is an ExternalToolError naming the repository, on one line."""
    repo, _ = _repo(tmp_path, {"a": "a\n"})
    with pytest.raises(ExternalToolError) as info:
        read_series(repo, git_range="nosuch..HEAD")
    assert str(repo) in str(info.value)
    # git's hints after its `fatal:` line and GitPython's `stderr: '...'` wrapping are left out
    assert "\n" not in str(info.value)
    assert info.value.message.startswith("git format-patch nosuch..HEAD failed: fatal: ")


def test_not_a_repository(tmp_path: Path) -> None:
    """A directory that is no git repository is a MissingInputError."""
    with pytest.raises(MissingInputError):
        read_series(tmp_path, git_range="HEAD~1..HEAD")


def test_git_am_failure_is_reported(tmp_path: Path) -> None:
    """git am on a tree that does not match fails with ExternalToolError and leaves no am state."""
    repo, _ = _repo(tmp_path, {"mm/toy.c": "something else\n"})
    mbox = tmp_path / "x.mbox"
    mbox.write_bytes(to_mbox(read_series(DATA / "format-patch.mbox"), cover=False))
    with pytest.raises(ExternalToolError):
        vcs.am(repo, mbox)
    assert not (repo / ".git" / "rebase-apply").exists()


def test_mime_series_through_git_am(tmp_path: Path) -> None:
    """Decoded MIME mails (qp, base64 attachment, encoded words) export to an mbox git am takes."""
    series = read_series(DATA / "mime.mbox")
    again = _am_and_read(tmp_path, series, {"mm/toy.c": TOY_C, "include/toy.h": TOY_H})
    assert [_shape(p) for p in again.patches] == [_shape(p) for p in series.patches]
    assert again.patches[1].author.startswith("Gérard Example")
