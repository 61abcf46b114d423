"""Whole-series checks: identifier lifecycle, consistency with earlier patches, arch coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.classify.build import file_diff, hunk, patch
from toolkit.classify import checks, classify_series, load_rules
from toolkit.classify.audit import audit_path
from toolkit.classify.records import Piece, Severity
from toolkit.series.records import ChangeKind

DATA = Path(__file__).resolve().parent / "data"
MM_H = "include/linux/mm.h"


def _codes(result_findings: tuple[object, ...]) -> list[str]:
    return [f.code for f in result_findings]  # type: ignore[attr-defined]


def test_use_before_define_fixture_is_an_error() -> None:
    """A patch using a flag that only a later patch defines is flagged as an error."""
    audit = audit_path(DATA / "use-before-define").audit
    errors = [f for f in audit.findings if f.severity is Severity.ERROR]
    assert [(f.code, f.patch, f.file) for f in errors] == [("use-before-define", 1, "mm/fremap.c")]
    assert "DEMO_FLAG" in errors[0].message


def test_inconsistent_fixture_is_an_error() -> None:
    """A later patch removing a line other than the one an earlier patch added is an error."""
    audit = audit_path(DATA / "inconsistent").audit
    found = [f for f in audit.findings if f.code == "inconsistent"]
    assert len(found) == 1
    assert found[0].severity is Severity.ERROR
    assert found[0].patch == 2
    assert "PROT_WRITE" in found[0].message and "PROT_READ" in found[0].message


def test_good_fixture_has_no_error() -> None:
    """A series that defines before it uses, and stays consistent, has no error finding."""
    result = audit_path(DATA / "good")
    assert not [f for f in result.audit.findings if f.severity is Severity.ERROR]
    names = {life.name: life for life in result.lifecycles}
    assert names["VM_NONUNIFORM"].defined == ((1, MM_H),)
    assert names["VM_NONUNIFORM"].used == (2,)


def _define(name: str, line: int = 100) -> object:
    return file_diff(MM_H, hunk(f" /* flags */\n+#define {name} 0x1\n", start=line))


def _use(name: str) -> object:
    return file_diff("mm/memory.c", hunk(f" {{\n+\tif (flags & {name})\n+\t\treturn;\n", start=50))


def test_define_then_use_in_order_is_clean() -> None:
    """The same two patches in bisectable order give no lifecycle finding."""
    patches = [
        patch("define", _define("NEW_FLAG"), number=1),  # type: ignore[arg-type]
        patch("use", _use("NEW_FLAG"), number=2),  # type: ignore[arg-type]
    ]
    audit = classify_series(patches, "test", load_rules()).audit
    assert "use-before-define" not in _codes(audit.findings)


def test_existing_identifier_is_not_flagged() -> None:
    """A name an earlier hunk already had on its old side existed before the series."""
    old = file_diff("mm/memory.c", hunk(" if (OLD_FLAG)\n+\tx = OLD_FLAG;\n", start=20))
    patches = [
        patch("use", old, number=1),
        patch("move", _define("OLD_FLAG"), number=2),  # type: ignore[arg-type]
    ]
    audit = classify_series(patches, "test", load_rules()).audit
    assert "use-before-define" not in _codes(audit.findings)


def test_use_after_last_removal_is_an_error() -> None:
    """Using a name after the series removed its only definition is an error."""
    removal = file_diff(MM_H, hunk(" /* flags */\n-#define GONE_FLAG 0x1\n", start=100))
    patches = [
        patch("define", _define("GONE_FLAG"), number=1),  # type: ignore[arg-type]
        patch("remove", removal, number=2),
        patch("use", _use("GONE_FLAG"), number=3),  # type: ignore[arg-type]
    ]
    audit = classify_series(patches, "test", load_rules()).audit
    assert _codes(audit.findings).count("use-after-remove") == 1


def test_consistency_follows_line_shifts() -> None:
    """Lines added by patch 1 are found where patch 2 expects them after patch 1.5 shifted them."""
    first = file_diff("mm/a.c", hunk(" a\n+added line\n b\n", start=50))
    shift = file_diff("mm/a.c", hunk(" top\n+one\n+two\n", start=5))
    # After the shift the added line sits at 51 + 2 = 53.
    later = file_diff("mm/a.c", hunk(" a\n-added line\n+changed line\n b\n", start=52))
    wrong = file_diff("mm/a.c", hunk(" a\n-other line\n b\n", start=52))
    rules = load_rules()
    good = classify_series(
        [patch("1", first, number=1), patch("2", shift, number=2), patch("3", later, number=3)],
        "test",
        rules,
    ).audit
    assert "inconsistent" not in _codes(good.findings)
    bad = classify_series(
        [patch("1", first, number=1), patch("2", shift, number=2), patch("3", wrong, number=3)],
        "test",
        rules,
    ).audit
    assert _codes(bad.findings).count("inconsistent") == 1


def test_consistency_accepts_an_offset() -> None:
    """A hunk whose stated line is off, but that fits cleanly a few lines away, is consistent."""
    first = file_diff("mm/a.c", hunk(" a\n+x = 1;\n+y = 2;\n b\n", start=50))
    moved = file_diff("mm/a.c", hunk(" a\n-x = 1;\n y = 2;\n", start=47))
    audit = classify_series(
        [patch("1", first, number=1), patch("2", moved, number=2)], "test", load_rules()
    ).audit
    assert "inconsistent" not in _codes(audit.findings)


def test_new_file_lines_are_tracked() -> None:
    """Every line of a file a patch creates is checked against later patches."""
    created = file_diff("mm/new.c", hunk("+int a;\n+int b;\n", start=1), kind=ChangeKind.ADDED)
    wrong = file_diff("mm/new.c", hunk("-int c;\n int b;\n", start=1))
    audit = classify_series(
        [patch("1", created, number=1), patch("2", wrong, number=2)], "test", load_rules()
    ).audit
    assert _codes(audit.findings).count("inconsistent") == 1


def _pieces(patches: list[object]) -> dict[str, tuple[Piece, ...]]:
    audit = classify_series(patches, "test", load_rules()).audit  # type: ignore[arg-type]
    return {row.arch: row.pieces for row in audit.arches}


def test_arch_matrix_pieces() -> None:
    """Each of the four pieces is seen where the series provides it, per asm directory."""
    macros = file_diff(
        "include/asm-um/pgtable-2level.h",
        hunk(
            "+#define PTE_FILE_MAX_BITS 27\n"
            "+#define pgoff_prot_to_pte(off, prot) ((pte_t) { (off) })\n"
            "+#define pte_to_pgprot(pte) __pgprot(0)\n"
        ),
    )
    mman = file_diff("include/asm-um/mman.h", hunk("+#define MAP_NOINHERIT 0x20000\n"))
    opt_in = file_diff("include/asm-um/pgtable.h", hunk("+#define __ARCH_SUPPORTS_VM_NONUNIFORM\n"))
    fault = file_diff(
        "arch/um/kernel/trap_kern.c", hunk(" switch (err) {\n+\tcase VM_FAULT_SIGSEGV:\n")
    )
    ppc = file_diff("include/asm-ppc/mman.h", hunk("+#define MAP_NOINHERIT 0x20000\n"))
    rows = _pieces([patch("all", macros, mman, opt_in, fault, ppc)])
    assert rows["um"] == tuple(Piece)
    assert rows["ppc"] == (Piece.NOINHERIT,)
    assert rows["i386"] == ()


def test_opt_in_without_pieces_is_an_error() -> None:
    """An arch that opts in without its file-PTE macros is an error finding."""
    opt_in = file_diff("include/asm-sh/pgtable.h", hunk("+#define __ARCH_SUPPORTS_VM_NONUNIFORM\n"))
    audit = classify_series([patch("opt in", opt_in)], "test", load_rules()).audit
    found = [f for f in audit.findings if f.code == "arch-opt-in-incomplete"]
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert "sh " in found[0].message


def test_progress_is_called_per_patch() -> None:
    """The progress callback hears of every patch as it is classified."""
    seen: list[int] = []
    patches = [patch("a", _use("X"), number=1), patch("b", _use("Y"), number=2)]  # type: ignore[arg-type]
    classify_series(patches, "test", load_rules(), progress=lambda done, _: seen.append(done))
    assert seen == [1, 2]


def test_mbox_out_of_order_is_read_in_counter_order(tmp_path: Path) -> None:
    """An mbox holding patch 2/2 before 1/2 is audited in counter order, so it bisects."""
    folder = DATA / "good"
    first, second = ((folder / f"{n}.patch").read_text() for n in ("add-flag", "use-flag"))
    mbox = tmp_path / "reversed.mbox"
    envelope = "From 0123 Mon Sep 17 00:00:00 2001\nFrom: t <t@example.org>\n"
    mbox.write_text(f"{envelope}{second}\n{envelope}{first}\n")
    audit = audit_path(mbox).audit
    assert audit.patches[0].subject.startswith("demo: add a non-uniform")
    assert "use-before-define" not in _codes(audit.findings)


def test_context_on_series_text_is_no_sign_of_existence() -> None:
    """A name on a context line that an earlier patch of the series added did not exist before."""
    use = file_diff("mm/a.c", hunk(" {\n+\tif (flags & LATE_FLAG)\n+\t\treturn;\n }\n", start=50))
    # Patch 2 keeps patch 1's line as context: LATE_FLAG is still only the series' own text.
    keep = file_diff(
        "mm/a.c", hunk(" {\n \tif (flags & LATE_FLAG)\n+\t\tcount++;\n \t\treturn;\n", start=50)
    )
    patches = [
        patch("use", use, number=1),
        patch("keep", keep, number=2),
        patch("define", _define("LATE_FLAG"), number=3),  # type: ignore[arg-type]
    ]
    audit = classify_series(patches, "test", load_rules()).audit
    found = [f for f in audit.findings if f.code == "use-before-define"]
    assert [(f.patch, f.file) for f in found] == [(1, "mm/a.c")]


def test_pending_uses_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit the oldest unexplained uses are forgotten, the recent ones still flagged."""
    monkeypatch.setattr(checks, "_NAMES", 2)
    uses = file_diff(
        "mm/memory.c", hunk(" {\n+\ta = FIRST_FLAG;\n+\tb = SECOND_FLAG;\n+\tc = THIRD_FLAG;\n")
    )
    patches = [
        patch("use", uses, number=1),
        patch("define", _define("FIRST_FLAG"), _define("THIRD_FLAG", 200), number=2),  # type: ignore[arg-type]
    ]
    audit = classify_series(patches, "test", load_rules()).audit
    flagged = [f.message.split()[0] for f in audit.findings if f.code == "use-before-define"]
    assert flagged == ["THIRD_FLAG"]


