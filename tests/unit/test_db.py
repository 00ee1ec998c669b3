"""Storage: pragmas, permissions, migrations and refusals."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel, select

import tracker.models  # noqa: F401
from tests.helpers.mounts import needs_mount, read_only
from tracker import migrations
from tracker.db import Database, integrity_check, open_database, schema_revision
from tracker.domain.errors import DatabaseDamagedError, DatabaseTooNewError, StorageError
from tracker.models import Symptom


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_every_connection_has_the_pragmas(db: Database) -> None:
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        assert cur.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cur.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert cur.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_a_fresh_engine_on_an_existing_file_sets_them_too(db: Database, db_path: Path) -> None:
    db.close()
    again = open_database(db_path)
    with again.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    again.close()


def test_folder_and_files_are_private(db: Database, db_path: Path) -> None:
    with db.write() as session:
        session.add(Symptom(key="x", name="X", group="Other"))
    assert _mode(db_path.parent) == 0o700
    assert _mode(db_path) == 0o600
    for side in (db_path.with_name("tracker.db-wal"), db_path.with_name("tracker.db-shm")):
        if side.exists():
            assert _mode(side) == 0o600


def test_migrations_reach_head_and_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == migrations.HEAD
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_revision_list_matches_alembic_scripts() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    script = ScriptDirectory.from_config(cfg)
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert tuple(chain) == migrations.REVISIONS
    assert script.get_current_head() == migrations.HEAD


def test_symptom_catalogue_is_seeded_in_finish_groups(db: Database) -> None:
    with db.read() as session:
        rows = session.exec(select(Symptom)).all()
    groups = {s.group for s in rows}
    assert {
        "Flu-like",
        "Insomnia",
        "Nausea",
        "Imbalance",
        "Sensory",
        "Hyperarousal",
        "Other",
        "Crisis",
    } <= groups
    assert any(s.key == "brain-zaps" for s in rows)
    assert sum(1 for s in rows if s.is_crisis) == 1


def test_newer_database_is_refused_and_left_untouched(db: Database, db_path: Path) -> None:
    db.close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNewError, match="newer version"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_and_kept(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my notes, not a database" * 10)
    before = bad.read_bytes()
    with pytest.raises(DatabaseDamagedError, match="not a taper-tracker database"):
        open_database(bad)
    assert bad.read_bytes() == before


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseDamagedError, match="not one of taper-tracker's"):
        open_database(other)


def test_missing_folder_is_an_error_unless_it_is_the_default(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_database(tmp_path / "nope" / "t.db")
    assert not (tmp_path / "nope").exists()
    made = open_database(tmp_path / "made" / "t.db", create_dir=True)
    made.close()
    assert _mode(tmp_path / "made") == 0o700


@needs_mount
def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    """A real read-only folder (a read-only bind mount: root cannot write there either)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked), pytest.raises(StorageError, match="cannot create"):
        open_database(locked / "t.db")
    assert list(locked.iterdir()) == []


def test_integrity_check_and_revision(db: Database, db_path: Path) -> None:
    assert integrity_check(db_path) == []
    assert schema_revision(db_path) == migrations.HEAD


def test_nothing_is_created_at_import(tmp_path: Path) -> None:
    import subprocess
    import sys

    data = tmp_path / "fresh-xdg"
    code = "import tracker.cli, tracker.cli.core, tracker.db, tracker.services.meds, tracker.services.doses"
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert not data.exists()
