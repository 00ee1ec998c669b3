"""The reminders service on a temporary database: the context it gathers, R1-R12 through it,
dismissals that hold until the condition changes, snoozes (urgent ones at most 24 h), DST days
and a change of time zone."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.models import DoseEvent
from tracker.services import checkins, meds, settings, symptoms
from tracker.services import reminders_service as rs
from tracker.services import taper as svc

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 27 Nov 2026, 12:00 in London (GMT)
TODAY = date(2026, 11, 27)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def _setup(
    db: Database, times: list[time], start: date = date(2026, 1, 1), zone: str = "Europe/London"
) -> int:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value=zone)
        med = meds.create_medication(
            session=s, name="Sertraline", strength_mg=50, tablet_fractions="1,0.5,0.25"
        )
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=50 / len(times),
            times=times,
            start_date=start,
            prescriber="Dr Rao",
        )
        return med.id or 0


@pytest.fixture
def med_id(db: Database) -> int:
    return _setup(db, [time(8), time(20)])


def _rules(
    db: Database, now: datetime = NOW, tz: ZoneInfo | None = LONDON
) -> dict[str, list[rs.ActiveReminder]]:
    with db.read() as s:
        found = rs.active_reminders(session=s, now=now, tz=tz)
    out: dict[str, list[rs.ActiveReminder]] = {}
    for r in found:
        out.setdefault(r.rule, []).append(r)
    return out


def _draft(
    db: Database,
    med_id: int,
    start: date,
    *,
    now: datetime = NOW,
    doses: tuple[float, ...] = (50, 37.5, 25, 0),
) -> int:
    with db.write() as s:
        inputs = svc.draft_inputs(session=s, medication_id=med_id, today=start)
        draft = svc.calculate_draft(inputs, method="manual", start_date=start, doses=doses)
        return svc.save_draft(session=s, medication_id=med_id, draft=draft, now=now).id


def test_an_upcoming_step_of_a_running_plan_shows_r1(db: Database, med_id: int) -> None:
    began = NOW - days(26)  # local day 1 Nov: step 2 is planned four weeks later, on 29 Nov
    plan_id = _draft(db, med_id, date(2026, 11, 1), now=began)
    with db.write() as s:
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=date(2026, 11, 1), now=began, tz=LONDON
        )
        svc.start_plan(session=s, plan_id=plan_id, now=began, tz=LONDON)
    found = _rules(db)
    assert [r.message for r in found["R1"]] == [
        "Your next step (50 mg to 37.5 mg) is planned for Sun 29 Nov 2026. "
        "Check with Dr Rao that it still suits you before you reduce."
    ]
    assert found["R1"][0].action == "taper" and found["R1"][0].severity == "info"
    # four days before the step it is not due yet
    assert "R1" not in _rules(db, NOW - days(2))


def test_urgent_reminders_come_first(db: Database, med_id: int) -> None:
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=1, now=NOW)
    with db.read() as s:
        found = rs.active_reminders(session=s, now=NOW, tz=LONDON)
    assert found[0].rule == "R8" and found[0].severity == "urgent"
    assert "crisis line" in found[0].message
    # then the warning (doses missed in the last 3 days), then the info: 08:00 is due, 20:00 not yet
    assert [r.rule for r in found[1:]] == ["R5", "R9"]
    assert found[0].as_json()["rule"] == "R8" and set(found[0].as_json()) >= {
        "key",
        "message",
        "why",
        "action",
    }


def test_a_dismissed_reminder_stays_hidden_until_its_condition_changes(db: Database, med_id: int) -> None:
    plan_id = _draft(db, med_id, date(2026, 12, 1))  # a draft starting within 14 days: R7
    r7 = _rules(db)["R7"][0]
    with db.write() as s:
        assert rs.dismiss_reminder(session=s, key=r7.key, now=NOW, tz=LONDON) is None
    assert "R7" not in _rules(db)
    assert "R7" not in _rules(db, NOW + days(2))
    with db.write() as s:  # the first step moves: the condition changed
        svc.update_step(session=s, plan_id=plan_id, order=1, planned_start=date(2026, 11, 30), now=NOW)
    again = _rules(db)["R7"]
    assert again[0].key == r7.key and "Mon 30 Nov 2026" in again[0].message


def test_snooze_hides_until_the_time_given(db: Database, med_id: int) -> None:
    evening = NOW.replace(hour=20, minute=10)  # the 20:00 dose is due and not logged
    [soon] = [r for r in _rules(db, evening)["R9"] if "20:00" in r.message]
    with db.write() as s:
        until = rs.snooze_reminder(session=s, key=soon.key, now=evening, hours=2, tz=LONDON)
    assert until == evening + timedelta(hours=2)
    assert soon.key not in {r.key for r in _rules(db, evening + timedelta(hours=1)).get("R9", [])}
    assert soon.key in {r.key for r in _rules(db, evening + timedelta(hours=2, minutes=1))["R9"]}


def test_urgent_reminders_snooze_24_hours_at_most_and_r8_is_never_dismissed_for_good(
    db: Database, med_id: int
) -> None:
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=1, now=NOW)
    r8 = _rules(db)["R8"][0]
    with db.write() as s:
        assert rs.snooze_reminder(session=s, key=r8.key, now=NOW, hours=72, tz=LONDON) == NOW + timedelta(
            hours=24
        )
    assert "R8" not in _rules(db, NOW + timedelta(hours=23))
    assert "R8" in _rules(db, NOW + timedelta(hours=24, minutes=1))
    later = NOW + timedelta(hours=25)
    with db.write() as s:
        assert rs.dismiss_reminder(session=s, key=r8.key, now=later, tz=LONDON) == later + timedelta(hours=24)
    assert "R8" not in _rules(db, later + timedelta(hours=1))
    assert "R8" in _rules(db, later + timedelta(hours=24, minutes=1))


def test_dismissing_an_unknown_reminder_is_refused(db: Database, med_id: int) -> None:
    with pytest.raises(NotFoundError), db.write() as s:
        rs.dismiss_reminder(session=s, key="R1:plan99:step2", now=NOW, tz=LONDON)


def test_spring_forward_a_dose_in_the_gap_moves_to_the_first_valid_minute(db: Database) -> None:
    med_id = _setup(db, [time(1, 30)])
    now = datetime(
        2027, 3, 28, 0, 30, tzinfo=UTC
    )  # Sunday 28 Mar 2027, 00:30 GMT; clocks go forward at 01:00
    keys = [r.key for r in _rules(db, now)["R9"]]
    assert keys == [f"R9:med{med_id}:2027-03-28T01:00Z"]  # 02:00 BST, the first minute after the gap
    with db.write() as s:
        slot = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
        s.add(
            DoseEvent(
                medication_id=med_id,
                day=date(2027, 3, 28),
                scheduled_for=slot,
                taken_at=slot,
                amount_mg=50,
                status="taken",
            )
        )
    assert "R9" not in _rules(db, now + timedelta(hours=2))


def test_fall_back_an_ambiguous_dose_time_is_its_first_occurrence(db: Database) -> None:
    med_id = _setup(db, [time(1, 30)])
    now = datetime(2026, 10, 25, 0, 10, tzinfo=UTC)  # Sunday 25 Oct 2026, 01:10 BST; 01:30 happens twice
    assert [r.key for r in _rules(db, now)["R9"]] == [f"R9:med{med_id}:2026-10-25T00:30Z"]
    # the 01:30 of the second occurrence (01:30 GMT) is an hour later: the dose is due, once
    assert [r.key for r in _rules(db, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))["R9"]] == [
        f"R9:med{med_id}:2026-10-25T00:30Z"
    ]


def test_rules_follow_the_time_zone_in_settings(db: Database) -> None:
    med_id = _setup(db, [time(8)])
    moment = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 09:00 in London, 04:00 in New York
    assert [r.key for r in _rules(db, moment, tz=None)["R9"]] == [f"R9:med{med_id}:2026-11-27T08:00Z"]
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="America/New_York")
    # in New York yesterday's 08:00 (13:00Z) was 20 hours ago (missed) and today's is 4 hours away
    assert "R9" not in _rules(db, moment, tz=None)
    assert [r.key for r in _rules(db, moment + timedelta(hours=4), tz=None)["R9"]] == [
        f"R9:med{med_id}:2026-11-27T13:00Z"
    ]


def test_context_is_gathered_per_day_and_only_for_recent_days(db: Database, med_id: int) -> None:
    with db.write() as s:
        zaps = symptoms.find_symptom(session=s, name="brain zaps").id or 0
        dizzy = symptoms.find_symptom(session=s, name="dizziness").id or 0
        harm = symptoms.find_symptom(session=s, name="thoughts of self-harm").id or 0
        for day, a, b in ((date(2026, 11, 20), 3, 1), (date(2026, 11, 21), 3, 2), (date(2026, 9, 1), 3, 3)):
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=day, severity=a, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=dizzy, day=day, severity=b, now=NOW)
        for day, a, b in ((date(2026, 6, 1), 1, 1), (date(2026, 6, 2), 2, 2)):  # two baseline days: mean 3
            checkins.set_checkin(session=s, day=day, mood=6, is_baseline=True, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=day, severity=a, now=NOW)
            symptoms.rate_symptom(session=s, symptom_id=dizzy, day=day, severity=b, now=NOW)
        symptoms.rate_symptom(session=s, symptom_id=harm, day=TODAY, severity=0, now=NOW)  # "none"
        symptoms.rate_symptom(session=s, symptom_id=harm, day=TODAY - days(1), severity=1, now=NOW)
        old = datetime(2026, 10, 1, 8, 5, tzinfo=UTC)
        s.add(
            DoseEvent(
                medication_id=med_id,
                day=date(2026, 10, 1),
                scheduled_for=None,
                taken_at=old,
                amount_mg=25,
                status="extra",
            )
        )
        s.add(
            DoseEvent(
                medication_id=med_id,
                day=date(2026, 9, 30),
                scheduled_for=None,
                taken_at=old - days(1),
                amount_mg=25,
                status="extra",
            )
        )
    with db.read() as s:
        ctx = rs.gather_context(session=s, now=NOW, tz=LONDON)
    assert dict(ctx.daily_burden) == {
        date(2026, 11, 20): 4,
        date(2026, 11, 21): 5,
        TODAY: 0,
        TODAY - days(1): 1,
    }
    assert dict(ctx.severe_days) == {"Brain zaps": {date(2026, 11, 20), date(2026, 11, 21)}}
    assert ctx.baseline_mean_burden == 3.0
    # today's 0 is "none"; yesterday's 1 is a crisis entry, written now
    assert ctx.crisis_entries == (rs.rules.CrisisEntry(TODAY - days(1), NOW, "self-harm", 1),)
    # only the latest dose of the medication from before the window (R4's "no dose for 2 days")
    assert [d.taken_at for d in ctx.doses] == [datetime(2026, 10, 1, 8, 5, tzinfo=UTC)]
    assert ctx.planned_medication_ids == frozenset()
    assert "R4" in _rules(db)  # nothing taken since 1 Oct: the stop case
    assert _rules(db)["R4"][0].severity == "urgent"


def test_thresholds_and_crisis_text_come_from_settings(db: Database, med_id: int) -> None:
    began = NOW - days(23)  # step 2 planned on 2 Dec, 5 days away: outside the default 3
    plan_id = _draft(db, med_id, date(2026, 11, 4), now=began)
    with db.write() as s:
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=date(2026, 11, 4), now=began, tz=LONDON
        )
        svc.start_plan(session=s, plan_id=plan_id, now=began, tz=LONDON)
        checkins.set_checkin(session=s, day=TODAY, mood=0, now=NOW)
    assert "R1" not in _rules(db)
    with pytest.raises(TrackerError, match="nonsense is not a reminder threshold"), db.write() as s:
        bad = {"upcoming_step_days": 5, "nonsense": 3}
        settings.set_setting(session=s, key="reminder_thresholds", value=bad)
    with db.write() as s:
        settings.set_setting(session=s, key="reminder_thresholds", value={"upcoming_step_days": 5})
        settings.set_setting(session=s, key="crisis_text", value="Call Samaritans on 116 123.")
    with db.write() as s:  # as an older or edited file holds it: the bad values are ignored when read
        stored = json.dumps({"upcoming_step_days": 5, "nonsense": 3, "severe_days": "x", "no_dose_days": 30})
        s.connection().exec_driver_sql(
            "UPDATE setting SET value = ? WHERE key = 'reminder_thresholds'", (stored,)
        )
    with db.read() as s:
        assert rs.reminder_settings(session=s).severe_days == 2  # a bad value is ignored
        assert rs.reminder_settings(session=s).no_dose_days == 2  # out of bounds (1-7): the default
    found = _rules(db)
    assert "Wed 2 Dec 2026" in found["R1"][0].message
    assert "Call Samaritans on 116 123." in found["R8"][0].message


def test_a_flare_is_still_seen_after_a_new_plan_replaces_the_old_one(db: Database, med_id: int) -> None:
    with db.write() as s:
        meds.set_prescription(
            session=s,
            medication_id=med_id,
            dose_mg=18.75,
            times=[time(8), time(20)],
            start_date=TODAY - days(10),
            prescriber="Dr Rao",
        )
        zaps = symptoms.find_symptom(session=s, name="brain zaps").id or 0
        for d in (TODAY - days(1), TODAY):
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=d, severity=3, now=NOW)
    plan_id = _draft(db, med_id, TODAY, doses=(37.5, 30, 0))
    with db.write() as s:
        svc.agree_plan(session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=TODAY, now=NOW, tz=LONDON)
        change = svc.start_plan(session=s, plan_id=plan_id, now=NOW, tz=LONDON)
    assert change.prescription is None  # the first step is the dose already prescribed
    r3 = _rules(db)["R3"]
    assert r3[0].severity == "urgent"
    assert "since your prescription of Sertraline was lowered on Tue 17 Nov 2026" in r3[0].message
