"""`rfp encode` and `rfp decode`: page offsets to file PTEs and back, through the arch data."""

from __future__ import annotations

from toolkit.arch import PROT_KEYS, Arch, FileLayout, load_arch
from toolkit.errors import InputError


def parse_number(text: str, what: str) -> int:
    """A non-negative integer written in decimal, 0x-hex, 0o-octal or 0b-binary."""
    try:
        value = int(text, 0)
    except ValueError:
        raise InputError(f"{what} {text!r}: not a number") from None
    if value < 0:
        raise InputError(f"{what} {text!r}: negative")
    return value


def parse_prot(text: str) -> int:
    """PROT_* bits from `none` or letters of `rwx` (`r`, `rw`, `rx`, ...)."""
    if text == "none":
        return 0
    if not text or any(c not in "rwx" for c in text) or len(set(text)) != len(text):
        raise InputError(f"protection {text!r}: expected none or letters of rwx")
    return PROT_KEYS.index("".join(c for c in "rwx" if c in text))


def _hex(arch: Arch, pte: int) -> str:
    """`pte` in hex, zero-padded to the arch's PTE width."""
    return f"{pte:#0{2 + arch.pte_bits // 4}x}"


def encode_lines(name: str, kind: str, prot: str, values: tuple[str, ...]) -> str:
    """One 0x-hex file PTE per page offset in `values`, for layout `kind` of arch `name`."""
    arch = load_arch(name)
    layout = arch.layout(kind)
    pgprot = arch.pgprot(parse_prot(prot))
    lines = []
    for text in values:
        pgoff = parse_number(text, "pgoff")
        if pgoff >> layout.max_bits:
            raise InputError(
                f"pgoff {text}: does not fit PTE_FILE_MAX_BITS {layout.max_bits} "
                f"of {name} ({kind} layout)"
            )
        lines.append(_hex(arch, layout.pgoff_prot_to_pte(pgoff, pgprot)))
    return "\n".join(lines)


def describe_prot(arch: Arch, layout: FileLayout, pgprot: int) -> str:
    """The kept pgprot bits by name, and the PROT_* values whose pgprot has those bits."""
    if not layout.keeps_prot:
        return "prot not kept"
    names = "|".join(p.name for p in layout.prot if pgprot >> p.src & 1) or "-"
    matches = [
        PROT_KEYS[prot] for prot in range(8) if arch.pgprot(prot) & layout.prot_mask == pgprot
    ]
    return f"pgprot {names} prot {','.join(matches) or '?'}"


def decode_lines(name: str, kind: str, values: tuple[str, ...]) -> str:
    """The page offset and protection each file PTE in `values` holds."""
    arch = load_arch(name)
    layout = arch.layout(kind)
    lines = []
    for text in values:
        pte = parse_number(text, "pte")
        if pte >> arch.pte_bits:
            raise InputError(f"pte {text}: wider than the {arch.pte_bits}-bit PTE of {name}")
        # the layout's own pte_file(): a hand port may move the file bit (s390's 2005 port)
        if not layout.pte_file(pte):
            raise InputError(
                f"pte {text}: not a file PTE of {name} ({kind} layout: pte_file() is false)"
            )
        pgoff = layout.pte_to_pgoff(pte)
        prot = describe_prot(arch, layout, layout.pte_to_pgprot(pte))
        lines.append(f"{_hex(arch, pte)} pgoff {pgoff:#x} ({pgoff}) {prot}")
    return "\n".join(lines)
