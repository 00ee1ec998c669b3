"""Privacy: private files and folders, no network, and no health data in error messages.

- The data folder is 0700; the database, its -wal and -shm, backups and exports are 0600,
  whatever the umask.
- The main flows of the command line make no network connection (sockets are blocked and
  every attempt recorded; a real process is checked with an audit hook).
- Error messages name files and problems, never medications, symptoms or notes, unless the
  user asks for debug output with TRACKER_DEBUG=1.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker import db as db_module
from tracker.cli import build_parser, main
from tracker.db import open_database
from tracker.services import checkins

SECRET = "my-private-note-7f3a"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would make new files world-readable, to show the app does not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _has_command(name: str) -> bool:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return name in (sub.choices or {})


MAIN_FLOWS = [
    ["med", "add", "Sertraline", "--strength", "50mg"],
    ["rx", "set", "sertraline", "50mg", "--times", "08:00", "--from", "2026-01-01"],
    ["log", "dose", "sertraline", "1 tablet", "--at", "yesterday 08:05", "--note", SECRET],
    ["log", "symptom", "brain zaps", "2", "--note", SECRET],
    ["log", "checkin", "--mood", "6", "--sleep", "7", "--note", SECRET],
    ["status"],
    ["status", "--json"],
    ["backup"],
    ["backups"],
]


# --- permissions -----------------------------------------------------------------------------------------


def test_folder_database_sidecars_and_backups_are_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "fresh" / "tracker.db"
    db = open_database(path, create_dir=True)
    with db.write() as session:  # a write with the database open: -wal and -shm exist now
        checkins.set_checkin(session=session, day=date(2026, 1, 1), mood=5)
        sidecars = [path.with_name("tracker.db-wal"), path.with_name("tracker.db-shm")]
        assert all(p.exists() for p in sidecars)
        assert [_mode(p) for p in sidecars] == [0o600, 0o600]
    db.close()
    assert _mode(path.parent) == 0o700 and _mode(path) == 0o600
    open_database(path).close()  # first open of the day: the daily copy
    folder = path.parent / "backups"
    copies = list(folder.iterdir())
    assert _mode(folder) == 0o700 and copies and all(_mode(p) == 0o600 for p in copies)


def test_a_database_file_made_readable_by_others_is_made_private_again(db_path: Path) -> None:
    open_database(db_path, create_dir=True).close()
    db_path.chmod(0o644)
    db = open_database(db_path)
    with db.read() as session:
        checkins.checkin_for_day(session=session, day=date(2026, 1, 1))
    db.close()
    assert _mode(db_path) == 0o600


def test_backups_and_exports_written_by_the_command_line_are_private(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, loose_umask: None
) -> None:
    dbp = str(tmp_path / "t.db")
    for argv in MAIN_FLOWS[:3]:
        assert _run(capsys, *argv, "--db", dbp)[0] == 0
    out = tmp_path / "copy.db"
    assert _run(capsys, "backup", "--out", str(out), "--db", dbp)[0] == 0
    assert _mode(out) == 0o600
    if _has_command("export"):
        target = tmp_path / "backup.json"
        code, _, err = _run(capsys, "export", "json", "--out", str(target), "--db", dbp)
        assert code == 0, err
        assert _mode(target) == 0o600
        csv_dir = tmp_path / "csv"
        csv_dir.mkdir()
        assert _run(capsys, "export", "csv", "--out", str(csv_dir), "--db", dbp)[0] == 0
        written = list(csv_dir.iterdir())
        assert written and all(_mode(p) == 0o600 for p in written)


# --- no network ------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Block every way out and record each attempt."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_main_flows_make_no_connection(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_network: list[Any]
) -> None:
    dbp = str(tmp_path / "t.db")
    for argv in MAIN_FLOWS:
        code, _, err = _run(capsys, *argv, "--db", dbp)
        assert code == 0, (argv, err)
    assert no_network == []


AUDIT = """
import sys
seen = []
def hook(event, args):
    if event.startswith("socket.") and event != "socket.__new__" or (
        event == "socket.__new__" and args[1] not in (1,)  # AF_UNIX only would be local
    ):
        seen.append(event)
        raise OSError("network blocked by the test: " + event)
