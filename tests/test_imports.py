"""The import directions of the package stay as STYLE.md lays them out."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"
TOOLING = ("toolkit.series", "toolkit.classify", "toolkit.codegen", "toolkit.verify", "toolkit.cli")
# Libraries that each live behind a single wrapper module; tree-sitter and its C grammar share one.
WRAPPED = {
    "unidiff": "unidiff",
    "git": "GitPython",
    "tree_sitter": "tree-sitter",
    "tree_sitter_c": "tree-sitter",
    "jinja2": "jinja2",
    "z3": "z3",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[_module_name(path)] = names
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_model_imports_no_tooling() -> None:
    """The reference model never imports the tooling packages."""
    for module, names in _imports().items():
        if _under(module, "toolkit.model"):
            bad = {n for n in names for t in TOOLING if _under(n, t)}
            assert not bad, f"{module} imports tooling: {sorted(bad)}"


def test_arch_data_imports_neither_model_nor_tooling() -> None:
    """toolkit.arch serves both sides, so it imports neither."""
    for module, names in _imports().items():
        if _under(module, "toolkit.arch"):
            bad = {n for n in names for t in (*TOOLING, "toolkit.model") if _under(n, t)}
            assert not bad, f"{module} imports {sorted(bad)}"


def test_nothing_imports_the_cli() -> None:
    """Only `python -m toolkit` imports toolkit.cli."""
    for module, names in _imports().items():
        if module in ("toolkit.cli", "toolkit.__main__"):
            continue
        assert not any(_under(n, "toolkit.cli") for n in names), module


def test_each_library_has_one_wrapper() -> None:
    """unidiff, GitPython, tree-sitter, jinja2 and z3 are each imported by one module only."""
    users: dict[str, set[str]] = defaultdict(set)
    for module, names in _imports().items():
        for name in names:
            top = name.split(".")[0]
            if top in WRAPPED:
                users[WRAPPED[top]].add(module)
    for library, modules in users.items():
        assert len(modules) == 1, f"{library} is imported by {sorted(modules)}"


def test_walker_sees_the_package() -> None:
    """The walk finds the modules it checks (so the tests above cannot pass vacuously)."""
    modules = _imports()
    assert "toolkit.cli" in modules
    assert "toolkit.errors" in modules["toolkit.cli"] or any(
        n.startswith("toolkit.errors") for n in modules["toolkit.cli"]
    )
