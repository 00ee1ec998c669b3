"""The reminder and baseline queries read indexes, never a big table end to end, and the
latest dose R4's stop case needs is the latest one *taken* up to now, however long ago.

Plans are read with EXPLAIN QUERY PLAN on the statements the services really run. SQLite
plans without ANALYZE statistics, so a small file plans as a ten-year one does.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import Session

from tracker.db import Database
from tracker.models import DoseEvent
from tracker.services import checkins, meds, settings, symptoms
from tracker.services import reminders_service as rs

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
BIG_TABLES = {"doseevent", "checkin", "symptomentry", "auditentry"}


def _setup(db: Database) -> int:
    """Sertraline twice a day since January, three baseline days with ratings, a week of check-ins."""
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=25,
            times=[time(8), time(20)],
            start_date=date(2026, 1, 1),
        )
        zaps = symptoms.find_symptom(session=s, name="brain-zaps")
        for k in range(7):
            day = date(2026, 1, 1) + timedelta(days=k)
            checkins.set_checkin(session=s, day=day, mood=6, is_baseline=k < 3, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=zaps.id or 0, day=day, severity=1 + k % 2, now=NOW)
        return med.id or 0


def _dose(db: Database, med_id: int, day: date, taken_at: datetime | None, status: str = "extra") -> None:
    with db.write() as s:
        s.add(
            DoseEvent(
                medication_id=med_id,
                day=day,
                scheduled_for=None,
                taken_at=taken_at,
                amount_mg=25,
                status=status,
            )
        )


@contextmanager
def _captured(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The statements run on the engine's connections, traced by SQLite itself: the ORM's and the
    plain-SQL reads' (tracker/queries) alike, with their parameters written in (so params are None)."""
    seen: list[tuple[str, Any]] = []

    def trace(dbapi_connection: sqlite3.Connection, *_rest: Any) -> None:
        dbapi_connection.set_trace_callback(lambda statement: seen.append((statement, None)))

    event.listen(db.engine, "checkout", trace)
    try:
        yield seen
    finally:
        event.remove(db.engine, "checkout", trace)


def _plans(db: Database, work: Callable[[Session], object]) -> list[tuple[str, list[str]]]:
    """Each SELECT ``work`` runs, with its EXPLAIN QUERY PLAN lines."""
    with _captured(db) as seen, db.read() as session:
        work(session)
    conn = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    try:
        return [
            (sql, [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params or ())])
            for sql, params in seen
            if sql.lstrip().upper().startswith("SELECT")
        ]
    finally:
        conn.close()


def _full_scans(plans: list[tuple[str, list[str]]]) -> list[str]:
    found = []
    for sql, lines in plans:
        aliases = {a.lower(): t.lower() for t, a in re.findall(r"\b(\w+) AS (\w+)", sql)}
        for line in lines:
            m = re.match(r"SCAN (\w+)", line)
            if m and aliases.get(m.group(1).lower(), m.group(1).lower()) in BIG_TABLES:
                found.append(f"{line}: {' '.join(sql.split())[:120]}")
    return found


def test_reminders_and_baseline_days_read_no_big_table_end_to_end(db: Database) -> None:
    med_id = _setup(db)
    _dose(db, med_id, date(2026, 10, 1), datetime(2026, 10, 1, 8, 5, tzinfo=UTC))

    def work(session: Session) -> None:
        rs.active_reminders(session=session, now=NOW, tz=LONDON)
        checkins.baseline_days(session=session)

    plans = _plans(db, work)
    assert _full_scans(plans) == []
    lines = [line for _, ls in plans for line in ls]
    # the two indexes of migration 0002 are the ones doing the work
    assert any("ix_doseevent_med_taken (medication_id=? AND taken_at>? AND taken_at<?)" in x for x in lines)
    assert sum("ix_checkin_baseline (is_baseline=?)" in x for x in lines) == 2  # "= 1" and "IS 1"


def test_the_latest_dose_is_the_latest_taken_not_the_one_of_the_latest_day(db: Database) -> None:
    med_id = _setup(db)
    _dose(db, med_id, date(2026, 10, 1), datetime(2026, 10, 1, 8, 5, tzinfo=UTC))
    # an older entry whose time was later corrected to 3 October: the latest dose taken
    _dose(db, med_id, date(2026, 9, 20), datetime(2026, 10, 3, 9, 0, tzinfo=UTC))
    _dose(db, med_id, date(2026, 10, 20), None, status="skipped")  # skipped: not a dose taken
    with db.read() as s:
        ctx = rs.gather_context(session=s, now=NOW, tz=LONDON)
        [stop] = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R4"]
    assert [d.taken_at for d in ctx.doses] == [datetime(2026, 10, 3, 9, 0, tzinfo=UTC)]
    assert stop.severity == "urgent" and stop.at == datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
    assert "No dose of Sertraline has been logged since Sat 3 Oct 2026." in stop.message


def test_a_time_after_now_does_not_hide_the_last_real_dose(db: Database) -> None:
    med_id = _setup(db)
    _dose(db, med_id, date(2026, 10, 1), datetime(2026, 10, 1, 8, 5, tzinfo=UTC))
    # written while the computer's clock was a month fast: not taken yet as far as `now` knows
    _dose(db, med_id, date(2026, 9, 25), datetime(2026, 12, 27, 8, 0, tzinfo=UTC))
    with db.read() as s:
        ctx = rs.gather_context(session=s, now=NOW, tz=LONDON)
        r4 = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R4"]
    assert [d.taken_at for d in ctx.doses] == [datetime(2026, 10, 1, 8, 5, tzinfo=UTC)]
    assert [(r.severity, r.at) for r in r4] == [("urgent", datetime(2026, 10, 1, 8, 5, tzinfo=UTC))]


def test_a_dose_taken_yesterday_means_no_stop_reminder(db: Database) -> None:
    med_id = _setup(db)
    _dose(db, med_id, date(2026, 10, 1), datetime(2026, 10, 1, 8, 5, tzinfo=UTC))
    _dose(db, med_id, TODAY - timedelta(days=1), NOW - timedelta(days=1, hours=3))
    with db.read() as s:
        reminders = rs.active_reminders(session=s, now=NOW, tz=LONDON)
    assert [r for r in reminders if r.key.endswith(":stop")] == []
