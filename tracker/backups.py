"""Consistent copies of the database with SQLite's online backup API, their rotation, and restore.

Copies go to ``backups/`` beside the database, mode 0600, named
``{stem}-{kind}-{UTC time}.db`` so that the folder listing alone tells what each
copy is and when it was taken: deciding whether today's copy exists costs one
directory listing, no file is opened. Kinds:

- ``daily``: the first open of each local day (``db.open_database``);
- ``migration``, ``import``, ``restore``: safety copies taken just before that operation;
- ``manual``: ``tracker backup``;
- ``damaged``: a damaged database that ``tracker restore`` moved aside (raw bytes, never a good copy).

Each copy is written to a hidden temporary file (created with O_EXCL|O_NOFOLLOW),
checked (``PRAGMA integrity_check``), fsynced, and only then renamed into place (the
folder fsynced after), so a copy cut short by a full disk or a crash never looks like a
backup; the temporary files of a process that died (with their -journal, -wal, -shm)
are removed by the next rotation. Copies are switched to rollback-journal mode so each
is one self-contained file.

Rotation, after every automatic copy, for the copies of one database:

- daily copies: keep the newest copy of each of the 7 most recent local days that
  have one, and the newest copy of each of the 8 most recent ISO weeks (Monday to
  Sunday) that have one; delete the other daily copies (so at most 15 files);
- safety copies (migration, import, restore): keep the 10 newest;
- manual and damaged copies, and any file the app did not name, are never deleted.

Days and weeks follow the machine's local calendar.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker import paths
from tracker.domain.errors import DatabaseDamagedError, DatabaseTooNewError, StorageError
from tracker.sqlfile import (
    BUSY_TIMEOUT_MS,
    Damaged,
    connect,
    connect_ro,
    file_problem,
    integrity_check,
    journal_file,
    next_lineage,
    schema_revision,
    storage_error,
)

SAFETY_KINDS = ("migration", "import", "restore")
KINDS = ("daily", "manual", "damaged", *SAFETY_KINDS)
KEEP_DAILY = 7
KEEP_WEEKLY = 8
KEEP_SAFETY = 10
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<kind>[a-z]+)-(?P<stamp>\d{8}T\d{12}Z)\.db$")


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One copy in the backups folder."""

    path: Path
    kind: str
    taken_at: datetime  # aware, UTC
    size: int = 0

    @property
    def local_day(self) -> date:
        """The machine-local calendar day the copy was taken."""
        return self.taken_at.astimezone().date()


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What ``restore`` did."""

    restored_from: Path
    revision: str
    safety_copy: Path | None  # the copy of the database as it was before the restore
    moved_aside: Path | None  # a damaged database moved into backups/ instead


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_STAMP_FORMAT)


def _parse_stamp(stamp: str) -> datetime:
    """The instant of a ``_STAMP_FORMAT`` stamp (8 digits, T, 12 digits, Z, as _NAME_RE matched).

    Read by slicing rather than ``strptime``, whose first call in a process (its
    module and locale set-up) costs more than the rest of the daily-backup check
    that every start-up makes. Raises ValueError for an impossible date or time.
    """
    return datetime(
        int(stamp[0:4]),
        int(stamp[4:6]),
        int(stamp[6:8]),
        int(stamp[9:11]),
        int(stamp[11:13]),
        int(stamp[13:15]),
        int(stamp[15:21]),
        tzinfo=UTC,
    )


def _free_name(db_path: Path, kind: str, now: datetime | None) -> Path:
    """A new, unused name for a copy of kind ``kind`` taken at ``now``."""
    folder = paths.backups_dir(db_path)
    moment = now or datetime.now(UTC)
    while True:
        candidate = folder / f"{db_path.stem}-{kind}-{_stamp(moment)}.db"
        if not candidate.exists():
            return candidate
        moment += timedelta(microseconds=1)


def _scan(db_path: Path) -> list[BackupInfo]:
    """The app-named copies of ``db_path``, newest first, from the folder listing only (sizes 0)."""
    found: list[BackupInfo] = []
    try:
        with os.scandir(paths.backups_dir(db_path)) as entries:
            for entry in entries:
                m = _NAME_RE.match(entry.name)
                if not m or m["stem"] != db_path.stem or m["kind"] not in KINDS:
                    continue
                try:
                    taken = _parse_stamp(m["stamp"])
                except ValueError:
                    continue
                found.append(BackupInfo(Path(entry.path), m["kind"], taken))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Every copy of ``db_path`` in its backups folder, newest first, with sizes."""
    result = []
    for info in _scan(Path(db_path)):
        try:
            size = info.path.stat().st_size
        except FileNotFoundError:
            continue
        result.append(BackupInfo(info.path, info.kind, info.taken_at, size))
    return result


_PARTIAL_SUFFIXES = ("", "-journal", "-wal", "-shm")


