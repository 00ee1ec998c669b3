"""Reference apps for the UI budgets: bare Textual apps that do a screen's work with plain sqlite3.

``bare-today`` reads the day's doses, symptom ratings and check-in of the database in a
thread worker and shows them in a DataTable: what Today does, without the app's code.
``bare-table`` shows 100 rows of the log (doses, ratings and check-ins, newest first, read
by key from each table's day index and merged) in a DataTable and turns to the next 100 on
``n``: what a History page turn does. benchmarks/ui_probe.py times them as it times the app.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

_PAGE_SQL = """
SELECT kind, rid, day, at, what FROM (
  SELECT * FROM (SELECT 'dose' AS kind, d.id AS rid, d.day AS day,
                        coalesce(d.taken_at, d.scheduled_for, d.logged_at) AS at,
                        m.name || ' ' || d.amount_mg || ' mg ' || d.status AS what
                 FROM doseevent d JOIN medication m ON m.id = d.medication_id
                 WHERE d.day <= ? ORDER BY d.day DESC, at DESC, d.id DESC LIMIT ?)
  UNION ALL
  SELECT * FROM (SELECT 'symptom', id, day, logged_at, symptom_name || ' ' || severity
                 FROM symptomentry WHERE day <= ? ORDER BY day DESC, logged_at DESC, id DESC LIMIT ?)
  UNION ALL
  SELECT * FROM (SELECT 'checkin', id, day, logged_at, 'mood ' || coalesce(mood, '-')
                 FROM checkin WHERE day <= ? ORDER BY day DESC, logged_at DESC, id DESC LIMIT ?)
) WHERE day < ? OR (day = ? AND (kind || rid) NOT IN (SELECT value FROM json_each(?)))
ORDER BY day DESC, at DESC, kind, rid DESC LIMIT ?
"""


def _connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


class BareToday(App[None]):
    """Today's doses, ratings and check-in, read with sqlite3 in a worker, in a DataTable."""

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="day")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("what", "detail", "status")
        self.load()

    @work(thread=True, group="today-load")
    def load(self) -> None:
        conn = _connect(self.db)
        try:
            zone = conn.execute("SELECT value FROM setting WHERE key = 'timezone'").fetchone()
            tz = ZoneInfo(zone[0].strip('"')) if zone else ZoneInfo("UTC")
            day = datetime.now(tz).date().isoformat()
            rows: list[tuple[Any, ...]] = []
            rows += conn.execute(
                "SELECT m.name, d.amount_mg, d.status FROM doseevent d JOIN medication m "
                "ON m.id = d.medication_id WHERE d.day = ?",
                (day,),
            ).fetchall()
            rows += conn.execute(
                "SELECT s.name, e.severity, '' FROM symptom s LEFT JOIN symptomentry e "
                "ON e.symptom_id = s.id AND e.day = ? WHERE s.hidden = 0 ORDER BY s.sort_order",
                (day,),
            ).fetchall()
            rows += conn.execute(
                "SELECT 'check-in', mood, sleep_hours FROM checkin WHERE day = ?", (day,)
            ).fetchall()
        finally:
            conn.close()
        self.call_from_thread(self.show, rows)

    def show(self, rows: list[tuple[Any, ...]]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows([tuple("" if v is None else str(v) for v in r) for r in rows])


class BareTable(App[None]):
    """The log, 100 rows a page by key, in a DataTable; n turns to the next page."""

    BINDINGS = [Binding("n", "next", "Next page")]

    def __init__(self, db: Path, rows: int) -> None:
        super().__init__()
        self.db = db
        self.rows = rows
        self.after: tuple[str, list[str]] = ("9999-12-31", [])

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="log", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("day", "time", "kind", "what")
        self.load()

    def action_next(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="history-load")
    def load(self) -> None:
        import json

        day, seen = self.after
        n = self.rows
        conn = _connect(self.db)
        try:
            found = conn.execute(
                _PAGE_SQL,
                (day, n + len(seen), day, n + len(seen), day, n + len(seen), day, day, json.dumps(seen), n),
            ).fetchall()
        finally:
            conn.close()
        if found:
            last = found[-1][2]
            same = [f"{k}{r}" for k, r, d, _, _ in found if d == last]
            self.after = (last, same + (seen if last == day else []))
        self.call_from_thread(self.show, found)

    def show(self, found: list[tuple[Any, ...]]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        table.add_rows([(d, str(at)[11:16], k, w) for k, _, d, at, w in found])


def run_bare(mode: str, db: Path, marks: dict[str, Any], turns: int, rows: int) -> int:
    """Run the reference app of ``mode`` (headless: ui_probe patched ``App.run``)."""
    app: App[None] = BareToday(db) if mode == "bare-today" else BareTable(db, rows)
    app.run()
    return 0
