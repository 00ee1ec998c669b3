"""Text typed by the user (or imported) as it may be shown on a terminal."""

from __future__ import annotations

import re

# C0 and C1 control characters, DEL, and the bidirectional overrides a terminal would obey.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")


def printable(text: str, limit: int | None = None) -> str:
    """``text`` on one line with no control characters (escape codes, newlines), cut at ``limit``.

    Each run of control characters becomes one space, so an escape sequence cannot move the
    cursor, clear the screen or forge a line of output.
    """
    clean = " ".join(_CONTROL.sub(" ", text).split())
    if limit is not None and len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return clean
