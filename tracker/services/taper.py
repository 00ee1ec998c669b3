"""Taper plans in the database: drafts, agreement, running the steps, and a calendar.

The rules live in ``tracker.domain.taper`` (status machine, step operations,
draft calculators); this module loads rows, applies those pure functions,
writes the result back and records every transition as a ``PlanEvent`` with
its time and reason. While a plan runs, the prescription history follows it
(``meds.set_prescription`` with ``taper_step_id``) so dose charts and the
expected doses of each day match the current step.

The app never decides doses: a calculated schedule is saved as a draft to
discuss with the prescriber, and only a plan whose agreement is recorded (who
agreed it and when) can start (reminder rule R7).

The status reads (``plan_info`` for the reminder rules, ``current_steps`` for Today)
live in the light ``tracker.services.taper_status`` and are re-exported here.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from tracker.domain import taper as dt
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.reminders import plan_start_blocked
from tracker.domain.taper_micro import describe, prescription_dose, table_for_step
from tracker.domain.timeutil import as_utc, local_day
from tracker.models import Appointment, Medication, PlanEvent, TaperPlan, TaperStep
from tracker.services import meds
from tracker.services.taper_status import (
    LIVE_STEP,
    STARTED_STEP,
    CurrentStep,
    current_steps,
    mg_text,
    plan_info,
)
from tracker.services.taper_views import (
    AGREED_NOTICE,
    DRAFT_NOTICE,
    ENDED_NOTICE,
    FINAL,
    DraftInputs,
    EventView,
    PlanView,
    StepView,
    draft_inputs,
    flags_from_json,
    formulation_for,
    plan_views,
    plans_for,
)
from tracker.store import Reads

__all__ = [
    "AGREED_NOTICE",
    "DRAFT_NOTICE",
    "ENDED_NOTICE",
    "CurrentStep",
    "DraftInputs",
    "EventView",
    "PlanChange",
    "PlanView",
    "RevisionInputs",
    "StepView",
    "abandon_plan",
    "add_step",
    "advance_plan",
    "agree_plan",
    "calculate_draft",
    "check_step_size",
    "current_steps",
    "draft_inputs",
    "formulation_for",
    "get_plan",
    "hold_plan",
    "plan_info",
    "plans_for",
    "remove_step",
    "resume_plan",
    "revise_plan",
    "revision_inputs",
    "save_draft",
    "select_plan",
    "start_plan",
    "step_back_plan",
    "step_doses",
    "taper_calendar",
    "update_step",
]


_RUNNING = frozenset({"active", "held"})
_FINAL = FINAL
_EDITABLE = frozenset({"draft", "agreed"})
_LIVE_STEP = LIVE_STEP
_STARTED_STEP = STARTED_STEP
_EPS = 1e-9
_mg = mg_text


@dataclass(frozen=True, slots=True)
class PlanChange:
    """The plan after an action, warnings worth reading, and what happened to the prescription."""

    plan: PlanView
    warnings: tuple[str, ...] = ()
    prescription: str | None = None


# --------------------------------------------------------------------------- loading


def _steps(session: Session, plan_id: int) -> list[TaperStep]:
    return list(
        session.exec(
            select(TaperStep).where(TaperStep.plan_id == plan_id).order_by(col(TaperStep.order))
        ).all()
    )


def _plan_row(session: Session, plan_id: int) -> TaperPlan:
    plan = session.get(TaperPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"no taper plan with id {plan_id}")
    return plan


def _view(session: Session, plan: TaperPlan) -> PlanView:
    """The plan as stored after this session's changes (flushed first by ``raw``): one query path."""
    assert plan.id is not None
    return plan_views(session, plan_ids=[plan.id])[0]


def get_plan(*, session: Reads, plan_id: int) -> PlanView:
    """One plan with its steps and history."""
    found = plan_views(session, plan_ids=[plan_id])
    if not found:
        raise NotFoundError(f"no taper plan with id {plan_id}")
    return found[0]


def select_plan(*, session: Session, medication_id: int, action: str) -> int:
    """The plan of a medication that ``action`` applies to, or TrackerError saying why there is none.

    agree: the newest draft; start: the newest agreed plan (a draft alone is
    refused with R7's reason); advance, hold, resume, back: the running plan;
    abandon: the newest plan that is not completed or abandoned.
    """
    plans = session.exec(
        select(TaperPlan)
        .where(TaperPlan.medication_id == medication_id)
        .where(col(TaperPlan.status).not_in(list(_FINAL)))
        .order_by(col(TaperPlan.created_at).desc(), col(TaperPlan.id).desc())
    ).all()
    med = meds.get_medication(session=session, medication_id=medication_id)
    by_status: dict[str, TaperPlan] = {}
    for p in plans:
        by_status.setdefault(p.status, p)
    wanted: dict[str, tuple[str, ...]] = {
        "agree": ("draft",),
        "edit": ("draft", "agreed"),
        "start": ("agreed",),
        "advance": ("active", "held"),
        "hold": ("active", "held"),
        "resume": ("held", "active"),
        "back": ("active", "held"),
        "abandon": ("draft", "agreed", "active", "held"),
    }
    if action not in wanted:
        raise TrackerError(f"unknown plan action {action!r}")
    if action == "abandon" and plans:
        return plans[0].id or 0
    for status in wanted[action]:
        if status in by_status:
            return by_status[status].id or 0
    if action == "start" and "draft" in by_status:
        blocked = plan_start_blocked(plan_info(session, by_status["draft"]))
        raise dt.TaperError(blocked.message if blocked else "This plan cannot start yet.")
    if action == "start" and _RUNNING & by_status.keys():
        raise dt.TaperError(f"The taper plan for {med.name} has already started.")
    if action == "agree" and "agreed" in by_status:
        raise dt.TaperError(f"The plan for {med.name} is already agreed; start it when you are ready.")
    if action in ("agree", "edit", "start"):
        raise NotFoundError(
            f"no draft taper plan for {med.name}; make one with `tracker taper draft {med.name} --method ...`"
        )
    raise NotFoundError(f"no taper plan for {med.name} has started")


