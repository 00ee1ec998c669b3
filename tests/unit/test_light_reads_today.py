"""Today's reads in plain SQL: the same answers through an ORM session and a plain connection.

Each converted read (tracker/queries, services.schedule, services.day) runs twice on one
database, once with a session (the ORM services' way) and once with ``Reader(...).read()``
(the UI's light way), and the answers must be equal. The day window of one day is checked
against values worked out by hand, and the rows against the ORM objects they replace.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from tracker.db import Database
from tracker.models import CheckIn, DoseEvent, Medication, Symptom, SymptomEntry
from tracker.queries import doses as dose_queries
from tracker.services import checkins, day, doses, meds, schedule, settings, symptoms
from tracker.store import Reader
from tracker.ui.screens import today_data

LONDON = ZoneInfo("Europe/London")  # GMT in November: local times equal UTC, which keeps sums simple
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
ROOT = Path(__file__).resolve().parents[2]


def back(days: int) -> date:
    return TODAY - timedelta(days=days)


def at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


class Ids:
    sertraline = propranolol = citalopram = 0
    zaps = insomnia = dizziness = nausea = hidden = 0


@pytest.fixture
def ids(db: Database) -> Ids:
    """Two active medications and an archived one, a dose change, doses, ratings and check-ins.

    Sertraline 100 mg at 08:00 and 20:00 from 1 Nov, 75 mg at 08:00 from 25 Nov; propranolol
    10 mg at 09:00 from 20 Nov; citalopram archived (its prescription must not make slots).
    """
    out = Ids()
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        out.sertraline = meds.create_medication(session=s, name="Sertraline", strength_mg=50).id or 0
        out.propranolol = meds.create_medication(session=s, name="Propranolol", strength_mg=10).id or 0
        out.citalopram = meds.create_medication(session=s, name="Citalopram", strength_mg=20).id or 0
        for med, mg, times, start in (
            (out.sertraline, 100, [time(8), time(20)], date(2026, 11, 1)),
            (out.sertraline, 75, [time(8)], date(2026, 11, 25)),
            (out.propranolol, 10, [time(9)], date(2026, 11, 20)),
            (out.citalopram, 20, [time(8)], date(2026, 11, 1)),
        ):
            meds.set_prescription(session=s, medication_id=med, dose_mg=mg, times=times, start_date=start)
        meds.set_archived(session=s, medication_id=out.citalopram, confirmed=True)
        # yesterday: sertraline taken, propranolol skipped; today: sertraline taken, then an extra 25 mg
        doses.log_dose(session=s, medication_id=out.sertraline, taken_at=at(back(1), 8, 10), now=NOW)
        doses.log_dose(
            session=s, medication_id=out.propranolol, taken_at=at(back(1), 9), skipped=True, now=NOW
        )
        doses.log_dose(session=s, medication_id=out.sertraline, taken_at=at(TODAY, 8, 5), now=NOW)
        doses.log_dose(
            session=s, medication_id=out.sertraline, amount_mg=25, taken_at=at(TODAY, 14, 30), now=NOW
        )
        for name in ("brain zaps", "insomnia", "dizziness", "nausea", "tremor"):
            found = symptoms.find_symptom(session=s, name=name).id or 0
            setattr(out, {"brain zaps": "zaps", "tremor": "hidden"}.get(name, name), found)
        symptoms.set_hidden(session=s, symptom_id=out.hidden, hidden=True)
        for d, symptom, severity in (
            (TODAY, out.zaps, 2),
            (TODAY, out.insomnia, 1),
            (back(1), out.dizziness, 3),
            (back(2), out.zaps, 1),
            (back(3), out.zaps, 0),
            (back(4), out.insomnia, 0),  # rated "none": a logged day, but not a recent symptom
            (back(5), out.zaps, 2),
            (back(40), out.nausea, 2),
        ):
            symptoms.rate_symptom(
                session=s,
                symptom_id=symptom,
                day=d,
                severity=severity,
                comparison="worse" if (d, symptom) == (TODAY, out.zaps) else None,
                now=NOW,
            )
        checkins.set_checkin(session=s, day=TODAY, mood=6, sleep_hours=7.5, note="steady", now=NOW)
        checkins.set_checkin(session=s, day=back(1), mood=4, now=NOW)
        checkins.set_checkin(session=s, day=back(20), mood=7, is_baseline=True, now=NOW)
        checkins.set_checkin(session=s, day=back(21), mood=8, is_baseline=True, now=NOW)
    return out


@contextmanager
def sources(db: Database) -> Iterator[tuple[Any, Any]]:
    """A read session and a plain connection on the same database."""
    with db.read() as session, Reader(db.path).read() as conn:
        yield session, conn


@pytest.fixture
def both(ids: Ids, db: Database) -> Iterator[tuple[Any, Any]]:
    """Both sources, opened on the scenario's data."""
    with sources(db) as pair:
        yield pair


