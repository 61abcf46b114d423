"""Schema features for hand ports and odd kernel formulas, each against its kernel formula."""

# The kernel formulas below are written out from the headers and the 2005 try-2 mails (as facts),
# not from the arch data, so the data and the encoder are checked against something independent.

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolkit.arch import Arch, Combine, FileLayout, Move, ProtMove, arch_names, load_arch
from toolkit.arch.records import SwapEntry
from toolkit.arch.solver import lost_keep, own_problems, problems, solve
from toolkit.errors import ArchDataError
from toolkit.paths import ARCHS

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def samples(bits: int, seed: int) -> list[int]:
    """0, 1, all ones, each single bit and random values below 2**bits (fixed seed)."""
    rng = random.Random(seed)
    top = (1 << bits) - 1
    return [0, 1, top, *(1 << b for b in range(bits)), *(rng.randrange(top) for _ in range(200))]


def with_text(tmp_path: Path, name: str, old: str, new: str) -> Arch:
    """Arch `name` loaded from a copy of its file with `old` replaced by `new`."""
    text = (ARCHS / f"{name}.toml").read_text()
    assert old in text
    (tmp_path / f"{name}.toml").write_text(text.replace(old, new, 1))
    return load_arch(name, tmp_path)


# --- sparc64 2005: kept bits written on pgoff bits 0-1, read back from PTE bits 13-14 ---------


def sparc64_encode(off: int, pgprot: int) -> int:
    """pgoff_prot_to_pte() of the 2005 sparc64 port (PAGE_SHIFT 13, _PAGE_FILE 0x800)."""
    return ((off | (pgprot >> 8) & 3) << 15 | 0x800) & M64


def sparc64_pgprot(pte: int) -> int:
    """pte_to_pgprot() of a file PTE in the 2005 sparc64 port."""
    return ((pte >> 13) & 3) << 8


def test_sparc64_2005_is_the_kernel_formula() -> None:
    """The sparc64 2005 layout encodes, decodes and restores pgprot as the port's macros do."""
    sparc64 = load_arch("sparc64")
    layout = sparc64.layout("2005")
    kept = sparc64.mask("READ", "WRITE")
    for off in samples(48, 28):
        for prot in range(8):
            pgprot = sparc64.pgprot(prot)
            pte = layout.pgoff_prot_to_pte(off, pgprot)
            assert pte == sparc64_encode(off, pgprot & kept)
            assert layout.pte_to_pgoff(pte) == pte >> 15
            assert layout.pte_to_pgprot(pte) == sparc64_pgprot(pte)


def test_sparc64_2005_prot_moves_and_defect() -> None:
    """The kept bits are written at 15/16 and read at 13/14, so the defect is visible."""
    sparc64 = load_arch("sparc64")
    layout = sparc64.layout("2005")
    assert [(p.name, p.dst, p.read_at) for p in layout.prot] == [
        ("WRITE", 15, 13),
        ("READ", 16, 14),
    ]
    found = problems(sparc64, layout)
    assert any("read back as pgoff" in line for line in found)
    assert any("restored as pgprot 0x0" in line for line in found)


def test_sparc64_keeps_valid_clear() -> None:
    """VALID (bit 63) is reserved, and no layout of sparc64 ever sets it."""
    sparc64 = load_arch("sparc64")
    assert 63 in sparc64.reserved
    for kind in sparc64.layout_kinds():
        layout = sparc64.layout(kind)
        top = (1 << layout.max_bits) - 1
        assert layout.pgoff_prot_to_pte(top, sparc64.pgprot(7)) >> 63 == 0


def test_read_position_defaults_to_the_written_one() -> None:
    """A ProtMove without `read` is read back where it was written; `from = to` means the same."""
    assert ProtMove("RW", 1, 9).read_at == 9
    assert ProtMove("RW", 1, 9, 3).read_at == 3
    i386 = load_arch("i386")
    assert all(p.read is None for p in i386.layout("2005").prot)


# --- ia64 2005: everything added, AR_RW inside the offset field --------------------------------


def ia64_encode(off: int, pgprot: int) -> int:
    """pgoff_prot_to_pte() of the 2005 ia64 port: _PAGE_FILE + (pgprot & (AR_RW|PROTNONE)) + off."""
    return (0x2 + (pgprot & (0x400 | 1 << 63)) + off) & M64


