"""The records an audit produces: hunk facts, classes with evidence, findings, the arch matrix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    """How bad a finding is; `--fail-on` compares by rank."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class HunkFacts:
    """What one hunk's changed lines define, remove and use, as tree-sitter read them."""

    file: str
    header: str
    patch_line: int
    arch: str | None  # from include/asm-ARCH/ or arch/ARCH/
    functions: tuple[str, ...]  # the hunk section's function and those whose body changes
    defines: tuple[str, ...]  # macros, functions, fields, enumerators new or redefined
    signatures: tuple[str, ...]  # function-like macros defined, with parameters: `f(a, b)`
    removes: tuple[str, ...]  # definitions the hunk takes away
    introduces: tuple[str, ...]  # definitions the old side did not have at all
    uses: tuple[str, ...]  # identifiers on the added lines
    old_uses: tuple[str, ...]  # identifiers on the removed lines
    calls: tuple[str, ...]  # on the changed lines of either side
    returns: tuple[str, ...]  # errno constants returned negated, `EINVAL` for `-EINVAL`
    context_uses: tuple[str, ...]  # identifiers of the context lines (may repeat uses)
    rows: tuple[tuple[str, tuple[int, ...]], ...]  # name -> patch lines where it changes
    old_rows: tuple[tuple[str, tuple[int, ...]], ...]  # name -> its context and removed lines


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a class was given: the rule that fired, where, and on what."""

    rule: str
    file: str
    header: str
    lines: tuple[int, ...]  # lines of the patch file
    reason: str  # e.g. "defines pgoff_prot_to_pte"


@dataclass(frozen=True, slots=True)
class HunkClass:
    """One class of one hunk, e.g. `arch-port:i386`, with the evidence for it."""

    name: str
    evidence: tuple[Evidence, ...]

    @property
    def base(self) -> str:
        """The class without its arch, `arch-port` for `arch-port:i386`."""
        return self.name.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class HunkReport:
    """One hunk and the classes it was given."""

    facts: HunkFacts
    classes: tuple[HunkClass, ...]


@dataclass(frozen=True, slots=True)
class FileStat:
    """Lines added and removed in one file by one patch."""

    path: str
    insertions: int
    deletions: int


@dataclass(frozen=True, slots=True)
class PatchReport:
    """One patch of the series, classified (or only counted, in stat mode)."""

    number: int
    subject: str
    quilt_name: str | None
    source: str
    files: tuple[FileStat, ...]
    classes: tuple[str, ...]  # base classes in the rules' order
    hunks: tuple[HunkReport, ...]

    @property
    def insertions(self) -> int:
        """Lines added over all files."""
        return sum(f.insertions for f in self.files)

    @property
    def deletions(self) -> int:
        """Lines removed over all files."""
        return sum(f.deletions for f in self.files)


@dataclass(frozen=True, slots=True)
class Finding:
    """A whole-series check's result."""

    severity: Severity
    code: str  # e.g. "use-before-define"
    message: str
    patch: int | None = None
    file: str | None = None
    line: int | None = None  # line in the patch file


class Piece(Enum):
    """What an arch needs from the series to support per-page protections."""

    MACROS = "file-pte macros"
    NOINHERIT = "MAP_NOINHERIT"
    OPT_IN = "opt-in"
    SIGSEGV = "VM_FAULT_SIGSEGV"


@dataclass(frozen=True, slots=True)
class ArchRow:
    """One include/asm-ARCH directory: which pieces the series provides for it."""

    arch: str  # the asm directory name, `i386` for include/asm-i386
    variants: tuple[str, ...]  # the archs/ files it covers, empty if only seen in the series
    macros: tuple[str, ...]  # which of the file-PTE macros the series defines there
    pieces: tuple[Piece, ...]  # the pieces complete for this arch

    @property
    def touched(self) -> bool:
        """Whether the series provides anything for this arch."""
        return bool(self.macros or self.pieces)


@dataclass(frozen=True, slots=True)
class Audit:
    """The whole result of `rfp audit`."""

    source: str
    rules: str  # the rules file used, or "" in stat mode
    patches: tuple[PatchReport, ...]
    arches: tuple[ArchRow, ...]
    findings: tuple[Finding, ...]
    classified: bool  # False in stat mode
    manifest: str | None  # the manifest compared with, if any
