"""The Trends data read through plain SQL: the same answers from an ORM session and from a plain
sqlite3 connection (``Reader``) on one database, and the service imports no ORM.

The data is the demo history (six months of a sertraline taper in London, ending Tuesday
31 March 2026, two days after the clocks went forward): reductions, a hold, missed and late
doses, baseline check-ins, so every part of the screen has something to show.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database
from tracker.domain.timeutil import local_to_utc
from tracker.domain.trends import TrendRange
from tracker.models import PlanEvent, Symptom, SymptomEntry, TaperPlan
from tracker.queries import trends as q
from tracker.services import trends as svc
from tracker.services.demo import DEMO_DAYS, generate_demo
from tracker.store import Reader

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 3, 31)
NOW = local_to_utc(TODAY, time(9, 30), LONDON)  # 08:30 UTC: this morning's dose is still pending
FIRST = TODAY - timedelta(days=DEMO_DAYS - 1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One demo database for the whole module (the tests only read it)."""
    from tracker.db import open_database

    database = open_database(tmp_path_factory.mktemp("demo") / "tracker.db", create_dir=True)
    with database.write() as s:
        generate_demo(session=s, today=TODAY, tz=LONDON)
    yield database
    database.close()


def _both(db: Database, call: Any) -> tuple[Any, Any]:
    """``call(source)`` through an ORM session and through a plain connection on the same file."""
    with db.read() as session:
        orm = call(session)
    with Reader(db.path).read() as conn:
        plain = call(conn)
    return orm, plain


@pytest.mark.parametrize("kind", list(TrendRange))
@pytest.mark.parametrize("keys", [None, ("nausea", "no-such-symptom", "brain-zaps", "nausea")])
def test_trends_data_is_the_same_from_a_session_and_a_connection(
    demo: Database, kind: TrendRange, keys: tuple[str, ...] | None
) -> None:
    orm, plain = _both(
        demo,
        lambda source: svc.trends_data(
            session=source, range_kind=kind, today=TODAY, now=NOW, tz=LONDON, symptom_keys=keys
        ),
    )
    assert plain == orm
    assert repr(plain) == repr(orm)  # the same types too (a date is not its text, 1.0 is not 1)
    # Real data on each path, not two empty answers.
    assert plain.days_logged > 20
    assert plain.medications[0].name == "Sertraline"
    assert plain.adherence_total is not None and plain.adherence_total.taken >= 29  # one a day
    assert plain.adherence_total.pending == 1  # 08:00 BST today, 1 h 30 ago
    assert len(plain.symptoms) == (3 if keys is None else 2)  # explicit: duplicate and unknown drop
    if keys is not None:
        assert plain.chosen_keys == ("nausea", "brain-zaps")
    if kind in (TrendRange.YEAR, TrendRange.ALL):
        assert plain.span.start <= FIRST
        assert plain.changes and plain.marks and plain.missed_runs


def test_the_other_public_reads_are_the_same_from_a_session_and_a_connection(demo: Database) -> None:
    start, end = FIRST, TODAY
    keys = ["brain-zaps", "dizziness", "no-such-symptom"]
    calls: dict[str, Any] = {
        "first_data_day": lambda s: svc.first_data_day(session=s),
        "burden_by_day": lambda s: svc.burden_by_day(session=s, start=start, end=end),
        "symptom_options": lambda s: svc.symptom_options(session=s, start=start, end=end),
        "severity_by_symptom": lambda s: svc.severity_by_symptom(session=s, keys=keys, start=start, end=end),
        "baseline_means": lambda s: svc.baseline_means(session=s, keys=keys),
        "checkins_by_day": lambda s: svc.checkins_by_day(session=s, start=start, end=end),
        "prescription_periods": lambda s: svc.prescription_periods(session=s),
        "plan_marks": lambda s: svc.plan_marks(session=s, start=start, end=end, tz=LONDON),
        "adherence": lambda s: svc.adherence(session=s, start=start, end=end, now=NOW, tz=LONDON),
    }
    for name, call in calls.items():
        orm, plain = _both(demo, call)
        assert plain == orm, name
        assert repr(plain) == repr(orm), name
        assert plain, f"{name} found nothing in the demo"

    with Reader(demo.path).read() as conn:
        assert svc.first_data_day(session=conn) == FIRST
        burden = svc.burden_by_day(session=conn, start=start, end=end)
        severity = svc.severity_by_symptom(session=conn, keys=keys, start=start, end=end)
        periods = svc.prescription_periods(session=conn)
        every = [option.key for option in svc.symptom_options(session=conn, start=start, end=end)]
        by_symptom = svc.severity_by_symptom(session=conn, keys=every, start=start, end=end)
    assert all(isinstance(day, date) for day in burden)
    assert list(severity) == keys and severity["no-such-symptom"] == {}
    # The burden of a day is the sum of its symptoms' severities, and only logged days have one.
    assert burden == {
        day: sum(days.get(day, 0) for days in by_symptom.values())
        for day in {d for days in by_symptom.values() for d in days}
    }
    # The demo taper's daily doses, oldest first: 100 mg, then 75, 50 and 37.5 (one intake a day).
    assert [p.daily_mg for p in next(iter(periods.values()))] == [100.0, 75.0, 50.0, 37.5]


