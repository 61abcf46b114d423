/* generated from archs/um.toml by rfp-toolkit, do not edit */
/*
 * um (User-mode Linux), 2-level page tables on a 32-bit host: file PTEs, solver layout.
 *  bit 0: PRESENT: constant 0, pte_present() tests it
 *  bit 1: NEWPAGE: constant 0, reserved
 *  bit 2: PROTNONE: kept protection bit, moved from bit 4 (pte_present() tests it)
 *  bit 3: FILE: constant 1, pte_file() needs it
 *  bit 4: PROTNONE: constant 0, pte_present() tests it
 *  bit 5: RW: kept protection bit, at its own position
 *  bits 6..31: pgoff bits 0..25
 */
#define PTE_FILE_MAX_BITS	26

#define pte_file(pte) \
	((pte_val(pte) & 0x8UL) != 0)

#define pte_to_pgoff(pte) \
	((unsigned long)( \
		((pte_val(pte) >> 6) & 0x3ffffffUL)))

#define pgoff_prot_to_pte(off, prot) \
	__pte( \
		(((off) & 0x3ffffffUL) << 6) | \
		(((pgprot_val(prot) >> 5) & 0x1UL) << 5) | \
		(((pgprot_val(prot) >> 4) & 0x1UL) << 2) | \
		0x8UL)

#define pte_to_pgprot(pte) \
	__pgprot( \
		(((pte_val(pte) >> 5) & 0x1UL) << 5) | \
		(((pte_val(pte) >> 2) & 0x1UL) << 4))
