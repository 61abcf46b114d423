"""Mapping hunks of a series to the semantic VM changes they make, and whole-series checks."""