# --------------------------------------------------------------------------- plans as the domain sees them


def _to_domain(rows: Sequence[TaperStep]) -> list[dt.PlanStep]:
    return [
        dt.PlanStep(
            order=r.order,
            dose_mg=r.dose_mg,
            planned_start=r.planned_start,
            min_days=r.min_days,
            status=dt.StepStatus(r.status),
            actual_start=r.actual_start,
            note=r.note,
            how_to_take=r.how_to_take,
            needs_liquid=r.needs_liquid,
            target_mg=r.target_mg,
            occupancy_pct=r.occupancy_pct,
            fit=r.fit,
            flags=flags_from_json(r.flags),
            needs_form=bool(r.needs_form),
        )
        for r in rows
    ]


def flags_to_json(flags: Sequence[dt.Flag]) -> str | None:
    return json.dumps([f.as_json() for f in flags], ensure_ascii=False) if flags else None


# --------------------------------------------------------------------------- writing


def _event(
    session: Session,
    plan: TaperPlan,
    action: str,
    now: datetime,
    *,
    from_status: str | None,
    to_status: str | None,
    reason: str | None,
) -> None:
    session.add(
        PlanEvent(
            plan_id=plan.id or 0,
            at=as_utc(now),
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
        )
    )


def _step_label(step: dt.PlanStep | TaperStep | None) -> str | None:
    if step is None:
        return None
    return f"step {step.order}: {_mg(step.dose_mg)} mg a day"


def _write_steps(
    session: Session, plan: TaperPlan, rows: list[TaperStep | None], steps: Sequence[dt.PlanStep]
) -> None:
    """Store ``steps``; ``rows[i]`` is the existing row step ``i`` updates (None inserts a new one).

    Positions are unique per plan, so renumbering goes through temporary
    negative positions first: SQLite checks uniqueness row by row.
    """
    existing = [r for r in rows if r is not None]
    renumbered = any(r is not None and r.order != s.order for r, s in zip(rows, steps, strict=True))
    if renumbered:
        for r in existing:
            r.order = -r.order - 1_000_000
            session.add(r)
        session.flush()
    for row, step in zip(rows, steps, strict=True):
        target = (
            row
            if row is not None
            else TaperStep(
                plan_id=plan.id or 0, order=step.order, dose_mg=0, planned_start=step.planned_start
            )
        )
        target.order = step.order
        target.dose_mg = step.dose_mg
        target.planned_start = step.planned_start
        target.min_days = step.min_days
        target.status = str(step.status)
        target.actual_start = step.actual_start
        target.note = step.note
        target.how_to_take = step.how_to_take
        target.needs_liquid = step.needs_liquid
        target.target_mg = step.target_mg
        target.occupancy_pct = step.occupancy_pct
        target.fit = step.fit
        target.flags = flags_to_json(step.flags)
        target.needs_form = step.needs_form
        session.add(target)
    session.flush()


def _live(rows: Sequence[TaperStep]) -> TaperStep | None:
    return next((r for r in rows if r.status in _LIVE_STEP), None)


