"""Third-party macros (a series, an include tree) compiled against the arch shim and checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.arch import load_arch
from toolkit.paths import PATCHES
from toolkit.verify.records import Check, Outcome, Report, Source
from toolkit.verify.thirdparty import verify_headers, verify_series

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")

HEADER = "include/asm-i386/pgtable-2level.h"
# i386 2-level, written for these tests: offset bits 0..3 at PTE bits 2..5, the rest from bit 9,
# FILE (bit 6) set, RW kept in place and PROTNONE moved from bit 7 (pte_present() tests it) to 8;
# the fields are added, as the i386 headers do.
HIGH = "(((off) >> 4) << 9)"
RW = "(pgprot_val(prot) & _PAGE_RW)"
ENCODE = (
    "(((off) & 0xf) << 2) + {high} + _PAGE_FILE + {rw} + ((pgprot_val(prot) & _PAGE_PROTNONE) << 1)"
)
DECODE = "((((pte).pte_low >> 2) & 0xf) | ({high} << 4))"
PGPROT = "__pgprot(({rw}) | (((pte).pte_low >> 1) & _PAGE_PROTNONE))"


def macros(
    *,
    high: str = HIGH,
    rw: str = RW,
    decode_high: str = "((pte).pte_low >> 9)",
    rw_back: str = "(pte).pte_low & _PAGE_RW",
) -> dict[str, str]:
    """The test port's macros, with one part replaced by a broken variant."""
    return {
        "PTE_FILE_MAX_BITS": "27",
        "pte_to_pgoff(pte)": DECODE.format(high=decode_high),
        "pgoff_prot_to_pte(off, prot)": f"((pte_t) {{ {ENCODE.format(high=high, rw=rw)} }})",
        "pte_to_pgprot(pte)": PGPROT.format(rw=rw_back),
    }


def write_patch(folder: Path, defines: dict[str, str]) -> Path:
    """A one-file patch adding `macros` to the i386 2-level header; its path."""
    lines = [f"#define {name} {body}" for name, body in defines.items()]
    text = [f"--- a/{HEADER}", f"+++ b/{HEADER}", f"@@ -0,0 +1,{len(lines)} @@"]
    text += [f"+{line}" for line in lines]
    path = folder / "port.patch"
    path.write_text("\n".join(text) + "\n")
    return path


def only(reports: tuple[Report, ...]) -> Report:
    """The single report of a one-arch check."""
    assert [r.arch for r in reports] == ["i386"]
    return reports[0]


def outcome(report: Report, check: Check) -> Outcome:
    """The outcome of `check` in `report`."""
    result = report.result(check)
    assert result is not None
    return result.outcome


def test_correct_macros_pass(tmp_path: Path) -> None:
    """Clean shift-and-mask macros are proven, with PTE_FILE_MAX_BITS read from them."""
    report = only(verify_series(write_patch(tmp_path, macros()), ("i386",), False))
    assert report.source is Source.SERIES and report.where == HEADER
    assert report.max_bits == 27 and report.legacy_max_bits == 29
    for check in (Check.PGOFF, Check.PGPROT, Check.FILE, Check.PRESENT, Check.SWAP):
        assert outcome(report, check) is Outcome.PROVEN, check
    assert outcome(report, Check.C) is Outcome.PASSED


def test_dropped_bit_is_a_pgoff_counterexample(tmp_path: Path) -> None:
    """A decoder that masks the high field to 15 bits loses offset bit 19: the value shows it."""
    broken = macros(decode_high="(((pte).pte_low >> 9) & 0x7fff)")
    report = only(verify_series(write_patch(tmp_path, broken), ("i386",), False))
    result = report.result(Check.PGOFF)
    assert result is not None and result.outcome is Outcome.FAILED
    example = result.counterexample
    assert example is not None
    assert example.offset >> 19
    assert f"{example.offset & 0x7FFFF:#x}" in example.got


def test_unshifted_add_is_found(tmp_path: Path) -> None:
    """The high field added without its shift breaks the round trip."""
    broken = macros(high="((off) >> 4)")
    report = only(verify_series(write_patch(tmp_path, broken), ("i386",), False))
    assert outcome(report, Check.PGOFF) is Outcome.FAILED


