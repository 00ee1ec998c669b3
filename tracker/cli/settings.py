"""``tracker settings show|set|reset``: the settings from the command line, within their bounds.

The reminder thresholds are set by their names (``tracker settings set flare_ratio 2.5``) and
checked against ``tracker.domain.bounds``, as the Settings screen and the JSON import check
them; the 24-hour limit on urgent reminders and the crisis triggers are constants, not
settings, and are refused by name. Other settings are set by their keys (``timezone``,
``crisis_text``, ``patient_name``, ``schedule_follows``, ``home_timezone``, ``theme``,
``notify_*``) and checked by ``tracker.services.settings.set_setting``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from tracker.cli.common import emit_json
from tracker.cli.core import open_db
from tracker.domain.errors import TrackerError

DbArg = Callable[[argparse.ArgumentParser], None]

# Program state, not preferences: shown, never set from here.
_INTERNAL = frozenset({"disclaimer_acknowledged", "first_run_done", "is_demo", "timezone_history"})
_THRESHOLDS = "reminder_thresholds"


def register(sub: Any, db_arg: DbArg) -> None:
    group = sub.add_parser("settings", help="show, set or reset settings and reminder thresholds")
    actions = group.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    p = actions.add_parser("show", help="every setting, and each reminder threshold with its bounds")
    db_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
    p = actions.add_parser("set", help="set a setting or a reminder threshold (checked against its bounds)")
    db_arg(p)
    p.add_argument("key", help="a setting (timezone, crisis_text, ...) or a threshold (flare_ratio, ...)")
    p.add_argument("value")
    p.set_defaults(handler=cmd_set)
    p = actions.add_parser("reset", help="put a setting or a reminder threshold back to its default")
    db_arg(p)
    p.add_argument("key", help="a setting, a threshold, or 'thresholds' for every threshold")
    p.set_defaults(handler=cmd_reset)


def _check_key(key: str) -> str:
    """'threshold' or 'setting' for a key that can be set here; TrackerError otherwise."""
    from tracker.domain import bounds
    from tracker.services.settings import DEFAULTS

    if key in bounds.SAFETY_NAMES:
        raise TrackerError(f"{key}: {bounds.CONSTANT_NOT_SETTING}")
    if key in bounds.BOUNDS:
        return "threshold"
    if key in DEFAULTS and key not in _INTERNAL and key != _THRESHOLDS:
        return "setting"
    raise TrackerError(f"{key!r} is not a setting (see `tracker settings show`)")


def _number(key: str, text: str) -> float | int:
    from tracker.domain.bounds import BOUNDS

    bound = BOUNDS[key]
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise TrackerError(f"{key} must be a number from {bound.describe()}") from None
    problem = bound.problem(value)
    if problem:
        raise TrackerError(problem)
    return int(value) if bound.whole else value


def _value(key: str, text: str) -> Any:
    """The typed value of a setting given as text (notification settings are JSON or plain text)."""
    if key == "home_timezone" and text.strip().lower() in ("", "none"):
        return None
    if key.startswith("notify_"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def cmd_show(args: argparse.Namespace) -> int:
    from tracker.domain.bounds import BOUNDS, within_bounds
    from tracker.services.settings import all_settings

    db = open_db(args)
    with db.read() as session:
        values = all_settings(session=session)
    stored = values.get(_THRESHOLDS) or {}
    kept = within_bounds(stored)
    thresholds = {
        name: {
            "value": kept.get(name, b.default if not b.whole else int(b.default)),
            "default": int(b.default) if b.whole else b.default,
            "low": b.low,
            "high": b.high,
            "whole": b.whole,
        }
        for name, b in BOUNDS.items()
    }
    if args.json:
        emit_json(
            {
                "settings": {k: v for k, v in values.items() if k not in (_THRESHOLDS, "timezone_history")},
                "thresholds": thresholds,
            }
        )
        return 0
    for key, value in values.items():
        if key in (_THRESHOLDS, "timezone_history"):
            continue
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    print("reminder thresholds (value, default, bounds):")
    for name, t in thresholds.items():
        mark = "" if t["value"] == t["default"] else "  (changed)"
        print(f"  {name} = {t['value']:g}  (default {t['default']:g}, {t['low']:g}-{t['high']:g}){mark}")
    ignored = sorted(set(stored) - set(kept)) if isinstance(stored, dict) else []
    if ignored:
        print(f"  ignored as out of bounds or not a threshold: {', '.join(str(n) for n in ignored)}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from tracker.services.settings import get_setting, set_setting

    kind = _check_key(args.key)
    db = open_db(args)
    with db.write() as session:
        if kind == "threshold":
            value: Any = _number(args.key, args.value)
            current = get_setting(session=session, key=_THRESHOLDS)
            merged = dict(current) if isinstance(current, dict) else {}
            merged[args.key] = value
            set_setting(session=session, key=_THRESHOLDS, value=merged)
        else:
            value = _value(args.key, args.value)
            set_setting(session=session, key=args.key, value=value)
    shown = f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else value
    print(
        f"{args.key} set to {json.dumps(shown, ensure_ascii=False) if not isinstance(shown, str) else shown}"
    )
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from tracker.services.settings import DEFAULTS, get_setting, set_setting

    key = args.key
    db = open_db(args)
    if key == "thresholds":
        with db.write() as session:
            set_setting(session=session, key=_THRESHOLDS, value={})
        print("Every reminder threshold is back to its default")
        return 0
    kind = _check_key(key)
    if key == "timezone":
        raise TrackerError(
            "the time zone has no default to go back to; set it with `tracker settings set timezone`"
        )
    with db.write() as session:
        if kind == "threshold":
            current = get_setting(session=session, key=_THRESHOLDS)
            merged = (
                {k: v for k, v in (current or {}).items() if k != key} if isinstance(current, dict) else {}
            )
            from tracker.domain.bounds import within_bounds

            set_setting(session=session, key=_THRESHOLDS, value=within_bounds(merged))
        else:
            set_setting(session=session, key=key, value=DEFAULTS[key])
    print(f"{key} is back to its default")
    return 0