def same(read: Any, both: tuple[Any, Any]) -> Any:
    """``read`` through the session and through the connection: equal answers, returned once."""
    session, conn = both
    via_session, via_conn = read(session), read(conn)
    assert via_session == via_conn
    return via_conn


def as_orm(rows: list[Any], objects: list[Any]) -> None:
    """Every field of each plain row equals the attribute of the ORM object it replaces."""
    assert [[getattr(r, f.name) for f in fields(r)] for r in rows] == [
        [getattr(o, f.name) for f in fields(r)] for r, o in zip(rows, objects, strict=True)
    ]


def test_the_day_window_of_today_worked_out_by_hand(ids: Ids, both: tuple[Any, Any]) -> None:
    window = same(
        lambda src: day.day_window(session=src, day=TODAY, days=14, slot_days=7, now=NOW, tz=LONDON), both
    )
    summary = window.summary
    assert [(s.medication_name, s.local_time, s.dose_mg, s.status) for s in summary.slots] == [
        ("Sertraline", time(8), 75, "taken"),
        ("Propranolol", time(9), 10, "missed"),  # 7 hours ago, not logged
    ]
    assert summary.slots[0].taken_at == at(TODAY, 8, 5) and summary.slots[0].amount_mg == 75
    assert [(e.medication_id, e.amount_mg, e.taken_at) for e in summary.extras] == [
        (ids.sertraline, 25, at(TODAY, 14, 30))
    ]
    assert [(e.symptom_name, e.severity, e.comparison) for e in summary.entries] == [
        ("Brain zaps", 2, "worse"),
        ("Insomnia", 1, None),
    ]
    assert summary.burden == 3
    assert summary.checkin is not None
    assert (summary.checkin.mood, summary.checkin.sleep_hours, summary.checkin.note) == (6, 7.5, "steady")
    assert summary.checkin.is_baseline is False
    # the fortnight: check-ins and burden only on the days that have them (rated 0: burden 0)
    assert {d: c.mood for d, c in window.checkins.items()} == {back(1): 4, TODAY: 6}
    assert window.burden == {back(5): 2, back(4): 0, back(3): 0, back(2): 1, back(1): 3, TODAY: 3}
    # the week: 100 mg twice a day until 24 Nov, then 75 mg once; propranolol every day
    taken = {d: sum(s.status == "taken" for s in slots) for d, slots in window.slots.items()}
    assert {d: len(slots) for d, slots in window.slots.items()} == {
        back(6): 3, back(5): 3, back(4): 3, back(3): 3, back(2): 2, back(1): 2, TODAY: 2
    }  # fmt: skip
    assert taken == {back(k): 0 for k in range(2, 7)} | {back(1): 1, TODAY: 1}
    assert [s.status for s in window.slots[back(1)]] == ["taken", "skipped"]
    assert window.slots[back(3)][1].dose_mg == 10 and window.slots[back(3)][2].dose_mg == 100
    assert summary == same(lambda src: day.day_summary(session=src, day=TODAY, now=NOW, tz=LONDON), both)