def test_ia64_2005_adds_ar_rw_with_carries() -> None:
    """AR_RW is added at bit 10 over the unshifted offset, carries included, as in C."""
    ia64 = load_arch("ia64")
    layout = ia64.layout("2005")
    assert [(p.name, p.dst) for p in layout.prot] == [("AR_RW", 10), ("PROTNONE", 63)]
    for off in samples(59, 64):
        for prot in range(8):
            pgprot = ia64.pgprot(prot)
            pte = layout.pgoff_prot_to_pte(off, pgprot)
            assert pte == ia64_encode(off, pgprot)
            assert layout.pte_to_pgoff(pte) == ((pte << 1) & M64) >> 4
            assert layout.pte_to_pgprot(pte) == pte & (0x400 | 1 << 63)
    # Offset bit 10 plus AR_RW carries into bit 11: written out by hand.
    rw = ia64.pgprot(3)
    assert layout.pgoff_prot_to_pte(0x400, rw) == 0x2 + 0x400 + 0x400 == 0x802


def test_prot_overlap_needs_saying(tmp_path: Path) -> None:
    """A kept bit on an offset field is refused unless `overlap = true` says it is meant."""
    old = '{ bit = "AR_RW", to = 10, overlap = true }'
    with pytest.raises(ArchDataError, match="overlaps an encode field") as caught:
        with_text(tmp_path, "ia64", old, '{ bit = "AR_RW", to = 10 }')
    assert caught.value.message.startswith("layout.2005.prot[0]: ")


def test_prot_overlap_that_overlaps_nothing(tmp_path: Path) -> None:
    """`overlap = true` on a kept bit that overlaps nothing is refused as a likely mistake."""
    old = '{ bit = "PROTNONE", to = 63 }'
    with pytest.raises(ArchDataError, match="overlaps nothing"):
        with_text(tmp_path, "ia64", old, '{ bit = "PROTNONE", to = 63, overlap = true }')


def test_two_kept_bits_on_one_position(tmp_path: Path) -> None:
    """Two kept bits written on the same PTE bit are refused."""
    old = '{ bit = "PROTNONE", to = 63 }'
    with pytest.raises(ArchDataError, match="already holds another kept bit"):
        with_text(tmp_path, "ia64", old, '{ bit = "PROTNONE", to = 10, overlap = true }')


# --- per-layout predicates: ppc moves _PAGE_FILE, s390 retypes its invalid PTEs -----------------


def test_ppc_2005_pte_file_is_the_moved_bit() -> None:
    """ppc-6xx and ppc64 2005 file PTEs are tested on 0x008, the port's _PAGE_FILE."""
    for name in ("ppc-6xx", "ppc64"):
        arch = load_arch(name)
        layout = arch.layout("2005")
        assert layout.set_mask == 0x8
        assert layout.pte_file(0x8) and not layout.pte_file(arch.mask("FILE"))
        assert arch.pte_file(arch.mask("FILE"))  # the arch keeps its 2.6.13 predicate
        assert own_problems(arch, layout) == ()
        # Sound by its own predicates, but the port keeps USER and RW only: EXEC is lost.
        assert problems(arch, layout) == lost_keep(arch, layout)
        assert lost_keep(arch, layout)[0].endswith(" loses EXEC")


def ppc32_encode(off: int, pgprot: int) -> int:
    """pgoff_prot_to_pte() of the 2005 ppc32 port (USER 0x004, RW 0x400, FILE 0x008)."""
    low = ((off << 5) & ~0x7FF) | ((off << 4) & 0x3F0)
    return (low | (pgprot & 0x404) | 0x8) & M32


def test_ppc_6xx_2005_is_the_kernel_formula() -> None:
    """The ppc-6xx 2005 layout matches the port's encoder and decoder."""
    arch = load_arch("ppc-6xx")
    layout = arch.layout("2005")
    for off in samples(27, 26):
        for prot in range(8):
            pte = layout.pgoff_prot_to_pte(off, arch.pgprot(prot))
            assert pte == ppc32_encode(off, arch.pgprot(prot))
            assert layout.pte_to_pgoff(pte) == ((pte & ~0x7FF) >> 5) | ((pte & 0x3F0) >> 4)


def test_s390_2005_predicates() -> None:
    """The s390 2005 predicates are the port's: file 0x401, PROT_NONE 0x402, empty 0x400."""
    for name in ("s390", "s390x"):
        arch = load_arch(name)
        layout = arch.layout("2005")
        for pte in (0x400, 0x401, 0x402, 0x403, 0x600, 0x601, 0x603, 0x000, 0x200, 0x1401):
            assert layout.pte_file(pte) == (pte & 0x401 == 0x401)
            assert layout.pte_present(pte) == (pte & 0x400 == 0 or pte & 0x603 == 0x402)
            assert layout.pte_none(pte) == (pte & 0x603 == 0x400)
        # 2.6.13's own predicates are unchanged: 0x601 is the file type there.
        assert arch.pte_file(0x601) and not arch.pte_file(0x401)
        assert problems(arch, layout) == ()


