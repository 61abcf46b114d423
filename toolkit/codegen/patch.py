"""The port patch of one arch, in the series' quilt style: description, diffstat, one hunk.

Without a kernel tree the hunk's "-" side is our rendering of the arch's legacy macros from
archs/<name>.toml, and its "+" side the macros of the new layout, both from the same data.
"""

from __future__ import annotations

import textwrap

from toolkit.arch import Arch, FileLayout
from toolkit.codegen.cmacros import banner, render_header
from toolkit.codegen.render import render

SUBJECT_PREFIX = "remap_file_pages protection support"


def target_header(arch: Arch) -> str:
    """The header the port patches: the last pgtable*.h the arch data lists."""
    tables = [h for h in arch.headers if h.rsplit("/", 1)[-1].startswith("pgtable")]
    if tables:
        return tables[-1]
    return arch.headers[-1] if arch.headers else f"include/asm-{arch.name}/pgtable.h"


def diffstat(path: str, insertions: int, deletions: int) -> str:
    """A diffstat block for one file, as diffstat prints it for small changes."""
    total = insertions + deletions
    scale = min(1.0, 60 / total) if total else 1.0
    plus, minus = round(insertions * scale), round(deletions * scale)
    return (
        f" {path} | {total:4d} {'+' * plus}{'-' * minus}\n"
        f" 1 file changed, {insertions} insertions(+), {deletions} deletions(-)"
    )


def _kept(layout: FileLayout) -> str:
    """The kept protection bits in words, with where each one moves."""
    if not layout.prot:
        return "no protection bits"
    parts = [
        f"{p.name} (bit {p.dst})" if p.src == p.dst else f"{p.name} (bit {p.src} -> {p.dst})"
        for p in layout.prot
    ]
    return ", ".join(parts)


def description(arch: Arch, layout: FileLayout) -> list[str]:
    """The paragraphs of the patch description."""
    legacy = arch.layout("legacy")
    paragraphs = [
        f"File PTEs of {arch.title} now keep the page's protection next to its offset: "
        f"{_kept(layout)}, so that pte_to_pgprot() can restore it when the page is faulted "
        f"back in. pgoff_prot_to_pte() replaces pgoff_to_pte(); PTE_FILE_MAX_BITS goes from "
        f"{legacy.max_bits} to {layout.max_bits}.",
    ]
    if layout.kind == "solver":
        moves = []
        for p in layout.prot:
            if p.src != p.dst:
                line = layout.explanation[p.dst]
                reason = line[line.find("(") + 1 : line.rfind(")")] if "(" in line else ""
                moves.append(f"{p.name} moves from bit {p.src} to bit {p.dst} ({reason})")
        paragraphs.append(
            "The layout was computed by the rfp-toolkit layout solver from the arch's own "
            "pte_present()/pte_file() tests: no offset or protection bit lands on a bit either "
            "macro tests, so every file PTE, PROT_NONE included, stays a not-present file PTE."
            + (f" {'; '.join(moves)}." if moves else "")
        )
    else:
        paragraphs.append(f"This is the 2005 hand port as recorded in archs/{arch.name}.toml.")
        if layout.note:
            paragraphs.append(f"Note: {layout.note}.")
    paragraphs.append(
        "The macro interface is that of the 2005 series by Paolo Giarrusso, building on Ingo "
        "Molnar's remap_file_pages protection patch; this patch is generated from data, not "
        "taken from their posting."
    )
    return [textwrap.fill(p, width=72) for p in paragraphs]


def render_patch(arch: Arch, layout: FileLayout) -> str:
    """The port patch replacing the arch's legacy file-PTE macros by those of `layout`."""
    removed = render_header(arch, arch.layout("legacy"), with_banner=False, comment=False)
    added = render_header(arch, layout, with_banner=False)
    removed_lines, added_lines = removed.splitlines(), added.splitlines()
    path = target_header(arch)
    kept = "/".join(p.name for p in layout.prot) or "no"
    return render(
        "port.patch.j2",
        banner=banner(arch),
        subject=f"{SUBJECT_PREFIX}: {arch.name} file PTEs keep {kept} protection bits",
        description=description(arch, layout),
        diffstat=diffstat(path, len(added_lines), len(removed_lines)),
        quilt_name=f"rfp-arch-{arch.name}",
        path=path,
        removed=removed_lines,
        added=added_lines,
    )
