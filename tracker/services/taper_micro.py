"""D8 micro-step drafts in the database: a one-step plan whose step carries its day-by-day table.

The table (``tracker.domain.taper_micro``) is stored as JSON in ``taperstep.micro``. The
plan is saved, agreed and started like any other (``tracker.services.taper``; every write
passes the plan rules of ``tracker.guards``). Once started, the step's prescription starts
at the table's first row and is linked to the step; while it is in force the day's row IS
the dose of the day for Today, ``tracker log dose``, ``status``, the reminders and the
adherence figures (``tracker.domain.schedule`` reads the tables with the prescriptions).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from tracker.domain import taper as dt
from tracker.domain.taper_micro import MicroTable, build_table, describe
from tracker.models import TaperStep
from tracker.services import taper as svc
from tracker.services.taper_views import DraftInputs, PlanView

__all__ = ["calculate_micro", "save_micro_draft"]


def calculate_micro(
    inputs: DraftInputs,
    *,
    cadence: str,
    count: int,
    to_mg: float,
    start_date: date,
    start_mg: float | None = None,
) -> tuple[dt.Draft, MicroTable]:
    """The draft (one step: the table, ending at ``to_mg``) and its table; pure, no database."""
    start = start_mg if start_mg is not None else inputs.start_mg
    if start is None:
        raise dt.TaperError(
            f"{inputs.medication_name} has no prescription today, so the starting dose is unknown; "
            "give the starting dose."
        )
    table = build_table(
        inputs.medication_name,
        start,
        to_mg,
        cadence=cadence,
        count=count,
        formulation=inputs.formulation,
        start=start_date,
    )
    last = table.rows[-1]
    flags: list[dt.Flag] = []
    if "short" in table.flags:
        flags.append(
            dt.Flag(
                dt.FlagKind.SHORT_INTERVAL,
                f"The table lasts {table.total_days} days, less than 14.",
                "DOMAIN.md D5; Horowitz & Taylor 2019",
            )
        )
    if any(r.needs_form for r in table.rows):
        flags.append(
            dt.Flag(
                dt.FlagKind.NEEDS_FORM,
                "Some days need a liquid or compounded form. " + table.notes[0].split("; ", 1)[-1],
                "DOMAIN.md D2",
            )
        )
    step = dt.DraftStep(
        order=1,
        target_mg=to_mg,
        dose_mg=last.dose_mg,
        planned_start=start_date,
        min_days=max(dt.MIN_DAYS_FLOOR, table.total_days),
        how_to_take=describe(table) + ": what to take each day is in the table",
        needs_liquid=any(r.ml is not None or r.needs_form for r in table.rows),
        cut_pct=round((start - last.dose_mg) / start * 100, 1),
        occupancy_pct=last.occupancy_pct,
        flags=tuple(flags),
        needs_form=any(r.needs_form for r in table.rows),
        fit=table.fit,
    )
    method = dt.DraftMethod.DAILY if cadence == "daily" else dt.DraftMethod.WEEKLY
    draft = dt.Draft(
        method=method,
        steps=(step,),
        formulation=inputs.formulation,
        notes=table.notes,
        fit=table.fit,
    )
    return draft, table


def save_micro_draft(
    *,
    session: Session,
    medication_id: int,
    draft: dt.Draft,
    table: MicroTable,
    now: datetime,
    notes: str | None = None,
) -> PlanView:
    """Save the draft like any other (earlier drafts set aside) with the table on its step."""
    plan = svc.save_draft(session=session, medication_id=medication_id, draft=draft, now=now, notes=notes)
    row = session.exec(select(TaperStep).where(TaperStep.plan_id == plan.id)).one()
    row.micro = table.to_json()
    session.add(row)
    session.flush()
    return svc.get_plan(session=session, plan_id=plan.id)
