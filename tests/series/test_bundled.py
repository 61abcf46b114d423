"""The bundled series in patches/: complete, applicable in order, consistent with its manifest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATCHES = ROOT / "patches"
BASE = Path(__file__).resolve().parent / "data" / "base"
COVER_ID = "<200508262023.29170.blaisorblade@yahoo.it>"

# @@ -12,7 +12,8 @@ some_function(int a)
HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
# +++ linux-2.6.git-paolo/mm/fremap.c<TAB>2005-08-26 20:23:29.000000000 +0200
TARGET_RE = re.compile(r"^\+\+\+ ([^\t]+)")
# mm/fremap.c |   24 ++++++++++++++----------
STAT_FILE_RE = re.compile(r"^ (\S+)\s+\|\s+(\d+) ?([+-]*)\s*$")
# 11 files changed, 64 insertions(+), 16 deletions(-)
STAT_TOTAL_RE = re.compile(
    r"^ (\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?$"
)


@dataclass(frozen=True, slots=True)
class FileCount:
    """Lines a patch adds and removes in one file, and the sections of its hunk headers."""

    path: str
    insertions: int
    deletions: int
    sections: tuple[str, ...]
    context: tuple[str, ...]
    added: tuple[str, ...]


def series_names() -> list[str]:
    """The quilt names of patches/series (without .patch), comments and blank lines skipped."""
    lines = (PATCHES / "series").read_text().splitlines()
    names = [ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#")]
    return [name.removesuffix(".patch") for name in names]


def manifest() -> dict[str, Any]:
    """patches/series.toml, parsed."""
    with (PATCHES / "series.toml").open("rb") as f:
        return tomllib.load(f)


def split_patch(text: str) -> tuple[str, list[str], list[str]]:
    """Split a patch mail into its header+description, diffstat lines and diff lines."""
    lines = text.splitlines()
    sep = lines.index("---")
    start = next(
        i for i, ln in enumerate(lines) if ln.startswith(("diff -puN ", "--- ")) and i > sep
    )
    return (
        "\n".join(lines[:sep]),
        [ln for ln in lines[sep + 1 : start] if ln.strip()],
        lines[start:],
    )


def count_diff(diff: list[str]) -> list[FileCount]:
    """Walk the hunks by their header counts and tally each file's added and removed lines."""
    files: list[FileCount] = []
    i = 0
    while i < len(diff):
        m = TARGET_RE.match(diff[i])
        if not m:
            i += 1
            continue
        path = m.group(1).split("/", 1)[1]  # -p1
        plus = minus = 0
        sections: list[str] = []
        context: list[str] = []
        added: list[str] = []
        i += 1
        while i < len(diff) and (h := HUNK_RE.match(diff[i])):
            old = int(h.group(2) or 1)
            new = int(h.group(4) or 1)
            sections.append(h.group(5))
            i += 1
            while old or new:
                line = diff[i]
                kind, body = line[:1], line[1:]
                if kind == " ":
                    old, new = old - 1, new - 1
                    context.append(body)
                elif kind == "-":
                    old, minus = old - 1, minus + 1
                elif kind == "+":
                    new, plus = new - 1, plus + 1
                    added.append(body)
                else:
                    raise AssertionError(f"{path}: unexpected line in hunk: {line!r}")
                assert old >= 0 and new >= 0, f"{path}: hunk longer than its header says"
                i += 1
        files.append(FileCount(path, plus, minus, tuple(sections), tuple(context), tuple(added)))
    return files


def patch_text(name: str) -> str:
    """The text of patches/<name>.patch."""
    return (PATCHES / f"{name}.patch").read_text()


NAMES = series_names()


def test_series_names_18_existing_patches() -> None:
    """patches/series names 18 distinct patches, each present as <name>.patch."""
    assert len(NAMES) == 18
    assert len(set(NAMES)) == 18
    for name in NAMES:
        assert (PATCHES / f"{name}.patch").is_file(), name