sys.addaudithook(hook)
from tracker.cli import main
flows = {flows!r}
for argv in flows:
    code = main(argv + ["--db", {db!r}])
    if code != 0:
        sys.exit(f"{{argv}} exited {{code}}")
if seen:
    sys.exit(f"network attempts: {{seen}}")
"""


def test_a_real_process_opens_no_socket_at_all(tmp_path: Path) -> None:
    """An audit hook sees every socket made or used, from Python or C, in the whole process."""
    code = AUDIT.format(flows=MAIN_FLOWS, db=str(tmp_path / "t.db"))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr


# --- error messages --------------------------------------------------------------------------------------


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    dbp = str(tmp_path / "t.db")
    for argv in MAIN_FLOWS[:2]:
        assert _run(capsys, *argv, "--db", dbp)[0] == 0
    return dbp


def _private_words(text: str) -> list[str]:
    words = [SECRET, "ertraline", "rain zaps", "INSERT", "UPDATE", "[SQL", "[parameters"]
    return [w for w in words if w in text]


def test_an_unexpected_error_shows_no_data_unless_debug_is_asked_for(
    capsys: pytest.CaptureFixture[str], logged: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.services import doses

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError(f"failed while saving {kwargs.get('note')} for Sertraline")

    monkeypatch.setattr(doses, "log_dose", broken)
    argv = ["log", "dose", "sertraline", "20mg", "--note", SECRET, "--db", logged]
    code, out, err = _run(capsys, *argv)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "RuntimeError" in err and "TRACKER_DEBUG=1" in err
    assert _private_words(err) == []
    monkeypatch.setenv("TRACKER_DEBUG", "1")
    with pytest.raises(RuntimeError, match=SECRET):  # the user asked: the full error reaches them
        main(argv)


def test_a_database_error_shows_no_sql_and_no_values(
    capsys: pytest.CaptureFixture[str], logged: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A constraint violation is a bug; SQLAlchemy's text would carry the row's values."""
    from sqlalchemy import text

    from tracker.services import checkins as checkins_service

    def duplicate(*, session: Any, **kwargs: Any) -> Any:
        for _ in range(2):
            session.execute(
                text(
                    "INSERT INTO checkin (day, mood, note, is_baseline, logged_at) VALUES (:d, 1, :n, 0, :t)"
                ),
                {"d": "2026-01-05", "n": SECRET, "t": "2026-01-05 10:00:00"},
            )

    monkeypatch.setattr(checkins_service, "set_checkin", duplicate)
    code, _, err = _run(capsys, "log", "checkin", "--mood", "1", "--note", SECRET, "--db", logged)
    assert code == 1 and err.count("\n") == 1 and "IntegrityError" in err
    assert _private_words(err) == []


def test_storage_errors_show_no_data(
    capsys: pytest.CaptureFixture[str], logged: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = db_module.apply_pragmas

    def read_only(conn: sqlite3.Connection) -> None:
        original(conn)
        conn.execute("PRAGMA query_only = ON")

    monkeypatch.setattr(db_module, "apply_pragmas", read_only)
    for argv in (
        ["log", "symptom", "brain zaps", "3", "--note", SECRET],
        ["log", "dose", "sertraline", "1 tablet", "--note", SECRET],
        ["log", "checkin", "--mood", "2", "--note", SECRET],
    ):
        code, _, err = _run(capsys, *argv, "--db", logged)
        assert code == 2 and err.count("\n") == 1 and "read-only" in err
        assert _private_words(err) == []


def test_the_app_leaves_no_other_files_behind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """No log, cache or history file anywhere: only the database, its sidecars and backups."""
    home = tmp_path / "home"
    home.mkdir()
    dbp = home / "data" / "t.db"
    dbp.parent.mkdir()
    for argv in MAIN_FLOWS:
        assert _run(capsys, *argv, "--db", str(dbp))[0] == 0
    made = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    assert [m for m in made if not m.startswith("data/t.db") and not m.startswith("data/backups/t-")] == []
    assert not (tmp_path / "xdg-data").exists()  # --db given: the default data folder is not even created
