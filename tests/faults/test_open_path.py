"""The one open path (tracker/sqlfile.py) recovers or refuses; it never writes into, or
replaces, a database it should not. Each test is one of the faults of issue 16, made real."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from tests.faults.conftest import (
    STRACE,
    TRACKER,
    checkins,
    ok,
    one_line_refusal,
    read_only,
    run,
    run_killed,
    sha,
    small_tmpfs,
)


def _rollback_mode(db: Path) -> None:
    """Put the file in rollback-journal mode, as `tracker restore` and every older-schema file left it."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def test_a_crash_during_the_wal_switch_is_rolled_back_and_the_next_command_works(db: Path) -> None:
    """Item 1: killed at the journal's unlink while switching to WAL, a hot journal remains."""
    _rollback_mode(db)
    killed = run_killed("unlink", 1, "log", "checkin", "--mood", "3", "--db", str(db))
    assert killed.returncode != 0
    after = run("log", "checkin", "--mood", "4", "--db", str(db))
    ok(after)
    ok(run("check", "--db", str(db)))
    assert ("-3" not in [d for d, _ in checkins(db)]) and len(checkins(db)) == 4  # three days and today


def test_a_wal_switch_killed_at_its_first_sync_leaves_a_cold_journal_that_is_removed(db: Path) -> None:
    """Killed at the first fdatasync of the switch to WAL, the -journal's header is still zeros
    (SQLite writes the magic number only after that sync): nothing to roll back, so it is cold
    (SQLite's rule). The next command removes it and works; the file is not refused."""
    _rollback_mode(db)
    before = checkins(db)
    killed = run_killed("fdatasync", 1, "log", "checkin", "--mood", "3", "--db", str(db))
    assert killed.returncode != 0
    journal = db.with_name(db.name + "-journal")
    assert journal.stat().st_size > 0 and journal.read_bytes()[:8] == bytes(8)  # the fault is the one meant
    ok(run("check", "--db", str(db)))  # a cold journal is no problem of the file
    ok(run("log", "checkin", "--mood", "4", "--db", str(db)))
    assert not journal.exists()
    ok(run("check", "--db", str(db)))
    from datetime import date

    assert checkins(db) == sorted([*before, (date.today().isoformat(), 4)])