def _follow_step(
    session: Session, plan: TaperPlan, step: TaperStep, today: date, *, settle: bool = False
) -> str | None:
    """Make the prescription from ``today`` match the step's daily dose; say what changed (or None).

    The times of day stay those of the prescription in force (or the latest
    one); the daily dose is divided evenly over them. A 0 mg step ends the
    prescription the day before, so no dose is expected from today.

    A micro-step (D8) starts at its table's first row; while that prescription is in force
    the table sets each day's dose (``tracker.domain.schedule``). ``settle`` leaves a
    micro-step: the prescription from ``today`` is the dose of ``today``'s row (a hold, an
    abandon) or the step's dose (the plan completed), no longer linked to the table.
    """
    daily_micro, linked, stopped = prescription_dose(step, today, settle=settle)
    if stopped is not None:
        step.micro = stopped  # the table's days end today (stored with this write)
        session.add(step)
    med = meds.get_medication(session=session, medication_id=plan.medication_id)
    current = meds.prescription_on(session=session, medication_id=plan.medication_id, day=today)
    history = meds.prescriptions_for(session=session, medication_id=plan.medication_id)
    pattern = current or (history[-1] if history else None)
    times = meds.prescription_times(pattern) if pattern else [time(8, 0)]
    daily = step.dose_mg if daily_micro is None else daily_micro
    if (
        current is not None
        and math.isclose(current.dose_mg * len(times), daily, abs_tol=1e-6)
        # a micro-step's table follows the prescription linked to it: the link must be right too
        and (not step.micro or (current.taper_step_id == step.id) == linked)
    ):
        return None
    if daily <= _EPS:
        if current is None:
            return None
        if current.start_date >= today:
            session.delete(current)
        else:
            current.end_date = today - timedelta(days=1)
            session.add(current)
        session.flush()
        last = today - timedelta(days=1)
        return f"{med.name}: the prescription ends on {last.isoformat()}, as the plan says"
    who = plan.prescriber or "your prescriber"
    meds.set_prescription(
        session=session,
        medication_id=plan.medication_id,
        dose_mg=daily / len(times),
        times=times,
        start_date=today,
        prescriber=plan.prescriber,
        note=f"Step {step.order} of the taper plan agreed with {who}",
        taper_step_id=step.id if linked else None,
        confirmed=True,  # the step's dose is the one the prescriber agreed
    )
    per = ", ".join(t.strftime("%H:%M") for t in times)
    return (
        f"{med.name}: prescription from {today.isoformat()} is {_mg(daily)} mg a day "
        f"({_mg(daily / len(times))} mg at {per}), as the plan says"
    )


def _transition(
    session: Session,
    plan: TaperPlan,
    action: dt.PlanAction,
    now: datetime,
    *,
    reason: str | None,
    **kwargs: Any,
) -> None:
    before = plan.status
    plan.status = str(dt.transition(plan.status, action, **kwargs))
    session.add(plan)
    _event(session, plan, str(action), now, from_status=before, to_status=plan.status, reason=reason)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise dt.TaperError("Add a short reason; it is kept in the plan's history.")
    if len(text) > 500:
        raise dt.TaperError("The reason is longer than 500 characters; keep it short.")
    return text


def save_draft(
    *, session: Session, medication_id: int, draft: dt.Draft, now: datetime, notes: str | None = None
) -> PlanView:
    """Store a calculated draft as a plan in status draft (earlier drafts of the medication are set aside).

    Only an earlier *draft* is abandoned (with the reason recorded); agreed and
    running plans stay as they are until the new plan is agreed and started.
    """
    med = meds.get_medication(session=session, medication_id=medication_id)
    if not draft.steps:
        raise dt.TaperError("The draft has no steps.")
    older = session.exec(
        select(TaperPlan).where(TaperPlan.medication_id == medication_id).where(TaperPlan.status == "draft")
    ).all()
    plan = TaperPlan(
        medication_id=med.id or 0,
        status="draft",
        method=str(draft.method),
        notes=(notes or "").strip() or None,
        created_at=as_utc(now),
    )
    session.add(plan)
    session.flush()
    for old in older:
        _transition(
            session, old, dt.PlanAction.ABANDON, now, reason=f"Replaced by a newer draft (plan {plan.id})"
        )
    steps = dt.steps_from_draft(draft)
    _write_steps(session, plan, [None] * len(steps), steps)
    _event(
        session,
        plan,
        "draft",
        now,
        from_status=None,
        to_status="draft",
        reason=f"Calculated ({draft.method}). {DRAFT_NOTICE}",
    )
    session.flush()
    return _view(session, plan)


def agree_plan(
    *, session: Session, plan_id: int, prescriber: str, agreed_on: date, now: datetime, tz: ZoneInfo
) -> PlanView:
    """Record who agreed the draft and when; the plan becomes agreed (it can then start)."""
    plan = _plan_row(session, plan_id)
    name = (prescriber or "").strip()
    if len(name) > 120:
        raise dt.TaperError("The prescriber's name is longer than 120 characters.")
    _transition(
        session,
        plan,
        dt.PlanAction.AGREE,
        now,
        reason=f"Agreed with {name} on {agreed_on.isoformat()}" if name else None,
        today=local_day(now, tz),
        prescriber=name,
        agreed_on=agreed_on,
    )
    plan.prescriber = name
    plan.agreed_on = agreed_on
    session.add(plan)
    session.flush()
    return _view(session, plan)


