/*
 * runner.c: run rfp-toolkit scenario operations on the running Linux kernel.
 *
 * Part of rfp-toolkit; our own code, built on demand by toolkit/kernel/build.py.
 * Usage: runner DIR   (DIR: a disk-backed directory for the scenario's files)
 *
 * It reads one operation a line on stdin and prints one JSON object a line on stdout.
 * Mappings and files are named; pages are counted from the start of a named mapping:
 *
 *   file F PAGES index|zero rw|r        make file F (page i holds i with "index")
 *   mmap M F PAGES PROT FLAGS PGOFF [AT PAGE]
 *   munmap M PAGE PAGES                 mprotect M PAGE PAGES PROT
 *   remap M PAGE PAGES PROT PGOFF FLAGS (noinherit: UML's way, mmap MAP_FIXED|MAP_SHARED)
 *   madvise M PAGE PAGES ADVICE         mincore M PAGE PAGES
 *   read M PAGE                         write M PAGE VALUE
 *   pwrite F PAGE VALUE                 pread F PAGE
 *   ftruncate F BYTES                   swapout [M PAGE PAGES]
 *   vmas
 *
 * PROT is 0-7; FLAGS are names joined by '|' (shared private fixed populate nonblock
 * noinherit) or "-"; ADVICE is normal random sequential willneed dontneed pageout.
 * Bad input: a message on stderr and exit status 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

/* Room for a UML-sized guest: 4 GiB of 4 KiB pages, reserved, never committed. */
#define ARENA_PAGES (1UL << 20)
#define MAX_FILES 120
#define MAX_MAPS 4096
#define NAME_LEN 64
#define LINE_LEN 4096
/* owner[] bit: the page belongs to a shared mapping of file (owner & FILE_MASK) - 1. */
#define OWNER_SHARED 0x80
#define FILE_MASK 0x7f

struct file {
	char name[NAME_LEN];
	int wfd;	/* read-write: pwrite, ftruncate, fsync */
	int mfd;	/* what mmap gets: read-only for an "r" file */
	ino_t ino;
};

struct map {
	char name[NAME_LEN];
	unsigned long page;	/* first arena page */
};

static struct file files[MAX_FILES];
static int nfiles;
static struct map maps[MAX_MAPS];
static int nmaps;
static unsigned char owner[ARENA_PAGES];
static char *arena;
static long page_size;
static unsigned long lineno;
static const char *scratch;	/* the disk-backed directory of the scenario's files */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "runner: line %lu: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void on_fault(int sig)
{
	/* A fault outside an armed access is a bug of the runner: die of it. */
	if (!fault_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_armed = 0;
	siglongjmp(fault_jmp, sig);
}

static const char *signame(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "SIGNAL";
}

/* -- parsing ------------------------------------------------------------- */

static char *next_token(char **save, const char *what)
{
	char *tok = strtok_r(NULL, " \t\r\n", save);

	if (!tok)
		die("missing %s", what);
	return tok;
}

static long long number(char **save, const char *what)
{
	char *tok = next_token(save, what);
	char *end;
	long long value;

	errno = 0;
	value = strtoll(tok, &end, 0);
	if (errno || *end)
		die("%s must be an integer, not '%s'", what, tok);
	return value;
}

static unsigned long count(char **save, const char *what)
{
	long long value = number(save, what);

	if (value < 0 || (unsigned long long)value > ARENA_PAGES)
		die("%s out of range: %lld", what, value);
	return (unsigned long)value;
}

static int find_file(const char *name)
{
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i].name, name))
			return i;
	die("no file named '%s'", name);
}

static struct file *file_arg(char **save)
{
	return &files[find_file(next_token(save, "file name"))];
}

static struct map *lookup_map(const char *name)
{
	for (int i = 0; i < nmaps; i++)
		if (!strcmp(maps[i].name, name))
			return &maps[i];
	return NULL;
}

