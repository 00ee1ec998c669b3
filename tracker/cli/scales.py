"""``tracker log phq9|gad7 [ANSWERS] [--day DAY] [--note TEXT]``: a validated scale for a day.

ANSWERS is one digit 0-3 per item, ``0,1,2,...`` or run together (``012...``). Without it, on
a terminal, the questions are asked one at a time with their exact wording and answer scale.
PHQ-9 item 9 above 0 prints the crisis text at once (R8), as a crisis symptom rating does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from tracker.cli.core import _clock, _print_crisis_text, open_db

DbArg = Callable[[argparse.ArgumentParser], None]


def register_log(log: Any, db_arg: DbArg) -> None:
    for key, name, count in (("phq9", "PHQ-9", 9), ("gad7", "GAD-7", 7)):
        p = log.add_parser(key, help=f"fill in the {name} for a day (every 2 weeks; optional)")
        db_arg(p)
        p.add_argument(
            "answers",
            nargs="?",
            default=None,
            help=f"{count} answers 0-3, e.g. {','.join(['0'] * count)} "
            "(0 not at all, 1 several days, 2 more than half the days, 3 nearly every day); "
            "asked one by one when left out",
        )
        p.add_argument("--day", default="today", help="the day it is for (backfill), default today")
        p.add_argument("--note", default=None)
        p.set_defaults(handler=cmd_log_scale, scale=key)


def _ask(scale: Any) -> tuple[int, ...]:
    """Ask each item on the terminal; the answer is a digit 0-3, asked again until it is one."""
    from tracker.domain.scales import ANSWERS, QUESTION

    print(f"{scale.name}. {QUESTION}")
    print("  " + "   ".join(f"{i} {label}" for i, label in enumerate(ANSWERS)))
    answers: list[int] = []
    for number, item in enumerate(scale.items, start=1):
        while True:
            reply = input(f"{number}. {item} [0-3]: ").strip()
            if reply in {"0", "1", "2", "3"}:
                answers.append(int(reply))
                break
            print("  Please answer with one digit, 0 to 3.")
    return tuple(answers)


def cmd_log_scale(args: argparse.Namespace) -> int:
    from tracker.domain.errors import TrackerError
    from tracker.domain.scales import band_for, parse_answers, scale_for
    from tracker.domain.units import parse_day
    from tracker.services import scales

    scale = scale_for(args.scale)
    if args.answers is not None:
        answers = parse_answers(scale, args.answers)
    elif sys.stdin.isatty():
        answers = None
    else:
        raise TrackerError(f"give the {len(scale.items)} answers, e.g. {','.join(['0'] * len(scale.items))}")
    if args.note is not None and len(args.note) > 4000:
        raise TrackerError("the note is longer than 4000 characters")
    db = open_db(args)
    now, tz = _clock(db)
    today = now.astimezone(tz).date()
    day = parse_day(args.day, today=today)
    if answers is None:
        answers = _ask(scale)
    with db.write() as session:
        row = scales.record_scale(
            session=session, scale=scale, day=day, answers=answers, today=today, note=args.note, now=now
        )
        total = row.total
    band = band_for(scale, total)
    print(
        f"{scale.name} for {day.isoformat()}: {total} of {scale.max_total} "
        f"({band.label}; a score, not a diagnosis)"
    )
    if scales.is_crisis_answer(scale, answers):  # R8: PHQ-9 item 9 above 0, at once
        _print_crisis_text(db)
    return 0