def start_plan(
    *, session: Session, plan_id: int, now: datetime, tz: ZoneInfo, reason: str | None = None
) -> PlanChange:
    """Start an agreed plan today: its first step becomes current and the prescription follows it.

    Refused (nothing written) without a recorded agreement, with R7's reason.
    A running plan of the same medication is set aside (abandoned, reason recorded).
    """
    plan = _plan_row(session, plan_id)
    blocked = plan_start_blocked(plan_info(session, plan))
    if blocked is not None:
        raise dt.TaperError(blocked.message)
    today = local_day(now, tz)
    _transition(session, plan, dt.PlanAction.START, now, reason=(reason or "").strip() or "Started as agreed")
    rows = _steps(session, plan.id or 0)
    change = dt.begin(_to_domain(rows), today=today)
    others = session.exec(
        select(TaperPlan)
        .where(TaperPlan.medication_id == plan.medication_id)
        .where(col(TaperPlan.id) != plan.id)
        .where(col(TaperPlan.status).in_(list(_RUNNING)))
    ).all()
    for other in others:
        _transition(
            session,
            other,
            dt.PlanAction.ABANDON,
            now,
            reason=f"Replaced by plan {plan.id}, agreed with "
            f"{plan.prescriber} on {plan.agreed_on.isoformat() if plan.agreed_on else '?'}",
        )
    _write_steps(session, plan, list(rows), change.steps)
    live = _live(rows)
    assert live is not None
    rx = _follow_step(session, plan, live, today)
    session.flush()
    return PlanChange(_view(session, plan), change.warnings, rx)


def _running(session: Session, plan_id: int) -> TaperPlan:
    plan = _plan_row(session, plan_id)
    if plan.status in _FINAL:
        raise dt.TaperError(f"This plan is {plan.status} and can no longer change.")
    if plan.status not in _RUNNING:
        blocked = plan_start_blocked(plan_info(session, plan))
        raise dt.TaperError(blocked.message if blocked else "This plan has not started yet; start it first.")
    return plan


def _resume_if_held(session: Session, plan: TaperPlan, now: datetime, reason: str) -> None:
    if plan.status == "held":
        _transition(session, plan, dt.PlanAction.RESUME, now, reason=reason)


def advance_plan(*, session: Session, plan_id: int, reason: str, now: datetime, tz: ZoneInfo) -> PlanChange:
    """Move to the next step today (ending a hold); after the last step the plan is completed."""
    text = _reason(reason)
    plan = _running(session, plan_id)
    today = local_day(now, tz)
    rows = _steps(session, plan.id or 0)
    before = _live(rows)
    change = dt.advance(_to_domain(rows), today=today, reason=text)
    _resume_if_held(session, plan, now, text)
    _write_steps(session, plan, list(rows), change.steps)
    after = _live(rows)
    _event(
        session,
        plan,
        "advance",
        now,
        from_status=_step_label(before),
        to_status=_step_label(after) or "done",
        reason=text,
    )
    rx = None
    if after is not None:
        rx = _follow_step(session, plan, after, today)
    elif before is not None and before.micro:
        rx = _follow_step(session, plan, before, today, settle=True)  # D8: the table's end dose holds
    if change.finished:
        _transition(session, plan, dt.PlanAction.COMPLETE, now, reason="Last step done")
    session.flush()
    return PlanChange(_view(session, plan), change.warnings, rx)


def hold_plan(*, session: Session, plan_id: int, reason: str, now: datetime, tz: ZoneInfo) -> PlanChange:
    """Stay longer at the current step: the plan and its current step are held. The dose is unchanged."""
    text = _reason(reason)
    plan = _running(session, plan_id)
    rows = _steps(session, plan.id or 0)
    change = dt.hold(_to_domain(rows), today=local_day(now, tz), reason=text)
    _transition(session, plan, dt.PlanAction.HOLD, now, reason=text)
    live = _live(rows)
    _write_steps(session, plan, list(rows), change.steps)
    rx = None
    if live is not None and live.micro:  # D8: hold at the dose of today's row, not the table's end
        rx = _follow_step(session, plan, live, local_day(now, tz), settle=True)
    session.flush()
    return PlanChange(_view(session, plan), change.warnings, rx)


def resume_plan(*, session: Session, plan_id: int, reason: str, now: datetime) -> PlanChange:
    """End a hold: the plan is active again and its held step current (advancing stays a separate action)."""
    text = _reason(reason)
    plan = _running(session, plan_id)
    rows = _steps(session, plan.id or 0)
    change = dt.resume(_to_domain(rows))
    _transition(session, plan, dt.PlanAction.RESUME, now, reason=text)
    _write_steps(session, plan, list(rows), change.steps)
    session.flush()
    return PlanChange(_view(session, plan), change.warnings, None)


def step_back_plan(*, session: Session, plan_id: int, reason: str, now: datetime, tz: ZoneInfo) -> PlanChange:
    """Return to the previous step's dose today; the prescription follows and a retry is planned.

    The domain inserts two rows after the stepped-back one (the previous dose,
    current from today, and a planned retry); every later row moves down two.
    """
    text = _reason(reason)
    plan = _running(session, plan_id)
    today = local_day(now, tz)
    rows = _steps(session, plan.id or 0)
    before = _live(rows)
    change = dt.step_back(_to_domain(rows), today=today, reason=text)
    index = next(i for i, r in enumerate(rows) if r.status in _LIVE_STEP)
    aligned: list[TaperStep | None] = [*rows[: index + 1], None, None, *rows[index + 1 :]]
    if len(aligned) != len(change.steps):  # the domain changed how it steps back
        raise TrackerError("stepping back gave an unexpected number of steps; nothing was changed")
    _resume_if_held(session, plan, now, text)
    _write_steps(session, plan, aligned, change.steps)
    rows = _steps(session, plan.id or 0)
    after = _live(rows)
    _event(
        session,
        plan,
        "step_back",
        now,
        from_status=_step_label(before),
        to_status=_step_label(after),
        reason=text,
    )
    rx = _follow_step(session, plan, after, today) if after is not None else None
    session.flush()
    return PlanChange(_view(session, plan), change.warnings, rx)


