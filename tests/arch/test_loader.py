"""archs/*.toml loading: i386 values against the kernel formula, round trips, strict validation."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from toolkit.arch import PROT_NONE, PROT_READ, PROT_WRITE, arch_names, load_arch
from toolkit.errors import ArchDataError, MissingInputError
from toolkit.paths import ARCHS

I386 = (ARCHS / "i386.toml").read_text()
ENCODE = "encode = [{ from = 0, width = 5, to = 1 }, { from = 5, width = 24, to = 8 }]"


# The i386 2-level pgoff_to_pte()/pte_to_pgoff() of 2.6.13, written out here from the header's
# formula (not from the arch data): offset bits 0-4 at PTE bits 1-5, the rest from bit 8, FILE 0x40.
def kernel_pgoff_to_pte(off: int) -> int:
    """pgoff_to_pte() of 2.6.13 i386 2-level, on a 32-bit word."""
    return (((off & 0x1F) << 1) + ((off >> 5) << 8) + 0x40) & 0xFFFFFFFF


def kernel_pte_to_pgoff(pte: int) -> int:
    """pte_to_pgoff() of 2.6.13 i386 2-level."""
    return ((pte >> 1) & 0x1F) + ((pte >> 8) << 5)


def test_i386_legacy_encode_by_hand() -> None:
    """A few i386 legacy file PTEs, worked out by hand."""
    legacy = load_arch("i386").layout("legacy")
    assert legacy.pgoff_prot_to_pte(0) == 0x40
    assert legacy.pgoff_prot_to_pte(1) == 0x42
    assert legacy.pgoff_prot_to_pte(0x1F) == 0x7E
    assert legacy.pgoff_prot_to_pte(0x20) == 0x140
    assert legacy.pgoff_prot_to_pte((1 << 29) - 1) == 0xFFFFFF7E
    assert legacy.max_bits == 29


def test_i386_legacy_matches_kernel_formula() -> None:
    """The i386 legacy encoder and decoder agree with the kernel formula on many offsets."""
    legacy = load_arch("i386").layout("legacy")
    rng = random.Random(5)
    offsets = [0, 1, (1 << 29) - 1, *(1 << b for b in range(29))]
    offsets += [rng.randrange(1 << 29) for _ in range(2000)]
    for off in offsets:
        pte = legacy.pgoff_prot_to_pte(off, 0xFFF)  # legacy ignores any protection
        assert pte == kernel_pgoff_to_pte(off)
        assert legacy.pte_to_pgoff(pte) == kernel_pte_to_pgoff(pte) == off


def test_i386_predicates_and_prot() -> None:
    """i386 predicates and the shared protection map behave as the kernel's macros."""
    i386 = load_arch("i386")
    assert i386.pte_present(0x1) and i386.pte_present(0x80) and not i386.pte_present(0x40)
    assert i386.pte_file(0x40) and not i386.pte_file(0x3)
    assert i386.pte_none(0) and not i386.pte_none(0x40)
    assert i386.pgprot(PROT_NONE) == 0x80 | 0x20
    assert i386.pgprot(PROT_READ | PROT_WRITE) == 0x1 | 0x2 | 0x4 | 0x20
    assert i386.pgprot_allows(i386.pgprot(PROT_READ)) == PROT_READ | 4  # read implies exec
    assert i386.pgprot_allows(i386.pgprot(PROT_NONE)) == PROT_NONE
    assert i386.mask("PRESENT", "FILE") == 0x41


def test_i386_swap_and_mk_pte() -> None:
    """Swap entries and present PTEs round-trip through their fields."""
    i386 = load_arch("i386")
    pte = i386.swp_entry_to_pte(3, 0x1234)
    assert pte == (3 << 1) | (0x1234 << 8)
    assert i386.pte_to_swp_entry(pte) == (3, 0x1234)
    assert i386.is_swap(pte)
    present = i386.mk_pte(0xABCDE, PROT_READ)
    assert i386.pte_present(present) and i386.pte_pfn(present) == 0xABCDE


@pytest.mark.parametrize("name", arch_names())
def test_every_arch_loads(name: str) -> None:
    """Every archs/*.toml file loads and has a legacy and a solver layout."""
    arch = load_arch(name)
    assert arch.name == name
    assert arch.layout_kinds()[0] == "legacy"
    assert ("solver" in arch.layout_kinds()) != bool(arch.unsolved)


def test_unknown_arch() -> None:
    """An unknown arch name is a MissingInputError that lists the known ones."""
    with pytest.raises(MissingInputError, match="i386"):
        load_arch("vax")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    """A folder holding i386.toml with `old` replaced by `new`."""
    assert old in I386
    (tmp_path / "i386.toml").write_text(I386.replace(old, new, 1))
    return tmp_path


