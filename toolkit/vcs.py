"""Every git call of the toolkit, made through GitPython: the only module that imports git."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

import git

from toolkit.errors import ExternalToolError, MissingInputError

_IDENTITY = ("rfp-toolkit", "rfp-toolkit@localhost")


def _repo(path: str | Path) -> git.Repo:
    """The repository at `path`, or a MissingInputError naming it."""
    try:
        return git.Repo(path)
    except git.NoSuchPathError:
        raise MissingInputError("no such repository", path) from None
    except git.InvalidGitRepositoryError:
        raise MissingInputError("not a git repository", path) from None


def _failure(exc: git.CommandError) -> str:
    """The first line git wrote to stderr, without GitPython's `stderr: '...'` wrapping."""
    text = str(exc.stderr).strip()
    text = text.removeprefix("stderr:").strip().strip("'")
    # git explains a failure on its first line; hints follow on the next ones
    return next((line.strip() for line in text.splitlines() if line.strip()), f"exit {exc.status}")


def format_patches(repo: str | Path, rev_range: str) -> bytes:
    """`git format-patch --stdout` of `rev_range`: one mbox message per commit."""
    try:
        out = _repo(repo).git.format_patch(
            "--stdout", rev_range, stdout_as_string=False, strip_newline_in_stdout=False
        )
    except git.CommandError as exc:
        message = f"git format-patch {rev_range} failed: {_failure(exc)}"
        raise ExternalToolError(message, repo) from None
    assert isinstance(out, bytes)  # stdout_as_string=False
    return out


def init_repo(path: str | Path) -> None:
    """Create an empty repository with a committer identity of its own."""
    repo = git.Repo.init(path)
    with repo.config_writer() as config:
        config.set_value("user", "name", _IDENTITY[0])
        config.set_value("user", "email", _IDENTITY[1])


def commit_files(repo: str | Path, files: Mapping[str, bytes], message: str) -> str:
    """Write `files` (path relative to the work tree: content), commit them, return the sha."""
    handle = _repo(repo)
    root = Path(handle.working_dir)
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    handle.index.add(list(files))
    actor = git.Actor(*_IDENTITY)
    return handle.index.commit(message, author=actor, committer=actor).hexsha


def am(repo: str | Path, mbox: str | Path) -> None:
    """Apply an mboxrd mailbox with `git am`, or raise ExternalToolError (after `--abort`)."""
    handle = _repo(repo)
    try:
        handle.git.am("--patch-format=mboxrd", str(mbox))
    except git.CommandError as exc:
        # nothing to abort when am stopped before starting
        with contextlib.suppress(git.CommandError):
            handle.git.am("--abort")
        raise ExternalToolError(f"git am failed: {_failure(exc)}", mbox) from None


def head(repo: str | Path) -> str:
    """The sha of HEAD."""
    return _repo(repo).head.commit.hexsha


# -- kernel trees for `rfp port --kernel-tree` ---------------------------------------


def work_tree(repo: str | Path) -> Path:
    """The top of the work tree of the repository at `repo`."""
    top = _repo(repo).working_tree_dir
    if top is None:
        raise MissingInputError("a bare repository has no work tree", repo)
    return Path(top)


def is_dirty(repo: str | Path) -> bool:
    """Whether the repository has uncommitted changes or untracked files."""
    return _repo(repo).is_dirty(untracked_files=True)


def commit_paths(
    repo: str | Path, paths: list[str], message: str, author: tuple[str, str] | None = None
) -> str:
    """Commit the work-tree state of `paths` as `author` (name, mail), else git config's."""
    handle = _repo(repo)
    actor = None if author is None else git.Actor(*author)
    handle.index.add(paths)
    try:
        # With author None GitPython reads user.name/user.email from git config.
        return handle.index.commit(message, author=actor).hexsha
    except git.CommandError as exc:
        raise ExternalToolError(f"git commit failed: {_failure(exc)}", repo) from None
    except ValueError as exc:
        raise ExternalToolError(f"git commit failed: {exc}", repo) from None
