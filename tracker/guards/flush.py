"""The ``before_flush`` listener that holds every ORM write to the plan rules (see ``tracker.guards``).

Installed on every SQLAlchemy session when this module is imported (``tracker.db`` does).
A plan or step breaking a rule of ``tracker.domain.plan_rules``, or a setting outside
``tracker.domain.bounds``, stops the flush with ``RuleError``; the write transaction then
rolls back with nothing saved. There is no switch to turn it off: the demo generator, the
import and the tests write through it like everything else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import column as sa_column
from sqlalchemy import event, select, table
from sqlalchemy.orm import Session

from tracker.domain.plan_rules import plan_problems, step_problems
from tracker.guards import RuleError, plan_label, setting_problems, step_label, utc_today

_STEPS = table("taperstep", sa_column("id"), sa_column("plan_id"), sa_column("status"))


@event.listens_for(Session, "before_flush")
def _check_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse a flush that would store a plan, step or setting breaking a rule."""
    written = [
        obj
        for obj in (*session.new, *session.dirty)
        if obj in session.new or session.is_modified(obj, include_collections=False)
    ]
    if not written:
        return
    problems: list[str] = []
    today = utc_today()
    with session.no_autoflush:
        for obj in written:
            name = getattr(obj, "__tablename__", None)
            if name == "taperplan":
                label = plan_label(obj.id)
                problems += [
                    f"{label}: {p}"
                    for p in plan_problems(
                        status=obj.status,
                        prescriber=obj.prescriber,
                        agreed_on=obj.agreed_on,
                        created_at=obj.created_at,
                        today=today,
                    )
                ]
                if not problems and obj.id is not None and obj.status in ("draft", "agreed"):
                    problems += _started_steps_of(session, obj)
            elif name == "taperstep":
                plan = _plan_of(session, obj.plan_id)
                problems += [
                    f"{step_label(obj.order, obj.plan_id)}: {p}"
                    for p in step_problems(status=obj.status, plan_status=getattr(plan, "status", None))
                ]
            elif name == "setting":
                problems += setting_problems(obj.key, obj.value)
    if problems:
        raise RuleError(f"{problems[0]}; nothing was saved")


def _plan_of(session: Session, plan_id: int | None) -> Any:
    if plan_id is None:
        return None
    from tracker.models import TaperPlan

    return session.get(TaperPlan, plan_id)


def _started_steps_of(session: Session, plan: Any) -> list[str]:
    """A plan going back to draft or agreed may not keep steps that have started."""
    statuses = {
        row.id: row.status
        for row in session.connection().execute(
            select(_STEPS.c.id, _STEPS.c.status).where(_STEPS.c.plan_id == plan.id)
        )
    }
    for obj in (*session.new, *session.dirty):
        if getattr(obj, "__tablename__", None) == "taperstep" and obj.plan_id == plan.id:
            statuses[obj.id or -id(obj)] = obj.status
    started = sorted({s for s in statuses.values() if s != "planned"})
    if started:
        return [
            f"{plan_label(plan.id)}: it is {plan.status} but has steps marked "
            f"{' and '.join(s.replace('_', ' ') for s in started)}"
        ]
    return []
