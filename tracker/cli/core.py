"""Core commands: demo, med, rx, log, status, check, symptoms, undo.

Handlers import the database layer inside themselves so that building the parser
(and ``--help``) stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tracker.cli.common import confirm_with, emit_json, resolve_db, resume_gc

if TYPE_CHECKING:
    from tracker.db import Database
    from tracker.store import Reads

DbArg = Callable[[argparse.ArgumentParser], None]


_opened: list[Database] = []


def open_db(args: argparse.Namespace) -> Database:
    """Open the database the arguments name; main() closes it when the command ends."""
    from tracker.db import open_database

    path, create_dir = resolve_db(args)
    db = open_database(path, create_dir=create_dir)
    _opened.append(db)
    report_warnings(db.warnings)
    resume_gc()  # start-up (imports, opening) is over; the command's own work collects normally
    return db


def report_warnings(warnings: list[str]) -> None:
    """What did not stop a command but must not go unseen (today's automatic backup failing):
    one line each on stderr, so that cron mails it; the command itself still succeeds (exit 0)."""
    for warning in warnings:
        print(f"tracker: warning: {' '.join(warning.split())}", file=sys.stderr)


@contextmanager
def reads(args: argparse.Namespace) -> Iterator[Reads]:
    """A read transaction for a command that only reads, without the ORM when it can.

    A database already at the current schema is read through a plain sqlite3 connection
    (``tracker.store.Reader``: the same file checks and daily backup as the full open), so
    ``status``, ``remind`` and the other reads never import SQLAlchemy, SQLModel or pydantic
    (most of such a command's time and memory). A new database, or one to upgrade, is opened
    fully (created or migrated, with the right messages), then read through that session.
    """
    from tracker.store import daily_backup, open_reader

    path, _ = resolve_db(args)
    reader = open_reader(path)
    if reader is None:
        db = open_db(args)
        with db.read() as session:
            yield session
        return
    warning = daily_backup(reader.path)  # a failed copy does not stop a read, as with the full open
    report_warnings([warning] if warning else [])
    resume_gc()
    with reader.read() as connection:
        yield connection


def close_all() -> None:
    """Dispose every engine a command opened, so no connection outlives the command."""
    while _opened:
        _opened.pop().close()


def _clock(db: Database) -> tuple[Any, Any]:
    from tracker.domain.timeutil import utc_now
    from tracker.services.settings import user_zone

    with db.read() as session:
        tz = user_zone(session=session)
    return utc_now(), tz


def register(sub: Any, db_arg: DbArg) -> Any:
    """Add the core commands; returns the ``log`` sub-commands, which other modules extend."""
    p = sub.add_parser("demo", help="write a demo history into a separate demo database and open it")
    db_arg(p)
    p.add_argument("--no-ui", action="store_true", help="write the demo database without opening the UI")
    p.set_defaults(handler=cmd_demo)

    med = sub.add_parser("med", help="medications").add_subparsers(
        dest="med_command", metavar="ACTION", required=True
    )
    p = med.add_parser("add", help="add a medication")
    db_arg(p)
    p.add_argument("name")
    p.add_argument("--strength", required=True, help="e.g. 20mg (per tablet), 2mg/ml, 10mg/5ml, 2mg/drop")
    p.add_argument("--form", default=None, choices=["tablet", "capsule", "liquid", "drops"])
    p.add_argument("--class", dest="drug_class", default=None, choices=["SSRI", "SNRI", "other"])
    p.add_argument("--half-life", type=str, default=None, metavar="HOURS")
    p.add_argument("--brand", default=None)
    p.add_argument(
        "--liquid-step",
        default=None,
        metavar="ML",
        help="what your oral syringe measures reliably (default 0.1 ml; 0.05 for a 1 ml syringe)",
    )
    p.add_argument(
        "--since",
        default=None,
        metavar="DATE",
        help="the day you started taking it (YYYY-MM-DD); leave out if not known",
    )
    p.add_argument(
        "--liquid",
        default=None,
        metavar="CONC",
        help="a liquid of the same drug used to top up small steps, e.g. 20mg/ml or 10mg/5ml "
        "(tablets and capsules; lets taper drafts reach steps tablets cannot)",
    )
    p.add_argument(
        "--drops-per-ml",
        default=None,
        metavar="N",
        help="drops: how many drops make 1 ml, to give the label strength as it is (--strength 40mg/ml)",
    )
    p.add_argument(
        "--fractions",
        default=None,
        metavar="LIST",
        help="the tablet fractions you can split to, e.g. 1,0.5,0.25 (default 1,0.5)",
    )
    p.add_argument("--other-strengths", default=None, metavar="LIST", help=_OTHER_STRENGTHS_HELP)
    p.set_defaults(handler=cmd_med_add)
    p = med.add_parser("edit", help="change what a medication is made of (its other strengths)")
    db_arg(p)
    p.add_argument("name")
    p.add_argument(
        "--other-strengths",
        required=True,
        metavar="LIST",
        help=_OTHER_STRENGTHS_HELP + "; 'none' removes them",
    )
    p.set_defaults(handler=cmd_med_edit)
    p = med.add_parser("archive", help="archive a medication (no more dose reminders; its history is kept)")
    db_arg(p)
    p.add_argument("name")
    p.add_argument(
        "--yes",
        action="store_true",
        help="confirm archiving a medication whose prescription is still current",
    )
    p.set_defaults(handler=cmd_med_archive)
    p = med.add_parser("restore", help="restore an archived medication")
    db_arg(p)
    p.add_argument("name")
    p.set_defaults(handler=cmd_med_restore)
    p = med.add_parser("list", help="list medications")
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="include archived medications")
    p.set_defaults(handler=cmd_med_list)

    rx = sub.add_parser("rx", help="prescriptions").add_subparsers(
        dest="rx_command", metavar="ACTION", required=True
    )
    p = rx.add_parser("set", help="set the prescribed dose (per intake) from a date")
    db_arg(p)
    p.add_argument("med")
    p.add_argument("dose", help="dose per intake, e.g. 20mg or 1 tablet")
    p.add_argument("--times", default="08:00", help="local times of day, comma separated (default 08:00)")
    p.add_argument("--from", dest="start", default="today", help="first day (YYYY-MM-DD, default today)")
    p.add_argument("--until", dest="end", default=None, help="last day, if the prescription ends")
    p.add_argument("--prescriber", default=None)
    p.add_argument(
        "--force",
        action="store_true",
        help="confirm a daily dose above the drug's licensed maximum (it is recorded as given)",
    )
    p.set_defaults(handler=cmd_rx_set)

    log = sub.add_parser("log", help="log a dose, a symptom, a check-in, a PHQ-9 or a GAD-7").add_subparsers(
        dest="log_command", metavar="WHAT", required=True
    )
    p = log.add_parser("dose", help="log a dose taken (or skipped)")
    db_arg(p)
    p.add_argument("med")
    p.add_argument(
        "amount",
        nargs="?",
        default=None,
        help="20mg, 20 mg, 0.5 tablet, 2.5ml, 4 drops (default: the dose scheduled near the time)",
    )
    p.add_argument(
        "--snooze",
        default=None,
        metavar="TIME",
        help="put off the reminder of the dose due now, e.g. 30m or 1h (it keeps its scheduled time)",
    )
    p.add_argument("--at", default="now", help="when: 08:10, yesterday 20:00, 2026-11-27 08:10 (default now)")
    p.add_argument("--skipped", action="store_true", help="the scheduled dose was not taken")
    p.add_argument(
        "--force",
        action="store_true",
        help="confirm an amount above the drug's licensed maximum or 4x the highest prescribed dose",
    )
    p.add_argument("--note", default=None)
    p.set_defaults(handler=cmd_log_dose)
    p = log.add_parser("symptom", help="rate a symptom 0-3 for a day")
    db_arg(p)
    p.add_argument("name")
    p.add_argument("severity", help="0 none, 1 mild, 2 moderate, 3 severe")
    p.add_argument("--day", default="today")
    p.add_argument("--note", default=None)
    p.add_argument(
        "--compared",
        default=None,
        choices=["new", "worse", "same", "better"],
        help="compared with before the taper",
    )
    p.set_defaults(handler=cmd_log_symptom)
    p = log.add_parser("checkin", help="mood, sleep and a note for a day")
    db_arg(p)
    p.add_argument("--mood", required=True, help="0-10")
    p.add_argument("--sleep", default=None, help="hours slept")
    p.add_argument("--day", default="today")
    p.add_argument("--note", default=None)
    p.add_argument("--baseline", action="store_true", help="mark as a pre-taper baseline day")
    p.set_defaults(handler=cmd_log_checkin)

    p = sub.add_parser("status", help="today's doses, symptoms and reminders")
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--day", default="today")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("check", help="check the database's integrity (exit 0 when sound)")
    db_arg(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("symptoms", help="list the symptom catalogue")
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_symptoms)

    p = sub.add_parser("undo", help="undo the last change")
    db_arg(p)
    p.set_defaults(handler=cmd_undo)
    return log


def cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tracker import paths
    from tracker.db import open_database, schema_revision
    from tracker.domain.errors import TrackerError
    from tracker.domain.timeutil import utc_now
    from tracker.services import demo, settings

    given = getattr(args, "db", None)
    path = Path(given).expanduser() if given else paths.demo_db_path()
    if path.resolve() == paths.default_db_path().resolve():
        raise TrackerError(f"{path} is your real database; the demo writes only to a separate file")
    if path.exists() and path.stat().st_size > 0:
        schema_revision(path)  # refuses files that are not ours
        db = open_database(path, create_dir=not given)
        with db.read() as session:
            is_demo = settings.get_setting(session=session, key="is_demo")
        db.close()
        if not is_demo:
            raise TrackerError(f"{path} holds real entries, not a demo; choose another --db for the demo")
        for p in (path, *paths.sidecar_files(path)):
            p.unlink(missing_ok=True)
    db = open_database(path, create_dir=not given, new_ok=True)  # the demo starts afresh on purpose
    tz = _local_zone()
    with db.write(audit=False) as session:
        demo.generate_demo(session=session, today=utc_now().astimezone(tz).date(), tz=tz)
    db.close()
    print(f"Demo history written to {path}")
    if args.no_ui:
        return 0
    from tracker.ui.app import run_app

    resume_gc()
    return run_app(path, create_dir=False)


def _local_zone() -> Any:
    from tracker.domain.timeutil import parse_zone
    from tracker.services.settings import local_zone_name

    return parse_zone(local_zone_name())


_OTHER_STRENGTHS_HELP = (
    "other tablet or capsule strengths you have, mg each, e.g. 25,100: taper drafts combine them "
    "with the main strength (taken whole) before a step needs another form"
)


def _other_strengths(text: str | None) -> str | None:
    """The --other-strengths value checked and in its stored form; TrackerError (exit 2) names the option."""
    from tracker.domain.strengths import StrengthsError, format_strengths, parse_strengths

    if text is None or text.strip().lower() in ("", "none"):
        return None
    try:
        return format_strengths(parse_strengths(text))
    except StrengthsError as exc:
        raise StrengthsError("--other-strengths" + str(exc).removeprefix("other strengths")) from None


def cmd_med_add(args: argparse.Namespace) -> int:
    from tracker.domain.drugs import drops_warning
    from tracker.domain.errors import TrackerError
    from tracker.domain.units import parse_strength
    from tracker.services import meds

    strength = parse_strength(args.strength)
    drops_per_ml = _drops_per_ml(args.drops_per_ml)
    form = args.form or (
        "drops" if drops_per_ml else {"ml": "liquid", "drop": "drops"}.get(strength.per, "tablet")
    )
    per_drop = strength.mg
    if drops_per_ml is not None:
        if form != "drops":
            raise TrackerError(f"--drops-per-ml is for drops, not for {form}")
        if strength.per != "ml":
            raise TrackerError(
                f"with --drops-per-ml give the label strength per ml, such as 40mg/ml (not {args.strength!r})"
            )
        per_drop = strength.mg / drops_per_ml
    elif strength.per == "ml" and form == "drops":
        raise TrackerError(
            f"strength {args.strength!r} is per ml: add --drops-per-ml N from the label (or give mg per drop)"
        )
    if strength.per == "ml" and form not in ("liquid", "drops"):
        raise TrackerError(f"strength {args.strength!r} is per ml, so the form must be liquid")
    if strength.per == "drop" and form != "drops":
        raise TrackerError(f"strength {args.strength!r} is per drop, so the form must be drops")
    if strength.per == "unit" and form in ("liquid", "drops"):
        raise TrackerError(
            f"a {form} needs a strength per {'ml' if form == 'liquid' else 'drop'}, e.g. 2mg/ml"
        )
    half_life = None
    if args.half_life is not None:
        try:
            half_life = float(args.half_life)
        except ValueError as exc:
            raise TrackerError(f"half-life {args.half_life!r} is not a number of hours") from exc
    liquid = None
    if args.liquid is not None:
        if form in ("liquid", "drops"):
            raise TrackerError(f"--liquid is for tablets or capsules topped up with a liquid, not for {form}")
        conc = parse_strength(args.liquid)
        if conc.per != "ml":
            raise TrackerError(
                f"--liquid {args.liquid!r} must be a strength per ml, such as 20mg/ml or 10mg/5ml"
            )
        liquid = conc.mg
    if args.fractions is not None and form not in ("tablet", "capsule"):
        raise TrackerError(f"--fractions is for tablets, not for {form}")
    others = _other_strengths(args.other_strengths)
    if others is not None and form not in ("tablet", "capsule"):
        raise TrackerError(f"--other-strengths is for tablets or capsules, not for {form}")
    step_ml = 0.1
    if args.liquid_step is not None:
        try:
            step_ml = float(args.liquid_step.strip().lower().removesuffix("ml").strip())
        except ValueError as exc:
            raise TrackerError(f"--liquid-step {args.liquid_step!r} is not a number of ml") from exc
        if not 0.01 <= step_ml <= 1:
            raise TrackerError("--liquid-step must be from 0.01 to 1 ml, such as 0.1 or 0.05")
    db = open_db(args)
    started_on = None
    if args.since is not None:
        from tracker.domain.units import parse_day

        now, tz = _clock(db)
        started_on = parse_day(args.since, today=now.astimezone(tz).date())
    with db.write() as session:
        med = meds.create_medication(
            session=session,
            name=args.name,
            strength_mg=per_drop,
            drops_per_ml=drops_per_ml,
            form=form,
            drug_class=args.drug_class,
            half_life_hours=half_life,
            brand=args.brand,
            liquid_mg_per_ml=liquid,
            started_on=started_on,
            liquid_step_ml=step_ml,
            other_strengths=others,
            **({"tablet_fractions": args.fractions.replace(" ", "")} if args.fractions is not None else {}),
        )
        name, cls, hl = (
            med.name + (f" (brand {med.brand})" if med.brand else ""),
            med.drug_class,
            med.half_life_hours,
        )
        fractions = med.tablet_fractions
        warning = drops_warning(med.name, med.form)
    extras = [f"half-life {hl:g} h"] if hl else []
    if drops_per_ml is not None:
        extras.append(f"{drops_per_ml:g} drops per ml: {per_drop:g} mg a drop")
    if liquid is not None:
        extras.append(f"liquid {liquid:g} mg/ml for small steps")
    if args.fractions is not None:
        extras.append(f"split to {fractions}")
    if started_on is not None:
        extras.append(f"taking it since {started_on.isoformat()}")
    if others is not None:
        extras.append(f"also {others.replace(',', ', ')} mg {form}s")
    print(f"Added {name} ({', '.join([f'{cls}', f'{args.strength} {form}', *extras])})")
    if warning:
        print(warning)
    return 0


def cmd_med_edit(args: argparse.Namespace) -> int:
    """Change a medication's other strengths (the strengths taper drafts may combine)."""
    from tracker.domain.errors import TrackerError
    from tracker.services import meds

    others = _other_strengths(args.other_strengths)
    db = open_db(args)
    with db.write() as session:
        med = meds.find_medication(session=session, name=args.name)
        if others is not None and med.form not in ("tablet", "capsule"):
            raise TrackerError(f"--other-strengths is for tablets or capsules, not for {med.form}")
        meds.update_medication(session=session, medication_id=med.id or 0, other_strengths=others)
        name, form = med.name, med.form
    if others is None:
        print(f"{name}: no other strengths recorded")
    else:
        print(f"{name}: other strengths {others.replace(',', ', ')} mg {form}s, combined in taper drafts")
    return 0


def _drops_per_ml(text: str | None) -> float | None:
    from tracker.domain.errors import TrackerError

    if text is None:
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise TrackerError(f"--drops-per-ml {text!r} is not a number of drops") from None
    if not 1 <= value <= 100:
        raise TrackerError("--drops-per-ml must be from 1 to 100 (see the label: often 20 drops per ml)")
    return value


def cmd_med_archive(args: argparse.Namespace) -> int:
    """Archive; with a current prescription, R4's stop message first, and ``--yes`` to go on."""
    from tracker.domain.errors import TrackerError
    from tracker.services import meds

    db = open_db(args)
    now, tz = _clock(db)
    try:
        with db.write() as session:
            med = meds.find_medication(session=session, name=args.name)
            meds.set_archived(
                session=session,
                medication_id=med.id or 0,
                confirmed=args.yes,
                day=now.astimezone(tz).date(),
            )
            name = med.name
    except meds.ArchiveNeedsConfirmation as exc:
        raise TrackerError(f"{exc.message} To archive it anyway, run the command again with --yes.") from exc
    print(
        f"{name} archived: no more dose reminders, its history is kept (`tracker med restore` brings it back)"
    )
    return 0


def cmd_med_restore(args: argparse.Namespace) -> int:
    from tracker.services import meds

    db = open_db(args)
    with db.write() as session:
        med = meds.find_medication(session=session, name=args.name, include_archived=True)
        meds.set_archived(session=session, medication_id=med.id or 0, archived=False)
        name = med.name
    print(f"{name} restored")
    return 0


def _others_list(text: str | None) -> list[float]:
    """A medication's other strengths for ``med list --json`` (an unreadable stored value: none)."""
    from tracker.domain.strengths import StrengthsError, parse_strengths

    try:
        return list(parse_strengths(text))
    except StrengthsError:
        return []


def _med_json(m: Any, rx: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "brand": m.brand,
        "class": m.drug_class,
        "form": m.form,
        "strength_mg": m.strength_mg,
        "unit": {"tablet": "mg/tablet", "capsule": "mg/capsule", "liquid": "mg/ml", "drops": "mg/drop"}[
            m.form
        ],
        "half_life_hours": m.half_life_hours,
        "other_strengths_mg": _others_list(getattr(m, "other_strengths", None)),
        "archived": m.archived,
        "started_on": m.started_on.isoformat() if getattr(m, "started_on", None) else None,
        "current_prescription": (
            {
                "dose_mg": rx.dose_mg,
                "times": rx.times.split(","),
                "start_date": rx.start_date.isoformat(),
                "end_date": rx.end_date.isoformat() if rx.end_date else None,
                "prescriber": rx.prescriber,
            }
            if rx
            else None
        ),
    }


def cmd_med_list(args: argparse.Namespace) -> int:
    from tracker.domain.timeutil import utc_now
    from tracker.domain.units import format_mg
    from tracker.queries import meds
    from tracker.services.settings import user_zone

    with reads(args) as source:
        today = utc_now().astimezone(user_zone(session=source)).date()
        rows = [
            (m, meds.prescription_on(session=source, medication_id=m.id, day=today))
            for m in meds.list_medications(session=source, include_archived=args.all)
        ]
    if args.json:
        emit_json([_med_json(m, rx) for m, rx in rows])
        return 0
    if not rows:
        print("No medications yet. Add one: tracker med add NAME --strength 20mg")
    for m, rx in rows:
        unit = {"tablet": "tablet", "capsule": "capsule", "liquid": "ml", "drops": "drop"}[m.form]
        line = f"{m.name:<16} {m.drug_class:<5} {format_mg(m.strength_mg)}/{unit}"
        line += f"  now {format_mg(rx.dose_mg)} at {rx.times}" if rx else "  no current prescription"
        print(line + ("  (archived)" if m.archived else ""))
    return 0


def _amount_mg(session: Any, med: Any, text: str) -> float:
    from tracker.domain.units import amount_to_mg, parse_amount

    return amount_to_mg(
        parse_amount(text),
        form=med.form,
        strength_mg=med.strength_mg,
        liquid_mg_per_ml=med.liquid_mg_per_ml,
        name=med.name,
    )


def cmd_rx_set(args: argparse.Namespace) -> int:
    from tracker.domain.drugs import drops_warning
    from tracker.domain.units import format_mg, parse_day, parse_times
    from tracker.services import meds

    times = parse_times(args.times)
    db = open_db(args)
    now, tz = _clock(db)
    today = now.astimezone(tz).date()
    start = parse_day(args.start, today=today, allow_future=True)
    end = parse_day(args.end, today=today, allow_future=True) if args.end else None
    with confirm_with("--force"), db.write() as session:
        med = meds.find_medication(session=session, name=args.med)
        dose = _amount_mg(session, med, args.dose)
        meds.set_prescription(
            session=session,
            medication_id=med.id or 0,
            dose_mg=dose,
            times=times,
            start_date=start,
            end_date=end,
            prescriber=args.prescriber,
            confirmed=args.force,
        )
        name, warning = med.name, drops_warning(med.name, med.form)
    clock = ", ".join(t.strftime("%H:%M") for t in times)
    print(f"{name}: {format_mg(dose)} at {clock} from {start.isoformat()}")
    if warning:
        print(warning)
    return 0


def cmd_log_dose(args: argparse.Namespace) -> int:
    from tracker.domain.drugs import drops_warning
    from tracker.domain.errors import TrackerError
    from tracker.domain.units import format_mg, parse_when
    from tracker.services import doses, meds

    if args.snooze is not None:
        return _snooze_dose(args)
    db = open_db(args)
    now, tz = _clock(db)
    at = parse_when(args.at, now=now, tz=tz)
    with confirm_with("--force"), db.write() as session:
        med = meds.find_medication(session=session, name=args.med)
        # Without an amount the dose fills the scheduled dose near the time with the dose that
        # slot expects: the prescription's, or the day's row of a running micro-step table (D8).
        amount = _amount_mg(session, med, args.amount) if args.amount is not None else None
        if (
            amount is None
            and not args.skipped
            and not doses.has_open_slot(session=session, medication_id=med.id or 0, at=at, now=now, tz=tz)
        ):
            raise TrackerError(
                "give the amount taken, such as 20mg or 1 tablet (or --snooze 30m to put it off)"
            )
        event = doses.log_dose(
            session=session,
            medication_id=med.id or 0,
            amount_mg=amount,
            taken_at=at,
            skipped=args.skipped,
            force=args.force,
            note=args.note,
            now=now,
            tz=tz,
        )
        slot = event.scheduled_for
        amount = event.amount_mg
        status, name = event.status, med.name
        warning = drops_warning(med.name, med.form)
        overdose = (
            doses.overdose_now(session=session, medication_id=med.id or 0, day=event.day)
            if status != "skipped"
            else None
        )
    when = at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if status == "skipped":
        print(f"{name}: the {slot.astimezone(tz).strftime('%H:%M') if slot else ''} dose marked skipped")
    elif slot is not None:
        print(f"{name} {format_mg(amount)} taken {when} (the {slot.astimezone(tz).strftime('%H:%M')} dose)")
    else:
        print(f"{name} {format_mg(amount)} taken {when} (an extra dose)")
    if warning:
        print(warning)
    if overdose:  # R12 at once, as R8's crisis text is: urgent, with what to do now
        from tracker.domain.safety import OVERDOSE_TEXT

        print(f"Possible overdose: {overdose}. {OVERDOSE_TEXT}")
    return 0


def _snooze_dose(args: argparse.Namespace) -> int:
    from tracker.domain.errors import TrackerError
    from tracker.domain.notify_policy import MISSED_AFTER, parse_snooze
    from tracker.services import doses, meds

    if args.amount is not None or args.skipped or args.at != "now":
        raise TrackerError("--snooze puts off the dose due now: give no amount, --at or --skipped with it")
    try:
        length = parse_snooze(args.snooze)
    except ValueError as exc:
        raise TrackerError(str(exc)) from exc
    db = open_db(args)
    now, tz = _clock(db)
    with db.write() as session:
        med = meds.find_medication(session=session, name=args.med)
        slot, until = doses.snooze_dose(
            session=session, medication_id=med.id or 0, length=length, now=now, tz=tz
        )
        name = med.name
    at = slot.scheduled_for.astimezone(tz)
    print(
        f"{name}: the {at:%H:%M} dose is snoozed until {until.astimezone(tz):%H:%M}; "
        f"it still counts as missed at {(slot.scheduled_for + MISSED_AFTER).astimezone(tz):%H:%M} "
        "if not logged"
    )
    return 0


def cmd_log_symptom(args: argparse.Namespace) -> int:
    from tracker.domain.symptoms import SEVERITY_LABELS
    from tracker.domain.units import parse_day, parse_severity
    from tracker.services import symptoms

    severity = parse_severity(args.severity)
    db = open_db(args)
    now, tz = _clock(db)
    day = parse_day(args.day, today=now.astimezone(tz).date())
    with db.write() as session:
        symptom = symptoms.find_symptom(session=session, name=args.name)
        symptoms.rate_symptom(
            session=session,
            symptom_id=symptom.id or 0,
            day=day,
            severity=severity,
            comparison=args.compared,
            note=args.note,
            now=now,
        )
        name, crisis = symptom.name, symptom.is_crisis
    print(f"{name}: {severity} ({SEVERITY_LABELS[severity]}) on {day.isoformat()}")
    if crisis and severity > 0:  # R8: thoughts of self-harm at any severity, for any day
        _print_crisis_text(db)
    return 0


def _print_crisis_text(db: Database) -> None:
    """R8 from the command line: the crisis help text from Settings, as soon as a crisis entry is logged."""
    from tracker.domain.safety import DEFAULT_CRISIS_TEXT
    from tracker.services.settings import get_setting

    with db.read() as session:
        text = get_setting(session=session, key="crisis_text")
    print(text.strip() if isinstance(text, str) and text.strip() else DEFAULT_CRISIS_TEXT)


def cmd_log_checkin(args: argparse.Namespace) -> int:
    from tracker.domain.units import parse_day, parse_mood, parse_sleep
    from tracker.services import checkins

    mood = parse_mood(args.mood)
    sleep = parse_sleep(args.sleep) if args.sleep is not None else None
    db = open_db(args)
    now, tz = _clock(db)
    day = parse_day(args.day, today=now.astimezone(tz).date())
    kwargs: dict[str, Any] = {"mood": mood}
    if sleep is not None:
        kwargs["sleep_hours"] = sleep
    if args.note is not None:
        kwargs["note"] = args.note
    with db.write() as session:
        checkins.set_checkin(
            session=session, day=day, is_baseline=True if args.baseline else None, now=now, **kwargs
        )
    print(
        f"Check-in for {day.isoformat()}: mood {mood}" + (f", sleep {sleep:g} h" if sleep is not None else "")
    )
    from tracker.domain.safety import CRISIS_MOOD_MAX

    if mood <= CRISIS_MOOD_MAX:  # R8: a very low mood, for any day
        _print_crisis_text(db)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from tracker.domain.timeutil import utc_now
    from tracker.domain.units import format_mg, parse_day
    from tracker.services import day as day_service
    from tracker.services import reminders_service, taper_status
    from tracker.services.settings import user_zone

    with reads(args) as source:
        now, tz = utc_now(), user_zone(session=source)
        day = parse_day(args.day, today=now.astimezone(tz).date())
        summary = day_service.day_summary(session=source, day=day, now=now, tz=tz)
        reminders = reminders_service.active_reminders(session=source, now=now, tz=tz)
        taper = [c.line() for c in taper_status.current_steps(session=source, day=day)]
    if args.json:
        data = summary.as_json()
        data["taper"] = taper
        data["reminders"] = [r.as_json() for r in reminders]
        emit_json(data)
        return 0
    print(f"{day.strftime('%A %d %B %Y')}")
    if not summary.slots:
        print("  No doses scheduled.")
    for s in summary.slots:
        extra = f" at {s.taken_at.astimezone(tz).strftime('%H:%M')}" if s.taken_at else ""
        clock = s.local_time.strftime("%H:%M")
        print(f"  {clock}  {s.medication_name} {format_mg(s.dose_mg)}  {s.status}{extra}")
    for line in taper:  # where a running plan stands (a micro-step's row of the day, D8)
        print(f"  {line}")
    if summary.entries:
        logged = ", ".join(f"{e.symptom_name} {e.severity}" for e in summary.entries if e.severity)
        print(f"  Symptoms: {logged or 'none above 0'} (burden {summary.burden})")
    else:
        print("  Symptoms: not logged")
    if summary.checkin and summary.checkin.mood is not None:
        print(
            f"  Mood {summary.checkin.mood}/10"
            + (
                f", sleep {summary.checkin.sleep_hours:g} h"
                if summary.checkin.sleep_hours is not None
                else ""
            )
        )
    for r in reminders:
        print(f"  [{r.severity}] {r.message}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """The file's integrity, then every stored record against the plan rules and settings bounds.

    Plain sqlite3 reads only (``tracker.store``, ``tracker.guards``): the ORM is never imported.
    """
    from tracker.guards import file_problems
    from tracker.store import integrity_check

    path, _ = resolve_db(args)
    problems = integrity_check(path)
    if problems:
        print(f"tracker: {path} has problems: {'; '.join(problems[:5])}", file=sys.stderr)
        return 1
    broken = file_problems(path)
    if broken:
        for line in broken:
            print(f"  {line}")
        print(
            f"tracker: {path}: {len(broken)} stored "
            + ("record breaks" if len(broken) == 1 else "records break")
            + " a safety rule (listed above); the file itself is sound",
            file=sys.stderr,
        )
        return 1
    print(f"{path}: ok")
    return 0


def cmd_symptoms(args: argparse.Namespace) -> int:
    from tracker.queries import symptoms

    with reads(args) as source:
        rows = symptoms.list_symptoms(session=source)
    if args.json:
        emit_json(
            [
                {
                    "key": s.key,
                    "name": s.name,
                    "group": s.group,
                    "aliases": [a for a in s.aliases.split(",") if a],
                }
                for s in rows
            ]
        )
        return 0
    group = None
    for s in rows:
        if s.group != group:
            group = s.group
            print(f"{group}:")
        print(f"  {s.key:<20} {s.name}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from tracker.services import audit

    db = open_db(args)
    with db.write(audit=False) as session:
        result = audit.undo_last(session=session)
    print(result.describe())
    return 0
