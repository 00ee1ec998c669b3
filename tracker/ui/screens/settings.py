"""Settings screen: time zone, theme, reminder thresholds, crisis text, name, where the data lives.

The theme and the "schedules follow" choice apply as soon as they are picked;
the text fields are checked one by one and saved together (Enter or ctrl+s),
in one write, so one undo reverts them. The home time zone is editable only while
dose times keep home time (the travel rule); switching to home time with none set
makes the current time zone the home one. Reminder thresholds show DOMAIN.md's
defaults; only the ones the user changes are stored, in "reminder_thresholds".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Header, Input, Label, Select, Static

from tracker.domain.bounds import BOUNDS
from tracker.domain.reminders import ReminderSettings
from tracker.domain.timeutil import complete_zone, parse_zone
from tracker.ui.base import DbScreen
from tracker.ui.screens import settings_notify
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.forms import sentence
from tracker.ui.widgets.zone_suggester import ZoneInput

if TYPE_CHECKING:
    from sqlmodel import Session

FOLLOW_OPTIONS = (
    ("the time zone I am in now", "current"),
    ("my home time zone", "home"),
)

SCALE_OPTIONS = (
    ("every 2 weeks during a taper", "during-taper"),
    ("every 2 weeks, always", "always"),
    ("never offer them", "off"),
)

# What each threshold means, in the words of DOMAIN.md's rules (field name -> label).
THRESHOLD_LABELS: dict[str, str] = {
    "upcoming_step_days": "R1/R2: days before a taper step to remind",
    "settle_window_days": "R2: days looked back to see if settled",
    "not_settled_burden_margin": "R2: burden above baseline counted unsettled",
    "severe_days": "R2: days with a severe symptom",
    "flare_window_days": "R3: days after a reduction to watch",
    "flare_recent_days": "R3: days in the recent average",
    "flare_before_days": "R3: days in the average before",
    "flare_ratio": "R3: recent average, times the one before",
    "flare_margin": "R3: and this much above the baseline",
    "flare_consecutive_days": "R3: consecutive severe days",
    "unplanned_change_ratio": "R4: dose differs by this fraction (0.1 = 10%)",
    "unplanned_lookback_days": "R4: days of doses checked",
    "no_dose_days": "R4: days with no dose logged",
    "missed_after_hours": "R5: hours after its time a dose is missed",
    "missed_count": "R5: missed doses that count",
    "missed_window_days": "R5: within this many days",
    "short_half_life_hours": "R5: short half-life, at or below (hours)",
    "check_in_days": "R6: days without an appointment",
    "plan_not_agreed_days": "R7: days before an unagreed first step",
    "starting_out_weeks": "R10: weeks of starting-out notes",
    "prescription_ending_days": "R11: days before a prescription ends",
}
# Not a threshold: the crisis text has its own field. The 24-hour limit on urgent reminders and
# R8's triggers are constants of tracker.domain.safety, not settings (DOMAIN.md).
FIXED_THRESHOLDS = frozenset({"crisis_text"})


@dataclass(frozen=True, slots=True)
class Threshold:
    name: str
    label: str
    default: float
    whole: bool  # a whole number (days, hours, counts) rather than a ratio


def thresholds() -> list[Threshold]:
    """The editable reminder thresholds with their DOMAIN.md defaults."""
    base = ReminderSettings()
    out = []
    for f in dataclasses.fields(base):
        if f.name in FIXED_THRESHOLDS:
            continue
        default = getattr(base, f.name)
        if isinstance(default, bool) or not isinstance(default, int | float):
            continue
        label = THRESHOLD_LABELS.get(f.name, f.name.replace("_", " "))
        out.append(Threshold(f.name, label, default, isinstance(default, int)))
    return out


def format_number(value: float) -> str:
    return f"{value:g}"


def parse_threshold(spec: Threshold, raw: str) -> float | int | None:
    """The value typed for a threshold: None for "use the default"; ValueError with a message if wrong."""
    text = raw.strip()
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a number")
    bound = BOUNDS.get(spec.name)
    if spec.whole and value != int(value):
        raise ValueError(
            f"give a whole number from {bound.low:g} to {bound.high:g}" if bound else "give a whole number"
        )
    if bound is not None and not bound.low <= value <= bound.high:
        raise ValueError(f"give a number from {bound.low:g} to {bound.high:g} so the rule keeps working")
    if bound is None and value <= 0:
        raise ValueError("give a number more than zero")
    return int(value) if spec.whole else value


def _range_note(name: str) -> str:
    bound = BOUNDS.get(name)
    return f", {bound.low:g}-{bound.high:g}" if bound else ""


def follows_help(follows: str, home: str | None, here: str) -> str:
    """What the "dose times follow" choice does, in plain words (``home`` None: the time zone)."""
    if follows != "home":
        return (
            "Dose times follow the time zone you are in: a dose set for 08:00 is due at 08:00 "
            "wherever you are. Theme and dose times apply at once."
        )
    where = home or here
    return (
        f"Dose times stay on home time ({where}): a dose set for 08:00 is due at 08:00 in {where}, "
        "shown on the clock of the zone you are in. Days and symptoms follow the time zone above."
    )


def check_settings(values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the text fields: settings to store, and messages keyed by field id.

    An empty home time zone is stored as None (use the time zone); it is checked only
    when the mapping has the field.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    zone = values.get("timezone", "").strip()
    try:
        out["timezone"] = parse_zone(zone).key  # london -> Europe/London
    except ValueError as exc:
        errors["timezone"] = str(exc) if zone else "give a time zone such as Europe/London"
    if "home_timezone" in values:
        home = values["home_timezone"].strip()
        try:
            out["home_timezone"] = parse_zone(home).key if home else None
        except ValueError as exc:
            errors["home_timezone"] = str(exc).replace("unknown time zone", "unknown home time zone", 1)
    crisis = values.get("crisis_text", "").strip()
    if not crisis:
        errors["crisis_text"] = "the crisis help text cannot be empty: it is shown when help may be needed"
    elif len(crisis) > 1000:
        errors["crisis_text"] = "the crisis help text is longer than 1000 characters"
    out["crisis_text"] = crisis
    name = values.get("patient_name", "").strip()
    if len(name) > 120:
        errors["patient_name"] = "the name is longer than 120 characters"
    out["patient_name"] = name
    overrides: dict[str, float | int] = {}
    for spec in thresholds():
        try:
            value = parse_threshold(spec, values.get(f"t-{spec.name}", ""))
        except ValueError as exc:
            errors[f"t-{spec.name}"] = str(exc)
            continue
        if value is not None and value != spec.default:
            overrides[spec.name] = value
    out["reminder_thresholds"] = overrides
    return out, errors


@dataclass(frozen=True, slots=True)
class SettingsData:
    values: dict[str, Any]


class SettingsScreen(DbScreen):
    """Every setting on one scrolling page."""

    CSS_PATH = "settings.tcss"
    SUB_TITLE = "Settings"
    AUTO_FOCUS = "#set-theme"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings-save", tooltip="Save the text fields and thresholds"),
        Binding(
            "escape",
            "leave_field",
            "Leave field",
            id="settings-leave-field",
            tooltip="Leave the field, so the letter keys switch screens again",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Static("Appearance and time", classes="section-title")
            yield from self._row("theme", "Theme", Select([], allow_blank=True, compact=True, id="set-theme"))
            yield from self._row(
                "timezone",
                "Time zone",
                ZoneInput(
                    placeholder="a city or an IANA name, such as London", compact=True, id="set-timezone"
                ),
            )
            yield from self._row(
                "schedule_follows",
                "Dose times follow",
                Select(
                    FOLLOW_OPTIONS,
                    value="current",
                    allow_blank=False,
                    compact=True,
                    id="set-schedule_follows",
                ),
            )
            yield from self._row(
                "home_timezone",
                "Home time zone",
                ZoneInput(
                    placeholder="used when dose times stay on home time",
                    compact=True,
                    disabled=True,
                    id="set-home_timezone",
                ),
            )
            yield Static(follows_help("current", None, ""), classes="setting-help", id="follows-help")
            yield Static("You", classes="section-title")
            yield from self._row(
                "patient_name",
                "Your name",
                Input(placeholder="optional; shown on exports", compact=True, id="set-patient_name"),
            )
            yield from self._row("crisis_text", "Crisis help text", Input(compact=True, id="set-crisis_text"))
            yield Static("Shown at once whenever help may be needed.", classes="setting-help")
            yield from self._row(
                "scale_checkin",
                "PHQ-9/GAD-7",
                Select(
                    SCALE_OPTIONS,
                    value="during-taper",
                    allow_blank=False,
                    compact=True,
                    id="set-scale_checkin",
                ),
            )
            yield Static(
                "Today offers the mood and anxiety scores every 2 weeks (optional; Q fills them in).",
                classes="setting-help",
            )
            yield Static("Reminder thresholds", classes="section-title")
            yield Static(
                "Empty uses the default of reminder rules R1-R11 (see Help). Reminders never suggest a dose.",
                classes="setting-help",
            )
            for spec in thresholds():
                yield from self._row(
                    f"t-{spec.name}",
                    spec.label,
                    Input(placeholder=format_number(spec.default), compact=True, id=f"set-t-{spec.name}"),
                    f"default {format_number(spec.default)}" + _range_note(spec.name),
                    classes="threshold-row",
                )
            yield from settings_notify.compose(self._row)
            yield Static("Your data", classes="section-title")
            yield Static("", id="data-location")
            with Horizontal(id="settings-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="settings-save", compact=True)
            yield Static("", id="settings-status")
        yield KeyFooter()

    @staticmethod
    def _row(
        name: str, label: str, widget: Input | Select[str], note: str = "", classes: str = ""
    ) -> ComposeResult:
        with Horizontal(classes=f"setting-row {classes}".strip()):
            yield Label(label, classes="setting-label")
            yield widget
            if note:
                yield Label(note, classes="setting-note")
        error = Static("", classes="setting-error", id=f"err-{name}")
        error.display = False
        yield error

    def on_mount(self) -> None:
        themes = sorted(self.app.available_themes)
        theme = self.query_one("#set-theme", Select)
        theme.set_options([(name, name) for name in themes])
        theme.value = self.app.theme
        from tracker.paths import backups_dir

        db = self.tracker_app.db_path
        self.query_one("#data-location", Static).update(
            f"Database: {db}\nBackups: {backups_dir(db)}\n"
            "Everything stays on this computer, readable by your user account only."
        )

    def on_screen_resume(self) -> None:
        self.reload()

    # -- data -------------------------------------------------------------
    def reload(self) -> None:
        def fetch(session: Session) -> SettingsData:
            from tracker.services import settings

            complete_zone("utc")  # reads the zone names once, here in the worker thread, not as keys arrive
            return SettingsData(settings.all_settings(session=session))

        self.run_db(fetch, self._show, group="settings-load", exclusive=True)

    def _show(self, data: SettingsData) -> None:
        values = data.values
        self.loaded = dict(values)
        self._set_input("timezone", str(values.get("timezone") or ""))
        self._set_input("home_timezone", str(values.get("home_timezone") or ""))
        self._set_input("patient_name", str(values.get("patient_name") or ""))
        self._set_input("crisis_text", str(values.get("crisis_text") or ""))
        theme = self.query_one("#set-theme", Select)
        if theme.value != self.app.theme:
            with theme.prevent(Select.Changed):
                theme.value = self.app.theme
        scale_select = self.query_one("#set-scale_checkin", Select)
        with scale_select.prevent(Select.Changed):
            mode = values.get("scale_checkin")
            scale_select.value = mode if mode in dict(SCALE_OPTIONS).values() else "during-taper"
        follows = self.query_one("#set-schedule_follows", Select)
        with follows.prevent(Select.Changed):
            follows.value = "home" if values.get("schedule_follows") == "home" else "current"
        self._show_follows(str(follows.value))
        stored = values.get("reminder_thresholds")
        overrides = stored if isinstance(stored, dict) else {}
        for spec in thresholds():
            value = overrides.get(spec.name)
            self._set_input(f"t-{spec.name}", format_number(value) if isinstance(value, int | float) else "")
        settings_notify.show(self, values)
        self._show_errors({})

    def _set_input(self, name: str, value: str) -> None:
        self.query_one(f"#set-{name}", Input).value = value

    def _fields(self) -> dict[str, str]:
        out = {}
        for widget in self.query(Input):
            if widget.id and widget.id.startswith("set-"):
                out[widget.id[4:]] = widget.value
        return out

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        for label in self.query(".setting-error").results(Static):
            name = (label.id or "")[4:]
            text = errors.get(name, "")
            label.update(sentence(text))
            label.display = bool(text)
        first = next((n for n in self._fields() if errors.get(n)), None)
        if first is not None:
            field = self.query_one(f"#set-{first}", Input)
            field.focus()
            field.scroll_visible()

    def _show_follows(self, follows: str) -> None:
        """Enable the home zone only while dose times keep home time, and say what the choice does."""
        self.query_one("#set-home_timezone", Input).disabled = follows != "home"
        home = self.loaded.get("home_timezone")
        self.query_one("#follows-help", Static).update(
            follows_help(follows, str(home) if home else None, str(self.loaded.get("timezone") or ""))
        )

    def _status(self, text: str) -> None:
        self.query_one("#settings-status", Static).update(text)

    # -- saving -----------------------------------------------------------
    def action_save(self) -> None:
        values, errors = check_settings(self._fields())
        settings_notify.merge(self, values, errors)
        self._show_errors(errors)
        if errors:
            self._status("Not saved: correct the fields marked in red.")
            return
        changed = {k: v for k, v in values.items() if self.loaded.get(k) != v}
        if not changed:
            self._status("Nothing changed.")
            return

        def write(session: Session) -> list[str]:
            from tracker.services import settings

            for key, value in changed.items():
                settings.set_setting(session=session, key=key, value=value)
            return sorted(changed)

        self.run_db(write, self._saved, write=True, on_error=self._save_failed)

    def _saved(self, keys: list[str]) -> None:
        words = {
            "timezone": "time zone",
            "home_timezone": "home time zone",
            "crisis_text": "crisis help text",
            "patient_name": "your name",
            "reminder_thresholds": "reminder thresholds",
            **settings_notify.WORDS,
        }
        text = "Saved: " + ", ".join(words.get(k, k) for k in keys) + "."
        self._status(text)
        self.notify(text, title="Settings")
        self.reload()

    def _save_failed(self, message: str) -> None:
        field = (
            "home_timezone"
            if "home time zone" in message
            else "timezone"
            if "time zone" in message
            else "crisis_text"
            if "crisis" in message
            else ""
        )
        if field:
            self._show_errors({field: message})
        self._status(f"Not saved: {sentence(message)}")

    def _save_one(self, key: str, value: str, done: str) -> None:
        def write(session: Session) -> None:
            from tracker.services import settings

            settings.set_setting(session=session, key=key, value=value)

        def saved(_: None) -> None:
            self.loaded[key] = value
            self._status(done)

        self.run_db(write, saved, write=True, on_error=self._save_failed)

    @on(Select.Changed, "#set-theme")
    def _theme_changed(self, event: Select.Changed) -> None:
        name = event.value
        if not isinstance(name, str) or name not in self.app.available_themes:
            return
        if name != self.app.theme:
            self.app.theme = name  # applies at once
        if self.loaded and self.loaded.get("theme") != name:
            self._save_one("theme", name, f"Theme {name} saved.")

    @on(Select.Changed, "#set-scale_checkin")
    def _scale_checkin_changed(self, event: Select.Changed) -> None:
        value = str(event.value)
        if self.loaded and self.loaded.get("scale_checkin") != value:
            self._save_one("scale_checkin", value, "PHQ-9/GAD-7 check-in saved.")

    @on(Select.Changed, "#set-schedule_follows")
    def _follows_changed(self, event: Select.Changed) -> None:
        value = str(event.value)
        if not self.loaded or self.loaded.get("schedule_follows") == value:
            return

        def write(session: Session) -> str | None:
            from tracker.services import settings

            # Switching to home time with no home zone set stores the current time zone as home.
            settings.set_setting(session=session, key="schedule_follows", value=value)
            home = settings.get_setting(session=session, key="home_timezone")
            return str(home) if home else None

        def saved(home: str | None) -> None:
            self.loaded["schedule_follows"] = value
            if home != self.loaded.get("home_timezone"):
                self.loaded["home_timezone"] = home
                self._set_input("home_timezone", home or "")
            self._show_follows(value)
            if value == "home":
                self._status(f"Dose times now stay on home time: {home or self.loaded.get('timezone')}.")
            else:
                self._status("Dose times now follow the time zone you are in.")

        self.run_db(write, saved, write=True, on_error=self._save_failed)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#settings-save")
    def _save_pressed(self) -> None:
        self.action_save()

    def action_leave_field(self) -> None:
        self.set_focus(None)
