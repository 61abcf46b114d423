/* generated from archs/x86_64.toml by rfp-toolkit, do not edit */
/*
 * x86_64, 4-level paging with 4 KB pages: file PTEs, solver layout.
 *  bit 0: PRESENT: constant 0, pte_present() tests it
 *  bit 1: RW: kept protection bit, at its own position
 *  bit 2: PROTNONE: kept protection bit, moved from bit 7 (pte_present() tests it)
 *  bits 3..5: pgoff bits 0..2
 *  bit 6: DIRTY/FILE: constant 1, pte_file() needs it
 *  bit 7: PSE/PROTNONE: constant 0, pte_present() tests it
 *  bits 8..62: pgoff bits 3..57
 *  bit 63: NX: kept protection bit, at its own position
 */
#define PTE_FILE_MAX_BITS	58

#define pte_file(pte) \
	((pte_val(pte) & 0x40ULL) != 0)

#define pte_to_pgoff(pte) \
	((unsigned long)( \
		((pte_val(pte) >> 3) & 0x7ULL) | \
		(((pte_val(pte) >> 8) & 0x7fffffffffffffULL) << 3)))

#define pgoff_prot_to_pte(off, prot) \
	__pte( \
		(((off) & 0x7ULL) << 3) | \
		((((off) >> 3) & 0x7fffffffffffffULL) << 8) | \
		(((pgprot_val(prot) >> 1) & 0x1ULL) << 1) | \
		(((pgprot_val(prot) >> 7) & 0x1ULL) << 2) | \
		(((pgprot_val(prot) >> 63) & 0x1ULL) << 63) | \
		0x40ULL)

#define pte_to_pgprot(pte) \
	__pgprot( \
		(((pte_val(pte) >> 1) & 0x1ULL) << 1) | \
		(((pte_val(pte) >> 2) & 0x1ULL) << 7) | \
		(((pte_val(pte) >> 63) & 0x1ULL) << 63))