/* Page `page` of mapping `name` as an arena page; [page, page + pages) must fit the arena. */
static unsigned long resolve(const char *name, long long page, unsigned long pages)
{
	struct map *m = lookup_map(name);

	if (!m)
		die("no mapping named '%s'", name);
	if (page < 0 || m->page + (unsigned long)page + pages > ARENA_PAGES)
		die("page %lld of '%s' is outside the arena", page, name);
	return m->page + (unsigned long)page;
}

/* "M PAGE": the arena page it names. */
static unsigned long where(char **save, unsigned long pages)
{
	const char *name = next_token(save, "mapping name");

	return resolve(name, number(save, "page"), pages);
}

static int flags_arg(char **save, int *noinherit)
{
	char *tok = next_token(save, "flags");
	char *inner, *word;
	int flags = 0;

	*noinherit = 0;
	if (!strcmp(tok, "-") || !strcmp(tok, "0"))
		return 0;
	for (word = strtok_r(tok, "|", &inner); word; word = strtok_r(NULL, "|", &inner)) {
		if (!strcmp(word, "shared"))
			flags |= MAP_SHARED;
		else if (!strcmp(word, "private"))
			flags |= MAP_PRIVATE;
		else if (!strcmp(word, "fixed"))
			flags |= MAP_FIXED;
		else if (!strcmp(word, "populate"))
			flags |= MAP_POPULATE;
		else if (!strcmp(word, "nonblock"))
			flags |= MAP_NONBLOCK;
		else if (!strcmp(word, "noinherit"))
			*noinherit = 1;
		else
			die("unknown flag '%s'", word);
	}
	return flags;
}

/* Any integer: the syscalls see it as C would pass it, so a bad one gets the kernel's errno. */
static long long prot_arg(char **save)
{
	return number(save, "prot");
}

static int advice_arg(char **save)
{
	static const struct { const char *name; int advice; } table[] = {
		{ "normal", MADV_NORMAL },	{ "random", MADV_RANDOM },
		{ "sequential", MADV_SEQUENTIAL }, { "willneed", MADV_WILLNEED },
		{ "dontneed", MADV_DONTNEED },	{ "pageout", MADV_PAGEOUT },
	};
	char *tok = next_token(save, "advice");

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, tok))
			return table[i].advice;
	die("unknown advice '%s'", tok);
}

static void *page_addr(unsigned long page)
{
	return arena + page * (unsigned long)page_size;
}

/* -- the arena ----------------------------------------------------------- */

/*
 * The scenario's mappings live in one reserved PROT_NONE range, so the kernel never puts
 * anything of ours between them and their addresses follow the model's bottom-up first fit.
 * What the reservation still covers is no mapping of the scenario: the runner answers -ENOMEM
 * there where the model finds no VMA.
 */
