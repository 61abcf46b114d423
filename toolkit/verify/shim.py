"""A C shim built from an arch's facts, and a harness that checks third-party file-PTE macros.

codegen's harness declares `pte_t` with a single `pte` member, which macros written for the
kernel (`(pte).pte_low`, `(pte_t) { low, high }`) cannot use; this one declares it as the
kernel did, so the macros compile unchanged, and runs the checks in C over many vectors.
"""

from __future__ import annotations

import re

from toolkit.arch import Arch, Clause
from toolkit.codegen.cmacros import banner, literal

# Names macros use that are not PTE bits, so archs/ does not hold them: from the 2.6.13 headers.
EXTRA_DEFINES: dict[str, tuple[tuple[str, str], ...]] = {
    # include/asm-x86_64/page.h
    "x86_64": (
        ("__PHYSICAL_MASK_SHIFT", "46"),
        ("__PHYSICAL_MASK", "((1UL << __PHYSICAL_MASK_SHIFT) - 1)"),
        ("PHYSICAL_PAGE_MASK", "(~(PAGE_SIZE - 1) & (__PHYSICAL_MASK << PAGE_SHIFT))"),
    ),
}

# The swap types a swp_entry_t holds (MAX_SWAPFILES_SHIFT is 5 in include/linux/swap.h).
SWAP_TYPES = 32


# A configuration symbol the arch's title names as set: `CONFIG_44x`, `__s390x__`; not `!CONFIG_X`.
_CONFIG = re.compile(r"(?<![!\w])(CONFIG_\w+|__\w+__)")


def config_symbols(arch: Arch) -> tuple[str, ...]:
    """The configuration macros the arch's variant has set, so a shared header picks its branch."""
    found = dict.fromkeys(_CONFIG.findall(arch.title))
    if arch.long_bits > 32:
        found["CONFIG_64BIT"] = None
    return tuple(found)


def provided(arch: Arch) -> frozenset[str]:
    """The names the shim defines, which the macros under test may use."""
    names = {f"_PAGE_{b.name}" for b in arch.bits}
    names |= {"PAGE_SHIFT", "PAGE_SIZE", "PAGE_MASK", "pte_val", "__pte", "pgprot_val"}
    names |= {"__pgprot", "__KERNEL__", *config_symbols(arch)}
    names |= {name for name, _ in EXTRA_DEFINES.get(arch.name, ())}
    return frozenset(names)


def _predicate(arch: Arch, clauses: tuple[Clause, ...]) -> str:
    """A predicate's clauses as a C expression over `v`."""
    terms = [
        f"(v & {literal(arch, c.mask)}) != 0"
        if c.equals is None
        else f"(v & {literal(arch, c.mask)}) == {literal(arch, c.equals)}"
        for c in clauses
    ]
    return " || ".join(f"({t})" for t in terms) or "0"


def _types(arch: Arch) -> list[str]:
    """The shim's typedefs: unsigned long, the PTE word, pte_t and pgprot_t."""
    word = "uint64_t" if arch.pte_bits > 32 else "uint32_t"
    lines = [
        f"typedef {'uint64_t' if arch.long_bits > 32 else 'uint32_t'} rfp_ulong;",
        f"typedef {word} rfp_pteval;",
    ]
    if arch.pte_bits > arch.long_bits:
        # A PTE wider than a long is two words, low word first, as i386 PAE and UML declare it.
        lines.append(
            "typedef struct { union { struct { uint32_t pte_low, pte_high; }; "
            "rfp_pteval pte; }; } pte_t;"
        )
    else:
        # Some ports call the one word pte, others pte_low: both name it.
        lines.append("typedef struct { union { rfp_pteval pte; rfp_pteval pte_low; }; } pte_t;")
    lines.append("typedef struct { rfp_pteval pgprot; } pgprot_t;")
    return lines


