"""Write a scenario back as a scenario TOML file that load_scenario() reads to the same ops."""

from __future__ import annotations

import json
import re

# _KEYS is the format's own table of the keys each op takes: reading it keeps the writer from
# emitting a key the reader would refuse.
from toolkit.scenario.format import _KEYS, ADVICE, FLAGS, PROTS, Op, OpKind, Scenario

_PROT_NAMES = {value: name for name, value in PROTS.items()}
_ADVICE_NAMES = {value: name for name, value in ADVICE.items()}
# An op's `pages` when the file leaves it out (format._op's default).
_DEFAULT_PAGES = 1


def _string(text: str) -> str:
    # JSON's string escapes are a subset of TOML's basic strings.
    return json.dumps(text)


def _expect(text: str) -> str:
    """The TOML value whose canonical text (format.render_value) is `text`."""
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        items = [item.strip() for item in inner.split(",")] if inner else []
        return "[" + ", ".join(_expect(item) for item in items) + "]"
    if re.fullmatch(r"-?\d+", text):
        return text
    return _string(text)


def _flags(flags: int) -> str:
    names = [name for name, bit in FLAGS.items() if flags & bit]
    known = 0
    for bit in FLAGS.values():
        known |= bit
    return str(flags) if flags & ~known else _string("|".join(names))


def _op_lines(op: Op) -> list[str]:
    keys = _KEYS[op.kind]
    lines = ["[[op]]", f"do = {_string(op.kind.value)}"]
    if op.pid:
        lines.append(f"pid = {op.pid}")
    for key in ("name", "file", "at"):
        value = getattr(op, key)
        if key in keys and value:
            lines.append(f"{key} = {_string(value)}")
    if "page" in keys and op.page:
        lines.append(f"page = {op.page}")
    if "pages" in keys and (op.pages != _DEFAULT_PAGES or len(op.values) > 1):
        lines.append(f"pages = {op.pages}")
    if "prot" in keys and (op.prot or op.kind is OpKind.MMAP) and not op.prots:
        lines.append(
            f"prot = {_string(_PROT_NAMES[op.prot]) if op.prot in _PROT_NAMES else op.prot}"
        )
    if op.prots:
        lines.append(
            "prots = [" + ", ".join(_string(_PROT_NAMES.get(p, str(p))) for p in op.prots) + "]"
        )
    if "flags" in keys and op.flags:
        lines.append(f"flags = {_flags(op.flags)}")
    if "pgoff" in keys and op.pgoff is not None:
        lines.append(f"pgoff = {op.pgoff}")
    if op.kind is OpKind.MADVISE:
        lines.append(f"advice = {_string(_ADVICE_NAMES[op.advice])}")
    if op.each:
        lines.append("each = true")
    if op.fill_index:
        lines.append('fill = "index"')
    elif len(op.values) == 1:
        lines.append(f"value = {op.values[0]}")
    elif op.values:
        lines.append("values = [" + ", ".join(str(v) for v in op.values) + "]")
    for key in ("expect", "expect_emulated", "expect_fits"):
        value = getattr(op, key)
        if value is not None:
            lines.append(f"{key} = {_expect(value)}")
    if op.note:
        lines.append(f"note = {_string(op.note)}")
    return lines


def dump_scenario(scenario: Scenario) -> str:
    """The TOML text of `scenario`."""
    out = [f"title = {_string(scenario.title)}"]
    if scenario.description:
        out.append(f"description = {_string(scenario.description)}")
    if scenario.limits:
        # Where the suite's files put it: the arch limits come before the setup.
        out += ["", "[limits]"]
        out += [f"{limit.value} = {_string(why)}" for limit, why in scenario.limits]
    out += ["", "[setup]"]
    files = []
    for spec in scenario.files:
        fill = "index" if spec.fill_index else "zero"
        mode = "rw" if spec.writable else "r"
        extra = ", noexec = true" if spec.noexec else ""
        files.append(
            f'{{ name = {_string(spec.name)}, pages = {spec.pages}, fill = "{fill}", '
            f'mode = "{mode}"{extra} }}'
        )
    out.append("files = [" + ", ".join(files) + "]")
    if scenario.max_map_count is not None:
        out.append(f"max_map_count = {scenario.max_map_count}")
    if scenario.arch_opt_in is not None:
        out.append(f"arch_opt_in = {'true' if scenario.arch_opt_in else 'false'}")
    for op in scenario.ops:
        out.append("")
        out.extend(_op_lines(op))
    return "\n".join(out) + "\n"
