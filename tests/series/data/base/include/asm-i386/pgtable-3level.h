#ifndef _I386_PGTABLE_3LEVEL_H
#define _I386_PGTABLE_3LEVEL_H

/*
 * Three-level i386 page tables (PAE): a pte_t is a pair of 32-bit words,
 * pte_low and pte_high.
 * Synthetic pre-patch file of the rfp-toolkit test tree.
 */

static inline int pte_write(pte_t pte)	{ return (pte).pte_low & _PAGE_RW; }
static inline int pte_dirty(pte_t pte)	{ return (pte).pte_low & _PAGE_DIRTY; }
static inline int pte_young(pte_t pte)	{ return (pte).pte_low & _PAGE_ACCESSED; }

static inline int pte_same(pte_t a, pte_t b)
{
	return a.pte_low == b.pte_low && a.pte_high == b.pte_high;
}

static inline int pte_none(pte_t pte)
{
	return !pte.pte_low && !pte.pte_high;
}

static inline unsigned long pte_pfn(pte_t pte)
{
	return (pte.pte_low >> PAGE_SHIFT) | (pte.pte_high << (32 - PAGE_SHIFT));
}

/*
 * The low word of a file PTE is taken by PRESENT, FILE and PROTNONE;
 * the whole high word holds the 32-bit file offset.
 */
#define pte_to_pgoff(pte) ((pte).pte_high)
#define pgoff_to_pte(off) ((pte_t) { _PAGE_FILE, (off) })
#define PTE_FILE_MAX_BITS       32

/* Swap entries keep the low word clear (so PRESENT is too). */
#define __swp_type(x)			(((x).val) & 0x1f)
#define __swp_offset(x)			((x).val >> 5)
#define __swp_entry(type, offset)	((swp_entry_t){(type) | (offset) << 5})
#define __pte_to_swp_entry(pte)		((swp_entry_t){ (pte).pte_high })
#define __swp_entry_to_pte(x)		((pte_t){ 0, (x).val })

#endif /* _I386_PGTABLE_3LEVEL_H */
