"""The light half of storage: opening for plain reads, and what it refuses."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.db import open_database
from tracker.domain.errors import DatabaseDamagedError, DatabaseTooNewError, StorageError
from tracker.store import day_from_db, open_reader, raw, to_db, utc_from_db

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _current(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    open_database(path).close()
    return path


def test_a_current_database_opens_for_plain_reads(tmp_path: Path) -> None:
    reader = open_reader(_current(tmp_path))
    assert reader is not None
    with reader.read() as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT count(*) FROM symptom").fetchone()[0] > 0  # the catalogue


def test_a_plain_read_never_writes(tmp_path: Path) -> None:
    path = _current(tmp_path)
    reader = open_reader(path)
    assert reader is not None
    with pytest.raises(StorageError, match="read-only"), reader.read() as conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('theme', '\"nord\"')")
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM setting").fetchone() == (0,)


def test_missing_empty_and_old_databases_need_the_full_open(tmp_path: Path) -> None:
    assert open_reader(tmp_path / "missing.db") is None
    (tmp_path / "empty.db").touch()
    assert open_reader(tmp_path / "empty.db") is None
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0001_initial.db", old)
    before = old.read_bytes()
    assert open_reader(old) is None
    assert old.read_bytes() == before  # deciding changed nothing


def test_files_that_are_not_ours_are_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list\n")
    with pytest.raises(DatabaseDamagedError, match="not a taper-tracker database"):
        open_reader(notes)
    newer = _current(tmp_path)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999_future'")
    conn.close()
    before = newer.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        open_reader(newer)
    assert newer.read_bytes() == before


def test_raw_hands_over_the_sessions_connection_with_its_pending_rows(tmp_path: Path) -> None:
    from tracker.models import Setting

    db = open_database(tmp_path / "s.db")
    with db.write() as session:
        session.add(Setting(key="theme", value='"nord"'))  # not flushed yet
        conn = raw(session)
        assert conn.execute("SELECT value FROM setting WHERE key = 'theme'").fetchone() == ('"nord"',)
        assert conn is raw(conn)
    db.close()


def test_stored_text_round_trips() -> None:
    moment = datetime(2026, 3, 29, 0, 30, 5, 120, tzinfo=UTC)
    assert to_db(moment) == "2026-03-29 00:30:05.000120"
    assert to_db(moment.replace(tzinfo=None)) == "2026-03-29 00:30:05.000120"
    assert utc_from_db(to_db(moment)) == moment
    paris = moment.astimezone(ZoneInfo("Europe/Paris"))  # shown as 01:30 in Paris, stored as 00:30 UTC
    assert paris.hour == 1 and to_db(paris) == "2026-03-29 00:30:05.000120"
    assert to_db(date(2026, 3, 29)) == "2026-03-29" and day_from_db("2026-03-29") == date(2026, 3, 29)
    assert utc_from_db(None) is None and day_from_db(None) is None
