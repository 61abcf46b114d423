"""`rfp port --kernel-tree`: the ports applied to a real kernel checkout, one commit per arch.

In a real header the legacy macros are found by name (`#define PTE_FILE_MAX_BITS`,
`pgoff_to_pte`, `pte_to_pgoff` and a `pte_file` macro, continuation lines included) and
replaced by the new block where the first of them stood; the rest of the file is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from toolkit import vcs
from toolkit.arch import load_arch
from toolkit.atomic import write_atomic
from toolkit.codegen.cmacros import render_header
from toolkit.codegen.patch import SUBJECT_PREFIX, description, target_header
from toolkit.errors import InputError, MissingInputError

# Old headers carry latin-1 names in comments; latin-1 reads any bytes and writes them back
# unchanged, and the macros we put in are ASCII.
_LATIN1 = "latin-1"
REPLACED = ("PTE_FILE_MAX_BITS", "pte_to_pgoff", "pgoff_to_pte", "pte_file")
# `#define NAME` followed by `(`, whitespace or the end of the line.
_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)(?=[(\s]|$)")


@dataclass(frozen=True, slots=True)
class KernelPort:
    """One arch ported in a kernel tree."""

    arch: str
    path: str  # the header, relative to the tree
    commit: str | None  # the new commit's sha, when committing


def parse_author(text: str) -> tuple[str, str]:
    """'Name <mail>' as (name, mail)."""
    found = re.fullmatch(r"\s*([^<>]+?)\s*<([^<>\s]+)>\s*", text)
    if not found:
        raise InputError(f"author {text!r}: expected 'Name <mail>'")
    return found.group(1), found.group(2)


def _definitions(lines: list[str]) -> list[tuple[str, int, int]]:
    """(name, first, end) of each `#define` of REPLACED, `end` past its continuation lines."""
    found = []
    i = 0
    while i < len(lines):
        match = _DEFINE.match(lines[i])
        end = i + 1
        while end - 1 < len(lines) and lines[end - 1].rstrip().endswith("\\"):
            end += 1
        if match and match.group(1) in REPLACED:
            found.append((match.group(1), i, end))
        i = end if match else i + 1
    return found


def ported_text(name: str, kind: str, text: str, where: Path) -> str:
    """`text` of the arch's header with its legacy file-PTE macros replaced by `kind`'s."""
    arch = load_arch(name)
    lines = text.splitlines()
    found = _definitions(lines)
    names = {n for n, _, _ in found}
    if "pgoff_to_pte" not in names or "pte_to_pgoff" not in names:
        raise InputError(f"no pgoff_to_pte/pte_to_pgoff macros to replace for {name}", where)
    seen: set[str] = set()
    for macro, first, _ in found:
        if macro in seen:
            # One block put where the first stood would leave the other #if branch without
            # macros (s390 defines them once per word size): a port by hand is safer.
            raise InputError(
                f"{macro} is defined again here (under #if branches?): port {name} by hand",
                where,
                first + 1,
            )
        seen.add(macro)
    block = render_header(
        arch, arch.layout(kind), with_banner=False, with_pte_file="pte_file" in names
    ).splitlines()
    drop = {i for _, first, end in found for i in range(first, end)}
    start = min(first for _, first, _ in found)
    out = [line for i, line in enumerate(lines[:start]) if i not in drop]
    out += block
    out += [line for i, line in enumerate(lines[start:], start) if i not in drop]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def port_tree(
    tree: Path, names: tuple[str, ...], kind: str, *, commit: bool, author: str | None
) -> tuple[KernelPort, ...]:
    """Replace the file-PTE macros of each arch in kernel `tree`, committing one arch per commit."""
    who = None if author is None else parse_author(author)
    top = vcs.work_tree(tree)
    if vcs.is_dirty(top):
        raise InputError("the kernel tree has uncommitted changes; commit or stash them first", top)
    paths: dict[str, str] = {}
    for name in names:
        rel = target_header(load_arch(name))
        other = next((n for n, p in paths.items() if p == rel), None)
        if other is not None:
            raise InputError(f"{other} and {name} both patch {rel}: port them one at a time")
        if not (top / rel).is_file():
            raise MissingInputError(f"no {rel} in the kernel tree for {name}", top / rel)
        paths[name] = rel
    # Every header is rewritten in memory first, so a header we cannot port changes nothing.
    texts = {
        name: ported_text(name, kind, (top / rel).read_bytes().decode(_LATIN1), top / rel)
        for name, rel in paths.items()
    }
    done: list[KernelPort] = []
    for name, rel in paths.items():
        write_atomic(top / rel, texts[name].encode(_LATIN1))
        sha = None
        if commit:
            arch = load_arch(name)
            kept = "/".join(p.name for p in arch.layout(kind).prot) or "no"
            subject = f"{SUBJECT_PREFIX}: {name} file PTEs keep {kept} protection bits"
            body = "\n\n".join(description(arch, arch.layout(kind)))
            sha = vcs.commit_paths(top, [rel], f"{subject}\n\n{body}\n", who)
        done.append(KernelPort(name, rel, sha))
    return tuple(done)


def format_ports(ports: tuple[KernelPort, ...]) -> str:
    """One line per ported arch: the header and the commit."""
    return "\n".join(
        f"{p.arch}: {p.path}" + (f" -> {p.commit[:12]}" if p.commit else " (not committed)")
        for p in ports
    )
