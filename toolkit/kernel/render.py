"""Text reports of kernel comparisons: campaigns of scenarios and the UML pattern."""

from __future__ import annotations

from toolkit.kernel.diff import Campaign, Comparison
from toolkit.kernel.uml import UmlComparison


def _line(found: Comparison) -> str:
    if found.skipped is not None:
        return f"{found.name}: skipped: {found.skipped}"
    if found.divergence is None:
        return f"{found.name}: {found.ops} ops agree"
    d = found.divergence
    where = f"op {d.index}" + (f" (line {d.line})" if d.line is not None else "")
    return f"{found.name}: DIVERGES at {where} {d.op}: emulation model {d.model}, kernel {d.kernel}"


def render_campaign(campaign: Campaign, verbose: bool = False) -> str:
    """What a diff-kernel run found: a summary, the first divergence and its reproducer."""
    found = campaign.comparisons
    agree = sum(1 for c in found if c.agrees)
    skipped = sum(1 for c in found if c.skipped is not None)
    diverge = sum(1 for c in found if c.divergence is not None)
    ops = sum(c.ops for c in found if c.skipped is None)
    lines = [_line(c) for c in found] if verbose else []
    lines += [_line(c) for c in found if not verbose and not c.agrees]
    lines.append(
        f"compared {len(found)} scenario{'' if len(found) == 1 else 's'} ({ops} ops) "
        "on the emulation model and this kernel: "
        f"{agree} agree, {diverge} diverge, {skipped} skipped"
    )
    if campaign.reproducer is not None and campaign.written is not None:
        lines.append(
            f"shrunk reproducer: {len(campaign.reproducer.ops)} ops, written to {campaign.written}"
        )
    return "\n".join(lines)


def render_uml(result: UmlComparison) -> str:
    """Where each side stops on UML's pattern, and how many VMAs it needed."""
    origin = "this kernel" if result.limit_from_kernel else "the default; no kernel runner"
    lines = [
        f"UML pattern: {result.pages} pages of one PROT_NONE shared mapping, each remapped "
        "alone, r and rw in turn",
        f"vm.max_map_count {result.max_map_count} ({origin})",
        f"{'side':<16} {'VMAs':>8} {'remapped':>9}  stops",
    ]
    for run in result.runs:
        if run.skipped is not None:
            lines.append(f"{run.side:<16} {'-':>8} {'-':>9}  not run: {run.skipped}")
            continue
        stop = "-" if run.error is None else f"at page {run.remapped}: {run.error}"
        if run.own_vmas is not None:
            stop += f" (plus {run.own_vmas} /proc/self/maps lines of the runner itself)"
        lines.append(f"{run.side:<16} {run.vmas:>8} {run.remapped:>9}  {stop}")
    return "\n".join(lines)
