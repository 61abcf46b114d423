"""Classification rules as data: loading a rules TOML file and matching a rule on a hunk."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from toolkit.classify.records import Evidence, HunkFacts
from toolkit.errors import InputError, MissingInputError
from toolkit.tomlfile import line_of, parse_toml

DEFAULT_RULES = Path(__file__).resolve().parent / "rules.toml"
OTHER = "other"

# The conditions a rule may give; all given must hold, any pattern of one suffices.
_NAME_KEYS = ("defines", "removes", "uses", "adds", "calls", "returns", "touches")
_KEYS = frozenset(
    (
        "id",
        "class",
        "per_arch",
        "paths",
        "not_paths",
        "functions",
        "words",
        "unless",
        "why",
        *_NAME_KEYS,
    )
)
_WORD = re.compile(r"[A-Za-z_][\w-]*")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: the class it gives and the conditions it needs."""

    id: str
    klass: str
    per_arch: bool
    paths: tuple[str, ...]
    not_paths: tuple[str, ...]
    functions: tuple[str, ...]
    words: tuple[str, ...]
    names: tuple[tuple[str, tuple[str, ...]], ...]  # (key, patterns) of the name conditions
    unless: tuple[str, ...]  # classes that, given to the hunk by an earlier rule, stop this one
    why: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules of one file and the order classes are listed in."""

    source: str
    classes: tuple[str, ...]
    rules: tuple[Rule, ...]


def _strings(value: object, path: Path, where: str, text: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"{where}: expected a string or a list of strings", path, line_of(text, where))


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read a rules file (the bundled one by default) and check every rule."""
    source = Path(path) if path is not None else DEFAULT_RULES
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingInputError("no such rules file", source) from None
    except OSError as exc:
        raise InputError(f"cannot read rules: {exc.strerror}", source) from None
    data = parse_toml(text, source, InputError)
    classes = _strings(data.get("classes", []), source, "classes", text)
    if OTHER not in classes:
        classes = (*classes, OTHER)
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not entries:
        raise InputError("no [[rule]] tables", source)
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, 1):
        rules.append(_rule(entry, index, classes, seen, source, text))
    return RuleSet(str(source), classes, tuple(rules))


def _rule(
    entry: object, index: int, classes: tuple[str, ...], seen: set[str], source: Path, text: str
) -> Rule:
    if not isinstance(entry, dict):
        raise InputError(f"rule {index} is not a table", source)
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise InputError(f"rule {index} has no id", source)
    line = line_of(text, f'"{rule_id}"')
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise InputError(f"rule {rule_id}: unknown keys {', '.join(unknown)}", source, line)
    if rule_id in seen:
        raise InputError(f"rule {rule_id}: id used twice", source, line)
    seen.add(rule_id)
    klass = entry.get("class")
    if klass not in classes:
        raise InputError(f"rule {rule_id}: class {klass!r} not in classes", source, line)
    names = tuple(
        (key, _strings(entry[key], source, f"{rule_id}.{key}", text))
        for key in _NAME_KEYS
        if key in entry
    )

    def strings(key: str) -> tuple[str, ...]:
        """The rule's list of strings under `key`, empty when absent."""
        return _strings(entry.get(key, []), source, f"{rule_id}.{key}", text)

    rule = Rule(
        id=rule_id,
        klass=str(klass),
        per_arch=bool(entry.get("per_arch", False)),
        paths=strings("paths"),
        not_paths=strings("not_paths"),
        functions=strings("functions"),
        words=tuple(w.lower() for w in strings("words")),
        names=names,
        unless=strings("unless"),
        why=str(entry.get("why", "")),
    )
    unknown_classes = [c for c in rule.unless if c not in classes]
    if unknown_classes:
        raise InputError(f"rule {rule_id}: unless names unknown classes", source, line)
    if not (rule.paths or rule.functions or rule.words or rule.names):
        raise InputError(f"rule {rule_id}: no condition", source, line)
    return rule


def description_words(text: str) -> frozenset[str]:
    """The lower-cased words of a patch's subject and description, for `words` conditions."""
    return frozenset(w.lower() for w in _WORD.findall(text))


@cache
def _glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a rule's globs, so a value is tested once, not once per glob."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))


def _any(patterns: tuple[str, ...], values: tuple[str, ...] | frozenset[str]) -> list[str]:
    test = _glob(patterns).match
    return [v for v in values if test(v)]


def _names(facts: HunkFacts, key: str) -> tuple[str, ...]:
    if key == "touches":
        return (*facts.defines, *facts.removes, *facts.uses, *facts.old_uses, *facts.calls)
    if key == "uses":
        return (*facts.uses, *facts.old_uses)
    if key == "adds":
        return tuple(n for n in facts.uses if n not in facts.old_uses)
    value: tuple[str, ...] = getattr(facts, key)
    return value


def match(rule: Rule, facts: HunkFacts, words: frozenset[str]) -> Evidence | None:
    """The evidence for `rule` on a hunk, or None when one of its conditions fails."""
    reasons: list[str] = []
    lines: dict[int, None] = {}
    if rule.paths:
        if not _any(rule.paths, (facts.file,)):
            return None
        reasons.append(f"path {facts.file}")
    if rule.not_paths and _any(rule.not_paths, (facts.file,)):
        return None
    if rule.functions:
        hits = _any(rule.functions, facts.functions)
        if not hits:
            return None
        reasons.append(f"in {', '.join(hits)}()")
    rows = dict(facts.rows)
    for key, patterns in rule.names:
        hits = list(dict.fromkeys(_any(patterns, _names(facts, key))))
        if not hits:
            return None
        reasons.append(f"{key} {', '.join(hits)}")
        for hit in hits:
            lines.update(dict.fromkeys(rows.get(hit, ())))
    if rule.words:
        hits = sorted(_any(rule.words, words))
        if not hits:
            return None
        reasons.append(f"description says {', '.join(hits)}")
    return Evidence(
        rule=rule.id,
        file=facts.file,
        header=facts.header,
        lines=tuple(sorted(lines)) or (facts.patch_line,),
        reason="; ".join(reasons),
    )
