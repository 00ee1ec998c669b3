"""The "Desktop notifications" section of Settings (issue 14): names on the lock screen, quiet
hours, repeat intervals, and a switch per kind of reminder.

Kept apart from ``settings.py`` so the screen only composes, shows and saves it. The
checks are the service's own (``notify_policy.check_setting``, the same that guards every
way into the settings table), so the screen cannot accept what an import would refuse.
Urgent reminders have no switch: no setting silences them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.widgets import Checkbox, Input, Select, Static

from tracker.domain import notify_policy as policy

Row = Callable[..., ComposeResult]

WORDS = {
    "notify_show_names": "medication names in notifications",
    "notify_quiet_hours": "quiet hours",
    "notify_urgent_repeat_hours": "urgent repeat",
    "notify_dose_repeat_minutes": "dose repeat",
    "notify_kinds_off": "notification kinds",
}
NAME_OPTIONS = (("no: the text says only that a dose is due", "no"), ("yes: show the medication", "yes"))


def compose(row: Row) -> ComposeResult:
    """The section's widgets, laid out with the screen's own ``row`` helper."""
    yield Static("Desktop notifications", classes="section-title")
    yield Static(
        "Sent by `tracker remind --notify`; turn them on with `tracker remind install`. "
        "Urgent reminders always notify, even in quiet hours.",
        classes="setting-help",
    )
    yield from row(
        "notify_show_names",
        "Medication names",
        Select(NAME_OPTIONS, value="no", allow_blank=False, compact=True, id="set-notify_show_names"),
    )
    yield from row(
        "notify_quiet_hours",
        "Quiet hours",
        Input(placeholder="off, or such as 22:00-07:00", compact=True, id="set-notify_quiet_hours"),
    )
    lo, hi = policy.URGENT_REPEAT_BOUNDS
    yield from row(
        "notify_urgent_repeat_hours",
        "Urgent repeat (h)",
        Input(
            placeholder=str(policy.DEFAULT_URGENT_REPEAT_HOURS),
            compact=True,
            id="set-notify_urgent_repeat_hours",
        ),
        f"{lo}-{hi} hours, until you act on it",
    )
    lo, hi = policy.DOSE_REPEAT_BOUNDS
    yield from row(
        "notify_dose_repeat_minutes",
        "Dose repeat (min)",
        Input(
            placeholder=str(policy.DEFAULT_DOSE_REPEAT_MINUTES),
            compact=True,
            id="set-notify_dose_repeat_minutes",
        ),
        f"{lo}-{hi} minutes, once",
    )
    with Horizontal(classes="setting-row"):
        yield Static("Notify me about", classes="setting-label")
        yield Static("(untick to switch a kind off)", classes="setting-note")
    for rule, words in policy.KINDS.items():
        yield Checkbox(f"{rule} {words}", value=True, compact=True, id=f"set-kind-{rule}", classes="kind-box")
    error = Static("", classes="setting-error", id="err-notify_kinds_off")
    error.display = False
    yield error


def show(screen: DOMNode, values: Mapping[str, Any]) -> None:
    """Fill the section from stored settings (defaults where nothing is stored)."""
    names = screen.query_one("#set-notify_show_names", Select)
    with names.prevent(Select.Changed):
        names.value = "yes" if values.get("notify_show_names") is True else "no"
    quiet = values.get("notify_quiet_hours")
    screen.query_one("#set-notify_quiet_hours", Input).value = quiet if isinstance(quiet, str) else ""
    for key, default in (
        ("notify_urgent_repeat_hours", policy.DEFAULT_URGENT_REPEAT_HOURS),
        ("notify_dose_repeat_minutes", policy.DEFAULT_DOSE_REPEAT_MINUTES),
    ):
        value = values.get(key)
        shown = "" if value in (None, default) or isinstance(value, bool) else str(value)
        screen.query_one(f"#set-{key}", Input).value = shown
    off = values.get("notify_kinds_off")
    off_set = set(off) if isinstance(off, list) else set()
    for rule in policy.KINDS:
        screen.query_one(f"#set-kind-{rule}", Checkbox).value = rule not in off_set


def _number(raw: str, default: int) -> int | str:
    text = raw.strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return text  # check_setting names the problem


def check(
    fields: Mapping[str, str], show_names: str, ticked: Iterable[tuple[str, bool]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Settings to store and messages by field name, from what the section shows (pure)."""
    values: dict[str, Any] = {
        "notify_show_names": show_names == "yes",
        "notify_quiet_hours": fields.get("notify_quiet_hours", "").strip(),
        "notify_urgent_repeat_hours": _number(
            fields.get("notify_urgent_repeat_hours", ""), policy.DEFAULT_URGENT_REPEAT_HOURS
        ),
        "notify_dose_repeat_minutes": _number(
            fields.get("notify_dose_repeat_minutes", ""), policy.DEFAULT_DOSE_REPEAT_MINUTES
        ),
        "notify_kinds_off": [rule for rule, on in ticked if not on],
    }
    errors: dict[str, str] = {}
    for key, value in values.items():
        try:
            policy.check_setting(key, value)
        except ValueError as exc:
            errors[key] = str(exc)
    return {k: v for k, v in values.items() if k not in errors}, errors


def merge(screen: DOMNode, values: dict[str, Any], errors: dict[str, str]) -> None:
    """Add the section's settings and errors to the screen's (before it saves)."""
    fields = {
        key: screen.query_one(f"#set-{key}", Input).value
        for key in ("notify_quiet_hours", "notify_urgent_repeat_hours", "notify_dose_repeat_minutes")
    }
    names = screen.query_one("#set-notify_show_names", Select).value
    ticked = [(rule, screen.query_one(f"#set-kind-{rule}", Checkbox).value) for rule in policy.KINDS]
    found, problems = check(fields, str(names), ticked)
    values.update(found)
    errors.update(problems)
