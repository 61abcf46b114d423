"""`rfp port --kernel-tree`: legacy macros of a git kernel tree replaced, one commit per arch."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit import vcs
from toolkit.arch import load_arch
from toolkit.cli import main
from toolkit.codegen.cmacros import render_header
from toolkit.codegen.kernel import parse_author, ported_text

HEADER = "include/asm-i386/pgtable-2level.h"
Capture = pytest.CaptureFixture[str]


def legacy_header() -> str:
    """A stand-in for the kernel header: the legacy macros between lines of other content."""
    i386 = load_arch("i386")
    legacy = render_header(i386, i386.layout("legacy"), with_banner=False, comment=False)
    return f"#ifndef FIXTURE_H\n#define FIXTURE_H\n\nint before;\n\n{legacy}\nint after;\n#endif\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A git repository holding the stand-in header in one commit."""
    vcs.init_repo(tmp_path)
    vcs.commit_files(tmp_path, {HEADER: legacy_header().encode()}, "fixture")
    return tmp_path


def test_ported_text_replaces_only_the_macros() -> None:
    """The new block stands where the legacy macros were; the rest of the file is untouched."""
    text = ported_text("i386", "solver", legacy_header(), Path(HEADER))
    assert "pgoff_to_pte(" not in text and "#define pgoff_prot_to_pte(off, prot)" in text
    assert text.startswith("#ifndef FIXTURE_H\n#define FIXTURE_H\n\nint before;\n\n/*")
    assert text.endswith("int after;\n#endif\n")
    assert text.count("#define PTE_FILE_MAX_BITS\t27") == 1


def test_kernel_tree_commit(tree: Path, capsys: Capture) -> None:
    """--commit makes one commit with the port as its change and the given author."""
    before = vcs.head(tree)
    argv = [
        "port",
        "i386",
        "--kernel-tree",
        str(tree),
        "--commit",
        "--author",
        "A U Thor <a@x.org>",
    ]
    assert main(argv) == 0
    sha = vcs.head(tree)
    assert sha != before
    assert capsys.readouterr().out.strip() == f"i386: {HEADER} -> {sha[:12]}"
    assert not vcs.is_dirty(tree)
    assert "pgoff_prot_to_pte" in (tree / HEADER).read_text()


def test_kernel_tree_refuses_a_dirty_tree(tree: Path, capsys: Capture) -> None:
    """An uncommitted change in the tree: exit 2, nothing rewritten."""
    (tree / "stray.c").write_text("int x;\n")
    assert main(["port", "i386", "--kernel-tree", str(tree)]) == 2
    assert "uncommitted changes" in capsys.readouterr().err
    assert (tree / HEADER).read_text() == legacy_header()


def test_kernel_tree_without_the_macros(tree: Path, capsys: Capture) -> None:
    """A header already ported has no legacy macros left: an error, not a second block."""
    assert main(["port", "i386", "--kernel-tree", str(tree), "--commit"]) == 0
    capsys.readouterr()
    assert main(["port", "i386", "--kernel-tree", str(tree), "--commit"]) == 2
    assert "no pgoff_to_pte/pte_to_pgoff macros" in capsys.readouterr().err


def test_parse_author() -> None:
    """--author takes 'Name <mail>' and nothing else."""
    assert parse_author("Jane Doe <jd@example.org>") == ("Jane Doe", "jd@example.org")
    with pytest.raises(ValueError, match="expected 'Name <mail>'"):
        parse_author("jd@example.org")


def test_macros_under_if_branches_are_refused(tree: Path, capsys: Capture) -> None:
    """A header defining the macros once per #if branch is named at the second one, unchanged."""
    legacy = legacy_header()
    first = legacy.index("#define PTE_FILE_MAX_BITS")
    twice = legacy[:first] + "#ifdef WIDE\n#define PTE_FILE_MAX_BITS 40\n#else\n"
    twice += legacy[first:].replace("int after;", "#endif\nint after;", 1)
    (tree / HEADER).write_text(twice)
    vcs.commit_paths(tree, [HEADER], "two branches")
    assert main(["port", "i386", "--kernel-tree", str(tree)]) == 2
    line = twice[: twice.rindex("#define PTE_FILE_MAX_BITS")].count("\n") + 1
    err = capsys.readouterr().err
    assert err.startswith(f"rfp: error: {tree / HEADER}:{line}: PTE_FILE_MAX_BITS is defined again")
    assert (tree / HEADER).read_text() == twice


def test_header_bytes_outside_utf8_are_kept(tree: Path) -> None:
    """A latin-1 name in a header comment is neither an error nor changed by the port."""
    raw = legacy_header().encode().replace(b"int before;", b"/* J\xf6rn */\nint before;")
    (tree / HEADER).write_bytes(raw)
    vcs.commit_paths(tree, [HEADER], "latin-1 comment")
    assert main(["port", "i386", "--kernel-tree", str(tree)]) == 0
    ported = (tree / HEADER).read_bytes()
    assert ported.startswith(b"#ifndef FIXTURE_H\n#define FIXTURE_H\n\n/* J\xf6rn */\nint before;")
    assert b"pgoff_prot_to_pte" in ported
