"""Model of include/asm-ARCH/pgtable.h: the PTE macros of one arch, bound at boot.

Every PTE word the model stores is made and read here, through the encodings toolkit.arch derives
from archs/ARCH.toml: present PTEs, file PTEs (legacy layout without patch 01, the solver layout
with it) and swap entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from toolkit.arch import Arch, Clause, FileLayout

# MODEL: every arch gets one level of 1024-entry tables, whatever its real page-table shape.
PTRS_PER_PTE_SHIFT = 10
PTRS_PER_PTE = 1 << PTRS_PER_PTE_SHIFT
# MODEL: a 47-bit user address space on every arch, so a UML-sized mapping fits everywhere.
TASK_SIZE = 1 << 47


def _predicate(clauses: Sequence[Clause]) -> Callable[[int], bool]:
    """One arch predicate as a single test: its `any` clauses joined into one mask."""
    any_mask = 0
    exact: list[tuple[int, int]] = []
    for clause in clauses:
        if clause.equals is None:
            any_mask |= clause.mask
        else:
            exact.append((clause.mask, clause.equals))
    if not exact:
        return lambda pte: pte & any_mask != 0
    if not any_mask and len(exact) == 1:
        ((mask, equals),) = exact
        return lambda pte: pte & mask == equals
    return lambda pte: pte & any_mask != 0 or any(pte & m == e for m, e in exact)


class Pgtable:
    """Model of the pgtable.h macros of one arch and one file-PTE layout."""

    def __init__(self, arch: Arch, layout: FileLayout) -> None:
        self.arch = arch
        self.layout = layout
        self.PAGE_SHIFT = arch.page_shift
        self.PAGE_SIZE = 1 << arch.page_shift
        self.PAGE_MASK = ~(self.PAGE_SIZE - 1)
        self.PMD_SHIFT = arch.page_shift + PTRS_PER_PTE_SHIFT
        self.PTE_FILE_MAX_BITS = layout.max_bits
        self.BITS_PER_LONG = arch.long_bits
        self.pte_typecode = "I" if arch.pte_bits <= 32 else "Q"
        self.keeps_prot = layout.keeps_prot
        # The kernel tests these in this order: present, then file, else a swap entry; a
        # layout (a hand port) may redefine the first two.
        self.pte_present = _predicate(layout.present_clauses or arch.present)
        self.pte_file = _predicate(layout.file_clauses or arch.file)
        self.pte_none = _predicate(arch.none)
        self.swp_entry_to_pte = arch.swp_entry_to_pte
        self.pte_to_swp_entry = arch.pte_to_swp_entry
        self.pte_to_pgoff = layout.pte_to_pgoff
        self._pgoff_prot_to_pte = layout.pgoff_prot_to_pte
        self._pgprot = tuple(arch.pgprot(prot) for prot in range(8))
        # What the MMU grants for each PROT_* request; two requests granting the same rights
        # are the same protection as far as anyone can observe.
        self._normal = tuple(arch.pgprot_allows(bits) for bits in self._pgprot)
        self._prot_bits = 0
        for bits in self._pgprot:
            self._prot_bits |= bits
        self._rights: dict[int, int] = {}
        # pte_to_pgprot() restores only the kept bits: map each kept pattern back to rights.
        restored: dict[int, int] = {}
        for prot in range(8):
            key = self._pgprot[prot] & layout.prot_mask
            rights = self._normal[prot]
            if bin(rights).count("1") > bin(restored.get(key, 0)).count("1") or key not in restored:
                restored[key] = rights
        self._restored = restored
        self._kept_mask = layout.prot_mask
        self.max_pfn = self._max_pfn()
        # What pte_clear() writes: the value pte_none() compares with (0 on most arches).
        self.PTE_NONE = self._none_value()
        if not self.pte_none(self.PTE_NONE):
            raise AssertionError(f"BUG_ON: {arch.name}: no PTE value is pte_none()")

    def _none_value(self) -> int:
        """The empty PTE: 0, or the constant an arch's pte_none() compares with."""
        if self.pte_none(0):
            return 0
        for clause in self.arch.none:
            if clause.equals is not None:
                return clause.equals
        return 0

    def _max_pfn(self) -> int:
        """The largest page frame number whose present PTE touches no protection bit."""
        top = self.arch.pte_bits
        above = self._prot_bits >> self.arch.pfn_shift << self.arch.pfn_shift
        if above:
            top = min(top, (above & -above).bit_length() - 1)
        return (1 << (top - self.arch.pfn_shift)) - 1

    def pte_pfn(self, pte: int) -> int:
        """Model of pte_pfn() in include/asm-ARCH/pgtable.h.

        Frames stay below max_pfn, so the protection bits never mix in.
        """
        return (pte >> self.arch.pfn_shift) & self.max_pfn

    def normalize(self, prot: int) -> int:
        """The PROT_* rights the MMU grants for a PROT_* request (the model's pgprot_t)."""
        return self._normal[prot & 7]

    def mk_pte(self, pfn: int, prot: int) -> int:
        """Model of mk_pte() in include/asm-ARCH/pgtable.h: page frame `pfn` with `prot`."""
        return (pfn << self.arch.pfn_shift) | self._pgprot[prot & 7]

    def pte_prot(self, pte: int) -> int:
        """The PROT_* rights a present PTE grants (pte_read/pte_write/pte_exec together)."""
        bits = pte & self._prot_bits
        rights = self._rights.get(bits)
        if rights is None:
            rights = self._rights[bits] = self.arch.pgprot_allows(bits)
        return rights

    def pgoff_prot_to_pte(self, pgoff: int, prot: int) -> int:
        """Model of pgoff_prot_to_pte() in include/asm-ARCH/pgtable.h (pgoff_to_pte() before 01)."""
        return self._pgoff_prot_to_pte(pgoff, self._pgprot[prot & 7])

    def pte_to_pgprot(self, pte: int) -> int:
        """Model of pte_to_pgprot() in include/asm-ARCH/pgtable.h (patch 01)."""
        kept = self.layout.pte_to_pgprot(pte) & self._kept_mask
        rights = self._restored.get(kept)
        if rights is None:
            raise AssertionError(
                f"BUG_ON: {self.arch.name} {self.layout.kind} layout: file PTE {pte:#x} gives "
                f"back pgprot bits {kept:#x}, which no protection has"
            )
        return rights

    def pte_kind(self, pte: int) -> str:
        """Which of none, present, file or swap a PTE is, tested in the kernel's order."""
        if pte == self.PTE_NONE or self.pte_none(pte):
            return "none"
        if self.pte_present(pte):
            return "present"
        if self.pte_file(pte):
            return "file"
        return "swap"
