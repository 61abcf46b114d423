/*
 * The diffstat scan of a `git log -p` or a `git diff`, for toolkit/classify/fastscan.py.
 *
 * Usage: fastscan FILE. The file is mapped and read 64 bytes at a time, following the rules
 * of `_scan` in stat.py for messages git wrote. On stdout, as native int64: how many numbers
 * follow, then for each message with a diff
 *   first line, subject end or -1, end, files
 * and for each file header after it
 *   added lines, old lines, new lines (the sums of its hunk headers);
 * then the name of each file header, as written (the `+++` one, or the `---` one when that is
 * /dev/null), each followed by a newline. Offsets are byte positions in FILE.
 * Exit 0 when done, 3 when the input needs the Python scan (a mail or a plain diff, whose
 * hunks are checked one by one; a number too long), 2 when the file cannot be read.
 */
#define _GNU_SOURCE /* memrchr */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FALLBACK 3
/* Hunk sizes longer than this could overflow a sum: the Python scan takes those. */
#define MAX_DIGITS 15
/* Bytes of the file mapped in memory at a time, about. */
#define WINDOW ((size_t)4 << 20)

struct file {
	int64_t plus, old, new_;
	size_t name, name_end;
};

static const unsigned char *d;
static size_t n;
static int64_t *out;
static size_t out_len, out_cap;
static char *names;
static size_t names_len, names_cap;
static struct file *files;
static size_t nfiles, files_cap;

static void put(int64_t value)
{
	if (out_len == out_cap) {
		out_cap = out_cap ? out_cap * 2 : 4096;
		out = realloc(out, out_cap * sizeof *out);
		if (!out)
			exit(2);
	}
	out[out_len++] = value;
}

static void put_name(size_t at, size_t end)
{
	size_t len = end - at;
	if (names_len + len + 1 > names_cap) {
		names_cap = (names_len + len + 1) * 2;
		names = realloc(names, names_cap);
		if (!names)
			exit(2);
	}
	memcpy(names + names_len, d + at, len);
	names_len += len;
	names[names_len++] = '\n';
}

static struct file *add_file(void)
{
	if (nfiles == files_cap) {
		files_cap = files_cap ? files_cap * 2 : 64;
		files = realloc(files, files_cap * sizeof *files);
		if (!files)
			exit(2);
	}
	memset(&files[nfiles], 0, sizeof files[nfiles]);
	return &files[nfiles++];
}

