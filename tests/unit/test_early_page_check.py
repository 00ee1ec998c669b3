"""The page check before a logging command's first write runs in a thread while the ORM is
imported (``sqlfile.start_page_check``), and its result counts only when it is the result
the check in ``tracker.db.verify_pages`` would have had: every page sound, and neither the
file nor its log changed since the check began. Otherwise the check runs again before the
write, so damage is refused as before (tests/faults/test_open_path.py, real processes).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tracker import db as db_module
from tracker import sqlfile
from tracker.cli import main
from tracker.db import open_database
from tracker.domain.errors import DatabaseDamagedError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "t.db"
    for mood in ("5", "6"):
        assert main(["log", "checkin", "--mood", mood, "--day", "2026-11-20", "--db", str(target)]) == 0
    return target


def _damage_page(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(os.urandom(page_size - 16))


def test_a_sound_file_passes_once(path: Path) -> None:
    sqlfile.start_page_check(path)
    assert sqlfile.early_page_check_passed(path)
    assert not sqlfile.early_page_check_passed(path)  # used up: a later write checks for itself


def test_a_file_written_after_the_check_began_is_checked_again(path: Path) -> None:
    sqlfile.start_page_check(path)
    conn = sqlite3.connect(path)  # another program writes meanwhile
    conn.execute("UPDATE checkin SET note = 'x'")
    conn.commit()
    conn.close()
    assert not sqlfile.early_page_check_passed(path)


def test_damaged_pages_never_pass_and_the_write_is_refused(path: Path) -> None:
    _damage_page(path, "symptom")
    before = path.read_bytes()
    sqlfile.start_page_check(path)
    assert not sqlfile.early_page_check_passed(path)
    db_module._CHECKED.discard(path)  # as in a new process (the fixture's commands checked it)
    sqlfile.start_page_check(path)
    with pytest.raises(DatabaseDamagedError, match="integrity"):
        open_database(path)
    assert path.read_bytes() == before


def test_no_check_is_left_behind_for_a_missing_file(tmp_path: Path) -> None:
    sqlfile.start_page_check(tmp_path / "none.db")
    assert not sqlfile.early_page_check_passed(tmp_path / "none.db")