static void reserve(unsigned long page, unsigned long pages)
{
	/* Best effort: at vm.max_map_count the hole stays a hole. */
	mmap(page_addr(page), pages * (unsigned long)page_size, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
}

static int covered(unsigned long page, unsigned long pages)
{
	for (unsigned long i = page; i < page + pages; i++)
		if (!owner[i])
			return 0;
	return 1;
}

static int is_free(unsigned long page, unsigned long pages)
{
	for (unsigned long i = page; i < page + pages; i++)
		if (owner[i])
			return 0;
	return 1;
}

/* Bottom-up first fit, as the model's get_unmapped_area() does. */
static long first_fit(unsigned long pages)
{
	unsigned long run = 0;

	for (unsigned long i = 0; i < ARENA_PAGES; i++) {
		run = owner[i] ? 0 : run + 1;
		if (run == pages)
			return (long)(i + 1 - pages);
	}
	return -1;
}

static void own(unsigned long page, unsigned long pages, unsigned char value)
{
	memset(owner + page, value, pages);
}

/* -- operations ---------------------------------------------------------- */

static void op_file(char **save)
{
	char path[4096];
	const char *name = next_token(save, "file name");
	unsigned long pages = count(save, "pages");
	const char *fill = next_token(save, "fill");
	const char *mode = next_token(save, "mode");
	struct file *f;
	struct stat st;

	if (nfiles == MAX_FILES)
		die("too many files");
	if (strlen(name) >= NAME_LEN)
		die("file name too long");
	if (strcmp(fill, "index") && strcmp(fill, "zero"))
		die("fill must be index or zero, not '%s'", fill);
	if (strcmp(mode, "rw") && strcmp(mode, "r"))
		die("mode must be rw or r, not '%s'", mode);
	f = &files[nfiles];
	snprintf(path, sizeof(path), "%s/rfp-runner-XXXXXX", scratch);
	f->wfd = mkstemp(path);
	if (f->wfd < 0)
		die("cannot create a file in %s: %s", scratch, strerror(errno));
	/* Unlinked at once: the inode lives while the runner does, nothing is left behind. */
	unlink(path);
	if (ftruncate(f->wfd, (off_t)(pages * (unsigned long)page_size)))
		die("ftruncate: %s", strerror(errno));
	for (unsigned long i = 0; !strcmp(fill, "index") && i < pages; i++) {
		long long value = (long long)i;

		if (pwrite(f->wfd, &value, sizeof(value), (off_t)(i * (unsigned long)page_size)) !=
		    (ssize_t)sizeof(value))
			die("pwrite: %s", strerror(errno));
	}
	f->mfd = f->wfd;
	if (!strcmp(mode, "r")) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f->wfd);
		f->mfd = open(path, O_RDONLY);
		if (f->mfd < 0)
			die("reopen read-only: %s", strerror(errno));
	}
	if (fstat(f->wfd, &st))
		die("fstat: %s", strerror(errno));
	f->ino = st.st_ino;
	strcpy(f->name, name);
	nfiles++;
	printf("{\"ret\":0}\n");
}

static void op_mmap(char **save)
{
	const char *name = next_token(save, "mapping name");
	int fi = find_file(next_token(save, "file name"));
	unsigned long pages = count(save, "pages");
	int prot = (int)prot_arg(save);
	int noinherit;
	int flags = flags_arg(save, &noinherit);
	long long pgoff = number(save, "pgoff");
	char *at = strtok_r(NULL, " \t\r\n", save);
	long start = -1;
	void *got;

	if (strlen(name) >= NAME_LEN)
		die("mapping name too long");
	if (noinherit)
		die("mmap: noinherit is a remap flag");
	if (at) {
		start = (long)resolve(at, number(save, "page"), pages);
		/* Without MAP_FIXED the address is a hint, taken when the range is free. */
		if (!(flags & MAP_FIXED) && !is_free((unsigned long)start, pages))
			start = -1;
	}
	if (!pages) {
		printf("{\"ret\":%d}\n", -EINVAL);
		return;
	}
	if (start < 0)
		start = first_fit(pages);
	if (start < 0) {
		printf("{\"ret\":%d}\n", -ENOMEM);
		return;
	}
	got = mmap(page_addr((unsigned long)start), pages * (unsigned long)page_size, prot,
		   flags | MAP_FIXED, files[fi].mfd, (off_t)(pgoff * page_size));
	if (got == MAP_FAILED) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	own((unsigned long)start, pages,
	    (unsigned char)((fi + 1) | ((flags & MAP_SHARED) ? OWNER_SHARED : 0)));
	{
		struct map *m = lookup_map(name);

		if (!m) {
			if (nmaps == MAX_MAPS)
				die("too many mappings");
			m = &maps[nmaps++];
			strcpy(m->name, name);
		}
		m->page = (unsigned long)start;
	}
	printf("{\"ret\":0}\n");
}

/* "M PAGE PAGES": the range's first arena page; `pages` gets the count. */
static unsigned long range_arg(char **save, unsigned long *pages)
{
	const char *name = next_token(save, "mapping name");
	long long page = number(save, "page");

	*pages = count(save, "pages");
	return resolve(name, page, *pages);
}