@dataclass(frozen=True, slots=True)
class RevisionInputs:
    """D6: what a revised draft after a step back is made from, read once from a running plan.

    The one description of a revision that ``tracker taper back`` and the Taper screen share:
    ``draft()`` calculates it (pure, so the screen can show it before anything is saved) and
    ``revise_plan`` saves exactly that draft. ``replace(inputs, step_size=...)`` asks for a
    chosen step (occupancy points where the drug has parameters, otherwise % of the latest dose).
    """

    plan_id: int
    medication_id: int
    medication_name: str
    prescriber: str | None
    revision: int  # the number the revised draft will carry
    doses: tuple[float, ...]  # the dose returned to, then the remaining planned doses
    start_date: date
    interval_weeks: int
    min_days: int
    formulation: dt.Formulation | None
    step_size: float | None = None  # None: every remaining step half as large

    def draft(self) -> dt.Draft:
        """The revised draft; TaperError (shown as it is) for a step size out of range."""
        check_step_size(self.step_size)
        return dt.revise_after_step_back(
            self.doses,
            start_date=self.start_date,
            interval_weeks=self.interval_weeks,
            formulation=self.formulation,
            drug=self.medication_name,
            step_size=self.step_size,
            min_days=self.min_days,
        )


def check_step_size(step_size: float | None) -> float | None:
    """A revision's chosen step: from 1 to 50 (occupancy points, or % where there are none)."""
    if step_size is not None and not (math.isfinite(step_size) and 1 <= step_size <= 50):
        raise dt.TaperError(
            "The step size must be from 1 to 50 (occupancy points, or % where there are none)."
        )
    return step_size


def revision_inputs(
    *, session: Session, plan_id: int, now: datetime, tz: ZoneInfo, step_size: float | None = None
) -> RevisionInputs:
    """D6: the inputs of a revised draft of the rest of the running plan ``plan_id``.

    It starts at the dose of the step under way (after a step back, the dose returned to) on
    today or that step's start, whichever is later, and keeps the plan's spacing (its shortest
    gap, in whole weeks) and the step's minimum days. Refused when nothing is under way or no
    planned step remains.
    """
    plan = _running(session, plan_id)
    rows = _steps(session, plan.id or 0)
    live = _live(rows)
    if live is None:
        raise dt.TaperError("No step of this plan is under way, so there is nothing to revise.")
    planned = [r for r in rows if r.status == "planned" and r.order > live.order]
    if not planned:
        raise dt.TaperError("This plan has no remaining steps to revise.")
    check_step_size(step_size)
    dates = [live.actual_start or live.planned_start, *(r.planned_start for r in planned)]
    gaps = [(b - a).days for a, b in itertools.pairwise(dates) if (b - a).days > 0]
    weeks = max(1, min(52, round(min(gaps) / 7))) if gaps else 4
    med = meds.get_medication(session=session, medication_id=plan.medication_id)
    today = local_day(now, tz)
    return RevisionInputs(
        plan_id=plan.id or 0,
        medication_id=plan.medication_id,
        medication_name=med.name,
        prescriber=plan.prescriber,
        revision=(plan.revision or 1) + 1,
        doses=(live.dose_mg, *(r.dose_mg for r in planned)),
        start_date=max(today, live.actual_start or today),
        interval_weeks=weeks,
        min_days=max(dt.MIN_DAYS_FLOOR, live.min_days),
        formulation=formulation_for(med),
        step_size=step_size,
    )


def revise_plan(
    *, session: Session, plan_id: int, now: datetime, tz: ZoneInfo, step_size: float | None = None
) -> PlanView:
    """D6: after a step back, save a revised draft of the rest of the running plan, in smaller steps.

    The revision is a new plan in status draft (``revision_of`` names the running plan,
    ``revision`` counts up), calculated by ``revision_inputs(...).draft()``: it starts at the
    dose returned to and halves every remaining drop (or uses ``step_size``). The running plan
    goes on unchanged until the revision is agreed and started, which sets the old one aside
    (``start_plan``); the history keeps both.
    """
    inputs = revision_inputs(session=session, plan_id=plan_id, now=now, tz=tz, step_size=step_size)
    plan = _plan_row(session, plan_id)
    revised = save_draft(
        session=session,
        medication_id=plan.medication_id,
        draft=inputs.draft(),
        now=now,
        notes=f"Revision of plan {plan.id} after a step back, in smaller steps; to agree with the prescriber",
    )
    row = _plan_row(session, revised.id)
    row.revision_of = plan.id
    row.revision = inputs.revision
    session.add(row)
    _event(
        session,
        plan,
        "revision",
        now,
        from_status=None,
        to_status=f"draft plan {revised.id}",
        reason=f"Revised draft (revision {row.revision}) after a step back; needs agreement before it runs",
    )
    session.flush()
    return _view(session, row)


