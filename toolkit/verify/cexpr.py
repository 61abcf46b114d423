"""C expressions, as the preprocessor leaves a file-PTE macro expanded, parsed into a small tree.

Only what shift-and-mask macros use is understood: integer constants, the names the probe
declares, casts to integer types, `(pte_t) { ... }` and `(pgprot_t) { ... }`, member access,
unary, binary and conditional operators, and calls of the shim's predicates. Anything else raises
UnsupportedExpression, and the macros are then checked by sampling alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.errors import InputError


class UnsupportedExpression(InputError):
    """An expanded macro uses C this parser does not model."""


@dataclass(frozen=True, slots=True)
class CType:
    """An integer type of the host compiler (LP64): its width and signedness."""

    bits: int
    signed: bool


INT = CType(32, True)
UINT = CType(32, False)
LONG = CType(64, True)
ULONG = CType(64, False)


@dataclass(frozen=True, slots=True)
class Num:
    """An integer constant with its C type."""

    value: int
    ctype: CType


@dataclass(frozen=True, slots=True)
class Name:
    """A variable the probe declares (rfp_o, rfp_p, rfp_v)."""

    name: str


@dataclass(frozen=True, slots=True)
class Unary:
    """`~x`, `!x`, `-x`, `+x`."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    """`a op b` for the arithmetic, shift, bitwise, comparison and logical operators."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Ternary:
    """`cond ? then : other`."""

    cond: Expr
    then: Expr
    other: Expr


@dataclass(frozen=True, slots=True)
class Cast:
    """`(type) x` to an integer type."""

    ctype: str  # the type's name as written: resolved by the evaluator (rfp_ulong depends on arch)
    operand: Expr


@dataclass(frozen=True, slots=True)
class Compound:
    """`(pte_t) { a, b }` or `(pgprot_t) { .pgprot = x }`: a struct built from initialisers."""

    type_name: str
    items: tuple[tuple[str | None, Expr], ...]  # (designated field or None, value)


@dataclass(frozen=True, slots=True)
class Member:
    """`x.field`."""

    operand: Expr
    field: str


@dataclass(frozen=True, slots=True)
class Call:
    """`f(args)` of one of the shim's predicate functions."""

    name: str
    args: tuple[Expr, ...]


Expr = Num | Name | Unary | Binary | Ternary | Cast | Compound | Member | Call

# Integer type names a cast may use; each word list is matched after the opening parenthesis.
TYPE_NAMES = {
    "rfp_ulong",
    "rfp_pteval",
    "uint32_t",
    "uint64_t",
    "int",
    "unsigned",
    "unsigned int",
    "long",
    "unsigned long",
    "long long",
    "unsigned long long",
    "signed",
    "signed int",
    "signed long",
}
STRUCTS = {"pte_t", "pgprot_t"}
_BINARY = {
    "||": 1,
    "&&": 2,
    "|": 3,
    "^": 4,
    "&": 5,
    "==": 6,
    "!=": 6,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "<<": 8,
    ">>": 8,
    "+": 9,
    "-": 9,
    "*": 10,
}
# `0x1fUL`, `12`, an identifier, or an operator (longest first)
_TOKEN = re.compile(
    r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)|([A-Za-z_]\w*)|(<<|>>|<=|>=|==|!=|&&|\|\||[-+*~!?:(){},.&|^<>=]))"
)


def _tokens(text: str) -> list[str]:
    """The tokens of `text`: numbers with their suffixes, names, operators."""
    tokens: list[str] = []
    at = 0
    text = text.strip()
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            raise UnsupportedExpression(f"cannot read {text[at : at + 20]!r}")
        number, suffix, name, op = found.groups()
        tokens.append(number + suffix if number else name or op)
        at = found.end()
    return tokens


