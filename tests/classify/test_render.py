"""The audit's renderings: JSON keys exactly as the README documents them, text and Markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from toolkit.classify.audit import audit_path, stat_path
from toolkit.classify.render import render, render_json

DATA = Path(__file__).resolve().parent / "data"
README = Path(__file__).resolve().parents[2] / "README.md"


def _documented() -> dict[str, Any]:
    """The JSON example of the README's `rfp audit` section."""
    text = README.read_text()
    section = text.split("## rfp audit", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert block is not None, "the README's rfp audit section has no json block"
    documented: dict[str, Any] = json.loads(block.group(1))
    return documented


def _same_keys(got: Any, want: Any, where: str = "$") -> None:
    """Objects have exactly the documented keys, recursively; lists are checked element-wise."""
    if isinstance(want, dict) and where != "$.arches":
        assert isinstance(got, dict), where
        assert set(got) == set(want), f"{where}: {sorted(got)} != {sorted(want)}"
        for key in want:
            _same_keys(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, dict):  # arches: keyed by arch name, each like the example
        example = next(iter(want.values()))
        for name, value in got.items():
            _same_keys(value, example, f"{where}.{name}")
    elif isinstance(want, list) and want:
        assert isinstance(got, list), where
        for index, item in enumerate(got):
            _same_keys(item, want[0], f"{where}[{index}]")
    elif want is not None:
        assert (
            got is None
            or isinstance(got, type(want))
            or (isinstance(want, int) and isinstance(got, int))
        ), f"{where}: {got!r} is not like {want!r}"


def test_json_has_the_documented_keys() -> None:
    """Every object of the JSON output has exactly the keys the README lists."""
    for name in ("good", "use-before-define"):
        result = audit_path(DATA / name)
        data = json.loads(render_json(result.audit, result.lifecycles))
        assert data["schema"] == "rfp-audit/1"
        assert data["findings"], "each fixture has a finding, so the findings list is checked"
        assert data["series"]["identifiers"], "and identifiers"
        _same_keys(data, _documented())
    assert data["findings"][0]["patch"] == 1
    good = audit_path(DATA / "good").audit
    assert json.loads(render_json(good))["patches"][0]["hunks"][0]["evidence"], "evidence too"


def test_stat_json_has_the_documented_keys() -> None:
    """The --stat JSON has the same keys, with empty classes and hunks."""
    data = json.loads(render_json(stat_path(DATA / "good").audit))
    _same_keys(data, _documented())
    assert data["patches"][0]["classes"] == [] and data["arches"] == {}
    assert data["series"]["insertions"] == 11


def test_text_lists_patches_arches_and_findings() -> None:
    """The text table names each patch's classes, the arch matrix and the findings."""
    result = audit_path(DATA / "good")
    text = render(result.audit, "text", False, result.lifecycles)
    assert "pte-encoding, vma-flags, syscall-abi, arch-port" in text
    assert re.search(r"^i386 +i386, i386-pae +yes +yes +yes +yes +- +-$", text, re.MULTILINE)
    assert "arch-partial" in text
    assert "[pte-encoding/arch-macros]" not in text


def test_verbose_text_shows_evidence() -> None:
    """--verbose adds each hunk with the rule, line and reason behind each class."""
    result = audit_path(DATA / "good")
    text = render(result.audit, "text", True, result.lifecycles)
    assert "    include/linux/mm.h @@ -160,6 +160,7 @@" in text
    assert "vma-flags [vma-flags/nonuniform-flag] line 47: defines VM_NONUNIFORM" in text
    assert (
        "facts: defines PTE_FILE_MAX_BITS, pgoff_prot_to_pte(off, prot), pte_to_pgoff(pte), "
        "pte_to_pgprot(pte); removes pgoff_to_pte; calls pgprot_val, __pgprot"
    ) in text


def test_markdown_tables() -> None:
    """The Markdown output has a patch table row and an arch table row."""
    result = audit_path(DATA / "good")
    text = render(result.audit, "markdown")
    assert (
        "| 02 | demo: refuse rights beyond the VMA's | vma-flags, syscall-abi | 1 | +5/-0 |" in text
    )
    assert "### Arch coverage" in text


def test_markdown_verbose_lists_hunks() -> None:
    """Markdown with --verbose adds a Hunks section with each hunk's evidence."""
    result = audit_path(DATA / "good")
    text = render(result.audit, "markdown", verbose=True)
    assert "### Hunks" in text
    assert "- vma-flags [vma-flags/nonuniform-flag] line 47: defines VM_NONUNIFORM" in text


def test_text_mode_drops_hunks() -> None:
    """Without keep_hunks the patches keep their classes and counts but not their hunks."""
    light = audit_path(DATA / "good", keep_hunks=False).audit
    full = audit_path(DATA / "good").audit
    assert [p.hunks for p in light.patches] == [(), ()]
    assert [p.classes for p in light.patches] == [p.classes for p in full.patches]
    assert render(light, "text") == render(full, "text")
