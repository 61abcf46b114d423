#ifndef _X86_64_PGTABLE_H
#define _X86_64_PGTABLE_H

/*
 * x86-64 page table layout and PTE helpers.
 * Synthetic pre-patch file of the rfp-toolkit test tree.
 */

#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_ACCESSED	5
#define _PAGE_BIT_DIRTY		6
#define _PAGE_BIT_PSE		7
#define _PAGE_BIT_NX		63

#define _PAGE_PRESENT	0x001
#define _PAGE_RW	0x002
#define _PAGE_USER	0x004
#define _PAGE_PWT	0x008
#define _PAGE_PCD	0x010
#define _PAGE_ACCESSED	0x020
#define _PAGE_DIRTY	0x040
#define _PAGE_PSE	0x080	/* 2 MB page */
#define _PAGE_FILE	0x040	/* not present: nonlinear file mapping */
#define _PAGE_GLOBAL	0x100
#define _PAGE_PROTNONE	0x080	/* not present: PROT_NONE page */
#define _PAGE_NX	(1UL << _PAGE_BIT_NX)

#define PAGE_NONE	__pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)

#define pte_present(x)	(pte_val(x) & (_PAGE_PRESENT | _PAGE_PROTNONE))
#define pte_none(x)	(!pte_val(x))

static inline int pte_user(pte_t pte)	{ return pte_val(pte) & _PAGE_USER; }
static inline int pte_read(pte_t pte)	{ return pte_val(pte) & _PAGE_USER; }
static inline int pte_exec(pte_t pte)	{ return pte_val(pte) & _PAGE_USER; }
static inline int pte_dirty(pte_t pte)	{ return pte_val(pte) & _PAGE_DIRTY; }
static inline int pte_young(pte_t pte)	{ return pte_val(pte) & _PAGE_ACCESSED; }
static inline int pte_write(pte_t pte)	{ return pte_val(pte) & _PAGE_RW; }
static inline int pte_file(pte_t pte)	{ return pte_val(pte) & _PAGE_FILE; }

/*
 * A file PTE keeps the flag bits below PAGE_SHIFT and holds the offset
 * where the page frame number would be.
 */
#define pte_to_pgoff(pte) ((pte_val(pte) & PHYSICAL_PAGE_MASK) >> PAGE_SHIFT)
#define pgoff_to_pte(off) ((pte_t) { ((off) << PAGE_SHIFT) | _PAGE_FILE })
#define PTE_FILE_MAX_BITS __PHYSICAL_MASK_SHIFT

/* Swap entries: type in bits 1-6, offset from bit 8. */
#define __swp_type(x)			(((x).val >> 1) & 0x3f)
#define __swp_offset(x)			((x).val >> 8)
#define __swp_entry(type, offset)	((swp_entry_t) { ((type) << 1) | ((offset) << 8) })
#define __pte_to_swp_entry(pte)		((swp_entry_t) { pte_val(pte) })
#define __swp_entry_to_pte(x)		((pte_t) { (x).val })

#include <asm-generic/pgtable.h>

#endif /* _X86_64_PGTABLE_H */
