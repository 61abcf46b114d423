"""The one wrapper around tree-sitter: C fragments to the names they define, use and call.

A hunk side is a fragment (it may start inside a function or a comment), so the parse has
errors; we walk whatever parsed and read macro bodies, which tree-sitter leaves as text, as tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

import tree_sitter
import tree_sitter_c


class Kind(Enum):
    """What one name does on one line of a fragment."""

    DEFINE = "define"  # a #define, an enumerator
    PARAM = "param"  # a parameter of a function-like macro
    FUNCTION = "function"  # a function definition's name
    FIELD = "field"  # a struct or union member declared
    CALL = "call"  # a function or function-like macro called
    RETURN_CODE = "return-code"  # a negated errno constant, `-EINVAL`
    IDENT = "ident"  # any identifier or member used


@dataclass(frozen=True, slots=True)
class Name:
    """One name found on one row (0-based line) of a fragment."""

    row: int
    kind: Kind
    name: str


@dataclass(frozen=True, slots=True)
class Body:
    """A function definition whose name parsed, spanning rows first..last of a fragment."""

    name: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Fragment:
    """What a C fragment defines and uses, row by row."""

    names: tuple[Name, ...]
    bodies: tuple[Body, ...]
    signatures: tuple[tuple[int, str], ...] = ()  # (row, `name(a, b)`) of function-like macros


# One query for everything we pull out; each capture name is a Kind or a span marker.
_QUERY = """
(preproc_def name: (identifier) @define)
(preproc_function_def name: (identifier) @define parameters: (preproc_params) @signature)
(preproc_params (identifier) @param)
(preproc_arg) @macro_body
(enumerator name: (identifier) @define)
(function_definition
  declarator: [
    (function_declarator declarator: (identifier) @function)
    (pointer_declarator declarator: (function_declarator declarator: (identifier) @function))
  ]) @body
(field_declaration declarator: [
  (field_identifier) @field
  (pointer_declarator declarator: (field_identifier) @field)
  (array_declarator declarator: (field_identifier) @field)
])
(call_expression function: (identifier) @call)
(unary_expression operator: "-" argument: (identifier) @negated)
(identifier) @ident
(field_identifier) @ident
(type_identifier) @ident
"""

_TOKEN = re.compile(r"[A-Za-z_]\w*")
# In a macro body: `name(` is a call, `-ENAME` a return code.
_MACRO_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")
_MACRO_ERRNO = re.compile(r"-\s*(E[A-Z0-9]+)\b")
_ERRNO = re.compile(r"E[A-Z0-9]+")
C_KEYWORDS = frozenset(
    [
        "if",
        "else",
        "for",
        "while",
        "do",
        "return",
        "sizeof",
        "switch",
        "case",
        "default",
        "break",
        "continue",
        "goto",
        "struct",
        "union",
        "enum",
        "typedef",
        "static",
        "inline",
        "const",
        "volatile",
        "unsigned",
        "signed",
        "int",
        "long",
        "short",
        "char",
        "void",
        "extern",
        "define",
        "undef",
        "ifdef",
        "ifndef",
        "endif",
        "elif",
        "include",
        "defined",
    ]
)


@cache
def _machinery() -> tuple[tree_sitter.Parser, tree_sitter.Query]:
    language = tree_sitter.Language(tree_sitter_c.language())
    return tree_sitter.Parser(language), tree_sitter.Query(language, _QUERY)


def _blank_leading_comment(lines: list[str]) -> list[str]:
    """Blank the tail of a comment the fragment starts inside, so its words are not code."""
    for index, text in enumerate(lines):
        opens, closes = text.find("/*"), text.find("*/")
        if closes >= 0 and (opens < 0 or closes < opens):
            return (
                ["" for _ in lines[:index]]
                + [" " * (closes + 2) + text[closes + 2 :]]
                + lines[index + 1 :]
            )
        if opens >= 0 or (text.strip() and not text.lstrip().startswith("*")):
            return lines
    return lines


def scan(lines: list[str]) -> Fragment:
    """Parse a C fragment given as lines and list its names by row."""
    parser, query = _machinery()
    source = "\n".join(_blank_leading_comment(lines)).encode("utf-8", "surrogateescape")
    tree = parser.parse(source)
    found: list[Name] = []
    bodies: list[Body] = []
    signatures: list[tuple[int, str]] = []
    for _pattern, captures in tree_sitter.QueryCursor(query).matches(tree.root_node):
        for capture, nodes in captures.items():
            for node in nodes:
                row = node.start_point.row
                text = (node.text or b"").decode("utf-8", "surrogateescape")
                if capture == "body":
                    name_nodes = captures.get("function", [])
                    if name_nodes:
                        name = (name_nodes[0].text or b"").decode("utf-8", "surrogateescape")
                        bodies.append(Body(name, row, node.end_point.row))
                elif capture == "signature":
                    name = (captures["define"][0].text or b"").decode("utf-8", "surrogateescape")
                    signatures.append((row, name + " ".join(text.split()).replace(" ,", ",")))
                elif capture == "macro_body":
                    found.extend(_macro_names(text, row))
                elif capture == "negated":
                    if _ERRNO.fullmatch(text):
                        found.append(Name(row, Kind.RETURN_CODE, text))
                elif text:
                    found.append(Name(row, Kind(capture), text))
    return Fragment(tuple(dict.fromkeys(found)), tuple(bodies), tuple(signatures))


def _macro_names(body: str, first_row: int) -> list[Name]:
    """The identifiers, calls and return codes of a macro body, which tree-sitter keeps as text."""
    found: list[Name] = []
    for offset, text in enumerate(body.split("\n")):
        row = first_row + offset
        found.extend(
            Name(row, Kind.IDENT, token)
            for token in _TOKEN.findall(text)
            if token not in C_KEYWORDS
        )
        found.extend(
            Name(row, Kind.CALL, call)
            for call in _MACRO_CALL.findall(text)
            if call not in C_KEYWORDS
        )
        found.extend(Name(row, Kind.RETURN_CODE, code) for code in _MACRO_ERRNO.findall(text))
    return found
