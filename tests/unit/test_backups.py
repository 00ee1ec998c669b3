"""Backups: checked online copies, the daily copy on open, rotation, and backup/backups/restore."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tracker import backups
from tracker.backups import BackupInfo, copies_to_keep
from tracker.cli import main
from tracker.cli.backup import human_size
from tracker.db import Database, integrity_check, open_database
from tracker.domain.errors import DatabaseDamagedError
from tracker.services import checkins


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _add_checkins(db: Database, days: range, mood: int = 6) -> None:
    with db.write() as session:
        for n in days:
            checkins.set_checkin(session=session, day=date(2026, 1, 1) + timedelta(days=n), mood=mood)


def _moods(path: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [(d, m) for d, m in conn.execute("SELECT day, mood FROM checkin ORDER BY day")]
    finally:
        conn.close()


def _copies(db_path: Path) -> list[str]:
    folder = db_path.parent / "backups"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%fZ")


@pytest.fixture
def filled(db: Database, db_path: Path) -> Iterator[Path]:
    """A database with ten check-ins (moods 6), closed, and no backups yet."""
    _add_checkins(db, range(10))
    db.close()
    yield db_path


# --- online copies ---------------------------------------------------------------------------------


def test_online_backup_is_a_checked_private_self_contained_snapshot(filled: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    assert backups.online_backup(filled, dest) == dest
    assert _mode(dest) == 0o600
    assert _moods(dest) == _moods(filled) and len(_moods(dest)) == 10
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal needed
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == ["copy.db"]


def test_a_copy_taken_while_another_connection_writes_is_consistent(filled: Path, tmp_path: Path) -> None:
    db = open_database(filled)
    with db.write() as session:  # a write transaction is open while the copy is taken
        checkins.set_checkin(session=session, day=date(2026, 2, 1), mood=1)
        backups.online_backup(filled, tmp_path / "mid.db")
    db.close()
    assert len(_moods(tmp_path / "mid.db")) == 10  # the snapshot before the uncommitted row
    assert len(_moods(filled)) == 11


def test_a_damaged_source_gives_no_copy_at_all(filled: Path, tmp_path: Path) -> None:
    data = bytearray(filled.read_bytes())
    data[8192:40000] = os.urandom(40000 - 8192)  # the header survives, pages do not
    bad = tmp_path / "bad.db"
    bad.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamagedError):
        backups.online_backup(bad, tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


# --- the daily copy on open ---------------------------------------------------------------------------


def test_first_open_of_each_day_makes_one_daily_copy(filled: Path) -> None:
    assert _copies(filled) == []  # a database just created is not copied
    open_database(filled).close()
    first = _copies(filled)
    assert len(first) == 1 and first[0].startswith("tracker-daily-")
    assert _mode(filled.parent / "backups") == 0o700 and _mode(filled.parent / "backups" / first[0]) == 0o600
    assert _moods(filled.parent / "backups" / first[0]) == _moods(filled)
    open_database(filled).close()
    assert _copies(filled) == first  # second open of the day: nothing new

    yesterday = datetime.now(UTC) - timedelta(days=1)
    old = filled.parent / "backups" / f"tracker-daily-{_stamp(yesterday)}.db"
    (filled.parent / "backups" / first[0]).rename(old)
    open_database(filled).close()
    names = _copies(filled)
    assert len(names) == 2 and old.name in names


def test_a_migration_or_manual_copy_today_counts_as_todays_backup(filled: Path) -> None:
    backups.make_backup(filled)
    open_database(filled).close()
    assert [n.split("-")[1] for n in _copies(filled)] == ["manual"]


@pytest.fixture
def new_york() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_daily_copy_follows_the_local_calendar_day(filled: Path, new_york: None) -> None:
    folder = filled.parent / "backups"
    folder.mkdir()
    # 03:00 UTC on 28 November is 22:00 on 27 November in New York
    (folder / "tracker-daily-20261128T030000000000Z.db").write_bytes(b"")
    assert not backups.daily_backup_due(filled, now=datetime(2026, 11, 28, 4, 59, tzinfo=UTC))  # 23:59 NY
    assert backups.daily_backup_due(filled, now=datetime(2026, 11, 28, 5, 0, tzinfo=UTC))  # 00:00 NY


def test_a_damaged_copy_moved_aside_is_not_todays_backup(filled: Path) -> None:
    folder = filled.parent / "backups"
    folder.mkdir()
    (folder / f"tracker-damaged-{_stamp(datetime.now(UTC))}.db").write_bytes(b"garbage")
    assert backups.daily_backup_due(filled)


def test_another_databases_copies_do_not_count(filled: Path) -> None:
    folder = filled.parent / "backups"
    folder.mkdir()
    (folder / f"demo-daily-{_stamp(datetime.now(UTC))}.db").write_bytes(b"")
    assert backups.daily_backup_due(filled)


# --- rotation -------------------------------------------------------------------------------------------


def _daily(moment: datetime) -> BackupInfo:
    return BackupInfo(Path(f"/b/tracker-daily-{_stamp(moment)}.db"), "daily", moment)


def test_rotation_keeps_the_newest_of_7_days_and_of_8_weeks() -> None:
    # one copy a day at 09:00 UTC from 1 September to 28 November 2026, plus an earlier one on the 28th
    days = [date(2026, 9, 1) + timedelta(days=n) for n in range(89)]
    assert days[-1] == date(2026, 11, 28)  # a Saturday: its ISO week runs 23-29 November
    copies = [_daily(datetime(d.year, d.month, d.day, 9, tzinfo=UTC)) for d in days]
    early = _daily(datetime(2026, 11, 28, 7, tzinfo=UTC))
    kept = copies_to_keep([*copies, early])
    kept_days = sorted(datetime.strptime(p.name[14:22], "%Y%m%d").date() for p in kept)
    # 7 days: 22-28 November; 8 weeks: the newest copy of each week back to 5-11 October (Sundays)
    assert kept_days == [
        date(2026, 10, 11), date(2026, 10, 18), date(2026, 10, 25), date(2026, 11, 1),
        date(2026, 11, 8), date(2026, 11, 15),
        date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25),
        date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28),
    ]  # fmt: skip
    assert early.path not in kept  # only the newest copy of a day is kept


def test_rotation_on_disk_spares_manual_damaged_and_foreign_files(filled: Path) -> None:
    folder = filled.parent / "backups"
    folder.mkdir()
    base = datetime(2026, 6, 1, 12, tzinfo=UTC)
    names = [f"tracker-daily-{_stamp(base + timedelta(days=n))}.db" for n in range(30)]
    names += [f"tracker-import-{_stamp(base + timedelta(hours=n))}.db" for n in range(12)]
    keepers = [
        f"tracker-manual-{_stamp(base)}.db",
        f"tracker-damaged-{_stamp(base)}.db",
        "my own copy.db",
        f"demo-daily-{_stamp(base)}.db",
    ]
    for name in names + keepers:
        (folder / name).write_bytes(b"")
    removed = {p.name for p in backups.rotate(filled)}
    left = set(_copies(filled))
    assert set(keepers) <= left
    imports = sorted(n for n in left if "-import-" in n)
    assert imports == sorted(names[30:])[2:]  # the 10 newest safety copies
    dailies = sorted(n for n in left if n.startswith("tracker-daily-"))
    # 30 days from Monday 1 June: the last 7 days (24-30 June), and the newest copy of each of the
    # 5 ISO weeks there are (Sundays 7, 14, 21, 28 June and Tuesday 30 June)
    assert [n[14:22] for n in dailies] == [
        "20260607", "20260614", "20260621",
        "20260624", "20260625", "20260626", "20260627", "20260628", "20260629", "20260630",
    ]  # fmt: skip
    assert removed == set(names) - left


def test_unfinished_copies_of_dead_processes_are_swept(filled: Path) -> None:
    folder = filled.parent / "backups"
    folder.mkdir()
    stamp = _stamp(datetime(2026, 6, 1, tzinfo=UTC))
    dead = folder / f".tracker-daily-{stamp}.db.partial-999999999"
    mine = folder / f".tracker-daily-{stamp}.db.partial-{os.getpid()}"
    dead.write_bytes(b"half a copy")
    mine.write_bytes(b"being written")
    (folder / f"tracker-daily-{stamp}.db").write_bytes(b"")
    backups.rotate(filled)
    assert not dead.exists() and mine.exists()


def test_safety_copies_are_named_for_their_reason(filled: Path) -> None:
    copy = backups.backup_before(filled, reason="import")
    assert copy.name.startswith("tracker-import-") and _moods(copy) == _moods(filled)
    with pytest.raises(ValueError, match="unknown backup reason"):
        backups.backup_before(filled, reason="whim")


# --- tracker backup / backups ----------------------------------------------------------------------------


def test_cli_backup_into_the_backups_folder(capsys: pytest.CaptureFixture[str], filled: Path) -> None:
    code, out, err = _run(capsys, "backup", "--db", str(filled))
    assert code == 0 and err == ""
    [name] = _copies(filled)
    copy = filled.parent / "backups" / name
    assert name.startswith("tracker-manual-") and str(copy) in out
    assert _mode(copy) == 0o600 and _moods(copy) == _moods(filled)


def test_cli_backup_out_never_overwrites(
    capsys: pytest.CaptureFixture[str], filled: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "export" / "mine.db"
    out_file.parent.mkdir()
    assert _run(capsys, "backup", "--out", str(out_file), "--db", str(filled))[0] == 0
    assert _mode(out_file) == 0o600 and _moods(out_file) == _moods(filled)
    before = out_file.read_bytes()
    code, out, err = _run(capsys, "backup", "--out", str(out_file), "--db", str(filled))
    assert code == 2 and out == "" and "already exists" in err and err.count("\n") == 1
    assert out_file.read_bytes() == before
    code, _, _ = _run(capsys, "backup", "--out", str(out_file.parent), "--db", str(filled))
    assert code == 0 and len(list(out_file.parent.iterdir())) == 2


def test_cli_backup_of_a_missing_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "backup", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "nothing to back up" in err
    assert not (tmp_path / "none.db").exists()


def test_cli_backups_lists_dates_kinds_and_sizes(capsys: pytest.CaptureFixture[str], filled: Path) -> None:
    code, out, _ = _run(capsys, "backups", "--db", str(filled))
    assert code == 0 and "No backups yet" in out
    folder = filled.parent / "backups"
    folder.mkdir()
    (folder / "tracker-daily-20261127T081500000000Z.db").write_bytes(b"x" * 2048)
    (folder / "tracker-restore-20261128T093000000000Z.db").write_bytes(b"x" * 300)
    code, out, _ = _run(capsys, "backups", "--db", str(filled))
    lines = out.splitlines()
    assert code == 0
    assert lines[1].split() == [
        "2026-11-28",
        "09:30",
        "restore",
        "300",
        "B",
        "tracker-restore-20261128T093000000000Z.db",
    ]
    assert lines[2].split() == [
        "2026-11-27",
        "08:15",
        "daily",
        "2",
        "KB",
        "tracker-daily-20261127T081500000000Z.db",
    ]
    assert lines[-1] == "Restore one with: tracker restore FILE"
    code, out, _ = _run(capsys, "backups", "--json", "--db", str(filled))
    data = json.loads(out)
    assert [(d["kind"], d["size"], d["taken_at"]) for d in data] == [
        ("restore", 300, "2026-11-28T09:30:00+00:00"),
        ("daily", 2048, "2026-11-27T08:15:00+00:00"),
    ]


def test_human_size() -> None:
    assert [human_size(n) for n in (0, 1023, 1024, 319488, 5 * 1024 * 1024 + 1)] == [
        "0 B", "1023 B", "1 KB", "312 KB", "5.0 MB",
    ]  # fmt: skip


# --- tracker restore --------------------------------------------------------------------------------------


def test_restore_brings_back_a_copy_and_keeps_the_current_one(
    capsys: pytest.CaptureFixture[str], filled: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    backups.online_backup(filled, saved)
    db = open_database(filled)
    _add_checkins(db, range(10, 15), mood=3)
    db.close()
    code, out, err = _run(capsys, "restore", str(saved), "--db", str(filled))
    assert code == 0, err
    assert _moods(filled) == _moods(saved) and len(_moods(filled)) == 10
    [safety] = [n for n in _copies(filled) if "-restore-" in n]
    assert safety in out
    assert len(_moods(filled.parent / "backups" / safety)) == 15  # what was there before
    assert _mode(filled) == 0o600


def test_restore_into_a_database_open_elsewhere(filled: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.db"
    backups.online_backup(filled, saved)
    other = open_database(filled)  # e.g. the UI in another window
    _add_checkins(other, range(10, 12), mood=2)
    backups.restore(filled, saved)
    with other.read() as session:
        assert checkins.checkin_for_day(session=session, day=date(2026, 1, 11)) is None
        row = checkins.checkin_for_day(session=session, day=date(2026, 1, 10))
        assert row is not None and row.mood == 6
    other.close()
    assert integrity_check(filled) == []


@pytest.mark.parametrize("kind", ["garbage", "other-program", "newer-schema", "missing", "empty", "itself"])
def test_restore_refuses_what_it_cannot_trust(
    capsys: pytest.CaptureFixture[str], filled: Path, tmp_path: Path, kind: str
) -> None:
    src = tmp_path / f"{kind}.db"
    if kind == "garbage":
        src.write_bytes(os.urandom(8192))
    elif kind == "other-program":
        conn = sqlite3.connect(src)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
        conn.close()
    elif kind == "newer-schema":
        backups.online_backup(filled, src)
        conn = sqlite3.connect(src)
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
        conn.commit()
        conn.close()
    elif kind == "empty":
        src.write_bytes(b"")
    elif kind == "itself":
        src = filled
    before = filled.read_bytes()
    code, out, err = _run(capsys, "restore", str(src), "--db", str(filled))
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert filled.read_bytes() == before
    assert _copies(filled) == []  # refused before anything was copied


def test_restore_over_a_damaged_database_keeps_its_bytes(
    capsys: pytest.CaptureFixture[str], filled: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    backups.online_backup(filled, saved)
    damaged = os.urandom(4096) + filled.read_bytes()[4096:]
    filled.write_bytes(damaged)
    code, out, err = _run(capsys, "restore", str(saved), "--db", str(filled))
    assert code == 0, err
    [aside] = [n for n in _copies(filled) if "-damaged-" in n and n.endswith(".db")]
    assert (filled.parent / "backups" / aside).read_bytes() == damaged
    assert aside in out
    assert _moods(filled) == _moods(saved)
    db = open_database(filled)
    db.close()


def test_restore_onto_a_new_computer_creates_the_default_folder(
    capsys: pytest.CaptureFixture[str], filled: Path, tmp_path: Path
) -> None:
    from tracker import paths

    saved = tmp_path / "from-the-old-laptop.db"
    backups.online_backup(filled, saved)
    target = paths.default_db_path()
    assert not target.parent.exists()
    code, _, err = _run(capsys, "restore", str(saved))
    assert code == 0, err
    assert _mode(target.parent) == 0o700 and _mode(target) == 0o600
    assert _moods(target) == _moods(saved)
    code, _, err = _run(capsys, "restore", str(saved), "--db", str(tmp_path / "nowhere" / "t.db"))
    assert code == 2 and "does not exist" in err  # a folder the user named is never made up
