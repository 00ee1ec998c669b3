"""Taper plan commands: ``tracker taper ...`` (``tracker remind`` lives in ``tracker.cli.remind``).

A calculated schedule is always printed and saved as a draft to discuss with
the prescriber; a plan starts only after the agreement is recorded. Handlers
import the database layer inside themselves so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracker.cli.common import emit_json
from tracker.cli.core import open_db
from tracker.domain.errors import TrackerError

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.db import Database
    from tracker.domain.taper import Draft
    from tracker.services.taper import PlanChange, PlanView

DbArg = Callable[[argparse.ArgumentParser], None]

EXIT_REMINDERS = 10  # `tracker remind`: reminders are due


def register(sub: Any, db_arg: DbArg) -> None:
    """Add the ``taper`` commands to the parser."""
    taper = sub.add_parser(
        "taper", help="taper plans: drafts to discuss with your prescriber, agreement, steps, calendar"
    ).add_subparsers(dest="taper_command", metavar="ACTION", required=True)

    p = taper.add_parser(
        "draft", help="calculate a draft schedule to discuss with your prescriber, and save it"
    )
    db_arg(p)
    p.add_argument("med")
    p.add_argument(
        "--method",
        default="proportional",
        choices=["proportional", "occupancy", "linear", "manual", "daily", "weekly"],
        help="daily, weekly: micro-steps, a small reduction every day or week (a day-by-day table)",
    )
    p.add_argument("--to", default=None, metavar="MG", help="daily, weekly: the dose the table ends at")
    p.add_argument("--days", type=int, default=None, metavar="N", help="daily: the number of days (7-112)")
    p.add_argument("--weeks", type=int, default=None, metavar="N", help="weekly: the number of weeks (2-26)")
    p.add_argument(
        "--percent", type=float, default=10.0, help="proportional: cut per step, %% of the latest dose"
    )
    p.add_argument("--every-weeks", type=int, default=4, metavar="N", help="weeks between steps (default 4)")
    p.add_argument(
        "--final",
        default=None,
        metavar="MG",
        help="proportional: lowest dose before 0 (default: the smallest the formulation gives); "
        "occupancy: lowest dose",
    )
    p.add_argument("--points", type=float, default=10.0, help="occupancy: percentage points lower per step")
    p.add_argument("--step-mg", default=None, metavar="MG", help="linear: the cut per step in mg")
    p.add_argument("--cuts", type=int, default=None, metavar="N", help="linear: the number of equal cuts")
    p.add_argument("--doses", default=None, help="manual: daily doses in mg, e.g. 20,15,10,5,0")
    p.add_argument(
        "--from-mg", default=None, metavar="MG", help="starting daily dose (default: as prescribed today)"
    )
    p.add_argument("--start", default="today", metavar="DATE", help="date of the first row (default today)")
    p.add_argument(
        "--min-days", type=int, default=None, metavar="N", help="minimum days at each step (7 or more)"
    )
    p.add_argument("--notes", default=None)
    p.add_argument("--no-save", action="store_true", help="print the draft without saving it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_draft)

    p = taper.add_parser("show", help="show taper plans, their steps and history")
    db_arg(p)
    p.add_argument("med", nargs="?", default=None)
    p.add_argument("--all", action="store_true", help="include completed and abandoned plans")
    p.add_argument("--table", action="store_true", help="micro-steps: every row of the day-by-day table")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = taper.add_parser("agree", help="record who agreed the draft plan and when")
    db_arg(p)
    p.add_argument("med")
    p.add_argument("--prescriber", required=True, metavar="NAME")
    p.add_argument("--on", default="today", metavar="DATE", help="the day it was agreed (default today)")
    p.add_argument("--plan", type=int, default=None, metavar="ID")
    p.set_defaults(handler=cmd_agree)

    for name, text in (
        ("start", "start the agreed plan today (refused until the agreement is recorded)"),
        ("advance", "move to the next step of the running plan today"),
        ("hold", "stay longer at the current step"),
        ("resume", "end a hold"),
        ("back", "return to the previous step's dose"),
        ("abandon", "set the plan aside"),
    ):
        p = taper.add_parser(name, help=text)
        db_arg(p)
        p.add_argument("med")
        p.add_argument(
            "--reason",
            default=None,
            help="kept in the plan's history" + ("" if name == "start" else " (required)"),
        )
        p.add_argument("--plan", type=int, default=None, metavar="ID")
        if name == "back":
            p.add_argument(
                "--step-size",
                type=float,
                default=None,
                metavar="X",
                help="the revised draft's step: occupancy points where known, else %% of the dose "
                "(default: every remaining step half as large)",
            )
            p.add_argument("--no-revision", action="store_true", help="step back without a revised draft")
        p.set_defaults(handler=cmd_action, action=name)

    p = taper.add_parser("ics", help="write planned steps, check-ins and appointments as a calendar file")
    db_arg(p)
    p.add_argument(
        "--out", required=True, metavar="FILE", help="the .ics file to write (- for standard output)"
    )
    p.add_argument(
        "--check-in-days",
        type=int,
        default=3,
        metavar="N",
        help="days before each step for a check-in event (default 3)",
    )
    p.set_defaults(handler=cmd_ics)


# --------------------------------------------------------------------------- helpers


def _clock(db: Database) -> tuple[datetime, ZoneInfo]:
    """Now (UTC) and the user's time zone from settings: the rules run in that zone."""
    from tracker.domain.timeutil import utc_now
    from tracker.services.settings import user_zone

    with db.read() as session:
        tz = user_zone(session=session)
    return utc_now(), tz


