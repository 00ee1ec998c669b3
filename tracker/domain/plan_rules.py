"""The plan rules every way into the database keeps (DOMAIN.md, "Safety rules no setting,
import or key can relax"), as pure functions of one record's values.

- A plan's status is one of the known ones; a step's too.
- A plan is agreed, active, held or completed only with a recorded prescriber and an
  agreement date that is plausible: not before the draft was made, not in the future,
  and not before :data:`EARLIEST_AGREEMENT` (a placeholder such as 1900-01-01 is not a date).
- A step is under way, held, done or stepped back only in a plan that has started (active,
  held, completed, or abandoned after starting): a draft or an agreed plan has only planned
  steps, so no step can be advanced without a recorded agreement.

``tracker.guards`` applies them to every write (the ORM's flush, the JSON import, a restore)
and ``tracker check`` to every stored record; migration 0005_safety_guards repeats them as
SQLite triggers for writes outside the program. The messages name the rule, never the
values of health data (a prescriber's name, a dose).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from tracker.domain.plan_status import PlanStatus, StepStatus

PLAN_STATUSES: Final = tuple(s.value for s in PlanStatus)
STEP_STATUSES: Final = tuple(s.value for s in StepStatus)

AGREED_STATUSES: Final = frozenset({"agreed", "active", "held", "completed"})
"""Statuses that say the plan was agreed with a prescriber: they need the prescriber and the date."""

STARTED_PLAN: Final = frozenset({"active", "held", "completed", "abandoned"})
"""Statuses of a plan whose steps may have started."""

NOT_STARTED_PLAN: Final = frozenset({"draft", "agreed"})

EARLIEST_AGREEMENT: Final = date(1988, 1, 1)
"""No agreement date before this: the first SSRI (fluoxetine) was licensed at the end of 1987."""

DATE_SLACK: Final = timedelta(days=1)
"""Leeway between UTC and the user's local day (zones run from UTC-12 to UTC+14)."""


def plan_problems(
    *,
    status: object,
    prescriber: object,
    agreed_on: object,
    created_at: datetime | date | None,
    today: date,
) -> list[str]:
    """What is wrong with one taper plan's values (empty when it keeps the rules).

    ``today`` is the UTC day of the clock; dates are compared with a day's leeway either
    way, so a local day never counts as "in the future" or "before the draft" by its zone.
    """
    if not isinstance(status, str) or status not in PLAN_STATUSES:
        return [f"its status is not one of {', '.join(PLAN_STATUSES)}"]
    if status not in AGREED_STATUSES:
        return []
    problems: list[str] = []
    if not isinstance(prescriber, str) or not prescriber.strip():
        problems.append(f"it is {status} but no prescriber who agreed it is recorded")
    if not isinstance(agreed_on, date) or isinstance(agreed_on, datetime):
        problems.append(f"it is {status} but the date it was agreed is not recorded")
        return problems
    if agreed_on < EARLIEST_AGREEMENT:
        problems.append(
            f"its agreement date is before {EARLIEST_AGREEMENT.year}, which is not a plausible date"
        )
    elif agreed_on > today + DATE_SLACK:
        problems.append("its agreement date is in the future")
    else:
        made = created_at.date() if isinstance(created_at, datetime) else created_at
        if made is not None and agreed_on < made - DATE_SLACK:
            problems.append("its agreement date is before the draft was made")
    return problems


def legacy_draft_time(agreed_on: object, created_at: object) -> datetime | None:
    """The draft time a plan typed into an earlier version should have, or None when it is fine.

    Versions before 0008_legacy_draft_dates stamped ``created_at`` when a plan was typed in,
    even when the user then recorded the day it had been agreed earlier (a plan agreed in the
    clinic and entered weeks later). By the rule "not before the draft was made" such a plan
    would be locked: it could not be held, advanced or completed, restored or re-imported.
    The draft was in fact made no later than the agreement, so its time becomes midnight UTC of
    the agreement day; the time it was typed in is kept in the plan's history
    (:func:`legacy_draft_note`). A naive ``created_at`` is read as UTC, as the database stores it.
    """
    if not isinstance(agreed_on, date) or isinstance(agreed_on, datetime):
        return None
    if not isinstance(created_at, datetime):
        return None
    if agreed_on >= created_at.date() - DATE_SLACK:
        return None
    return datetime.combine(agreed_on, time(0, 0), tzinfo=UTC)


LEGACY_EVENT_ACTION: Final = "upgrade"
"""The plan-history action that records the correction of :func:`legacy_draft_time`."""


def legacy_draft_note(entered: datetime) -> str:
    """The history note of that correction: it keeps the time the plan was typed in."""
    moment = entered if entered.tzinfo is None else entered.astimezone(UTC).replace(tzinfo=None)
    return (
        "draft time set to the agreement day on upgrade: an earlier version recorded the time "
        f"the plan was typed in ({moment:%Y-%m-%d %H:%M} UTC), after the day it was agreed"
    )


def step_problems(*, status: object, plan_status: object | None = None) -> list[str]:
    """What is wrong with one taper step (``plan_status``: its plan's, when known)."""
    if not isinstance(status, str) or status not in STEP_STATUSES:
        return [f"its status is not one of {', '.join(STEP_STATUSES)}"]
    if status != StepStatus.PLANNED.value and plan_status in NOT_STARTED_PLAN:
        return [f"it is marked {status.replace('_', ' ')} but its plan is {plan_status} and has not started"]
    return []


def all_messages() -> list[str]:
    """Every message the rules above can produce (for the test that none instructs a dose change)."""
    today = date(2026, 1, 1)
    found: list[str] = []
    for status in (*PLAN_STATUSES, "unknown"):
        for prescriber in (None, "Dr A"):
            for agreed in (None, date(1900, 1, 1), date(2030, 1, 1), date(2025, 1, 1)):
                found += plan_problems(
                    status=status,
                    prescriber=prescriber,
                    agreed_on=agreed,
                    created_at=date(2025, 6, 1),
                    today=today,
                )
    for step in (*STEP_STATUSES, "unknown"):
        for plan in PLAN_STATUSES:
            found += step_problems(status=step, plan_status=plan)
    return sorted(set(found))
