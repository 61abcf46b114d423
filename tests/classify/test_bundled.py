"""The bundled series in patches/: every patch's classes match its manifest, and no error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.classify.audit import audit_path, default_manifest, stat_path
from toolkit.classify.manifest import load_manifest, normal_subject
from toolkit.classify.records import Severity
from toolkit.errors import ToolkitError
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


_MUTATIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=17),
        st.sampled_from(["drop", "dup", "flip", "count"]),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=15, deadline=None)
@given(mutations=_MUTATIONS)
def test_mutated_series_audits_or_fails_cleanly(
    mutations: list[tuple[int, str, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A damaged copy of the bundled series is audited whole or refused with a located error."""
    folder = tmp_path_factory.mktemp("mutated")
    names = [
        line.split()[0]
        for line in (PATCHES / "series").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    texts = {name: (PATCHES / name).read_text().split("\n") for name in names}
    for which, how, where in mutations:
        lines = texts[names[which % len(names)]]
        at = where % len(lines)
        if how == "drop":
            del lines[at]
        elif how == "dup":
            lines.insert(at, lines[at])
        elif how == "flip":
            lines[at] = "+" + lines[at][1:]
        else:
            lines[at] = lines[at].replace(",6 ", ",7 ")
    (folder / "series").write_text("\n".join(names) + "\n")
    for name, lines in texts.items():
        (folder / name).write_text("\n".join(lines))
    try:
        assert len(audit_path(folder).audit.patches) == len(names)
    except ToolkitError as exc:
        assert exc.path, "bad input is reported with the file it is in"
    try:
        assert len(stat_path(folder).audit.patches) == len(names)
    except ToolkitError as exc:
        assert exc.path, "bad input is reported with the file it is in"
