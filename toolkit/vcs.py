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


def format_patches(repo: str | Path, rev_range: str) -> bytes:
    """`git format-patch --stdout` of `rev_range`: one mbox message per commit."""
    try:
        out = _repo(repo).git.format_patch(
            "--stdout", rev_range, stdout_as_string=False, strip_newline_in_stdout=False
        )
    except git.GitCommandError as exc:
        message = f"git format-patch {rev_range} failed: {str(exc.stderr).strip()}"
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
    """Apply an mbox with `git am`, or raise ExternalToolError (after `git am --abort`)."""
    handle = _repo(repo)
    try:
        handle.git.am(str(mbox))
    except git.GitCommandError as exc:
        # nothing to abort when am stopped before starting
        with contextlib.suppress(git.GitCommandError):
            handle.git.am("--abort")
        raise ExternalToolError(f"git am failed: {str(exc.stderr).strip()}", mbox) from None


def head(repo: str | Path) -> str:
    """The sha of HEAD."""
    return _repo(repo).head.commit.hexsha