static int starts(size_t at, size_t end, const char *text)
{
	size_t len = strlen(text);
	return end - at >= len && memcmp(d + at, text, len) == 0;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *at (at least one), as a number; -1 when none. Too many digits: fall back. */
static int64_t number(size_t *at, size_t end)
{
	int64_t value = 0;
	size_t first = *at;
	while (*at < end && is_digit(d[*at])) {
		if (*at - first >= MAX_DIGITS)
			exit(FALLBACK);
		value = value * 10 + (d[*at] - '0');
		(*at)++;
	}
	return *at > first ? value : -1;
}

/* `@@ -A[,B] +C[,D] @@` from `at`: B and D (1 when absent) or 0 when it is no header. */
static int hunk(size_t at, size_t end, int64_t *old, int64_t *new_)
{
	int64_t counts[2];
	if (!starts(at, end, "@@ -"))
		return 0;
	at += 4;
	for (int side = 0; side < 2; side++) {
		if (number(&at, end) < 0)
			return 0;
		counts[side] = 1;
		if (at < end && d[at] == ',') {
			at++;
			counts[side] = number(&at, end);
			if (counts[side] < 0)
				return 0;
		}
		if (!starts(at, end, side ? " @@" : " +"))
			return 0;
		at += side ? 3 : 2;
	}
	*old = counts[0];
	*new_ = counts[1];
	return 1;
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A message's first line at `at`, ending at `end` (its newline, or n when there is none). */
static int message_line(size_t at, size_t end)
{
	if (starts(at, end, "commit ")) {
		if (n - at < 48)
			return 0;
		for (size_t i = at + 7; i < at + 47; i++)
			if (!is_hex(d[i]))
				return 0;
		return d[at + 47] == '\n' || d[at + 47] == ' ';
	}
	if (!starts(at, end, "From ") || end == n)
		return 0;
	size_t i = at + 5;
	if (i >= end || is_space(d[i]))
		return 0;
	while (i < end && !is_space(d[i]))
		i++;
	if (i >= end || d[i] != ' ')
		return 0;
	for (size_t run = 0; ++i < end;) {
		run = is_digit(d[i]) ? run + 1 : 0;
		if (run == 4)
			return 1;
	}
	return 0;
}

static size_t line_field_end(size_t at, size_t end)
{
	while (at < end && d[at] != '\t' && d[at] != '\n')
		at++;
	return at;
}

/* Whether at..end is /dev/null with ASCII white space around it, as bytes.strip() sees it. */
static int dev_null(size_t at, size_t end)
{
	while (at < end && is_space(d[at]))
		at++;
	while (end > at && is_space(d[end - 1]))
		end--;
	return end - at == 9 && memcmp(d + at, "/dev/null", 9) == 0;
}

struct message {
	size_t start;
	int log, headed;
	int64_t subject_end;
	long current; /* index into files of the file being counted, or -1 */
};

static struct message m;

static void open_message(size_t at)
{
	m.start = at;
	m.log = starts(at, n, "commit ") || starts(at, n, "diff --git ");
	m.headed = 0;
	m.subject_end = -1;
	m.current = -1;
	nfiles = 0;
}

/* `before` lines starting with + come before `end`: the current file's count ends there. */
static void finish_file(int64_t before)
{
	if (m.current >= 0)
		files[m.current].plus = before - files[m.current].plus;
	m.current = -1;
}

static void close_message(size_t end, int64_t before)
{
	finish_file(before);
	put((int64_t)m.start);
	put(m.subject_end);
	put((int64_t)end);
	put((int64_t)nfiles);
	for (size_t i = 0; i < nfiles; i++) {
		put(files[i].plus);
		put(files[i].old);
		put(files[i].new_);
		put_name(files[i].name, files[i].name_end);
	}
}

/*
 * The line at `at`, which starts with +, @, c or F; `before` lines after a newline start
 * with + before it. Every other line only counts, as one of those `before`.
 */
static void line(size_t at, int64_t before)
{
	/* Only a header's name and a From line need their line's end: the rest stop by themselves. */
	size_t end = n;
	if (d[at] == '+' || d[at] == 'F') {
		const unsigned char *nl = memchr(d + at, '\n', n - at);
		end = nl ? (size_t)(nl - d) : n;
	}
	switch (d[at]) {
	case '+':
		if (!starts(at, end, "+++ "))
			break;
		if (!m.log)
			exit(FALLBACK); /* a mail's hunks are checked one by one */
		m.headed = 1;
		if (at == 0)
			break;
		/* A file header: `--- OLD` on the line before, a non-empty NEW. */
		const unsigned char *back = at > 1 ? memrchr(d, '\n', at - 1) : NULL;
		size_t prev = back ? (size_t)(back - d) + 1 : 0;
		size_t g2e = line_field_end(at + 4, end);
		if (!starts(prev, at - 1, "--- ") || g2e == at + 4)
			break;
		if (m.subject_end < 0)
			m.subject_end = (int64_t)prev;
		finish_file(before);
		struct file *f = add_file();
		f->plus = before + 1; /* until finish_file: the count before its first line */
		f->name = at + 4;
		f->name_end = g2e;
		if (dev_null(at + 4, g2e)) {
			/* A removed file's name is on its `---` line. */
			f->name = prev + 4;
			f->name_end = line_field_end(prev + 4, at - 1);
		}
		m.current = (long)nfiles - 1;
		break;
	case '@': {
		int64_t old, new_;
		if (m.current >= 0 && hunk(at, end, &old, &new_)) {
			files[m.current].old += old;
			files[m.current].new_ += new_;
		}
		break;
	}
	case 'c':
	case 'F':
		if (at > 0 && message_line(at, end)) {
			if (m.headed)
				close_message(at, before);
			open_message(at);
		}
		break;
	}
}

static int wanted(size_t at)
{
	unsigned char c = d[at];
	return c == '+' || c == '@' || c == 'c' || c == 'F';
}

/* The newlines from `at` on, one byte at a time: the total of + lines after them. */
static int64_t scan_bytes(size_t at, int64_t total)
{
	for (; at + 1 < n; at++) {
		if (d[at] != '\n')
			continue;
		if (wanted(at + 1))
			line(at + 1, total);
		total += d[at + 1] == '+';
	}
	return total;
}

static int popcount(uint64_t x)
{
	/* Without -mpopcnt the builtin is a library call: this is faster on every x86-64. */
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}

#ifdef __SSE2__
#include <emmintrin.h>

/* Bit i of each mask: byte i of the 64 at p is a newline, a +, or one of @ c F. */
static void classify(const unsigned char *p, uint64_t *nl, uint64_t *plus, uint64_t *other)
{
	const __m128i newline = _mm_set1_epi8('\n'), add = _mm_set1_epi8('+');
	const __m128i at_sign = _mm_set1_epi8('@'), c = _mm_set1_epi8('c');
	const __m128i f = _mm_set1_epi8('F');
	*nl = *plus = *other = 0;
	for (int k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		__m128i o = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, at_sign),
						      _mm_cmpeq_epi8(v, c)),
					 _mm_cmpeq_epi8(v, f));
		*nl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, newline)) << (16 * k);
		*plus |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, add)) << (16 * k);
		*other |= (uint64_t)(unsigned)_mm_movemask_epi8(o) << (16 * k);
	}
}