static void op_munmap(char **save)
{
	unsigned long pages;
	unsigned long page = range_arg(save, &pages);

	if (munmap(page_addr(page), pages * (unsigned long)page_size)) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	own(page, pages, 0);
	reserve(page, pages);
	printf("{\"ret\":0}\n");
}

static void op_mprotect(char **save)
{
	unsigned long pages;
	unsigned long page = range_arg(save, &pages);
	int prot = (int)prot_arg(save);

	unsigned long mapped = 0;

	/* As the kernel does at a hole: the pages before it are changed, then -ENOMEM. */
	while (mapped < pages && owner[page + mapped])
		mapped++;
	if (mapped < pages) {
		if (mapped)
			mprotect(page_addr(page), mapped * (unsigned long)page_size, prot);
		printf("{\"ret\":%d}\n", -ENOMEM);
		return;
	}
	if (mprotect(page_addr(page), pages * (unsigned long)page_size, prot)) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	printf("{\"ret\":0}\n");
}

static void op_remap(char **save)
{
	unsigned long pages;
	unsigned long page = range_arg(save, &pages);
	long long prot = prot_arg(save);
	long long pgoff = number(save, "pgoff");
	int noinherit;
	int flags = flags_arg(save, &noinherit);
	unsigned char who = owner[page];
	size_t size = pages * (unsigned long)page_size;

	if (!noinherit) {
		long ret = syscall(SYS_remap_file_pages, page_addr(page), size,
				   (unsigned long)prot, (unsigned long)pgoff, (unsigned long)flags);
		printf("{\"ret\":%d}\n", ret ? -errno : 0);
		return;
	}
	/* UML without the series: the page is mapped again, alone, with its own protection. */
	if (!who || !(who & OWNER_SHARED) || prot & ~7) {
		printf("{\"ret\":%d}\n", -EINVAL);
		return;
	}
	if (mmap(page_addr(page), size, (int)prot, MAP_SHARED | MAP_FIXED,
		 files[(who & FILE_MASK) - 1].mfd, (off_t)(pgoff * page_size)) == MAP_FAILED) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	own(page, pages, who);
	printf("{\"ret\":0}\n");
}

static void op_madvise(char **save)
{
	unsigned long pages;
	unsigned long page = range_arg(save, &pages);
	int advice = advice_arg(save);

	int err = 0;
	unsigned long i = page;

	/* As the kernel does: every mapped run gets the advice, a hole makes it -ENOMEM. */
	while (i < page + pages) {
		unsigned long start = i;

		if (!owner[i]) {
			err = -ENOMEM;
			i++;
			continue;
		}
		while (i < page + pages && owner[i])
			i++;
		if (madvise(page_addr(start), (i - start) * (unsigned long)page_size, advice) && !err)
			err = -errno;
	}
	printf("{\"ret\":%d}\n", err);
}

static void op_mincore(char **save)
{
	static unsigned char vec[ARENA_PAGES];
	unsigned long pages;
	unsigned long page = range_arg(save, &pages);

	if (!covered(page, pages)) {
		printf("{\"ret\":%d}\n", -ENOMEM);
		return;
	}
	if (mincore(page_addr(page), pages * (unsigned long)page_size, vec)) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	printf("{\"ret\":0,\"vec\":[");
	for (unsigned long i = 0; i < pages; i++)
		printf(i ? ",%d" : "%d", vec[i] & 1);
	printf("]}\n");
}

static void op_access(char **save, int write)
{
	volatile long long *addr = page_addr(where(save, 1));
	long long value = write ? number(save, "value") : 0;
	int sig;

	sig = sigsetjmp(fault_jmp, 1);
	if (sig) {
		printf("{\"signal\":\"%s\"}\n", signame(sig));
		return;
	}
	fault_armed = 1;
	if (write)
		*addr = value;
	else
		value = *addr;
	fault_armed = 0;
	if (write)
		printf("{\"ret\":0}\n");
	else
		printf("{\"ret\":0,\"value\":%lld}\n", value);
}

