"""The storage layer's light half: the file checks, the pragmas, and plain sqlite3 reads.

Nothing here imports SQLAlchemy or SQLModel. The screens a user opens most
(Today, Trends) read through ``Reader``: one short sqlite3 connection per read,
with the same pragmas as the engine's, in a read transaction. Opening the app
on a database that is already at the current schema therefore never pays for
the ORM's imports (about 0.35 s and 30 MB); the first change does, in its worker.

Read functions (tracker/queries) take ``Reads``: either such a connection or an
ORM session, whose own connection (and open transaction) ``raw`` hands over, so
one query serves a screen's first read and the reload inside a write alike.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from tracker import paths
from tracker.domain.errors import DatabaseDamagedError, DatabaseTooNewError, StorageError
from tracker.migrations import HEAD, REVISIONS

if TYPE_CHECKING:
    from sqlmodel import Session

    Reads: TypeAlias = Session | sqlite3.Connection
else:
    Reads: TypeAlias = Any

BUSY_TIMEOUT_MS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


def keep_private(path: Path) -> None:
    """Drop group and other permissions from ``path``; never add any.

    Unlike a plain chmod 0600 this keeps a file the user made read-only read-only,
    so a write to it fails with a clear message instead of silently succeeding.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & ~paths.FILE_MODE:
        os.chmod(path, mode & paths.FILE_MODE)


def ro_uri(path: Path) -> str:
    """A read-only SQLite URI for ``path`` (quoted, so '?' or '#' in a name cannot change its meaning)."""
    from urllib.parse import quote

    return f"file:{quote(str(Path(path).absolute()))}?mode=ro"


def apply_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    """The pragmas every connection must have, in one place."""
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def file_problem(db_path: Path) -> str | None:
    """What is wrong with the file's SQLite header, from its first 100 bytes (None when it looks sound).

    Cheap enough for every open: it catches a file that is not SQLite at all and
    one cut short (smaller than the page count its header records).
    """
    try:
        with open(db_path, "rb") as fh:
            header = fh.read(100)
        size = os.stat(db_path).st_size
    except OSError as exc:
        raise StorageError(f"cannot read {db_path}: {exc.strerror}") from exc
    if not header:
        return None  # an empty file is a database not yet created
    if header[: len(SQLITE_MAGIC)] != SQLITE_MAGIC:
        return "it is not a taper-tracker database (not SQLite, or damaged)"
    if len(header) < 100:
        return "it is cut short (only part of the file is there)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when "version-valid-for" matches the change counter, and the
    # file alone tells the truth only without a -wal: a checkpoint cut short (full disk, crash)
    # leaves the header ahead of the file while the WAL still holds every page.
    wal = paths.sidecar_files(db_path)[0]
    if header[92:96] == header[24:28] and pages and size < page_size * pages and not _nonempty(wal):
        return f"it is cut short ({size} of {page_size * pages} bytes)"
    return None


def _nonempty(path: Path) -> bool:
    try:
        return os.stat(path).st_size > 0
    except FileNotFoundError:
        return False


def damaged_error(db_path: Path, reason: str) -> DatabaseDamagedError:
    """The message for a database that cannot be used: what is wrong, that it was left
    untouched, and the newest good backup with the command that restores it."""
    from tracker import backups

    try:
        good = backups.newest_good_backup(db_path)
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


def check_file(db_path: Path) -> None:
    """Refuse a file that is not a SQLite database, before SQLite touches it."""
    if not db_path.exists():
        return
    if db_path.is_dir():
        raise StorageError(f"{db_path} is a folder, not a database file")
    problem = file_problem(db_path)
    if problem is not None:
        raise damaged_error(db_path, problem)


