#ifndef __I386_MMAN_H__
#define __I386_MMAN_H__

/*
 * mmap() and mprotect() flags for i386.
 * Synthetic pre-patch file of the rfp-toolkit test tree.
 */

#define PROT_READ	0x1		/* readable */
#define PROT_WRITE	0x2		/* writable */
#define PROT_EXEC	0x4		/* executable */
#define PROT_SEM	0x8		/* usable for atomic operations */
#define PROT_NONE	0x0		/* no access */
#define PROT_GROWSDOWN	0x01000000	/* extends to the start of a growsdown vma */
#define PROT_GROWSUP	0x02000000	/* extends to the end of a growsup vma */

#define MAP_SHARED	0x01		/* changes are visible to others */
#define MAP_PRIVATE	0x02		/* changes are copy-on-write */
#define MAP_TYPE	0x0f		/* mask of the mapping type */
#define MAP_FIXED	0x10		/* place the mapping exactly at addr */
#define MAP_ANONYMOUS	0x20		/* no backing file */

#define MAP_GROWSDOWN	0x0100		/* stack-like segment */
#define MAP_DENYWRITE	0x0800		/* ETXTBSY */
#define MAP_EXECUTABLE	0x1000		/* mark it as an executable */
#define MAP_LOCKED	0x2000		/* pages are locked */
#define MAP_NORESERVE	0x4000		/* no swap reservation */
#define MAP_POPULATE	0x8000		/* prefault the page tables */
#define MAP_NONBLOCK	0x10000		/* with MAP_POPULATE: do not wait for I/O */

#define MS_ASYNC	1		/* schedule the writes */
#define MS_INVALIDATE	2		/* drop other mappings of the data */
#define MS_SYNC		4		/* write synchronously */

#define MCL_CURRENT	1		/* lock what is mapped now */
#define MCL_FUTURE	2		/* lock what gets mapped later */

#endif /* __I386_MMAN_H__ */
