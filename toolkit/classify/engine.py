"""Classifying hunks and patches by the rules, with the evidence for every class."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from toolkit.classify.facts import hunk_facts, quick_facts
from toolkit.classify.prefilter import Prefilter
from toolkit.classify.records import (
    Evidence,
    FileStat,
    HunkClass,
    HunkFacts,
    HunkReport,
    PatchReport,
)
from toolkit.classify.rules import OTHER, RuleSet, description_words, match
from toolkit.series.records import Patch


def classify_hunk(facts: HunkFacts, rules: RuleSet, words: frozenset[str]) -> tuple[HunkClass, ...]:
    """The classes of one hunk in the rules' class order; `other` when no rule fires."""
    found: dict[str, list[Evidence]] = {}
    for rule in rules.rules:
        if any(name.split(":")[0] in rule.unless for name in found):
            continue
        evidence = match(rule, facts, words)
        if evidence is None:
            continue
        name = rule.klass
        if rule.per_arch and facts.arch:
            name = f"{name}:{facts.arch}"
        found.setdefault(name, []).append(evidence)
    if not found:
        return (HunkClass(OTHER, ()),)
    order = {klass: index for index, klass in enumerate(rules.classes)}
    return tuple(
        HunkClass(name, tuple(found[name]))
        for name in sorted(found, key=lambda name: (order[name.split(":")[0]], name))
    )


def patch_classes(hunks: tuple[HunkReport, ...], rules: RuleSet) -> tuple[str, ...]:
    """A patch's classes: those of its hunks, `other` only when no hunk has another class."""
    bases = {c.base for h in hunks for c in h.classes}
    if bases != {OTHER}:
        bases.discard(OTHER)
    return tuple(k for k in rules.classes if k in bases)


def file_stats(patch: Patch) -> tuple[FileStat, ...]:
    """The +/- counts of each file of a patch."""
    return tuple(FileStat(f.path, f.insertions, f.deletions) for f in patch.files)


def classify_patch(
    patch: Patch,
    number: int,
    rules: RuleSet,
    prefilter: Prefilter | None = None,
    watched: AbstractSet[str] = frozenset(),
    series_lines: frozenset[int] = frozenset(),
) -> PatchReport:
    """Classify every hunk of `patch` (number `number` in its series).

    With a prefilter, tree-sitter parses only the hunks it says a rule, the arch matrix or a
    `watched` name may concern; the others get regex facts and can only take path rules
    (`series_lines`, the patch lines on text the series added, are where those must be exact).
    """
    words = description_words(f"{patch.subject.text}\n{patch.description}")
    found: list[HunkReport] = []
    for diff in patch.files:
        for hunk in diff.hunks:
            if prefilter is None or prefilter.needs_parse(diff.path, hunk, watched):
                facts = hunk_facts(diff.path, hunk)
                found.append(HunkReport(facts, classify_hunk(facts, rules, words)))
            else:
                facts = quick_facts(diff.path, hunk, series_lines)
                found.append(HunkReport(facts, classify_hunk(facts, prefilter.plain, words)))
    hunks = tuple(found)
    return PatchReport(
        number=number,
        subject=patch.subject.text,
        quilt_name=patch.quilt_name,
        source=patch.source,
        files=file_stats(patch),
        classes=patch_classes(hunks, rules),
        hunks=hunks,
    )
