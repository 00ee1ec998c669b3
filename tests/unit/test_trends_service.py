"""Trends data from the database (tracker.services.trends), expected values worked out by hand.

The fixture is a small history in Europe/London around the spring-forward day,
Sunday 29 March 2026 (01:00 GMT becomes 02:00 BST). "Today" is Tuesday 31 March,
so the 30-day range is Monday 2 March to Tuesday 31 March.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.domain.timeutil import local_to_utc
from tracker.domain.trends import DoseChange, DoseChangeKind, PrescriptionPeriod, SymptomSummary, TrendRange
from tracker.models import (
    CheckIn,
    DoseEvent,
    Medication,
    PlanEvent,
    Prescription,
    Symptom,
    SymptomEntry,
    TaperPlan,
)
from tracker.services import trends as svc

LONDON = ZoneInfo("Europe/London")
D = date.fromisoformat
TODAY = D("2026-03-31")
NOW = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # 11:00 BST


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _symptom_ids(session: Session) -> dict[str, int]:
    return {s.key: s.id or 0 for s in session.exec(select(Symptom)).all()}


def _rate(session: Session, ids: dict[str, int], day: str, **severities: int) -> None:
    for key, severity in severities.items():
        key = key.replace("_", "-")
        session.add(SymptomEntry(symptom_id=ids[key], symptom_name=key, day=D(day), severity=severity))


def _dose(session: Session, med: int, day: str, at: time, taken: str | None, status: str = "taken") -> None:
    slot = local_to_utc(D(day), at, LONDON)
    session.add(
        DoseEvent(
            medication_id=med,
            day=D(day),
            scheduled_for=slot,
            taken_at=utc(taken) if taken else None,
            amount_mg=50,
            status=status,
        )
    )


@pytest.fixture
def history(db: Database) -> Iterator[Database]:
    """The hand-worked history (see the module docstring and each test)."""
    with db.write() as s:
        ids = _symptom_ids(s)
        med = Medication(name="Sertraline", strength_mg=50)
        s.add(med)
        s.flush()
        m = med.id or 0
        # 50 mg twice a day (100 mg/day) from 18 March; 37.5 mg once a day (37.5 mg/day) from the 29th.
        s.add(
            Prescription(
                medication_id=m,
                dose_mg=50,
                times="08:00,20:00",
                start_date=D("2026-03-18"),
                end_date=D("2026-03-28"),
            )
        )
        s.add(Prescription(medication_id=m, dose_mg=37.5, times="08:00", start_date=D("2026-03-29")))

        _rate(s, ids, "2026-02-10", brain_zaps=1)  # long before: only "everything" reaches it
        _rate(s, ids, "2026-02-28", nausea=2)  # before the 30 days, inside the 14-day lead
        _rate(s, ids, "2026-03-20", brain_zaps=1, dizziness=0)  # burden 1
        _rate(s, ids, "2026-03-21", brain_zaps=2)  # burden 2; 22 and 23 March not logged
        _rate(s, ids, "2026-03-24", nausea=3, dizziness=1)  # burden 4
        _rate(s, ids, "2026-03-29", brain_zaps=3, dizziness=2, nausea=1)  # burden 6, on the DST day
        _rate(s, ids, "2026-03-31", dizziness=0)  # a logged zero: burden 0, not a gap

        s.add(CheckIn(day=D("2026-03-20"), mood=7, is_baseline=True))
        s.add(CheckIn(day=D("2026-03-29"), mood=4, sleep_hours=6.5))
        s.add(CheckIn(day=D("2026-03-30"), mood=6))

        eight, twenty = time(8, 0), time(20, 0)
        _dose(s, m, "2026-03-20", eight, "2026-03-20 08:10")  # on time
        _dose(s, m, "2026-03-20", twenty, "2026-03-20 22:30")  # 2 h 30 after 20:00 GMT: late
        _dose(s, m, "2026-03-21", eight, None, status="skipped")
        # 21 March 20:00, 22 March 08:00 and 20:00: nothing logged, three missed in a row
        _dose(s, m, "2026-03-23", eight, "2026-03-23 10:00")  # exactly 2 h: on time
        _dose(s, m, "2026-03-23", twenty, "2026-03-23 20:00")
        for day in range(24, 29):
            for at in (eight, twenty):
                slot = local_to_utc(date(2026, 3, day), at, LONDON)
                _dose(s, m, f"2026-03-{day}", at, slot.strftime("%Y-%m-%d %H:%M"))
        # 08:00 BST on the 29th is 07:00 UTC: taken 09:30 UTC is 2 h 30 late (1 h 30 if the
        # zone were ignored, and the entry would then answer no slot at all).
        _dose(s, m, "2026-03-29", eight, "2026-03-29 09:30")
        _dose(s, m, "2026-03-30", eight, "2026-03-30 07:05")
        # 31 March 08:00 BST = 07:00 UTC, now 10:00 UTC: 3 h, still pending.
        s.add(
            DoseEvent(
                medication_id=m,
                day=D("2026-03-25"),
                scheduled_for=None,
                taken_at=utc("2026-03-25 12:00"),
                amount_mg=25,
                status="extra",
            )
        )

        plan = TaperPlan(
            medication_id=m,
            status="active",
            prescriber="Dr Rao",
            agreed_on=D("2026-03-10"),
            created_at=utc("2026-03-01 09:00"),
        )
        s.add(plan)
        s.flush()
        p = plan.id or 0
        s.add(PlanEvent(plan_id=p, at=utc("2026-03-10 09:00"), action="agree", reason="agreed"))
        s.add(PlanEvent(plan_id=p, at=utc("2026-03-25 23:30"), action="hold", reason="not settled"))
        # 23:30 UTC on the 29th is 00:30 BST on the 30th: the mark belongs to the 30th.
        s.add(PlanEvent(plan_id=p, at=utc("2026-03-29 23:30"), action="step_back", reason="too much"))
    yield db


def _data(db: Database, kind: TrendRange = TrendRange.DAYS_30, **kw: Any) -> svc.TrendsData:
    with db.read() as s:
        return svc.trends_data(session=s, range_kind=kind, today=TODAY, now=NOW, tz=LONDON, **kw)


def test_burden_series_keeps_gaps_and_the_logged_zero(history: Database) -> None:
    data = _data(history)
    assert (data.span.start, data.span.end) == (D("2026-03-02"), TODAY)
    burden = data.burden
    assert len(burden) == 30
    # Index = day - 2 March: 20th -> 18, 21st -> 19, 24th -> 22, 29th -> 27, 31st -> 29.
    assert {i: v for i, v in enumerate(burden) if v is not None} == {18: 1, 19: 2, 22: 4, 27: 6, 29: 0}
    assert data.days_logged == 5


def test_seven_day_mean_uses_the_days_before_the_range(history: Database) -> None:
    mean = _data(history).burden_mean
    # 2-6 March: the window still holds 28 February (burden 2). 7 March: window 1-7 March, empty.
    assert mean[:6] == (2.0, 2.0, 2.0, 2.0, 2.0, None)
    assert mean[17] is None  # 19 March: 13-19 March holds nothing
    # 20th {1}; 21st {1,2}; 22nd, 23rd same; 24th {1,2,4}; 25th, 26th same (window from the 19th/20th);
    # 27th {2,4} (21-27); 28th {4} (22-28); 29th {4,6}; 30th {4,6} (24-30); 31st {6,0} (25-31).
    assert mean[18:] == pytest.approx([1, 1.5, 1.5, 1.5, 7 / 3, 7 / 3, 7 / 3, 3, 4, 5, 5, 3])


def test_daily_dose_periods_multiply_dose_by_times(history: Database) -> None:
    with history.read() as s:
        periods = svc.prescription_periods(session=s)
    [rows] = periods.values()
    assert rows == [
        PrescriptionPeriod(D("2026-03-18"), D("2026-03-28"), 100.0),  # 50 mg x 2
        PrescriptionPeriod(D("2026-03-29"), None, 37.5),  # 37.5 mg x 1
    ]
    data = _data(history)
    [med] = data.medications
    assert med.name == "Sertraline"
    assert med.segments == ((D("2026-03-18"), 100.0), (D("2026-03-29"), 37.5))
    assert med.changes == (
        DoseChange(D("2026-03-18"), 0.0, 100.0, DoseChangeKind.START),
        DoseChange(D("2026-03-29"), 100.0, 37.5, DoseChangeKind.REDUCTION),
    )


def test_timing_facts_of_the_reduction(history: Database) -> None:
    data = _data(history)
    reduction = next(c for c in data.changes if c.change.kind is DoseChangeKind.REDUCTION)
    r = reduction.response
    # Before: 15-28 March, logged 20th (1), 21st (2), 24th (4): mean 7/3 over 3 days.
    assert r.mean_before == pytest.approx(7 / 3)
    assert r.logged_before == 3
    # From the change: 29th (6), 31st (0): mean 3 over 2 days.
    assert (r.mean_after, r.logged_after) == (3.0, 2)
    # Rise level 7/3 + 2 = 4.33: day 0 (6) reaches it; peak 6 on day 0.
    assert (r.days_to_rise, r.days_to_peak, r.peak_burden) == (0, 0, 6.0)
    # Back level 7/3 + 1 = 3.33: day 2 (31st) trailing mean of days 0-2 = (6 + 0) / 2 = 3.
    assert r.days_to_return == 2
    assert reduction.lines[1] == "Burden first reached 2 above the earlier mean on the day of the change."
    kinds = [kind for kind, _ in data.facts]
    assert kinds == [DoseChangeKind.INCREASE, DoseChangeKind.REDUCTION]  # the start, then the reduction
    assert any("NG222" in line for line in dict(data.facts)[DoseChangeKind.REDUCTION])


def test_mood_and_sleep_per_day(history: Database) -> None:
    data = _data(history)
    # 20 March -> index 18, 29th -> 27, 30th -> 28.
    assert {i: v for i, v in enumerate(data.mood) if v is not None} == {18: 7.0, 27: 4.0, 28: 6.0}
    assert {i: v for i, v in enumerate(data.sleep) if v is not None} == {27: 6.5}


def test_symptom_options_and_default_heat_maps(history: Database) -> None:
    data = _data(history)
    # brain zaps 1+2+3 = 6 over 3 days; nausea 3+1 = 4 (28 Feb is outside); dizziness 0+1+2+0 = 3.
    assert [(o.key, o.days_logged, o.days_present, o.worst, o.total) for o in data.symptom_options] == [
        ("brain-zaps", 3, 3, 3, 6),
        ("nausea", 2, 2, 3, 4),
        ("dizziness", 4, 2, 2, 3),
    ]
    assert data.chosen_keys == ("brain-zaps", "nausea", "dizziness")
    zaps = data.symptoms[0]
    assert zaps.name == "Brain zaps"
    # Weeks from Monday 2 March to Sunday 5 April.
    assert [w.monday for w in zaps.heat.weeks] == [D("2026-03-02") + timedelta(weeks=i) for i in range(5)]
    assert zaps.heat.weeks[2].cells == (None, None, None, None, 1, 2, None)  # Fri 20th, Sat 21st
    assert zaps.heat.weeks[3].cells == (None, None, None, None, None, None, 3)  # Sun 29th
    s = zaps.summary
    assert (s.days_logged, s.days_present, s.worst, s.mean) == (3, 3, 3, 2.0)
    # Baseline: the check-in of 20 March is marked baseline; brain zaps were 1 that day.
    assert (s.baseline, s.change) == (1.0, 1.0)


def test_chosen_symptoms_keep_their_order_and_unknown_keys_drop(history: Database) -> None:
    data = _data(history, symptom_keys=["dizziness", "no-such-symptom", "sweating"])
    assert data.chosen_keys == ("dizziness", "sweating")
    dizziness, sweating = data.symptoms
    assert dizziness.heat.weeks[4].cells[1] == 0  # Tue 31st: a logged 0, not a gap
    assert sweating.summary.days_logged == 0
    assert all(cell is None for week in sweating.heat.weeks for cell in week.cells)
    assert _data(history, symptom_keys=[]).symptoms == ()


def test_the_symptom_rows_of_everything_come_from_the_sql_totals(history: Database) -> None:
    """ "All" (issue 18): each chosen symptom's table row is the GROUP BY symptom aggregate, with the
    numbers worked by hand over the whole history; the heat map still shows each day."""
    data = _data(history, TrendRange.ALL, symptom_keys=["nausea", "dizziness", "sweating"])
    assert data.span.start == D("2026-02-10")  # the first logged day: brain zaps on 10 February
    nausea, dizziness, sweating = data.symptoms
    # nausea 2 (28 Feb), 3 (24 Mar), 1 (29 Mar): 3 days, all present, worst 3, mean 6 / 3
    n = nausea.summary
    assert (n.days_logged, n.days_present, n.worst, n.mean, n.baseline, n.change) == (
        3,
        3,
        3,
        2.0,
        None,
        None,
    )
    # dizziness 0, 1, 2, 0: 4 days, 2 present, worst 2, mean 3 / 4; 0 on the baseline day (20 March)
    d = dizziness.summary
    assert (d.days_logged, d.days_present, d.worst, d.mean, d.baseline, d.change) == (
        4,
        2,
        2,
        0.75,
        0.0,
        0.75,
    )
    assert sweating.summary == SymptomSummary("sweating", 0, 0, None, None, None, None)
    assert nausea.heat.weeks[0].monday == D("2026-02-09")
    assert nausea.heat.weeks[2].cells == (None, None, None, None, None, 2, None)  # Sat 28 Feb
    assert data.mood[data.span.days - 12] == 7.0  # 20 March, 12 days before the end (31 March)


def test_adherence_is_the_same_counted_a_block_at_a_time(
    history: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settled blocks go to SQL in batches (issue 18: decades of weeks in one statement held
    megabytes); each batch's answers land on their own blocks, whatever the batch size."""
    with history.read() as s:
        whole = svc.adherence(session=s, start=D("2026-03-02"), end=TODAY, now=NOW, tz=LONDON)
        monkeypatch.setattr(svc, "BLOCK_BATCH", 1)
        one_by_one = svc.adherence(session=s, start=D("2026-03-02"), end=TODAY, now=NOW, tz=LONDON)
    assert one_by_one == whole
    assert sum(w.taken for w in whole.weeks) > 0  # answered slots were counted in SQL


