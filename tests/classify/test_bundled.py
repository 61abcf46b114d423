"""The bundled series in patches/: every patch's classes match its manifest, and no error."""

from __future__ import annotations

import pytest

from toolkit.classify.audit import audit_path, default_manifest
from toolkit.classify.manifest import load_manifest, normal_subject
from toolkit.classify.records import Severity
from toolkit.paths import PATCHES

MANIFEST = default_manifest(PATCHES)
pytestmark = pytest.mark.skipif(MANIFEST is None, reason="patches/series.toml not written yet")


def test_classes_match_the_manifest() -> None:
    """Each bundled patch gets exactly the classes patches/series.toml lists for it."""
    assert MANIFEST is not None
    expected = {normal_subject(e.subject): set(e.classes) for e in load_manifest(MANIFEST).patches}
    audit = audit_path(PATCHES, manifest=MANIFEST).audit
    assert len(audit.patches) == len(expected)
    got = {normal_subject(p.subject): set(p.classes) for p in audit.patches}
    assert got == expected


def test_no_error_and_no_class_drift() -> None:
    """The bundled series bisects, is consistent, and has no class or patch drift."""
    audit = audit_path(PATCHES, manifest=MANIFEST).audit
    assert [f for f in audit.findings if f.severity is Severity.ERROR] == []
    codes = {f.code for f in audit.findings}
    assert not codes & {"manifest-classes", "manifest-missing", "manifest-extra", "manifest-files"}


def test_arch_matrix_of_the_bundled_series() -> None:
    """Only i386 and um opt in; x86_64 gets macros but no opt-in; ppc gets only MAP_NOINHERIT."""
    audit = audit_path(PATCHES, manifest=MANIFEST).audit
    rows = {row.arch: row for row in audit.arches}
    opted = sorted(
        name for name, row in rows.items() if any(p.name == "OPT_IN" for p in row.pieces)
    )
    assert opted == ["i386", "um"]
    assert [p.name for p in rows["ppc"].pieces] == ["NOINHERIT"]


def test_cli_default_is_the_bundled_series(capsys: pytest.CaptureFixture[str]) -> None:
    """`rfp audit` without a path audits patches/ and compares it with its manifest."""
    from toolkit.cli import main

    assert MANIFEST is not None
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert "manifest patches/series.toml" in out or f"manifest {MANIFEST}" in out
    assert out.count("\n") > len(load_manifest(MANIFEST).patches)
