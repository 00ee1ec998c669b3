"""Plain-SQL reads of taper plans and their steps: what the reminders and Today's taper line need.

Rows come back as frozen dataclasses named after the ORM attributes they stand
for (``TaperPlan``, ``TaperStep``), so code written against either reads both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from tracker.store import Reads, day_from_db, raw

__all__ = ["PlanRow", "StepRow", "plans_with_status", "steps_of"]


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
        'SELECT id, plan_id, "order", dose_mg, planned_start, min_days, status, actual_start '
        f'FROM taperstep WHERE plan_id IN ({_marks(len(ids))}) ORDER BY plan_id, "order"',
        ids,
    )
    for ident, plan_id, order, dose, planned, min_days, status, actual in rows:
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
            )
        )
    return out
