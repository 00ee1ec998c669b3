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
import sqlite3
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

from tracker import guards, paths, sqlfile
from tracker.domain.errors import DatabaseTooNewError, StorageError, TrackerError
from tracker.guards import flush as _guard_flush  # noqa: F401  (installs the listener every write passes)
from tracker.migrations import HEAD, REVISIONS
from tracker.store import (  # the light half of storage, re-exported for existing callers
    BUSY_TIMEOUT_MS,
    SQLITE_MAGIC,
    apply_pragmas,
    check_file,
    daily_backup,
    damaged_error,
    file_problem,
    integrity_check,
    keep_private,
    refuse_lost_history,
    ro_uri,
    schema_revision,
    storage_error,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "SQLITE_MAGIC",
    "Database",
    "apply_pragmas",
    "check_file",
    "damaged_error",
    "file_problem",
    "integrity_check",
    "open_database",
    "ro_uri",
    "schema_revision",
    "storage_error",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"  # a module constant so a test can point it elsewhere


def _install_listeners(engine: Engine, db_path: Path) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        apply_pragmas(dbapi_connection)
        for p in (db_path, *paths.sidecar_files(db_path)):
            keep_private(p)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("tracker_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        if immediate:
            # Every write carries the database header (page 1) with the file's identity into the
            # write-ahead log, so a -wal file from another database is recognised (sqlfile.wal_problem).
            ident = int(conn.exec_driver_sql("PRAGMA application_id").scalar() or 0) or sqlfile.new_identity()
            conn.exec_driver_sql(f"PRAGMA application_id = {ident}")
            # ... and a new lineage tag, so a diverged copy's -wal is recognised too
            lineage = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
            conn.exec_driver_sql(f"PRAGMA user_version = {sqlfile.next_lineage(lineage)}")


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


def _prepare_path(db_path: Path, create_dir: bool) -> None:
    folder = db_path.parent
    if create_dir and folder.is_dir():
        paths.tighten_dir(folder)  # the app's own data folder: 0700 even if an older version left it wider
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
        # PRAGMA foreign_keys is a no-op inside a transaction, and SQLAlchemy's "begin"
        # listener above emits BEGIN before any statement run through ``conn``: switch
        # it off on the raw DBAPI connection, before the first transaction begins.
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        dbapi.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                sqlfile.stamp_identity(dbapi)
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise StorageError(
                        f"migration left {len(problems)} broken references; nothing was changed"
                    )
        finally:
            if conn.in_transaction():
                conn.rollback()
            dbapi.execute("PRAGMA foreign_keys = ON")


# What a session can raise from the database: through the ORM, or from a plain read
# (tracker/queries) run on the session's own connection.
_DRIVER_ERRORS = (SADatabaseError, sqlite3.DatabaseError)
_INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError)


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
            except _DRIVER_ERRORS as exc:
                session.rollback()
                if isinstance(exc, _INTEGRITY_ERRORS):
                    refused = guards.rule_error(exc)  # a trigger of migration 0005 refused it
                    if refused is not None:
                        raise refused from exc
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
            except _DRIVER_ERRORS as exc:
                if isinstance(exc, _INTEGRITY_ERRORS):
                    raise
                raise storage_error(exc, self.path) from exc

    def close(self) -> None:
        self.engine.dispose()


def make_engine(db_path: Path) -> Engine:
    """The engine, connecting to exactly ``db_path`` (a creator, so no URL parsing: ``%41`` or ``?``
    in a file name stays part of the name)."""
    engine = create_engine("sqlite://", creator=lambda: sqlfile.connect_for_app(db_path))
    _install_listeners(engine, db_path)
    return engine


_CHECKED: set[Path] = set()  # databases whose pages this process has verified before writing


def verify_pages(db_path: Path) -> None:
    """``PRAGMA quick_check`` of every page, once per process and database, before the first write.

    The header check of every open sees only the first 100 bytes: a write into a file with
    damaged pages would otherwise succeed and the newest good backup would lack it.
    """
    if db_path in _CHECKED:
        return
    if sqlfile.early_page_check_passed(db_path):  # the same check, run while the ORM was imported
        _CHECKED.add(db_path)
        return
    problems = sqlfile.integrity_check(db_path, quick=True, ours=False)
    if problems:
        raise damaged_error(db_path, f"it fails its integrity check ({problems[0]})")
    _CHECKED.add(db_path)


def open_database(
    db_path: Path | str,
    *,
    create_dir: bool = False,
    migrate_ok: bool = True,
    backup: bool = True,
    new_ok: bool = False,
) -> Database:
    """Open (creating and migrating as needed) the database at ``db_path``.

    Raises StorageError (or a subclass) with a user-facing message when the
    folder is missing, the file is not ours, or it comes from a newer version.
    A refused file is never modified. ``backup`` False skips the daily backup, for a
    caller that has just taken it (the app, which opened the file light first). A missing
    or empty file is created only when no backups of it exist, or with ``new_ok`` (the demo).
    Every page is verified before the process writes (``verify_pages``).
    """
    db_path = Path(db_path).expanduser().absolute()
    if db_path.is_dir():
        raise StorageError(f"{db_path} is a folder, not a database file")
    check_file(db_path)
    if not new_ok:
        refuse_lost_history(db_path)
    current = schema_revision(db_path) if db_path.exists() else None
    if current is not None and current not in REVISIONS:
        raise DatabaseTooNewError(
            f"{db_path} was written by a newer version of taper-tracker (schema {current}); "
            "update the program to open it. The file was left untouched."
        )
    _prepare_path(db_path, create_dir)
    if current is not None:
        verify_pages(db_path)
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
            keep_private(p)
        if current is not None and backup:  # a database just created has nothing worth a copy yet
            _daily_backup(database)
    except BaseException:
        engine.dispose()
        raise
    return database


def _daily_backup(database: Database) -> None:
    """The first open of each local day copies the database into backups/ (see store.daily_backup)."""
    warning = daily_backup(database.path)
    if warning:
        database.warnings.append(warning)
