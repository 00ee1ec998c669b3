"""Reminders and taper status read through plain SQL: the same answers from an ORM session and
from a plain sqlite3 connection (``Reader``) on one database, without importing the ORM, and
through indexes only.

The data: Sertraline 25 mg at 08:00 and 20:00 since January; a plan agreed with Dr Rao and
started on Sun 1 Nov (step 1, 50 mg a day; step 2, 37.5 mg, planned for Sun 29 Nov); two
evening doses missed, one morning dose of 12.5 mg, brain zaps severe on two days, thoughts
of self-harm logged for the day before (written now); an archived citalopram whose
prescription is still current. Now is Fri 27 Nov 2026, 12:00 in London (GMT = UTC).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database
from tracker.models import Appointment, DoseEvent
from tracker.services import checkins, meds, settings, symptoms, taper_status
from tracker.services import reminders_service as rs
from tracker.services import taper as svc
from tracker.store import Reader

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
BEGAN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)  # London is on GMT in November


def _build(db: Database) -> tuple[int, int]:
    """The scenario of the module docstring; returns (medication id, plan id)."""
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(
            session=s, name="Sertraline", strength_mg=50, tablet_fractions="1,0.5,0.25", half_life_hours=26
        )
        med_id = med.id or 0
        meds.set_prescription(
            session=s,
            medication_id=med_id,
            dose_mg=25,
            times=[time(8), time(20)],
            start_date=date(2026, 1, 1),
            prescriber="Dr Rao",
        )
        # an archived medication with a prescription: read, but the rules leave it alone
        old = meds.create_medication(session=s, name="Citalopram", strength_mg=10, half_life_hours=35)
        meds.set_prescription(
            session=s, medication_id=old.id or 0, dose_mg=10, times=[time(9)], start_date=date(2025, 1, 1)
        )
        meds.set_archived(session=s, medication_id=old.id or 0)
    with db.write() as s:
        inputs = svc.draft_inputs(session=s, medication_id=med_id, today=BEGAN.date())
        draft = svc.calculate_draft(inputs, method="manual", start_date=BEGAN.date(), doses=(50, 37.5, 25, 0))
        plan_id = svc.save_draft(session=s, medication_id=med_id, draft=draft, now=BEGAN).id
    with db.write() as s:
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=BEGAN.date(), now=BEGAN, tz=LONDON
        )
        svc.start_plan(session=s, plan_id=plan_id, now=BEGAN, tz=LONDON)
    with db.write() as s:
        zaps = symptoms.find_symptom(session=s, name="brain zaps").id or 0
        dizzy = symptoms.find_symptom(session=s, name="dizziness").id or 0
        harm = symptoms.find_symptom(session=s, name="thoughts of self-harm").id or 0
        for day, a, b in ((date(2026, 6, 1), 1, 0), (date(2026, 6, 2), 1, 1)):  # baseline: mean 1.5
            checkins.set_checkin(session=s, day=day, mood=6, is_baseline=True, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=day, severity=a, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=dizzy, day=day, severity=b, now=NOW)
        for day in (date(2026, 11, 25), date(2026, 11, 26)):  # burden 5 a day, zaps severe twice
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=day, severity=3, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=dizzy, day=day, severity=2, now=NOW)
            checkins.set_checkin(session=s, day=day, mood=4, now=NOW)
        symptoms.rate_symptom(session=s, symptom_id=harm, day=date(2026, 11, 26), severity=1, now=NOW)
        symptoms.rate_symptom(session=s, symptom_id=harm, day=TODAY, severity=0, now=NOW)  # "none"
        # 24 Nov both doses (the morning one 12.5 mg), 25 and 26 Nov mornings only: two evenings missed
        for day, hour, mg in (
            (date(2026, 11, 24), 8, 12.5),
            (date(2026, 11, 24), 20, 25),
            (date(2026, 11, 25), 8, 25),
            (date(2026, 11, 26), 8, 25),
        ):
            slot = _at(day, hour)
            s.add(
                DoseEvent(
                    medication_id=med_id,
                    day=day,
                    scheduled_for=slot,
                    taken_at=slot,
                    amount_mg=mg,
                    status="taken",
                )
            )
        # the last appointment was 29 days ago: read (R6 looks 30 back), but not within 28 days
        s.add(Appointment(at=NOW - timedelta(days=29), clinician="Dr Rao"))
    return med_id, plan_id


@pytest.fixture
def scenario(db: Database) -> tuple[int, int]:
    return _build(db)


def test_the_same_context_and_reminders_from_a_session_and_a_plain_connection(
    db: Database, scenario: tuple[int, int]
) -> None:
    with db.read() as s:
        ctx_orm = rs.gather_context(session=s, now=NOW, tz=LONDON)
        found_orm = rs.active_reminders(session=s, now=NOW, tz=LONDON)
        zone_orm = rs.active_reminders(session=s, now=NOW)  # the zone from settings
    with Reader(db.path).read() as conn:
        ctx_raw = rs.gather_context(session=conn, now=NOW, tz=LONDON)
        found_raw = rs.active_reminders(session=conn, now=NOW, tz=LONDON)
        zone_raw = rs.active_reminders(session=conn, now=NOW)
    assert ctx_raw == ctx_orm
    assert found_raw == found_orm and zone_raw == zone_orm == found_raw
    # what the context holds, worked out from the scenario
    med_id, plan_id = scenario
    assert [(m.name, m.archived) for m in ctx_raw.medications] == [
        ("Sertraline", False),
        ("Citalopram", True),
    ]
    assert ctx_raw.baseline_mean_burden == 1.5
    assert dict(ctx_raw.daily_burden) == {date(2026, 11, 25): 5, date(2026, 11, 26): 6, TODAY: 0}
    assert dict(ctx_raw.severe_days) == {"Brain zaps": {date(2026, 11, 25), date(2026, 11, 26)}}
    # today's "none" (0) and moods of 4 and 6 are not crisis entries
    assert ctx_raw.crisis_entries == (rs.rules.CrisisEntry(date(2026, 11, 26), NOW, "self-harm", 1),)
    # what was logged as taken each day: 12.5 + 25 on the 24th, then the mornings only
    assert {day: mg for (med, day), mg in ctx_raw.daily_taken.items() if med == med_id} == {
        date(2026, 11, 24): 37.5,
        date(2026, 11, 25): 25,
        date(2026, 11, 26): 25,
    }
    assert ctx_raw.appointments == (NOW - timedelta(days=29),)
    assert all(d.taken_at is not None and d.taken_at.tzinfo is not None for d in ctx_raw.doses)
    assert sorted((d.taken_at, d.amount_mg) for d in ctx_raw.doses if d.taken_at) == [
        (_at(date(2026, 11, 24), 8), 12.5),
        (_at(date(2026, 11, 24), 20), 25),
        (_at(date(2026, 11, 25), 8), 25),
        (_at(date(2026, 11, 26), 8), 25),
    ]
    [plan] = ctx_raw.plans
    assert (plan.id, plan.status, plan.prescriber, plan.last_reduction) == (plan_id, "active", "Dr Rao", None)
    assert [(st.order, st.dose_mg, st.status) for st in plan.steps] == [
        (1, 50, "current"),
        (2, 37.5, "planned"),
        (3, 25, "planned"),
        (4, 0, "planned"),
    ]
    assert ctx_raw.planned_medication_ids == frozenset({med_id})


def test_the_reminders_due_worked_out_by_hand(db: Database, scenario: tuple[int, int]) -> None:
    """Urgent first, then warnings, then info; within a severity by rule, then time."""
    med_id, plan_id = scenario
    with Reader(db.path).read() as conn:
        found = rs.active_reminders(session=conn, now=NOW, tz=LONDON)
    citalopram = med_id + 1
    assert [(r.rule, r.severity, r.key) for r in found] == [
        ("R4", "urgent", f"R4:med{citalopram}:archived"),  # archived, its prescription still current
        ("R8", "urgent", "R8:crisis"),  # self-harm logged for yesterday (today's 0 means none)
        ("R2", "warning", f"R2:plan{plan_id}:step2"),  # step 2 in 2 days, symptoms not settled
        ("R4", "warning", f"R4:med{med_id}:2026-11-24T08:00Z"),  # 12.5 mg against the step's 25 mg
        ("R5", "warning", f"R5:med{med_id}:2026-11-26T20:00Z"),  # two evenings missed in 3 days
        ("R1", "info", f"R1:plan{plan_id}:step2"),  # step 2 on Sun 29 Nov
        ("R6", "info", f"R6:plan{plan_id}"),  # no appointment within 28 days, none booked
        # 08:00 came 4 hours ago and is not logged; 20:00 is not due yet (and more than an hour away)
        ("R9", "info", f"R9:med{med_id}:2026-11-27T08:00Z"),
    ]
    by_rule = {r.rule: r for r in found}
    assert by_rule["R2"].message == (
        "Your next step of Sertraline is planned for Sun 29 Nov 2026, but your symptoms have not settled "
        "in the last 7 days: your mean daily symptom burden was 3.7, against a baseline of 1.5; "
        "Brain zaps was severe on 2 days. You may want to talk to Dr Rao about holding at your "
        "current step for longer."
    )
    assert by_rule["R4"].message.startswith(
        "On Tue 24 Nov 2026 you logged 12.5 mg of Sertraline, but the current step of your agreed plan "
        "says 25 mg."
    )
    assert by_rule["R5"].message.startswith(
        "2 scheduled doses of Sertraline in the last 3 days are not logged as taken (Wed 20:00, Thu 20:00)."
    )
    assert by_rule["R1"].message.startswith(
        "Your next step (50 mg to 37.5 mg) is planned for Sun 29 Nov 2026."
    )


def test_dismissals_and_snoozes_are_read_the_same_way(db: Database, scenario: tuple[int, int]) -> None:
    med_id, plan_id = scenario
    with db.write() as s:
        rs.dismiss_reminder(session=s, key=f"R6:plan{plan_id}", now=NOW, tz=LONDON)
        rs.snooze_reminder(session=s, key=f"R9:med{med_id}:2026-11-27T08:00Z", now=NOW, hours=1, tz=LONDON)
    later = NOW + timedelta(minutes=30)
    with db.read() as s:
        via_orm = rs.active_reminders(session=s, now=later, tz=LONDON)
    with Reader(db.path).read() as conn:
        via_raw = rs.active_reminders(session=conn, now=later, tz=LONDON)
        after_snooze = rs.active_reminders(session=conn, now=NOW + timedelta(hours=1, minutes=1), tz=LONDON)
    assert via_raw == via_orm
    assert [r.rule for r in via_raw] == ["R4", "R8", "R2", "R4", "R5", "R1"]
    assert [r.key for r in after_snooze if r.rule == "R9"] == [f"R9:med{med_id}:2026-11-27T08:00Z"]


def test_a_write_session_sees_what_it_has_not_flushed_yet(db: Database, scenario: tuple[int, int]) -> None:
    med_id, _ = scenario
    slot = _at(TODAY, 8)
    with db.write() as s:
        s.add(DoseEvent(medication_id=med_id, day=TODAY, scheduled_for=slot, taken_at=slot, amount_mg=25))
        keys = {r.key for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}
        s.rollback()
    assert f"R9:med{med_id}:2026-11-27T08:00Z" not in keys
    with db.read() as s:
        keys = {r.key for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}
    assert f"R9:med{med_id}:2026-11-27T08:00Z" in keys  # rolled back: due again


def test_current_steps_and_plan_info_agree_between_a_session_and_a_plain_connection(
    db: Database, scenario: tuple[int, int]
) -> None:
    _, plan_id = scenario
    with db.read() as s:
        orm_today = svc.current_steps(session=s, day=TODAY)
        orm_first = svc.current_steps(session=s, day=BEGAN.date())
        orm_before = svc.current_steps(session=s, day=date(2026, 10, 31))
        orm_info = svc.plan_info(s, svc._plan_row(s, plan_id))
    with Reader(db.path).read() as conn:
        raw_today = taper_status.current_steps(session=conn, day=TODAY)
        raw_first = taper_status.current_steps(session=conn, day=BEGAN.date())
        raw_before = taper_status.current_steps(session=conn, day=date(2026, 10, 31))
        [plan] = taper_status.plan_infos(conn, ["active"])
    assert (raw_today, raw_first, raw_before) == (orm_today, orm_first, orm_before)
    assert plan == orm_info
    [step] = raw_today
    assert step == taper_status.CurrentStep(
        medication_name="Sertraline",
        plan_status="active",
        order=1,
        total=4,
        dose_mg=50,
        started=BEGAN.date(),
        min_days=28,
        days_at=27,
    )
    assert step.line() == "Taper · Sertraline step 1 of 4: 50 mg a day, day 27 (agreed minimum 28)"
    assert raw_first[0].days_at == 1
    assert raw_before == []  # before the plan began no step was in force (issue 17: the day's own step)
    assert svc.CurrentStep is taper_status.CurrentStep and svc.current_steps is taper_status.current_steps


def test_a_held_plan_says_so_and_no_running_plan_means_no_line(
    db: Database, scenario: tuple[int, int]
) -> None:
    _, plan_id = scenario
    with db.write() as s:
        svc.hold_plan(session=s, plan_id=plan_id, reason="Symptoms", now=NOW, tz=LONDON)
    with Reader(db.path).read() as conn:
        [step] = taper_status.current_steps(session=conn, day=TODAY)
    assert step.line() == "Taper · Sertraline step 1 of 4: 50 mg a day, day 27 (agreed minimum 28) · on hold"
    with db.write() as s:
        svc.abandon_plan(session=s, plan_id=plan_id, reason="Stopped", now=NOW)
    with Reader(db.path).read() as conn:
        assert taper_status.current_steps(session=conn, day=TODAY) == []


BIG_TABLES = {"doseevent", "checkin", "symptomentry", "auditentry"}


def test_the_plain_queries_read_no_big_table_end_to_end(db: Database, scenario: tuple[int, int]) -> None:
    """Every SELECT the light path runs, planned by SQLite: indexes only on the big tables."""
    seen: list[str] = []
    with Reader(db.path).read() as conn:
        conn.set_trace_callback(seen.append)
        rs.active_reminders(session=conn, now=NOW, tz=LONDON)
        taper_status.current_steps(session=conn, day=TODAY)
        conn.set_trace_callback(None)
        selects = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]
        plans = {sql: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)] for sql in selects}
    scans = []
    for sql, lines in plans.items():
        aliases = {a.lower(): t.lower() for t, a in re.findall(r"\b(\w+) AS (\w+)", sql)}
        for line in lines:
            m = re.match(r"SCAN (\w+)", line)
            if m and aliases.get(m.group(1).lower(), m.group(1).lower()) in BIG_TABLES:
                scans.append(f"{line}: {sql[:100]}")
    assert scans == []
    lines = [line for ls in plans.values() for line in ls]
    assert any("ix_doseevent_med_taken (medication_id=? AND taken_at>? AND taken_at<?)" in x for x in lines)
    assert any("ix_checkin_baseline (is_baseline=?)" in x for x in lines)
    assert any("ix_doseevent_day (day>?)" in x for x in lines)
    # R8 reads entries by when they were written, for any day, through indexes
    assert any("ix_checkin_logged_at (logged_at>?)" in x for x in lines)
    assert any("SEARCH e USING INDEX sqlite_autoindex_symptomentry_1 (symptom_id=?)" in x for x in lines)


def test_the_read_modules_load_without_the_orm() -> None:
    code = (
        "import sys\n"
        "import tracker.services.reminders_service, tracker.services.taper_status\n"
        "import tracker.queries.reminders, tracker.queries.taper\n"
        "bad = [m for m in sys.modules if m.startswith(('sqlalchemy', 'sqlmodel', 'pydantic', "
        "'tracker.models', 'tracker.db'))]\n"
        "assert not bad, bad[:5]\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
