"""Subject lines parsed the way b4 reads them: `[RFC PATCH v3 02/18] area: text`."""

from __future__ import annotations

import re

from toolkit.series.records import Subject

# Re: [PATCH] ...   /   Fwd: ...   (replies and forwards, any case, possibly repeated)
_REPLY = re.compile(r"^(?:(?:re|fwd?|aw)\s*:\s*)+", re.IGNORECASE)
# [RFC PATCH v2 3/7]   (one bracketed prefix group at the start)
_BRACKET = re.compile(r"^\[([^\]]*)\]\s*")
# v3   /   V12   (revision)
_REVISION = re.compile(r"^[vV](\d+)$")
# PATCHv2   (a revision glued to the prefix)
_GLUED = re.compile(r"^(PATCH|RFC)[vV](\d+)$", re.IGNORECASE)
# 02/18   (counter/expected)
_COUNTER = re.compile(r"^(\d+)/(\d+)$")


def parse_subject(raw: str) -> Subject:
    """Parse a subject into its bracketed prefixes, revision, counter and text."""
    # Mail headers may be folded over several lines; b4 reads them as one.
    text = " ".join(raw.split())
    prefixes: list[str] = []
    revision = 1
    counter: int | None = None
    expected: int | None = None
    while True:
        reply = _REPLY.match(text)
        if reply:
            prefixes.append("Re")
            text = text[reply.end() :]
            continue
        bracket = _BRACKET.match(text)
        if not bracket:
            break
        text = text[bracket.end() :]
        for token in bracket.group(1).split():
            rev = _REVISION.match(token)
            count = _COUNTER.match(token)
            glued = _GLUED.match(token)
            if rev:
                revision = int(rev.group(1))
            elif glued:
                prefixes.append(glued.group(1))
                revision = int(glued.group(2))
            elif count:
                counter, expected = int(count.group(1)), int(count.group(2))
            else:
                prefixes.append(token)
    return Subject(
        raw=raw,
        text=text.strip(),
        prefixes=tuple(prefixes),
        revision=revision,
        counter=counter,
        expected=expected,
    )
