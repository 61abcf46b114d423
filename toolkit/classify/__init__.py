"""Mapping hunks of a series to the semantic VM changes they make, and whole-series checks."""

from toolkit.classify.audit import AuditResult, audit_path, classify_series, stat_path, worst
from toolkit.classify.records import Audit, Finding, Severity
from toolkit.classify.rules import load_rules

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