def abandon_plan(
    *, session: Session, plan_id: int, reason: str, now: datetime, tz: ZoneInfo | None = None
) -> PlanView:
    """Set a plan aside for good (any status but a final one). The prescription is left as it is."""
    text = _reason(reason)
    plan = _plan_row(session, plan_id)
    live = _live(_steps(session, plan.id or 0)) if plan.status in _RUNNING else None
    _transition(session, plan, dt.PlanAction.ABANDON, now, reason=text)
    if live is not None and live.micro:  # D8: the table stops; the dose of the day stays
        from tracker.services.settings import user_zone

        _follow_step(session, plan, live, local_day(now, tz or user_zone(session=session)), settle=True)
    session.flush()
    return _view(session, plan)


# --------------------------------------------------------------------------- editing a draft


def _editable(session: Session, plan_id: int) -> TaperPlan:
    plan = _plan_row(session, plan_id)
    if plan.status not in _EDITABLE:
        if plan.status in _FINAL:
            raise dt.TaperError(f"This plan is {plan.status}; its steps can no longer be edited.")
        raise dt.TaperError(
            "This plan is under way: its steps change through advance, hold or step back. To change the "
            "remaining steps, talk to your prescriber and make a new draft."
        )
    return plan


def _check_dates(steps: Sequence[dt.PlanStep]) -> None:
    if len(steps) < 2:
        raise dt.TaperError("A plan needs at least two steps: the starting dose and one step.")
    for a, b in itertools.pairwise(steps):
        if b.planned_start <= a.planned_start:
            raise dt.TaperError(
                f"Step {b.order} ({b.planned_start.isoformat()}) must be planned after step {a.order} "
                f"({a.planned_start.isoformat()})."
            )


def _after_edit(session: Session, plan: TaperPlan, now: datetime, what: str) -> None:
    """An edit of an agreed plan makes it a draft again: what was agreed is no longer what is planned."""
    before = plan.status
    plan.status = str(dt.status_after_edit(plan.status))
    reason = what
    if before != plan.status:
        reason += "; the agreement must be recorded again"
        plan.agreed_on = None
    session.add(plan)
    _event(session, plan, "edit", now, from_status=before, to_status=plan.status, reason=reason)


def _restate(session: Session, plan: TaperPlan, steps: Sequence[dt.PlanStep]) -> tuple[dt.PlanStep, ...]:
    """D5 flags, occupancy and the D2 marker of edited steps, worked out again (the doses are kept)."""
    med = meds.get_medication(session=session, medication_id=plan.medication_id)
    return dt.restate(steps, drug=med.name, formulation=formulation_for(med))


def _how_to_take(session: Session, medication_id: int, dose_mg: float) -> tuple[str, bool]:
    med = meds.get_medication(session=session, medication_id=medication_id)
    rounded = dt.round_dose(dose_mg, formulation_for(med))
    if math.isclose(rounded.dose_mg, dose_mg, rel_tol=0.005, abs_tol=1e-6):
        return rounded.how_to_take, rounded.needs_liquid
    return f"{_mg(dose_mg)} mg (ask your pharmacist how to make this up)", False


def update_step(
    *,
    session: Session,
    plan_id: int,
    order: int,
    now: datetime,
    dose_mg: float | None = None,
    planned_start: date | None = None,
    min_days: int | None = None,
    how_to_take: str | None = None,
) -> PlanView:
    """Change one step of a draft or agreed plan (an agreed plan becomes a draft again)."""
    plan = _editable(session, plan_id)
    rows = _steps(session, plan.id or 0)
    steps = _to_domain(rows)
    index = next((i for i, s in enumerate(steps) if s.order == order), None)
    if index is None:
        raise NotFoundError(f"this plan has no step {order}")
    old = steps[index]
    how, liquid = old.how_to_take, old.needs_liquid
    if dose_mg is not None and not math.isclose(dose_mg, old.dose_mg, abs_tol=1e-9):
        how, liquid = _how_to_take(session, plan.medication_id, dose_mg)
    if how_to_take is not None and how_to_take.strip():
        how = how_to_take.strip()
    new = dt.PlanStep(
        order=old.order,
        dose_mg=old.dose_mg if dose_mg is None else dose_mg,
        planned_start=planned_start or old.planned_start,
        min_days=old.min_days if min_days is None else min_days,
        how_to_take=how,
        needs_liquid=liquid,
    )
    steps[index] = new
    _check_dates(steps)
    steps = list(_restate(session, plan, steps))
    _write_steps(session, plan, list(rows), steps)
    _after_edit(session, plan, now, f"Step {order} changed")
    session.flush()
    return _view(session, plan)


