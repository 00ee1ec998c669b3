"""The audit trail and undo: every change keeps the values before it.

Entries written by one session share a timestamp, so undo reverts everything
one action changed (for example a new prescription and the end date it put on
the previous one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, delete, func, insert, update
from sqlmodel import Session, SQLModel, col, select

from tracker.models import AuditEntry


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What undo reverted: table names and actions, for a short message."""

    changes: list[tuple[str, str]]

    def describe(self) -> str:
        if not self.changes:
            return "nothing to undo"
        verbs = {"insert": "removed", "update": "restored", "delete": "brought back"}
        parts = [f"{verbs[a]} a {_label(t)}" for t, a in self.changes]
        return "Undone: " + ", ".join(dict.fromkeys(parts))


_LABELS = {
    "doseevent": "dose",
    "symptomentry": "symptom rating",
    "checkin": "check-in",
    "clinicianquestion": "question",
    "taperplan": "taper plan",
    "taperstep": "taper step",
    "scaleresponse": "PHQ-9 or GAD-7",
    "planevent": "plan history entry",
    "reminderstate": "reminder",
    "notificationrecord": "notification",
    "dosesnooze": "snooze",
    "notifyrun": "notification run",
}


def _label(table: str) -> str:
    return _LABELS.get(table, table)


def _decode(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        column = table.c.get(key)
        if column is None:
            continue
        if value is not None and isinstance(column.type, Date) and not isinstance(column.type, DateTime):
            value = date.fromisoformat(value)
        elif value is not None and (
            isinstance(column.type, DateTime) or "DateTime" in type(column.type).__name__
        ):
            value = datetime.fromisoformat(value)
        out[key] = value
    return out


def _pk_clause(table: Table, row_id: str) -> Any:
    pks = list(table.primary_key.columns)
    values = row_id.split(",")
    clause = None
    for column, raw in zip(pks, values, strict=True):
        value: Any = int(raw) if raw.lstrip("-").isdigit() and column.type.python_type is int else raw
        part = column == value
        clause = part if clause is None else clause & part
    return clause


def last_change_at(*, session: Session) -> datetime | None:
    return session.exec(select(func.max(AuditEntry.at)).where(AuditEntry.undone == False)).one()  # noqa: E712


def undo_last(*, session: Session) -> UndoResult:
    """Revert the most recent action that has not been undone yet."""
    at = last_change_at(session=session)
    if at is None:
        return UndoResult([])
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.at == at)
        .where(AuditEntry.undone == False)  # noqa: E712
        .order_by(col(AuditEntry.id).desc())
    ).all()
    conn = session.connection()
    changes: list[tuple[str, str]] = []
    for entry in entries:
        table = SQLModel.metadata.tables[entry.table_name]
        where = _pk_clause(table, entry.row_id)
        if entry.action == "insert":
            conn.execute(delete(table).where(where))
        elif entry.action == "update" and entry.before:
            conn.execute(update(table).where(where).values(**_decode(table, json.loads(entry.before))))
        elif entry.action == "delete" and entry.before:
            conn.execute(insert(table).values(**_decode(table, json.loads(entry.before))))
        changes.append((entry.table_name, entry.action))
    conn.execute(
        update(AuditEntry).where(col(AuditEntry.id).in_([e.id for e in entries])).values(undone=True)
    )
    session.expire_all()
    return UndoResult(changes)


def recent_changes(*, session: Session, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
    return list(
        session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)).all()
    )
