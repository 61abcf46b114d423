"""The knobs of one model kernel: arch, applied patches, arch opt-in, vm.max_map_count."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.errors import InputError

# MODEL: patches 04 (no behaviour change), 10 (UML's host TLB) and the get_user_pages() half of
# 09 (ptrace) change nothing the model can observe; their switches are accepted and kept.
SERIES = tuple(range(1, 19))
# The quilt names of the 18 patches, in series order.
PATCH_NAMES = {
    1: "rfp-arch-uml",
    2: "rfp-add-VM_NONUNIF",
    3: "rfp-mprotect-skip-pagetables-on-nonuniform",
    4: "rfp-cleanup-sc-check",
    5: "rfp-enhance-syscall",
    6: "rfp-private-vma-2",
    7: "rfp-safety-net-for-archs",
    8: "rfp-add-vm_fault_sigsegv",
    9: "rfp-fix-get_user_pages",
    10: "rfp-sigsegv-uml-handle-tlb-faults",
    11: "rfp-nonuniform-implies-nonlinear",
    12: "rfp-linear-optim-v2",
    13: "rfp-linear-optim-v4",
    14: "rfp-avoid-lookup-miss-mapping-base",
    15: "rfp-avoid-lookup-pages-miss-mapping",
    16: "rfp-notrunc-priv-mappings",
    17: "rfp-linear-nonuniform-1",
    18: "rfp-fix-linear-nonunif-truncation",
}
# "all": the series as posted, with 11; 17 and 18 are its alternative.
DEFAULT_PATCHES = frozenset(range(1, 17))
DEFAULT_MAX_MAP_COUNT = 65530


def parse_patches(spec: str) -> frozenset[int]:
    """The patch numbers a spec like "all", "1-10" or "all,-11,+17,+18" switches on."""
    chosen: set[int] = set()
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            raise InputError(f"patch spec {spec!r}: empty item")
        sign = item[0] if item[0] in "+-" else "+"
        body = item[1:] if item[0] in "+-" else item
        if body == "all":
            numbers: set[int] = set(DEFAULT_PATCHES)
        elif body == "none":
            numbers = set()
        else:
            numbers = _numbers(spec, body)
        if sign == "+":
            chosen |= numbers
        else:
            chosen -= numbers
    return frozenset(chosen)


def _numbers(spec: str, body: str) -> set[int]:
    low, dash, high = body.partition("-")
    if dash and not high:
        raise InputError(f"patch spec {spec!r}: {body!r} is not a patch number or range")
    try:
        first = int(low)
        last = int(high) if high else first
    except ValueError:
        raise InputError(f"patch spec {spec!r}: {body!r} is not a patch number or range") from None
    if not (1 <= first <= last <= len(SERIES)):
        raise InputError(f"patch spec {spec!r}: {body!r} is outside 1-{len(SERIES)}")
    return set(range(first, last + 1))


def format_patches(patches: frozenset[int]) -> str:
    """A short spec naming `patches`, as ranges ("1-10,12")."""
    if not patches:
        return "none"
    runs: list[str] = []
    ordered = sorted(patches)
    start = prev = ordered[0]
    for n in [*ordered[1:], -1]:
        if n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ",".join(runs)


@dataclass(frozen=True, slots=True)
class Options:
    """How one model kernel is built."""

    arch: str = "i386"
    patches: frozenset[int] = DEFAULT_PATCHES
    # __ARCH_SUPPORTS_VM_NONUNIFORM: the 2005 series defines it on i386 and um only; the
    # model's default assumes the arch has the toolkit's solver port and so opts in.
    arch_opt_in: bool = True
    max_map_count: int = DEFAULT_MAX_MAP_COUNT
    # The file-PTE layout patch 01 brings: the toolkit's solver port, or the 2005 hand port
    # (on the arches that had one).
    layout: str = "solver"
