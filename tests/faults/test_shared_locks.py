"""The app open while the command line writes in another terminal: the app keeps its locks.

On POSIX, closing any file descriptor of a file drops every fcntl lock the process holds on
that file, SQLite's shared lock included. A header read with ``open()``/``close()`` while the
app had a connection open made the next command-line write believe it was the last
connection: it checkpointed and deleted the ``-wal`` and ``-shm`` under the app, whose
change watcher then went blind (a crisis entry did not show) and later met disk I/O errors.
Every read of the file's bytes goes through ``sqlfile.read_head`` (one descriptor per file,
never closed); these tests use the real app, the real command line and real locks.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.faults.conftest import db, ok, run  # noqa: F401
from tracker import paths, sqlfile


async def _until(pilot: Pilot[Any], condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait (polling the app's state, never a fixed sleep) until ``condition()`` holds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, f"the app never showed {what}"
        await pilot.pause(0.05)


def _mark_first_run_done(path: Path) -> None:
    from tracker.db import open_database
    from tracker.services import settings

    database = open_database(path)
    with database.write() as session:
        settings.set_setting(session=session, key="first_run_done", value=True)
    database.close()


async def test_a_crisis_entry_from_the_command_line_shows_live_and_the_wal_stays(db: Path) -> None:  # noqa: F811
    from tracker.ui.app import TrackerApp
    from tracker.ui.screens.today import TodayScreen

    _mark_first_run_done(db)
    wal = paths.sidecar_files(db)[0]
    app = TrackerApp(db, watch_interval=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(
            pilot, lambda: isinstance(app.screen, TodayScreen) and app.screen.data is not None, "Today"
        )
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        await _until(pilot, lambda: app._watcher is not None, "its change watcher")
        assert screen.data is not None and "R8" not in {r.rule for r in screen.data.reminders}
        # The app's first change opens its writing side (its checks of the file run then).
        await pilot.press("o", "5", "enter")
        await _until(pilot, lambda: screen.data is not None and screen.data.mood == 5, "its own mood 5")

        # Another terminal: `tracker log symptom self-harm-thoughts 1` (DOMAIN.md R8: any severity).
        ok(await asyncio.to_thread(run, "log", "symptom", "self-harm-thoughts", "1", "--db", str(db)))
        assert wal.exists(), "the command line deleted the -wal under the open app"

        def urgent() -> bool:
            data = screen.data
            return data is not None and bool(data.reminders) and data.reminders[0].rule == "R8"

        await _until(pilot, urgent, "the crisis reminder (R8)")
        banner = screen.query_one("#reminders")
        assert banner.has_class("-urgent") and "self-harm" in str(banner.render())

        # A second write after that: still seen live, the -wal still there and whole.
        ok(await asyncio.to_thread(run, "log", "checkin", "--mood", "3", "--db", str(db)))
        assert wal.exists(), "the second command-line write deleted the -wal under the open app"
        await _until(pilot, lambda: screen.data is not None and screen.data.mood == 3, "the new mood 3")
        assert not [n for n in app._notifications if n.severity == "error"]
    assert sqlfile.integrity_check(db) == []


def test_read_head_keeps_the_shared_lock_of_an_open_connection(tmp_path: Path) -> None:
    """While our connection holds a read transaction, another process cannot take the file
    for itself (BEGIN EXCLUSIVE fails), before and after our header reads."""
    path = tmp_path / "r.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("BEGIN")
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)  # a SHARED lock now

    probe = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)\n"
        "try:\n    c.execute('BEGIN EXCLUSIVE')\nexcept sqlite3.OperationalError as e:\n    print(e)\n"
        "else:\n    print('got it')\n"
    )

    def other_process_can_take_it() -> bool:
        out = subprocess.run(
            [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True
        )
        return out.stdout.strip() == "got it"

    assert not other_process_can_take_it()
    assert sqlfile.file_problem(path) is None and sqlfile.wal_problem(path) is None
    sqlfile.check_header(path)
    assert not other_process_can_take_it(), "a header read dropped our connection's lock"
    assert sqlfile.read_head(path, 100)[:16] == sqlfile.SQLITE_MAGIC
    assert not other_process_can_take_it(), "a header read dropped our connection's lock"
    conn.execute("COMMIT")
    conn.close()
    assert other_process_can_take_it()


def test_the_wal_survives_another_process_while_ours_is_open(tmp_path: Path) -> None:
    """The symptom itself: our WAL connection open, a header read, another process writes and
    closes: it must not think it was the last connection (it would delete the -wal and -shm)."""
    path = tmp_path / "w.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    before = conn.execute("PRAGMA data_version").fetchone()[0]
    sqlfile.check_header(path)
    sqlfile.integrity_check(path, ours=False)
    writer = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('INSERT INTO t VALUES (2)'); c.commit(); c.close()"
    )
    subprocess.run([sys.executable, "-c", writer, str(path)], check=True)
    assert os.path.exists(f"{path}-wal") and os.path.exists(f"{path}-shm")
    assert conn.execute("PRAGMA data_version").fetchone()[0] != before  # and we saw its commit
    conn.close()
