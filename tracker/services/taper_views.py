"""Taper plans as shown (``PlanView``: a plan, its steps and its history), read with plain SQL.

A light module: ``plans_for`` and ``plan_views`` take ``Reads`` (tracker/store.py), so
``tracker taper show`` and the Taper screen's list read without importing the ORM. The
writes in ``tracker.services.taper`` hand back the same views, read by the same queries
inside their own transaction (a session is flushed first), and re-export what is here.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from tracker.domain import taper as dt
from tracker.domain.errors import NotFoundError
from tracker.domain.strengths import StrengthsError, parse_strengths
from tracker.domain.timeutil import as_utc
from tracker.domain.units import times_from_text
from tracker.queries import meds as med_queries
from tracker.queries import taper as q
from tracker.services.taper_status import LIVE_STEP
from tracker.store import Reads

__all__ = [
    "AGREED_NOTICE",
    "DRAFT_NOTICE",
    "ENDED_NOTICE",
    "FINAL",
    "DraftInputs",
    "EventView",
    "PlanView",
    "StepView",
    "draft_inputs",
    "flags_from_json",
    "formulation_for",
    "plan_views",
    "plans_for",
]

DRAFT_NOTICE = dt.DRAFT_NOTICE
AGREED_NOTICE = "Plan as agreed with your prescriber. Talk to them before any change to it."
ENDED_NOTICE = "This plan is no longer running; it is kept for your history."
FINAL = frozenset({"completed", "abandoned"})


@dataclass(frozen=True, slots=True)
class StepView:
    """One stored step; ``dose_mg`` is the daily dose."""

    id: int
    order: int
    dose_mg: float
    planned_start: date
    min_days: int
    how_to_take: str | None
    needs_liquid: bool
    status: str
    actual_start: date | None
    note: str | None
    flags: tuple[dt.Flag, ...] = ()  # D5 flags and the D2 marker, as the draft said (issue 12)
    occupancy_pct: float | None = None  # estimated SERT occupancy (D7: with ``fit``)
    fit: str | None = None
    target_mg: float | None = None  # the calculated dose before rounding to the forms
    needs_form: bool = False  # D2: the recorded forms cannot give ``dose_mg``
    micro: str | None = None  # D8

    def as_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "dose_mg": self.dose_mg,
            "planned_start": self.planned_start.isoformat(),
            "min_days": self.min_days,
            "how_to_take": self.how_to_take,
            "needs_liquid": self.needs_liquid,
            "status": self.status,
            "actual_start": self.actual_start.isoformat() if self.actual_start else None,
            "note": self.note,
            "target_mg": self.target_mg,
            "needs_form": self.needs_form,
            "occupancy_pct": self.occupancy_pct,
            "fit": self.fit,
            "micro": self._micro_json(),
            "flags": [f.as_json() for f in self.flags],
        }

    def _micro_json(self) -> dict[str, Any] | None:
        """D8: the step's micro-step table with the date of each row (None without one)."""
        from tracker.domain.taper_micro import json_rows, table_for_step

        table = table_for_step(self)
        if table is None:
            return None
        return {
            "cadence": table.cadence,
            "from_mg": table.from_mg,
            "to_mg": table.to_mg,
            "first_day": table.first_day.isoformat() if table.first_day else None,
            "last_day": table.last_day.isoformat() if table.last_day else None,
            "stopped": table.stopped.isoformat() if table.stopped else None,
            "fit": table.fit,
            "rows": json_rows(table),
        }


@dataclass(frozen=True, slots=True)
class EventView:
    """One recorded transition of a plan or one of its steps."""

    at: datetime
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": as_utc(self.at).isoformat(),
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan with its steps (by order) and its history (oldest first)."""

    id: int
    medication_id: int
    medication_name: str
    status: str
    method: str
    prescriber: str | None
    agreed_on: date | None
    notes: str | None
    steps: tuple[StepView, ...]
    events: tuple[EventView, ...]
    revision_of: int | None = None  # D6: the plan this draft revises
    revision: int = 1

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def notice(self) -> str:
        """The line shown with the plan: the draft notice until agreement is recorded."""
        if self.is_draft:
            return DRAFT_NOTICE
        return ENDED_NOTICE if self.status in FINAL else AGREED_NOTICE

    @property
    def live_step(self) -> StepView | None:
        return next((s for s in self.steps if s.status in LIVE_STEP), None)

    @property
    def next_step(self) -> StepView | None:
        return next((s for s in self.steps if s.status == "planned"), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "medication": self.medication_name,
            "status": self.status,
            "is_draft": self.is_draft,
            "notice": self.notice,
            "method": self.method,
            "prescriber": self.prescriber,
            "agreed_on": self.agreed_on.isoformat() if self.agreed_on else None,
            "notes": self.notes,
            "revision_of": self.revision_of,
            "revision": self.revision,
            "steps": [s.as_json() for s in self.steps],
            "events": [e.as_json() for e in self.events],
        }


def flags_from_json(text: str | None) -> tuple[dt.Flag, ...]:
    """A stored step's flags (``taperstep.flags``, JSON); NULL or unreadable text means none."""
    if not text:
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        return ()
    out: list[dt.Flag] = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(dt.Flag(dt.FlagKind(item["kind"]), str(item["message"]), str(item.get("source", ""))))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(out)


