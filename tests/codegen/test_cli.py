"""`rfp port`, `rfp encode` and `rfp decode` through toolkit.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.arch import arch_names, load_arch
from toolkit.arch.solver import own_problems
from toolkit.cli import main

Capture = pytest.CaptureFixture[str]


def test_port_writes_three_files_and_a_table(tmp_path: Path, capsys: Capture) -> None:
    """`rfp port i386` writes i386.h/.patch/.svg and prints 29 -> 27 with the kept bits."""
    assert main(["port", "i386", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i386.h", "i386.patch", "i386.svg"]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        *("arch", "PTE", "bits", "PTE_FILE_MAX_BITS", "kept", "prot", "bits"),
        *("2005", "hand", "port"),
    ]
    assert lines[1].split() == ["i386", "32", "29", "->", "27", "RW,", "PROTNONE", "28", "wrong"]
    # The hand port left PROTNONE on bit 7, which pte_present() tests.
    assert lines[2] == (
        "i386: the 2005 hand port (28 bits) is wrong: pgoff 0x0 prot none -> 0xc0 is "
        "pte_present(); the solver layout keeps 27 (1 fewer)"
    )


def test_port_table_marks_a_hand_port_losing_exec_wrong(tmp_path: Path, capsys: Capture) -> None:
    """ppc64's 2005 port is sound by its own bits but loses EXEC: `wrong`, the lost bit named."""
    assert main(["port", "ppc64", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[-2:] == ["47", "wrong"]
    assert lines[2].startswith("ppc64: the 2005 hand port (47 bits) is wrong: pgoff ")
    assert lines[2].endswith(" loses EXEC")
    # The solver keeps EXEC and still more offset bits, so no cost is claimed.
    assert "fewer" not in lines[2]


def test_port_json_lists_what_a_hand_port_loses(tmp_path: Path, capsys: Capture) -> None:
    """The JSON problems of x86_64's 2005 port hold both its PROTNONE defect and the lost NX."""
    assert main(["port", "x86_64", "--out", str(tmp_path), "--format", "json"]) == 0
    (x86_64,) = json.loads(capsys.readouterr().out)["ported"]
    found = x86_64["hand_port_2005"]["problems"]
    assert any(line.endswith(" is pte_present()") for line in found)
    assert any(line.endswith(" loses NX") for line in found)


def test_port_all_json(tmp_path: Path, capsys: Capture) -> None:
    """`rfp port --all --format json` covers every arch: ported, or not ported with a reason."""
    assert main(["port", "--all", "--out", str(tmp_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    ported = {r["arch"] for r in report["ported"]}
    unported = {r["arch"] for r in report["not_ported"]}
    assert ported | unported == set(arch_names()) and not ported & unported
    assert len(list(tmp_path.iterdir())) == 3 * len(ported)
    i386 = next(r for r in report["ported"] if r["arch"] == "i386")
    assert i386["pte_file_max_bits"] == {"legacy": 29, "patched": 27}


def test_port_2005_layout(tmp_path: Path, capsys: Capture) -> None:
    """`--layout 2005 --all` ports only the hand-ported arches."""
    assert main(["port", "--all", "--layout", "2005", "--out", str(tmp_path)]) == 0
    expected = [n for n in arch_names() if "2005" in load_arch(n).layout_kinds()]
    rows = capsys.readouterr().out.splitlines()[1 : 1 + len(expected)]
    assert [row.split()[0] for row in rows] == expected


def test_port_bad_arch_writes_nothing(tmp_path: Path, capsys: Capture) -> None:
    """An unknown arch among good ones: one error line, exit 2, no file written."""
    assert main(["port", "i386", "vax", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no arch named 'vax'" in err[0]
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


def test_port_kernel_tree_must_be_a_repository(tmp_path: Path, capsys: Capture) -> None:
    """--kernel-tree on a directory that is no git repository: one error line, exit 2."""
    assert main(["port", "i386", "--kernel-tree", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"rfp: error: {tmp_path}: not a git repository"]


def test_port_commit_needs_kernel_tree(tmp_path: Path, capsys: Capture) -> None:
    """--commit without --kernel-tree is refused before anything is written."""
    assert main(["port", "i386", "--out", str(tmp_path), "--commit"]) == 2
    assert "--commit and --author need --kernel-tree" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_encode_legacy_by_hand(capsys: Capture) -> None:
    """`rfp encode --legacy` prints the 2.6.13 i386 file PTEs, worked out by hand."""
    assert main(["encode", "--arch", "i386", "--legacy", "0", "1", "0x20", "31"]) == 0
    assert capsys.readouterr().out.split() == [
        "0x00000040",
        "0x00000042",
        "0x00000140",
        "0x0000007e",
    ]


def test_encode_solver_with_prot(capsys: Capture) -> None:
    """Solver layout of i386: offset 5 at bits 3 and 5, RW at 1, PROTNONE at 2, FILE at 6."""
    assert main(["encode", "--arch", "i386", "--prot", "rw", "5"]) == 0
    assert capsys.readouterr().out.split() == [f"{0x28 | 0x2 | 0x40:#010x}"]
    assert main(["encode", "--arch", "i386", "--prot", "none", "5"]) == 0
    assert capsys.readouterr().out.split() == [f"{0x28 | 0x4 | 0x40:#010x}"]


def test_decode_round_trip(capsys: Capture) -> None:
    """`rfp decode` reads back the offset and protection `rfp encode` stored."""
    assert main(["encode", "--arch", "i386", "--prot", "none", "1234"]) == 0
    pte = capsys.readouterr().out.strip()
    assert main(["decode", "--arch", "i386", pte]) == 0
    out = capsys.readouterr().out
    assert "pgoff 0x4d2 (1234)" in out and "prot none" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["encode", "--arch", "i386", "12x"], "not a number"),
        (["encode", "--arch", "i386", "-5"], "negative"),
        (["encode", "--arch", "vax", "1"], "no arch named"),
        (["encode", "--arch", "i386", str(1 << 27)], "does not fit PTE_FILE_MAX_BITS 27"),
        (["encode", "--arch", "i386", "--legacy", str(1 << 29)], "PTE_FILE_MAX_BITS 29"),
        (["encode", "--arch", "i386", "--prot", "rq", "1"], "expected none or letters of rwx"),
        (["decode", "--arch", "i386", "0x1"], "not a file PTE"),
        (["decode", "--arch", "i386", "0x100000000"], "wider than the 32-bit PTE"),
    ],
)
def test_bad_input_is_one_error_line(argv: list[str], message: str, capsys: Capture) -> None:
    """Bad numbers, unknown arches and offsets too large: one `rfp: error:` line, exit 2."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rfp: error: ") and message in err[0]


def test_port_to_an_impossible_place(tmp_path: Path, capsys: Capture) -> None:
    """An --out directory under a regular file is one error line naming it, not a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("x\n")
    assert main(["port", "i386", "--out", str(blocker / "ports")]) == 2
    err = capsys.readouterr().err
    target, parent = blocker / "ports" / "i386.h", blocker / "ports"
    assert err == f"rfp: error: {target}: cannot write: Not a directory ({parent})\n"


# The layouts without defects by their own predicates: ia64's and sparc64's 2005 hand ports
# write kept bits onto offset bits, so decoding their PTEs rightly gives another offset. A port
# that only loses a prot.keep bit (ppc's EXEC) still decodes its offsets: it stays in.
SOUND = [
    (a, k)
    for a in arch_names()
    for k in load_arch(a).layout_kinds()
    if k != "legacy" and not own_problems(load_arch(a), load_arch(a).layout(k))
]


@pytest.mark.parametrize(("arch", "kind"), SOUND)
def test_decode_reads_what_encode_wrote(arch: str, kind: str, capsys: Capture) -> None:
    """Every sound layout: decode takes encode's PTE for its own (s390's 2005 moves FILE)."""
    top = (1 << load_arch(arch).layout(kind).max_bits) - 1
    assert main(["encode", "--arch", arch, "--layout", kind, "--prot", "rw", "0", hex(top)]) == 0
    ptes = capsys.readouterr().out.split()
    assert main(["decode", "--arch", arch, "--layout", kind, *ptes]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[2] for line in lines] == ["0x0", hex(top)]
