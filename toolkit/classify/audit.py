"""`rfp audit` as a library: read a series patch by patch, classify, check, and collect."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.classify.records import Audit, Finding, PatchReport, Severity
from toolkit.classify.stat import iter_stats

if TYPE_CHECKING:
    # Imported where used: `rfp audit --stat` needs neither the checks, the rules,
    # tree-sitter nor the series reader, and starts faster without them.
    from toolkit.classify.checks import Lifecycle
    from toolkit.classify.manifest import Manifest
    from toolkit.classify.rules import RuleSet
    from toolkit.series.records import Patch

MANIFEST_NAME = "series.toml"
# Inputs bigger than this (a long `git log -p`) are read one patch at a time, in file order.
STREAM_ABOVE = 1 << 20
# Called after each patch with (patches done, patches expected or None when unknown).
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class AuditResult:
    """An audit and the identifier lifecycles behind its findings."""

    audit: Audit
    lifecycles: tuple[Lifecycle, ...]


def default_manifest(path: str | Path) -> Path | None:
    """The manifest that sits next to a quilt series (patches/series.toml), if there is one."""
    candidate = Path(path) / MANIFEST_NAME
    return candidate if candidate.is_file() else None


def _patches(path: str | Path, git_range: str | None = None) -> Iterator[Patch]:
    """The patches in series order; a large single file streams in file order instead."""
    # Imported here: the reader is only needed when classifying, not for --stat.
    from toolkit.series import iter_patches, read_series

    where = Path(path)
    if git_range is not None:
        yield from read_series(where, git_range=git_range).patches
    elif where.is_file() and where.stat().st_size > STREAM_ABOVE:
        yield from iter_patches(where)
    else:
        # An mbox may hold the patches out of order; the reader sorts them by their counter.
        yield from read_series(where).patches


def classify_series(
    patches: Iterable[Patch],
    source: str,
    rules: RuleSet,
    manifest: str | Path | None = None,
    progress: Progress | None = None,
    archs_dir: Path | None = None,
    keep_hunks: bool = True,
    prefilter: bool = True,
) -> AuditResult:
    """Classify the patches one at a time and run the whole-series checks on them.

    Without `keep_hunks` each patch's hunks are dropped once checked, so memory stays flat;
    without `prefilter` tree-sitter parses every hunk, not only those a rule or check may need.
    """
    from toolkit.classify.checks import ConsistencyCheck, LifecycleCheck
    from toolkit.classify.coverage import Coverage, coverage_findings, known_variants
    from toolkit.classify.engine import classify_patch
    from toolkit.classify.prefilter import Prefilter

    needs = Prefilter(rules) if prefilter else None

    lifecycle, consistency = LifecycleCheck(), ConsistencyCheck()
    coverage = Coverage(known_variants(archs_dir))
    reports: list[PatchReport] = []
    for number, patch in enumerate(patches, 1):
        # Consistency first: the lines on series text tell quick facts where rows must be exact.
        on_series = consistency.feed(patch.number or number, patch.files)
        report = classify_patch(
            patch, patch.number or number, rules, needs, lifecycle.watched(), on_series
        )
        facts = tuple(h.facts for h in report.hunks)
        lifecycle.feed(report.number, facts, on_series)
        for item in facts:
            coverage.feed(item)
        reports.append(report if keep_hunks else dataclasses.replace(report, hunks=()))
        if progress is not None:
            progress(number, None)
    rows = coverage.rows()
    findings = [*lifecycle.findings(), *consistency.findings(), *coverage_findings(rows)]
    loaded = _manifest(manifest)
    if loaded is not None:
        from toolkit.classify.manifest import drift

        findings.extend(drift(tuple(reports), loaded, classified=True))
    audit = Audit(
        source=source,
        rules=rules.source,
        patches=tuple(reports),
        arches=rows,
        findings=_ordered(findings),
        classified=True,
        manifest=None if loaded is None else loaded.source,
    )
    return AuditResult(audit, lifecycle.lifecycles())


def audit_path(
    path: str | Path,
    rules_path: str | Path | None = None,
    manifest: str | Path | None = None,
    progress: Progress | None = None,
    keep_hunks: bool = True,
    git_range: str | None = None,
    prefilter: bool = True,
) -> AuditResult:
    """Audit the series at `path` (a git repository with `git_range`) with the rules given."""
    from toolkit.classify.rules import load_rules

    rules = load_rules(rules_path)
    source = f"{path}@{git_range}" if git_range else str(path)
    return classify_series(
        _patches(path, git_range),
        source,
        rules,
        manifest,
        progress,
        keep_hunks=keep_hunks,
        prefilter=prefilter,
    )


def stat_path(
    path: str | Path,
    manifest: str | Path | None = None,
    progress: Progress | None = None,
    git_range: str | None = None,
) -> AuditResult:
    """Only the files and +/- of each patch, scanned at byte level, with manifest drift."""
    reports: list[PatchReport] = []
    if git_range is not None:
        from toolkit.classify.engine import file_stats

        # Commits come through the reader (GitPython); there are no bytes of ours to scan.
        for number, patch in enumerate(_patches(path, git_range), 1):
            reports.append(
                PatchReport(
                    number, patch.subject.text, None, patch.source, file_stats(patch), (), ()
                )
            )
    for stat in iter_stats(path) if git_range is None else ():
        reports.append(
            PatchReport(stat.number, stat.subject, stat.quilt_name, stat.source, stat.files, (), ())
        )
        if progress is not None:
            progress(stat.number, None)
    loaded = _manifest(manifest)
    findings = []
    if loaded is not None:
        from toolkit.classify.manifest import drift

        findings = drift(tuple(reports), loaded, classified=False)
    audit = Audit(
        source=f"{path}@{git_range}" if git_range else str(path),
        rules="",
        patches=tuple(reports),
        arches=(),
        findings=_ordered(findings),
        classified=False,
        manifest=None if loaded is None else loaded.source,
    )
    return AuditResult(audit, ())


def _manifest(path: str | Path | None) -> Manifest | None:
    """The manifest at `path`; its module (and TOML) is imported only when there is one."""
    if path is None:
        return None
    from toolkit.classify.manifest import load_manifest

    return load_manifest(path)


def _ordered(findings: list[Finding]) -> tuple[Finding, ...]:
    """Errors first, then by patch, so the worst is read first."""
    return tuple(
        sorted(
            findings,
            key=lambda f: (-f.severity.rank, f.patch if f.patch is not None else 0, f.code),
        )
    )


def worst(audit: Audit) -> Severity | None:
    """The most severe finding, or None without findings."""
    return max((f.severity for f in audit.findings), key=lambda s: s.rank, default=None)