def add_step(
    *,
    session: Session,
    plan_id: int,
    dose_mg: float,
    planned_start: date,
    now: datetime,
    min_days: int = dt.MIN_DAYS_DEFAULT,
    how_to_take: str | None = None,
) -> PlanView:
    """Add a step to a draft or agreed plan; it takes its place by date."""
    plan = _editable(session, plan_id)
    rows = _steps(session, plan.id or 0)
    how, liquid = _how_to_take(session, plan.medication_id, dose_mg)
    new = dt.PlanStep(
        order=0,
        dose_mg=dose_mg,
        planned_start=planned_start,
        min_days=min_days,
        how_to_take=(how_to_take or "").strip() or how,
        needs_liquid=liquid,
    )
    pairs: list[tuple[TaperStep | None, dt.PlanStep]] = [
        *zip(rows, _to_domain(rows), strict=True),
        (None, new),
    ]
    pairs.sort(key=lambda p: p[1].planned_start)
    steps = [replace(s, order=n) for n, (_, s) in enumerate(pairs, start=1)]
    _check_dates(steps)
    steps = list(_restate(session, plan, steps))
    _write_steps(session, plan, [r for r, _ in pairs], steps)
    _after_edit(session, plan, now, f"Step added: {_mg(dose_mg)} mg a day from {planned_start.isoformat()}")
    session.flush()
    return _view(session, plan)


def remove_step(*, session: Session, plan_id: int, order: int, now: datetime) -> PlanView:
    """Remove a step from a draft or agreed plan; the others are renumbered."""
    plan = _editable(session, plan_id)
    rows = _steps(session, plan.id or 0)
    gone = next((r for r in rows if r.order == order), None)
    if gone is None:
        raise NotFoundError(f"this plan has no step {order}")
    kept = [r for r in rows if r is not gone]
    steps = [replace(s, order=n) for n, s in enumerate(_to_domain(kept), start=1)]
    _check_dates(steps)
    steps = list(_restate(session, plan, steps))
    session.delete(gone)
    session.flush()
    _write_steps(session, plan, list(kept), steps)
    _after_edit(session, plan, now, f"Step {order} removed ({_mg(gone.dose_mg)} mg a day)")
    session.flush()
    return _view(session, plan)


# --------------------------------------------------------------------------- draft calculation


def calculate_draft(
    inputs: DraftInputs,
    *,
    method: str,
    start_date: date,
    start_mg: float | None = None,
    percent: float = 10.0,
    interval_weeks: int = 4,
    final_mg: float | None = None,
    points: float = 10.0,
    step_mg: float | None = None,
    cuts: int | None = None,
    doses: Sequence[float] | None = None,
    min_days: int | None = None,
) -> dt.Draft:
    """A draft schedule (pure: no database). Always a draft to discuss with the prescriber.

    The starting dose is ``start_mg`` or the daily dose prescribed today; a
    manual draft's first dose is its starting dose. The proportional final dose
    defaults to the smallest dose the formulation gives.
    """
    try:
        kind = dt.DraftMethod(method)
        if kind in (dt.DraftMethod.DAILY, dt.DraftMethod.WEEKLY):
            raise ValueError(method)  # micro-steps: tracker.services.taper_micro
    except ValueError as exc:
        raise dt.TaperError(
            f"Unknown method {method!r}: use proportional, occupancy, linear or manual."
        ) from exc
    f = inputs.formulation
    if kind is dt.DraftMethod.MANUAL:
        if not doses:
            raise dt.TaperError("A manual draft needs its daily doses, for example 20,15,10,5,0.")
        return dt.draft_manual(
            doses,
            start_date=start_date,
            interval_weeks=interval_weeks,
            formulation=f,
            min_days=min_days,
            drug=inputs.medication_name,
        )
    start = start_mg if start_mg is not None else inputs.start_mg
    if start is None:
        raise dt.TaperError(
            f"{inputs.medication_name} has no prescription today, so the starting dose is unknown; "
            "give the starting dose."
        )
    if kind is dt.DraftMethod.PROPORTIONAL:
        return dt.draft_proportional(
            start,
            final_mg,
            start_date=start_date,
            percent=percent,
            interval_weeks=interval_weeks,
            formulation=f,
            min_days=min_days,
            drug=inputs.medication_name,
        )
    if kind is dt.DraftMethod.OCCUPANCY:
        return dt.draft_occupancy(
            inputs.medication_name,
            start,
            start_date=start_date,
            points=points,
            interval_weeks=interval_weeks,
            formulation=f,
            floor_mg=final_mg,
            min_days=min_days,
        )
    if step_mg is None and cuts is None:
        raise dt.TaperError("A linear draft needs the size of each cut in mg (or the number of cuts).")
    return dt.draft_linear(
        start,
        start_date=start_date,
        step_mg=step_mg,
        steps=cuts,
        interval_weeks=interval_weeks,
        formulation=f,
        min_days=min_days,
        drug=inputs.medication_name,
    )


# --------------------------------------------------------------------------- calendar


def _uid(kind: str, ident: object) -> str:
    return f"{kind}-{ident}@taper-tracker"