def test_adherence_across_the_spring_forward(history: Database) -> None:
    with history.read() as s:
        counted = svc.adherence(session=s, start=D("2026-03-02"), end=TODAY, now=NOW, tz=LONDON)
    # Slots: 18-28 March twice a day, but tracking began with the first dose on the 20th,
    # so 18th and 19th do not count: 9 days x 2 = 18; 29-31 March once = 3. 21 in all.
    assert counted.slots == 21
    # now - 6 h is 05:00 BST on the 31st, so days up to the 30th are settled. Counted in SQL:
    # 20-22 March (6 slots), 23-28 March (12) and 30 March (1), each within one week at one
    # offset. 20-22 March holds missed slots, so its 6 go one by one for the runs; so do the
    # DST day, 29 March (1), and 31 March (1), where missed or pending depends on now: 8.
    assert counted.expanded == 8
    week16, week23, week30 = counted.weeks
    runs = counted.runs
    # Week of 16 March: 20th on time + late, 21st skipped + missed, 22nd missed twice.
    assert (week16.first_day, week16.scheduled, week16.taken, week16.late, week16.skipped, week16.missed) == (
        D("2026-03-16"),
        6,
        2,
        1,
        1,
        3,
    )
    # Week of 23 March: 23-28 March 12 slots on time, 29th (DST day) late: 13 taken, 1 late.
    assert (week23.scheduled, week23.taken, week23.late, week23.skipped, week23.missed) == (13, 13, 1, 0, 0)
    # Week of 30 March: 30th on time; 31st 08:00 BST is 3 h ago, pending, left out of the shares.
    assert (week30.scheduled, week30.taken, week30.pending) == (1, 1, 1)
    assert week30.taken_share == 1.0
    [run] = runs
    assert (run.start, run.last, run.length) == (utc("2026-03-21 20:00"), utc("2026-03-22 20:00"), 3)

    total = _data(history).adherence_total
    assert total is not None
    assert (total.scheduled, total.taken, total.late, total.skipped, total.missed, total.pending) == (
        20,
        16,
        2,
        1,
        3,
        1,
    )


