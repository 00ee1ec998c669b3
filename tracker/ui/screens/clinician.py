"""Clinician screen: appointments (booked and past), questions to ask, and the summary export.

The export key (e) writes the clinician summary through
``tracker.export.summary.write_summary`` when that module is installed; until
then it says so instead of failing.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Select, Static

from tracker.domain.errors import TrackerError
from tracker.domain.timeutil import local_to_utc
from tracker.domain.units import parse_day, parse_time_of_day
from tracker.ui.base import DbScreen
from tracker.ui.widgets.cells import clip, plain
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.forms import ConfirmModal, FieldSpec, FormModal

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlmodel import Session

    from tracker.store import Reads

EXPORT_MODULE = "tracker.export.summary"
EXPORT_FORMATS = (("Markdown (.md)", "md"), ("Web page (.html)", "html"), ("PDF (.pdf)", "pdf"))
KIND_OPTIONS = (("review", "review"), ("phone", "phone"), ("video", "video"), ("other", "other"))
EXPORT_DAYS = 90  # the default period of a summary


@dataclass(frozen=True, slots=True)
class AppointmentView:
    id: int
    at: datetime  # UTC
    local: str  # YYYY-MM-DD HH:MM in the user's zone
    clinician: str
    kind: str
    notes: str
    booked: bool  # still to come


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: int
    text: str
    asked: date
    answered: date | None
    answer: str


@dataclass(frozen=True, slots=True)
class ClinicianData:
    tz: ZoneInfo
    today: date
    appointments: tuple[AppointmentView, ...]  # booked soonest first, then past newest first
    questions: tuple[QuestionView, ...]  # open oldest first, then answered newest first


def load_clinician(session: Reads, now: datetime) -> ClinicianData:
    """Appointments and questions in the order the screen shows them (runs in a worker).

    Plain-SQL reads (``Reads``: the light connection, or a session), so opening the
    screen never imports the ORM; only its changes do.
    """
    from tracker.services import clinician
    from tracker.services.settings import user_zone

    tz = user_zone(session=session)
    appts = [
        AppointmentView(
            id=a.id,
            at=a.at,
            local=a.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            clinician=a.clinician or "",
            kind=a.kind,
            notes=a.notes or "",
            booked=a.at >= now,
        )
        for a in clinician.list_appointments(session=session)
    ]
    booked = [a for a in appts if a.booked]
    past = sorted((a for a in appts if not a.booked), key=lambda a: a.at, reverse=True)
    questions = [
        QuestionView(
            id=q.id,
            text=q.text,
            asked=q.created_at.astimezone(tz).date(),
            answered=q.answered_at.astimezone(tz).date() if q.answered_at else None,
            answer=q.answer or "",
        )
        for q in clinician.list_questions(session=session)
    ]
    open_qs = [q for q in questions if q.answered is None]
    answered = [q for q in reversed(questions) if q.answered is not None]
    return ClinicianData(tz, now.astimezone(tz).date(), tuple(booked + past), tuple(open_qs + answered))


def export_available() -> bool:
    """True when the summary exporter is installed (built separately)."""
    try:
        if importlib.util.find_spec(EXPORT_MODULE) is None:
            return False
    except (ImportError, ValueError):
        return False
    try:
        module = importlib.import_module(EXPORT_MODULE)
    except ImportError:
        return False
    return callable(getattr(module, "write_summary", None))


def output_path(raw: str) -> Path:
    """The file the user typed: ``~`` expanded, relative to the current folder."""
    path = Path(raw.strip()).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


def default_export_path(today: date, fmt: str) -> str:
    return str(Path("~") / f"taper-summary-{today.isoformat()}.{fmt}")


# --------------------------------------------------------------------------- forms


class AppointmentForm(FormModal):
    """Book (or record) an appointment: local date and time, clinician, kind, notes."""

    ERROR_FIELDS = (("time zone", "time"), ("time", "time"))

    def __init__(self, today: date, tz: ZoneInfo) -> None:
        self.today, self.tz = today, tz
        fields = [
            FieldSpec("day", "Date *", "", "YYYY-MM-DD, such as " + (today + timedelta(days=14)).isoformat()),
            FieldSpec("time", "Time *", "", "HH:MM, such as 09:30"),
            FieldSpec("clinician", "With", "", "such as Dr. Okafor"),
            FieldSpec("kind", "Kind", "review", options=KIND_OPTIONS),
            FieldSpec("notes", "Notes", "", "optional, such as what to bring"),
        ]
        super().__init__("Add an appointment", fields, "Past appointments can be recorded too.")

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        errors: dict[str, str] = {}
        day: date | None = None
        try:
            day = parse_day(values.get("day", "") or "", today=self.today, allow_future=True)
        except TrackerError as exc:
            errors["day"] = str(exc)
        at = None
        try:
            clock = parse_time_of_day(values.get("time", ""))
            if day is not None:
                at = local_to_utc(day, clock, self.tz)
        except TrackerError as exc:
            errors["time"] = str(exc)
        notes = values.get("notes", "").strip()
        if len(notes) > 2000:
            errors["notes"] = "the notes are longer than 2000 characters"
        parsed = {
            "at": at,
            "clinician": values.get("clinician", "").strip() or None,
            "kind": values.get("kind") or "review",
            "notes": notes or None,
        }
        return parsed, errors

    def save(self, parsed: Any) -> None:
        from tracker.services import clinician

        values, tz = dict(parsed), self.tz

        def write(session: Session) -> tuple[str, str, int]:
            row = clinician.add_appointment(session=session, **values)
            return (
                f"Appointment on {row.at.astimezone(tz).strftime('%Y-%m-%d at %H:%M')} added.",
                "appt",
                row.id or 0,
            )

        self.run_db(write, self.dismiss)


class QuestionForm(FormModal):
    """Write down a question for the next appointment."""

    ERROR_FIELDS = (("question", "text"),)

    def __init__(self, now: datetime) -> None:
        self.now = now
        fields = [FieldSpec("text", "Question *", "", "such as: how long should each step last?")]
        super().__init__(
            "A question for your clinician", fields, "It appears in the exported summary until answered."
        )

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        text = values.get("text", "").strip()
        if not text:
            return None, {"text": "write the question first"}
        if len(text) > 2000:
            return None, {"text": "the question is longer than 2000 characters"}
        return text, {}

    def save(self, parsed: Any) -> None:
        from tracker.services import clinician

        text, now = str(parsed), self.now

        def write(session: Session) -> tuple[str, str, int]:
            row = clinician.add_question(session=session, text=text, now=now)
            return "Question added.", "question", row.id or 0

        self.run_db(write, self.dismiss)


class AnswerForm(FormModal):
    """Mark a question answered, with what the clinician said (optional)."""

    def __init__(self, question: QuestionView, now: datetime) -> None:
        self.question, self.now = question, now
        fields = [FieldSpec("answer", "Answer", question.answer, "optional: what you were told")]
        super().__init__("Mark the question answered", fields, clip(question.text, 300))

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        answer = values.get("answer", "").strip()
        if len(answer) > 4000:
            return None, {"answer": "the answer is longer than 4000 characters"}
        return answer, {}

    def save(self, parsed: Any) -> None:
        from tracker.services import clinician

        answer, now, qid = str(parsed), self.now, self.question.id

        def write(session: Session) -> tuple[str, str, int]:
            clinician.answer_question(session=session, question_id=qid, answer=answer, now=now)
            return "Question marked answered.", "question", qid

        self.run_db(write, self.dismiss)


class ExportForm(FormModal):
    """Choose the format, period and file of the clinician summary, then write it in a worker."""

    ERROR_FIELDS = (
        ("format", "fmt"),
        ("after", "start"),
        ("folder", "out"),
        ("file", "out"),
        ("write", "out"),
        ("exists", "out"),
    )

    def __init__(self, today: date, now: datetime, tz: ZoneInfo) -> None:
        self.today, self.now, self.tz = today, now, tz
        self._auto_path = default_export_path(today, "md")
        fields = [
            FieldSpec("fmt", "Format", "md", options=EXPORT_FORMATS),
            FieldSpec("start", "From *", (today - timedelta(days=EXPORT_DAYS - 1)).isoformat(), "YYYY-MM-DD"),
            FieldSpec("end", "To *", today.isoformat(), "YYYY-MM-DD"),
            FieldSpec("out", "Save as *", self._auto_path, "a file path; ~ is your home folder"),
        ]
        super().__init__(
            "Export a summary for your clinician",
            fields,
            "What was prescribed and taken, symptoms, mood, sleep and your open questions.",
        )

    @on(Select.Changed, "#f-fmt")
    def _format_changed(self, event: Select.Changed) -> None:
        """Follow the format in the file name, unless the user typed a name of their own."""
        if self.values()["out"] == self._auto_path:
            self._auto_path = default_export_path(self.today, str(event.value))
            self.set_value("out", self._auto_path)

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        errors: dict[str, str] = {}
        bounds: dict[str, date] = {}
        for name in ("start", "end"):
            try:
                bounds[name] = parse_day(values.get(name, "") or "", today=self.today)
            except TrackerError as exc:
                errors[name] = str(exc)
        if not errors and bounds["end"] < bounds["start"]:
            errors["end"] = "the period ends before it starts"
        raw = values.get("out", "").strip()
        if not raw:
            errors["out"] = "give a file name, such as ~/summary.md"
        parsed = {"fmt": values.get("fmt") or "md", "out": output_path(raw) if raw else None, **bounds}
        return parsed, errors

    def save(self, parsed: Any) -> None:
        module = importlib.import_module(EXPORT_MODULE)
        write_summary: Callable[..., Any] = module.write_summary
        values, now, tz = dict(parsed), self.now, self.tz

        def write(session: Session) -> str:
            path = write_summary(
                session=session,
                start=values["start"],
                end=values["end"],
                fmt=values["fmt"],
                out=values["out"],
                now=now,
                tz=tz,
            )
            return f"Summary written to {path or values['out']}"

        self.run_db(write, self.dismiss, write=False)


# --------------------------------------------------------------------------- the screen


class ClinicianScreen(DbScreen):
    """Appointments and questions; the summary export for the next visit."""

    CSS_PATH = "clinician.tcss"
    SUB_TITLE = "Clinician"
    AUTO_FOCUS = "#appt-table"
    BINDINGS = [
        Binding(
            "a",
            "add_appointment",
            "Appointment",
            id="clinician-add-appointment",
            tooltip="Add an appointment",
        ),
        Binding("d", "delete", "Delete", id="clinician-delete", tooltip="Delete the highlighted appointment"),
        Binding(
            "n", "add_question", "Question", id="clinician-add-question", tooltip="Add a question to ask"
        ),
        Binding(
            "x", "answer", "Answered", id="clinician-answer", tooltip="Mark the highlighted question answered"
        ),
        # The export is built by another part of the app: this key works once tracker.export.summary exists.
        Binding(
            "e",
            "export",
            "Export summary",
            id="clinician-export",
            tooltip="Export a summary for your clinician",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: ClinicianData | None = None
        self._select: tuple[str, int] | None = None  # the row to highlight after the next load

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="clinician-body"):
            yield Static("Appointments: booked first, then past", classes="section-title")
            yield DataTable(id="appt-table", cursor_type="row", zebra_stripes=True)
            yield Static("Questions for your clinician: open first", classes="section-title")
            yield DataTable(id="question-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="clinician-detail", markup=False)  # the user's own words, as typed
        yield KeyFooter()

    def on_mount(self) -> None:
        appts = self.query_one("#appt-table", DataTable)
        for label, key in (
            ("When", "when"),
            ("With", "with"),
            ("Kind", "kind"),
            ("Status", "status"),
            ("Notes", "notes"),
        ):
            appts.add_column(label, key=key)
        questions = self.query_one("#question-table", DataTable)
        for label, key in (("Asked", "asked"), ("Status", "status"), ("Question", "text")):
            questions.add_column(label, key=key)

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.data is not None:
            self._show(self.data)  # the text columns are cut to the width

    # -- data -------------------------------------------------------------
    def reload(self) -> None:
        now = self.tracker_app.now()
        self.run_db(
            lambda s: load_clinician(s, now),
            self._show,
            light=True,  # plain SQL: opening Clinician never imports the ORM
            group="clinician-load",
            exclusive=True,
        )

    def _show(self, data: ClinicianData) -> None:
        self.data = data
        width = max(60, self.size.width) - 2  # less the scrollbar
        appts = self.query_one("#appt-table", DataTable)
        old_appt = appts.cursor_row
        appts.clear()
        for a in data.appointments:
            appts.add_row(
                a.local,
                plain(a.clinician, 18),
                plain(a.kind),
                "booked" if a.booked else "past",
                plain(a.notes, max(10, width - 66)),
                key=str(a.id),
            )
        if not data.appointments:
            appts.add_row("none yet", "", "", "", "press a to add one")
        questions = self.query_one("#question-table", DataTable)
        old_q = questions.cursor_row
        questions.clear()
        for q in data.questions:
            status = "answered" if q.answered else "open"
            questions.add_row(q.asked.isoformat(), status, plain(q.text, max(20, width - 24)), key=str(q.id))
        if not data.questions:
            questions.add_row("", "", "none yet: press n to add one")
        appt_index = min(old_appt, max(0, len(data.appointments) - 1))
        q_index = min(old_q, max(0, len(data.questions) - 1))
        if self._select is not None:
            table, row_id = self._select
            self._select = None
            if table == "appt":
                ids = [a.id for a in data.appointments]
                appt_index = ids.index(row_id) if row_id in ids else appt_index
                appts.focus()
            else:
                ids = [q.id for q in data.questions]
                q_index = ids.index(row_id) if row_id in ids else q_index
                questions.focus()
        appts.move_cursor(row=appt_index)
        questions.move_cursor(row=q_index)
        self._show_detail()

    @property
    def appointment(self) -> AppointmentView | None:
        if self.data is None or not self.data.appointments:
            return None
        row = self.query_one("#appt-table", DataTable).cursor_row
        return self.data.appointments[row] if 0 <= row < len(self.data.appointments) else None

    @property
    def question(self) -> QuestionView | None:
        if self.data is None or not self.data.questions:
            return None
        row = self.query_one("#question-table", DataTable).cursor_row
        return self.data.questions[row] if 0 <= row < len(self.data.questions) else None

    def _show_detail(self) -> None:
        detail = self.query_one("#clinician-detail", Static)
        if self.focused is self.query_one("#question-table", DataTable):
            q = self.question
            text = ""
            if q is not None:
                text = f"Asked {q.asked.isoformat()}: {q.text}"
                if q.answered is not None:
                    text += f"\nAnswered {q.answered.isoformat()}" + (f": {q.answer}" if q.answer else "")
        else:
            a = self.appointment
            text = ""
            if a is not None:
                text = f"{a.local} · {a.kind}" + (f" with {a.clinician}" if a.clinician else "")
                text += f" ({'booked' if a.booked else 'past'})" + (f"\n{a.notes}" if a.notes else "")
        detail.update(text)

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def on_descendant_focus(self) -> None:
        self._show_detail()

    # -- actions ----------------------------------------------------------
    def _form_done(self, result: str | tuple[str, str, int] | None) -> None:
        """Say what was saved; reload and highlight the row it was about."""
        if isinstance(result, tuple):
            result, table, row_id = result
            self._select = (table, row_id)
        if result:
            self.notify(result, title="Saved")
            self.reload()

    def action_add_appointment(self) -> None:
        if self.data is not None:
            self.app.push_screen(AppointmentForm(self.data.today, self.data.tz), self._form_done)

    def action_add_question(self) -> None:
        self.app.push_screen(QuestionForm(self.tracker_app.now()), self._form_done)

    def action_answer(self) -> None:
        q = self.question
        if q is None:
            self.notify("No question to mark: press n to add one.", severity="warning", timeout=4)
            return
        self.app.push_screen(AnswerForm(q, self.tracker_app.now()), self._form_done)

    def action_delete(self) -> None:
        if self.focused is self.query_one("#question-table", DataTable):
            self.notify("Questions are kept; mark one answered with x.", timeout=5)
            return
        a = self.appointment
        if a is None:
            self.notify("No appointment to delete.", severity="warning", timeout=4)
            return
        who = f" with {a.clinician}" if a.clinician else ""
        question = f"Delete the {a.kind} appointment{who} on {a.local}?\n\n"
        question += "Undo on the History screen (u) brings it back."
        self.app.push_screen(ConfirmModal(question), lambda yes: self._delete(a.id) if yes else None)

    def _delete(self, appointment_id: int) -> None:
        from tracker.services import clinician

        def write(session: Session) -> str:
            clinician.delete_appointment(session=session, appointment_id=appointment_id)
            return "Appointment deleted."

        self.run_db(write, self._form_done, write=True)

    def action_export(self) -> None:
        # Export summary: the exporter is another engineer's module; use it only once it exists.
        if not export_available():
            self.notify("Export is not available yet.", severity="warning", timeout=5)
            return
        if self.data is None:
            return
        self.app.push_screen(
            ExportForm(self.data.today, self.tracker_app.now(), self.data.tz), self._exported
        )

    def _exported(self, message: str | None) -> None:
        if message:
            self.notify(message, title="Exported", timeout=10)
