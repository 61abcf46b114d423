"""Every bundled rule fires on a hand-written hunk, and bad rules files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.classify.build import hunk
from toolkit.classify.engine import classify_hunk
from toolkit.classify.facts import hunk_facts
from toolkit.classify.rules import description_words, load_rules
from toolkit.errors import InputError, MissingInputError

SYS_RFP = "asmlinkage long sys_remap_file_pages(unsigned long start, unsigned long size,"
INSTALL_FILE_PTE = "int install_file_pte(struct mm_struct *mm, struct vm_area_struct *vma,"

# rule id -> (path, hunk section, hunk body, patch description): a hunk the rule must fire on.
FIRES: dict[str, tuple[str, str, str, str]] = {
    "pte-encoding/arch-macros": (
        "include/asm-um/pgtable-2level.h",
        "",
        "+#define pte_to_pgprot(pte) __pgprot(pte_val(pte) & _PAGE_RW)\n",
        "",
    ),
    "pte-encoding/file-pte-decision": (
        "include/linux/pagemap.h",
        "",
        "+static inline int save_nonlinear_pte(pte_t pte, struct vm_area_struct *vma)\n"
        "+{\n+\treturn 1;\n+}\n",
        "",
    ),
    "pte-encoding/install-prot": (
        "mm/fremap.c",
        INSTALL_FILE_PTE,
        "-\tset_pte(pte, pgoff_to_pte(pgoff));\n+\tset_pte(pte, pgoff_prot_to_pte(pgoff, prot));\n",
        "",
    ),
    "vma-flags/nonuniform-flag": (
        "include/linux/mm.h",
        "",
        "+#define VM_NONUNIFORM\t0x01000000\n",
        "",
    ),
    "vma-flags/set-flags": ("mm/fremap.c", SYS_RFP, "+\t\tvma->vm_flags |= VM_NONLINEAR;\n", ""),
    "syscall-abi/map-flag": ("include/asm-ppc/mman.h", "", "+#define MAP_NOINHERIT\t0x20000\n", ""),
    "syscall-abi/syscall-checks": ("mm/fremap.c", SYS_RFP, "+\t\treturn -EOVERFLOW;\n", ""),
    "syscall-abi/private-vma": (
        "mm/fremap.c",
        SYS_RFP,
        "+\tif (!(vma->vm_flags & VM_SHARED) && pgoff != linear_pgoff)\n+\t\tgoto out;\n",
        "",
    ),
    "fault-path/fault-codes": ("include/linux/mm.h", "", "+#define VM_FAULT_SIGSEGV\t0x04\n", ""),
    "fault-path/fault-handlers": (
        "mm/memory.c",
        "static int do_file_page(struct mm_struct * mm, struct vm_area_struct * vma,",
        "+\tpgprot_t pgprot = pte_to_pgprot(orig);\n",
        "",
    ),
    "permission-check/check-perms": (
        "mm/memory.c",
        "",
        "+\tif (!check_perms(vma, access_mask))\n+\t\tgoto out_segv;\n",
        "",
    ),
    "get-user-pages/may-rights": (
        "mm/memory.c",
        "int get_user_pages(struct task_struct *tsk, struct mm_struct *mm,",
        "+\t\t\tint access = write ? VM_MAYWRITE : VM_MAYREAD;\n",
        "",
    ),
    "fault-path/fault-callers": (
        "mm/memory.c",
        "int get_user_pages(struct task_struct *tsk, struct mm_struct *mm,",
        "+\t\t\tcase VM_FAULT_SIGSEGV:\n+\t\t\t\treturn i ? i : -EFAULT;\n",
        "",
    ),
    "populate/map-populate": (
        "mm/mmap.c",
        "unsigned long do_mmap_pgoff(struct file * file, unsigned long addr,",
        "-\tif (flags & MAP_POPULATE && (vm_flags & VM_SHARED)) {\n"
        "+\tif (flags & MAP_POPULATE) {\n",
        "",
    ),
    "arch-opt-in/documented": (
        "Documentation/feature-removal-schedule.txt",
        "",
        "+What:\tthe __ARCH_SUPPORTS_VM_NONUNIFORM opt-in\n",
        "",
    ),
    "get-user-pages/file-write": (
        "mm/memory.c",
        "",
        "-\t\tentry = maybe_mkwrite(entry, vma);\n+\t\tentry = maybe_mkwrite_file(entry, vma);\n",
        "",
    ),
    "mprotect/change-protection": (
        "mm/mprotect.c",
        "change_protection(struct vm_area_struct *vma, unsigned long start,",
        "+\tif (vma->vm_flags & VM_NONUNIFORM)\n+\t\treturn;\n",
        "",
    ),
    "swapout-rmap/rmap": (
        "mm/rmap.c",
        "static void try_to_unmap_cluster(unsigned long cursor,",
        "+\t\tif (save_nonlinear_pte(pteval, vma))\n",
        "",
    ),
    "swapout-rmap/nonuniform-helper": (
        "include/linux/pagemap.h",
        "",
        "+static inline int save_nonuniform_pte(pte_t pte, struct vm_area_struct *vma)\n"
        "+{\n+\treturn 0;\n+}\n",
        "",
    ),
    "zap-truncate/zap": (
        "mm/memory.c",
        "static void zap_pte_range(struct mmu_gather *tlb, pmd_t *pmd,",
        "+\t\tif (details && details->prot_none_ptes)\n+\t\t\tcontinue;\n",
        "",
    ),
    "zap-truncate/zap-details": (
        "include/linux/mm.h",
        "",
        " struct zap_details {\n \tpgoff_t last_index;\n+\tint prot_none_ptes;\n };\n",
        "",
    ),
    "populate/populate": (
        "mm/shmem.c",
        "static int shmem_populate(struct vm_area_struct *vma,",
        "+\tif (pgprot_val(prot) == pgprot_val(PAGE_NONE))\n+\t\tgoto zap;\n",
        "",
    ),
    "populate/install-file-pte": (
        "mm/fremap.c",
        INSTALL_FILE_PTE,
        "+\tif (!(vma->vm_flags & VM_NONUNIFORM))\n+\t\treturn 0;\n",
        "",
    ),
    "tlb/uml-tlb": (
        "arch/um/kernel/trap_kern.c",
        "int handle_page_fault(unsigned long address, unsigned long ip,",
        "+\t\tif (pte_newpage(*pte))\n+\t\t\tflush_tlb_page(vma, address);\n",
        "",
    ),
    "arch-port/arch-code": (
        "arch/x86_64/mm/fault.c",
        "asmlinkage void do_page_fault(struct pt_regs *regs, unsigned long error_code)",
        "+\tcase VM_FAULT_SIGSEGV:\n+\t\tgoto bad_area;\n",
        "",
    ),
    "arch-opt-in/define": (
        "include/asm-um/pgtable.h",
        "",
        "+#define __ARCH_SUPPORTS_VM_NONUNIFORM\n",
        "",
    ),
    "optimization/described": (
        "mm/fremap.c",
        INSTALL_FILE_PTE,
        "+\tif (pte_none(*pte))\n+\t\treturn 0;\n",
        "Optimize the uniform case: an empty PTE stays empty.",
    ),
    "documentation/docs": (
        "Documentation/feature-removal-schedule.txt",
        "",
        "+What:\tsomething old\n+When:\tlater\n",
        "",
    ),
}


def _fired(rule_id: str) -> dict[str, list[str]]:
    path, section, body, description = FIRES[rule_id]
    facts = hunk_facts(path, hunk(body, section=section))
    classes = classify_hunk(facts, load_rules(), description_words(description))
    return {c.name: [e.rule for e in c.evidence] for c in classes}


def test_every_rule_has_a_fixture() -> None:
    """Each rule of the bundled file has a hand-written hunk below (and no fixture is stale)."""
    assert {r.id for r in load_rules().rules} == set(FIRES)


@pytest.mark.parametrize("rule_id", sorted(FIRES))
def test_rule_fires(rule_id: str) -> None:
    """The rule gives its class to its hunk, with the rule named in the evidence."""
    klass = next(r.klass for r in load_rules().rules if r.id == rule_id)
    fired = _fired(rule_id)
    assert any(name.split(":")[0] == klass and rule_id in ids for name, ids in fired.items())


def test_arch_classes_name_the_arch() -> None:
    """Arch hunks carry their arch in the class name."""
    assert "arch-port:x86_64" in _fired("arch-port/arch-code")
    assert "arch-opt-in:um" in _fired("arch-opt-in/define")


def test_nothing_matches_is_other() -> None:
    """A hunk no rule matches is classed `other` without evidence, never dropped."""
    facts = hunk_facts("lib/string.c", hunk("+\tcount++;\n"))
    classes = classify_hunk(facts, load_rules(), frozenset())
    assert [(c.name, c.evidence) for c in classes] == [("other", ())]


def test_evidence_points_at_the_lines() -> None:
    """Evidence names the patch lines that carry the matched identifiers."""
    facts = hunk_facts(
        "include/linux/mm.h", hunk(" #define VM_NONLINEAR 0x1\n+#define VM_NONUNIFORM 0x2\n")
    )
    (klass,) = classify_hunk(facts, load_rules(), frozenset())
    (evidence,) = klass.evidence
    assert (evidence.file, evidence.lines, evidence.rule) == (
        "include/linux/mm.h",
        (7,),
        "vma-flags/nonuniform-flag",
    )
    assert evidence.header == "@@ -10,1 +10,2 @@"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("x = 1\ny = = 2\n", "not valid TOML", 2),
        ('classes = ["a"]\n', "no .* tables", None),
        ('[[rule]]\nid = "x"\nclass = "other"\nwat = 1\n', "unknown keys wat", 2),
        ('[[rule]]\nid = "x"\nclass = "other"\n', "no condition", 2),
        ('[[rule]]\nid = "x"\nclass = "other"\npaths = 3\n', "expected a string", None),
        (
            '[[rule]]\nid = "x"\nclass = "other"\npaths = "*"\n'
            '[[rule]]\nid = "x"\nclass = "other"\npaths = "*"\n',
            "id used twice",
            2,
        ),
    ],
)
def test_bad_rules(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    """A malformed rules file is an InputError naming the file and, where known, the line."""
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        load_rules(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line


def test_missing_rules_file(tmp_path: Path) -> None:
    """A rules path that does not exist is a MissingInputError."""
    with pytest.raises(MissingInputError):
        load_rules(tmp_path / "none.toml")