def _line(text: str, needle: str) -> int:
    """The first line number of `text` containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BROKEN = [
    # (what is changed, replaced by, the key the error must name, error text)
    ("pfn_shift = 12", "pfn_shift = 12\nwidth = 3", "width", "unknown key"),
    (
        'meaning = "writable" }',
        'meaning = "writable", colour = 1 }',
        "bits.RW.colour",
        "unknown key",
    ),
    (
        f'combine = "add"\n{ENCODE}',
        f'combine = "or"\n{ENCODE.replace("width = 24, to = 8", "width = 3, to = 2")}',
        "layout.legacy.encode[1]",
        "overlap another encode field",
    ),
    (
        "encode = [{ from = 0, width = 5, to = 1 }, { from = 5, width = 24, to = 8 }]",
        "encode = [{ from = 0, width = 5, to = 1 }, { from = 5, width = 25, to = 8 }]",
        "layout.legacy.encode[1]",
        "runs past the 32-bit PTE",
    ),
    ('set = ["FILE"]', 'set = ["FIEL"]', "layout.legacy.set", "unknown bit name 'FIEL'"),
    (
        'pte_file = [{ any = ["FILE"] }]',
        'pte_file = [{ any = ["FLIE"] }]',
        "predicates.pte_file[0]",
        "unknown",
    ),
    ('keep = ["RW", "PROTNONE"]', 'keep = ["RW", "NX"]', "prot.keep", "unknown bit name"),
    (
        "GLOBAL = { bit = 8,",
        "reserved = [9]\nGLOBAL = { bit = 8,",
        "layout.legacy.encode[1]",
        "reserved",
    ),
    ('name = "i386"', 'name = "i486"', "name", "stem"),
    (
        'prot = [{ bit = "RW", to = 1 }',
        'prot = [{ bit = "RW", to = 2 }',
        "layout.2005.prot[0]",
        "overlaps",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "message"), BROKEN)
def test_validation_errors(tmp_path: Path, old: str, new: str, key: str, message: str) -> None:
    """Each kind of inconsistent data is an ArchDataError naming the file and the key."""
    folder = _broken(tmp_path, old, new)
    with pytest.raises(ArchDataError, match=message) as caught:
        load_arch("i386", folder)
    err = caught.value
    assert err.path == str(folder / "i386.toml")
    assert err.message.startswith(f"{key}: ")


def test_validation_error_line(tmp_path: Path) -> None:
    """The error points at the line of the offending key."""
    folder = _broken(tmp_path, 'set = ["FILE"]', 'set = ["FIEL"]')
    text = (folder / "i386.toml").read_text()
    with pytest.raises(ArchDataError) as caught:
        load_arch("i386", folder)
    assert caught.value.line == _line(text, "FIEL")
    assert str(caught.value).startswith(f"{folder / 'i386.toml'}:{caught.value.line}: ")


def test_add_allows_overlap_with_carry(tmp_path: Path) -> None:
    """Under combine = "add" overlapping fields load, and the carry is computed as in C."""
    folder = _broken(
        tmp_path,
        "encode = [{ from = 0, width = 5, to = 1 }, { from = 5, width = 24, to = 8 }]",
        "encode = [{ from = 0, width = 29, to = 3 }]",
    )
    legacy = load_arch("i386", folder).layout("legacy")
    assert legacy.pgoff_prot_to_pte(8) == 0x40 + 0x40  # offset bit 3 lands on FILE and carries
    assert legacy.pgoff_prot_to_pte((1 << 29) - 1) == (((1 << 29) - 1) << 3) + 0x40 & 0xFFFFFFFF


def test_or_rejects_overlap(tmp_path: Path) -> None:
    """Under combine = "or" the same overlap is an error."""
    folder = _broken(
        tmp_path,
        f'combine = "add"\n{ENCODE}',
        'combine = "or"\nencode = [{ from = 0, width = 29, to = 3 }]',
    )
    with pytest.raises(ArchDataError, match="collide with set bits"):
        load_arch("i386", folder)


def test_toml_syntax_error(tmp_path: Path) -> None:
    """A TOML syntax error is an ArchDataError with the parser's line."""
    folder = _broken(tmp_path, "pte_bits = 32", "pte_bits = = 32")
    with pytest.raises(ArchDataError, match="not valid TOML") as caught:
        load_arch("i386", folder)
    assert caught.value.line == _line(I386, "pte_bits = 32")


def test_toml_not_utf8(tmp_path: Path) -> None:
    """A file saved in latin-1 is an ArchDataError at the line of the first bad byte."""
    folder = _broken(tmp_path, "pte_bits = 32", "pte_bits = 32 # caf\u00e9")
    path = folder / "i386.toml"
    path.write_bytes(path.read_text().encode("latin-1"))
    with pytest.raises(ArchDataError, match="not valid UTF-8") as caught:
        load_arch("i386", folder)
    assert caught.value.line == _line(I386, "pte_bits = 32")


@pytest.mark.parametrize("name", arch_names())
def test_pgprot_allows_what_was_asked(name: str) -> None:
    """The pgprot of PROT_* p grants p; PROT_NONE grants nothing where the MMU tells it apart."""
    arch = load_arch(name)
    for prot in range(8):
        assert arch.pgprot_allows(arch.pgprot(prot)) & prot == prot
    others = [arch.pgprot(p) for p in range(1, 8)]
    if arch.pgprot(PROT_NONE) not in others:
        assert arch.pgprot_allows(arch.pgprot(PROT_NONE)) == 0


def test_pgprot_allows_ignores_accessed_and_dirty() -> None:
    """Bits set by the MMU (ACCESSED, DIRTY) do not change the rights granted."""
    i386 = load_arch("i386")
    rw = i386.pgprot(PROT_READ | PROT_WRITE)
    assert i386.pgprot_allows(rw | i386.mask("DIRTY")) == i386.pgprot_allows(rw) == 7
    assert i386.pgprot_allows(i386.pgprot(PROT_READ) & ~i386.mask("ACCESSED")) == 5