static void op_pwrite(char **save)
{
	struct file *f = file_arg(save);
	long long page = number(save, "page");
	long long value = number(save, "value");
	off_t end = (off_t)((page + 1) * page_size);
	struct stat st;

	if (page < 0 || page >= (1LL << 30))
		die("page out of range: %lld", page);
	if (pwrite(f->wfd, &value, sizeof(value), (off_t)(page * page_size)) !=
	    (ssize_t)sizeof(value)) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	/* The model's write(2) grows the file by whole pages. */
	if (!fstat(f->wfd, &st) && st.st_size < end && ftruncate(f->wfd, end)) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	printf("{\"ret\":0}\n");
}

static void op_pread(char **save)
{
	struct file *f = file_arg(save);
	long long page = number(save, "page");
	long long value = 0;
	struct stat st;

	if (page < 0 || page >= (1LL << 30))
		die("page out of range: %lld", page);
	if (fstat(f->wfd, &st))
		die("fstat: %s", strerror(errno));
	if (page * page_size < st.st_size &&
	    pread(f->wfd, &value, sizeof(value), (off_t)(page * page_size)) < 0) {
		printf("{\"ret\":%d}\n", -errno);
		return;
	}
	printf("{\"ret\":0,\"value\":%lld}\n", value);
}

static void op_ftruncate(char **save)
{
	struct file *f = file_arg(save);
	long long length = number(save, "length");

	printf("{\"ret\":%d}\n", ftruncate(f->wfd, (off_t)length) ? -errno : 0);
}

/* Apply `advice` to every run of arena pages whose owner passes `want`. */
static void advise_runs(int advice, int shared_only)
{
	unsigned long i = 0;

	while (i < ARENA_PAGES) {
		unsigned long start;

		if (!owner[i] || (shared_only && !(owner[i] & OWNER_SHARED))) {
			i++;
			continue;
		}
		start = i;
		while (i < ARENA_PAGES && owner[i] && (!shared_only || owner[i] & OWNER_SHARED))
			i++;
		madvise(page_addr(start), (i - start) * (unsigned long)page_size, advice);
	}
}

static void drop_caches(void)
{
	for (int i = 0; i < nfiles; i++) {
		/* Only clean pages can go: write everything back first. */
		fsync(files[i].wfd);
		posix_fadvise(files[i].wfd, 0, 0, POSIX_FADV_DONTNEED);
	}
}

/* Whether mincore() finds any page of the scenario's mappings in core. */
static int any_resident(void)
{
	static unsigned char vec[ARENA_PAGES];
	unsigned long i = 0;

	while (i < ARENA_PAGES) {
		unsigned long start;

		if (!owner[i]) {
			i++;
			continue;
		}
		start = i;
		while (i < ARENA_PAGES && owner[i])
			i++;
		if (mincore(page_addr(start), (i - start) * (unsigned long)page_size, vec))
			continue;
		for (unsigned long j = 0; j < i - start; j++)
			if (vec[j] & 1)
				return 1;
	}
	return 0;
}

/*
 * Swap-out of everything, as the model's shrink_all_memory(): MADV_PAGEOUT reclaims the
 * pages mapped once; it leaves a page mapped twice alone, so shared mappings are then zapped
 * (their data lives in the file), a second pass takes what only a private mapping still maps,
 * and the unmapped page cache is dropped. With a range, only MADV_PAGEOUT of that range.
 */