def test_as_json_is_what_tracker_status_printed(ids: Ids, both: tuple[Any, Any]) -> None:
    summary = same(lambda src: day.day_summary(session=src, day=TODAY, now=NOW), both)  # zone from settings
    assert summary.as_json() == {
        "day": "2026-11-27",
        "doses": [
            {
                "medication": "Sertraline",
                "scheduled_for": "2026-11-27T08:00:00+00:00",
                "local_time": "08:00",
                "dose_mg": 75.0,
                "status": "taken",
                "taken_at": "2026-11-27T08:05:00+00:00",
                "amount_mg": 75.0,
            },
            {
                "medication": "Propranolol",
                "scheduled_for": "2026-11-27T09:00:00+00:00",
                "local_time": "09:00",
                "dose_mg": 10.0,
                "status": "missed",
                "taken_at": None,
                "amount_mg": None,
            },
        ],
        "extra_doses": [
            {"medication_id": ids.sertraline, "taken_at": "2026-11-27T14:30:00+00:00", "amount_mg": 25.0}
        ],
        "symptoms": [{"symptom": "Brain zaps", "severity": 2}, {"symptom": "Insomnia", "severity": 1}],
        "burden": 3,
        "checkin": {"mood": 6, "sleep_hours": 7.5, "note": "steady"},
    }


def test_lists_and_counts_match_the_orm(ids: Ids, both: tuple[Any, Any]) -> None:
    session = both[0]
    everything = same(lambda src: meds.list_medications(session=src, include_archived=True), both)
    assert [(m.name, m.archived) for m in everything] == [
        ("Propranolol", False),
        ("Sertraline", False),
        ("Citalopram", True),
    ]
    as_orm(
        everything,
        list(session.exec(select(Medication).order_by(col(Medication.archived), col(Medication.name)))),
    )
    active = same(lambda src: meds.list_medications(session=src), both)
    assert [m.id for m in active] == [ids.propranolol, ids.sertraline]

    shown = same(lambda src: symptoms.list_symptoms(session=src), both)
    catalogue = same(lambda src: symptoms.list_symptoms(session=src, include_hidden=True), both)
    assert ids.hidden not in {s.id for s in shown} and ids.hidden in {s.id for s in catalogue}
    assert len(catalogue) == len(shown) + 1
    as_orm(catalogue, [session.get(Symptom, s.id) for s in catalogue])
    assert catalogue[-1].is_crisis  # the Crisis group comes last, whatever its sort order

    # rated above zero from back(29) to back(1): zaps twice (back(2), back(5)), dizziness once
    recent = same(lambda src: symptoms.recent_symptom_ids(session=src, before=back(1)), both)
    assert recent == [ids.zaps, ids.dizziness]
    # two days back from today: only today's ratings and yesterday's dizziness (one each)
    recent_two = same(lambda src: symptoms.recent_symptom_ids(session=src, before=TODAY, days=1), both)
    assert sorted(recent_two) == sorted([ids.zaps, ids.insomnia, ids.dizziness])
    assert same(lambda src: checkins.baseline_days(session=src), both) == [back(21), back(20)]

    entries = same(lambda src: symptoms.entries_for_day(session=src, day=TODAY), both)
    as_orm(
        sorted(entries, key=lambda e: e.id),
        list(
            session.exec(select(SymptomEntry).where(SymptomEntry.day == TODAY).order_by(col(SymptomEntry.id)))
        ),
    )
    checkin = same(lambda src: checkins.checkin_for_day(session=src, day=TODAY), both)
    as_orm([checkin], [session.exec(select(CheckIn).where(CheckIn.day == TODAY)).one()])
    assert same(lambda src: checkins.checkin_for_day(session=src, day=back(2)), both) is None
    extras = same(lambda src: doses.extra_doses_for_day(session=src, day=TODAY), both)
    as_orm(extras, [session.get(DoseEvent, e.id) for e in extras])
    logged = same(
        lambda src: dose_queries.scheduled_doses_between(session=src, first=back(1), last=TODAY), both
    )
    assert sorted((e.day, e.status) for e in logged) == [
        (back(1), "skipped"),
        (back(1), "taken"),
        (TODAY, "taken"),
    ]
    assert same(lambda src: symptoms.burden_by_day(session=src, start=back(40), end=back(30)), both) == {
        back(40): 2
    }