def test_tracked_lines_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit the lines of the file touched longest ago are no longer checked."""
    monkeypatch.setattr(checks, "_TRACKED_LINES", 3)
    first = file_diff("mm/a.c", hunk(" a\n+x = 1;\n+y = 2;\n b\n", start=50))
    second = file_diff("mm/b.c", hunk(" a\n+u = 1;\n+v = 2;\n b\n", start=50))
    wrong_a = file_diff("mm/a.c", hunk(" a\n-z = 1;\n y = 2;\n", start=50))
    wrong_b = file_diff("mm/b.c", hunk(" a\n-w = 1;\n v = 2;\n", start=50))
    audit = classify_series(
        [
            patch("1", first, number=1),
            patch("2", second, number=2),
            patch("3", wrong_a, wrong_b, number=3),
        ],
        "test",
        load_rules(),
    ).audit
    assert [f.file for f in audit.findings if f.code == "inconsistent"] == ["mm/b.c"]


def test_defined_names_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit the names defined longest ago leave the lifecycles, the newest stay."""
    monkeypatch.setattr(checks, "_NAMES", 2)
    patches = [
        patch(f"define {name}", _define(name, 100 + index), number=index + 1)  # type: ignore[arg-type]
        for index, name in enumerate(("FLAG_A", "FLAG_B", "FLAG_C"))
    ]
    result = classify_series(patches, "test", load_rules())
    assert [life.name for life in result.lifecycles] == ["FLAG_C"]
