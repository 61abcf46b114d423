"""Whole-series checks fed one patch at a time: identifier lifecycle and line consistency."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from toolkit.classify.records import Finding, HunkFacts, Severity
from toolkit.series.records import ChangeKind, FileDiff, Hunk, Line, LineKind

# How far from its stated position a hunk may land (patch(1) would apply it with an offset).
_MAX_OFFSET = 200
# Lines added this many patches ago are forgotten, so memory stays flat over a long git log.
_WINDOW = 256
# Definitions, uses and removals listed per identifier; a long log's later ones are not.
_LISTED = 256
# Names remembered as existing before the series, as used before any definition, or as defined
# by it: past this many of a kind the oldest are forgotten, so a long log's state stays flat (a
# tiny series never gets near).
_NAMES = 1 << 14
# Lines added by the series and tracked for consistency: past this many, the files touched
# longest ago are dropped first.
_TRACKED_LINES = 1 << 15


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Where one identifier the series introduces is defined, used and removed."""

    name: str
    defined: tuple[tuple[int, str], ...]  # (patch, file)
    used: tuple[int, ...]  # patches whose added or context lines use it
    removed: tuple[tuple[int, str], ...]


Where = tuple[int, str, int]  # patch, file, line of the patch file


def _forget_oldest(names: dict[str, Any], limit: int) -> None:
    """Past `limit` entries, keep only the newest half of that many (amortised, not per name)."""
    if len(names) > limit:
        newest = list(names.items())[len(names) - limit // 2 :]
        names.clear()
        names.update(newest)


class LifecycleCheck:
    """Identifiers the series defines: a use in an earlier patch than the definition is an error.

    Fed one patch at a time and keeping only compact state per name, so a long log streams.
    """

    def __init__(self) -> None:
        """Start with no identifiers seen."""
        self._existing: dict[str, None] = {}  # on an old side before the series defines them
        self._pending: dict[str, Where] = {}  # first use of a name nothing has defined yet
        self._defined: dict[str, tuple[Where, ...]] = {}
        self._used: dict[str, list[int]] = {}  # patches using a defined name
        self._removed: dict[str, tuple[Where, ...]] = {}
        self._gone: dict[str, int] = {}  # the patch that removed a name's last definition
        self._findings: list[Finding] = []

    def feed(
        self, number: int, hunks: tuple[HunkFacts, ...], series_lines: frozenset[int] = frozenset()
    ) -> None:
        """Record what one patch's hunks define, use and remove, and flag what is out of order.

        `series_lines` are the patch lines whose old side is text an earlier patch added: a name
        there is no sign that it existed before the series.
        """
        for facts in hunks:
            # A name on an old side, not only on text the series added, existed before the
            # series: nothing about it can be flagged. Each test walks the hunk's few names,
            # never the series' many (a set difference with a dict would walk the dict).
            defined, pending = self._defined, self._pending
            seen = [
                name
                for name, lines in facts.old_rows
                if name not in defined and (not series_lines or not series_lines.issuperset(lines))
            ]
            self._existing.update(dict.fromkeys(seen))
            if pending:
                for name in seen:
                    pending.pop(name, None)
        _forget_oldest(self._existing, _NAMES)
        for facts in hunks:
            where = dict(facts.rows)
            for name in facts.introduces:
                if name not in self._existing:
                    self._define(
                        name, (number, facts.file, where.get(name, (facts.patch_line,))[0])
                    )
        for facts in hunks:
            where = dict(facts.rows)
            for name in dict.fromkeys((*facts.uses, *facts.context_uses)):
                if name in facts.introduces or name in self._existing:
                    continue
                self._use(name, (number, facts.file, where.get(name, (facts.patch_line,))[0]))
            for name in facts.removes:
                if name in self._defined:
                    self._remove(
                        name, (number, facts.file, where.get(name, (facts.patch_line,))[0])
                    )

    def watched(self) -> AbstractSet[str]:
        """Names the series removed every definition of: a hunk naming one must be parsed."""
        return self._gone.keys()

    def _define(self, name: str, at: Where) -> None:
        earlier = self._defined.get(name, ())
        if not earlier:
            use = self._pending.pop(name, None)
            if use is not None and use[0] < at[0]:
                self._findings.append(
                    Finding(
                        Severity.ERROR,
                        "use-before-define",
                        f"{name} is used in patch {use[0]:02d} but first defined in patch "
                        f"{at[0]:02d}: the series does not bisect",
                        *use,
                    )
                )
        if len(earlier) < _LISTED:
            self._defined[name] = (*earlier, at)
        self._gone.pop(name, None)
        if len(self._defined) > _NAMES:
            _forget_oldest(self._defined, _NAMES)
            kept = self._defined
            self._used = {n: v for n, v in self._used.items() if n in kept}
            self._removed = {n: v for n, v in self._removed.items() if n in kept}
            self._gone = {n: v for n, v in self._gone.items() if n in kept}

    def _use(self, name: str, at: Where) -> None:
        if name not in self._defined:
            self._pending.setdefault(name, at)
            _forget_oldest(self._pending, _NAMES)
            return
        patches = self._used.setdefault(name, [])
        if len(patches) < _LISTED and (not patches or patches[-1] != at[0]):
            patches.append(at[0])
        removed_in = self._gone.get(name)
        if removed_in is not None and at[0] > removed_in:
            self._findings.append(
                Finding(
                    Severity.ERROR,
                    "use-after-remove",
                    f"{name} is used in patch {at[0]:02d} after patch {removed_in:02d} "
                    "removed its last definition",
                    *at,
                )
            )
            del self._gone[name]  # once per removal is enough

    def _remove(self, name: str, at: Where) -> None:
        removed = (*self._removed.get(name, ()), at)[-_LISTED:]
        self._removed[name] = removed
        # Removed in one file but still defined in another (one arch of several) is no removal.
        still = {f for _, f, _ in self._defined[name]} - {f for _, f, _ in removed}
        if not still:
            self._gone[name] = at[0]

    def lifecycles(self) -> tuple[Lifecycle, ...]:
        """Every identifier the series introduces, by name."""
        return tuple(
            Lifecycle(
                name,
                tuple(dict.fromkeys((p, f) for p, f, _ in defined)),
                tuple(self._used.get(name, ())),
                tuple(dict.fromkeys((p, f) for p, f, _ in self._removed.get(name, ()))),
            )
            for name, defined in sorted(self._defined.items())
        )

    def findings(self) -> list[Finding]:
        """Uses before the definition and uses after the last removal (errors)."""
        return list(self._findings)


# Per file: line number in the file as the series left it so far -> (text, patch that added it).
Tracked = dict[int, tuple[str, int]]


class ConsistencyCheck:
    """Lines a later patch removes or keeps as context must match what an earlier patch added."""

    def __init__(self) -> None:
        """Start with no file touched."""
        self._files: dict[str, Tracked] = {}  # in the order they were last touched
        self._findings: list[Finding] = []

    def findings(self) -> list[Finding]:
        """The mismatches found so far."""
        return list(self._findings)

    def feed(self, number: int, files: tuple[FileDiff, ...]) -> frozenset[int]:
        """Check one patch against the lines earlier patches added, then record its own.

        Returns the patch lines whose old side falls on text an earlier patch added.
        """
        on_series: set[int] = set()
        for diff in files:
            if diff.kind is ChangeKind.RENAMED and diff.old_path in self._files:
                self._files[diff.path] = self._files.pop(diff.old_path)
            if diff.kind is ChangeKind.REMOVED:
                self._files.pop(diff.path, None)
                continue
            tracked = {} if diff.kind is ChangeKind.ADDED else self._files.pop(diff.path, {})
            tracked, seen = self._apply(number, diff, tracked)
            on_series.update(seen)
            if tracked:
                self._files[diff.path] = tracked
            else:
                self._files.pop(diff.path, None)
        total = sum(map(len, self._files.values()))
        while total > _TRACKED_LINES:
            total -= len(self._files.pop(next(iter(self._files))))
        return frozenset(on_series)

    def _apply(self, number: int, diff: FileDiff, lines: Tracked) -> tuple[Tracked, set[int]]:
        """The file's tracked lines after the patch, and its old-side lines on tracked text."""
        placed: list[tuple[Hunk, int]] = []
        for hunk in diff.hunks:
            placed.append((hunk, self._place(number, diff, hunk, lines)))
        spans = [
            (
                h.source_start + d,
                h.source_start + d + h.source_length,
                h.target_length - h.source_length,
            )
            for h, d in placed
        ]
        spans.sort()
        starts = [start for start, _, _ in spans]
        # shifts[i]: how far lines after span i move, the deltas of spans 0..i summed
        shifts = list(accumulate(delta for _, _, delta in spans))
        result: Tracked = {}
        for line, value in lines.items():
            if value[1] <= number - _WINDOW:
                continue
            index = bisect_right(starts, line) - 1
            if index < 0:
                result[line] = value
            elif line >= spans[index][1]:
                result[line + shifts[index]] = value
        on_series: set[int] = set()
        for hunk, offset in placed:
            for item in hunk.lines:
                if item.source_line is not None and item.source_line + offset in lines:
                    on_series.add(item.patch_line)
                if item.target_line is None:
                    continue
                if item.kind is LineKind.ADDED:
                    result[item.target_line + offset] = (item.text, number)
                elif item.kind is LineKind.CONTEXT and item.source_line is not None:
                    kept = lines.get(item.source_line + offset)
                    if kept is not None:
                        result[item.target_line + offset] = kept
        return result, on_series

    @staticmethod
    def _offsets(old: list[tuple[int, Line]], lines: Tracked) -> list[int]:
        """Offsets, nearest first, at which some old line meets a tracked line of its text."""
        sources: dict[str, list[int]] = {}
        for source, item in old:
            sources.setdefault(item.text.rstrip(), []).append(source)
        low, high = old[0][0] - _MAX_OFFSET, old[-1][0] + _MAX_OFFSET
        found = {
            line - source
            for line in range(low, high + 1)
            if line in lines
            for source in sources.get(lines[line][0].rstrip(), ())
        }
        found.discard(0)
        return sorted((d for d in found if abs(d) <= _MAX_OFFSET), key=lambda d: (abs(d), d))

    def _place(self, number: int, diff: FileDiff, hunk: Hunk, lines: Tracked) -> int:
        """The offset the hunk applies at; a mismatch with no clean offset is a finding."""
        old = [
            (item.source_line, item)
            for item in hunk.lines
            if item.kind in (LineKind.CONTEXT, LineKind.REMOVED) and item.source_line is not None
        ]
        if not lines or not old:
            return 0

        def score(offset: int) -> tuple[int, list[tuple[int, str, str, int, int]]]:
            """Tracked lines the hunk's old side meets at `offset`: matches, and mismatches."""
            hits, bad = 0, []
            for source, item in old:
                known = lines.get(source + offset)
                if known is None:
                    continue
                if known[0].rstrip() == item.text.rstrip():
                    hits += 1
                else:
                    bad.append((source, known[0], item.text, known[1], item.patch_line))
            return hits, bad

        _, bad = score(0)
        if not bad:
            return 0
        for offset in self._offsets(old, lines):
            other_hits, other_bad = score(offset)
            if other_hits and not other_bad:
                return offset
        source, added, found, earlier, patch_line = bad[0]
        what = "removes" if dict(old)[source].kind is LineKind.REMOVED else "keeps as context"
        self._findings.append(
            Finding(
                Severity.ERROR,
                "inconsistent",
                f"{what} {found.strip()!r} at {diff.path}:{source}, "
                f"where patch {earlier:02d} added {added.strip()!r}",
                number,
                diff.path,
                patch_line,
            )
        )
        return 0
