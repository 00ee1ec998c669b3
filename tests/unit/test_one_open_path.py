"""Every connection to the database, read-only ones included, is made by tracker/sqlfile.py
(its pragmas, its read-only mount handling, its quoting of the name); nothing else in the program
builds a SQLite URI or calls sqlite3.connect."""

from __future__ import annotations

from pathlib import Path

TRACKER = Path(__file__).parents[2] / "tracker"


def test_only_sqlfile_connects_or_builds_a_read_only_uri() -> None:
    offenders = []
    for source in sorted(TRACKER.rglob("*.py")):
        if source.name == "sqlfile.py" and source.parent == TRACKER:
            continue
        text = source.read_text(encoding="utf-8")
        for needle in ("sqlite3.connect(", "mode=ro", "uri=True"):
            if needle in text:
                offenders.append(f"{source.relative_to(TRACKER)}: {needle}")
    assert offenders == []