def _mg_value(text: str | None, what: str) -> float | None:
    """``2.5``, ``2.5mg`` or ``2.5 mg`` as mg; None stays None."""
    if text is None:
        return None
    raw = text.strip().lower().removesuffix("mg").strip()
    try:
        value = float(raw.replace(",", "."))
    except ValueError as exc:
        raise TrackerError(f"{what} {text!r} is not a number of mg") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise TrackerError(f"{what} {text!r} is not a number of mg")
    return value


def _dose_list(text: str | None) -> list[float] | None:
    if text is None:
        return None
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise TrackerError("--doses needs daily doses in mg, e.g. 20,15,10,5,0")
    return [_mg_value(p, "dose") or 0.0 for p in parts]


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{round(x, 3):g}"


_MARKS = {
    "large_cut": "large cut",
    "short_interval": "short",
    "below_min_days": "< min days",
    "increase": "increase",
    "abrupt_end": "abrupt end",
    "needs_form": "needs another form",
    "not_exact": "not within 10%",
}


def _print_draft(draft: Draft, name: str) -> None:
    print(f"DRAFT — {draft.notice}")
    print(f"{name}: {draft.method} draft, {len(draft.steps)} rows")
    occupancy = any(r.occupancy_pct is not None for r in draft.steps)
    head = f"{'#':>3}  {'from':<10}  {'mg/day':>8}  {'cut %':>6}  " + ("occ %  " if occupancy else "")
    print(head + "how to take it")
    for r in draft.steps:
        line = (
            f"{r.order:>3}  {r.planned_start.isoformat():<10}  {_fmt(r.dose_mg):>8}  "
            f"{f'{r.cut_pct:.1f}' if r.cut_pct is not None else '—':>6}  "
        )
        if occupancy:
            line += f"{_fmt(r.occupancy_pct):>5}  "
        marks = "".join(
            f" [{_MARKS.get(str(f.kind), str(f.kind))}]" for f in r.flags if str(f.kind) != "needs_form"
        )
        print(line + r.how_to_take + marks)
    if draft.fit:
        print(f"occ %: estimated SERT occupancy, {draft.fit}.")
    flags = [(r.order, f) for r in draft.steps for f in r.flags if str(f.kind) != "needs_form"]
    if flags:
        print("Points to discuss with your prescriber:")
        for order, f in flags:
            print(f"  row {order}: {f.message}")
    for note in draft.notes:
        print(f"Note: {note}")
    print(f"DRAFT — {draft.notice}")


