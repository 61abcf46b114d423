"""Hunk facts: old and new side parsed, definitions diffed, functions and arch found."""

from __future__ import annotations

import pytest

from tests.classify.build import hunk
from toolkit.classify.facts import arch_of, hunk_facts, section_function


def test_renamed_macro_is_removed_and_defined() -> None:
    """Replacing pgoff_to_pte by pgoff_prot_to_pte removes one and defines the other."""
    facts = hunk_facts(
        "include/asm-i386/pgtable-2level.h",
        hunk(
            " #define pte_to_pgoff(pte) ((pte).pte_low >> 1)\n"
            "-#define pgoff_to_pte(off) ((pte_t) { (off) << 1 })\n"
            "+#define pgoff_prot_to_pte(off, prot) ((pte_t) { (off) << 2 })\n"
            "-#define PTE_FILE_MAX_BITS 29\n"
            "+#define PTE_FILE_MAX_BITS 28\n"
        ),
    )
    assert facts.removes == ("pgoff_to_pte",)
    assert set(facts.defines) == {"pgoff_prot_to_pte", "PTE_FILE_MAX_BITS"}
    assert facts.introduces == ("pgoff_prot_to_pte",)
    assert facts.signatures == ("pgoff_prot_to_pte(off, prot)",)
    assert facts.arch == "i386"
    assert "pte_to_pgoff" not in facts.defines


def test_uses_calls_and_returns_on_changed_lines_only() -> None:
    """Identifiers of context lines are kept apart from those of changed lines."""
    facts = hunk_facts(
        "mm/fremap.c",
        hunk(
            " \tif (!vma)\n"
            "+\tif (prot && !(flags & MAP_NOINHERIT))\n"
            "+\t\treturn -EINVAL;\n"
            "-\tfoo(bar);\n",
            section="asmlinkage long sys_remap_file_pages(unsigned long start, unsigned long size,",
        ),
    )
    assert "MAP_NOINHERIT" in facts.uses
    assert facts.returns == ("EINVAL",)
    assert facts.calls == ("foo",)
    assert "bar" in facts.old_uses
    assert "vma" in facts.context_uses
    assert facts.functions == ("sys_remap_file_pages",)


def test_function_whose_body_changes() -> None:
    """A function defined inside the hunk whose body has a changed line is named."""
    facts = hunk_facts(
        "mm/memory.c",
        hunk(
            " static int check_perms(struct vm_area_struct *vma, int access_mask)\n"
            " {\n"
            "+\treturn 0;\n"
            " }\n",
            section="static inline void zap_pte_range(struct mmu_gather *tlb,",
        ),
    )
    assert facts.functions == ("zap_pte_range", "check_perms")


def test_text_files_give_words() -> None:
    """A Documentation hunk is not parsed as C, but its words count as uses."""
    facts = hunk_facts("Documentation/feature-removal-schedule.txt", hunk("+What: VM_NONUNIFORM\n"))
    assert facts.uses == ("What", "VM_NONUNIFORM")
    assert facts.defines == ()


@pytest.mark.parametrize(
    ("path", "arch"),
    [
        ("include/asm-i386/mman.h", "i386"),
        ("arch/um/kernel/trap_kern.c", "um"),
        ("include/asm-x86_64/pgtable.h", "x86_64"),
        ("include/asm-generic/pgtable.h", None),
        ("mm/memory.c", None),
    ],
)
def test_arch_of(path: str, arch: str | None) -> None:
    """Arch hunks name their arch from include/asm-ARCH/ and arch/ARCH/."""
    assert arch_of(path) == arch


def test_section_function() -> None:
    """The function a hunk section names is the first name followed by a parenthesis."""
    assert section_function("int install_page(struct mm_struct *mm,") == "install_page"
    assert section_function("struct zap_details {") is None
