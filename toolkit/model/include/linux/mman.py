"""Model of the mman.h constants: protections, mmap flags and madvise advice."""

from __future__ import annotations

PROT_NONE = 0x0
PROT_READ = 0x1
PROT_WRITE = 0x2
PROT_EXEC = 0x4

MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_TYPE = 0x0F
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_POPULATE = 0x8000
MAP_NONBLOCK = 0x10000
# Added by patch 01 to the i386, ia64, ppc, ppc64, s390 and x86_64 mman.h.
MAP_NOINHERIT = 0x20000

MADV_NORMAL = 0
MADV_RANDOM = 1
MADV_SEQUENTIAL = 2
MADV_WILLNEED = 3
MADV_DONTNEED = 4
