"""The benchmark's input: a real `git log -p` of two released kernel source packages, built offline.

Two Debian `linux-source` packages are fetched with `apt-get download`, each tree is committed to a
scratch git repository, and the change between them (restricted to the core directories) is
replayed as one commit per subsystem directory, so the log holds many patches as a real history
does. Everything lives in bench/work/ and is reused while its key is unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# Pinned versions: the diff (and so every figure) only compares across runs while these stay.
# 6.1.192 -> 6.12.117 over the core directories is about 60 MB; the stable updates inside one
# 6.1 line are only ~13 MB, too small for the 50 MB the issue asks.
PACKAGES = (("linux-source-6.1", "6.1.192-2"), ("linux-source-6.12", "6.12.117-1~deb12u1"))
DIRECTORIES = ("block", "fs", "include", "kernel", "lib", "mm", "net")
# Fixed identity and dates make the scratch commits (and their ids in the log) reproducible.
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "rfp bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "rfp bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
    "GIT_AUTHOR_DATE": "2005-08-26T20:23:29+0000",
    "GIT_COMMITTER_DATE": "2005-08-26T20:23:29+0000",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}
# The peers and the compiler, and the Debian package that brings each.
PEERS = {"diffstat": "diffstat", "lsdiff": "patchutils", "cc": "gcc"}
KEY = "v2 " + " ".join(f"{p}={v}" for p, v in PACKAGES) + " -- " + " ".join(DIRECTORIES)


@dataclass(frozen=True, slots=True)
class Input:
    """The benchmark diff, a smaller prefix of it, and git's own counts for the big one."""

    diff: Path
    small: Path
    commits: int
    files: int
    insertions: int
    deletions: int
    description: str