def _literal(token: str) -> Num:
    """An integer constant with the type C gives it (LP64 host)."""
    found = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)", token)
    if found is None:
        raise UnsupportedExpression(f"not an integer constant: {token}")
    digits, suffix = found.groups()
    value = (
        int(digits, 16)
        if digits[:2].lower() == "0x"
        else int(digits, 8 if digits.startswith("0") and len(digits) > 1 else 10)
    )
    unsigned = "u" in suffix.lower()
    longs = suffix.lower().count("l")
    decimal = not (digits.startswith("0") and len(digits) > 1)
    candidates = [INT, UINT, LONG, ULONG] if longs == 0 else [LONG, ULONG]
    if unsigned:
        candidates = [c for c in candidates if not c.signed]
    elif decimal:
        candidates = [c for c in candidates if c.signed] or candidates
    for ctype in candidates:
        if value < 1 << (ctype.bits - (1 if ctype.signed else 0)):
            return Num(value, ctype)
    return Num(value, ULONG)


class _Parser:
    """A precedence-climbing parser over the tokens of one expression."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self, ahead: int = 0) -> str:
        """The token `ahead` places on, or '' past the end."""
        index = self.at + ahead
        return self.tokens[index] if index < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        """Consume the next token, which must be `expected` when given."""
        token = self.peek()
        if not token or (expected is not None and token != expected):
            raise UnsupportedExpression(f"expected {expected or 'more'}, found {token or 'end'}")
        self.at += 1
        return token

    def expression(self) -> Expr:
        """A full expression, conditional operator included."""
        cond = self.binary(1)
        if self.peek() == "?":
            self.take("?")
            then = self.expression()
            self.take(":")
            return Ternary(cond, then, self.expression())
        return cond

    def binary(self, floor: int) -> Expr:
        """Binary operators binding at least as tightly as `floor`, left to right."""
        left = self.unary()
        while self.peek() in _BINARY and _BINARY[self.peek()] >= floor:
            op = self.take()
            left = Binary(op, left, self.binary(_BINARY[op] + 1))
        return left

    def type_name(self) -> str | None:
        """The type name starting after a `(`, if the parenthesis holds one and then `)`."""
        words: list[str] = []
        ahead = 0
        while re.fullmatch(r"[A-Za-z_]\w*", self.peek(ahead)):
            words.append(self.peek(ahead))
            ahead += 1
        name = " ".join(words)
        if words and self.peek(ahead) == ")" and (name in TYPE_NAMES or name in STRUCTS):
            self.at += ahead + 1
            return name
        return None

    def unary(self) -> Expr:
        """A prefix operator, cast, compound literal, parenthesised or primary expression."""
        token = self.peek()
        if token in ("~", "!", "-", "+"):
            self.take()
            return Unary(token, self.unary())
        if token == "(":
            self.take("(")
            name = self.type_name()
            if name in STRUCTS:
                return self.postfix(self.compound(name))
            if name is not None:
                return Cast(name, self.unary())
            inner = self.expression()
            self.take(")")
            return self.postfix(inner)
        return self.postfix(self.primary())

    def compound(self, name: str | None) -> Expr:
        """The `{ ... }` of a compound literal of struct `name`."""
        self.take("{")
        items: list[tuple[str | None, Expr]] = []
        while self.peek() != "}":
            field = None
            if self.peek() == ".":
                self.take(".")
                field = self.take()
                self.take("=")
            items.append((field, self.expression()))
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return Compound(name or "", tuple(items))

    def primary(self) -> Expr:
        """A constant, a name, or a call of a named function."""
        token = self.take()
        if token[0].isdigit():
            return _literal(token)
        if re.fullmatch(r"[A-Za-z_]\w*", token):
            if self.peek() == "(":
                self.take("(")
                args: list[Expr] = []
                while self.peek() != ")":
                    args.append(self.expression())
                    if self.peek() == ",":
                        self.take(",")
                self.take(")")
                return Call(token, tuple(args))
            return Name(token)
        raise UnsupportedExpression(f"unexpected {token}")

    def postfix(self, node: Expr) -> Expr:
        """Member accesses `.field` after `node`."""
        while self.peek() == ".":
            self.take(".")
            node = Member(node, self.take())
        return node


def parse(text: str) -> Expr:
    """The tree of one expanded C expression; UnsupportedExpression where it goes beyond ours."""
    parser = _Parser(_tokens(text))
    tree = parser.expression()
    if parser.peek():
        raise UnsupportedExpression(f"unexpected {parser.peek()} after the expression")
    return tree