def test_patches_apply_in_order(tmp_path: Path) -> None:
    """git apply takes every patch, in series order, on a copy of the synthetic base tree."""
    tree = tmp_path / "linux"
    shutil.copytree(BASE, tree)
    # keep git from treating an enclosing directory as the repository
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path))
    for name in NAMES:
        result = subprocess.run(
            ["git", "apply", "-p1", str(PATCHES / f"{name}.patch")],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{name}: {result.stderr}"
    fremap = (tree / "mm" / "fremap.c").read_text()
    assert "pgoff_to_pte(" not in fremap
    assert "pgoff_prot_to_pte(" in fremap


def test_patches_apply_in_order_only(tmp_path: Path) -> None:
    """The last patch does not apply to the base tree alone: later patches build on earlier ones."""
    tree = tmp_path / "linux"
    shutil.copytree(BASE, tree)
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path))
    result = subprocess.run(
        ["git", "apply", "--check", "-p1", str(PATCHES / f"{NAMES[-1]}.patch")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


@pytest.mark.parametrize("name", NAMES)
def test_diffstat_agrees_with_diff(name: str) -> None:
    """Each file line and the total line of the diffstat give the counts found in the diff."""
    _, stat, diff = split_patch(patch_text(name))
    counts = {fc.path: fc for fc in count_diff(diff)}
    per_file = [m for ln in stat if (m := STAT_FILE_RE.match(ln))]
    assert sorted(m.group(1) for m in per_file) == sorted(counts)
    for m in per_file:
        fc = counts[m.group(1)]
        assert int(m.group(2)) == fc.insertions + fc.deletions, m.group(1)
    total = STAT_TOTAL_RE.match(stat[-1])
    assert total, stat[-1]
    assert int(total.group(1)) == len(counts)
    assert int(total.group(2) or 0) == sum(fc.insertions for fc in counts.values())
    assert int(total.group(3) or 0) == sum(fc.deletions for fc in counts.values())


def test_manifest_numbers_follow_series_order() -> None:
    """series.toml has 18 entries numbered 1..18 whose quilt names follow patches/series."""
    entries = manifest()["patch"]
    assert [e["number"] for e in entries] == list(range(1, 19))
    assert [e["quilt_name"] for e in entries] == NAMES


@pytest.mark.parametrize("number", range(1, 19))
def test_manifest_files_and_counts_match_diff(number: int) -> None:
    """The files of each manifest entry are the files of its diff, with the original counts."""
    entry = manifest()["patch"][number - 1]
    _, _, diff = split_patch(patch_text(entry["quilt_name"]))
    counts = count_diff(diff)
    assert sorted(fc.path for fc in counts) == sorted(entry["files"])
    assert sum(fc.insertions for fc in counts) == entry["insertions"]
    assert sum(fc.deletions for fc in counts) == entry["deletions"]


@pytest.mark.parametrize("number", range(1, 19))
def test_mail_headers(number: int) -> None:
    """Each patch mail has the project as From, a [patch NN/18] subject and the cover as parent."""
    entry = manifest()["patch"][number - 1]
    head, _, _ = split_patch(patch_text(entry["quilt_name"]))
    assert "From: rfp-toolkit <rfp-toolkit@localhost>" in head.splitlines()
    assert f"Subject: [patch {number:02d}/18] {entry['subject']}" in head.splitlines()
    assert f"In-Reply-To: {COVER_ID}" in head.splitlines()
    assert re.search(r"^Date: Fri, 26 Aug 2005 ", head, re.M)
    for author in entry["authors"]:
        assert author in head, author


# Identifiers SERIES.md says each patch adds or uses (checked in its added lines).
IDENTIFIERS = {
    1: ("pgoff_prot_to_pte", "pte_to_pgprot", "PTE_FILE_MAX_BITS", "MAP_NOINHERIT"),
    2: ("VM_NONUNIFORM", "save_nonlinear_pte", "pgoff_prot_to_pte"),
    3: ("VM_NONUNIFORM",),
    5: ("MAP_NOINHERIT", "-EPERM", "-EOVERFLOW", "VM_NONUNIFORM", "protection_map"),
    6: ("MAP_POPULATE",),
    7: ("__ARCH_SUPPORTS_VM_NONUNIFORM",),
    8: ("VM_FAULT_SIGSEGV", "check_perms"),
    9: ("maybe_mkwrite_file", "VM_MAYREAD", "VM_MAYWRITE"),
    11: ("VM_NONUNIFORM", "INSTALL_SIZE"),
    13: ("install_file_pte",),
    15: ("prot_none_ptes",),
    16: ("-EEXIST",),
    17: ("save_nonuniform_pte",),
    18: ("must_unmap",),
}


@pytest.mark.parametrize("number", sorted(IDENTIFIERS))
def test_patch_adds_its_identifiers(number: int) -> None:
    """The added lines of a patch mention the identifiers SERIES.md gives for it."""
    name = NAMES[number - 1]
    _, _, diff = split_patch(patch_text(name))
    added = "\n".join(line for fc in count_diff(diff) for line in fc.added)
    for ident in IDENTIFIERS[number]:
        assert ident in added, f"{name}: {ident}"


# Functions SERIES.md says a patch changes, with the file they live in.
FUNCTIONS = {
    2: (("mm/memory.c", "zap_pte_range"), ("mm/rmap.c", "try_to_unmap_cluster")),
    3: (("mm/mprotect.c", "change_protection"),),
    4: (("mm/fremap.c", "sys_remap_file_pages"),),
    8: (("mm/memory.c", "__handle_mm_fault"),),
    9: (("mm/memory.c", "get_user_pages"),),
    12: (("mm/fremap.c", "install_file_pte"),),
    14: (("mm/filemap.c", "filemap_populate"), ("mm/shmem.c", "shmem_populate")),
    17: (("mm/rmap.c", "try_to_unmap_one"),),
}


@pytest.mark.parametrize("number", sorted(FUNCTIONS))
def test_hunk_headers_name_functions(number: int) -> None:
    """A hunk header (diff -p) of the patch names each function SERIES.md says it changes."""
    name = NAMES[number - 1]
    _, _, diff = split_patch(patch_text(name))
    by_path = {fc.path: fc for fc in count_diff(diff)}
    for path, func in FUNCTIONS[number]:
        fc = by_path[path]
        assert any(func + "(" in s for s in fc.sections + fc.context), f"{name}: {func}"


def test_constants_after_series(tmp_path: Path) -> None:
    """After all 18 patches the tree defines the constants of SERIES.md with their values."""
    tree = tmp_path / "linux"
    shutil.copytree(BASE, tree)
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path))
    for name in NAMES:
        subprocess.run(
            ["git", "apply", "-p1", str(PATCHES / f"{name}.patch")], cwd=tree, env=env, check=True
        )
    mm_h = (tree / "include/linux/mm.h").read_text()
    assert re.search(r"#define VM_NONUNIFORM\s+0x01000000\b", mm_h)
    assert re.search(r"#define VM_FAULT_SIGSEGV\s+0x04\b", mm_h)
    for code, value in (("OOM", "0x00"), ("SIGBUS", "0x01"), ("MINOR", "0x02"), ("MAJOR", "0x03")):
        assert re.search(rf"#define VM_FAULT_{code}\s+{value}\b", mm_h), code
    for arch in ("i386", "ia64", "ppc", "ppc64", "s390", "x86_64"):
        mman = (tree / f"include/asm-{arch}/mman.h").read_text()
        assert re.search(r"#define MAP_NOINHERIT\s+0x20000\b", mman), arch
    two_level = (tree / "include/asm-i386/pgtable-2level.h").read_text()
    assert re.search(r"#define PTE_FILE_MAX_BITS\s+28\b", two_level)
    um_two_level = (tree / "include/asm-um/pgtable-2level.h").read_text()
    assert re.search(r"#define PTE_FILE_MAX_BITS\s+27\b", um_two_level)
    opted_in = sorted(
        str(p.relative_to(tree))
        for p in tree.rglob("*.h")
        if "define __ARCH_SUPPORTS_VM_NONUNIFORM" in p.read_text()
    )
    assert opted_in == ["include/asm-i386/pgtable.h", "include/asm-um/pgtable.h"]