def say(message: str) -> None:
    """Progress of the harness, on stderr so RESULTS.md stays the only product."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def ensure_peers() -> None:
    """Install diffstat, patchutils and gcc from the system packages when missing."""
    missing = sorted({pkg for tool, pkg in PEERS.items() if shutil.which(tool) is None})
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"bench: missing {', '.join(missing)}; install them (needs root)")
    say(f"installing {', '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", *missing]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        # A fresh container often has no package lists yet.
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)


def _git(
    repo: Path,
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> str:
    """Run git on the scratch repository with the fixed identity and dates; its stdout."""
    done = subprocess.run(
        ["git", *args],
        env={**os.environ, **_GIT_ENV, "GIT_DIR": str(repo), **(env or {})},
        cwd=cwd,
        input=stdin,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return done.stdout


def _tag(package: str, version: str) -> str:
    return f"{package}-{version}".replace("~", "_")


def _has_tag(repo: Path, tag: str) -> bool:
    env = {**os.environ, "GIT_DIR": str(repo)}
    found = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", f"refs/tags/{tag}"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return found.returncode == 0


def _download(debs: Path, package: str, version: str) -> Path:
    debs.mkdir(parents=True, exist_ok=True)
    deb = debs / f"{package}_{version.replace(':', '%3a')}_all.deb"
    if not deb.is_file():
        say(f"apt-get download {package}={version}")
        subprocess.run(
            # As root, apt would otherwise warn that its _apt user cannot write here.
            ["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", f"{package}={version}"],
            cwd=debs,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return deb


def _commit_tree(work: Path, repo: Path, package: str, version: str) -> None:
    """Unpack the source tarball of one package and commit it whole, tagged."""
    tag = _tag(package, version)
    if _has_tag(repo, tag):
        return
    deb = _download(work / "debs", package, version)
    tree = work / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir()
    say(f"unpacking {deb.name}")
    tarball = f"./usr/src/{package}.tar.xz"
    cmd = f"dpkg-deb --fsys-tarfile '{deb}' | tar -xO '{tarball}' | xz -dc -T0 | tar -x -C '{tree}'"
    subprocess.run(["sh", "-ec", cmd], check=True)
    (top,) = list(tree.iterdir())
    say(f"committing {tag}")
    # -f: Debian's tree ships a .gitignore that would hide everything.
    _git(repo, "--work-tree", str(top), "add", "-A", "-f", cwd=top)
    _git(repo, "--work-tree", str(top), "commit", "-q", "-m", f"{package} {version}", cwd=top)
    _git(repo, "tag", tag)
    shutil.rmtree(tree)


def subsystem(path: str) -> str:
    """The commit a changed path goes to: its top two directories (fs/ext4), or its top one."""
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


def _split_history(repo: Path, base: str, top: str) -> str:
    """Replay base..top over DIRECTORIES as one commit per subsystem directory; the last commit."""
    raw = _git(
        repo, "diff", "--raw", "--no-abbrev", "--no-renames", "-z", base, top, "--", *DIRECTORIES
    )
    fields = raw.split("\0")
    groups: dict[str, list[str]] = defaultdict(list)
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta:
            continue
        _, new_mode, _, new_sha, status = meta.lstrip(":").split()
        # --index-info removes a path given mode 0.
        entry = f"0 {'0' * 40}\t{path}" if status == "D" else f"{new_mode} {new_sha}\t{path}"
        groups[subsystem(path)].append(entry)
    index = {"GIT_INDEX_FILE": str(repo / "split.index")}
    _git(repo, "read-tree", base, env=index)
    parent = _git(repo, "rev-parse", base).strip()
    for group in sorted(groups):
        _git(repo, "update-index", "--index-info", stdin="\n".join(groups[group]) + "\n", env=index)
        tree = _git(repo, "write-tree", env=index).strip()
        message = f"{top}: {group}\n\nThe change of {group} from {base} to {top}.\n"
        parent = _git(repo, "commit-tree", tree, "-p", parent, "-m", message).strip()
    _git(repo, "update-ref", "refs/heads/series", parent)
    return parent


def build_input(work: Path) -> Input:
    """The cached benchmark input, built from the package registry when its key changed."""
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    diff, small, stamp = work / "input.diff", work / "input-small.diff", work / "input.key"
    repo = work / "linux.git"
    numstat = work / "input.numstat"
    ready = stamp.is_file() and stamp.read_text() == KEY and diff.is_file() and numstat.is_file()
    if not ready:
        if not (repo / "HEAD").is_file():
            subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
            _git(repo, "config", "gc.auto", "0")
            # Two 1.5 GB trees go in as loose objects: light zlib makes `git add` several
            # times faster and changes no object id.
            _git(repo, "config", "core.looseCompression", "1")
        for package, version in PACKAGES:
            _commit_tree(work, repo, package, version)
        base, top = (_tag(p, v) for p, v in PACKAGES)
        say(f"replaying {base}..{top} over {' '.join(DIRECTORIES)}")
        head = _split_history(repo, base, top)
        say("writing the git log -p")
        with open(f"{diff}.tmp", "wb") as out:
            subprocess.run(
                ["git", "log", "-p", "--no-renames", "--no-color", f"{base}..{head}"],
                env={**os.environ, **_GIT_ENV, "GIT_DIR": str(repo)},
                stdout=out,
                check=True,
            )
        os.replace(f"{diff}.tmp", diff)
        counts = _git(repo, "log", "--numstat", "--no-renames", "--format=%H", f"{base}..{head}")
        numstat.write_text(counts)
        _write_prefix(diff, small, 8 << 20)
        stamp.write_text(KEY)
    commits, files, plus, minus = numstat_totals(numstat.read_text())
    text = (
        f"`git log -p` of {commits} commits replaying {PACKAGES[0][0]} {PACKAGES[0][1]} -> "
        f"{PACKAGES[1][0]} {PACKAGES[1][1]} over {', '.join(DIRECTORIES)} (Debian packages, "
        "one commit per subsystem directory)"
    )
    return Input(diff, small, commits, files, plus, minus, text)


def _write_prefix(diff: Path, small: Path, size: int) -> None:
    """The first commits of `diff` up to about `size` bytes, cut where a commit starts."""
    with diff.open("rb") as src, open(f"{small}.tmp", "wb") as out:
        written = 0
        for line in src:
            if written >= size and line.startswith(b"commit "):
                break
            out.write(line)
            written += len(line)
    os.replace(f"{small}.tmp", small)


def numstat_totals(text: str) -> tuple[int, int, int, int]:
    """Commits, file changes, insertions and deletions of `git log --numstat --format=%H` output."""
    commits = files = plus = minus = 0
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) == 3:
            files += 1
            # Binary files show "-" for both counts and add nothing.
            if cells[0] != "-":
                plus += int(cells[0])
                minus += int(cells[1])
        elif line.strip():
            commits += 1
    return commits, files, plus, minus
