"""The lineage tag of the database header (sqlfile's ``next_lineage``): a -wal is accepted beside
its own file in every state the file goes through, and refused beside a copy changed on its own."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from tracker import sqlfile
from tracker.db import open_database
from tracker.services import checkins

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _write(path: Path, day: int, mood: int) -> None:
    database = open_database(path, backup=False)
    try:
        with database.write() as session:
            checkins.set_checkin(session=session, day=date(2026, 11, day), mood=mood, now=NOW)
    finally:
        database.close()


def test_next_lineage_links_to_the_tag_before_it() -> None:
    for current in (0, 1, 0x7FFF_FFFF, -1, -(1 << 31)):
        tag = sqlfile.next_lineage(current) & 0xFFFF_FFFF  # as the header stores it
        assert tag >> 16 == current & 0xFFFF
        assert -(1 << 31) <= sqlfile.next_lineage(current) < 1 << 31  # what PRAGMA user_version takes


def test_its_own_wal_is_accepted_at_every_step_and_a_diverged_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    _write(path, 1, 5)
    keeper = sqlite3.connect(path)  # an open reader: the -wal outlives each writer
    keeper.execute("SELECT count(*) FROM checkin").fetchone()
    try:
        for day in range(2, 6):
            _write(path, day, day)
            assert path.with_name("t.db-wal").stat().st_size > 0
            assert sqlfile.wal_problem(path) is None, day
            if day == 3:  # a checkpoint copies part of the -wal into the file (the app's passive one)
                keeper.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                assert sqlfile.wal_problem(path) is None
        copy = tmp_path / "copy" / "t.db"
        copy.parent.mkdir()
        shutil.copy(path, copy)
        shutil.copy(path.with_name("t.db-wal"), copy.with_name("t.db-wal"))
        assert sqlfile.wal_problem(copy) is None  # an exact copy of file and -wal is the same state
        # Both change on their own: ours (then checkpointed into the file), and the copy.
        _write(path, 6, 6)
        assert sqlfile.wal_problem(path) is None
        keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        other = sqlite3.connect(copy)
        other.execute("SELECT count(*) FROM checkin").fetchone()
        try:
            _write(copy, 7, 7)
            assert sqlfile.wal_problem(copy) is None
            diverged = copy.with_name("t.db-wal").read_bytes()
        finally:
            other.close()
        path.with_name("t.db-wal").write_bytes(diverged)
        assert "diverged copy" in (sqlfile.wal_problem(path) or "")
    finally:
        keeper.close()