def schema_revision(db_path: Path) -> str | None:
    """The Alembic revision stamped in the file, or None for an empty database."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    conn = sqlite3.connect(ro_uri(db_path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        has = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if tables:
                raise DatabaseDamagedError(
                    f"{db_path} is a SQLite database but not one of taper-tracker's; it was left untouched"
                )
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not any(w in str(exc) for w in _DAMAGE_WORDS):
            raise StorageError(f"cannot read {db_path} ({exc})") from exc
        raise damaged_error(db_path, f"it cannot be read as a database ({exc})") from exc
    finally:
        conn.close()


def storage_error(exc: BaseException, db_path: Path) -> StorageError:
    """Turn a driver error into a message a user can act on.

    Only the driver's own text is used (never SQLAlchemy's, which carries the SQL
    and its parameters), so no medication or symptom data reaches the message.
    """
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    if any(word in text for word in _DAMAGE_WORDS):
        return damaged_error(db_path, f"it is damaged ({text})")
    if "readonly" in text or "read-only" in text:
        return StorageError(
            f"cannot write to {db_path}: the file or its folder is read-only; nothing was saved"
        )
    if "unable to open" in text:
        return StorageError(
            f"cannot open {db_path}: the file or its folder is read-only or not accessible; nothing was saved"
        )
    if "full" in text:
        return StorageError("the disk is full; nothing was saved and earlier entries are intact")
    if "disk I/O error" in text:
        return StorageError(
            "the database could not be written (a disk error: the disk may be full or failing); "
            "nothing was saved and earlier entries are intact"
        )
    if "locked" in text or "busy" in text:
        return StorageError("the database is busy in another program; nothing was saved, try again")
    return StorageError(f"the database could not be written ({text}); nothing was saved")


def integrity_check(db_path: Path) -> list[str]:
    """Problems found by ``PRAGMA integrity_check`` and ``foreign_key_check`` (empty when sound).

    Opens the file read-only and never changes it.
    """
    db_path = Path(db_path).expanduser()
    if not db_path.exists():
        raise StorageError(f"{db_path} does not exist")
    check_file(db_path)
    try:
        conn = sqlite3.connect(ro_uri(db_path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            problems = [r for r in rows if r != "ok"]
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            problems += [f"broken reference in {r[0]} row {r[1]}" for r in fk]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"not readable as a database ({exc})"]
    return problems


def daily_backup(db_path: Path) -> str | None:
    """The first open of each local day copies the database into backups/.

    Deciding costs one listing of the backups folder. A damaged database is
    refused (its copy would push good ones out of the rotation); a copy that
    cannot be written (full disk, read-only folder) does not stop the open: the
    returned sentence says why, for the user to hear.
    """
    from tracker import backups

    try:
        backups.daily_backup_if_due(db_path)
    except DatabaseDamagedError as exc:
        raise damaged_error(db_path, "it failed its integrity check") from exc
    except (OSError, sqlite3.Error, StorageError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"today's automatic backup could not be made ({reason})"
    return None


# --------------------------------------------------------------------------- plain reads


def raw(source: Reads) -> sqlite3.Connection:
    """The sqlite3 connection behind ``source``: itself, or an ORM session's own.

    A session is flushed first, so the rows it holds but has not written yet are seen,
    and the query runs in the session's transaction.
    """
    if isinstance(source, sqlite3.Connection):
        return source
    source.flush()
    connection = source.connection().connection.driver_connection
    assert isinstance(connection, sqlite3.Connection)
    return connection


def to_db(value: datetime | date) -> str:
    """A datetime (UTC, naive or aware) or a date as the ORM stores it, for comparing in SQL."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def utc_from_db(stored: str | None) -> datetime | None:
    """A stored datetime (UTC, without a zone) as an aware UTC datetime."""
    if stored is None:
        return None
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def day_from_db(stored: str | None) -> date | None:
    """A stored date."""
    return None if stored is None else date.fromisoformat(stored)


class Reader:
    """Plain read transactions on a database already at the current schema."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection in a read transaction, closed at the end; errors become StorageError."""
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc
        try:
            apply_pragmas(conn)
            conn.execute("PRAGMA query_only = ON")  # a reader never writes, whatever a bug asks
            conn.execute("BEGIN")
            yield conn
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc
        finally:
            conn.close()


def open_reader(db_path: Path | str) -> Reader | None:
    """A Reader when ``db_path`` is a sound database at the current schema, else None.

    None means "open it fully first" (tracker.db.open_database creates, upgrades or
    refuses it with the right message). Raises for a file that is not ours, is damaged
    or comes from a newer version, exactly as the full open would; changes nothing.
    """
    db_path = Path(db_path).expanduser().absolute()
    if not db_path.is_file():
        return None
    check_file(db_path)
    current = schema_revision(db_path)
    if current is not None and current not in REVISIONS:
        raise DatabaseTooNewError(
            f"{db_path} was written by a newer version of taper-tracker (schema {current}); "
            "update the program to open it. The file was left untouched."
        )
    return Reader(db_path) if current == HEAD else None


class ChangeWatcher:
    """Tells whether anything changed the database since the last look (another connection,
    another process: the command line in another terminal, the app's own writes).

    SQLite's ``PRAGMA data_version`` changes on a connection whenever another connection
    has committed; it costs no read of the data. One connection is kept open for it and
    used by one thread at a time (the lock), whichever worker thread asks.
    """

    def __init__(self, db_path: Path) -> None:
        import threading

        self.path = db_path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None

    def _look(self) -> int:
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            self._conn.execute("PRAGMA query_only = ON")
        row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def changed(self) -> bool:
        """True when another connection has committed since the last call (False the first time)."""
        with self._lock:
            try:
                version = self._look()
            except sqlite3.Error:
                self.close_unlocked()
                return False  # a file gone for a moment: the next look opens it again
            before, self._version = self._version, version
            return before is not None and version != before

    def absorb(self) -> None:
        """Take the current state as seen (after a change whose screen reloads itself)."""
        self.changed()

    def close_unlocked(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._version = None

    def close(self) -> None:
        with self._lock:
            self.close_unlocked()