def test_prot_bit_on_the_offset_field_is_found(tmp_path: Path) -> None:
    """RW kept at bit 9 (an offset bit): pgoff fails with RW in the counterexample's prot."""
    broken = macros(rw=f"({RW} << 8)", rw_back="((pte).pte_low >> 8) & _PAGE_RW")
    report = only(verify_series(write_patch(tmp_path, broken), ("i386",), False))
    result = report.result(Check.PGOFF)
    assert result is not None and result.outcome is Outcome.FAILED
    assert result.counterexample is not None
    assert result.counterexample.pgprot & load_arch("i386").mask("RW")


def test_undefined_name_is_a_compile_error(tmp_path: Path) -> None:
    """A macro using a name nobody defines: no-compile, with gcc's first error naming it."""
    broken = macros(rw_back="(pte).pte_low & _PAGE_NO_SUCH_BIT")
    report = only(verify_series(write_patch(tmp_path, broken), ("i386",), False))
    result = report.result(Check.C)
    assert result is not None and result.outcome is Outcome.NO_COMPILE
    assert "_PAGE_NO_SUCH_BIT" in result.detail and "error" in result.detail
    assert f"(macro from {tmp_path / 'port.patch'}:" in result.detail
    assert outcome(report, Check.PGOFF) is Outcome.SKIPPED


def test_bundled_series_i386_prot_none_looks_present() -> None:
    """On patches/, the i386 hand port is defective: a PROT_NONE file PTE has bit 7 set."""
    if not (PATCHES / "series").exists():
        pytest.skip("no bundled series")
    reports = {r.arch: r for r in verify_series(PATCHES, ("i386", "x86_64"), False)}
    result = reports["i386"].result(Check.PRESENT)
    assert result is not None and result.outcome is Outcome.FAILED
    example = result.counterexample
    assert example is not None
    assert example.pte >> 7 & 1
    assert load_arch("i386").pte_present(example.pte)
    assert outcome(reports["i386"], Check.PGOFF) is Outcome.PROVEN


def test_include_tree(tmp_path: Path) -> None:
    """--headers reads the arch's headers from an include tree and checks every offset."""
    header = tmp_path / HEADER
    header.parent.mkdir(parents=True)
    small = {**macros(), "PTE_FILE_MAX_BITS": "16"}
    header.write_text(
        "#ifndef _I386_PGTABLE_2LEVEL_H\n#define _I386_PGTABLE_2LEVEL_H\n"
        + "".join(f"#define {n} \\\n\t{b}\n" for n, b in small.items())
        + "#endif\n"
    )
    report = only(verify_headers(tmp_path, ("i386", "x86_64"), True))
    assert report.source is Source.HEADERS and report.max_bits == 16
    result = report.result(Check.C)
    assert result is not None and "every offset" in result.detail
    assert outcome(report, Check.PGOFF) is Outcome.PROVEN


def test_defect_the_sample_misses_is_found_by_z3(tmp_path: Path) -> None:
    """A decoder wrong for one 24-bit offset pattern only: z3 finds that offset."""
    base = DECODE.format(high="((pte).pte_low >> 9)")
    broken = {**macros(), "pte_to_pgoff(pte)": f"({base} ^ (({base} & 0xffffff) == 0xa5a5a5))"}
    report = only(verify_series(write_patch(tmp_path, broken), ("i386",), False))
    result = report.result(Check.PGOFF)
    assert result is not None and result.outcome is Outcome.FAILED
    assert "z3" in result.detail
    assert result.counterexample is not None
    assert result.counterexample.offset & 0xFFFFFF == 0xA5A5A5


def test_unmodelled_c_falls_back_to_the_sample(tmp_path: Path) -> None:
    """A division (outside the expression model) compiles and passes the sample, unproven."""
    divided = macros(decode_high="(((pte).pte_low >> 9) / 1)")
    report = only(verify_series(write_patch(tmp_path, divided), ("i386",), False))
    assert outcome(report, Check.PGOFF) is Outcome.PASSED
    result = report.result(Check.C)
    assert result is not None and "no z3 proof" in result.detail