static void op_swapout(char **save)
{
	char *name = strtok_r(NULL, " \t\r\n", save);

	for (int i = 0; i < nfiles; i++)
		fsync(files[i].wfd);
	if (name) {
		long long page = number(save, "page");
		unsigned long pages = count(save, "pages");

		madvise(page_addr(resolve(name, page, pages)), pages * (unsigned long)page_size,
			MADV_PAGEOUT);
	} else {
		/*
		 * A page still in a per-CPU LRU batch is not on the LRU yet and MADV_PAGEOUT
		 * skips it; posix_fadvise() drains those batches, so a second round gets it.
		 */
		for (int round = 0; round < 8 && (round == 0 || any_resident()); round++) {
			drop_caches();
			advise_runs(MADV_PAGEOUT, 0);
			advise_runs(MADV_DONTNEED, 1);
			advise_runs(MADV_PAGEOUT, 0);
			drop_caches();
		}
	}
	printf("{\"ret\":0}\n");
}

static void op_vmas(void)
{
	char line[LINE_LEN];
	unsigned long ours = 0, total = 0;
	FILE *maps_file = fopen("/proc/self/maps", "r");

	if (!maps_file)
		die("/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), maps_file)) {
		unsigned long long ino = 0;

		total++;
		/* start-end perms offset dev inode path */
		if (sscanf(line, "%*s %*s %*s %*s %llu", &ino) != 1 || !ino)
			continue;
		for (int i = 0; i < nfiles; i++)
			if (files[i].ino == (ino_t)ino) {
				ours++;
				break;
			}
	}
	fclose(maps_file);
	printf("{\"ret\":%lu,\"total\":%lu}\n", ours, total);
}

int main(int argc, char **argv)
{
	static char line[LINE_LEN];
	static char out_buf[1 << 16];
	struct sigaction sa;
	struct statfs sfs;

	if (argc != 2) {
		fprintf(stderr, "usage: runner DIR < operations\n");
		return 2;
	}
	if (statfs(argv[1], &sfs)) {
		fprintf(stderr, "runner: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	/* tmpfs has no swap here: MADV_PAGEOUT would leave its pages in core. */
	if ((unsigned long)sfs.f_type == TMPFS_MAGIC || (unsigned long)sfs.f_type == RAMFS_MAGIC) {
		fprintf(stderr, "runner: %s is not disk-backed (tmpfs or ramfs)\n", argv[1]);
		return 2;
	}
	scratch = argv[1];
	setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf));
	page_size = sysconf(_SC_PAGESIZE);
	arena = mmap(NULL, ARENA_PAGES * (unsigned long)page_size, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		fprintf(stderr, "runner: cannot reserve the arena: %s\n", strerror(errno));
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	while (fgets(line, sizeof(line), stdin)) {
		char *save;
		char *op;

		lineno++;
		if (!strchr(line, '\n') && !feof(stdin))
			die("line too long");
		op = strtok_r(line, " \t\r\n", &save);
		if (!op || op[0] == '#') {
			continue;
		} else if (!strcmp(op, "file")) {
			op_file(&save);
		} else if (!strcmp(op, "mmap")) {
			op_mmap(&save);
		} else if (!strcmp(op, "munmap")) {
			op_munmap(&save);
		} else if (!strcmp(op, "mprotect")) {
			op_mprotect(&save);
		} else if (!strcmp(op, "remap")) {
			op_remap(&save);
		} else if (!strcmp(op, "madvise")) {
			op_madvise(&save);
		} else if (!strcmp(op, "mincore")) {
			op_mincore(&save);
		} else if (!strcmp(op, "read")) {
			op_access(&save, 0);
		} else if (!strcmp(op, "write")) {
			op_access(&save, 1);
		} else if (!strcmp(op, "pwrite")) {
			op_pwrite(&save);
		} else if (!strcmp(op, "pread")) {
			op_pread(&save);
		} else if (!strcmp(op, "ftruncate")) {
			op_ftruncate(&save);
		} else if (!strcmp(op, "swapout")) {
			op_swapout(&save);
		} else if (!strcmp(op, "vmas")) {
			op_vmas();
		} else {
			die("unknown operation '%s'", op);
		}
		if (strtok_r(NULL, " \t\r\n", &save))
			die("%s: too many arguments", op);
		/* One answer per question: the caller may wait for it before asking the next. */
		fflush(stdout);
	}
	fflush(stdout);
	return 0;
}