def taper_calendar(*, session: Session, now: datetime, tz: ZoneInfo, check_in_days: int = 3) -> bytes:
    """An RFC 5545 calendar: planned steps of agreed and running plans, a check-in before each, appointments.

    Steps and check-ins are all-day events on local dates; appointments are
    timed in UTC. The file carries no alarms (calendar apps handle those
    differently); drafts are left out because nothing is agreed yet.
    """
    from icalendar import Calendar, Event

    stamp = as_utc(now)
    cal = Calendar()
    cal.add("prodid", "-//taper-tracker//taper plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Taper plan")
    # the disclaimer every export carries (DOMAIN.md), as the calendar's description (RFC 7986)
    from tracker.domain.disclaimer import EXPORT_DISCLAIMER

    cal.add("description", EXPORT_DISCLAIMER)
    cal.add("x-wr-caldesc", EXPORT_DISCLAIMER)
    plans = session.exec(
        select(TaperPlan).where(col(TaperPlan.status).in_(["agreed", "active", "held"]))
    ).all()
    today = local_day(now, tz)
    for plan in plans:
        med = session.get(Medication, plan.medication_id)
        name = med.name if med else "your medication"
        who = plan.prescriber or "your prescriber"
        rows = _steps(session, plan.id or 0)
        previous: TaperStep | None = None
        for row in rows:
            if row.status != "planned":
                previous = row if row.status in _STARTED_STEP else previous
                continue
            # The agreed minimum at the dose before: no reduction, and no check-in for it, before then.
            earliest: date | None = None
            if previous is not None:
                began = previous.actual_start or previous.planned_start
                earliest = began + timedelta(days=previous.min_days)
            start = max(row.planned_start, earliest) if earliest else row.planned_start
            change = (f"{_mg(previous.dose_mg)} mg to " if previous else "") + f"{_mg(row.dose_mg)} mg a day"
            details = []
            table = table_for_step(row)
            if table is not None:  # D8: one event at the table's start, naming its range
                table = table.starting(start)
                first_row, unit = table.rows[0], "days" if table.cadence == "daily" else "weeks"
                change = describe(table)
                details.append(
                    f"Day 1: {_mg(first_row.dose_mg)} mg ({first_row.amount}); then a little less most "
                    f"{unit}, down to {_mg(table.rows[-1].dose_mg)} mg a day. What to take each day is in "
                    "the day-by-day table: the Taper screen (p) or "
                    "`tracker taper show --table`."
                )
            if row.occupancy_pct is not None:
                details.append(
                    f"Estimated SERT occupancy {row.occupancy_pct:g}% ({row.fit or 'approximate fit'})."
                )
            if row.needs_form:
                details.append("This dose needs a liquid or compounded form.")
            details += [
                f"To discuss: {f.message}" for f in flags_from_json(row.flags) if f.kind != "needs_form"
            ]
            if start != row.planned_start:
                details.append(
                    f"Planned for {row.planned_start.isoformat()}, shown on the first day after the agreed "
                    f"minimum of {previous.min_days if previous else 0} days at the dose before."
                )
            event = Event()
            event.add("uid", _uid("step", row.id))
            event.add("dtstamp", stamp)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(days=1))
            event.add(
                "summary",
                f"Planned taper step: {name} {change}"
                if table is None
                else f"Micro-steps start: {name}, {change}",
            )
            event.add(
                "description",
                f"Step {row.order} of the plan agreed with {who}"
                + (f" on {plan.agreed_on.isoformat()}" if plan.agreed_on else "")
                + f". How to take it: {row.how_to_take or _mg(row.dose_mg) + ' mg'}. "
                f"Check with {who} that it still suits you before you reduce."
                + "".join(" " + d for d in details),
            )
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
            check = start - timedelta(days=check_in_days)
            if earliest is not None:
                check = max(check, earliest)
            if check >= today:
                reminder = Event()
                reminder.add("uid", _uid("check-in", row.id))
                reminder.add("dtstamp", stamp)
                reminder.add("dtstart", check)
                reminder.add("dtend", check + timedelta(days=1))
                reminder.add("summary", f"Check in with your prescriber ({who}) before the {name} step")
                reminder.add(
                    "description",
                    f"The next step of your plan ({change}) is planned for {start.isoformat()}. "
                    "Check with your prescriber that it still suits you, and tell them how you have been.",
                )
                reminder.add("transp", "TRANSPARENT")
                cal.add_component(reminder)
            previous = row
    for appt in session.exec(select(Appointment).order_by(col(Appointment.at))).all():
        event = Event()
        event.add("uid", _uid("appointment", appt.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", as_utc(appt.at))
        event.add("dtend", as_utc(appt.at) + timedelta(minutes=30))
        event.add(
            "summary", f"Appointment ({appt.kind})" + (f" with {appt.clinician}" if appt.clinician else "")
        )
        if appt.notes:
            event.add("description", appt.notes)
        cal.add_component(event)
    return bytes(cal.to_ical())


def step_doses(steps: Iterable[StepView | dt.DraftStep]) -> list[float]:
    """The daily doses of steps in order, for a small chart."""
    return [s.dose_mg for s in steps]