def test_the_schedule_takes_plain_rows_or_orm_medications(ids: Ids, both: tuple[Any, Any]) -> None:
    session = both[0]
    read = dict(first=back(6), last=TODAY, now=NOW, tz=LONDON)
    week = same(lambda src: schedule.slots_for_days(session=src, **read), both)
    rows = meds.list_medications(session=session)
    orm = list(session.exec(select(Medication).where(Medication.archived == False)))  # noqa: E712
    assert schedule.slots_for_days(session=session, medications=rows, **read) == week
    assert schedule.slots_for_days(session=session, medications=orm, **read) == week
    assert doses.slots_for_days is schedule.slots_for_days and doses.DoseSlot is schedule.DoseSlot
    assert same(lambda src: doses.slots_for_day(session=src, day=TODAY, now=NOW), both) == week[TODAY]


def test_callers_that_change_a_row_get_the_sessions_object(ids: Ids, db: Database) -> None:
    with db.write() as s:
        med = meds.find_medication(session=s, name="sertraline")
        zaps = symptoms.find_symptom(session=s, name="zaps")
        assert isinstance(med, Medication) and isinstance(zaps, Symptom)
        med.notes = "with food"
        s.add(med)
    with db.read() as s:
        assert [m.notes for m in meds.list_medications(session=s) if m.id == ids.sertraline] == ["with food"]


def test_a_write_reads_back_what_it_has_not_committed(ids: Ids, db: Database) -> None:
    """A session's reads go through its own connection, after a flush: Today's reload in a write."""
    with db.write() as s:
        symptoms.rate_symptom(session=s, symptom_id=ids.nausea, day=TODAY, severity=3, now=NOW)
        summary = day.day_summary(session=s, day=TODAY, now=NOW)
        assert summary.burden == 6
        s.rollback()


