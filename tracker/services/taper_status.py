"""Where taper plans stand, read with plain SQL: the plans as the reminder rules see them and
the live step of each running plan that Today shows under the doses.

A light module: it reads through ``Reads`` (tracker/store.py), so Today and the reminders
load without the ORM. ``tracker.services.taper`` (the plans' writes) re-exports what is
here, so there is one implementation whichever module a caller imports.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from tracker.domain.reminders import PlanInfo, StepInfo
from tracker.domain.taper_micro import day_on, table_for_step
from tracker.queries import meds as med_queries
from tracker.queries import taper as q
from tracker.queries.taper import PlanRow, StepRow
from tracker.store import Reads

__all__ = [
    "LIVE_STEP",
    "STARTED_STEP",
    "CurrentStep",
    "PlanLike",
    "current_steps",
    "last_reduction",
    "mg_text",
    "plan_info",
    "plan_infos",
]

LIVE_STEP = frozenset({"current", "held"})
STARTED_STEP = frozenset({"current", "held", "done", "stepped_back"})
_RUNNING = ("active", "held")
_EPS = 1e-9


class PlanLike(Protocol):
    """What ``plan_info`` reads of a plan: a ``TaperPlan`` row or a ``PlanRow``."""

    @property
    def id(self) -> int | None: ...
    @property
    def medication_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def prescriber(self) -> str | None: ...


def mg_text(x: float) -> str:
    """A dose in mg as people write it: ``37.5``, ``20``, ``0.125``."""
    return f"{round(x, 3):g}"


def last_reduction(rows: Sequence[StepRow]) -> date | None:
    """The latest day a started step lowered the dose below the step before it."""
    started = sorted(
        (r for r in rows if r.status in STARTED_STEP and r.actual_start is not None),
        key=lambda r: (r.actual_start or date.min, r.order),
    )
    found: date | None = None
    for before, after in itertools.pairwise(started):
        if after.dose_mg < before.dose_mg - _EPS:
            found = after.actual_start
    return found


def _info(plan: PlanLike, rows: Sequence[StepRow]) -> PlanInfo:
    return PlanInfo(
        id=plan.id or 0,
        medication_id=plan.medication_id,
        status=plan.status,
        prescriber=plan.prescriber,
        steps=tuple(
            StepInfo(r.order, r.dose_mg, r.planned_start, r.min_days, r.status, r.actual_start) for r in rows
        ),
        last_reduction=last_reduction(rows),
    )


def plan_info(session: Reads, plan: PlanLike) -> PlanInfo:
    """The plan as the reminder rules read it: its own status, its stored steps by order.

    ``plan`` may be an ORM row with changes not yet written: a session is flushed first
    (``raw``), and the status is the one ``plan`` holds.
    """
    ident = plan.id or 0
    return _info(plan, q.steps_of(session, [ident])[ident])


def plan_infos(session: Reads, statuses: Sequence[str]) -> list[PlanInfo]:
    """Every plan whose status is in ``statuses`` (oldest first), in two queries."""
    plans = q.plans_with_status(session, statuses)
    steps = q.steps_of(session, [p.id for p in plans])
    return [_info(p, steps[p.id]) for p in plans]


@dataclass(frozen=True, slots=True)
class CurrentStep:
    """Where a running plan stands on a day: what Today shows under the doses."""

    medication_name: str
    plan_status: str  # active or held
    order: int
    total: int
    dose_mg: float
    started: date | None
    min_days: int
    days_at: int | None  # days at this dose on ``day``, counting the first day as 1
    micro: str | None = None  # D8: "day 2 of 28: 2.4 ml of 20 mg/ml" while a micro-step table runs

    def line(self) -> str:
        """``Taper · Sertraline step 3 of 6: 37.5 mg a day, day 28 (agreed minimum 42)``.

        A micro-step (D8): ``Taper · Sertraline step 1 of 1: 48 mg today (micro-steps, day 2 of 28: 2.4 ml)``.
        """
        held = " · on hold" if self.plan_status == "held" else ""
        step = f"step {self.order} of {self.total}"
        if self.micro is not None:
            what = f"{mg_text(self.dose_mg)} mg today (micro-steps, {self.micro})"
            return f"Taper · {self.medication_name} {step}: {what}{held}"
        days = f", day {self.days_at} (agreed minimum {self.min_days})" if self.days_at else ""
        return f"Taper · {self.medication_name} {step}: {mg_text(self.dose_mg)} mg a day{days}{held}"


def _in_force(rows: Sequence[StepRow], day: date) -> StepRow | None:
    """The step whose dose applied on ``day``: the latest started on or before it (None: not begun).

    Today that is the live step; on a past day it may be one done since, so a day filled in
    later shows the dose of its own time, not today's.
    """
    started = [r for r in rows if r.status in STARTED_STEP and r.actual_start is not None]
    on_or_before = [r for r in started if r.actual_start is not None and r.actual_start <= day]
    if not on_or_before:
        return None
    return max(on_or_before, key=lambda r: (r.actual_start or date.min, r.order))


def _current(plan: PlanRow, name: str, rows: Sequence[StepRow], day: date) -> CurrentStep | None:
    live = next((s for s in rows if s.status in LIVE_STEP), None)
    if live is None:
        return None
    step = live if live.actual_start is not None and live.actual_start <= day else _in_force(rows, day)
    if step is None:
        return None
    started = step.actual_start
    dose, micro = step.dose_mg, None
    table = table_for_step(step) if step.micro else None
    row = day_on(table, day) if table is not None else None
    if table is not None and row is not None:  # D8: the day's row is the dose of the day
        dose = row.dose_mg
        offset = min((day - (table.start or day)).days + 1, table.total_days)
        micro = f"day {offset} of {table.total_days}: {row.amount}"
    elif table is not None and table.stopped is not None and day >= table.stopped:
        dose = table.stopped_mg if table.stopped_mg is not None else dose
        micro = f"the table stopped on {table.stopped.isoformat()}; this dose a day since"
    return CurrentStep(
        medication_name=name,
        plan_status=plan.status if step is live else "active",
        order=step.order,
        total=len(rows),
        dose_mg=dose,
        started=started,
        min_days=step.min_days,
        days_at=(day - started).days + 1 if started and started <= day else None,
        micro=micro,
    )


def current_steps(*, session: Reads, day: date) -> list[CurrentStep]:
    """The step in force on a local ``day`` of every running (active or held) plan, oldest plan first."""
    plans = q.plans_with_status(session, _RUNNING)
    if not plans:
        return []
    steps = q.steps_of(session, [p.id for p in plans])
    names = med_queries.medication_names(session=session, ids=[p.medication_id for p in plans])
    found = (
        _current(p, names.get(p.medication_id, f"medication {p.medication_id}"), steps[p.id], day)
        for p in plans
    )
    return [c for c in found if c is not None]
