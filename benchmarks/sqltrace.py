"""Capture every SQL statement a process runs, whichever way it reaches SQLite.

The app reads both through the ORM and through plain sqlite3 connections
(tracker/store.py), and a plain read may run on an ORM session's own connection,
where SQLAlchemy's events never see it. SQLite's own trace hook sees all of them:
it is set on every connection opened while capturing (``sqlite3.connect`` is
wrapped) and on every pooled ORM connection when it is checked out. The statements
come back with their parameters written in (``sqlite3``'s expanded SQL), ready for
EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def capture_sql() -> Iterator[list[tuple[str, Any]]]:
    """Every statement run inside the block, as ``(sql, None)`` pairs."""
    statements: list[tuple[str, Any]] = []
    active = True

    def trace(sql: str) -> None:
        if active:
            statements.append((sql, None))

    original = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = original(*args, **kwargs)
        conn.set_trace_callback(trace)
        return conn

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(trace)

    sqlite3.connect = connect  # type: ignore[assignment]
    pool_event = None
    if "sqlalchemy" in sys.modules:  # connections already pooled before the block began
        from sqlalchemy import event
        from sqlalchemy.pool import Pool

        event.listen(Pool, "checkout", checkout)
        pool_event = (event, Pool)
    try:
        yield statements
    finally:
        active = False
        sqlite3.connect = original
        if pool_event is not None:
            event_module, pool = pool_event
            event_module.remove(pool, "checkout", checkout)