def plan_views(
    session: Reads,
    *,
    plan_ids: Collection[int] | None = None,
    medication_id: int | None = None,
    include_final: bool = True,
) -> list[PlanView]:
    """Plans (those in ``plan_ids``, of one medication, or all) with steps and history, newest
    first, in three queries whatever their number."""
    plans = q.plan_details(
        session,
        plan_ids=plan_ids,
        medication_id=medication_id,
        exclude_statuses=() if include_final else sorted(FINAL),
    )
    ids = [p.id for p in plans]
    steps, events = q.step_details(session, ids), q.events_of(session, ids)
    return [
        PlanView(
            id=p.id,
            medication_id=p.medication_id,
            medication_name=p.medication_name or f"medication {p.medication_id}",
            status=p.status,
            method=p.method,
            prescriber=p.prescriber,
            agreed_on=p.agreed_on,
            notes=p.notes,
            steps=tuple(
                StepView(
                    id=s.id,
                    order=s.order,
                    dose_mg=s.dose_mg,
                    planned_start=s.planned_start,
                    min_days=s.min_days,
                    how_to_take=s.how_to_take,
                    needs_liquid=s.needs_liquid,
                    status=s.status,
                    actual_start=s.actual_start,
                    note=s.note,
                    flags=flags_from_json(s.flags),
                    occupancy_pct=s.occupancy_pct,
                    fit=s.fit,
                    target_mg=s.target_mg,
                    needs_form=s.needs_form,
                    micro=s.micro,
                )
                for s in steps[p.id]
            ),
            events=tuple(
                EventView(e.at, e.action, e.from_status, e.to_status, e.reason) for e in events[p.id]
            ),
            revision_of=p.revision_of,
            revision=p.revision,
        )
        for p in plans
    ]


def plans_for(
    *, session: Reads, medication_id: int | None = None, include_final: bool = False
) -> list[PlanView]:
    """Plans (of one medication, or all), newest first; completed and abandoned ones only on request."""
    return plan_views(session, medication_id=medication_id, include_final=include_final)


@dataclass(frozen=True, slots=True)
class DraftInputs:
    """What a draft calculation needs to know about a medication (read once, then calculated purely)."""

    medication_id: int
    medication_name: str
    start_mg: float | None  # the daily dose prescribed today, if any
    formulation: dt.Formulation | None
    has_occupancy: bool


class _Formulated(Protocol):
    """What ``formulation_for`` reads of a medication: an ORM ``Medication`` or a ``MedicationRow``."""

    @property
    def form(self) -> str: ...
    @property
    def tablet_fractions(self) -> str: ...
    @property
    def strength_mg(self) -> float: ...
    @property
    def liquid_mg_per_ml(self) -> float | None: ...
    @property
    def other_strengths(self) -> str | None: ...


def formulation_for(med: _Formulated) -> dt.Formulation | None:
    """What the medication's doses can be made of, as the draft calculators need it."""
    try:
        form = dt.Form(med.form)
        fractions: frozenset[float] = frozenset({1.0})
        if form is dt.Form.TABLET:
            parts = {float(p) for p in (med.tablet_fractions or "1").split(",") if p.strip()}
            fractions = frozenset(p for p in parts if 0.1 <= p <= 1) | {1.0}
        liquid = med.liquid_mg_per_ml if form in (dt.Form.TABLET, dt.Form.CAPSULE) else None
        step = getattr(med, "liquid_step_ml", None) or dt.LIQUID_STEP_ML
        others: tuple[float, ...] = ()
        if form in (dt.Form.TABLET, dt.Form.CAPSULE):
            try:
                others = parse_strengths(getattr(med, "other_strengths", None), main_mg=med.strength_mg)
            except StrengthsError:
                others = ()  # an odd stored value (``tracker check`` names it): the main strength alone
        return dt.Formulation(form, med.strength_mg, fractions, liquid, step, others)
    except (ValueError, dt.TaperError):
        return None  # an odd stored formulation: calculate without rounding rather than fail


def draft_inputs(*, session: Reads, medication_id: int, today: date) -> DraftInputs:
    """Read what a draft calculation needs: the daily dose prescribed today and the formulation."""
    med = next(
        (
            m
            for m in med_queries.list_medications(session=session, include_archived=True)
            if m.id == medication_id
        ),
        None,
    )
    if med is None:
        raise NotFoundError(f"no medication with id {medication_id}")
    rx = med_queries.prescription_on(session=session, medication_id=medication_id, day=today)
    start = rx.dose_mg * len(times_from_text(rx.times)) if rx else None
    if rx is not None:  # D8: during a micro-step table the dose of today is its row
        from tracker.domain.taper_micro import tables_by_prescription
        from tracker.queries.schedule import micro_tables

        table = tables_by_prescription(micro_tables(session=session)).get(rx.id)
        row_mg = table.daily_mg_on(today) if table is not None else None
        start = row_mg if row_mg is not None else start
    return DraftInputs(
        medication_id=med.id,
        medication_name=med.name,
        start_mg=start,
        formulation=formulation_for(med),
        has_occupancy=dt.occupancy_params(med.name) is not None,
    )