def _remove_partial(tmp: Path) -> None:
    for suffix in _PARTIAL_SUFFIXES:
        tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)


def damaged_error(db_path: Path, reason: str) -> DatabaseDamagedError:
    """The message for a database that cannot be used: what is wrong, that it was left
    untouched, and the newest good backup with the command that restores it."""
    import shlex

    from tracker.domain.text import printable

    reason = printable(reason, 200)  # SQLite's own report can run to pages; the backup hint must stay in view
    try:
        good = newest_good_backup(db_path)
    except Exception:  # looking for help must never hide the real problem
        good = None
    if good is not None:
        when = good.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        hint = (
            f"The newest good backup is {good.path} (taken {when}); "
            f"restore it with: tracker restore {shlex.quote(str(good.path))}"
        )
    else:
        hint = (
            f"No good backup was found in {paths.backups_dir(db_path)}; "
            "if you have a copy elsewhere, restore it with: tracker restore FILE"
        )
    return DatabaseDamagedError(f"{db_path} cannot be opened: {reason}. It was left untouched. {hint}")


def has_copies(db_path: Path) -> bool:
    """Whether backups/ holds any copy of ``db_path`` (a sign that a missing or empty file once held data)."""
    return any(b.kind != "damaged" for b in _scan(Path(db_path)))


def online_backup(src: Path, dest: Path, *, wal: bool = False) -> Path:
    """Copy ``src`` to ``dest`` consistently, even while others write to it.

    The copy is made in one step of the backup API (one read transaction, so it
    is a snapshot), checked, and renamed into place. Raises DatabaseDamagedError
    when the copy fails its check (the source is damaged), OSError or
    sqlite3.OperationalError when it cannot be written; ``dest`` is then absent.
    """
    tmp = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    _remove_partial(tmp)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, paths.FILE_MODE)
    os.close(fd)
    try:
        source = connect_ro(src)
        try:
            target = connect(tmp)
            try:
                target.isolation_level = None
                source.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                target.execute("PRAGMA synchronous = FULL")
                check = [r[0] for r in target.execute("PRAGMA integrity_check").fetchall()]
            finally:
                target.close()
        finally:
            source.close()
        if check != ["ok"]:
            raise DatabaseDamagedError(f"{src} failed its integrity check ({check[0]})")
        if wal:  # a database restored into place: already in WAL mode, so no first-open switch
            target = connect(tmp)
            try:
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
        paths.make_private(tmp)
        with open(tmp, "rb") as fh:  # the pages reach the disk before the name does
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        paths.fsync_dir(dest.parent)
    except sqlite3.DatabaseError as exc:
        _remove_partial(tmp)
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            raise
        raise DatabaseDamagedError(f"{src} cannot be copied: it is damaged ({exc})") from exc
    except BaseException:
        _remove_partial(tmp)
        raise
    return dest


def backup_before(db_path: Path, *, reason: str, now: datetime | None = None) -> Path:
    """A safety copy taken just before a risky operation (``reason``: migration, import or restore)."""
    if reason not in SAFETY_KINDS:
        raise ValueError(f"unknown backup reason {reason!r}; use one of {', '.join(SAFETY_KINDS)}")
    db_path = Path(db_path)
    paths.ensure_private_dir(paths.backups_dir(db_path))
    copy = online_backup(db_path, _free_name(db_path, reason, now))
    rotate(db_path)
    return copy


def daily_backup_due(db_path: Path, *, now: datetime | None = None) -> bool:
    """True when no copy of ``db_path`` (other than a damaged one) was taken this local day."""
    today = (now or datetime.now(UTC)).astimezone().date()
    newest = next((b for b in _scan(Path(db_path)) if b.kind != "damaged"), None)
    return newest is None or newest.local_day != today


def daily_backup_if_due(db_path: Path, *, now: datetime | None = None) -> Path | None:
    """Take today's daily copy if none was taken yet, then rotate; returns the copy or None."""
    db_path = Path(db_path)
    if not daily_backup_due(db_path, now=now):
        _sweep_partials(db_path)  # a copy killed half-way earlier today holds health data: remove it now
        return None
    paths.ensure_private_dir(paths.backups_dir(db_path))
    copy = online_backup(db_path, _free_name(db_path, "daily", now))
    rotate(db_path)
    return copy


