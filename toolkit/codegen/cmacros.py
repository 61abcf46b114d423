"""The numbers the C templates need: every mask and shift computed here, none in a template."""

from __future__ import annotations

from typing import Any

from toolkit.arch import Arch, Combine, FileLayout, Move
from toolkit.codegen.render import render
from toolkit.codegen.roles import BitRole, Role, bit_roles

Context = dict[str, Any]


def banner(arch: Arch) -> str:
    """The first line of every generated file."""
    return f"generated from archs/{arch.name}.toml by rfp-toolkit, do not edit"


def literal(arch: Arch, value: int) -> str:
    """`value` as a C constant of the arch's PTE width."""
    return f"{value:#x}{'ULL' if arch.pte_bits > 32 else 'UL'}"


def _term(arch: Arch, word: str | None, src: int, width: int, dst: int) -> Context:
    """One `((word >> src) & mask) << dst` term of a macro, for the template."""
    return {"word": word, "src": src, "mask": literal(arch, (1 << width) - 1), "dst": dst}


def _moves(arch: Arch, word: str, moves: tuple[Move, ...]) -> list[Context]:
    """The terms of `moves` applied to C expression `word`."""
    return [_term(arch, word, m.src, m.width, m.dst) for m in moves]


def _comment(roles: tuple[BitRole, ...]) -> list[str]:
    """One line per bit, runs of consecutive offset bits folded into one line."""
    lines: list[str] = []
    i = 0
    while i < len(roles):
        j = i
        while (
            j + 1 < len(roles)
            and roles[i].role is Role.OFFSET
            and roles[j + 1].role is Role.OFFSET
            and int(roles[j + 1].label) == int(roles[j].label) + 1
        ):
            j += 1
        if j > i:
            first, last = roles[i], roles[j]
            lines.append(f"bits {first.bit}..{last.bit}: pgoff bits {first.label}..{last.label}")
        else:
            lines.append(f"bit {roles[i].bit}: {roles[i].detail}")
        i = j + 1
    return lines


def header_context(
    arch: Arch,
    layout: FileLayout,
    *,
    with_banner: bool = True,
    comment: bool = True,
    with_pte_file: bool = True,
) -> Context:
    """The context of templates/file_pte.h.j2 for one layout of `arch`."""
    legacy = layout.kind == "legacy"
    # On a 32-bit kernel with 64-bit PTEs the offset must widen before it shifts.
    wide = "(unsigned long long)(off)" if arch.pte_bits > arch.long_bits else "(off)"
    encode = _moves(arch, wide, layout.encode)
    encode += [_term(arch, "pgprot_val(prot)", p.src, 1, p.dst) for p in layout.prot]
    if layout.set_mask:
        encode.append({"word": None, "src": 0, "mask": literal(arch, layout.set_mask), "dst": 0})
    pgprot = [_term(arch, "pte_val(pte)", p.read_at, 1, p.src) for p in layout.prot]
    if not pgprot:
        pgprot = [{"word": None, "src": 0, "mask": literal(arch, 0), "dst": 0}]
    lines = _comment(bit_roles(arch, layout)) if comment else []
    return {
        "banner": banner(arch) if with_banner else "",
        "title": arch.title,
        "kind": layout.kind,
        "comment": lines,
        "with_pte_file": with_pte_file,
        "legacy": legacy,
        "max_bits": layout.max_bits,
        "op": "+" if layout.combine is Combine.ADD else "|",
        # The kernel computes some encoders in a narrower word than the PTE (mips pte_low).
        "word_open": "(unsigned int)(" if layout.word_bits == 32 < arch.pte_bits else "",
        "word_close": ")" if layout.word_bits == 32 < arch.pte_bits else "",
        "file_clauses": [
            {
                "mask": literal(arch, c.mask),
                "equals": None if c.equals is None else literal(arch, c.equals),
            }
            for c in layout.file_clauses
        ],
        "decode": _moves(arch, "pte_val(pte)", layout.decode),
        "encode": encode,
        "pgprot": pgprot,
    }


def render_header(
    arch: Arch,
    layout: FileLayout,
    *,
    with_banner: bool = True,
    comment: bool = True,
    with_pte_file: bool = True,
) -> str:
    """The C header fragment of one layout: PTE_FILE_MAX_BITS and the file-PTE macros."""
    context = header_context(
        arch, layout, with_banner=with_banner, comment=comment, with_pte_file=with_pte_file
    )
    return render("file_pte.h.j2", **context)


def render_harness(arch: Arch, fragment: str) -> str:
    """A C program that includes header `fragment` and encodes/decodes vectors read on stdin."""
    return render(
        "harness.c.j2",
        banner=banner(arch),
        title=arch.title,
        pte_type="uint64_t" if arch.pte_bits > 32 else "uint32_t",
        fragment=fragment,
    )