def _stub_owned_elsewhere(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Reminders and taper status belong to another change: stubbed, recording what they were given."""
    from tracker.services import reminders_service, taper_status

    given: list[Any] = []
    monkeypatch.setattr(reminders_service, "active_reminders", lambda **kw: given.append(kw["session"]) or [])
    monkeypatch.setattr(taper_status, "current_steps", lambda **kw: given.append(kw["session"]) or [])
    return given


def test_load_day_gives_the_same_day_through_either_source(
    ids: Ids, both: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    given = _stub_owned_elsewhere(monkeypatch)
    session, conn = both
    via_session = today_data.load_day(session, None, NOW)
    via_conn = today_data.load_day(conn, None, NOW)
    assert given == [session, session, conn, conn]
    assert via_session._replace(seq=0) == via_conn._replace(seq=0)
    data = via_conn
    assert data.day == TODAY and data.tz == LONDON
    assert [(d.medication_name, d.status, d.amount_mg) for d in data.doses] == [
        ("Sertraline", "taken", 75),
        ("Propranolol", "missed", None),
        ("Sertraline", "extra", 25),
    ]
    assert data.doses[0].taken_local == time(8, 5) and data.doses[2].taken_local == time(14, 30)
    assert data.medications == ((ids.propranolol, "Propranolol"), (ids.sertraline, "Sertraline"))
    assert data.recent_ids == (ids.zaps, ids.dizziness)
    rated = {r.symptom_id: (r.severity, r.comparison) for r in data.symptoms if r.severity is not None}
    assert rated == {ids.zaps: (2, "worse"), ids.insomnia: (1, None)}
    assert (data.mood, data.sleep_hours, data.note, data.burden) == (6, 7.5, "steady", 3)
    assert data.has_baseline and not data.is_baseline
    assert [(w.day, w.taken, w.scheduled, w.burden, w.mood) for w in data.week[:3]] == [
        (TODAY, 1, 2, 3, 6),
        (back(1), 1, 2, 3, 4),
        (back(2), 0, 2, 1, None),
    ]


def test_demo_data_reads_alike_through_either_source(db: Database) -> None:
    from tracker.services.demo import generate_demo

    with db.write() as s:
        generate_demo(session=s, today=TODAY, tz=LONDON)
    with sources(db) as both:
        _demo_reads(both)


def _demo_reads(both: tuple[Any, Any]) -> None:
    for d in (TODAY, back(1), back(30), back(100)):
        window = same(
            lambda src, d=d: day.day_window(session=src, day=d, days=14, slot_days=7, now=NOW, tz=LONDON),
            both,
        )
        assert len(window.slots) == 7 and window.summary.day == d
        same(lambda src, d=d: symptoms.recent_symptom_ids(session=src, before=d), both)
    assert same(lambda src: symptoms.burden_by_day(session=src, start=back(181), end=TODAY), both)
    assert same(lambda src: checkins.baseline_days(session=src), both)
    assert same(lambda src: meds.list_medications(session=src, include_archived=True), both)


def test_load_day_imports_no_orm(ids: Ids, db: Database) -> None:
    """Through a plain connection the whole of Today's read (reminders and taper status included)
    never imports SQLAlchemy, SQLModel, pydantic or the models."""
    code = f"""
import sys
from datetime import datetime, UTC
from tracker.store import Reader
from tracker.ui.screens.today_data import load_day
with Reader({str(db.path)!r}).read() as conn:
    data = load_day(conn, None, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
assert data.burden == 3, data.burden
orm = ("sqlalchemy", "sqlmodel", "pydantic", "tracker.models", "tracker.db")
heavy = sorted(m for m in sys.modules if m.startswith(orm))
assert heavy == [], heavy[:5]
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_load_day_with_its_reminders_is_the_same_through_either_source(
    ids: Ids, both: tuple[Any, Any]
) -> None:
    session, conn = both
    via_session, via_conn = today_data.load_day(session, None, NOW), today_data.load_day(conn, None, NOW)
    assert via_session._replace(seq=0) == via_conn._replace(seq=0)
    # propranolol at 09:00 from 20 Nov: Wed's not logged, Thu's skipped, today's not logged (7 hours
    # on: missed, no longer due), and the extra sertraline is logged: the reminders say so
    rules = {r.rule: r.message for r in via_conn.reminders}
    assert "R9" not in rules
    assert rules["R5"].startswith(
        "3 scheduled doses of Propranolol in the last 3 days are not logged as taken (Wed 09:00, Thu 09:00, "
        "Fri 09:00)."
    )
    assert "extra 25 mg of Sertraline" in rules["R4"]
    assert via_conn.taper == ()  # no taper plan running


def test_todays_reads_scan_no_big_table_end_to_end(
    ids: Ids, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every statement of ``load_day`` reads symptomentry, doseevent and checkin through an index."""
    _stub_owned_elsewhere(monkeypatch)
    seen: list[str] = []
    with Reader(db.path).read() as conn:
        conn.set_trace_callback(seen.append)
        today_data.load_day(conn, None, NOW)
        conn.set_trace_callback(None)
        plans = {sql: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)] for sql in seen}
    tables = " ".join(plans)
    assert all(name in tables for name in ("FROM symptomentry", "FROM doseevent", "FROM checkin"))
    scans = [
        f"{line}: {sql}"
        for sql, lines in plans.items()
        for line in lines
        if line.split(" ")[:2] in (["SCAN", "symptomentry"], ["SCAN", "doseevent"], ["SCAN", "checkin"])
    ]
    assert scans == []
