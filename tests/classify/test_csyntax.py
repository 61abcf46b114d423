"""tree-sitter reads C fragments: definitions, parameters, fields, calls and return codes."""

from __future__ import annotations

from toolkit.classify.csyntax import Kind, scan


def _names(lines: list[str], kind: Kind) -> set[str]:
    return {n.name for n in scan(lines).names if n.kind is kind}


def test_macro_names_and_parameters() -> None:
    """A function-like #define gives its name and parameters; its body's names are read as text."""
    lines = ["#define pgoff_prot_to_pte(off, prot) ((pte_t) { (off) << 3 | pgprot_val(prot) })"]
    assert _names(lines, Kind.DEFINE) == {"pgoff_prot_to_pte"}
    assert _names(lines, Kind.PARAM) == {"off", "prot"}
    assert "pgprot_val" in _names(lines, Kind.CALL)
    assert "pte_t" in _names(lines, Kind.IDENT)
    assert scan(lines).signatures == ((0, "pgoff_prot_to_pte(off, prot)"),)


def test_function_fields_calls_and_errno() -> None:
    """A function definition, struct fields, calls and `-EPERM` are each recognised."""
    lines = [
        "struct zap_details { int prot_none_ptes; unsigned long *last; };",
        "static int check_perms(struct vm_area_struct *vma, int access_mask)",
        "{",
        "\tif (!may(vma))",
        "\t\treturn -EPERM;",
        "\treturn 0;",
        "}",
    ]
    fragment = scan(lines)
    assert {"prot_none_ptes", "last"} <= {n.name for n in fragment.names if n.kind is Kind.FIELD}
    assert _names(lines, Kind.FUNCTION) == {"check_perms"}
    assert _names(lines, Kind.CALL) == {"may"}
    assert _names(lines, Kind.RETURN_CODE) == {"EPERM"}
    assert [(b.name, b.first, b.last) for b in fragment.bodies] == [("check_perms", 1, 6)]


def test_fragment_starting_inside_a_comment() -> None:
    """Words of a comment the fragment starts inside are not taken for code."""
    lines = ["\t * remap with MAP_NOINHERIT only", "\t */", "\terr = -EINVAL;"]
    names = {n.name for n in scan(lines).names}
    assert "MAP_NOINHERIT" not in names
    assert "EINVAL" in names


def test_broken_fragment_still_yields_names() -> None:
    """A hunk cut mid-statement parses with errors, and what parsed is still read."""
    lines = ["\t\tif (vma->vm_flags & VM_NONUNIFORM", "\t\t\tentry = pte_mkwrite(entry);"]
    names = {n.name for n in scan(lines).names}
    assert {"VM_NONUNIFORM", "pte_mkwrite", "entry"} <= names


def test_rows_follow_lines() -> None:
    """Each name carries the row of the line it is on."""
    lines = ["int a;", "", "#define FOO 1"]
    rows = {n.name: n.row for n in scan(lines).names if n.kind is Kind.DEFINE}
    assert rows == {"FOO": 2}
