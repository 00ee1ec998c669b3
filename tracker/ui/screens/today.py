"""Today: the home screen. Doses of a day, reminders, and the daily check-in.

Everything saves the moment it is entered (a thread worker per change) and the
status line says what was saved. ``[`` and ``]`` move to another day to
backfill or correct it, never into the future. Each write and the reload of
the day run in one transaction, so what the screen shows is what was committed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.domain.errors import TrackerError
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.units import format_mg
from tracker.ui.base import DbScreen
from tracker.ui.widgets.dose_list import DoseList
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.modals import DoseEntry, DoseModal, MessageModal, PromptModal
from tracker.ui.widgets.rows import (
    DoseRow,
    ReminderRow,
    SymptomRow,
    next_comparison,
    reminder_line,
    sort_reminders,
)
from tracker.ui.widgets.symptom_list import SymptomList

if TYPE_CHECKING:
    from sqlmodel import Session

_SEQ = itertools.count(1)  # orders results that may arrive out of order from threads
DAY_GROUP = Binding.Group("Day", compact=True)
SPARK_DAYS = 14


@dataclass(frozen=True, slots=True)
class DayData:
    """Everything Today shows for one local day, as plain values."""

    seq: int
    day: date
    today: date
    tz: ZoneInfo
    doses: tuple[DoseRow, ...] = ()
    symptoms: tuple[SymptomRow, ...] = ()
    recent_ids: tuple[int, ...] = ()
    mood: int | None = None
    sleep_hours: float | None = None
    note: str | None = None
    is_baseline: bool = False
    has_baseline: bool = False
    burden: int | None = None
    reminders: tuple[ReminderRow, ...] = ()
    burden_spark: str = ""
    mood_spark: str = ""
    medications: tuple[tuple[int, str], ...] = field(default_factory=tuple)


def load_day(session: Session, day: date | None, now: datetime) -> DayData:
    """Read one day for Today (``day`` None: today in the user's zone; never later than today)."""
    from tracker.domain.timeutil import local_day
    from tracker.domain.trends import spark_text
    from tracker.services import checkins, meds, reminders_service, settings, symptoms
    from tracker.services.day import day_summary

    tz = settings.user_zone(session=session)
    today = local_day(now, tz)
    day = min(day or today, today)
    summary = day_summary(session=session, day=day, now=now, tz=tz)
    all_meds = meds.list_medications(session=session, include_archived=True)
    names = {m.id: m.name for m in all_meds}
    doses = [
        DoseRow(
            medication_id=s.medication_id,
            medication_name=s.medication_name,
            dose_mg=s.dose_mg,
            status=s.status,
            local_time=s.local_time,
            scheduled_for=s.scheduled_for,
            event_id=s.event_id,
            taken_local=s.taken_at.astimezone(tz).time() if s.taken_at else None,
            amount_mg=s.amount_mg,
        )
        for s in summary.slots
    ]
    doses += [
        DoseRow(
            medication_id=e.medication_id,
            medication_name=names.get(e.medication_id, "?"),
            dose_mg=e.amount_mg,
            status="extra",
            event_id=e.id,
            taken_local=_aware(e.taken_at).astimezone(tz).time() if e.taken_at else None,
            amount_mg=e.amount_mg,
        )
        for e in summary.extras
    ]
    entries = {e.symptom_id: e for e in summary.entries}
    rows = tuple(
        SymptomRow(
            symptom_id=s.id or 0,
            name=s.name,
            group=s.group,
            severity=entries[s.id].severity if s.id in entries else None,
            comparison=entries[s.id].comparison if s.id in entries else None,
            is_crisis=s.is_crisis,
        )
        for s in symptoms.list_symptoms(session=session)
    )
    first = day - timedelta(days=SPARK_DAYS - 1)
    burden = symptoms.burden_by_day(session=session, start=first, end=day)
    moods: list[float | None] = []
    for offset in range(SPARK_DAYS):
        row = checkins.checkin_for_day(session=session, day=first + timedelta(days=offset))
        moods.append(float(row.mood) if row and row.mood is not None else None)
    burdens: list[float | None] = [
        float(burden[d]) if d in burden else None
        for d in (first + timedelta(days=i) for i in range(SPARK_DAYS))
    ]
    checkin = summary.checkin
    reminders = [
        ReminderRow(
            severity=str(getattr(r, "severity", "info")),
            message=str(getattr(r, "message", r)),
            why=str(getattr(r, "why", "")),
            rule=str(getattr(r, "rule", "")),
        )
        for r in reminders_service.active_reminders(session=session, now=now, tz=tz)
    ]
    return DayData(
        seq=next(_SEQ),
        day=day,
        today=today,
        tz=tz,
        doses=tuple(doses),
        symptoms=rows,
        # recent up to the day before, so rating a symptom today never moves it in the list
        recent_ids=tuple(symptoms.recent_symptom_ids(session=session, before=day - timedelta(days=1))),
        mood=checkin.mood if checkin else None,
        sleep_hours=checkin.sleep_hours if checkin else None,
        note=checkin.note if checkin else None,
        is_baseline=bool(checkin and checkin.is_baseline),
        has_baseline=bool(checkins.baseline_days(session=session)),
        burden=summary.burden,
        reminders=tuple(sort_reminders(reminders)),
        burden_spark=spark_text(burdens, 0, max([6.0, *(b for b in burdens if b is not None)])),
        mood_spark=spark_text(moods, 0, 10),
        medications=tuple((m.id or 0, m.name) for m in all_meds if not m.archived),
    )


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_title(day: date, today: date) -> str:
    """``Saturday 28 November 2026 · today`` or ``... · 3 days ago``."""
    label = f"{day:%A} {day.day} {day:%B %Y}"
    delta = (today - day).days
    if delta == 0:
        return f"{label} · today"
    if delta == 1:
        return f"{label} · yesterday (filling in a past day)"
    return f"{label} · {delta} days ago (filling in a past day)"


class TodayScreen(DbScreen):
    """Doses, reminders and the check-in of one day (today unless moved with [ and ])."""

    CSS_PATH = "today.tcss"
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
        Binding("i", "reminders", "Reminders", id="today-reminders", tooltip="Read all reminders and why"),
        Binding("u", "undo", "Undo", id="today-undo", tooltip="Undo the last change"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # the reminders key is hidden (False) while there is nothing to read
        return not (action == "reminders" and (self.data is None or not self.data.reminders))

    def __init__(self) -> None:
        super().__init__()
        self.data: DayData | None = None
        self.day: date | None = None  # None until the first load says what today is
        self._focused_once = False
        self._covered_by_modal = False

    # -- layout -----------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("taper-tracker", id="app-name")
            yield Static("Loading…", id="date-title")
        yield Static("", id="reminders")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Vertical(id="doses-panel", classes="panel") as doses:
                    doses.border_title = "Doses"
                    yield DoseList(id="doses")
                    yield Static("", id="doses-empty")
                yield Static("", id="checkin")
                yield Static("", id="sparks")
            with Vertical(id="symptoms-panel", classes="panel") as panel:
                panel.border_title = "How you feel · 0-3 rate the highlighted symptom"
                yield SymptomList(id="symptoms")
        yield Static("", id="status")
        yield KeyFooter()

    @property
    def dose_list(self) -> DoseList:
        return self.query_one("#doses", DoseList)

    @property
    def symptom_list(self) -> SymptomList:
        return self.query_one("#symptoms", SymptomList)

    # -- loading ----------------------------------------------------------
    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self._covered_by_modal = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        """Reload when Today is shown again after another screen (which may have changed things).

        Not after one of its own dialogs: the change the dialog asked for reloads the day in
        its own transaction, and a read running beside that write could show the day as it
        was before it.
        """
        if not self._covered_by_modal:
            self.reload()
        self._covered_by_modal = False

    def reload(self) -> None:
        day, now = self.day, self.tracker_app.now()
        self.run_db(lambda s: load_day(s, day, now), self.show_day, group="today-load")

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
        self.symptom_list.set_rows(data.symptoms, data.recent_ids)
        self._show_checkin(data)
        if not self._focused_once:
            self._focused_once = True
            has_open = any(r.is_open for r in data.doses)
            (self.dose_list if has_open else self.symptom_list).focus()
        self.refresh_bindings()

    def _show_reminders(self, data: DayData) -> None:
        widget = self.query_one("#reminders", Static)
        shown = data.reminders[:3]
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
        sparks = Content.assemble(
            ("14 days  ", "$text-muted"),
            "burden ",
            (f"[{data.burden_spark}]", "$warning"),
            "  mood ",
            (f"[{data.mood_spark}]", "$success"),
        )
        self.query_one("#sparks", Static).update(sparks)

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
    def save(self, fn: Callable[[Session, DayData], str | tuple[str, str | None]]) -> None:
        """Run ``fn`` and reload the day in one write transaction; show what it returns.

        ``fn`` returns the confirmation, or (confirmation, warning to show as a notification).
        """
        data = self.data
        if data is None:
            self.status("Still loading; try again in a moment.", ok=False)
            return
        now = self.tracker_app.now()

        def job(session: Session) -> tuple[str | tuple[str, str | None], DayData]:
            result = fn(session, data)
            return result, load_day(session, data.day, now)

        self.run_db(job, self._saved, write=True, group="today-write")

    def _saved(self, result: tuple[str | tuple[str, str | None], DayData]) -> None:
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
        handler = {
            "taken": self._dose_taken,
            "skipped": self._dose_skipped,
            "edit": self._dose_edit,
            "extra": lambda _row: self._dose_extra(),
            "clear": self._dose_clear,
        }[event.action]
        handler(event.row)

    def _dose_taken(self, row: DoseRow | None) -> None:
        if row is None or self.data is None:
            return
        if row.status in ("taken", "extra"):
            self.status(f"{_label(row)} is already taken; e edits it, x marks it skipped.", ok=False)
            return
        on_today = self.data.day == self.data.today

        def save(session: Session, data: DayData) -> str:
            from tracker.services import doses

            if row.status == "skipped" and row.event_id is not None:
                event = doses.edit_dose(
                    session=session, event_id=row.event_id, status="taken", now=self.tracker_app.now()
                )
            else:
                now = self.tracker_app.now()
                event = doses.log_dose(
                    session=session,
                    medication_id=row.medication_id,
                    taken_at=now if on_today else row.scheduled_for,
                    scheduled_for=row.scheduled_for,
                    now=now,
                    tz=data.tz,
                )
            at = _aware(event.taken_at).astimezone(data.tz).strftime("%H:%M") if event.taken_at else "?"
            return f"{_label(row)} marked taken at {at}" + ("" if on_today else " (e changes the time)")

        self.save(save)

    def _dose_skipped(self, row: DoseRow | None) -> None:
        if row is None:
            return
        if row.is_extra:
            self.status("An extra dose cannot be skipped; Delete removes it.", ok=False)
            return
        if row.status == "skipped":
            self.status(f"{_label(row)} is already skipped; Delete clears it.", ok=False)
            return

        def save(session: Session, data: DayData) -> str:
            from tracker.services import doses

            now = self.tracker_app.now()
            if row.event_id is not None:
                doses.edit_dose(session=session, event_id=row.event_id, status="skipped", now=now)
            else:
                doses.log_dose(
                    session=session,
                    medication_id=row.medication_id,
                    skipped=True,
                    scheduled_for=row.scheduled_for,
                    now=now,
                    tz=data.tz,
                )
            return f"{_label(row)} marked skipped"

        self.save(save)

    def _dose_clear(self, row: DoseRow | None) -> None:
        if row is None:
            return
        if row.event_id is None:
            self.status(f"{_label(row)} has nothing logged to clear.", ok=False)
            return
        event_id = row.event_id

        def save(session: Session, data: DayData) -> str:
            from tracker.services import doses

            doses.delete_dose(session=session, event_id=event_id)
            return f"{_label(row)} cleared (u undoes it)"

        self.save(save)

    def _when_checker(self, data: DayData) -> Callable[[str], datetime]:
        """Parse a time typed for a dose: a bare time belongs to the day shown."""
        now = self.tracker_app.now()

        def parse(text: str) -> datetime:
            from tracker.domain.timeutil import local_to_utc
            from tracker.domain.units import FUTURE_TOLERANCE, parse_time_of_day, parse_when

            raw = text.strip().lower()
            if raw and raw[0].isdigit() and " " not in raw and "-" not in raw:
                moment = local_to_utc(data.day, parse_time_of_day(raw), data.tz)
                if moment > now + FUTURE_TOLERANCE:
                    raise TrackerError(f"time {text!r} is in the future")
                return moment
            return parse_when(text, now=now, tz=data.tz)

        return parse

    def _default_when(self, row: DoseRow | None, data: DayData) -> str:
        if row is not None and row.taken_local is not None:
            return row.taken_local.strftime("%H:%M")
        if data.day == data.today:
            return self.tracker_app.now().astimezone(data.tz).strftime("%H:%M")
        return row.local_time.strftime("%H:%M") if row is not None and row.local_time else ""

    def _dose_edit(self, row: DoseRow | None) -> None:
        data = self.data
        if row is None or data is None:
            return
        from tracker.domain.units import parse_amount

        amount = row.amount_mg if row.amount_mg is not None else row.dose_mg
        parse_when = self._when_checker(data)

        def done(entry: DoseEntry | None) -> None:
            if entry is None:
                return

            def save(session: Session, data: DayData) -> str:
                from tracker.services import doses

                now = self.tracker_app.now()
                mg = _to_mg(session, row.medication_id, entry.amount)
                at = parse_when(entry.when)
                if row.event_id is None:
                    doses.log_dose(
                        session=session,
                        medication_id=row.medication_id,
                        amount_mg=mg,
                        taken_at=at,
                        scheduled_for=row.scheduled_for,
                        now=now,
                        tz=data.tz,
                    )
                else:
                    doses.edit_dose(
                        session=session,
                        event_id=row.event_id,
                        amount_mg=mg,
                        taken_at=at,
                        status="taken" if row.status == "skipped" else None,
                        now=now,
                    )
                local = at.astimezone(data.tz).strftime("%H:%M")
                return f"{_label(row)}: {format_mg(mg)} taken at {local}"

            self.save(save)

        self.app.push_screen(
            DoseModal(
                f"{_label(row)}: amount and time taken",
                amount=format_mg(amount),
                when=self._default_when(row, data),
                check_amount=parse_amount,
                check_when=parse_when,
            ),
            done,
        )

    def _dose_extra(self) -> None:
        data = self.data
        if data is None:
            return
        if not data.medications:
            self.status("Add a medication first: press m.", ok=False)
            return
        from tracker.domain.units import parse_amount

        row = self.dose_list.current
        med_id = row.medication_id if row else data.medications[0][0]
        parse_when = self._when_checker(data)

        def done(entry: DoseEntry | None) -> None:
            if entry is None:
                return
            chosen = entry.medication_id or med_id

            def save(session: Session, data: DayData) -> str:
                from tracker.services import doses

                now = self.tracker_app.now()
                mg = _to_mg(session, chosen, entry.amount)
                at = parse_when(entry.when)
                event = doses.log_dose(
                    session=session, medication_id=chosen, amount_mg=mg, taken_at=at, now=now, tz=data.tz
                )
                local = at.astimezone(data.tz).strftime("%H:%M")
                if event.scheduled_for is not None:
                    slot = _aware(event.scheduled_for).astimezone(data.tz).strftime("%H:%M")
                    return f"{format_mg(mg)} at {local} logged as the {slot} dose"
                return f"Extra dose of {format_mg(mg)} logged at {local}"

            self.save(save)

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

    def action_all_due(self) -> None:
        def save(session: Session, data: DayData) -> str:
            from tracker.services import doses

            done = doses.mark_all_due_taken(
                session=session, day=data.day, now=self.tracker_app.now(), tz=data.tz
            )
            if not done:
                return "No doses were due: nothing to mark"
            return f"{len(done)} due dose{'s' if len(done) != 1 else ''} marked taken at the scheduled time"

        self.save(save)

    # -- symptoms ---------------------------------------------------------
    @on(SymptomList.Rated)
    def rated(self, event: SymptomList.Rated) -> None:
        event.stop()
        row, severity = event.row, event.severity

        def save(session: Session, data: DayData) -> tuple[str, str | None]:
            from tracker.services import settings, symptoms

            symptoms.rate_symptom(
                session=session,
                symptom_id=row.symptom_id,
                day=data.day,
                severity=severity,
                now=self.tracker_app.now(),
            )
            alert = None
            if row.is_crisis and severity >= 1:
                alert = str(settings.get_setting(session=session, key="crisis_text"))
            return f"{row.name}: {severity} {SEVERITY_LABELS[severity]}", alert

        self.save(save)

    @on(SymptomList.Cleared)
    def cleared(self, event: SymptomList.Cleared) -> None:
        event.stop()
        row = event.row
        if row.severity is None:
            self.status(f"{row.name} has no rating to clear.", ok=False)
            return

        def save(session: Session, data: DayData) -> str:
            from tracker.services import symptoms

            symptoms.clear_rating(session=session, symptom_id=row.symptom_id, day=data.day)
            return f"{row.name}: rating cleared (not logged)"

        self.save(save)

    @on(SymptomList.CompareCycled)
    def compare(self, event: SymptomList.CompareCycled) -> None:
        event.stop()
        row = event.row
        if row.severity is None:
            self.status(f"Rate {row.name} first (0-3), then compare it with before the taper.", ok=False)
            return
        comparison = next_comparison(row.comparison)
        severity = row.severity

        def save(session: Session, data: DayData) -> str:
            from tracker.services import symptoms

            symptoms.rate_symptom(
                session=session,
                symptom_id=row.symptom_id,
                day=data.day,
                severity=severity,
                comparison=comparison,
                now=self.tracker_app.now(),
            )
            return f"{row.name}: {comparison} compared with before the taper (b again to change)"

        self.save(save)

    # -- check-in ---------------------------------------------------------
    def _checkin_prompt(
        self,
        title: str,
        value: str,
        help: str,
        validate: Callable[[str], Any],
        store: Callable[[str], Any],
        what: str,
    ) -> None:
        """Ask for one check-in field and save it; an empty answer clears the field."""

        def chosen(text: str | None) -> None:
            if text is None:
                return
            stored = store(text) if text else None

            def save(session: Session, data: DayData) -> tuple[str, str | None]:
                from tracker.services import checkins, settings

                checkins.set_checkin(
                    session=session, day=data.day, now=self.tracker_app.now(), **{what: stored}
                )
                alert = None
                if what == "mood" and stored is not None and stored <= 1:
                    alert = str(settings.get_setting(session=session, key="crisis_text"))
                return _checkin_message(what, stored), alert

            self.save(save)

        self.app.push_screen(PromptModal(title, value=value, help=help, validate=validate), chosen)

    def action_mood(self) -> None:
        from tracker.domain.units import parse_mood

        data = self.data
        if data is None:
            return
        self._checkin_prompt(
            "Mood: 0 (very low) to 10 (very good)",
            "" if data.mood is None else str(data.mood),
            "A whole number. Leave it empty to clear.",
            parse_mood,
            parse_mood,
            "mood",
        )

    def action_sleep(self) -> None:
        from tracker.domain.units import parse_sleep

        data = self.data
        if data is None:
            return
        self._checkin_prompt(
            "Sleep: hours slept last night",
            "" if data.sleep_hours is None else f"{data.sleep_hours:g}",
            "Such as 7 or 6.5. Leave it empty to clear.",
            parse_sleep,
            parse_sleep,
            "sleep_hours",
        )

    def action_note(self) -> None:
        data = self.data
        if data is None:
            return

        def check(text: str) -> None:
            if len(text) > 4000:
                raise TrackerError("the note is longer than 4000 characters")

        self._checkin_prompt(
            "Note for the day",
            data.note or "",
            "Anything worth remembering. Leave it empty to clear.",
            check,
            str,
            "note",
        )

    def action_baseline(self) -> None:
        data = self.data
        if data is None:
            return
        mark = not data.is_baseline

        def save(session: Session, data: DayData) -> str:
            from tracker.services import checkins

            checkins.set_checkin(session=session, day=data.day, is_baseline=mark, now=self.tracker_app.now())
            if mark:
                return "This day is now a baseline day (how you felt before any reduction)"
            return "This day is no longer a baseline day"

        self.save(save)

    # -- reminders and undo -----------------------------------------------
    def action_reminders(self) -> None:
        data = self.data
        if data is None:
            return
        if not data.reminders:
            self.status("No reminders right now.")
            return
        parts: list[Content] = []
        for r in data.reminders:
            parts.append(reminder_line(r))
            if r.why:
                parts.append(Content.styled(f"   Why: {r.why}", "$text-muted"))
            parts.append(Content(""))
        self.app.push_screen(MessageModal("Reminders", Content("\n").join(parts)))

    def action_undo(self) -> None:
        def save(session: Session, data: DayData) -> str:
            from tracker.services import audit

            return audit.undo_last(session=session).describe()

        self.save(save)


def _checkin_message(what: str, value: Any) -> str:
    if what == "mood":
        return "Mood cleared" if value is None else f"Mood {value}/10"
    if what == "sleep_hours":
        return "Sleep cleared" if value is None else f"Sleep {value:g} h"
    return "Note cleared" if value is None else "Note saved"


def _label(row: DoseRow) -> str:
    when = row.local_time.strftime("%H:%M") if row.local_time else "extra"
    return f"{row.medication_name} {when}"


def _to_mg(session: Session, medication_id: int, text: str) -> float:
    """An amount typed by the user, in mg, using the medication's own strength."""
    from tracker.domain.units import amount_to_mg, parse_amount
    from tracker.services import meds

    med = meds.get_medication(session=session, medication_id=medication_id)
    return amount_to_mg(
        parse_amount(text),
        form=med.form,
        strength_mg=med.strength_mg,
        liquid_mg_per_ml=med.liquid_mg_per_ml,
        name=med.name,
    )
