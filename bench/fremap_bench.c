/*
 * The running kernel's side of the model benchmark: single-page remap_file_pages() calls
 * (prot 0, the only protection today's kernels take) and the faults of touching each page.
 *
 * usage: fremap_bench FILE PAGES
 * prints "remaps PAGES SECONDS" and "faults PAGES SECONDS" on stdout.
 *
 * MAP_NONBLOCK keeps the remap from populating the page, so the touch that follows faults it in
 * (the model gets the same flags).
 *
 * Since Linux 4.0 remap_file_pages() is emulated by splitting the VMA, so every reordered page
 * costs a VMA: PAGES must stay below vm.max_map_count (65530 by default).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile unsigned long sum = 0;
	unsigned char *buf, *map;
	double t0, t1, t2;
	long pages, i;
	int fd;

	if (argc != 3 || (pages = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: %s FILE PAGES\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* Page i holds i, as in the series' test program, and sits in the page cache. */
	buf = calloc(1, page);
	for (i = 0; i < pages; i++) {
		memcpy(buf, &i, sizeof(i));
		if (write(fd, buf, page) != page) {
			perror("write");
			return 1;
		}
	}
	map = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Reversed offsets: no two neighbours stay linear, so nothing merges back. */
	t0 = now();
	for (i = 0; i < pages; i++) {
		if (remap_file_pages(map + i * page, page, 0, pages - 1 - i, MAP_NONBLOCK)) {
			fprintf(stderr, "remap_file_pages page %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	t1 = now();
	for (i = 0; i < pages; i++)
		sum += *(long *)(map + i * page);
	t2 = now();
	if (sum != (unsigned long)(pages * (pages - 1) / 2)) {
		fprintf(stderr, "pages read back wrong: sum %lu\n", (unsigned long)sum);
		return 1;
	}
	printf("remaps %ld %.9f\nfaults %ld %.9f\n", pages, t1 - t0, pages, t2 - t1);
	munmap(map, pages * page);
	close(fd);
	unlink(argv[1]);
	return 0;
}
