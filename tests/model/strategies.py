"""Hypothesis strategies for the model tests, in one place."""

from __future__ import annotations

from hypothesis import strategies as st

from toolkit.model.include.linux.mman import (
    MADV_NORMAL,
    MADV_RANDOM,
    MADV_SEQUENTIAL,
    PROT_NONE,
    PROT_READ,
    PROT_WRITE,
)

WINDOW_PAGES = 16
PRIVATE_PAGES = 8
FILE_PAGES = 64

page_numbers = st.integers(min_value=0, max_value=WINDOW_PAGES - 1)
private_pages = st.integers(min_value=0, max_value=PRIVATE_PAGES - 1)
file_offsets = st.integers(min_value=0, max_value=FILE_PAGES - 1)
# Protections whose rights every arch grants alike (no write-only, no exec-only).
page_prots = st.sampled_from((PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE))
values = st.integers(min_value=1000, max_value=9999)
run_lengths = st.integers(min_value=1, max_value=4)
file_sizes = st.integers(min_value=0, max_value=FILE_PAGES)
# madvise() read-ahead hints: they change VMA flags, so VMAs split and merge.
read_hints = st.sampled_from((MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL))
