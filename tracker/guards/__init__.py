"""The one guarded place every write goes through: the plan rules and the settings bounds.

DOMAIN.md: "Every way into the database (the UI, the command line, an import, a restore of
an older file) keeps the plan rules ... An import that breaks a rule is refused whole,
naming the record. ``tracker check`` reports any stored record that breaks one."

- Every ORM write (the UI and the command line go through the services, which write through
  a session) passes ``tracker.guards.flush``, a ``before_flush`` listener on every session
  (installed when ``tracker.db`` is imported): a plan or step that breaks a rule of
  ``tracker.domain.plan_rules`` stops the flush with :class:`RuleError`, and the write
  transaction rolls back with nothing saved.
- The JSON import checks its rows with :func:`row_problems` before it writes any, and refuses
  the whole file naming the first bad record.
- A restore checks the file with :func:`file_problems` before it replaces anything.
- ``tracker check`` lists :func:`stored_problems` of the database.
- Migration 0005_safety_guards repeats the plan rules as SQLite triggers, for writes that
  bypass the ORM (plain SQL, another program); :func:`rule_error` turns their refusal into
  the same :class:`RuleError`.

This module reads with plain sqlite3 only (a restore checks its file without the ORM); the
listener, which needs SQLAlchemy, lives in ``tracker.guards.flush``. The messages name the
record (``taper plan 3``) and the rule, never a prescriber's name, a dose or a note.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tracker.domain import bounds
from tracker.domain.errors import TrackerError
from tracker.domain.plan_rules import (
    LEGACY_EVENT_ACTION,
    legacy_draft_note,
    legacy_draft_time,
    plan_problems,
    step_problems,
)
from tracker.domain.timeutil import utc_now

TRIGGER_MARK = "taper-tracker rule:"
"""How the triggers of migration 0005_safety_guards begin their messages."""


class RuleError(TrackerError):
    """A write would break a plan rule or a settings bound; nothing was written."""


def utc_today() -> date:
    return utc_now().date()


def plan_label(ident: object) -> str:
    return f"taper plan {ident}" if ident is not None else "the new taper plan"


def step_label(order: object, plan_id: object) -> str:
    return f"step {order} of taper plan {plan_id}" if plan_id is not None else f"step {order} of the new plan"


def rule_error(exc: BaseException) -> RuleError | None:
    """The RuleError a trigger of migration 0005 raised, or None for another integrity error."""
    text = str(getattr(exc, "orig", None) or exc)
    if TRIGGER_MARK not in text:
        return None
    reason = text.split(TRIGGER_MARK, 1)[1].strip()
    return RuleError(f"{reason}; nothing was saved")


# --------------------------------------------------------------------------- settings


def setting_problems(key: str, encoded: str) -> list[str]:
    """What is wrong with one stored setting (``encoded``: its JSON text)."""
    if key in bounds.SAFETY_NAMES:
        return [f"setting {key}: {bounds.CONSTANT_NOT_SETTING}"]
    if key != "reminder_thresholds" and not key.startswith("notify_"):
        return []
    try:
        value = json.loads(encoded)
    except ValueError:
        return [f"setting {key}: it is not a JSON value"]
    if key.startswith("notify_"):
        from tracker.domain.notify_policy import check_setting

        try:
            check_setting(key, value)
        except ValueError as exc:
            return [f"setting {key}: {exc}"]
        return []
    return [f"setting reminder_thresholds: {p}" for p in bounds.threshold_problems(value)]


# --------------------------------------------------------------------------- rows and files


def row_problems(rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[str]:
    """What breaks a rule in rows about to be written (the JSON import's, checked and converted).

    ``rows`` maps a table name to its records as Python values; each message names the record.
    """
    today = utc_today()
    problems: list[str] = []
    plans: dict[Any, Any] = {}
    for row in rows.get("taperplan", ()):
        plans[row.get("id")] = row.get("status")
        problems += [
            f"{plan_label(row.get('id'))}: {p}"
            for p in plan_problems(
                status=row.get("status"),
                prescriber=row.get("prescriber"),
                agreed_on=row.get("agreed_on"),
                created_at=row.get("created_at"),
                today=today,
            )
        ]
    for row in rows.get("taperstep", ()):
        problems += [
            f"{step_label(row.get('order'), row.get('plan_id'))}: {p}"
            for p in step_problems(status=row.get("status"), plan_status=plans.get(row.get("plan_id")))
        ]
    for row in rows.get("setting", ()):
        problems += setting_problems(str(row.get("key")), str(row.get("value")))
    problems += [p for row in rows.get("medication", ()) if (p := medication_problem(row))]
    return problems


# --------------------------------------------------------------------------- earlier versions

LEGACY_DRAFT_REVISION = "0008_legacy_draft_dates"
"""The migration that corrects the draft times of plans typed in by earlier versions."""


def before_legacy_fix(revision: object) -> bool:
    """True for a file (a database or a JSON backup) written before that migration.

    Such a file may hold plans whose draft time is the time they were typed in, after the day
    they were agreed (``plan_rules.legacy_draft_time``); its plans are judged, and imported,
    as the migration corrects them. An unknown revision is not "before": a newer file keeps
    the rule as it is.
    """
    from tracker.migrations import REVISIONS

    if not isinstance(revision, str) or revision not in REVISIONS:
        return False
    return REVISIONS.index(revision) < REVISIONS.index(LEGACY_DRAFT_REVISION)


def correct_legacy_plans(rows: dict[str, list[dict[str, Any]]], now: datetime) -> int:
    """Correct in place the plans of rows read from a file written before the fix, as migration
    0008 corrects a database, adding the same history row (dated ``now``, the file's export
    time, so that importing the file twice adds it once). Returns how many plans changed."""
    changed = 0
    events = rows.setdefault("planevent", [])
    next_id = max([0, *(e.get("id") or 0 for e in events if isinstance(e.get("id"), int))]) + 1
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)  # import rows are aware UTC
    for plan in rows.get("taperplan", ()):
        entered = plan.get("created_at")
        fixed = legacy_draft_time(plan.get("agreed_on"), entered)
        if fixed is None or not isinstance(entered, datetime):
            continue
        plan["created_at"] = fixed
        events.append(
            {
                "id": next_id,
                "plan_id": plan.get("id"),
                "at": moment,
                "action": LEGACY_EVENT_ACTION,
                "from_status": None,
                "to_status": None,
                "reason": legacy_draft_note(entered),
            }
        )
        next_id += 1
        changed += 1
    return changed


def medication_problem(row: Mapping[str, Any]) -> str | None:
    """A medication's other strengths (issue 12) that the taper drafts could not read, or None."""
    from tracker.domain.strengths import StrengthsError, parse_strengths

    value = row.get("other_strengths")
    if value is None:
        return None
    try:
        parse_strengths(str(value))
    except StrengthsError:
        return f"medication {row.get('id')}: other strengths are not mg strengths such as 25,100"
    return None


def _as_date(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return text  # not a date: plan_problems says so


def _as_instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def stored_problems(conn: sqlite3.Connection) -> list[str]:
    """Every stored record that breaks a rule, by a plain read of ``conn`` (any released schema).

    A file written before migration 0008 is judged as that migration will leave it on opening
    (its plans' draft times corrected), so an old backup can be restored.
    """
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"taperplan", "taperstep", "setting"} <= tables:
        return []  # an empty database: nothing stored yet
    plans = [
        {"id": i, "status": s, "prescriber": p, "agreed_on": _as_date(a), "created_at": _as_instant(c)}
        for i, s, p, a, c in conn.execute(
            "SELECT id, status, prescriber, agreed_on, created_at FROM taperplan ORDER BY id"
        )
    ]
    steps = [
        {"plan_id": p, "order": o, "status": s}
        for p, o, s in conn.execute('SELECT plan_id, "order", status FROM taperstep ORDER BY plan_id, 2')
    ]
    settings = [{"key": k, "value": v} for k, v in conn.execute("SELECT key, value FROM setting ORDER BY 1")]
    if before_legacy_fix(_revision(conn)):
        for plan in plans:
            fixed = legacy_draft_time(plan["agreed_on"], plan["created_at"])
            if fixed is not None:
                plan["created_at"] = fixed
    columns = {r[1] for r in conn.execute("PRAGMA table_info(medication)")}
    medications = (
        [
            {"id": i, "other_strengths": o}
            for i, o in conn.execute("SELECT id, other_strengths FROM medication ORDER BY id")
        ]
        if "other_strengths" in columns
        else []
    )
    return row_problems(
        {"taperplan": plans, "taperstep": steps, "setting": settings, "medication": medications}
    )


def file_problems(path: Path) -> list[str]:
    """``stored_problems`` of the database file at ``path``, opened read-only."""
    from tracker import sqlfile  # the one open path (read-only mounts without a -shm included)

    conn = sqlfile.connect_ro(Path(path))
    try:
        return stored_problems(conn)
    finally:
        conn.close()
