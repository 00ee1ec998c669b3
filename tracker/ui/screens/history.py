"""History screen: the log of doses, symptoms, check-ins and changes, a page at a time.

Rows come from tracker.services.history one page at a time (never the whole
log), through plain SQL (no ORM import to open the screen), by key: the screen
keeps the cursor each visited page starts after, and counts the log only when
the filter or the data changes. An entry can be
corrected or deleted (after confirmation), and the last change of any kind can
be undone; the audit trail keeps every version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from tracker.domain.errors import TrackerError
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.units import (
    amount_to_mg,
    parse_amount,
    parse_day,
    parse_mood,
    parse_sleep,
    parse_when,
)
from tracker.ui.base import DbScreen
from tracker.ui.widgets.cells import cell, show_text
from tracker.ui.widgets.footer import KeyFooter
from tracker.ui.widgets.forms import ConfirmModal, FieldSpec, FormModal

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.services.history import EditableEntry, HistoryCursor, HistoryPage, HistoryRow
    from tracker.store import Reads

PAGE_SIZE = 100  # rows per page on screen; the service allows up to 500

KIND_OPTIONS: tuple[tuple[str, str], ...] = (
    ("Doses, symptoms, check-ins", "entries"),
    ("Doses", "dose"),
    ("Symptoms", "symptom"),
    ("Check-ins", "checkin"),
    ("Changes (every edit)", "change"),
    ("Everything", "all"),
)
KIND_LABELS = {"dose": "dose", "symptom": "symptom", "checkin": "check-in", "change": "change"}


def kinds_for(choice: str) -> tuple[str, ...]:
    """The service kinds behind one choice of the Show filter."""
    from tracker.services.history import ENTRY_KINDS, KINDS

    if choice == "entries":
        return ENTRY_KINDS
    if choice == "all":
        return KINDS
    return (choice,)


# --------------------------------------------------------------------------- the edit form


class EditEntryForm(FormModal):
    """Correct a dose (amount, time taken, note), a symptom rating (severity) or a check-in."""

    ERROR_FIELDS = (
        ("amount", "amount"),
        ("future", "taken"),
        ("time", "taken"),
        ("severity", "severity"),
        ("mood", "mood"),
        ("sleep", "sleep"),
        ("note", "note"),
    )

    def __init__(self, entry: EditableEntry, now: datetime, tz: ZoneInfo) -> None:
        self.entry = entry
        self.now = now
        self.tz = tz
        e = entry
        if e.kind == "dose":
            taken = e.taken_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if e.taken_at else ""
            unit = {"liquid": "ml", "drops": "drops"}.get(e.form or "", e.form or "tablet")
            fields = [
                FieldSpec(
                    "amount",
                    "Amount *",
                    (f"{e.amount_mg:g}mg" if e.amount_mg is not None else ""),
                    f"such as 25mg or 0.5 {unit}",
                ),
                FieldSpec("taken", "Taken at", taken, "YYYY-MM-DD HH:MM, or HH:MM today"),
                FieldSpec("note", "Note", e.note or "", "optional"),
            ]
            intro = f"Dose of {e.label}." + (
                " It was marked skipped; a time marks it taken." if e.status == "skipped" else ""
            )
        elif e.kind == "symptom":
            options = tuple((f"{i} {label}", str(i)) for i, label in enumerate(SEVERITY_LABELS))
            fields = [
                FieldSpec("severity", "Severity", str(e.severity or 0), options=options),
                FieldSpec("note", "Note", e.note or "", "optional"),
            ]
            intro = f"Rating of {e.label}."
        else:
            fields = [
                FieldSpec(
                    "mood", "Mood (0-10)", "" if e.mood is None else str(e.mood), "0 very low, 10 very good"
                ),
                FieldSpec(
                    "sleep",
                    "Sleep (hours)",
                    "" if e.sleep_hours is None else f"{e.sleep_hours:g}",
                    "such as 7.5",
                ),
                FieldSpec("note", "Note", e.note or "", "optional"),
            ]
            intro = f"The {e.label}. Leave a field empty to clear it."
        super().__init__("Correct an entry", fields, intro + " Undo (u) can put it back as it was.")

    def check(self, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
        e = self.entry
        errors: dict[str, str] = {}
        out: dict[str, Any] = {"note": values.get("note", "").strip()}
        if len(out["note"]) > 2000:
            errors["note"] = "the note is longer than 2000 characters"
        if e.kind == "dose":
            try:
                amount = parse_amount(values.get("amount", ""))
                out["amount_mg"] = amount_to_mg(
                    amount,
                    form=e.form or "tablet",
                    strength_mg=e.strength_mg or 0,
                    liquid_mg_per_ml=e.liquid_mg_per_ml,
                    name=e.medication_name or "this medication",
                )
            except TrackerError as exc:
                errors["amount"] = str(exc)
            raw = values.get("taken", "").strip()
            out["taken_at"] = None
            if raw:
                try:
                    out["taken_at"] = parse_when(raw, now=self.now, tz=self.tz)
                except TrackerError as exc:
                    errors["taken"] = str(exc)
            elif e.status != "skipped":
                errors["taken"] = "give the time it was taken, such as 08:10 or 2026-11-27 08:10"
        elif e.kind == "symptom":
            out["severity"] = int(values.get("severity") or 0)
        else:
            for name, parse in (("mood", parse_mood), ("sleep", parse_sleep)):
                raw = values.get(name, "").strip()
                out[name] = None
                if raw:
                    try:
                        out[name] = parse(raw)
                    except TrackerError as exc:
                        errors[name] = str(exc)
        return out, errors

    def save(self, parsed: Any) -> None:
        from tracker.services import checkins, doses, symptoms

        e, now, v = self.entry, self.now, dict(parsed)

        def write(session: Session) -> str:
            if e.kind == "dose":
                status = "taken" if e.status == "skipped" and v["taken_at"] is not None else None
                doses.edit_dose(
                    session=session,
                    event_id=e.row_id,
                    amount_mg=v["amount_mg"],
                    taken_at=v["taken_at"],
                    status=status,
                    note=v["note"],
                    now=now,
                )
            elif e.kind == "symptom":
                assert e.symptom_id is not None
                symptoms.rate_symptom(
                    session=session,
                    symptom_id=e.symptom_id,
                    day=e.day,
                    severity=v["severity"],
                    note=v["note"],
                    now=now,
                )
            else:
                checkins.set_checkin(
                    session=session,
                    day=e.day,
                    mood=v["mood"],
                    sleep_hours=v["sleep"],
                    note=v["note"],
                    now=now,
                )
            return f"Corrected the {KIND_LABELS[e.kind]} of {e.day.isoformat()}. Press u to undo."

        self.run_db(write, self.dismiss)


# --------------------------------------------------------------------------- the screen


class HistoryScreen(DbScreen):
    """The log, newest first, filtered by date range and kind, one page at a time."""

    CSS_PATH = "history.tcss"
    SUB_TITLE = "History"
    AUTO_FOCUS = "#history-table"
    BINDINGS = [
        Binding("e", "edit", "Edit", id="history-edit", tooltip="Correct the highlighted entry"),
        Binding("d", "delete", "Delete", id="history-delete", tooltip="Delete the highlighted entry (asks)"),
        Binding("u", "undo", "Undo last", id="history-undo", tooltip="Undo the last change, whatever it was"),
        Binding("f", "filter", "Filter", id="history-filter", tooltip="Filter by dates and kind"),
        Binding("n", "page(1)", "Next page", id="history-next", tooltip="Older page; also PgDn"),
        Binding("b", "page(-1)", "Back page", id="history-previous", tooltip="Newer page; also PgUp"),
        Binding("pagedown", "page(1)", "Next page", show=False, priority=True, id="history-next-pgdn"),
        Binding("pageup", "page(-1)", "Prev page", show=False, priority=True, id="history-previous-pgup"),
        Binding("escape", "focus_table", "Back to list", show=False, id="history-focus-table"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0
        self.start: date | None = None
        self.end: date | None = None
        self.choice = "entries"
        self.page: HistoryPage | None = None
        self.cursors: list[HistoryCursor | None] = [None]  # where each page up to this one starts
        self.total: int | None = None  # rows in the filtered log; None: count on the next load
        self._loads = 0  # loads asked for: only the latest one's page is shown (cursors follow it)
        self.tz: ZoneInfo = ZoneInfo("UTC")
        self._keep_key: tuple[str, int] | None = None
        self._keep_index = 0
        self.last_undo = ""  # what the last undo reverted, shown under the table

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-filters"):
            yield Label("From", classes="filter-label")
            yield Input(placeholder="YYYY-MM-DD", compact=True, id="filter-from")
            yield Label("To", classes="filter-label")
            yield Input(placeholder="YYYY-MM-DD", compact=True, id="filter-to")
            yield Label("Show", classes="filter-label")
            yield Select(KIND_OPTIONS, value="entries", allow_blank=False, compact=True, id="filter-kind")
        yield Static("", id="filter-error")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="history-detail", markup=False)  # the user's own words, as typed
        yield Static("Loading…", id="history-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter-error", Static).display = False
        self._set_columns()

    def on_screen_resume(self) -> None:
        self.total = None  # entries may have been logged elsewhere
        self.reload()

    def on_resize(self) -> None:
        if self.page is not None:
            self._remember_cursor()  # the columns are rebuilt: keep the highlighted row
        self._set_columns()
        self._fill_table()

    # -- table --------------------------------------------------------------
    def _widths(self) -> tuple[int, int, int, int, int]:
        # day, time, kind, what, detail: each column also takes 2 cells of padding
        total = max(60, self.size.width - 2)  # less the scrollbar
        what = 22 if total < 100 else 30
        detail = max(12, total - (10 + 5 + 8 + what) - 10)
        return 10, 5, 8, what, detail

    def _set_columns(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        day, time, kind, what, detail = self._widths()
        table.add_column("Day", width=day, key="day")
        table.add_column("Time", width=time, key="time")
        table.add_column("Kind", width=kind, key="kind")
        table.add_column("What", width=what, key="what")
        table.add_column("Detail", width=detail, key="detail")

    def _fill_table(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear()
        if self.page is None:
            return
        _, _, kind_w, what_w, detail_w = self._widths()
        for row in self.page.rows:
            table.add_row(
                cell(row.day.isoformat()),
                cell(row.time),
                cell(KIND_LABELS.get(row.kind, row.kind), kind_w),
                cell(row.what, what_w),
                cell(row.detail, detail_w),
                key=f"{row.kind}:{row.row_id}",
            )
        if not self.page.rows:
            self._show_detail()
            return
        keys = [(r.kind, r.row_id) for r in self.page.rows]
        index = keys.index(self._keep_key) if self._keep_key in keys else min(self._keep_index, len(keys) - 1)
        table.move_cursor(row=index)
        self._show_detail()

    @property
    def current(self) -> HistoryRow | None:
        if self.page is None or not self.page.rows:
            return None
        table = self.query_one("#history-table", DataTable)
        index = table.cursor_row
        return self.page.rows[index] if 0 <= index < len(self.page.rows) else None

    def _show_detail(self) -> None:
        row = self.current
        text = ""
        if row is not None:
            when = f"{row.day.isoformat()} {row.time}".strip()
            text = f"{when} · {KIND_LABELS.get(row.kind, row.kind)} · {row.what}: {row.detail}"
        show_text(self.query_one("#history-detail", Static), text)

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- data ---------------------------------------------------------------
    def reload(self) -> None:
        from tracker.services import history
        from tracker.services.settings import user_zone

        kinds, start, end, offset = kinds_for(self.choice), self.start, self.end, self.page_offset
        after, before = self.cursors[-1], self.cursors[-2] if len(self.cursors) > 1 else None
        count = self.total is None
        self._loads += 1
        load = self._loads

        def fetch(session: Reads) -> tuple[ZoneInfo, HistoryPage]:
            tz = user_zone(session=session)
            page = history.history_page(
                session=session,
                tz=tz,
                kinds=kinds,
                start=start,
                end=end,
                offset=offset,
                after=after,
                count=count,
                limit=PAGE_SIZE,
            )
            if not page.rows and page.offset > 0:  # the last page emptied by a delete: show the one before
                page = history.history_page(
                    session=session,
                    tz=tz,
                    kinds=kinds,
                    start=start,
                    end=end,
                    offset=offset - PAGE_SIZE,
                    after=before,
                    count=count,
                    limit=PAGE_SIZE,
                )
            return tz, page

        self.run_db(
            fetch,
            lambda result: self._show_page(result, load),
            light=True,  # plain SQL: opening History never imports the ORM
            group="history-load",
            exclusive=True,
        )

    def _show_page(self, result: tuple[ZoneInfo, HistoryPage], load: int) -> None:
        if load != self._loads:
            return  # a later load is on its way
        self.tz, self.page = result
        self.page_offset = self.page.offset
        del self.cursors[self.page.page_number :]  # fell back a page: its cursor goes
        if self.page.total is not None:
            self.total = self.page.total
        self._fill_table()
        self._update_status()

    def _update_status(self) -> None:
        page, extra, total = self.page, self.last_undo, self.total or 0
        if page is None:
            return
        if total == 0 and not page.rows:
            status = "Nothing to show in this range." if self.start or self.end else "Nothing to show yet."
        else:
            pages = max(1, -(-total // PAGE_SIZE))
            first, last = page.offset + 1, page.offset + len(page.rows)
            status = f"Page {page.page_number} of {pages} · rows {first}-{last} of {total}"
            status += ", newest first"
            if pages > 1:
                status += " · PgDn/PgUp also turn pages"
        show_text(self.query_one("#history-status", Static), f"{status}\n{extra}" if extra else status)

    # -- filters --------------------------------------------------------------
    def _read_filters(self) -> bool:
        errors = []
        today = self.tracker_app.now().astimezone(self.tz).date()
        bounds: list[date | None] = []
        for name, field_id in (("From", "#filter-from"), ("To", "#filter-to")):
            raw = self.query_one(field_id, Input).value.strip()
            if not raw:
                bounds.append(None)
                continue
            try:
                bounds.append(parse_day(raw, today=today, allow_future=True))
            except TrackerError as exc:
                errors.append(f"{name}: {exc}")
                bounds.append(None)
        if not errors and bounds[0] and bounds[1] and bounds[1] < bounds[0]:
            errors.append("To is before From")
        label = self.query_one("#filter-error", Static)
        label.update("; ".join(errors))
        label.display = bool(errors)
        if errors:
            return False
        self.start, self.end = bounds
        return True

    def _apply_filters(self) -> None:
        if self._read_filters():
            self.page_offset = 0
            self.cursors, self.total = [None], None
            self._keep_key, self._keep_index = None, 0
            self.last_undo = ""
            self.reload()

    @on(Input.Submitted, "#filter-from, #filter-to")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_filters()
        if not self.query_one("#filter-error", Static).display:
            self.action_focus_table()

    @on(Select.Changed, "#filter-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.choice = str(event.value)
        self._apply_filters()

    def action_filter(self) -> None:
        self.query_one("#filter-from", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#history-table", DataTable).focus()

    # -- paging ---------------------------------------------------------------
    def action_page(self, step: int) -> None:
        page = self.page
        if page is None:
            return
        if (step > 0 and not page.has_next) or (step < 0 and not page.has_previous):
            self.notify("That is the last page." if step > 0 else "That is the first page.", timeout=3)
            return
        # Pages turn from the page on screen, one at a time (the cursors are per page).
        self.cursors = self.cursors[: page.page_number]
        if step > 0:
            self.cursors.append(page.next_cursor)
        else:
            self.cursors.pop()
        self.page_offset = (len(self.cursors) - 1) * PAGE_SIZE
        self._keep_key, self._keep_index = None, 0
        self.reload()

    # -- edit, delete, undo -----------------------------------------------------
    def _editable_row(self, verb: str) -> HistoryRow | None:
        row = self.current
        if row is None:
            self.notify(f"Nothing to {verb} here.", severity="warning", timeout=4)
            return None
        if row.kind == "change":
            self.notify(
                f"A change in the audit trail cannot be {verb}ed; u undoes the last change.",
                severity="warning",
                timeout=6,
            )
            return None
        return row

    def _remember_cursor(self) -> None:
        row = self.current
        table = self.query_one("#history-table", DataTable)
        self._keep_key = (row.kind, row.row_id) if row else None
        self._keep_index = table.cursor_row

    def action_edit(self) -> None:
        row = self._editable_row("edit")
        if row is None:
            return
        from tracker.services import history

        now, tz = self.tracker_app.now(), self.tz
        self._remember_cursor()

        def fetch(session: Session) -> EditableEntry:
            return history.load_entry(session=session, kind=row.kind, row_id=row.row_id, tz=tz)

        def open_form(entry: EditableEntry) -> None:
            self.app.push_screen(EditEntryForm(entry, now, tz), self._changed)

        self.run_db(fetch, open_form)

    def action_delete(self) -> None:
        row = self._editable_row("delete")
        if row is None:
            return
        when = f"{row.day.isoformat()} {row.time}".strip()
        question = (
            f"Delete this {KIND_LABELS[row.kind]} of {when}?\n{row.what}: {row.detail}\n\n"
            "Undo (u) can bring it back."
        )
        self._remember_cursor()
        self.app.push_screen(ConfirmModal(question), lambda yes: self._delete_confirmed(row, bool(yes)))

    def _delete_confirmed(self, row: HistoryRow, yes: bool) -> None:
        if not yes:
            return
        from tracker.services import history

        def write(session: Session) -> str:
            history.delete_entry(session=session, kind=row.kind, row_id=row.row_id)
            return f"Deleted the {KIND_LABELS[row.kind]} of {row.day.isoformat()}. Press u to undo."

        self._keep_key = None
        self.run_db(write, self._changed, write=True)

    def action_undo(self) -> None:
        from tracker.services import audit

        def write(session: Session) -> str:
            return audit.undo_last(session=session).describe()

        self._remember_cursor()
        self.run_db(write, self._undone, write=True)

    def _undone(self, message: str) -> None:
        if message == "nothing to undo":
            self.notify("Nothing to undo.", timeout=4)
            return
        self.notify(message, title="Undone")
        self.last_undo = message
        self.total = None
        self.reload()

    def _changed(self, message: str | None) -> None:
        if message:
            self.last_undo = ""
            self.notify(message, title="Saved")
            self.total = None
            self.reload()
