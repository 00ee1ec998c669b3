"""Consistent copies of the database with SQLite's online backup API.

Copies go to ``backups/`` beside the database, mode 0600.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from tracker import paths


def online_backup(src: Path, dest: Path) -> Path:
    """Copy ``src`` to ``dest`` consistently, even while others write to it."""
    paths.create_private_file(dest)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=10)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    paths.make_private(dest)
    return dest


def backup_before(db_path: Path, *, reason: str) -> Path:
    """A copy taken before a risky operation (migration, import, restore)."""
    folder = paths.backups_dir(db_path)
    paths.ensure_private_dir(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return online_backup(db_path, folder / f"{db_path.stem}-{reason}-{stamp}.db")
