"""The prefilter: tree-sitter only where a rule or check may need it, and the same classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.classify.build import hunk
from toolkit.classify.audit import _patches, classify_series
from toolkit.classify.engine import classify_hunk
from toolkit.classify.facts import hunk_facts, quick_facts
from toolkit.classify.prefilter import Prefilter
from toolkit.classify.rules import load_rules
from toolkit.paths import PATCHES

DATA = Path(__file__).resolve().parent / "data"
RULES = load_rules()


@pytest.mark.parametrize(
    "source",
    [PATCHES, DATA / "good", DATA / "use-before-define", DATA / "inconsistent"],
    ids=lambda p: p.name,
)
def test_prefilter_changes_no_outcome(source: Path) -> None:
    """Classes, findings, arch matrix and lifecycles are those of parsing every hunk."""
    fast = classify_series(_patches(source), str(source), RULES, prefilter=True)
    full = classify_series(_patches(source), str(source), RULES, prefilter=False)
    assert [[h.classes for h in p.hunks] for p in fast.audit.patches] == [
        [h.classes for h in p.hunks] for p in full.audit.patches
    ]
    assert fast.audit.findings == full.audit.findings
    assert fast.audit.arches == full.audit.arches
    assert fast.lifecycles == full.lifecycles


def test_the_bundled_series_is_mostly_parsed() -> None:
    """Nearly every hunk of the remap_file_pages series concerns a rule: tree-sitter reads it."""
    prefilter = Prefilter(RULES)
    needs = [
        prefilter.needs_parse(diff.path, h)
        for patch in _patches(PATCHES)
        for diff in patch.files
        for h in diff.hunks
    ]
    assert sum(needs) > 0.8 * len(needs)


def test_what_needs_parsing() -> None:
    """A rule's name, an arch-matrix name or a watched name makes a hunk need parsing."""
    prefilter = Prefilter(RULES)
    plain = hunk(" int a;\n+\tb = a + 1;\n")
    assert not prefilter.needs_parse("fs/inode.c", plain)
    assert prefilter.needs_parse("fs/inode.c", plain, frozenset({"b"}))
    flag = hunk("+\tvma->vm_flags |= VM_NONUNIFORM;\n")
    assert prefilter.needs_parse("mm/fremap.c", flag)
    macro = hunk("+#define PTE_FILE_MAX_BITS 29\n")
    assert prefilter.needs_parse("include/asm-x/pgtable.h", macro)
    # a glob: `zap_*` functions in mm/memory.c
    assert prefilter.needs_parse("mm/memory.c", hunk("+\tx = 1;\n", section="void zap_pte(int x)"))
    assert not prefilter.needs_parse("mm/memory.c", hunk("+\tx = 1;\n", section="void f(int x)"))


def test_quick_facts_find_definitions_and_words() -> None:
    """Regex facts: a new #define and function are introduced, a dropped one removed."""
    facts = quick_facts(
        "fs/x.c",
        hunk(
            " static int keep;\n"
            "-#define OLD_LIMIT 4\n"
            "+#define NEW_LIMIT 8\n"
            "+static int grow(struct inode *inode)\n"
            "+{\n"
            "+\treturn resize(inode, NEW_LIMIT) ? -EINVAL : 0;\n"
            "+}\n",
            section="int caller(void)",
        ),
    )
    assert facts.introduces == ("NEW_LIMIT", "grow")
    assert facts.removes == ("OLD_LIMIT",)
    assert facts.functions == ("caller", "grow")
    assert "resize" in facts.calls and "resize" not in facts.uses
    assert "inode" in facts.uses and "keep" in facts.context_uses
    assert facts.returns == ("EINVAL",)
    assert dict(facts.rows)["NEW_LIMIT"] == (8,)  # its first changed line only


_PATHS = ["mm/memory.c", "mm/fremap.c", "include/asm-i386/pgtable.h", "arch/um/kernel/tlb.c"]
_WORDS = [
    "VM_NONUNIFORM",
    "pgoff_prot_to_pte",
    "MAP_NOINHERIT",
    "zap_pte_range",
    "flush_tlb_page",
    "VM_MAYWRITE",
    "check_perms",
    "foo",
    "bar",
    "count",
]
_SHAPES = ["#define {} 1", "\t{}(x);", "\tx = {};", "int {}(int a)", "\treturn -EINVAL;"]
_LINE = st.tuples(
    st.sampled_from(" +-"),
    st.sampled_from(
        ["#define {} 1", "\t{}(x);", "\tx = {};", "int {}(int a)", "\treturn -EINVAL;"]
    ),
    st.sampled_from(_WORDS),
)


@settings(max_examples=40, deadline=None)
@given(
    path=st.sampled_from([*_PATHS, "fs/inode.c", "Documentation/vm.txt"]),
    lines=st.lists(_LINE, min_size=1, max_size=6),
    section=st.sampled_from(["", "static void zap_pte_range(int x)", "int f(void)"]),
)
def test_unparsed_hunks_get_the_classes_parsing_gives(
    path: str, lines: list[tuple[str, str, str]], section: str
) -> None:
    """A hunk the prefilter lets through unparsed gets the classes a full parse gives it."""
    prefilter = Prefilter(RULES)
    body = hunk(
        "".join(kind + text.format(word) + "\n" for kind, text, word in lines), section=section
    )
    if prefilter.needs_parse(path, body):
        return
    words = frozenset({"fast"})
    parsed = classify_hunk(hunk_facts(path, body), RULES, words)
    quick = classify_hunk(quick_facts(path, body), prefilter.plain, words)
    assert [c.name for c in quick] == [c.name for c in parsed]


def test_quick_old_rows_are_exact_where_the_series_added_text() -> None:
    """Old-side names get their own line only where a hunk meets text the series added."""
    body = hunk(" a = OLD_ONE;\n-b = OLD_TWO;\n+b = NEW_ONE;\n")
    assert dict(quick_facts("fs/x.c", body).old_rows)["OLD_TWO"] == (6,)  # the first old line
    exact = dict(quick_facts("fs/x.c", body, frozenset({7})).old_rows)
    assert (exact["OLD_ONE"], exact["OLD_TWO"]) == ((6,), (7,))
