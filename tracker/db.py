"""The engine, connection pragmas, sessions, schema checks and migrations on open.

Nothing is created at import time: ``open_database(path)`` builds everything
from the path it is handed, so tests use a temporary folder.

Every connection runs with foreign_keys=ON, journal_mode=WAL, synchronous=FULL
and a 10 s busy timeout. Python 3.11's sqlite3 module opens transactions on its
own in a way that breaks SAVEPOINT, so the driver's transaction handling is
switched off and SQLAlchemy's ``begin`` event emits BEGIN itself; write
sessions use BEGIN IMMEDIATE so two writers queue on the busy timeout instead
of failing with "database is locked" when a read lock cannot be upgraded.
"""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session as SASession
from sqlmodel import Session, create_engine

from tracker import paths
from tracker.domain.errors import DatabaseDamagedError, DatabaseTooNewError, StorageError, TrackerError
from tracker.migrations import HEAD, REVISIONS

BUSY_TIMEOUT_MS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"  # a module constant so a test can point it elsewhere
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


def _keep_private(path: Path) -> None:
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


def _install_listeners(engine: Engine, db_path: Path) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        apply_pragmas(dbapi_connection)
        for p in (db_path, *paths.sidecar_files(db_path)):
            _keep_private(p)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("tracker_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def row_values(obj: Any) -> dict[str, Any]:
    """Column values of a mapped object, JSON-ready."""
    mapper = inspect(obj).mapper
    return {c.key: _jsonable(getattr(obj, c.key)) for c in mapper.column_attrs}


def _previous_values(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.deleted:
            before[attr.key] = _jsonable(hist.deleted[0])
        else:
            before[attr.key] = _jsonable(getattr(obj, attr.key))
    return before


def _primary_key(obj: Any) -> str:
    ident = inspect(obj).identity
    if ident is None:
        mapper = inspect(obj).mapper
        ident = tuple(getattr(obj, c.key) for c in mapper.primary_key)
    return ",".join(str(i) for i in ident)


@event.listens_for(SASession, "after_flush")
def _audit_after_flush(session: SASession, _ctx: Any) -> None:
    """Record every insert, update and delete of the audited tables.

    Runs for every session; bulk writers (the demo generator, imports) switch it
    off with ``session.info["audit"] = False``.
    """
    if not session.info.get("audit", True):
        return
    from tracker.models import AUDITED_TABLES, AuditEntry

    rows: list[dict[str, Any]] = []
    # one timestamp per session: undo reverts everything one action wrote
    now = session.info.setdefault("audit_at", datetime.now(UTC))

    def add(obj: Any, action: str, before: Any, after: Any) -> None:
        table = getattr(obj, "__tablename__", None)
        if table not in AUDITED_TABLES:
            return
        rows.append(
            {
                "at": now,
                "table_name": table,
                "row_id": _primary_key(obj),
                "action": action,
                "before": json.dumps(before) if before is not None else None,
                "after": json.dumps(after) if after is not None else None,
                "undone": False,
            }
        )

    for obj in session.new:
        add(obj, "insert", None, row_values(obj))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            add(obj, "update", _previous_values(obj), row_values(obj))
    for obj in session.deleted:
        add(obj, "delete", _previous_values(obj), None)
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)  # type: ignore[attr-defined]


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


def _prepare_path(db_path: Path, create_dir: bool) -> None:
    folder = db_path.parent
    if not folder.exists():
        if not create_dir:
            raise StorageError(f"the folder {folder} does not exist; create it first or choose another --db")
        try:
            paths.ensure_private_dir(folder)
        except OSError as exc:
            raise StorageError(f"cannot create the folder {folder}: {exc.strerror}") from exc
    if not db_path.exists():
        try:
            paths.create_private_file(db_path)
        except OSError as exc:
            raise StorageError(f"cannot create {db_path}: {exc.strerror}") from exc


def migrate(engine: Engine, db_path: Path, current: str | None) -> None:
    """Upgrade to head: backup first, foreign keys off outside the transaction,
    ``foreign_key_check`` before commit. A failure rolls everything back."""
    from alembic import command
    from alembic.config import Config

    if current is not None:
        from tracker import backups

        try:
            backups.backup_before(db_path, reason="migration")
        except (OSError, sqlite3.OperationalError) as exc:
            raise StorageError(
                f"cannot make the backup taken before upgrading {db_path} ({exc}); nothing was changed"
            ) from exc

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        # PRAGMA foreign_keys is a no-op inside a transaction: switch it off first
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise StorageError(
                        f"migration left {len(problems)} broken references; nothing was changed"
                    )
        finally:
            if conn.in_transaction():
                conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            conn.commit()


@dataclass
class Database:
    """An open database: the engine and the way to get sessions."""

    path: Path
    engine: Engine
    # things the user should hear about that did not stop the open (e.g. today's backup failed)
    warnings: list[str] = field(default_factory=list)

    def session(self) -> Session:
        """A session for reading (deferred transaction)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self, audit: bool = True) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE): commits on success, rolls back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            session.info["audit"] = audit
            try:
                # BEGIN IMMEDIATE itself can fail (busy past the timeout, read-only file)
                session.connection(execution_options={"tracker_immediate": True})
                yield session
                session.commit()
            except SADatabaseError as exc:
                session.rollback()
                if isinstance(exc, IntegrityError):
                    raise  # a bug in a service, not a storage problem
                raise storage_error(exc, self.path) from exc
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session, closed at the end."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except SADatabaseError as exc:
                if isinstance(exc, IntegrityError):
                    raise
                raise storage_error(exc, self.path) from exc

    def close(self) -> None:
        self.engine.dispose()


def storage_error(exc: SADatabaseError | sqlite3.Error, db_path: Path) -> StorageError:
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


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    _install_listeners(engine, db_path)
    return engine


def open_database(db_path: Path | str, *, create_dir: bool = False, migrate_ok: bool = True) -> Database:
    """Open (creating and migrating as needed) the database at ``db_path``.

    Raises StorageError (or a subclass) with a user-facing message when the
    folder is missing, the file is not ours, or it comes from a newer version.
    A refused file is never modified.
    """
    db_path = Path(db_path).expanduser().absolute()
    check_file(db_path)
    current = schema_revision(db_path) if db_path.exists() else None
    if current is not None and current not in REVISIONS:
        raise DatabaseTooNewError(
            f"{db_path} was written by a newer version of taper-tracker (schema {current}); "
            "update the program to open it. The file was left untouched."
        )
    _prepare_path(db_path, create_dir)
    engine = make_engine(db_path)
    database = Database(db_path, engine)
    try:
        if current != HEAD:
            if not migrate_ok:
                raise StorageError(f"{db_path} needs an upgrade before it can be used")
            try:
                migrate(engine, db_path, current)
            except OperationalError as exc:
                raise storage_error(exc, db_path) from exc
            except TrackerError:
                raise
            except Exception as exc:  # a failing migration script: the transaction was rolled back
                raise StorageError(
                    f"the upgrade of {db_path} to schema {HEAD} failed ({type(exc).__name__}); "
                    f"the database was left as it was, and a copy taken before the upgrade is in "
                    f"{paths.backups_dir(db_path)}"
                ) from exc
        for p in (db_path, *paths.sidecar_files(db_path)):
            _keep_private(p)
        if current is not None:  # a database just created has nothing worth a copy yet
            _daily_backup(database)
    except BaseException:
        engine.dispose()
        raise
    return database


def _daily_backup(database: Database) -> None:
    """The first open of each local day copies the database into backups/.

    Deciding costs one listing of the backups folder. A damaged database is
    refused (its copy would push good ones out of the rotation); a copy that
    cannot be written (full disk, read-only folder) does not stop the open but
    is reported in ``database.warnings``.
    """
    from tracker import backups

    try:
        backups.daily_backup_if_due(database.path)
    except DatabaseDamagedError as exc:
        raise damaged_error(database.path, "it failed its integrity check") from exc
    except (OSError, sqlite3.Error, StorageError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        database.warnings.append(f"today's automatic backup could not be made ({reason})")


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
