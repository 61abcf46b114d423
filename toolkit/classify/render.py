"""An audit as text, JSON (schema rfp-audit/1) or Markdown."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.classify.coverage import FILE_PTE_MACROS
from toolkit.classify.records import (
    ArchRow,
    Audit,
    Finding,
    HunkFacts,
    PatchReport,
    Piece,
    Severity,
)

if TYPE_CHECKING:
    # Only named in annotations; the checks' imports would slow `rfp audit --stat` down.
    from toolkit.classify.checks import Lifecycle

SCHEMA = "rfp-audit/1"
_SUBJECT_WIDTH = 58
_PIECE_KEYS = {
    Piece.MACROS: "file_pte_macros",
    Piece.NOINHERIT: "map_noinherit",
    Piece.OPT_IN: "opt_in",
    Piece.SIGSEGV: "vm_fault_sigsegv",
}


def shown(path: str | None) -> str | None:
    """A path as the user would type it: relative to the working directory when inside it."""
    if not path:
        return path
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _short(text: str, width: int = _SUBJECT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _subjects(patches: tuple[PatchReport, ...]) -> list[str]:
    """Subjects for a narrow table: a `prefix: ` several patches share is left out."""
    heads = Counter(p.subject.split(": ", 1)[0] for p in patches if ": " in p.subject)
    return [
        p.subject.split(": ", 1)[1]
        if ": " in p.subject and heads[p.subject.split(": ", 1)[0]] > 1
        else p.subject
        for p in patches
    ]


def _table(rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        out.append("  ".join(cells).rstrip())
    return out


def _finding_line(finding: Finding) -> str:
    where = _where(finding)
    head = f"{finding.severity.value}: {finding.code}: "
    return head + (f"{where}: " if where else "") + finding.message


def _where(finding: Finding) -> str:
    parts = []
    if finding.patch is not None:
        parts.append(f"patch {finding.patch:02d}")
    if finding.file is not None:
        parts.append(finding.file if finding.line is None else f"{finding.file}:{finding.line}")
    return " ".join(parts)


def _counts(audit: Audit) -> str:
    counted = Counter(f.severity for f in audit.findings)
    return ", ".join(f"{counted[s]} {s.value}" for s in reversed(Severity))


def _arch_cells(row: ArchRow) -> list[str]:
    def mark(piece: Piece) -> str:
        """`yes` when the arch has the piece."""
        return "yes" if piece in row.pieces else "-"

    return [
        row.arch,
        ", ".join(row.variants) or "(series only)",
        *("yes" if m in row.macros else "-" for m in FILE_PTE_MACROS),
        mark(Piece.NOINHERIT),
        mark(Piece.OPT_IN),
        mark(Piece.SIGSEGV),
    ]


_ARCH_HEAD = [
    "arch",
    "archs/ variants",
    *FILE_PTE_MACROS,
    "MAP_NOINHERIT",
    "opt-in",
    "VM_FAULT_SIGSEGV",
]


def render_text(audit: Audit, verbose: bool = False, lifecycles: tuple[Lifecycle, ...] = ()) -> str:
    """The audit as plain text tables."""
    if not audit.classified:
        return _stat_text(audit)
    out = [
        f"series {shown(audit.source)}: {_count(len(audit.patches), 'patch', 'patches')}, "
        f"+{sum(p.insertions for p in audit.patches)}/-{sum(p.deletions for p in audit.patches)}",
        f"rules {shown(audit.rules)}"
        + (f", manifest {shown(audit.manifest)}" if audit.manifest else ""),
        "",
    ]
    rows = [["#", "subject", "classes", "files", "+/-"]]
    for p, subject in zip(audit.patches, _subjects(audit.patches), strict=True):
        rows.append(
            [
                f"{p.number:02d}",
                _short(subject),
                ", ".join(p.classes),
                str(len(p.files)),
                f"+{p.insertions}/-{p.deletions}",
            ]
        )
    if not verbose:
        out.extend(_table(rows, frozenset({3, 4})))
    else:
        for line, patch in zip(_table(rows, frozenset({3, 4}))[1:], audit.patches, strict=True):
            out.append(line)
            out.extend(_hunks_text(patch))
    out += ["", "arch coverage: what the series provides per include/asm-ARCH"]
    out.extend(_table([_ARCH_HEAD, *(_arch_cells(r) for r in audit.arches)]))
    if verbose and lifecycles:
        out += ["", "identifiers the series introduces"]
        out.extend(_table([["name", "defined", "used", "removed"], *map(_life_cells, lifecycles)]))
    out += ["", f"findings: {_counts(audit)}"]
    out.extend(_finding_line(f) for f in audit.findings)
    return "\n".join(out) + "\n"


def _hunks_text(patch: PatchReport) -> list[str]:
    out = []
    for hunk in patch.hunks:
        facts = hunk.facts
        out.append(f"    {facts.file} {facts.header}")
        summary = _facts_line(facts)
        if summary:
            out.append(f"        facts: {summary}")
        for klass in hunk.classes:
            if not klass.evidence:
                out.append(f"        {klass.name}: no rule matched")
            for ev in klass.evidence:
                lines = ",".join(str(n) for n in ev.lines)
                out.append(f"        {klass.name} [{ev.rule}] line {lines}: {ev.reason}")
    return out


def _facts_line(facts: HunkFacts) -> str:
    """What tree-sitter found on the changed lines, in one line."""
    macros = {s.split("(", 1)[0]: s for s in facts.signatures}
    parts = [
        ("defines", [macros.get(n, n) for n in facts.defines]),
        ("removes", list(facts.removes)),
        ("calls", list(facts.calls)),
        ("returns", [f"-{code}" for code in facts.returns]),
    ]
    return "; ".join(f"{key} {', '.join(values)}" for key, values in parts if values)


def _life_cells(life: Lifecycle) -> list[str]:
    return [
        life.name,
        ", ".join(f"{p:02d} {f}" for p, f in life.defined),
        ", ".join(f"{p:02d}" for p in life.used) or "-",
        ", ".join(f"{p:02d} {f}" for p, f in life.removed) or "-",
    ]


def _stat_text(audit: Audit) -> str:
    out = []
    files = insertions = deletions = 0
    for p in audit.patches:
        out.append(f"{p.number:02d} {p.subject}")
        width = max((len(f.path) for f in p.files), default=0)
        for f in p.files:
            out.append(f"   {f.path.ljust(width)} | +{f.insertions} -{f.deletions}")
        files += len(p.files)
        insertions += p.insertions
        deletions += p.deletions
    out.append(
        f"{_count(len(audit.patches), 'patch', 'patches')}, "
        f"{_count(files, 'file change', 'file changes')}, "
        f"{insertions} insertions(+), {deletions} deletions(-)"
    )
    if audit.findings:
        out += ["", f"findings: {_counts(audit)}"]
        out.extend(_finding_line(f) for f in audit.findings)
    return "\n".join(out) + "\n"


def audit_json(audit: Audit, lifecycles: tuple[Lifecycle, ...] = ()) -> dict[str, Any]:
    """The audit as the rfp-audit/1 JSON object."""
    return {
        "schema": SCHEMA,
        "series": {
            "source": shown(audit.source),
            "rules": shown(audit.rules) or None,
            "manifest": shown(audit.manifest),
            "classified": audit.classified,
            "patch_count": len(audit.patches),
            "insertions": sum(p.insertions for p in audit.patches),
            "deletions": sum(p.deletions for p in audit.patches),
            "identifiers": [
                {
                    "name": life.name,
                    "defined": [{"patch": p, "file": f} for p, f in life.defined],
                    "used": list(life.used),
                    "removed": [{"patch": p, "file": f} for p, f in life.removed],
                }
                for life in lifecycles
            ],
        },
        "patches": [
            {
                "number": p.number,
                "subject": p.subject,
                "quilt_name": p.quilt_name,
                "classes": list(p.classes),
                "files": [
                    {"path": f.path, "insertions": f.insertions, "deletions": f.deletions}
                    for f in p.files
                ],
                "insertions": p.insertions,
                "deletions": p.deletions,
                "hunks": [
                    {
                        "file": h.facts.file,
                        "header": h.facts.header,
                        "classes": [c.name for c in h.classes],
                        "evidence": [
                            {
                                "class": c.name,
                                "rule": e.rule,
                                "file": e.file,
                                "header": e.header,
                                "lines": list(e.lines),
                                "reason": e.reason,
                            }
                            for c in h.classes
                            for e in c.evidence
                        ],
                    }
                    for h in p.hunks
                ],
            }
            for p in audit.patches
        ],
        "arches": {
            row.arch: {
                "variants": list(row.variants),
                "macros": list(row.macros),
                **{key: piece in row.pieces for piece, key in _PIECE_KEYS.items()},
            }
            for row in audit.arches
        },
        "findings": [
            {
                "severity": f.severity.value,
                "code": f.code,
                "message": f.message,
                "patch": f.patch,
                "file": f.file,
                "line": f.line,
            }
            for f in audit.findings
        ],
    }


def render_json(audit: Audit, lifecycles: tuple[Lifecycle, ...] = ()) -> str:
    """The audit as indented rfp-audit/1 JSON text."""
    return json.dumps(audit_json(audit, lifecycles), indent=2) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def render_markdown(audit: Audit, verbose: bool = False) -> str:
    """The audit as Markdown tables, for a review mail or an issue."""
    out = [f"## rfp audit of `{shown(audit.source)}`", ""]
    head = ["#", "subject", "files", "+/-"] if not audit.classified else None
    head = head or ["#", "subject", "classes", "files", "+/-"]
    out += [_md_row(head), _md_row(["---"] * len(head))]
    for p in audit.patches:
        cells = [f"{p.number:02d}", p.subject]
        if audit.classified:
            cells.append(", ".join(p.classes))
        cells += [str(len(p.files)), f"+{p.insertions}/-{p.deletions}"]
        out.append(_md_row(cells))
    if verbose and audit.classified:
        out += ["", "### Hunks", ""]
        for p in audit.patches:
            out += [f"**{p.number:02d}**", ""]
            out += [f"- {line.strip()}" for line in _hunks_text(p) if line.startswith("    ")]
            out.append("")
    if audit.classified:
        out += [
            "",
            "### Arch coverage",
            "",
            _md_row(_ARCH_HEAD),
            _md_row(["---"] * len(_ARCH_HEAD)),
        ]
        out += [_md_row(_arch_cells(r)) for r in audit.arches]
    out += ["", f"### Findings ({_counts(audit)})", ""]
    out += [
        f"- **{f.severity.value}** `{f.code}` "
        + (f"{_where(f)}: " if _where(f) else "")
        + f.message
        for f in audit.findings
    ] or ["none"]
    return "\n".join(out) + "\n"


FORMATS = ("text", "json", "markdown")


def render(
    audit: Audit, fmt: str = "text", verbose: bool = False, lifecycles: tuple[Lifecycle, ...] = ()
) -> str:
    """The audit in one of FORMATS."""
    if fmt == "json":
        return render_json(audit, lifecycles)
    if fmt == "markdown":
        return render_markdown(audit, verbose)
    return render_text(audit, verbose, lifecycles)
