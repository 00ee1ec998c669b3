"""``tracker remind``: the reminders due now, desktop notifications, and the timer that sends them.

- ``tracker remind [--json]`` prints what is due (exit 10 when something is, 0 when not).
- ``tracker remind --notify`` also sends, as desktop notifications, only what is new
  (``tracker.services.notify``); a timer runs it every 15 minutes.
- ``tracker remind install [--every 15m]`` / ``uninstall`` / ``status``: the per-user
  timer (``tracker.system.timer``).

The notification library is imported only when something is sent; Textual never.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracker.cli.common import emit_json
from tracker.cli.core import open_db, reads
from tracker.domain.errors import TrackerError

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.db import Database
    from tracker.store import Reads

DbArg = Callable[[argparse.ArgumentParser], None]

EXIT_REMINDERS = 10  # `tracker remind`: reminders are due
MAX_WAIT = 3600.0


def register(sub: Any, db_arg: DbArg) -> None:
    p = sub.add_parser(
        "remind",
        help="print the reminders due now (exit 10 when there are some, 0 when none); "
        "--notify sends the new ones as desktop notifications",
    )
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--notify",
        action="store_true",
        help="also send what is new as desktop notifications (each reminder once; see README)",
    )
    p.add_argument(
        "--wait",
        default="0",
        metavar="SECONDS",
        help="with --notify: listen this long for 'Taken' or 'Snooze' on a dose notification (default 0)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing (for a timer)")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)  # tests: the instant of this run (ISO)
    p.set_defaults(handler=cmd_remind)
    actions = p.add_subparsers(dest="remind_command", metavar="ACTION", required=False)
    q = actions.add_parser("install", help="run `tracker remind --notify` from a timer for this user")
    db_arg(q)
    q.add_argument("--every", default="15m", help="5m, 10m, 15m, 20m, 30m or 1h (default 15m)")
    q.add_argument("--files-only", action="store_true", help="write the files but do not switch them on")
    q.set_defaults(handler=cmd_install)
    q = actions.add_parser("uninstall", help="remove the reminder timer")
    db_arg(q)
    q.set_defaults(handler=cmd_uninstall)
    q = actions.add_parser("status", help="whether the reminder timer is installed, and its last run")
    db_arg(q)
    q.set_defaults(handler=cmd_status)


def _clock(source: Reads, given: str | None) -> tuple[datetime, ZoneInfo]:
    from datetime import datetime

    from tracker.domain.timeutil import as_utc, utc_now
    from tracker.services.settings import user_zone

    tz = user_zone(session=source)
    if given is None:
        return utc_now(), tz
    try:
        moment = datetime.fromisoformat(given)
    except ValueError as exc:
        raise TrackerError("--now is an ISO date and time, such as 2026-12-02T08:00+00:00") from exc
    return as_utc(moment.replace(tzinfo=moment.tzinfo or tz)), tz


def _wait(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_WAIT:
        raise TrackerError(f"--wait is a number of seconds from 0 to {MAX_WAIT:g}")
    return value


def cmd_remind(args: argparse.Namespace) -> int:
    from tracker.services import reminders_service

    wait = _wait(args.wait)
    if args.notify:  # it records what it sent: the full open
        db = open_db(args)
        with db.read() as session:
            now, tz = _clock(session, args.now)
            reminders = reminders_service.active_reminders(session=session, now=now, tz=tz)
    else:  # only reads: plain SQL, no ORM
        with reads(args) as source:
            now, tz = _clock(source, args.now)
            reminders = reminders_service.active_reminders(session=source, now=now, tz=tz)
    if args.quiet:
        pass
    elif args.json:
        emit_json([r.as_json() for r in reminders])
    elif not reminders:
        print("No reminders now.")
    else:
        for r in reminders:
            print(f"[{r.severity}] {r.message}")
            print(f"    why: {r.why}")
    if args.notify:
        _notify(args, db, now, tz, wait)
    return EXIT_REMINDERS if reminders else 0


def _notify(args: argparse.Namespace, db: Database, now: datetime, tz: ZoneInfo, wait: float) -> None:
    from tracker.services import notify

    def sender() -> notify.Sender:
        from tracker.system.desktop import DesktopSender

        return DesktopSender()

    result = notify.run(db, now=now, tz=tz, sender=sender, wait=wait)
    if result.problem:
        print(f"tracker: could not send a desktop notification: {result.problem}", file=sys.stderr)
    for interaction in result.interactions:
        line = _act(args, db, interaction, now, tz)
        if line and not args.quiet:
            print(line)


def _act(args: argparse.Namespace, db: Database, interaction: Any, now: datetime, tz: ZoneInfo) -> str | None:
    """Carry out what the user chose on a notification."""
    from datetime import timedelta

    from tracker.domain.notify_policy import SNOOZE_CHOICES_MINUTES
    from tracker.domain.timeutil import as_utc, utc_now
    from tracker.services import doses

    if interaction.action == "clicked":
        from tracker.system.desktop import open_tracker

        return open_tracker(getattr(args, "db", None))
    dose = interaction.dose
    if dose is None or dose.medication_id is None or dose.at is None:
        return None
    moment = max(as_utc(now), utc_now()) if args.now is None else as_utc(now)
    try:
        with db.write() as session:
            if interaction.action == "taken":
                doses.log_dose(
                    session=session,
                    medication_id=dose.medication_id,
                    scheduled_for=as_utc(dose.at),
                    taken_at=moment,
                    now=moment,
                    tz=tz,
                )
                return f"Logged the {as_utc(dose.at).astimezone(tz):%H:%M} dose as taken."
            _, until = doses.snooze_dose(
                session=session,
                medication_id=dose.medication_id,
                length=timedelta(minutes=SNOOZE_CHOICES_MINUTES),
                now=moment,
                tz=tz,
                scheduled_for=as_utc(dose.at),
            )
            return (
                f"Snoozed the {as_utc(dose.at).astimezone(tz):%H:%M} dose until {until.astimezone(tz):%H:%M}."
            )
    except TrackerError as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return None


def cmd_install(args: argparse.Namespace) -> int:
    from tracker.cli.common import resolve_db
    from tracker.system import timer

    every = timer.parse_every(args.every)
    given = getattr(args, "db", None)
    db = str(resolve_db(args)[0]) if given or _env_db() else None
    outcome = timer.install(every=every, db=db, activate=not args.files_only)
    for line in outcome.lines:
        print(line)
    return 0


def _env_db() -> bool:
    import os

    return bool(os.environ.get("TRACKER_DB", "").strip())


def cmd_uninstall(args: argparse.Namespace) -> int:
    from tracker.system import timer

    for line in timer.uninstall().lines:
        print(line)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from tracker.services import notify
    from tracker.system import timer

    found, where = timer.installed()
    print(f"Reminder timer: {'installed' if found else 'not installed'} ({where})")
    db = open_db(args)
    with db.read() as session:
        from tracker.services.settings import user_zone

        tz = user_zone(session=session)
        last = notify.last_run(session=session)
    if last is None:
        print("Last run: never")
    else:
        from tracker.domain.timeutil import as_utc

        when = as_utc(last.last_run_at).astimezone(tz)
        print(
            f"Last run: {when:%Y-%m-%d %H:%M} ({tz.key}), "
            f"{last.sent} notification{'s' if last.sent != 1 else ''} sent"
        )
        if last.problem:
            print(f"Last problem: {last.problem}")
    if not found:
        print("Turn reminders on with: tracker remind install")
    return 0
