"""The expanded-macro parser: C constant types, casts, compound literals, what it refuses."""

from __future__ import annotations

import pytest

from toolkit.verify.cexpr import (
    INT,
    LONG,
    UINT,
    ULONG,
    Binary,
    Cast,
    Compound,
    Member,
    Name,
    Num,
    Ternary,
    UnsupportedExpression,
    parse,
)


@pytest.mark.parametrize(
    ("text", "ctype"),
    [
        ("7", INT),
        ("0x7fffffff", INT),
        ("0x80000000", UINT),
        ("2147483648", LONG),
        ("0x40UL", ULONG),
        ("0x40ULL", ULONG),
        ("1u", UINT),
        ("0x100000000", LONG),
    ],
)
def test_constants_take_their_c_type(text: str, ctype: object) -> None:
    """Each constant gets the first type of C's list for its form that holds it (LP64)."""
    node = parse(text)
    assert isinstance(node, Num)
    assert node.value == int(text.rstrip("uUlL"), 0)
    assert node.ctype == ctype


def test_precedence_and_grouping() -> None:
    """Shifts bind tighter than `&`, which binds tighter than `|`; parentheses group."""
    node = parse("a | b & c << 2")
    assert isinstance(node, Binary) and node.op == "|"
    assert isinstance(node.right, Binary) and node.right.op == "&"
    assert isinstance(node.right.right, Binary) and node.right.right.op == "<<"
    grouped = parse("(a | b) & c")
    assert isinstance(grouped, Binary) and grouped.op == "&"


def test_cast_compound_member_and_conditional() -> None:
    """A cast, a designated compound literal with a member read, and `?:` parse as such."""
    node = parse("((pte_t) { .pte = (rfp_pteval)(v) }).pte_low ? 1 : 0")
    assert isinstance(node, Ternary)
    member = node.cond
    assert isinstance(member, Member) and member.field == "pte_low"
    literal = member.operand
    assert isinstance(literal, Compound) and literal.type_name == "pte_t"
    ((field, value),) = literal.items
    assert field == "pte" and isinstance(value, Cast) and value.ctype == "rfp_pteval"
    assert isinstance(value.operand, Name)


def test_what_is_not_modelled_is_refused() -> None:
    """Strings, assignments and unknown cast types raise UnsupportedExpression."""
    for text in ('"x"', "a = 1", "(struct foo *)p", "a +"):
        with pytest.raises(UnsupportedExpression):
            parse(text)
