"""Today: the home screen. Doses of a day, reminders, and the daily check-in.

Everything saves the moment it is entered (a thread worker per change) and the
status line says what was saved. ``[`` and ``]`` move to another day to
backfill or correct it, never into the future. Each write and the reload of
the day run in one transaction, so what the screen shows is what was committed.
Reading lives in today_data.py, the changes themselves in today_actions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.domain.errors import TrackerError
from tracker.domain.plausibility import NeedsConfirmation
from tracker.ui.base import DbScreen
from tracker.ui.screens import today_actions as actions
from tracker.ui.screens.today_data import (
    DayData,
    day_title,
    dose_label,
    load_day,
    parse_dose_time,
    week_lines,
)
from tracker.ui.widgets.dose_list import DoseList
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.rows import DoseRow, next_comparison, reminder_line
from tracker.ui.widgets.symptom_list import SymptomList

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.ui.widgets.modals import DoseEntry
    from tracker.ui.widgets.reminders import ReminderChoice

DAY_GROUP = Binding.Group("Day", compact=True)


def breakpoint_classes(width: int, breakpoints: list[tuple[int, str]]) -> set[str]:
    """The class Textual's breakpoints give a screen this wide (the widest one it reaches)."""
    for breakpoint, class_name in sorted(breakpoints, reverse=True):
        if width >= breakpoint:
            return {class_name}
    return set()


_NEEDS_DAY = {"day", "go_to_date", "all_due", "mood", "sleep", "note", "baseline", "undo", "scales"}
# Single keys that change data at once: they act only while one of Today's lists has the focus
# (so a key typed into nowhere, after a dialog closed, changes nothing).
_NEEDS_LIST = {"all_due", "baseline", "undo", "snooze"}
Action = Callable[["Session", DayData], actions.Outcome]


