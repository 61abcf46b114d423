"""Whole-series checks fed one patch at a time: identifier lifecycle and line consistency."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from toolkit.classify.records import Finding, HunkFacts, Severity
from toolkit.series.records import ChangeKind, FileDiff, Hunk, Line, LineKind

# How far from its stated position a hunk may land (patch(1) would apply it with an offset).
_MAX_OFFSET = 200
# Lines added this many patches ago are forgotten, so memory stays flat over a long git log.
_WINDOW = 256


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Where one identifier the series introduces is defined, used and removed."""

    name: str
    defined: tuple[tuple[int, str], ...]  # (patch, file)
    used: tuple[int, ...]  # patches whose added or context lines use it
    removed: tuple[tuple[int, str], ...]


@dataclass(slots=True)
class _Seen:
    defined: list[tuple[int, str, int]] = field(default_factory=list)  # patch, file, line
    used: list[tuple[int, str, int]] = field(default_factory=list)
    removed: list[tuple[int, str, int]] = field(default_factory=list)


class LifecycleCheck:
    """Identifiers the series defines: a use in an earlier patch than the definition is an error."""

    def __init__(self) -> None:
        """Start with no identifiers seen."""
        self._seen: dict[str, _Seen] = {}
        self._existing: set[str] = set()  # on an old side before the series defines them

    def feed(self, number: int, hunks: tuple[HunkFacts, ...]) -> None:
        """Record what one patch's hunks define, use and remove."""
        rows = {id(h): dict(h.rows) for h in hunks}
        for facts in hunks:
            for name in (*facts.old_uses, *facts.context_uses, *facts.removes):
                if name not in self._seen or not self._seen[name].defined:
                    self._existing.add(name)
        for facts in hunks:
            where = rows[id(facts)]
            for name in facts.introduces:
                line = where.get(name, (facts.patch_line,))[0]
                self._seen.setdefault(name, _Seen()).defined.append((number, facts.file, line))
            for name in dict.fromkeys((*facts.uses, *facts.context_uses)):
                if name in facts.introduces:
                    continue
                line = where.get(name, (facts.patch_line,))[0]
                self._seen.setdefault(name, _Seen()).used.append((number, facts.file, line))
            for name in facts.removes:
                line = where.get(name, (facts.patch_line,))[0]
                self._seen.setdefault(name, _Seen()).removed.append((number, facts.file, line))

    def lifecycles(self) -> tuple[Lifecycle, ...]:
        """Every identifier the series introduces, by name."""
        return tuple(
            Lifecycle(
                name,
                tuple(dict.fromkeys((p, f) for p, f, _ in seen.defined)),
                tuple(dict.fromkeys(p for p, _, _ in seen.used)),
                tuple(dict.fromkeys((p, f) for p, f, _ in seen.removed)),
            )
            for name, seen in sorted(self._seen.items())
            if seen.defined and name not in self._existing
        )

    def findings(self) -> list[Finding]:
        """Uses before the definition (errors) and uses after the last removal (errors)."""
        found: list[Finding] = []
        for name, seen in sorted(self._seen.items()):
            if not seen.defined or name in self._existing:
                continue
            first = min(p for p, _, _ in seen.defined)
            for patch, path, line in seen.used:
                if patch < first:
                    found.append(
                        Finding(
                            Severity.ERROR,
                            "use-before-define",
                            f"{name} is used in patch {patch:02d} but first defined in patch "
                            f"{first:02d}: the series does not bisect",
                            patch,
                            path,
                            line,
                        )
                    )
                    break
            found.extend(self._use_after_remove(name, seen))
        return found

    @staticmethod
    def _use_after_remove(name: str, seen: _Seen) -> list[Finding]:
        last_removed = max((p for p, _, _ in seen.removed), default=None)
        last_defined = max(p for p, _, _ in seen.defined)
        if last_removed is None or last_defined > last_removed:
            return []
        # Removed in one file but still defined in another (one arch of several) is no removal.
        still = {f for p, f, _ in seen.defined} - {f for p, f, _ in seen.removed}
        if still:
            return []
        for patch, path, line in seen.used:
            if patch > last_removed:
                return [
                    Finding(
                        Severity.ERROR,
                        "use-after-remove",
                        f"{name} is used in patch {patch:02d} after patch {last_removed:02d} "
                        "removed its last definition",
                        patch,
                        path,
                        line,
                    )
                ]
        return []


# Per file: line number in the file as the series left it so far -> (text, patch that added it).
Tracked = dict[int, tuple[str, int]]


class ConsistencyCheck:
    """Lines a later patch removes or keeps as context must match what an earlier patch added."""

    def __init__(self) -> None:
        """Start with no file touched."""
        self._files: dict[str, Tracked] = {}
        self._findings: list[Finding] = []

    def findings(self) -> list[Finding]:
        """The mismatches found so far."""
        return list(self._findings)

    def feed(self, number: int, files: tuple[FileDiff, ...]) -> None:
        """Check one patch against the lines earlier patches added, then record its own."""
        for diff in files:
            if diff.kind is ChangeKind.RENAMED and diff.old_path in self._files:
                self._files[diff.path] = self._files.pop(diff.old_path)
            if diff.kind is ChangeKind.REMOVED:
                self._files.pop(diff.path, None)
                continue
            tracked = {} if diff.kind is ChangeKind.ADDED else self._files.get(diff.path, {})
            tracked = self._apply(number, diff, tracked)
            if tracked:
                self._files[diff.path] = tracked
            else:
                self._files.pop(diff.path, None)

    def _apply(self, number: int, diff: FileDiff, lines: Tracked) -> Tracked:
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
        for hunk, offset in placed:
            for item in hunk.lines:
                if item.target_line is None:
                    continue
                if item.kind is LineKind.ADDED:
                    result[item.target_line + offset] = (item.text, number)
                elif item.kind is LineKind.CONTEXT and item.source_line is not None:
                    kept = lines.get(item.source_line + offset)
                    if kept is not None:
                        result[item.target_line + offset] = kept
        return result

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
