"""Write output files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from toolkit.errors import OutputError


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file renamed into place.

    An output that cannot be written (a file in the way, no permission, a full disk) raises an
    OutputError naming `path`, and leaves neither a partial file nor the temporary one.
    """
    target = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _unwritable(target, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unwritable(target: Path, exc: OSError) -> OutputError:
    """The error for `target`, naming the path the system refused where it is another one."""
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""
    return OutputError(f"cannot write: {exc.strerror}{where}", target)
