"""The shared cc cache: one binary per source text and flags, and cc's complaint on failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.cbuild import binary_path, cache_dir, compile_to
from toolkit.errors import ExternalToolError


def test_key_follows_source_and_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another source text or other flags name another binary, in the cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = tmp_path / "a.c"
    source.write_text("int main(void) { return 0; }\n")
    first = binary_path(source, "a", ("-O2",))
    assert first.parent == cache_dir() == tmp_path / "rfp-toolkit"
    assert binary_path(source, "a", ("-O1",)) != first
    source.write_text("int main(void) { return 1; }\n")
    assert binary_path(source, "a", ("-O2",)) != first


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_compile_error_names_the_source(tmp_path: Path) -> None:
    """A source cc rejects raises ExternalToolError naming it, and leaves no binary behind."""
    source = tmp_path / "bad.c"
    source.write_text("int main(void) { return }\n")
    target = tmp_path / "out" / "bad"
    with pytest.raises(ExternalToolError, match="cc failed") as caught:
        compile_to(source, target, ("-O2",))
    assert str(source) in str(caught.value)
    assert not target.exists() and list(target.parent.iterdir()) == []
