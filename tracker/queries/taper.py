"""Plain-SQL reads of taper plans and their steps: what the reminders and Today's taper line need.

Rows come back as frozen dataclasses named after the ORM attributes they stand
for (``TaperPlan``, ``TaperStep``), so code written against either reads both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tracker.queries._values import as_utc
from tracker.store import Reads, day_from_db, raw

__all__ = [
    "EventRow",
    "PlanDetailRow",
    "PlanRow",
    "StepDetailRow",
    "StepRow",
    "events_of",
    "plan_details",
    "plans_with_status",
    "step_details",
    "steps_of",
]


@dataclass(frozen=True, slots=True)
class PlanRow:
    """The columns of a ``taperplan`` row that status reads use."""

    id: int
    medication_id: int
    status: str
    prescriber: str | None


@dataclass(frozen=True, slots=True)
class StepRow:
    """One ``taperstep`` row; ``dose_mg`` is the daily dose of the step."""

    id: int
    plan_id: int
    order: int
    dose_mg: float
    planned_start: date
    min_days: int
    status: str
    actual_start: date | None
    micro: str | None = None  # D8: the step's micro-step table (JSON), if it has one


def _marks(n: int) -> str:
    return ",".join("?" * n)


def plans_with_status(session: Reads, statuses: Collection[str]) -> list[PlanRow]:
    """Plans whose status is one of ``statuses``, oldest first (by id)."""
    if not statuses:
        return []
    rows = raw(session).execute(
        "SELECT id, medication_id, status, prescriber FROM taperplan "
        f"WHERE status IN ({_marks(len(statuses))}) ORDER BY id",
        tuple(statuses),
    )
    return [PlanRow(*row) for row in rows]


def steps_of(session: Reads, plan_ids: Iterable[int]) -> dict[int, list[StepRow]]:
    """The steps of each plan in ``plan_ids``, by their order (a plan without steps maps to [])."""
    ids = list(dict.fromkeys(plan_ids))
    out: dict[int, list[StepRow]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = raw(session).execute(
        'SELECT id, plan_id, "order", dose_mg, planned_start, min_days, status, actual_start, micro '
        f'FROM taperstep WHERE plan_id IN ({_marks(len(ids))}) ORDER BY plan_id, "order"',
        ids,
    )
    for ident, plan_id, order, dose, planned, min_days, status, actual, micro in rows:
        out[plan_id].append(
            StepRow(
                id=ident,
                plan_id=plan_id,
                order=order,
                dose_mg=float(dose),
                planned_start=date.fromisoformat(planned),
                min_days=min_days,
                status=status,
                actual_start=day_from_db(actual),
                micro=micro,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class PlanDetailRow:
    """Every column of a ``taperplan`` row, with its medication's name (None if it is gone)."""

    id: int
    medication_id: int
    medication_name: str | None
    status: str
    method: str
    prescriber: str | None
    agreed_on: date | None
    notes: str | None
    revision_of: int | None = None  # D6 (issue 12)
    revision: int = 1


@dataclass(frozen=True, slots=True)
class StepDetailRow:
    """Every column of a ``taperstep`` row."""

    id: int
    plan_id: int
    order: int
    dose_mg: float
    planned_start: date
    min_days: int
    how_to_take: str | None
    needs_liquid: bool
    status: str
    actual_start: date | None
    note: str | None
    flags: str | None = None  # JSON (issue 12), read by tracker.services.taper_views.flags_from_json
    occupancy_pct: float | None = None
    fit: str | None = None
    target_mg: float | None = None
    needs_form: bool = False
    micro: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    """One ``planevent`` row (``at`` aware UTC)."""

    plan_id: int
    at: datetime
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None


def plan_details(
    session: Reads,
    *,
    plan_ids: Collection[int] | None = None,
    medication_id: int | None = None,
    exclude_statuses: Collection[str] = (),
) -> list[PlanDetailRow]:
    """Plans (those in ``plan_ids``, of one medication, or all), newest first (created, then id)."""
    where: list[str] = []
    params: list[object] = []
    if plan_ids is not None:
        if not plan_ids:
            return []
        where.append(f"p.id IN ({_marks(len(plan_ids))})")
        params += list(plan_ids)
    if medication_id is not None:
        where.append("p.medication_id = ?")
        params.append(medication_id)
    if exclude_statuses:
        where.append(f"p.status NOT IN ({_marks(len(exclude_statuses))})")
        params += list(exclude_statuses)
    rows = raw(session).execute(
        "SELECT p.id, p.medication_id, m.name, p.status, p.method, p.prescriber, p.agreed_on, p.notes, "
        "p.revision_of, p.revision "
        "FROM taperplan AS p LEFT JOIN medication AS m ON m.id = p.medication_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY p.created_at DESC, p.id DESC",
        params,
    )
    return [
        PlanDetailRow(
            ident, med, name, status, method, prescriber, day_from_db(agreed), notes, rev_of, rev or 1
        )
        for ident, med, name, status, method, prescriber, agreed, notes, rev_of, rev in rows
    ]


def step_details(session: Reads, plan_ids: Iterable[int]) -> dict[int, list[StepDetailRow]]:
    """Every column of the steps of each plan in ``plan_ids``, by their order."""
    ids = list(dict.fromkeys(plan_ids))
    out: dict[int, list[StepDetailRow]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = raw(session).execute(
        'SELECT id, plan_id, "order", dose_mg, planned_start, min_days, how_to_take, needs_liquid, '
        "status, actual_start, note, flags, occupancy_pct, fit, target_mg, needs_form, micro "
        f"FROM taperstep WHERE plan_id IN ({_marks(len(ids))}) "
        'ORDER BY plan_id, "order"',
        ids,
    )
    for (
        ident,
        plan_id,
        order,
        dose,
        planned,
        min_days,
        how,
        liquid,
        status,
        actual,
        note,
        flags,
        occ,
        fit,
        target,
        needs,
        micro,
    ) in rows:
        out[plan_id].append(
            StepDetailRow(
                id=ident,
                plan_id=plan_id,
                order=order,
                dose_mg=float(dose),
                planned_start=date.fromisoformat(planned),
                min_days=min_days,
                how_to_take=how,
                needs_liquid=bool(liquid),
                status=status,
                actual_start=day_from_db(actual),
                note=note,
                flags=flags,
                occupancy_pct=None if occ is None else float(occ),
                fit=fit,
                target_mg=None if target is None else float(target),
                needs_form=bool(needs),
                micro=micro,
            )
        )
    return out


def events_of(session: Reads, plan_ids: Iterable[int]) -> dict[int, list[EventRow]]:
    """The recorded transitions of each plan in ``plan_ids``, oldest first."""
    ids = list(dict.fromkeys(plan_ids))
    out: dict[int, list[EventRow]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = raw(session).execute(
        "SELECT plan_id, at, action, from_status, to_status, reason FROM planevent "
        f"WHERE plan_id IN ({_marks(len(ids))}) ORDER BY plan_id, at, id",
        ids,
    )
    for plan_id, at, action, from_status, to_status, reason in rows:
        out[plan_id].append(EventRow(plan_id, as_utc(at), action, from_status, to_status, reason))
    return out