def test_a_hot_journal_on_a_read_only_folder_is_refused_naming_the_backup(db: Path) -> None:
    _rollback_mode(db)
    run_killed("unlink", 1, "log", "checkin", "--mood", "3", "--db", str(db))
    journal = db.with_name(db.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    before = sha(db)
    with read_only(db.parent):
        result = run("status", "--db", str(db))
        one_line_refusal(result)
        assert "journal" in result.stderr and "tracker restore" in result.stderr
        assert run("check", "--db", str(db)).returncode == 1
    assert sha(db) == before


def test_restore_moves_a_stale_journal_aside_with_the_damaged_file(db: Path, tmp_path: Path) -> None:
    """Item 1, second half: the stale journal must never be rolled into the restored copy."""
    ok(run("backup", "--out", str(tmp_path / "copy.db"), "--db", str(db)))
    new = tmp_path / "new" / "t.db"
    new.parent.mkdir()
    ok(run("restore", str(tmp_path / "copy.db"), "--db", str(new)))
    ok(run("log", "checkin", "--mood", "2", "--db", str(new)))
    stale = new.with_name(new.name + "-journal")
    stale.write_bytes(os.urandom(4096))  # a journal of some other, earlier life of the file
    new.write_bytes(b"garbage" * 1000)  # the database itself damaged
    ok(run("restore", str(tmp_path / "copy.db"), "--db", str(new)))
    assert not stale.exists()
    ok(run("check", "--db", str(new)))
    ok(run("log", "checkin", "--mood", "1", "--db", str(new)))


def _damage_page(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(os.urandom(page_size - 16))


def test_a_write_into_damaged_pages_is_refused_even_after_todays_backup(db: Path) -> None:
    """Item 2: only the header was checked after the day's first open; now every page is, before a write."""
    _damage_page(db, "symptom")
    before = sha(db)
    for argv in (["log", "checkin", "--mood", "3"], ["undo"]):
        result = run(*argv, "--db", str(db))
        one_line_refusal(result)
        assert "integrity" in result.stderr and "tracker restore" in result.stderr
    assert sha(db) == before


def test_an_emptied_or_deleted_database_with_backups_is_never_a_new_one(db: Path) -> None:
    """Item 3: the history lives on in backups/; a new empty database would rotate it away."""
    assert list((db.parent / "backups").glob("t-daily-*.db"))
    db.write_bytes(b"")
    result = run("log", "checkin", "--mood", "3", "--db", str(db))
    one_line_refusal(result)
    assert "tracker restore" in result.stderr and db.stat().st_size == 0
    db.unlink()
    result = run("status", "--db", str(db))
    one_line_refusal(result)
    assert "missing" in result.stderr and not db.exists()


def test_a_failed_daily_backup_is_reported_on_the_command_line(db: Path) -> None:
    """Item 4: backups/ read-only (then a full tmpfs): the command works and says so on stderr."""
    backups = db.parent / "backups"
    for copy in backups.iterdir():
        copy.unlink()
    with read_only(backups):
        result = run("log", "checkin", "--mood", "3", "--db", str(db))
    ok(result)
    assert "warning: today's automatic backup could not be made" in result.stderr
    with small_tmpfs(backups, "16k"):
        result = run("log", "checkin", "--mood", "4", "--db", str(db))
        ok(result)
        assert "warning: today's automatic backup could not be made" in result.stderr
        assert not [p for p in backups.iterdir() if not p.name.startswith(".")]  # nothing half-written
        assert not list(backups.iterdir())


def _live_wal(db: Path) -> subprocess.Popen[str]:
    """Keep a reader on ``db`` so that the command line's -wal survives it (as beside an open UI)."""
    holder = subprocess.Popen(
        ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('BEGIN');"
         "c.execute('SELECT count(*) FROM checkin').fetchone(); print('ready', flush=True);"
         "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def test_a_wal_file_from_another_database_is_refused(db: Path, tmp_path: Path) -> None:
    """Item 6: another database's (or a diverged copy's) -wal beside the file is never merged."""
    other = tmp_path / "other" / "t.db"
    other.parent.mkdir()
    ok(run("log", "checkin", "--mood", "9", "--day", "-5", "--db", str(other)))
    holder = _live_wal(other)
    try:
        ok(run("log", "checkin", "--mood", "8", "--day", "-3", "--note", "other", "--db", str(other)))
        wal = other.with_name(other.name + "-wal").read_bytes()
    finally:
        holder.communicate("")
    assert wal
    db.with_name(db.name + "-wal").write_bytes(wal)
    before = sha(db)
    check = run("check", "--db", str(db))
    assert check.returncode == 1 and "another database" in check.stderr
    for argv in (["status"], ["log", "checkin", "--mood", "1"]):
        one_line_refusal(run(*argv, "--db", str(db)))
    assert sha(db) == before


def test_the_wal_of_a_diverged_copy_is_refused_naming_the_backup(db: Path, tmp_path: Path) -> None:
    """Item 6, the diverged copy: the same database (same identity) copied with its -wal, both
    copies changed, then copy B's -wal put beside copy A. Its frames would overwrite pages of A
    that A changed after the copy: refused, naming the newest good backup, never merged."""
    import shutil

    holder = _live_wal(db)  # the open UI: the -wal stays
    try:
        ok(run("log", "checkin", "--mood", "2", "--day", "-4", "--db", str(db)))
        b = tmp_path / "b" / "t.db"
        b.parent.mkdir()
        shutil.copy(db, b)
        shutil.copy(db.with_name(db.name + "-wal"), b.with_name(b.name + "-wal"))
        ok(run("log", "checkin", "--mood", "8", "--day", "-5", "--note", "only in A", "--db", str(db)))
    finally:
        holder.communicate("")  # A's last connection closes: its changes are checkpointed into A
    holder = _live_wal(b)
    try:
        ok(run("log", "checkin", "--mood", "9", "--day", "-6", "--note", "only in B", "--db", str(b)))
        wal_b = b.with_name(b.name + "-wal").read_bytes()
    finally:
        holder.communicate("")
    assert not db.with_name(db.name + "-wal").exists()
    db.with_name(db.name + "-wal").write_bytes(wal_b)
    before = sha(db)
    check = run("check", "--db", str(db))
    assert check.returncode == 1 and "diverged copy" in check.stderr, check.stderr
    for argv in (["status"], ["log", "checkin", "--mood", "1"]):
        refused = run(*argv, "--db", str(db))
        one_line_refusal(refused)
        assert "diverged copy" in refused.stderr and "tracker restore" in refused.stderr
    assert sha(db) == before and db.with_name(db.name + "-wal").read_bytes() == wal_b
    db.with_name(db.name + "-wal").unlink()  # without the foreign -wal, A is whole: its own entry is there
    assert (_day_of(-5), 8) in checkins(db) and (_day_of(-6), 9) not in checkins(db)


def _day_of(offset: int) -> str:
    from datetime import date, timedelta

    return (date.today() + timedelta(days=offset)).isoformat()


def test_the_database_of_a_read_only_mount_without_shm_is_readable(db: Path) -> None:
    """Item 7: no -shm can be made on a read-only mount; the clean file is read as immutable."""
    assert not db.with_name(db.name + "-shm").exists()
    with read_only(db.parent):
        ok(run("check", "--db", str(db)))
        status = run("status", "--json", "--db", str(db))
        ok(status)
        write = run("log", "checkin", "--mood", "3", "--db", str(db))
        one_line_refusal(write)
        assert "read-only" in write.stderr


def test_restore_and_check_refuse_a_foreign_sqlite_file(db: Path, tmp_path: Path) -> None:
    """Items 9 and 14: an alembic_version row alone does not make a file ours; /dev/null is not a database."""
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    head = sqlite3.connect(db).execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.executescript("CREATE TABLE alembic_version (version_num TEXT); CREATE TABLE notes (body TEXT);"
                       f"INSERT INTO alembic_version VALUES ('{head}');")  # fmt: skip
    conn.close()
    before = sha(db)
    result = run("restore", str(foreign), "--db", str(db))
    one_line_refusal(result)
    assert "not one of taper-tracker's" in result.stderr and sha(db) == before
    assert run("check", "--db", str(foreign)).returncode == 1
    assert run("check", "--db", "/dev/null").returncode == 1
    one_line_refusal(run("restore", "/dev/null", "--db", str(db)))


def test_percent_and_question_marks_in_db_name_one_file(tmp_path: Path) -> None:
    """Item 11: the file checks and the engine use the same file, whatever characters its name has."""
    for name in ("c%41d.db", "q?mode=ro.db", "h#x.db"):
        path = tmp_path / name
        ok(run("log", "checkin", "--mood", "3", "--db", str(path)))
        assert path.exists() and path.stat().st_size > 0
        ok(run("check", "--db", str(path)))
        assert checkins(path) and len(checkins(path)) == 1
    databases = sorted(p.name for p in tmp_path.iterdir() if p.is_file() and p.suffix == ".db")
    assert databases == ["c%41d.db", "h#x.db", "q?mode=ro.db"]


def test_a_killed_backup_leaves_no_temporary_files_after_the_next_rotation(db: Path) -> None:
    """Item 12: the temporary -wal/-shm/-journal of a copy killed half-way hold health data."""
    backups = db.parent / "backups"
    killed = [run_killed("fdatasync", k, "backup", "--db", str(db)) for k in (1, 3, 5)]
    assert all(r.returncode != 0 for r in killed)
    for copy in backups.glob("t-daily-*.db"):
        copy.unlink()  # so that the next command takes (and rotates) today's copy
    ok(run("status", "--db", str(db)))
    assert [p.name for p in backups.iterdir() if p.name.startswith(".")] == []


def test_export_never_writes_through_a_planted_link(db: Path, tmp_path: Path) -> None:
    """Item 13: the temporary file of an export is created O_EXCL|O_NOFOLLOW under an unguessable name."""
    from tracker import paths

    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    out = tmp_path / "out.json"
    for pid in (os.getpid(),):
        (tmp_path / f".out.json.tmp-{pid}").symlink_to(victim)
    paths.write_private_text(out, "health summary")
    assert victim.read_text() == "mine" and out.read_text() == "health summary"
    assert STRACE
    trace = tmp_path / "trace"
    calls = "trace=openat,rename,renameat,renameat2,fsync"
    argv = [STRACE, "-f", "-qq", "-o", str(trace), "-e", calls, "-y", TRACKER]
    subprocess.run(
        [*argv, "export", "json", "--out", str(out), "--db", str(db)], check=True, capture_output=True
    )
    lines = trace.read_text().splitlines()
    creates = [line for line in lines if ".out.json.tmp-" in line and "O_CREAT" in line]
    assert creates and all("O_EXCL" in line and "O_NOFOLLOW" in line for line in creates)
    renamed = max(i for i, line in enumerate(lines) if "rename" in line and "out.json" in line)
    assert any(f"fsync({''}" in line and f"<{tmp_path}>" in line for line in lines[renamed:]), (
        "no folder fsync"
    )


def test_existing_wide_folders_are_tightened(db: Path) -> None:
    """Item 14: a backups folder left 0755 (an older version, a copy) is made 0700 by the next backup."""
    backups = db.parent / "backups"
    os.chmod(backups, 0o755)
    ok(run("backup", "--db", str(db)))
    assert os.stat(backups).st_mode & 0o777 == 0o700