def test_s390_2005_is_the_kernel_formula() -> None:
    """s390 2005: 0x401 | ((off & 0x3f) << 2) + ((off >> 6) << 12) | RO | PROTNONE (bit 1)."""
    arch = load_arch("s390")
    layout = arch.layout("2005")
    for off in samples(25, 31):
        for prot in range(8):
            pgprot = arch.pgprot(prot)
            # The port's pgprot has PROTNONE at 0x002 where 2.6.13's map has TYPE at 0x001.
            port_prot = (pgprot & 0x200) | (0x2 if pgprot & 0x1 else 0)
            pte = layout.pgoff_prot_to_pte(off, pgprot)
            assert pte == 0x401 | (((off & 0x3F) << 2) + ((off >> 6) << 12)) | port_prot
            assert layout.pte_to_pgoff(pte) == ((pte >> 12) << 6) + ((pte >> 2) & 0x3F)


def test_layout_pte_none_defaults_to_the_arch() -> None:
    """Without its own pte_none, a layout judges emptiness by the arch's predicate."""
    i386 = load_arch("i386")
    for kind in i386.layout_kinds():
        assert i386.layout(kind).none_clauses == i386.none


def test_legacy_may_not_redefine_pte_none(tmp_path: Path) -> None:
    """pte_none in [layout.legacy] is refused: the legacy layout is the arch's own."""
    with pytest.raises(ArchDataError, match="uses the arch's predicates"):
        with_text(
            tmp_path,
            "i386",
            "max_bits = 29\n",
            "max_bits = 29\npte_none = [{ mask = 0xffffffff, equals = 0 }]\n",
        )


# --- swap entries: split fields and constant bits ------------------------------------------------


def s390_swap(type_: int, offset: int, bits: int) -> int:
    """mk_swap_pte() of s390 (bits 32) or s390x (bits 64)."""
    offset &= ((1 << bits) - 1) >> (12 if bits == 32 else 11)
    pte = 0x600 | (type_ & 0x1F) << 2 | (offset & 1) << 7 | (offset & ~1) << 11
    return pte & ((1 << bits) - 1)


@pytest.mark.parametrize(("name", "bits"), [("s390", 32), ("s390x", 64)])
def test_s390_swap_entry(name: str, bits: int) -> None:
    """s390 swap PTEs carry 0x600 and split the offset around bit 7, as mk_swap_pte() does."""
    arch = load_arch(name)
    offset_bits = 20 if bits == 32 else 53
    for type_ in range(32):
        for offset in samples(offset_bits, type_)[:40]:
            pte = arch.swp_entry_to_pte(type_, offset)
            assert pte == s390_swap(type_, offset, bits)
            # __swp_type / __swp_offset of the kernel
            assert arch.pte_to_swp_entry(pte) == ((pte >> 2) & 0x1F, (pte >> 11) | (pte >> 7) & 1)
            assert arch.is_swap(pte)


def test_sh64_swap_type_goes_around_present() -> None:
    """sh64 puts swap type bits 2-5 at PTE bits 3-6, skipping PRESENT (bit 2)."""
    sh64 = load_arch("sh64")
    for type_ in range(64):
        for offset in samples(24, type_)[:20]:
            pte = sh64.swp_entry_to_pte(type_, offset)
            assert pte == (offset << 8) + ((type_ & 0x3C) << 1) + (type_ & 3)
            assert not sh64.pte_present(pte)
            assert sh64.pte_to_swp_entry(pte) == ((pte & 3) + ((pte >> 1) & 0x3C), pte >> 8)


@pytest.mark.parametrize(("name", "bits"), [("parisc", 32), ("parisc64", 64)])
def test_parisc_swap_offset_in_two_pieces(name: str, bits: int) -> None:
    """parisc splits the swap offset: bits 0-2 at PTE 6-8, the rest from bit 11."""
    arch = load_arch(name)
    top = (1 << bits) - 1
    for type_ in range(32):
        for offset in samples(bits - 8, type_)[:30]:
            pte = arch.swp_entry_to_pte(type_, offset)
            assert pte == (type_ | (offset & 7) << 6 | (offset & ~7) << 8) & top
            assert arch.pte_to_swp_entry(pte) == (pte & 0x1F, ((pte >> 6) & 7) | ((pte >> 8) & ~7))
            # FILE (5), PRESENT (9) and FLUSH (10) stay clear: a swap entry, not a file PTE.
            assert pte & 0x620 == 0 and (arch.is_swap(pte) or pte == 0)


def test_single_field_swap_form_still_works() -> None:
    """The `{ from, width }` form gives the same entry as before and leaves `swap` unset."""
    i386 = load_arch("i386")
    assert i386.swap is None
    assert i386.swap_entry() == SwapEntry((Move(0, 5, 1),), (Move(0, 24, 8),))
    assert i386.swp_entry_to_pte(3, 0x1234) == (3 << 1) | (0x1234 << 8)