def test_plan_marks_use_the_local_day(history: Database) -> None:
    marks = _data(history).marks
    # "agree" is not a mark; the step back at 23:30 UTC on the 29th is 00:30 BST on the 30th.
    assert [(m.day, m.label, m.reason) for m in marks] == [
        (D("2026-03-25"), "hold", "not settled"),
        (D("2026-03-30"), "step back", "too much"),
    ]


def test_everything_starts_at_the_first_data_day(history: Database) -> None:
    with history.read() as s:
        assert svc.first_data_day(session=s) == D("2026-02-10")
    data = _data(history, TrendRange.ALL)
    assert (data.span.start, data.span.end) == (D("2026-02-10"), TODAY)
    assert data.burden[0] == 1  # brain zaps 1 on 10 February
    assert data.burden[18] == 2  # 28 February (18 days on)


def test_a_range_with_no_data(db: Database) -> None:
    data = _data(db, TrendRange.ALL)
    assert (data.span.start, data.span.end) == (TODAY, TODAY)
    assert (data.burden, data.burden_mean, data.mood, data.sleep) == ((None,), (None,), (None,), (None,))
    assert data.medications == () and data.changes == () and data.marks == ()
    assert data.symptoms == () and data.symptom_options == ()
    assert data.adherence == () and data.adherence_total is None and data.missed_runs == ()
    assert not data.has_data
    thirty = _data(db)
    assert thirty.span.days == 30 and thirty.days_logged == 0


