"""Arch limits: facts of an arch's PTEs that make some scenarios' results differ on it.

An arch file declares the limits it has in a `[limits]` table, one key per limit whose value
says why, in our words. A scenario file declares in its own `[limits]` table the limits its
expectations run into. A run of such a scenario on such an arch that misses its expectations is
reported as a declared per-arch difference, not as a failure. Each limit can also be detected
from the arch's data (`detect_limits`), and a test keeps the declarations equal to what is
detected.
"""

from __future__ import annotations

import re
import tomllib
from enum import Enum
from pathlib import Path

from toolkit.arch import Arch
from toolkit.errors import ArchDataError, ToolkitError
from toolkit.model.include.linux.mman import PROT_NONE


class ArchLimit(Enum):
    """A fact of an arch that keeps some scenarios from giving the results they expect."""

    # The MMU grants access to a page mapped PROT_NONE (m68k-sun3: PAGE_NONE is
    # PAGE_READONLY), so only a VMA's own flags can refuse it, never a page's PTE.
    PROT_NONE = "prot_none"
    # A swap entry (of the first swap device) passes pte_file() (arm26: pte_file() tests
    # that OLD is clear, and OLD lies inside the swap type), so a swapped-out anonymous page
    # is faulted back in from the file and loses its own data.
    SWAP_READS_AS_FILE = "swap_reads_as_file"
    # A PROT_NONE page's PTE fails pte_present() (frv: PAGE_NONE is ACCESSED alone;
    # sparc-srmmu: SRMMU_PAGE_NONE's entry type is "invalid"), so change_protection() skips
    # it when the page gets rights back, and its next fault reads it as a swap entry.
    PROT_NONE_NOT_PRESENT = "prot_none_not_present"


_NAMES = ", ".join(limit.value for limit in ArchLimit)


def parse_limits(
    table: object, path: Path, text: str, error: type[ToolkitError]
) -> tuple[tuple[ArchLimit, str], ...]:
    """The `[limits]` table of a file: each known limit with the reason the file gives."""
    if not isinstance(table, dict):
        raise error("[limits] must be a table", path, _line_of(text, "limits"))
    found: list[tuple[ArchLimit, str]] = []
    for name, why in table.items():
        try:
            limit = ArchLimit(name)
        except ValueError:
            raise error(
                f"[limits]: unknown limit {name!r}; known: {_NAMES}", path, _line_of(text, name)
            ) from None
        if not isinstance(why, str) or not why.strip():
            raise error(f"[limits]: {name} needs a reason", path, _line_of(text, name))
        found.append((limit, why.strip()))
    return tuple(found)


def arch_limits(arch: Arch) -> tuple[tuple[ArchLimit, str], ...]:
    """The limits archs/<arch>.toml declares, each with its reason."""
    # The arch engine accepts the table without reading it: the runner alone uses it.
    text = arch.path.read_text()
    table = tomllib.loads(text).get("limits", {})
    return parse_limits(table, arch.path, text, ArchDataError)


def detect_limits(arch: Arch) -> frozenset[ArchLimit]:
    """The limits the arch's own data shows, whatever its file declares."""
    found = set()
    if arch.pgprot_allows(arch.pgprot(PROT_NONE)):
        found.add(ArchLimit.PROT_NONE)
    if not arch.pte_present(arch.mk_pte(1, PROT_NONE)):
        found.add(ArchLimit.PROT_NONE_NOT_PRESENT)
    # The model swaps to swap type 0 from offset 1 (mm/swapfile.py).
    if arch.pte_file(arch.swp_entry_to_pte(0, 1)):
        found.add(ArchLimit.SWAP_READS_AS_FILE)
    return frozenset(found)


def _line_of(text: str, key: str) -> int | None:
    """The first line that assigns or opens `key`, for errors tomllib cannot place."""
    found = re.search(rf"^[ \t]*(\[{re.escape(key)}\]|{re.escape(key)}[ \t]*=)", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None
