"""`tracker taper draft MED --method daily|weekly --to MG --days N|--weeks N`, and the table in `taper show`.

D8 micro-steps: a day-by-day table of what to take, saved as a draft plan with one step
(the table) to discuss with the prescriber; it runs only once agreed and started.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tracker.cli.common import emit_json
from tracker.domain.errors import TrackerError

if TYPE_CHECKING:
    from tracker.domain.taper_micro import MicroRow, MicroTable
    from tracker.services.taper_views import PlanView

__all__ = ["draft_micro", "print_table", "print_tables"]

_SHOWN = 3  # rows shown at each end of a compact table
_CHANGES = 12  # at most this many rows between where the dose changes, else a count


def _mg(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _count(args: argparse.Namespace) -> int:
    """The number of rows, from --days (daily) or --weeks (weekly), with a message naming what is wrong."""
    days, weeks = args.days, args.weeks
    if args.method == "daily":
        if weeks is not None:
            raise TrackerError("--weeks is for --method weekly; a daily table takes --days N")
        if days is None:
            raise TrackerError("--method daily needs --days N (7 to 112)")
        return int(days)
    if days is not None:
        raise TrackerError("--days is for --method daily; a weekly table takes --weeks N")
    if weeks is None:
        raise TrackerError("--method weekly needs --weeks N (2 to 26)")
    return int(weeks)


def _mg_arg(text: str, what: str) -> float:
    """``25``, ``25mg`` or ``2,5 mg`` as mg; the message names the option, never the value."""
    raw = text.strip().lower().removesuffix("mg").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError as exc:
        raise TrackerError(f"{what} is not a number of mg") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise TrackerError(f"{what} is not a number of mg")
    return value


def _to_mg(text: str | None) -> float:
    if text is None:
        raise TrackerError("micro-steps need --to MG, the dose the table ends at (0 to stop)")
    return _mg_arg(text, "--to")


def draft_micro(args: argparse.Namespace) -> int:
    """Calculate, print and (unless --no-save) save a micro-step draft. Nothing is written on bad input."""
    from tracker.cli.core import open_db
    from tracker.domain.timeutil import utc_now
    from tracker.domain.units import parse_day
    from tracker.services import meds
    from tracker.services import taper as svc
    from tracker.services import taper_micro as micro

    count = _count(args)
    to_mg = _to_mg(args.to)
    for given, name in (
        (args.final, "--final"),
        (args.step_mg, "--step-mg"),
        (args.cuts, "--cuts"),
        (args.doses, "--doses"),
        (args.min_days, "--min-days"),
    ):
        if given is not None:
            raise TrackerError(f"{name} is not used by micro-steps (--method {args.method})")
    start_mg = _mg_arg(args.from_mg, "--from-mg") if args.from_mg is not None else None
    db = open_db(args)
    from tracker.services.settings import user_zone

    with db.read() as session:
        tz = user_zone(session=session)
    now = utc_now()
    today = now.astimezone(tz).date()
    start = parse_day(args.start, today=today, allow_future=True)
    with db.read() as session:
        med = meds.find_medication(session=session, name=args.med)
        inputs = svc.draft_inputs(session=session, medication_id=med.id or 0, today=today)
    draft, table = micro.calculate_micro(
        inputs, cadence=args.method, count=count, to_mg=to_mg, start_date=start, start_mg=start_mg
    )
    plan_id: int | None = None
    if not args.no_save:
        with db.write() as session:
            plan_id = micro.save_micro_draft(
                session=session,
                medication_id=inputs.medication_id,
                draft=draft,
                table=table,
                now=now,
                notes=args.notes,
            ).id
    if args.json:
        from tracker.domain.taper_micro import json_rows

        emit_json(
            {
                "is_draft": True,
                "notice": draft.notice,
                "method": args.method,
                "medication": inputs.medication_name,
                "plan_id": plan_id,
                "from_mg": table.from_mg,
                "to_mg": table.to_mg,
                "fit": table.fit,
                "notes": list(table.notes),
                "flags": list(table.flags),
                "rows": json_rows(table),
            }
        )
        return 0
    print(f"DRAFT — {draft.notice}")
    print(f"{inputs.medication_name}: {args.method} micro-step draft, {len(table.rows)} rows")
    print_table(table, whole=True)
    for note in table.notes:
        print(f"Note: {note}")
    if table.fit:
        print(f"occ %: estimated SERT occupancy, {table.fit}.")
    print(f"DRAFT — {draft.notice}")
    if plan_id is not None:
        print(
            f"Saved as draft plan {plan_id}. After talking it over with your prescriber, record the "
            f"agreement: tracker taper agree {args.med} --prescriber NAME --on DATE"
        )
    return 0


_MARKS = {
    "rounded": "rounded",
    "needs_form": "needs another form",
    "large_cut": "large cut",
    "abrupt_end": "abrupt end",
}


def _line(table: MicroTable, row: MicroRow) -> str:
    when = table.row_date(row)
    day = when.isoformat() if when else f"day {row.day + 1}"
    if row.days > 1 and when is not None:
        from datetime import timedelta

        day += f" to {(when + timedelta(days=row.days - 1)).isoformat()}"
    ml = f"{row.ml:g} ml" if row.ml is not None else ""
    marks = "".join(f" [{_MARKS.get(f, f)}]" for f in row.flags)
    occ = f"{row.occupancy_pct:5.1f}  " if row.occupancy_pct is not None else ""
    return f"  {day:<24}  {_mg(row.dose_mg):>8}  {ml:>8}  {occ}{row.amount}{marks}"


def print_table(table: MicroTable, *, whole: bool) -> None:
    """The table: every row, or (compact) the first and last rows and the days the dose changes."""
    occ = "occ %  " if any(r.occupancy_pct is not None for r in table.rows) else ""
    print(f"  {'day':<24}  {'mg/day':>8}  {'ml':>8}  {occ}what to take")
    rows = list(table.rows)
    if whole or len(rows) <= 2 * _SHOWN:
        for row in rows:
            print(_line(table, row))
        return
    changes = {id(r) for r in table.changes}
    keep = {id(r) for r in rows[:_SHOWN] + rows[-_SHOWN:]}
    shown_changes = [r for r in rows[_SHOWN:-_SHOWN] if id(r) in changes]
    for row in rows[:_SHOWN]:
        print(_line(table, row))
    hidden = len(rows) - 2 * _SHOWN
    if shown_changes and len(shown_changes) <= _CHANGES:
        print(f"  … {hidden} rows between; the dose changes on:")
        for row in shown_changes:
            if id(row) not in keep:
                print(_line(table, row))
    else:
        print(f"  … {hidden} rows between (every row: tracker taper show --table)")
    for row in rows[-_SHOWN:]:
        print(_line(table, row))


def print_tables(plan: PlanView, *, whole: bool) -> None:
    """Each micro-step of a plan (D8): what it is, its range and its table."""
    from tracker.domain.taper_micro import describe, stopped_at_hold, table_for_step

    for step in plan.steps:
        table = table_for_step(step)
        if table is None:
            continue
        print(f"Step {step.order}: {describe(table)}")
        stopped = stopped_at_hold(
            table,
            plan_status=plan.status,
            step_status=step.status,
            how=f"tracker taper draft {plan.medication_name.lower()} --method daily --to MG --days N",
        )
        if stopped:
            print(f"  {stopped}")
        print_table(table, whole=whole)
        rounded = sum(1 for r in table.rows if "rounded" in r.flags)
        flagged = sum(1 for r in table.rows if set(r.flags) - {"rounded"})
        if rounded:
            print(f"  {rounded} of {len(table.rows)} rows are rounded up to what your forms measure (D3).")
        if flagged:
            print(
                f"  {flagged} of {len(table.rows)} rows are flagged (another form, or a larger cut); "
                "talk them over with your prescriber or pharmacist."
            )