def test_a_single_day_of_data(db: Database) -> None:
    with db.write() as s:
        _rate(s, _symptom_ids(s), "2026-03-31", nausea=2, sweating=1)
    data = _data(db, TrendRange.ALL)
    assert (data.span.start, data.span.end) == (TODAY, TODAY)
    assert (data.burden, data.burden_mean) == ((3,), (3.0,))
    assert [o.key for o in data.symptom_options] == ["nausea", "sweating"]
    [week] = data.symptoms[0].heat.weeks
    assert week.cells == (None, 2, None, None, None, None, None)  # Tuesday
    assert data.has_data


def test_medication_without_a_dose_in_range_is_left_out(db: Database) -> None:
    with db.write() as s:
        med = Medication(name="Citalopram", strength_mg=20)
        s.add(med)
        s.flush()
        s.add(
            Prescription(
                medication_id=med.id or 0,
                dose_mg=20,
                times="08:00",
                start_date=D("2025-01-01"),
                end_date=D("2025-06-30"),
            )
        )
    assert _data(db).medications == ()
    [med_doses] = _data(db, TrendRange.ALL).medications
    assert [c.kind for c in med_doses.changes] == [DoseChangeKind.START, DoseChangeKind.STOP]


# ---------------------------------------------------------------------------
# Query plans: the big tables are only ever read through their indexes
# ---------------------------------------------------------------------------