class TodayScreen(DbScreen):
    """Doses, reminders and the check-in of one day (today unless moved with [ and ])."""

    # today.tcss is read by the app itself (TrackerApp.CSS_PATH), with app.tcss
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket",
            "day(-1)",
            "prev",
            id="today-prev-day",
            group=DAY_GROUP,
            tooltip="Go to the day before",
        ),
        Binding(
            "right_square_bracket",
            "day(1)",
            "next",
            id="today-next-day",
            group=DAY_GROUP,
            tooltip="Go to the day after (never past today)",
        ),
        Binding("g", "go_to_date", "Date", id="today-go-to-date", tooltip="Go to a date (type it)"),
        Binding(
            "A,ctrl+a",
            "all_due",
            "All taken",
            id="today-all-due",
            tooltip="Mark every due dose of the day taken at its scheduled time",
        ),
        Binding("o", "mood", "Mood", id="today-mood", tooltip="Set the mood of the day (0-10)"),
        Binding("l", "sleep", "Sleep", id="today-sleep", tooltip="Set the hours slept"),
        Binding("n", "note", "Note", id="today-note", tooltip="Write a note for the day"),
        Binding(
            "B",
            "baseline",
            "Baseline",
            id="today-baseline",
            tooltip="Mark or unmark this day as a baseline (how you felt before any reduction)",
        ),
        Binding(
            "Q",
            "scales",
            "PHQ-9/GAD-7",
            id="today-scales",
            tooltip="Fill in a PHQ-9 or GAD-7 for this day (optional, every 2 weeks)",
        ),
        Binding("i", "reminders", "Reminders", id="today-reminders", tooltip="Read all reminders and why"),
        Binding("u", "undo", "Undo", id="today-undo", tooltip="Undo the last change"),
        Binding(
            "z",
            "snooze",
            "Snooze",
            id="today-snooze",
            tooltip="Snooze the highlighted dose's reminder 15 min",
        ),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Textual: False hides a key, None shows it greyed out
        if self.data is None and (action in _NEEDS_DAY or action == "reminders"):
            return None  # greyed while the day loads, like every key that needs the day
        if action == "reminders":
            return bool(self.data and self.data.reminders)
        if action in _NEEDS_LIST and not self._list_focused():
            return None
        return True

    def _list_focused(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id in ("doses", "symptoms")

    def why_disabled(self, action: str) -> str | None:
        """Said when a dimmed key is pressed."""
        if self.data is None:
            return "The day is still loading; try again in a moment."
        if action in _NEEDS_LIST:
            return "Move to the doses or the symptoms first (tab); this key acts only there."
        if action == "reminders":
            return "There are no reminders on this day."
        return None

    def __init__(self) -> None:
        super().__init__()
        self.data: DayData | None = None
        self.day: date | None = None  # None until the first load says what today is
        self._place_focus = True  # the next load puts the focus on the due dose, else the symptoms
        self._covered_by_modal = False
        # The layout class the first resize would add: set now, before anything is styled,
        # so the first resize changes nothing and the whole screen is not styled twice.
        width = self.app.size.width
        self.add_class(*breakpoint_classes(width, self.HORIZONTAL_BREAKPOINTS), update=False)

    # -- layout -----------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("taper-tracker", id="app-name")
            yield Static("Loading…", id="date-title")
        reminders = Static("", id="reminders")
        reminders.display = False
        yield reminders
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Vertical(id="doses-panel", classes="panel") as doses:
                    doses.border_title = "Doses"
                    # Both lists stay hidden until the day arrives: empty, they would only cost the
                    # first frame the layout and drawing of two scrolling lists (about 7 ms).
                    dose_list = DoseList(id="doses")
                    dose_list.display = False
                    yield dose_list
                    yield Static("", id="doses-empty")
                    yield Static("", id="taper-step")
                yield Static("", id="checkin")
                scales = Static("", id="scales")
                scales.display = False
                yield scales
                yield Static("", id="sparks")
                yield Static("", id="week")
            with Vertical(id="symptoms-panel", classes="panel") as panel:
                panel.border_title = "How you feel · 0-3 rate the highlighted symptom"
                symptom_list = SymptomList(id="symptoms")
                symptom_list.display = False
                yield symptom_list
        yield Static("", id="status")
        yield KeyFooter()

    @property
    def dose_list(self) -> DoseList:
        return self.query_one("#doses", DoseList)

    @property
    def symptom_list(self) -> SymptomList:
        return self.query_one("#symptoms", SymptomList)

    # -- loading ----------------------------------------------------------
    def on_resize(self) -> None:
        if self.data is not None:
            self._show_reminders(self.data)  # more of them fit on a wide screen

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self._covered_by_modal = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        """Reload when Today is shown again after another screen (which may have changed things).

        Not after one of its own dialogs: the change the dialog asked for reloads the day in
        its own transaction, and a read running beside that write could show the day as it
        was before it.
        """
        if not self._covered_by_modal:
            self._place_focus = True  # back from another screen: start again from the due dose
            self.reload()
        self._covered_by_modal = False

    def reload(self) -> None:
        # the clock is read in the worker, when the day is read (and not on the event loop
        # before the first paint, where reading it would import the time-zone code)
        day, clock = self.day, self.tracker_app.now
        # a plain read (tracker/store.py): Today shows without waiting for the ORM's imports
        self.run_db(
            lambda s: load_day(s, day, clock()),
            self.show_day,
            light=True,
            group="today-load",
            on_error=self._not_loaded,
        )

    def _not_loaded(self, message: str) -> None:
        """A failed load says so in place (a notification for every reload would pile up)."""
        self.query_one("#date-title", Static).update("Nothing loaded")
        self.status(f"Could not load the day: {message}", ok=False)

    def show_day(self, data: DayData) -> None:
        """Show a loaded day unless a newer load (or a move to another day) came first."""
        if self.data is not None and data.seq < self.data.seq:
            return
        if self.day is not None and data.day != self.day:
            return
        self.data, self.day = data, data.day
        self.query_one("#date-title", Static).update(day_title(data.day, data.today))
        self._show_reminders(data)
        self.dose_list.set_rows(data.doses)
        empty = self.query_one("#doses-empty", Static)
        if not data.medications:
            empty.update("No medications yet. Press m to add one (and its prescription).")
        elif not data.doses:
            empty.update("No doses scheduled on this day. Press a to log an extra dose.")
        empty.display = not data.doses
        self.dose_list.display = bool(data.doses)
        taper = self.query_one("#taper-step", Static)
        taper.update("\n".join(data.taper))
        taper.display = bool(data.taper)
        self.symptom_list.set_rows(data.symptoms, data.recent_ids)
        self.symptom_list.display = True
        self._show_checkin(data)
        if self._place_focus or self.focused is None:
            # The first load can arrive while the first-run screen covers Today (a focus set then
            # is lost), or before it (with no medication yet, so on the symptoms): the load after
            # another screen was shown places the focus again, on the dose that is now due.
            self._place_focus = self.app.screen is not self
            has_open = any(r.is_open for r in data.doses)
            (self.dose_list if has_open and self.dose_list.display else self.symptom_list).focus()
        self.refresh_bindings()

    def _show_reminders(self, data: DayData) -> None:
        widget = self.query_one("#reminders", Static)
        shown = data.reminders[: 5 if self.has_class("-wide") else 3]
        lines = [reminder_line(r) for r in shown]
        if len(data.reminders) > len(shown):
            lines.append(
                Content.styled(f"  … {len(data.reminders) - len(shown)} more: press i", "$text-muted")
            )
        widget.update(Content("\n").join(lines))
        widget.display = bool(lines)
        worst = shown[0].severity if shown else "info"
        widget.set_class(worst == "urgent", "-urgent")
        widget.set_class(worst == "warning", "-warning")

    def _show_checkin(self, data: DayData) -> None:
        def part(label: str, value: str | None, key: str) -> Content:
            if value is None:
                return Content.assemble(f"{label} ", (f"– ({key})", "$text-muted"))
            return Content.assemble(f"{label} ", (value, "bold"))

        note = data.note.replace("\n", " ") if data.note else None
        if note and len(note) > 28:
            note = note[:27] + "…"
        parts = [
            part("Mood", f"{data.mood}/10" if data.mood is not None else None, "o"),
            part("Sleep", f"{data.sleep_hours:g} h" if data.sleep_hours is not None else None, "l"),
            part("Note", note, "n"),
        ]
        line = Content("   ").join(parts)
        if data.burden is not None:
            line = Content.assemble(line, "   Burden ", (str(data.burden), "bold"))
        if data.is_baseline:
            line = Content.assemble(line, "   ", ("★ baseline day", "$accent"))
        self.query_one("#checkin", Static).update(line)
        scales = self.query_one("#scales", Static)
        if data.scales:
            scales.update(Content.assemble(("Scores ", "$text-muted"), ", ".join(data.scales)))
        elif data.scales_due and data.day == data.today:
            scales.update(
                Content.styled("PHQ-9/GAD-7 check-in due (every 2 weeks, optional): Q", "$text-muted")
            )
        scales.display = bool(data.scales) or (data.scales_due and data.day == data.today)
        sparks = Content.assemble(
            ("14 days  ", "$text-muted"),
            "burden ",
            (f"[{data.burden_spark}]", "$warning"),
            "  mood ",
            (f"[{data.mood_spark}]", "$success"),
        )
        self.query_one("#sparks", Static).update(sparks)
        self.query_one("#week", Static).update("\n".join(week_lines(data)))

    def status(self, message: str, *, ok: bool = True) -> None:
        """The status line: what was just saved (or why nothing was)."""
        stamp = ""
        if self.data is not None:
            stamp = self.tracker_app.now().astimezone(self.data.tz).strftime("%H:%M ")
        text = Content.assemble(
            (stamp, "$text-muted"), ("✓ " if ok else "• ", "$success" if ok else "$warning"), message
        )
        self.query_one("#status", Static).update(text)

    # -- writing ----------------------------------------------------------
    def save(self, fn: Action, confirmed: Action | None = None) -> None:
        """Run ``fn`` and reload the day in one write transaction; show what it returns.

        ``fn`` returns the confirmation, or (confirmation, warning to show as a notification).
        When ``fn`` asks for confirmation (an amount above the drug's licensed maximum, say:
        ``NeedsConfirmation``, raised before anything is written), the figures are shown in a
        dialog here in the app, and a yes runs ``confirmed`` instead.
        """
        data = self.data
        if data is None:
            self.status("Still loading; try again in a moment.", ok=False)
            return
        now = self.tracker_app.now()
        if not self.tracker_app.orm_open:
            # the first change of a session also loads the database library (about 0.4 s)
            self.query_one("#status", Static).update(Content.assemble(("Saving…", "$text-muted")))

        def job(session: Session) -> tuple[actions.Outcome | NeedsConfirmation, DayData]:
            try:
                result: actions.Outcome | NeedsConfirmation = fn(session, data)
            except NeedsConfirmation as exc:
                if confirmed is None:
                    raise
                result = exc
            return result, load_day(session, data.day, now)

        def saved(result: tuple[actions.Outcome | NeedsConfirmation, DayData]) -> None:
            outcome, day = result
            if isinstance(outcome, NeedsConfirmation):
                from tracker.ui.widgets.forms import ConfirmModal

                assert confirmed is not None
                self.show_day(day)
                self.app.push_screen(
                    ConfirmModal(
                        f"{outcome.message}\n\nRecord it as entered?", "Yes, record it", "No, go back"
                    ),
                    lambda yes: (
                        self.save(confirmed) if yes else self.status("Nothing was recorded.", ok=False)
                    ),
                )
                return
            self._saved((outcome, day))

        self.run_db(job, saved, write=True, group="today-write")

    def _saved(self, result: tuple[actions.Outcome, DayData]) -> None:
        outcome, data = result
        message, alert = (outcome, None) if isinstance(outcome, str) else outcome
        self.show_day(data)
        self.status(message)
        if alert:
            self.notify(alert, title="Please read", severity="warning", timeout=30)

    # -- days -------------------------------------------------------------
    def action_day(self, delta: int) -> None:
        if self.data is None:
            return
        self.go_to(self.data.day + timedelta(days=delta))

    def go_to(self, day: date) -> None:
        data = self.data
        if data is None:
            return
        if day > data.today:
            self.status("Today is the latest day: entries cannot be made for the future.", ok=False)
            return
        self.day = day
        self.query_one("#date-title", Static).update(day_title(day, data.today) + " …")
        self.reload()

    def action_go_to_date(self) -> None:
        data = self.data
        if data is None:
            return
        from tracker.domain.units import parse_day
        from tracker.ui.widgets.modals import PromptModal

        today = data.today

        def chosen(text: str | None) -> None:
            if text:
                self.go_to(parse_day(text, today=today))

        self.app.push_screen(
            PromptModal(
                "Go to a date",
                value=data.day.isoformat(),
                help="YYYY-MM-DD, today, yesterday, or -3 for three days ago. Not in the future.",
                validate=lambda t: parse_day(t, today=today),
                allow_empty=False,
            ),
            chosen,
        )

    # -- doses ------------------------------------------------------------
    @on(DoseList.ActionRequested)
    def dose_action(self, event: DoseList.ActionRequested) -> None:
        event.stop()
        data, row = self.data, event.row
        if data is None:
            return
        if event.action == "extra":
            self._dose_extra(data, row)
            return
        if row is None:
            return
        now = self.tracker_app.now()
        if event.action == "taken":
            if row.status in ("taken", "extra"):
                self.status(f"{dose_label(row)} is already taken; e edits it, x marks it skipped.", ok=False)
            else:
                self.save(lambda s, d: actions.mark_taken(s, d, row, now))
        elif event.action == "skipped":
            if row.is_extra:
                self.status("An extra dose cannot be skipped; Delete removes it.", ok=False)
            elif row.status == "skipped":
                self.status(f"{dose_label(row)} is already skipped; Delete clears it.", ok=False)
            else:
                self.save(lambda s, d: actions.mark_skipped(s, d, row, now))
        elif event.action == "clear":
            if row.event_id is None:
                self.status(f"{dose_label(row)} has nothing logged to clear.", ok=False)
            else:
                self.save(lambda s, d: actions.clear_dose(s, d, row))
        elif event.action == "edit":
            self._dose_edit(data, row)

    def _when_parser(self, data: DayData) -> Callable[[str], datetime]:
        return partial(parse_dose_time, day=data.day, now=self.tracker_app.now(), tz=data.tz)

    def _default_when(self, row: DoseRow | None, data: DayData) -> str:
        """The time the dialog starts with: as logged, else now (today) or as scheduled (past day)."""
        if row is not None and row.taken_local is not None:
            return row.taken_local.strftime("%H:%M")
        if data.day == data.today:
            return self.tracker_app.now().astimezone(data.tz).strftime("%H:%M")
        return row.local_time.strftime("%H:%M") if row is not None and row.local_time else ""

    def _dose_edit(self, data: DayData, row: DoseRow) -> None:
        from tracker.domain.units import format_mg, parse_amount
        from tracker.ui.widgets.modals import DoseModal

        parse_when = self._when_parser(data)

        def done(entry: DoseEntry | None) -> None:
            if entry is not None:
                at, now = parse_when(entry.when), self.tracker_app.now()
                self.save(
                    lambda s, d: actions.set_dose(s, d, row, entry.amount, at, now),
                    lambda s, d: actions.set_dose(s, d, row, entry.amount, at, now, confirmed=True),
                )

        amount = row.amount_mg if row.amount_mg is not None else row.dose_mg
        self.app.push_screen(
            DoseModal(
                f"{dose_label(row)}: amount and time taken",
                amount=format_mg(amount),
                when=self._default_when(row, data),
                check_amount=parse_amount,
                check_when=parse_when,
            ),
            done,
        )

    def _dose_extra(self, data: DayData, row: DoseRow | None) -> None:
        if not data.medications:
            self.status("Add a medication first: press m.", ok=False)
            return
        from tracker.domain.units import parse_amount
        from tracker.ui.widgets.modals import DoseModal

        med_id = row.medication_id if row else data.medications[0][0]
        parse_when = self._when_parser(data)

        def done(entry: DoseEntry | None) -> None:
            if entry is not None:
                chosen, at, now = (
                    entry.medication_id or med_id,
                    parse_when(entry.when),
                    self.tracker_app.now(),
                )
                self.save(
                    lambda s, d: actions.add_extra(s, d, chosen, entry.amount, at, now),
                    lambda s, d: actions.add_extra(s, d, chosen, entry.amount, at, now, confirmed=True),
                )

        name = dict(data.medications).get(med_id, "")
        self.app.push_screen(
            DoseModal(
                "Extra dose" if len(data.medications) > 1 else f"Extra dose of {name}",
                when=self._default_when(None, data),
                medications=data.medications,
                medication_id=med_id,
                check_amount=parse_amount,
                check_when=parse_when,
            ),
            done,
        )

    def action_snooze(self) -> None:
        """z: put off the highlighted dose's notification (issue 14); Today's list is unchanged."""
        from tracker.ui.screens.today_snooze import refusal, snooze

        row, now = self.dose_list.current, self.tracker_app.now()
        problem = refusal(row, now)
        if problem or row is None:
            self.status(problem or "", ok=False)
            return
        self.save(lambda s, d: snooze(s, d, row, now))

    def action_all_due(self) -> None:
        now = self.tracker_app.now()
        self.save(lambda s, d: actions.all_due_taken(s, d, now))

    # -- symptoms ---------------------------------------------------------
    @on(SymptomList.Rated)
    def rated(self, event: SymptomList.Rated) -> None:
        event.stop()
        row, severity, now = event.row, event.severity, self.tracker_app.now()
        self.save(lambda s, d: actions.rate(s, d, row, severity, now))

    @on(SymptomList.RestNone)
    def rest_none(self, event: SymptomList.RestNone) -> None:
        event.stop()
        rows, now = event.rows, self.tracker_app.now()
        self.save(lambda s, d: actions.rest_none(s, d, rows, now))

    @on(SymptomList.Cleared)
    def cleared(self, event: SymptomList.Cleared) -> None:
        event.stop()
        row = event.row
        if row.severity is None:
            self.status(f"{row.name} has no rating to clear.", ok=False)
            return
        self.save(lambda s, d: actions.clear_rating(s, d, row))

    @on(SymptomList.CompareCycled)
    def compare(self, event: SymptomList.CompareCycled) -> None:
        event.stop()
        row = event.row
        if row.severity is None:
            self.status(f"Rate {row.name} first (0-3), then compare it with before the taper.", ok=False)
            return
        comparison, now = next_comparison(row.comparison), self.tracker_app.now()
        self.save(lambda s, d: actions.compare(s, d, row, comparison, now))

    # -- check-in ---------------------------------------------------------
    def _checkin_prompt(
        self, what: str, title: str, value: str, help: str, parse: Callable[[str], Any]
    ) -> None:
        """Ask for one check-in field and save it; an empty answer clears the field."""
        from tracker.ui.widgets.modals import PromptModal

        def chosen(text: str | None) -> None:
            if text is not None:
                stored, now = (parse(text) if text else None), self.tracker_app.now()
                self.save(lambda s, d: actions.set_checkin_field(s, d, what, stored, now))

        self.app.push_screen(PromptModal(title, value=value, help=help, validate=parse), chosen)

    def action_mood(self) -> None:
        from tracker.domain.units import parse_mood

        if self.data is not None:
            mood = self.data.mood
            self._checkin_prompt(
                "mood",
                "Mood: 0 (very low) to 10 (very good)",
                "" if mood is None else str(mood),
                "A whole number. Leave it empty to clear.",
                parse_mood,
            )

    def action_sleep(self) -> None:
        from tracker.domain.units import parse_sleep

        if self.data is not None:
            hours = self.data.sleep_hours
            self._checkin_prompt(
                "sleep_hours",
                "Sleep: hours slept last night",
                "" if hours is None else f"{hours:g}",
                "Such as 7, 6.5, 6:30 or 6h30. Leave it empty to clear.",
                parse_sleep,
            )

    def action_note(self) -> None:
        def check(text: str) -> str:
            if len(text) > 4000:
                raise TrackerError("the note is longer than 4000 characters")
            return text

        if self.data is not None:
            self._checkin_prompt(
                "note",
                "Note for the day",
                self.data.note or "",
                "Anything worth remembering. Leave it empty to clear.",
                check,
            )

    def action_baseline(self) -> None:
        if self.data is not None:
            mark, now = not self.data.is_baseline, self.tracker_app.now()
            self.save(lambda s, d: actions.set_baseline(s, d, mark, now))

    def action_scales(self) -> None:
        """Q: the PHQ-9 / GAD-7 form for the day shown (digit keys; backfill by moving the day)."""
        data = self.data
        if data is None:
            return
        from tracker.ui.widgets.scale_form import ScaleAnswer, ScaleModal

        def done(answer: ScaleAnswer | None) -> None:
            if answer is not None:
                key, answers, now = answer[0], answer[1], self.tracker_app.now()
                self.save(lambda s, d: actions.record_scale(s, d, key, answers, now))

        self.app.push_screen(ScaleModal(f"{data.day:%a} {data.day.day} {data.day:%b %Y}"), done)

    # -- reminders and undo -----------------------------------------------
    def action_reminders(self) -> None:
        if self.data is None:
            return
        if not self.data.reminders:
            self.status("No reminders right now.")
            return
        from tracker.ui.widgets.reminders import RemindersModal

        self.app.push_screen(RemindersModal(self.data.reminders), self._reminder_chosen)

    def _reminder_chosen(self, choice: ReminderChoice | None) -> None:
        if choice is None:
            return
        reminder = choice.reminder
        if choice.verb == "open":
            if reminder.action in self.app.MODES and reminder.action != self.app.current_mode:
                self.app.switch_mode(reminder.action)
            return
        now = self.tracker_app.now()
        self.save(lambda s, d: actions.quiet_reminder(s, d, choice.verb, reminder.key, now))

    def action_undo(self) -> None:
        self.save(actions.undo)
