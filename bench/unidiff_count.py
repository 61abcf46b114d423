"""The "unidiff alone" peer: parse a diff with unidiff.PatchSet, print files, insertions, deletions.

The baseline a toolkit built on python-unidiff starts from. The toolkit reads unidiff only through
toolkit/series/diffparse.py; this script stands outside the package on purpose, as a peer tool.
"""

from __future__ import annotations

import sys

from unidiff.patch import PatchSet


def main(path: str) -> int:
    """Print `files insertions deletions` of the diff at `path`."""
    # Kernel diffs carry a few non-UTF-8 bytes; they must not stop the parse.
    with open(path, encoding="utf-8", errors="replace") as stream:
        patch = PatchSet(stream)
    print(len(patch), sum(f.added for f in patch), sum(f.removed for f in patch))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