def test_queries_use_the_indexes(history: Database) -> None:
    statements: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(history.engine, "before_cursor_execute", grab)
    try:
        for kind in (TrendRange.DAYS_30, TrendRange.ALL):
            _data(history, kind)
    finally:
        event.remove(history.engine, "before_cursor_execute", grab)

    plans: list[str] = []
    with history.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for statement, parameters in statements:
            rows = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
            plans.append(" | ".join(str(row[3]) for row in rows))
    joined = "\n".join(plans)
    for table in ("symptomentry", "doseevent", "d"):  # d: doseevent in the adherence statements
        # Never a full scan of the big tables (nor of a whole index): only index searches.
        for plan in plans:
            for step in plan.split(" | "):
                if step.startswith(f"SCAN {table} ") or step == f"SCAN {table}":
                    pytest.fail(f"full scan of {table}: {plan}")
    assert "USING INDEX ix_symptomentry_day (day>? AND day<?)" in joined
    # SQLite names the index of the uq_symptomentry_symptom_day constraint sqlite_autoindex_symptomentry_1.
    assert "sqlite_autoindex_symptomentry_1 (symptom_id=? AND day>? AND day<?)" in joined
    # Doses of the settled blocks, and of the blocks taken slot by slot, by medication and instant.
    assert (
        "SEARCH d USING INDEX ux_doseevent_slot (medication_id=? AND scheduled_for>? AND scheduled_for<?)"
        in joined
    )
    assert "COVERING INDEX ix_doseevent_med_day (medication_id=?)" in joined
    assert "ix_prescription_med_start" in joined


