"""Which hunks tree-sitter must parse: those a rule, the arch matrix or a tracked name may concern.

Every name tree-sitter reports is a word of the hunk's lines or section, so a hunk with no word
that a rule's name or function patterns accept cannot get that rule's class, whatever its facts.
Such a hunk gets its facts from a regex instead (facts.quick_facts), and the same classes.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Set as AbstractSet

from toolkit.classify.coverage import FILE_PTE_MACROS, NOINHERIT, OPT_IN, SIGSEGV
from toolkit.classify.facts import arch_of
from toolkit.classify.rules import Rule, RuleSet
from toolkit.series.records import Hunk

_WORD = re.compile(r"[A-Za-z_]\w*")
# Names the arch matrix reads from a hunk of an arch's files.
_COVERAGE = frozenset((*FILE_PTE_MACROS, OPT_IN, NOINHERIT, SIGSEGV))


def _glob_regex(pattern: str) -> str:
    """A name glob as a regex searched in a hunk's text; `[...]` classes become match-all."""
    if "[" in pattern:
        return ""  # an empty regex finds every hunk, which is safe
    return "".join(
        r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in pattern.strip("*")
    )


class _Words:
    """One name condition as a test on a hunk: its plain names as a set, its globs as a regex.

    A glob is searched without its outer `*` and without word boundaries: that finds more
    hunks than the rule can fire on, never fewer, and keeps the regex's literal prefix fast.
    """

    def __init__(self, patterns: tuple[str, ...]) -> None:
        """Split the globs from the plain names."""
        self.names = frozenset(p for p in patterns if not any(c in p for c in "*?["))
        globs = [_glob_regex(p) for p in patterns if p not in self.names]
        self.globs = re.compile("|".join(globs)) if globs else None

    def found(self, words: set[str], text: str) -> bool:
        """Some word of the hunk may match one of the patterns."""
        if not self.names.isdisjoint(words):
            return True
        return self.globs is not None and self.globs.search(text) is not None


def _path_test(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a rule's path globs, as rules.match applies them."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


class _Need:
    """The conditions of one rule that need parsed facts: its path tests and word regexes."""

    def __init__(self, rule: Rule) -> None:
        """Compile the rule's path globs and one word regex per function or name condition."""
        self.paths = _path_test(rule.paths)
        self.not_paths = _path_test(rule.not_paths)
        conditions = [rule.functions] if rule.functions else []
        conditions += [patterns for _, patterns in rule.names]
        self.words = tuple(_Words(patterns) for patterns in conditions)

    def applies(self, path: str) -> bool:
        """The rule's path conditions hold for `path`."""
        if self.paths is not None and not self.paths.match(path):
            return False
        return self.not_paths is None or not self.not_paths.match(path)


class Prefilter:
    """Decides per hunk whether its facts must come from tree-sitter."""

    def __init__(self, rules: RuleSet) -> None:
        """Keep the rules whose outcome depends on parsed facts (names or functions)."""
        self._needs = tuple(_Need(r) for r in rules.rules if r.functions or r.names)
        # What a hunk that needs no parse is matched with: the rules reading only its path.
        plain = tuple(r for r in rules.rules if not (r.functions or r.names))
        self.plain = RuleSet(rules.source, rules.classes, plain)
        self._by_path: dict[str, tuple[_Need, ...]] = {}

    def _for(self, path: str) -> tuple[_Need, ...]:
        """The rules that may fire on a file: path conditions checked once per path."""
        found = self._by_path.get(path)
        if found is None:
            if len(self._by_path) > 4096:
                self._by_path.clear()  # a long log names many files; the tests are cheap to redo
            found = self._by_path[path] = tuple(n for n in self._needs if n.applies(path))
        return found

    def needs_parse(self, path: str, hunk: Hunk, watched: AbstractSet[str] = frozenset()) -> bool:
        """Whether a rule, the arch matrix or a name in `watched` may read this hunk's facts."""
        text = "\n".join([hunk.section, *(line.text for line in hunk.lines)])
        words = set(_WORD.findall(text))
        for need in self._for(path):
            if all(condition.found(words, text) for condition in need.words):
                return True
        if arch_of(path) is not None and not _COVERAGE.isdisjoint(words):
            return True
        return not watched.isdisjoint(words)
