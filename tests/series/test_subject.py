"""b4-style subject parsing, as a table of subjects and what they hold."""

from __future__ import annotations

import pytest

from toolkit.series import parse_subject

CASES = [
    # raw subject, text, prefixes, revision, counter, expected
    ("[patch 05/18] rfp: enhance syscall", "rfp: enhance syscall", ("patch",), 1, 5, 18),
    ("[PATCH] one-off fix", "one-off fix", ("PATCH",), 1, None, None),
    ("[RFC PATCH v3 2/7] mm: thing", "mm: thing", ("RFC", "PATCH"), 3, 2, 7),
    ("[PATCH v2 net-next 00/04] cover", "cover", ("PATCH", "net-next"), 2, 0, 4),
    ("[RFC][PATCH 1/2] two brackets", "two brackets", ("RFC", "PATCH"), 1, 1, 2),
    ("Re: [patch 08/18] reply", "reply", ("Re", "patch"), 1, 8, 18),
    ("no brackets: (1) text", "no brackets: (1) text", (), 1, None, None),
    ("[PATCH V4 3/3]   folded\n  subject", "folded subject", ("PATCH",), 4, 3, 3),
    ("[PATCH] [not a prefix] x", "x", ("PATCH", "not", "a", "prefix"), 1, None, None),
    ("text [PATCH 1/2] later", "text [PATCH 1/2] later", (), 1, None, None),
    ("[PATCHv5 12/20] glued", "glued", ("PATCH",), 5, 12, 20),
    ("[PATCH RESEND 1/1] again", "again", ("PATCH", "RESEND"), 1, 1, 1),
]


@pytest.mark.parametrize(("raw", "text", "prefixes", "revision", "counter", "expected"), CASES)
def test_subject_table(
    raw: str,
    text: str,
    prefixes: tuple[str, ...],
    revision: int,
    counter: int | None,
    expected: int | None,
) -> None:
    """Each subject splits into prefixes, revision, counter/expected and text as b4 reads it."""
    subject = parse_subject(raw)
    assert subject.raw == raw
    assert subject.text == text
    assert subject.prefixes == prefixes
    assert subject.revision == revision
    assert (subject.counter, subject.expected) == (counter, expected)