# ---------------------------------------------------------------------------
# Adherence counted in SQL equals the slot-by-slot classification
# ---------------------------------------------------------------------------


def _slot_by_slot(
    session: Session, start: date, end: date, now: datetime, tz: ZoneInfo
) -> tuple[list[Any], list[Any], int]:
    """The definition: every slot made with local_to_utc, classified, then counted per week and run."""
    from tracker.domain.trends import (
        LoggedDose,
        ScheduledSlot,
        adherence_by_week,
        classify_slots,
        missed_runs,
    )
    from tracker.domain.trends_extra import SchedulePeriod, in_force
    from tracker.domain.units import times_from_text

    doses = session.exec(select(DoseEvent)).all()
    first: dict[int, date] = {}
    for dose in doses:
        first[dose.medication_id] = min(first.get(dose.medication_id, dose.day), dose.day)
    own: dict[int, list[SchedulePeriod]] = {}
    for rx in session.exec(
        select(Prescription).order_by(
            col(Prescription.medication_id), col(Prescription.start_date), col(Prescription.id)
        )
    ).all():
        own.setdefault(rx.medication_id, []).append(
            SchedulePeriod(rx.medication_id, rx.start_date, rx.end_date, tuple(times_from_text(rx.times)))
        )
    slots = []
    for medication_id, periods in own.items():
        if medication_id not in first:
            continue
        for a, b, period in in_force(periods, max(start, first[medication_id]), end):
            for n in range((b - a).days + 1):
                day = a + timedelta(days=n)
                slots += [
                    ScheduledSlot(medication_id, local_to_utc(day, at, tz)) for at in sorted(period.times)
                ]
    logged = [
        LoggedDose(d.medication_id, d.scheduled_for, d.taken_at, d.status)  # type: ignore[arg-type]
        for d in doses
        if start <= d.day <= end
    ]
    results = classify_slots(slots, logged, now)
    return adherence_by_week(results, tz), missed_runs(results), len(results)