def _draft_json(draft: Draft) -> dict[str, Any]:
    return {
        "is_draft": True,
        "notice": draft.notice,
        "method": str(draft.method),
        "fit": draft.fit,
        "notes": list(draft.notes),
        "steps": [
            {
                "order": r.order,
                "planned_start": r.planned_start.isoformat(),
                "target_mg": r.target_mg,
                "dose_mg": r.dose_mg,
                "how_to_take": r.how_to_take,
                "needs_liquid": r.needs_liquid,
                "min_days": r.min_days,
                "cut_pct": r.cut_pct,
                "occupancy_pct": r.occupancy_pct,
                "fit": r.fit,
                "needs_form": r.needs_form,
                "flags": [f.as_json() for f in r.flags],
            }
            for r in draft.steps
        ],
    }


def _print_plan(plan: PlanView) -> None:
    head = f"{plan.medication_name} — taper plan {plan.id} ({plan.status}"
    if plan.revision > 1 and plan.revision_of:
        head += f", revision {plan.revision} of plan {plan.revision_of}"
    if plan.prescriber and not plan.is_draft:
        head += f", agreed with {plan.prescriber}"
        if plan.agreed_on:
            head += f" on {plan.agreed_on.isoformat()}"
    print(head + ")")
    print(("DRAFT — " if plan.is_draft else "") + plan.notice)
    occupancy = any(s.occupancy_pct is not None for s in plan.steps)
    print(
        f"{'#':>3}  {'planned':<10}  {'mg/day':>8}  {'min days':>8}  {'status':<12}  {'started':<10}  "
        + ("occ %  " if occupancy else "")
        + "how to take it"
    )
    for s in plan.steps:
        marks = "".join(
            f" [{_MARKS.get(str(f.kind), str(f.kind))}]" for f in s.flags if str(f.kind) != "needs_form"
        )
        how = s.how_to_take or ""
        if s.needs_form and "needs a liquid or compounded form" not in how:
            how += " (needs a liquid or compounded form)"
        print(
            f"{s.order:>3}  {s.planned_start.isoformat():<10}  {_fmt(s.dose_mg):>8}  {s.min_days:>8}  "
            f"{s.status:<12}  {s.actual_start.isoformat() if s.actual_start else '':<10}  "
            + (f"{_fmt(s.occupancy_pct):>5}  " if occupancy else "")
            + how
            + marks
        )
    fits = sorted({s.fit for s in plan.steps if s.fit})
    for fit in fits:
        print(f"occ %: estimated SERT occupancy, {fit}.")
    flags = [(s.order, f) for s in plan.steps for f in s.flags if str(f.kind) != "needs_form"]
    if flags:
        print("Points to discuss with your prescriber:")
        for order, f in flags:
            print(f"  step {order}: {f.message}")
    needs = [s for s in plan.steps if s.needs_form]
    if needs:
        note = next((f.message for f in needs[0].flags if str(f.kind) == "needs_form"), "")
        orders = ", ".join(str(s.order) for s in needs)
        print(
            f"Steps {orders} need a liquid or compounded form."
            + (f" {note.split('. ', 1)[-1]}" if note else "")
        )
    if plan.events:
        print("History:")
        for e in plan.events:
            move = f"{e.from_status or ''} -> {e.to_status or ''}".strip(" ->")
            print(
                f"  {e.at:%Y-%m-%d %H:%M} UTC  {e.action:<9} {move}" + (f"  ({e.reason})" if e.reason else "")
            )