def test_split_swap_keeps_the_widest_field() -> None:
    """swap_type/swap_offset of a split entry are its widest pieces, for older callers."""
    parisc = load_arch("parisc")
    assert (parisc.swap_offset.start, parisc.swap_offset.width) == (11, 21)
    assert parisc.swap is not None and parisc.swap_entry() is parisc.swap


def test_swap_fields_may_not_overlap(tmp_path: Path) -> None:
    """Swap pieces that overlap each other or the set bits are refused, naming the piece."""
    old = "offset = [{ from = 0, width = 1, to = 7 }"
    with pytest.raises(ArchDataError, match="overlap another swap field") as caught:
        with_text(tmp_path, "s390", old, "offset = [{ from = 0, width = 1, to = 9 }")
    assert caught.value.message.startswith("swap.offset[0]: ")


# --- word_bits: mips32-64bitphys adds in the 32-bit pte_low -------------------------------------


def mips_pte_low(off: int) -> int:
    """pgoff_to_pte() of mips32 with 64-bit physical addresses: pte_low only, 32-bit sum."""
    return ((off & 0x3F) + (off << 6) + 0x400) & M32


def test_mips32_64bitphys_sum_stays_in_pte_low() -> None:
    """The legacy encoder's carry out of bit 31 is lost, as in the kernel's 32-bit pte_low."""
    arch = load_arch("mips32-64bitphys")
    legacy = arch.layout("legacy")
    assert legacy.word_bits == 32
    for off in samples(27, 32):
        assert legacy.pgoff_prot_to_pte(off) == mips_pte_low(off)
    # 2**27 - 1: 0x3f + 0xffffffc0 + 0x400 = 0x1000003ff, cut to 32 bits (by hand).
    assert legacy.pgoff_prot_to_pte((1 << 27) - 1) == 0x3FF


def test_word_bits_bounds_the_encoder(tmp_path: Path) -> None:
    """An encode field above word_bits is refused."""
    with pytest.raises(ArchDataError, match="runs past the 32-bit encoder word"):
        with_text(
            tmp_path,
            "mips32-64bitphys",
            "encode = [{ from = 0, width = 6, to = 0 }",
            "encode = [{ from = 0, width = 6, to = 30 }",
        )


def test_word_bits_default_is_the_pte() -> None:
    """Without word_bits, an added layout wraps at the PTE width."""
    layout = FileLayout(
        "t", "legacy", 8, False, 0, pte_bits=8, encode=(Move(0, 8, 4),), combine=Combine.ADD
    )
    assert layout.word_bits == 0
    assert layout.pgoff_prot_to_pte(0xFF) == 0xF0  # 0xff0 cut to the 8-bit PTE


# --- the solver avoids what pte_none() tests beyond the all-zero check ---------------------------


def test_parisc_solver_leaves_flush_clear() -> None:
    """parisc's FLUSH (pte_none() is true when it is set) is never used, without a reserved hack."""
    for name in ("parisc", "parisc64"):
        arch = load_arch(name)
        flush = arch.mask("FLUSH")
        assert 10 not in arch.reserved
        layout = arch.layout("solver")
        assert "pte_none() tests it" in layout.explanation[10]
        for off in samples(layout.max_bits, 10)[:80]:
            for prot in range(8):
                pte = layout.pgoff_prot_to_pte(off, arch.pgprot(prot))
                assert pte & flush == 0 and not arch.pte_none(pte)


def test_solver_avoids_an_any_clause_of_pte_none(tmp_path: Path) -> None:
    """A bit pte_none() tests on its own (here GLOBAL, bit 8) gets no offset bit."""
    i386 = with_text(
        tmp_path,
        "i386",
        "pte_none = [{ mask = 0xffffffff, equals = 0 }]",
        'pte_none = [{ mask = 0xffffffff, equals = 0 }, { any = ["GLOBAL"] }]',
    )
    layout = solve(i386)
    assert "pte_none() tests it" in layout.explanation[8]
    assert all(not m.dst <= 8 < m.dst + m.width for m in layout.encode)
    assert layout.max_bits == load_arch("i386").layout("solver").max_bits - 1
    assert problems(i386, layout) == ()


@pytest.mark.parametrize("name", arch_names())
def test_swap_entries_round_trip(name: str) -> None:
    """Every arch's swap PTE gives back the type and offset it was built from."""
    arch = load_arch(name)
    entry = arch.swap_entry()
    # swp_entry_t keeps 5 type bits (MAX_SWAPFILES_SHIFT) and the rest of a long for the offset.
    type_bits, offset_bits = min(entry.type_bits, 5), min(entry.offset_bits, arch.long_bits - 5)
    for type_ in range(1 << type_bits):
        for offset in samples(offset_bits, type_)[:25]:
            pte = arch.swp_entry_to_pte(type_, offset)
            assert arch.pte_to_swp_entry(pte) == (type_, offset)
            assert pte & entry.set_mask == entry.set_mask and pte >> arch.pte_bits == 0
