"""#define extraction: continuations joined, comments dropped, #if branches kept, helpers found."""

from __future__ import annotations

from toolkit.verify.cdefines import closure, emit, parse_defines, references

HEADER = """\
/* a comment with #define not_a_macro 1 inside */
#define FILE_PROT	(_PAGE_RW | _PAGE_PROTNONE)	/* kept bits */
#ifdef CONFIG_64BIT
#define pte_to_pgoff(p) ((p).pte >> 32)
#else
#define pte_to_pgoff(pte) \\
	((pte).pte_high)
#endif
#define pgoff_prot_to_pte(off, prot) \\
	((pte_t) { _PAGE_FILE | (pgprot_val(prot) & FILE_PROT), (off) })
#define UNRELATED(x) something_else(x)
#endif
"""


def defines() -> dict[str, list[tuple[str, tuple[tuple[str, ...], ...], int]]]:
    """The parsed defines of HEADER by name: (body, branches, line)."""
    found: dict[str, list[tuple[str, tuple[tuple[str, ...], ...], int]]] = {}
    for d in parse_defines(enumerate(HEADER.splitlines(), 1), "h.h"):
        found.setdefault(d.name, []).append((d.body, d.branches, d.line))
    return found


def test_continuations_comments_and_branches() -> None:
    """Each define is one logical line with its first line number and its #if branch."""
    found = defines()
    assert "not_a_macro" not in found
    assert found["FILE_PROT"] == [("(_PAGE_RW | _PAGE_PROTNONE)", (), 2)]
    first, second = found["pte_to_pgoff"]
    assert first[1] == (("#ifdef CONFIG_64BIT",),)
    assert second == ("((pte).pte_high)", (("#ifdef CONFIG_64BIT", "#else"),), 6)
    assert found["pgoff_prot_to_pte"][0][2] == 9


def test_references_leave_out_parameters() -> None:
    """The names a body uses, without the macro's own parameters."""
    by_name = {d.name: d for d in parse_defines(enumerate(HEADER.splitlines(), 1), "h.h")}
    used = references(by_name["pgoff_prot_to_pte"])
    assert "FILE_PROT" in used and "_PAGE_FILE" in used and "pgprot_val" in used
    assert "off" not in used and "prot" not in used


def test_closure_takes_helpers_and_skips_what_the_shim_has() -> None:
    """The helper FILE_PROT comes along; UNRELATED and shim-provided names do not."""
    parsed = parse_defines(enumerate(HEADER.splitlines(), 1), "h.h")
    chosen = closure(parsed, ("pgoff_prot_to_pte", "pte_to_pgoff"), frozenset({"_PAGE_FILE"}))
    assert [d.name for d in chosen] == [
        "FILE_PROT",
        "pte_to_pgoff",
        "pte_to_pgoff",
        "pgoff_prot_to_pte",
    ]
    text = emit(chosen)
    assert text.count("#endif") == 2
    assert "#else\n#define pte_to_pgoff(pte) ((pte).pte_high)\n#endif" in text
