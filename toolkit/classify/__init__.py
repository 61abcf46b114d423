"""Mapping hunks of a series to the semantic VM changes they make, and whole-series checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toolkit.classify.audit import AuditResult, audit_path, classify_series, stat_path, worst
from toolkit.classify.records import Audit, Finding, Severity

if TYPE_CHECKING:
    from toolkit.classify.rules import load_rules


def __getattr__(name: str) -> Any:
    """`load_rules` on first use: `rfp audit --stat` reads no rules and skips their import."""
    if name == "load_rules":
        from toolkit.classify.rules import load_rules

        return load_rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Audit",
    "AuditResult",
    "Finding",
    "Severity",
    "audit_path",
    "classify_series",
    "load_rules",
    "stat_path",
    "worst",
]