def test_hand_worked_values_through_a_plain_connection(db: Database) -> None:
    """Two symptoms on Sat 28 March (burden 2 + 3 = 5), one on Mon 30 March (a logged 0), and a hold
    at 23:30 UTC on Sun 29 March, which is 00:30 BST on the 30th in London."""
    from sqlmodel import select

    with db.write() as s:
        ids = {row.key: row.id or 0 for row in s.exec(select(Symptom)).all()}
        for key, day, severity in (
            ("nausea", date(2026, 3, 28), 2),
            ("dizziness", date(2026, 3, 28), 3),
            ("nausea", date(2026, 3, 30), 0),
        ):
            s.add(SymptomEntry(symptom_id=ids[key], symptom_name=key, day=day, severity=severity))
        from tracker.models import Medication

        med = Medication(name="Sertraline", strength_mg=50)
        s.add(med)
        s.flush()
        plan = TaperPlan(
            medication_id=med.id or 0,
            status="active",
            prescriber="Dr Rao",
            agreed_on=date(2026, 3, 29),
            created_at=datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
        )
        s.add(plan)
        s.flush()
        s.add(PlanEvent(plan_id=plan.id or 0, at=datetime(2026, 3, 29, 23, 30, tzinfo=UTC), action="hold"))
        s.add(PlanEvent(plan_id=plan.id or 0, at=datetime(2026, 3, 29, 9, 0, tzinfo=UTC), action="agree"))
    with Reader(db.path).read() as conn:
        assert svc.first_data_day(session=conn) == date(2026, 3, 28)
        assert svc.burden_by_day(session=conn, start=date(2026, 3, 1), end=TODAY) == {
            date(2026, 3, 28): 5,
            date(2026, 3, 30): 0,
        }
        options = svc.symptom_options(session=conn, start=date(2026, 3, 1), end=TODAY)
        marks = svc.plan_marks(session=conn, start=date(2026, 3, 30), end=TODAY, tz=LONDON)
    assert [(o.key, o.days_logged, o.days_present, o.worst, o.total) for o in options] == [
        ("dizziness", 1, 1, 3, 3),
        ("nausea", 2, 1, 2, 2),
    ]
    assert [(m.day, m.label) for m in marks] == [(date(2026, 3, 30), "hold")]  # "agree" is no mark


def test_a_session_sees_what_it_has_not_flushed_yet(db: Database) -> None:
    """The reload inside a write reads the rows the write just added (``raw`` flushes first)."""
    from sqlmodel import select

    with db.write() as s:
        nausea = s.exec(select(Symptom).where(Symptom.key == "nausea")).one()
        s.add(SymptomEntry(symptom_id=nausea.id or 0, symptom_name="nausea", day=TODAY, severity=2))
        assert svc.burden_by_day(session=s, start=TODAY, end=TODAY) == {TODAY: 2}


def test_rows_come_in_batches_without_losing_any(demo: Database) -> None:
    """More rows than one batch: both paths give every row, in the same order."""
    sql = "SELECT id, day, severity FROM symptomentry ORDER BY id"
    orm, plain = _both(demo, lambda source: [tuple(row) for row in q.rows(source, sql)])
    with Reader(demo.path).read() as conn:
        count = conn.execute("SELECT count(*) FROM symptomentry").fetchone()[0]
    assert count > 2 * q.BATCH
    assert len(plain) == count and plain == orm
    assert [row[0] for row in plain] == sorted(row[0] for row in plain)


def test_importing_the_trends_service_imports_no_orm() -> None:
    code = (
        "import sys, tracker.services.trends, tracker.queries.trends; "
        "print(sorted({m.split('.')[0] for m in sys.modules "
        "if m.startswith(('sqlalchemy', 'sqlmodel', 'pydantic', 'tracker.models', 'tracker.db'))}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout.strip() == "[]"