/* 64 bytes at a time: the lines that start in each block, the + ones and the rare others. */
static int64_t scan(void)
{
	int64_t total = 0;
	uint64_t carry = 0; /* the byte before the block is a newline */
	size_t at = 0;
	for (; at + 64 <= n; at += 64) {
		uint64_t nl, plus, other;
		if ((at & (WINDOW - 1)) == 0 && at >= 2 * WINDOW)
			/* Memory stays flat: the pages read are let go (a look back faults them in). */
			madvise((void *)(d + at - 2 * WINDOW), WINDOW, MADV_DONTNEED);
		/* The pages of a mapped file are scattered: ask for each line well ahead. */
		__builtin_prefetch(d + at + 2048);
		classify(d + at, &nl, &plus, &other);
		uint64_t starts = (nl << 1) | carry;
		carry = nl >> 63;
		uint64_t pluses = starts & plus;
		/* `+++` at a line start; the last two bytes' next ones are in the next block. */
		uint64_t triple = plus & (plus >> 1) & (plus >> 2);
		uint64_t events = starts & (other | triple | (plus & (3ull << 62)));
		while (events) {
			int bit = __builtin_ctzll(events);
			line(at + (size_t)bit, total + popcount(pluses & ((1ull << bit) - 1)));
			events &= events - 1;
		}
		total += popcount(pluses);
	}
	return scan_bytes(at ? at - 1 : 0, total);
}
#else
static int64_t scan(void)
{
	return scan_bytes(0, 0);
}
#endif

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return 2;
	n = (size_t)st.st_size;
	if (n) {
		void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			return 2;
		d = map;
	}
	open_message(0);
	if (n && wanted(0))
		line(0, 0);
	int64_t total = scan();
	if (m.headed)
		close_message(n, total);
	int64_t count = (int64_t)out_len;
	if (fwrite(&count, sizeof count, 1, stdout) != 1 ||
	    (out_len && fwrite(out, sizeof *out, out_len, stdout) != out_len) ||
	    (names_len && fwrite(names, 1, names_len, stdout) != names_len))
		return 2;
	return fflush(stdout) == 0 ? 0 : 2;
}
