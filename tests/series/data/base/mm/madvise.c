/*
 *	linux/mm/madvise.c
 *
 * madvise(): hints about how a range will be used (excerpt).
 *
 * Synthetic pre-patch file of the rfp-toolkit test tree (2.6.13-like).
 */

#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/syscalls.h>
#include <linux/hugetlb.h>

/*
 * MADV_SEQUENTIAL and MADV_RANDOM only set vma flags that steer
 * readahead.
 */
static long madvise_behavior(struct vm_area_struct * vma, unsigned long start,
			     unsigned long end, int behavior)
{
	struct mm_struct * mm = vma->vm_mm;
	int error = 0;

	if (start != vma->vm_start) {
		error = split_vma(mm, vma, start, 1);
		if (error)
			goto out;
	}

	if (end != vma->vm_end) {
		error = split_vma(mm, vma, end, 0);
		if (error)
			goto out;
	}

	VM_ClearReadHint(vma);

	switch (behavior) {
	case MADV_SEQUENTIAL:
		vma->vm_flags |= VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		vma->vm_flags |= VM_RAND_READ;
		break;
	default:
		break;
	}

out:
	if (error == -ENOMEM)
		error = -EAGAIN;
	return error;
}

/*
 * MADV_DONTNEED: the caller does not need the data any more, so the
 * pages are dropped at once.  A later access faults them in again:
 * from the file for file mappings, as zero pages for anonymous ones.
 */
static long madvise_dontneed(struct vm_area_struct * vma,
			     unsigned long start, unsigned long end)
{
	if ((vma->vm_flags & VM_LOCKED) || is_vm_hugetlb_page(vma))
		return -EINVAL;

	if (unlikely(vma->vm_flags & VM_NONLINEAR)) {
		struct zap_details details = {
			.nonlinear_vma = vma,
			.last_index = ULONG_MAX,
		};
		zap_page_range(vma, start, end - start, &details);
	} else
		zap_page_range(vma, start, end - start, NULL);
	return 0;
}

static long madvise_vma(struct vm_area_struct * vma, unsigned long start,
			unsigned long end, int behavior)
{
	long error = -EBADF;

	switch (behavior) {
	case MADV_NORMAL:
	case MADV_SEQUENTIAL:
	case MADV_RANDOM:
		error = madvise_behavior(vma, start, end, behavior);
		break;

	case MADV_WILLNEED:
		error = madvise_willneed(vma, start, end);
		break;

	case MADV_DONTNEED:
		error = madvise_dontneed(vma, start, end);
		break;

	default:
		error = -EINVAL;
		break;
	}

	return error;
}
