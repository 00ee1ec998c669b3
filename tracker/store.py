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
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from tracker import backups, paths, sqlfile
from tracker.backups import damaged_error
from tracker.domain.errors import DatabaseDamagedError, DatabaseTooNewError, StorageError
from tracker.migrations import HEAD, REVISIONS
from tracker.sqlfile import (
    BUSY_TIMEOUT_MS,
    SQLITE_MAGIC,
    Damaged,
    apply_pragmas,
    file_problem,
    integrity_check,
    keep_private,
    ro_uri,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    Reads: TypeAlias = Session | sqlite3.Connection
else:
    Reads: TypeAlias = Any

__all__ = [
    "BUSY_TIMEOUT_MS",
    "SQLITE_MAGIC",
    "Reader",
    "Reads",
    "apply_pragmas",
    "check_file",
    "damaged_error",
    "file_problem",
    "integrity_check",
    "keep_private",
    "open_reader",
    "raw",
    "ro_uri",
    "schema_revision",
    "storage_error",
]


def check_file(db_path: Path) -> None:
    """The checks of every open (``sqlfile.prepare``: header, -wal, hot journal), with the newest
    good backup named when the file cannot be used."""
    try:
        sqlfile.prepare(db_path)
    except Damaged as exc:
        raise damaged_error(db_path, exc.reason) from exc


def schema_revision(db_path: Path) -> str | None:
    """The Alembic revision stamped in the file (None for an empty database); a foreign or unreadable
    file is refused naming the newest good backup."""
    try:
        return sqlfile.schema_revision(db_path)
    except Damaged as exc:
        raise damaged_error(db_path, exc.reason) from exc


def refuse_lost_history(db_path: Path) -> None:
    """A missing or empty database never silently becomes a new one while backups of it exist.

    An emptied file or one deleted by mistake would otherwise start afresh, and the rotation
    would then delete the automatic copies holding the history.
    """
    empty = not os.path.lexists(db_path) or (db_path.is_file() and db_path.stat().st_size == 0)
    if empty and backups.has_copies(db_path):
        state = "is empty (0 bytes)" if os.path.lexists(db_path) else "is missing"
        raise damaged_error(
            db_path,
            f"it {state} while {paths.backups_dir(db_path)} holds copies of it, so its history would be "
            "lost (to start afresh instead, move that backups folder away first)",
        )


def storage_error(exc: BaseException, db_path: Path) -> StorageError:
    """A driver error as a message a user can act on (a damaged file names the newest good backup)."""
    err = sqlfile.storage_error(exc, db_path)
    return damaged_error(db_path, err.reason) if isinstance(err, Damaged) else err


def daily_backup(db_path: Path) -> str | None:
    """The first open of each local day copies the database into backups/.

    Deciding costs one listing of the backups folder. A damaged database is
    refused (its copy would push good ones out of the rotation); a copy that
    cannot be written (full disk, read-only folder) does not stop the open: the
    returned sentence says why, for the user to hear (the command line prints it
    on stderr, the UI shows it).
    """
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
    try:  # the parser attaches the zone: several times faster than a ``replace`` per value
        moment = datetime.fromisoformat(stored + "+00:00")
        if moment.tzinfo is UTC:
            return moment
    except ValueError:  # a value that already names its offset
        pass
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
            conn = sqlfile.connect_ro(self.path)
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path) from exc
        try:
            conn.isolation_level = None
            conn.execute("PRAGMA foreign_keys = ON")
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
    if not db_path.is_file() or db_path.stat().st_size == 0:
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
            # sqlfile's own connection (exactly this path, its pragmas); the file's bytes are read only
            # through sqlfile.read_head, so no read of this process ever drops this connection's lock
            self._conn = sqlfile.connect_for_app(self.path)
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