def copies_to_keep(copies: list[BackupInfo]) -> set[Path]:
    """The rotation rule of the module docstring, as a pure choice over a listing."""
    keep: set[Path] = set()
    days: set[date] = set()
    weeks: set[tuple[int, int]] = set()
    for info in sorted((c for c in copies if c.kind == "daily"), key=lambda c: c.taken_at, reverse=True):
        day = info.local_day
        week = day.isocalendar()[:2]
        if day not in days and len(days) < KEEP_DAILY:
            keep.add(info.path)
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            keep.add(info.path)
        days.add(day)
        weeks.add(week)
    safety = sorted((c for c in copies if c.kind in SAFETY_KINDS), key=lambda c: c.taken_at, reverse=True)
    keep.update(c.path for c in safety[:KEEP_SAFETY])
    keep.update(c.path for c in copies if c.kind not in ("daily", *SAFETY_KINDS))
    return keep


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_partials(db_path: Path) -> list[Path]:
    """Remove unfinished copies left by a process that died while copying (never a live one's)."""
    removed: list[Path] = []
    pattern = re.compile(
        rf"^\.{re.escape(db_path.stem)}-[a-z]+-\d{{8}}T\d{{12}}Z\.db\.partial-(?P<pid>\d+)(-journal|-wal|-shm)?$"
    )
    try:
        entries = list(os.scandir(paths.backups_dir(db_path)))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m and int(m["pid"]) != os.getpid() and not _pid_alive(int(m["pid"])):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def rotate(db_path: Path) -> list[Path]:
    """Delete the automatic copies the rotation rule no longer keeps (and dead processes'
    unfinished copies); returns what was deleted."""
    db_path = Path(db_path)
    copies = _scan(db_path)
    keep = copies_to_keep(copies)
    removed = []
    for info in copies:
        if info.path not in keep:
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
    removed += _sweep_partials(db_path)
    return removed


def _refused(src: Path, why: str) -> StorageError:
    return StorageError(f"{src} cannot be restored: {why}; nothing was changed")


def check_restorable(src: Path) -> str:
    """Refuse ``src`` unless it is a sound taper-tracker database this version can open.

    Returns its schema revision. Only reads ``src``.
    """
    from tracker.migrations import REVISIONS

    src = Path(src).expanduser()
    if not src.exists():
        raise StorageError(f"{src} does not exist; `tracker backups` lists the copies you have")
    if not src.is_file():
        raise StorageError(f"{src} is not a file")
    problem = file_problem(src)
    if problem is not None or src.stat().st_size == 0:
        raise _refused(src, problem or "it is empty")
    problems = integrity_check(src)
    if problems:
        raise _refused(src, f"it fails its integrity check ({problems[0]})")
    try:
        revision = schema_revision(src)
    except DatabaseDamagedError as exc:
        raise _refused(src, "it is not a taper-tracker database") from exc
    if revision is None:
        raise _refused(src, "it holds no taper-tracker data")
    if revision not in REVISIONS:
        raise DatabaseTooNewError(
            f"{src} was written by a newer version of taper-tracker (schema {revision}); "
            "update the program to restore it. Nothing was changed."
        )
    from tracker.guards import RuleError, file_problems  # the plan rules every way in keeps

    broken = file_problems(src)
    if broken:
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise RuleError(
            f"{src} cannot be restored: {broken[0]}{more}; a restore keeps the same safety rules as "
            "every other change, and nothing was changed"
        )
    return revision


def _database_is_sound(db_path: Path) -> bool:
    from tracker.migrations import REVISIONS

    try:
        if file_problem(db_path) is not None or integrity_check(db_path):
            return False
        return schema_revision(db_path) in REVISIONS
    except (StorageError, sqlite3.Error, OSError):
        return False


def _move_aside(db_path: Path, now: datetime | None) -> Path | None:
    """Move a damaged database (and its -wal, -shm, -journal) into backups/ unchanged, never deleting it.

    Sidecar files left without their database are moved too: a stale journal or WAL must
    never be rolled into the copy restored in its place.
    """
    sides = [*paths.sidecar_files(db_path), journal_file(db_path)]
    if not os.path.lexists(db_path) and not any(os.path.lexists(p) for p in sides):
        return None
    paths.ensure_private_dir(paths.backups_dir(db_path))
    target = _free_name(db_path, "damaged", now)
    for side, suffix in zip(sides, ("-wal", "-shm", "-journal"), strict=True):
        if os.path.lexists(side):
            os.replace(side, target.with_name(target.name + suffix))
    if os.path.lexists(db_path):
        os.replace(db_path, target)
    else:
        paths.create_private_file(target)  # the name says what was found: sidecars without a database
    paths.fsync_dir(db_path.parent)
    return target


def _identity(db_path: Path) -> int:
    conn = connect_ro(db_path)
    try:
        return int(conn.execute("PRAGMA application_id").fetchone()[0])
    finally:
        conn.close()