def shim(arch: Arch) -> str:
    """Types, constants and predicates of `arch` as its kernel headers define them."""
    lines = [
        f"/* {banner(arch)} */",
        f"/* rfp verify shim: {arch.title} */",
        "#include <stdint.h>",
        "#include <stdio.h>",
        "#include <stdlib.h>",
        "#include <string.h>",
        "#define __KERNEL__ 1",
    ]
    lines += [f"#define {name} 1" for name in config_symbols(arch)]
    lines += _types(arch)
    lines += [
        "#define pte_val(x) ((x).pte)",
        "#define __pte(x) ((pte_t) { .pte = (rfp_pteval)(x) })",
        "#define pgprot_val(x) ((x).pgprot)",
        "#define __pgprot(x) ((pgprot_t) { (rfp_pteval)(x) })",
        f"#define PAGE_SHIFT {arch.page_shift}",
        "#define PAGE_SIZE (1UL << PAGE_SHIFT)",
        "#define PAGE_MASK (~(PAGE_SIZE - 1))",
    ]
    seen: set[str] = set()
    for bit in arch.bits:
        if bit.name not in seen:
            seen.add(bit.name)
            lines.append(f"#define _PAGE_{bit.name} {literal(arch, 1 << bit.bit)}")
    lines += [f"#define {name} {value}" for name, value in EXTRA_DEFINES.get(arch.name, ())]
    for name, clauses in (("present", arch.present), ("file", arch.file), ("none", arch.none)):
        lines.append(
            f"static int rfp_{name}(rfp_pteval v) {{ return {_predicate(arch, clauses)}; }}"
        )
    entry = arch.swap_entry()
    terms = [literal(arch, entry.set_mask)]
    for word, moves in (("type", entry.type), ("offset", entry.offset)):
        terms += [
            f"(((rfp_pteval)({word} >> {m.src}) & {literal(arch, (1 << m.width) - 1)}) << {m.dst})"
            for m in moves
        ]
    lines.append(
        "static rfp_pteval rfp_swp(rfp_pteval type, rfp_pteval offset) { return "
        f"{' | '.join(terms)}; }}"
    )
    return "\n".join(lines) + "\n"


# What the probe asks the preprocessor to expand, one marked line each.
PROBES = {
    "encode": "pte_val(RFP_ENCODE(rfp_o, rfp_p))",
    "decode": "pte_to_pgoff(__pte(rfp_v))",
    "pgprot": "pgprot_val(pte_to_pgprot(__pte(rfp_v)))",
    "file": "pte_file(__pte(rfp_v))",
    "max_bits": "PTE_FILE_MAX_BITS",
}


def probe(arch: Arch, macros: str, legacy_max_bits: int | None) -> str:
    """The harness's definitions followed by one `RFP_PROBE name: expression` line per probe."""
    text = harness(arch, macros, legacy_max_bits)
    head = text[: text.index("static const rfp_pteval rfp_pgprots")]
    lines = [head, "#ifndef pte_to_pgprot", "#define pte_to_pgprot(pte) __pgprot(0)", "#endif"]
    lines += [f"RFP_PROBE {name}: {expression}" for name, expression in PROBES.items()]
    return "\n".join(lines) + "\n"