def _random_history(db: Database, tz: ZoneInfo, seed: int) -> None:
    """Eight months over both DST changes: overlapping and ended prescriptions, a time in the spring
    gap and an ambiguous one, a time listed twice; doses on time, late by exactly 2 h or a
    microsecond more, without taken_at, skipped, missing, extra, at no slot's time, or on another day."""
    import random

    from tracker.domain.trends_extra import SchedulePeriod, scheduled_slots

    rng = random.Random(seed)
    a_first, a_second, a_third = (time(8), time(20)), (time(1, 30), time(9)), (time(8), time(8), time(22, 30))
    b_times = (time(0, 0), time(12, 0))
    with db.write(audit=False) as s:
        a, b, c = (
            Medication(name="A", strength_mg=10),
            Medication(name="B", strength_mg=10),
            Medication(name="C", strength_mg=10),
        )
        s.add_all([a, b, c])
        s.flush()
        ma, mb = a.id or 0, b.id or 0
        periods = [
            SchedulePeriod(ma, D("2026-02-01"), D("2026-04-10"), a_first),
            SchedulePeriod(ma, D("2026-03-20"), D("2026-07-31"), a_second),  # starts later: wins
            SchedulePeriod(ma, D("2026-08-06"), None, a_third),  # after a five-day gap
            SchedulePeriod(mb, D("2026-02-01"), None, b_times),
        ]
        for p in periods:
            s.add(
                Prescription(
                    medication_id=p.medication_id,
                    dose_mg=10,
                    start_date=p.start,
                    end_date=p.end,
                    times=",".join(t.strftime("%H:%M") for t in p.times),
                )
            )
        # C has a prescription but no dose: never tracked.
        s.add(Prescription(medication_id=c.id or 0, dose_mg=10, start_date=D("2026-02-01"), times="08:00"))
        seen: set[tuple[int, datetime]] = set()
        for slot in scheduled_slots(periods, D("2026-02-01"), D("2026-11-20"), tz):
            key = (slot.medication_id, slot.scheduled_at)
            if key in seen or (slot.medication_id == mb and slot.scheduled_at < utc("2026-02-20 00:00")):
                continue  # a time listed twice is one slot; B is tracked from 20 February
            seen.add(key)
            day = slot.scheduled_at.astimezone(tz).date()
            roll = rng.random()
            run = slot.medication_id == ma and D("2026-06-10") <= day <= D("2026-06-12")
            if roll < 0.03 or run:
                continue  # missed, and all of A's doses of 10-12 June: a run
            status = "taken"
            taken: datetime | None = slot.scheduled_at + timedelta(minutes=rng.randint(-30, 100))
            if roll < 0.06:
                status, taken = "skipped", None
            elif roll < 0.1:
                taken = slot.scheduled_at + rng.choice(
                    [timedelta(hours=2), timedelta(hours=2, microseconds=1), timedelta(hours=5)]
                )
            elif roll < 0.11:
                taken = None  # taken, time unknown: on time
            if rng.random() < 0.03:
                day += timedelta(days=rng.choice([-1, 1]))  # filed under a neighbour day
            s.add(
                DoseEvent(
                    medication_id=slot.medication_id,
                    day=day,
                    scheduled_for=slot.scheduled_at,
                    taken_at=taken,
                    amount_mg=10,
                    status=status,
                )
            )
            if rng.random() < 0.02:  # an entry at no slot's time, and one a microsecond off a slot
                for off in (timedelta(minutes=17), timedelta(microseconds=1)):
                    s.add(
                        DoseEvent(
                            medication_id=slot.medication_id,
                            day=day,
                            scheduled_for=slot.scheduled_at + off,
                            taken_at=slot.scheduled_at + off,
                            amount_mg=10,
                            status="taken",
                        )
                    )
            if rng.random() < 0.02:
                s.add(
                    DoseEvent(
                        medication_id=slot.medication_id,
                        day=day,
                        scheduled_for=None,
                        taken_at=slot.scheduled_at,
                        amount_mg=5,
                        status="extra",
                    )
                )


@pytest.mark.parametrize(("zone", "seed"), [("Europe/London", 1), ("Australia/Lord_Howe", 2)])
def test_adherence_equals_the_slot_by_slot_definition(db: Database, zone: str, seed: int) -> None:
    tz = ZoneInfo(zone)  # Lord Howe Island moves its clocks by 30 minutes
    _random_history(db, tz, seed)
    ends = [
        utc("2026-11-20 06:00"),
        utc("2026-11-20 23:59"),
        utc("2026-10-25 01:10"),
        utc("2026-04-05 15:00"),
    ]
    checked = 0
    with db.read() as s:
        for now in ends:
            today = now.astimezone(tz).date()
            for start in (D("2026-01-01"), D("2026-03-25"), today - timedelta(days=29), today):
                counted = svc.adherence(session=s, start=start, end=today, now=now, tz=tz)
                weeks, runs, slots = _slot_by_slot(s, start, today, now, tz)
                assert (list(counted.weeks), list(counted.runs), counted.slots) == (weeks, runs, slots)
                checked += slots
                if start == D("2026-01-01"):
                    # Counted in SQL: the settled weeks of single times with nothing missed (A's
                    # time listed twice from 6 August and weeks with a miss go slot by slot).
                    assert 0.2 * slots < slots - counted.expanded < slots
                if start == D("2026-01-01") and today > D("2026-06-12"):
                    # A's six doses of 10-12 June are the longest run.
                    assert (runs[0].medication_id, runs[0].length) == (1, 6)
                    assert any(w.late for w in weeks) and any(w.skipped for w in weeks)
    assert checked > 3000
