"""``synchronous = FULL`` on every connection path, and a committed write really synced.

SIGKILL keeps the page cache, so the kill tests pass even with ``synchronous`` OFF; these
fail when any path runs with less than FULL: the pragma asked on every kind of connection the
program makes, and the real command line traced (strace) committing a check-in while another
connection keeps the -wal open (as the UI does), so no closing checkpoint hides a missing sync.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.faults.conftest import STRACE, TRACKER, checkins, db, ok, read_only, run  # noqa: F401
from tracker import sqlfile
from tracker.db import open_database
from tracker.store import ChangeWatcher, Reader

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def _sync(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA synchronous").fetchone()[0])


def test_every_connection_path_runs_with_synchronous_full(db: Path) -> None:  # noqa: F811
    database = open_database(db, backup=False)
    try:
        with database.engine.connect() as conn:  # the ORM engine (tracker/db.py)
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == FULL
    finally:
        database.close()
    for make in (sqlfile.connect, sqlfile.connect_for_app, sqlfile.connect_ro):  # plain sqlite3
        conn = make(db)
        try:
            assert _sync(conn) == FULL, make.__name__
        finally:
            conn.close()
    with Reader(db).read() as conn:  # the light reads of the screens (tracker/store.py)
        assert _sync(conn) == FULL
    watcher = ChangeWatcher(db)
    try:
        watcher.changed()
        assert watcher._conn is not None and _sync(watcher._conn) == FULL
    finally:
        watcher.close()
    with read_only(db.parent):  # a read-only mount: connect_for_app reads through connect_ro (immutable)
        conn = sqlfile.connect_for_app(db)
        try:
            assert _sync(conn) == FULL
        finally:
            conn.close()


_CALL = re.compile(r"^\d+\s+(\w+)\(\d+<([^>]*)>")


@pytest.mark.skipif(STRACE is None, reason="strace is not installed (.ci/run installs it)")
def test_a_committed_check_in_syncs_the_wal_before_the_command_exits(db: Path, tmp_path: Path) -> None:  # noqa: F811
    wal = f"{db}-wal"
    holder = subprocess.Popen(  # the open UI: the command line is not the last connection
        ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]);"
         "c.execute('SELECT count(*) FROM checkin').fetchone(); print('ready', flush=True);"
         "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        trace = tmp_path / "trace"
        result = subprocess.run(
            [STRACE, "-f", "-y", "-qq", "-o", str(trace), "-e", "trace=write,pwrite64,fdatasync,fsync",
             TRACKER, "log", "checkin", "--mood", "4", "--note", "synced", "--db", str(db)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        ok(result)
        calls = [m.groups() for m in map(_CALL.match, trace.read_text().splitlines()) if m]
        writes = [i for i, (name, path) in enumerate(calls) if path == wal and "write" in name]
        assert writes, "the check-in was not written to the -wal"
        synced = [
            name for name, path in calls[writes[-1] :] if path == wal and name in ("fdatasync", "fsync")
        ]
        assert synced, "the commit's -wal frames were never synced before the command exited"
    finally:
        holder.communicate("")
    from datetime import date

    assert (date.today().isoformat(), 4) in checkins(db)
