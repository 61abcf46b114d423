"""Model of the helpers patches 02 and 17 add to include/linux/pagemap.h."""

from __future__ import annotations

from toolkit.model.include.linux.mm import (
    VM_NONLINEAR,
    VM_NONUNIFORM,
    linear_page_index,
    vm_area_struct,
)


def save_nonlinear_pte(prot: int, index: int, vma: vm_area_struct, address: int) -> bool:
    """Model of save_nonlinear_pte() in include/linux/pagemap.h (patch 02).

    Whether a PTE must become a file PTE when unmapped: it must when the page is not at its
    linear offset in a nonlinear VMA, or when its protection differs from the default of a
    non-uniform VMA.
    """
    if vma.vm_flags & VM_NONLINEAR and index != linear_page_index(vma, address):
        return True
    return bool(vma.vm_flags & VM_NONUNIFORM) and prot != vma.vm_page_prot


def save_nonuniform_pte(prot: int, vma: vm_area_struct) -> bool:
    """Model of save_nonuniform_pte() in include/linux/pagemap.h (patch 17).

    Keep a linear page's own protection.
    """
    return bool(vma.vm_flags & VM_NONUNIFORM) and prot != vma.vm_page_prot
