"""The per-arch coverage matrix: which porting pieces the series provides for each arch."""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.classify.records import ArchRow, Finding, HunkFacts, Piece, Severity

FILE_PTE_MACROS = ("pgoff_prot_to_pte", "pte_to_pgprot", "PTE_FILE_MAX_BITS")
# PTE_FILE_MAX_BITS changes only where the protection bits take offset bits (not on x86_64).
REQUIRED_MACROS = frozenset(("pgoff_prot_to_pte", "pte_to_pgprot"))
OPT_IN = "__ARCH_SUPPORTS_VM_NONUNIFORM"
NOINHERIT = "MAP_NOINHERIT"
SIGSEGV = "VM_FAULT_SIGSEGV"
# archs/ stems name MMU variants; several share one include/asm-ARCH directory.
_SHARED_DIR = (
    (re.compile(r"^mips"), "mips"),
    (re.compile(r"^um"), "um"),
    (re.compile(r"^s390"), "s390"),
    (re.compile(r"^parisc"), "parisc"),
)
# UML's asm-um/mman.h only includes the host arch's (asm/arch/mman.h), so it has the host's flags.
_MMAN_FROM = {"um": ("i386", "x86_64")}
# A fault handler lives in arch/ARCH/mm/fault.c, or in UML's trap code.
_FAULT_HANDLER = re.compile(r"^arch/[\w-]+/(?:mm/fault|kernel/trap)[\w-]*\.c$")


def asm_dir(variant: str) -> str:
    """The include/asm-ARCH name of an archs/ variant: i386-pae -> i386, ppc-6xx -> ppc."""
    for pattern, name in _SHARED_DIR:
        if pattern.match(variant):
            return name
    return variant.split("-", 1)[0]


def known_variants(archs_dir: Path | None = None) -> tuple[str, ...]:
    """The archs/ variants, through toolkit.arch when it is there."""
    try:
        from toolkit.arch import arch_names
    except ImportError:  # toolkit.arch is another issue's; its data directory is enough
        from toolkit.paths import ARCHS

        folder = archs_dir or ARCHS
        return tuple(sorted(p.stem for p in folder.glob("*.toml")))
    return arch_names(archs_dir)


class Coverage:
    """Collects, hunk by hunk, which pieces each arch gets."""

    def __init__(self, variants: tuple[str, ...]) -> None:
        """Start with the arches of archs/ and nothing provided."""
        self._variants: dict[str, list[str]] = {}
        for variant in variants:
            self._variants.setdefault(asm_dir(variant), []).append(variant)
        self._macros: dict[str, set[str]] = {}
        self._pieces: dict[str, set[Piece]] = {}

    def feed(self, facts: HunkFacts) -> None:
        """Note what one hunk provides for its arch."""
        arch = facts.arch
        if arch is None:
            return
        macros = self._macros.setdefault(arch, set())
        pieces = self._pieces.setdefault(arch, set())
        if facts.file.startswith("include/"):
            macros.update(m for m in FILE_PTE_MACROS if m in facts.defines)
            if OPT_IN in facts.defines:
                pieces.add(Piece.OPT_IN)
            if facts.file.endswith("/mman.h") and NOINHERIT in facts.defines:
                pieces.add(Piece.NOINHERIT)
        if _FAULT_HANDLER.match(facts.file) and SIGSEGV in facts.uses:
            pieces.add(Piece.SIGSEGV)
        if macros >= REQUIRED_MACROS:
            pieces.add(Piece.MACROS)

    def rows(self) -> tuple[ArchRow, ...]:
        """One row per asm directory of archs/ or of the series, sorted by name."""
        for arch, hosts in _MMAN_FROM.items():
            if arch in self._pieces and any(
                Piece.NOINHERIT in self._pieces.get(host, set()) for host in hosts
            ):
                self._pieces[arch].add(Piece.NOINHERIT)
        names = sorted(set(self._variants) | set(self._macros) | set(self._pieces))
        order = list(Piece)
        return tuple(
            ArchRow(
                arch=name,
                variants=tuple(self._variants.get(name, ())),
                macros=tuple(m for m in FILE_PTE_MACROS if m in self._macros.get(name, set())),
                pieces=tuple(p for p in order if p in self._pieces.get(name, set())),
            )
            for name in names
        )


def coverage_findings(rows: tuple[ArchRow, ...]) -> list[Finding]:
    """An arch that opts in without every piece is an error; a partial port is worth a note."""
    found: list[Finding] = []
    for row in rows:
        missing = [p.value for p in Piece if p not in row.pieces]
        if Piece.OPT_IN in row.pieces and missing:
            found.append(
                Finding(
                    Severity.ERROR,
                    "arch-opt-in-incomplete",
                    f"{row.arch} opts in to VM_NONUNIFORM but the series lacks: "
                    f"{', '.join(missing)}",
                )
            )
        elif row.touched and missing:
            found.append(
                Finding(
                    Severity.INFO,
                    "arch-partial",
                    f"{row.arch} is partly ported (missing: {', '.join(missing)}); "
                    "MAP_NOINHERIT gives -EINVAL there",
                )
            )
    return found
