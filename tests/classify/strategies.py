"""Hypothesis strategies for the classify tests: random `git log -p` text, sane or not."""

from __future__ import annotations

from hypothesis import strategies as st

# Lines a random log is made of: message starts, file headers, hunk headers, hunk lines and
# the lookalikes that must not be taken for them.
LOG_LINES = st.sampled_from(
    [
        "commit 0123456789abcdef0123456789abcdef01234567",
        "commit 0123456789abcdef0123456789abcdef01234567 (HEAD)",
        "commit 0123456789ABCDEF0123456789abcdef01234567",
        "From 0123 Mon Sep 17 00:00:00 2001",
        "From x",
        "Author: A <a@b>",
        "",
        "    fix the thing",
        "Subject: [PATCH 1/2] a subject",
        "diff --git a/mm/x.c b/mm/x.c",
        "--- a/mm/x.c",
        "--- a/mm/y.c\t2005-01-01",
        "--- /dev/null",
        "+++ b/mm/x.c",
        "+++ b/mm/y.c\t2005-01-01",
        "+++  /dev/null ",
        "+++ ",
        "+++ b/caf\xe9.c",
        "+++ b/caf\udce9.c",
        "+++ b/nbsp\u00a0",
        "+++ b/crlf.c\r",
        "--- a/crlf.c\r",
        "++ plus",
        "@@ -1,3 +1,4 @@ int f(void)",
        "@@ -1 +1 @@",
        "@@ -0,0 +1,2 @@",
        "@@ -5,2 +5,0 @@",
        "@@ -x +1 @@",
        "+added",
        "-removed",
        "--- removed dashes",
        " context",
        "\\ No newline at end of file",
    ]
)


# What a hunk line says after its +, - or space: some look like headers once marked.
_TEXT = st.sampled_from(["x", "", "-- a/q.c", "++ b/q.c", "+ y", "@ -1 +1 @@", "commit", "\t"])
_NAME = st.sampled_from(["mm/a.c", "mm/b.c", "include/x.h", "caf\xe9.c", "sp ace.c"])


@st.composite
def hunks(draw: st.DrawFn) -> str:
    """A hunk whose header counts its lines (old lines are context or removed)."""
    lines = draw(st.lists(st.tuples(st.sampled_from(" +-"), _TEXT), min_size=1, max_size=6))
    old = sum(kind != "+" for kind, _ in lines)
    new = sum(kind != "-" for kind, _ in lines)
    body = "".join(f"{kind}{text}\n" for kind, text in lines)
    return f"@@ -1,{old} +1,{new} @@ f\n{body}"


@st.composite
def files(draw: st.DrawFn) -> str:
    """One file of a commit: git's header lines, then its hunks."""
    name = draw(_NAME)
    old, new = draw(
        st.sampled_from(
            [(f"a/{name}", f"b/{name}"), ("/dev/null", f"b/{name}"), (f"a/{name}", "/dev/null")]
        )
    )
    body = "".join(draw(st.lists(hunks(), max_size=3)))
    return f"diff --git a/{name} b/{name}\n--- {old}\n+++ {new}\n{body}"


@st.composite
def commits(draw: st.DrawFn) -> str:
    """A `git log -p` entry: its header, an indented message, its files."""
    title = draw(st.sampled_from(["fix it", "", "[PATCH] x", "Subject: y"]))
    body = "".join(draw(st.lists(files(), max_size=3)))
    return f"commit {'ab' * 20}\nAuthor: A <a@b>\n\n    {title}\n\n{body}"