def harness(arch: Arch, macros: str, legacy_max_bits: int | None) -> str:
    """The shim, the macros under test, and a main() that checks them.

    argv[1] is `dense` (a sample), `all` (every offset) or `one OFFSET PGPROT` (one vector, hex).
    """
    pgprots = sorted({arch.pgprot(prot) for prot in range(8)})
    keep = arch.mask(*arch.keep) if arch.keep else 0
    fallback = legacy_max_bits if legacy_max_bits is not None else arch.long_bits
    entry = arch.swap_entry()
    swap_types = min(SWAP_TYPES, 1 << entry.type_bits)
    swap_bits = min(entry.offset_bits, arch.long_bits - 5)
    body = f"""
/* the macros under test */
{macros}
/* what the macros under test leave undefined comes from the arch's facts */
#ifndef pte_file
#define pte_file(pte) rfp_file(pte_val(pte))
#define RFP_FILE_FROM_FACTS 1
#endif
#ifndef PTE_FILE_MAX_BITS
#define PTE_FILE_MAX_BITS {fallback}
#define RFP_BITS_FROM_FACTS 1
#endif
#ifdef pgoff_prot_to_pte
#define RFP_ENCODE(o, p) pgoff_prot_to_pte((o), __pgprot(p))
#define RFP_KEEPS 1
#else
#define RFP_ENCODE(o, p) pgoff_to_pte(o)
#define RFP_KEEPS 0
#endif

static const rfp_pteval rfp_pgprots[] = {{ {", ".join(literal(arch, p) for p in pgprots)} }};
static const rfp_pteval rfp_keep = {literal(arch, keep)};
static unsigned long long rfp_checked;
static int rfp_failed[5];

static void rfp_fail(int check, const char *name, unsigned long long o, unsigned long long p,
                     unsigned long long pte, unsigned long long got, const char *what)
{{
	if (rfp_failed[check]++)
		return;
	printf("fail %s %llx %llx %llx %llx %s\\n", name, o, p, pte, got, what);
}}

static void rfp_one(rfp_ulong o, rfp_pteval p)
{{
	pte_t pte = RFP_ENCODE(o, p);
	rfp_pteval v = pte_val(pte);
	rfp_ulong back = (rfp_ulong)pte_to_pgoff(pte);

	if (back != o)
		rfp_fail(0, "pgoff", o, p, v, back, "pte_to_pgoff");
#if RFP_KEEPS && defined(pte_to_pgprot)
	{{
		rfp_pteval got = pgprot_val(pte_to_pgprot(pte));
		if ((got & rfp_keep) != (p & rfp_keep))
			rfp_fail(1, "pgprot", o, p, v, got, "pte_to_pgprot");
	}}
#endif
	if (!pte_file(pte))
		rfp_fail(2, "file", o, p, v, 0, "pte_file-false");
	else if (rfp_none(v))
		rfp_fail(2, "file", o, p, v, 1, "pte_none-true");
	if (rfp_present(v))
		rfp_fail(3, "present", o, p, v, 1, "pte_present-true");
	rfp_checked++;
}}

static uint64_t rfp_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rfp_random(void)
{{
	rfp_state ^= rfp_state << 13;
	rfp_state ^= rfp_state >> 7;
	rfp_state ^= rfp_state << 17;
	return rfp_state;
}}

int main(int argc, char **argv)
{{
	int all = argc > 1 && strcmp(argv[1], "all") == 0;
	int bits = PTE_FILE_MAX_BITS;
	unsigned long long top, o;
	unsigned i;
	int a, b;

	if (argc > 3 && strcmp(argv[1], "one") == 0) {{
		/* one vector, to replay a counterexample z3 found */
		rfp_one((rfp_ulong)strtoull(argv[2], NULL, 16), (rfp_pteval)strtoull(argv[3], NULL, 16));
		return 0;
	}}
	if (bits > {arch.long_bits})
		bits = {arch.long_bits};  /* offsets are unsigned long */
	top = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
#ifdef RFP_BITS_FROM_FACTS
	printf("max_bits %d facts\\n", (int)PTE_FILE_MAX_BITS);
#else
	printf("max_bits %d macro\\n", (int)PTE_FILE_MAX_BITS);
#endif
	for (i = 0; i < sizeof(rfp_pgprots) / sizeof(rfp_pgprots[0]); i++) {{
		rfp_pteval p = rfp_pgprots[i];

		if (!RFP_KEEPS && i > 0)
			break;  /* pgoff_to_pte() takes no protection: one pass is all */
		if (all && bits <= 32) {{
			for (o = 0; o <= top; o++)
				rfp_one((rfp_ulong)o, p);
			continue;
		}}
		for (o = 0; o <= top && o < 0x10000; o++)
			rfp_one((rfp_ulong)o, p);
		for (a = 0; a < bits; a++) {{
			rfp_one((rfp_ulong)(1ULL << a), p);
			rfp_one((rfp_ulong)(top ^ (1ULL << a)), p);
			rfp_one((rfp_ulong)((1ULL << a) - 1), p);
			for (b = 0; b < a; b++)
				rfp_one((rfp_ulong)((1ULL << a) | (1ULL << b)), p);
		}}
		rfp_one((rfp_ulong)top, p);
		for (o = 0; o < 0x10000; o++)
			rfp_one((rfp_ulong)(rfp_random() & top), p);
	}}
	for (i = 0; i < {swap_types}; i++) {{
		for (a = -1; a < {swap_bits}; a++) {{
			rfp_pteval v = rfp_swp(i, a < 0 ? 0 : 1ULL << a);
			if (!rfp_none(v) && pte_file(__pte(v)))
				rfp_fail(4, "swap", a < 0 ? 0 : 1ULL << a, i, v, 1, "swap-entry-is-pte_file");
			o = a < 0 ? 0 : (1ULL << (a + 1)) - 1;
			v = rfp_swp(i, o);
			if (!rfp_none(v) && pte_file(__pte(v)))
				rfp_fail(4, "swap", o, i, v, 1, "swap-entry-is-pte_file");
		}}
	}}
	printf("checked %llu\\n", rfp_checked);
	return 0;
}}
"""
    return shim(arch) + body