def test_install_size_used_but_not_defined() -> None:
    """INSTALL_SIZE is used by the series but defined nowhere in it: the [missing] patch has it."""
    added = "\n".join(
        line
        for name in NAMES
        for fc in count_diff(split_patch(patch_text(name))[2])
        for line in fc.added
    )
    assert "INSTALL_SIZE" in added
    assert not re.search(r"#define\s+INSTALL_SIZE\b", added)
    assert "INSTALL_SIZE" not in "".join(p.read_text() for p in BASE.rglob("*") if p.is_file())
    missing = manifest()["missing"]
    assert missing["quilt_name"] == "rfp-downgrade-lock"
    assert "INSTALL_SIZE" in missing["defines"]


def test_manifest_depends_point_backwards() -> None:
    """Every dependency names an earlier patch, and every entry has classes and authors."""
    for entry in manifest()["patch"]:
        assert all(1 <= d < entry["number"] for d in entry["depends"]), entry["number"]
        assert entry["classes"], entry["number"]
        assert entry["authors"], entry["number"]


@pytest.mark.parametrize("number", range(1, 19))
def test_credit_line_names_original_authors(number: int) -> None:
    """The body credits the original authors and calls the text rfp-toolkit's re-creation."""
    entry = manifest()["patch"][number - 1]
    head, _, _ = split_patch(patch_text(entry["quilt_name"]))
    credit = next(ln for ln in head.splitlines() if ln.startswith("Original patch by "))
    assert credit.endswith("this text is rfp-toolkit's re-creation.")
    assert credit.count(" and ") == len(entry["authors"]) - 1


