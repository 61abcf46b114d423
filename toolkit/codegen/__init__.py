"""Rendering per-arch C macros, port patches and diagrams from archs/ data."""