def _lineage(db_path: Path) -> int:
    conn = connect_ro(db_path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _restore_in_place(db_path: Path, src: Path) -> None:
    """Overwrite a live database through the backup API, keeping its identity.

    The pages are first copied to a staged file that is given the live file's identity and
    the next tag of its lineage (see ``sqlfile.wal_problem``), so the write-ahead log the
    overwrite leaves, if a crash comes before it is checkpointed, is recognised as the
    database's own.
    """
    paths.ensure_private_dir(paths.backups_dir(db_path))
    stamp = _stamp(datetime.now(UTC))
    stage = paths.backups_dir(db_path) / f".{db_path.stem}-stage-{stamp}.db.partial-{os.getpid()}"
    _remove_partial(stage)  # the name is swept like any unfinished copy if this process dies
    fd = os.open(stage, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, paths.FILE_MODE)
    os.close(fd)
    try:
        ident = _identity(db_path)
        source = connect_ro(src)
        try:
            staged = connect(stage)
            try:
                staged.isolation_level = None
                source.backup(staged)
                staged.execute("PRAGMA journal_mode = DELETE")
                staged.execute(f"PRAGMA application_id = {ident}")
                staged.execute(f"PRAGMA user_version = {next_lineage(_lineage(db_path))}")
            finally:
                staged.close()
        finally:
            source.close()
        source = connect_ro(stage)
        try:
            live = connect(db_path)
            try:
                live.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                live.execute("PRAGMA synchronous = FULL")
                source.backup(live)
                live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                live.close()
        finally:
            source.close()
    finally:
        _remove_partial(stage)


def restore(
    db_path: Path, src: Path, *, now: datetime | None = None, create_dir: bool = False
) -> RestoreResult:
    """Replace the database at ``db_path`` with the copy ``src``.

    ``src`` is checked first (integrity, and that it is a taper-tracker database
    this version can open). A sound current database is copied to backups/ and
    then overwritten in place through the backup API, which is safe even while
    another process has it open; a damaged one (or stale -wal/-journal files) is
    moved into backups/ unchanged. An older schema is upgraded on the next open,
    with its own safety copy. ``create_dir`` lets a restore onto a new computer
    create the (default) data folder.
    """
    db_path = Path(db_path).expanduser().absolute()
    src = Path(src).expanduser().absolute()
    if src.exists() and db_path.exists() and src.samefile(db_path):
        raise StorageError(f"{src} is the database itself; choose a backup to restore")
    revision = check_restorable(src)
    safety: Path | None = None
    moved: Path | None = None
    try:
        if db_path.exists() and db_path.stat().st_size > 0 and _database_is_sound(db_path):
            safety = backup_before(db_path, reason="restore", now=now)
            _restore_in_place(db_path, src)
        else:
            if not db_path.parent.is_dir():
                if not create_dir:
                    raise StorageError(f"the folder {db_path.parent} does not exist; nothing was changed")
                paths.ensure_private_dir(db_path.parent)
            moved = _move_aside(db_path, now)
            online_backup(src, db_path, wal=True)
    except sqlite3.Error as exc:
        raise storage_error(exc, db_path) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StorageError(f"cannot restore into {db_path} ({reason}); nothing was changed") from exc
    problems = integrity_check(db_path)
    if problems:  # pragma: no cover - the source was checked; this guards the copy itself
        raise StorageError(f"the restored database fails its integrity check ({problems[0]})")
    return RestoreResult(src, revision, safety, moved)


def make_backup(db_path: Path, *, out: Path | None = None, now: datetime | None = None) -> Path:
    """``tracker backup``: a checked copy in backups/ (kind manual) or at ``out``; never overwrites a file."""
    db_path = Path(db_path).expanduser().absolute()
    if not db_path.exists():
        raise StorageError(f"{db_path} does not exist; there is nothing to back up")
    try:
        revision = schema_revision(db_path)
        problems = integrity_check(db_path)
    except Damaged as exc:
        raise damaged_error(db_path, exc.reason) from exc
    if revision is None:
        raise StorageError(f"{db_path} holds no taper-tracker data yet; there is nothing to back up")
    if problems:
        raise damaged_error(db_path, f"it fails its integrity check ({problems[0]})")
    if out is None:
        paths.ensure_private_dir(paths.backups_dir(db_path))
        dest = _free_name(db_path, "manual", now)
    else:
        out = Path(out).expanduser().absolute()
        if out.is_dir():
            out = out / f"{db_path.stem}-manual-{_stamp(now or datetime.now(UTC))}.db"
        if out.exists():
            raise StorageError(f"{out} already exists; choose a new name (a backup never overwrites a file)")
        if not out.parent.is_dir():
            raise StorageError(f"the folder {out.parent} does not exist")
        dest = out
    try:
        return online_backup(db_path, dest)
    except sqlite3.OperationalError as exc:
        raise storage_error(exc, db_path) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StorageError(f"cannot write the backup to {dest} ({reason}); nothing was written") from exc


def newest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest copy that passes its integrity check and is a taper-tracker database, if any."""
    for info in list_backups(Path(db_path)):
        if info.kind != "damaged" and _database_is_sound(info.path):
            return info
    return None