# How each file-PTE layout patch 01 writes spells a pte_t, for a C harness.
HARNESS_TYPES = {
    "include/asm-i386/pgtable-2level.h": (
        "typedef struct { unsigned long pte_low; } pte_t;\n#define PTE_WORD(p) ((p).pte_low)\n"
    ),
    "include/asm-um/pgtable-2level.h": (
        "typedef struct { unsigned long pte; } pte_t;\n#define pte_val(p) ((p).pte)\n"
        "#define __pte(x) ((pte_t) { (x) })\n#define PTE_WORD(p) ((p).pte)\n"
    ),
}
FLAG_HEADERS = {
    "include/asm-i386/pgtable-2level.h": "include/asm-i386/pgtable.h",
    "include/asm-um/pgtable-2level.h": "include/asm-um/pgtable.h",
}
WANTED = (
    "PTE_FILE_MAX_BITS",
    "__PTE_FILE_PROT",
    "pte_to_pgoff",
    "pte_to_pgprot",
    "pgoff_prot_to_pte",
)


def defines(text: str, names: tuple[str, ...]) -> str:
    """The #define lines (with continuations) of text that define one of names."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"#define\s+(\w+)", lines[i])
        block = [lines[i]]
        while block[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            block.append(lines[i])
        if m and (m.group(1) in names or m.group(1).startswith("_PAGE_")):
            out.extend(block)
        i += 1
    return "\n".join(out)


@pytest.mark.parametrize("header", sorted(HARNESS_TYPES))
def test_file_pte_macros_round_trip(header: str, tmp_path: Path) -> None:
    """Patch 01's C macros give back offset and RW/PROTNONE, set FILE and keep PRESENT clear."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed")
    tree = tmp_path / "linux"
    shutil.copytree(BASE, tree)
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path))
    subprocess.run(
        ["git", "apply", "-p1", str(PATCHES / f"{NAMES[0]}.patch")], cwd=tree, env=env, check=True
    )
    source = "\n".join(
        [
            HARNESS_TYPES[header],
            "typedef struct { unsigned long pgprot; } pgprot_t;",
            "#define __pgprot(x) ((pgprot_t) { (x) })",
            "#define pgprot_val(x) ((x).pgprot)",
            defines((tree / FLAG_HEADERS[header]).read_text(), ()),
            defines((tree / header).read_text(), WANTED),
            "int main(void)",
            "{",
            "\tunsigned long kept = _PAGE_RW | _PAGE_PROTNONE, prot, off, bad = 0;",
            "\tunsigned long prots[3] =",
            "\t\t{ _PAGE_PROTNONE, _PAGE_PRESENT, _PAGE_PRESENT | _PAGE_RW };",
            "\tfor (off = 0; off < (1UL << PTE_FILE_MAX_BITS); off += 4093 + (off & 7)) {",
            "\t\tfor (prot = 0; prot < 3; prot++) {",
            "\t\t\tpte_t pte = pgoff_prot_to_pte(off, __pgprot(prots[prot]));",
            "\t\t\tbad += pte_to_pgoff(pte) != off;",
            "\t\t\tbad += !(PTE_WORD(pte) & _PAGE_FILE) || (PTE_WORD(pte) & _PAGE_PRESENT);",
            "\t\t\tbad += (pgprot_val(pte_to_pgprot(pte)) & kept) != (prots[prot] & kept);",
            "\t\t}",
            "\t}",
            "\treturn bad != 0;",
            "}",
        ]
    )
    (tmp_path / "harness.c").write_text(source + "\n")
    subprocess.run(
        [gcc, "-O1", "-o", str(tmp_path / "harness"), str(tmp_path / "harness.c")], check=True
    )
    assert subprocess.run([str(tmp_path / "harness")]).returncode == 0