def _print_change(change: PlanChange, verb: str) -> None:
    plan = change.plan
    live = plan.live_step
    line = f"{plan.medication_name}: plan {plan.id} {verb}; status {plan.status}"
    if live is not None:
        line += f"; current step {live.order}: {_fmt(live.dose_mg)} mg a day"
    print(line)
    if change.prescription:
        print(change.prescription)
    nxt = plan.next_step
    if nxt is not None and plan.status in ("active", "held"):
        print(
            f"Next step planned for {nxt.planned_start.isoformat()}: {_fmt(nxt.dose_mg)} mg a day. "
            f"Check with {plan.prescriber or 'your prescriber'} that it still suits you before you reduce."
        )
    for w in change.warnings:
        print(f"Note: {w}")


# --------------------------------------------------------------------------- handlers


def cmd_draft(args: argparse.Namespace) -> int:
    from tracker.domain.units import parse_day
    from tracker.services import meds
    from tracker.services import taper as svc

    if args.method in ("daily", "weekly"):
        from tracker.cli.taper_micro import draft_micro

        return draft_micro(args)
    for given, name in ((args.to, "--to"), (args.days, "--days"), (args.weeks, "--weeks")):
        if given is not None:
            raise TrackerError(f"{name} is for --method daily or weekly (micro-steps)")
    final = _mg_value(args.final, "--final")
    step_mg = _mg_value(args.step_mg, "--step-mg")
    start_mg = _mg_value(args.from_mg, "--from-mg")
    doses = _dose_list(args.doses)
    if args.method == "manual" and doses is None:
        raise TrackerError("--method manual needs --doses, e.g. --doses 20,15,10,5,0")
    db = open_db(args)
    now, tz = _clock(db)
    today = now.astimezone(tz).date()
    start = parse_day(args.start, today=today, allow_future=True)
    with db.read() as session:
        med = meds.find_medication(session=session, name=args.med)
        inputs = svc.draft_inputs(session=session, medication_id=med.id or 0, today=today)
    draft = svc.calculate_draft(
        inputs,
        method=args.method,
        start_date=start,
        start_mg=start_mg,
        percent=args.percent,
        interval_weeks=args.every_weeks,
        final_mg=final,
        points=args.points,
        step_mg=step_mg,
        cuts=args.cuts,
        doses=doses,
        min_days=args.min_days,
    )
    plan_id: int | None = None
    if not args.no_save:
        with db.write() as session:
            plan_id = svc.save_draft(
                session=session, medication_id=inputs.medication_id, draft=draft, now=now, notes=args.notes
            ).id
    if args.json:
        data = _draft_json(draft)
        data["plan_id"] = plan_id
        data["medication"] = inputs.medication_name
        emit_json(data)
        return 0
    _print_draft(draft, inputs.medication_name)
    if plan_id is not None:
        print(
            f"Saved as draft plan {plan_id}. After talking it over with your prescriber, record the "
            "agreement: "
            f"tracker taper agree {args.med} --prescriber NAME --on DATE"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from tracker.cli.core import reads
    from tracker.queries import meds
    from tracker.services import taper_views as svc

    with reads(args) as source:
        med_id = (
            meds.find_medication(session=source, name=args.med, include_archived=True).id
            if args.med
            else None
        )
        plans = svc.plans_for(session=source, medication_id=med_id, include_final=args.all)
    if args.json:
        emit_json([p.as_json() for p in plans])
        return 0
    if not plans:
        print("No taper plans. Calculate a draft to discuss with your prescriber: tracker taper draft MED")
    from tracker.cli.taper_micro import print_tables

    for i, plan in enumerate(plans):
        if i:
            print()
        _print_plan(plan)
        print_tables(plan, whole=args.table)
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    from tracker.domain.units import parse_day
    from tracker.services import meds
    from tracker.services import taper as svc

    if not args.prescriber.strip():
        raise TrackerError("--prescriber needs the name of the prescriber who agreed the plan")
    db = open_db(args)
    now, tz = _clock(db)
    agreed_on = parse_day(args.on, today=now.astimezone(tz).date())
    with db.write() as session:
        med = meds.find_medication(session=session, name=args.med)
        plan_id = args.plan or svc.select_plan(session=session, medication_id=med.id or 0, action="agree")
        _check_med(session, plan_id, med.id or 0)
        plan = svc.agree_plan(
            session=session, plan_id=plan_id, prescriber=args.prescriber, agreed_on=agreed_on, now=now, tz=tz
        )
    print(f"{plan.medication_name}: plan {plan.id} agreed with {plan.prescriber} on {agreed_on.isoformat()}.")
    print(f"Start it when the first step begins: tracker taper start {args.med}")
    return 0


def _check_med(session: Any, plan_id: int, medication_id: int) -> None:
    from tracker.services import taper as svc

    if svc.get_plan(session=session, plan_id=plan_id).medication_id != medication_id:
        raise TrackerError(f"plan {plan_id} is not a plan for that medication")


def cmd_action(args: argparse.Namespace) -> int:
    from tracker.services import meds
    from tracker.services import taper as svc

    action: str = args.action
    reason = (args.reason or "").strip()
    if action != "start" and not reason:
        raise TrackerError(f"`tracker taper {action}` needs --reason TEXT; it is kept in the plan's history")
    db = open_db(args)
    now, tz = _clock(db)
    revised: PlanView | None = None
    with db.write() as session:
        med = meds.find_medication(session=session, name=args.med)
        plan_id = args.plan or svc.select_plan(session=session, medication_id=med.id or 0, action=action)
        _check_med(session, plan_id, med.id or 0)
        if action == "start":
            change = svc.start_plan(session=session, plan_id=plan_id, now=now, tz=tz, reason=reason or None)
        elif action == "advance":
            change = svc.advance_plan(session=session, plan_id=plan_id, reason=reason, now=now, tz=tz)
        elif action == "hold":
            change = svc.hold_plan(session=session, plan_id=plan_id, reason=reason, now=now, tz=tz)
        elif action == "resume":
            change = svc.resume_plan(session=session, plan_id=plan_id, reason=reason, now=now)
        elif action == "back":
            step_size = getattr(args, "step_size", None)
            if step_size is not None and not (step_size == step_size and 1 <= step_size <= 50):
                raise TrackerError("--step-size must be from 1 to 50")
            change = svc.step_back_plan(session=session, plan_id=plan_id, reason=reason, now=now, tz=tz)
            if not args.no_revision and change.plan.next_step is not None:
                revised = svc.revise_plan(
                    session=session, plan_id=plan_id, now=now, tz=tz, step_size=step_size
                )
        else:
            plan = svc.abandon_plan(session=session, plan_id=plan_id, reason=reason, now=now)
            print(f"{plan.medication_name}: plan {plan.id} abandoned. The prescription is left as it is.")
            return 0
    verbs = {
        "start": "started",
        "advance": "advanced",
        "hold": "on hold",
        "resume": "resumed",
        "back": "stepped back",
    }
    _print_change(change, verbs[action])
    if revised is not None:
        print()
        print(
            f"A revised draft of the remaining steps, in smaller steps (NICE NG222 1.4.22), is saved as "
            f"draft plan {revised.id}. It runs only once agreed: tracker taper agree {args.med} "
            f"--prescriber NAME, then tracker taper start {args.med}."
        )
        _print_plan(revised)
    return 0


def cmd_ics(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker.services import taper as svc

    if args.check_in_days < 0 or args.check_in_days > 60:
        raise TrackerError("--check-in-days must be from 0 to 60")
    out = None if args.out == "-" else Path(args.out).expanduser()
    if out is not None:
        from tracker.export import files

        out = files.check_target_file(out)
    db = open_db(args)
    now, tz = _clock(db)
    with db.read() as session:
        data = svc.taper_calendar(session=session, now=now, tz=tz, check_in_days=args.check_in_days)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    from tracker.paths import write_private_bytes

    write_private_bytes(out, data)
    events = data.count(b"BEGIN:VEVENT")
    print(
        f"Wrote {events} event{'s' if events != 1 else ''} to {out} "
        "(no alarms inside; set them in your calendar)"
    )
    return 0
