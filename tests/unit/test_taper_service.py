"""Taper plans on a temporary database: the status machine with its refusals, recorded transitions,
the prescription following advance / hold / step back, editing drafts, and the calendar file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.domain.taper import DRAFT_NOTICE, TaperError
from tracker.models import PlanEvent, Prescription, TaperPlan, TaperStep
from tracker.services import clinician, meds, settings
from tracker.services import taper as svc

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 27 Nov 2026, 12:00 in London (GMT)
TODAY = date(2026, 11, 27)
DOSES = [50.0, 37.5, 25.0, 12.5, 0.0]


def days(n: int) -> timedelta:
    return timedelta(days=n)


@pytest.fixture
def med_id(db: Database) -> int:
    """Sertraline 50 mg tablets (quarters allowed, 20 mg/ml liquid), 25 mg at 08:00 and 20:00: 50 mg a day."""
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(
            session=s, name="Sertraline", strength_mg=50, tablet_fractions="1,0.5,0.25", liquid_mg_per_ml=20
        )
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=25,
            times=[time(8), time(20)],
            start_date=date(2026, 9, 1),
            prescriber="Dr Rao",
        )
        return med.id or 0


def _draft(db: Database, med_id: int, start: date = date(2026, 12, 1), doses: list[float] = DOSES) -> int:
    with db.write() as s:
        inputs = svc.draft_inputs(session=s, medication_id=med_id, today=TODAY)
        draft = svc.calculate_draft(inputs, method="manual", start_date=start, doses=doses)
        return svc.save_draft(session=s, medication_id=med_id, draft=draft, now=NOW).id


def _agreed(db: Database, med_id: int, **kw: object) -> int:
    plan_id = _draft(db, med_id, **kw)  # type: ignore[arg-type]
    with db.write() as s:
        svc.agree_plan(session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=TODAY, now=NOW, tz=LONDON)
    return plan_id


def _started(db: Database, med_id: int, at: datetime = NOW) -> int:
    plan_id = _agreed(db, med_id)
    with db.write() as s:
        svc.start_plan(session=s, plan_id=plan_id, now=at, tz=LONDON)
    return plan_id


def _rx(s: Session, med_id: int) -> list[tuple[float, str, date, date | None, int | None]]:
    rows = s.exec(
        select(Prescription)
        .where(Prescription.medication_id == med_id)
        .order_by(col(Prescription.start_date))
    )
    return [(p.dose_mg, p.times, p.start_date, p.end_date, p.taper_step_id) for p in rows]


def _events(s: Session, plan_id: int) -> list[tuple[str, str | None, str | None]]:
    rows = s.exec(select(PlanEvent).where(PlanEvent.plan_id == plan_id).order_by(col(PlanEvent.id)))
    return [(e.action, e.from_status, e.to_status) for e in rows]


# --------------------------------------------------------------------------- drafts


def test_draft_is_saved_as_a_draft_with_its_steps_and_notice(db: Database, med_id: int) -> None:
    plan_id = _draft(db, med_id)
    with db.read() as s:
        plan = svc.get_plan(session=s, plan_id=plan_id)
    assert plan.status == "draft" and plan.is_draft and plan.notice == DRAFT_NOTICE
    assert plan.method == "manual"
    assert [st.dose_mg for st in plan.steps] == DOSES
    # manual draft: 4 weeks apart from the start date
    assert [st.planned_start for st in plan.steps] == [
        date(2026, 12, 1),
        date(2026, 12, 29),
        date(2027, 1, 26),
        date(2027, 2, 23),
        date(2027, 3, 23),
    ]
    assert [st.status for st in plan.steps] == ["planned"] * 5
    assert plan.steps[1].how_to_take == "three quarters of a 50 mg tablet"
    assert [(e.action, e.to_status) for e in plan.events] == [("draft", "draft")]
    assert DRAFT_NOTICE in (plan.events[0].reason or "")
    assert plan.as_json()["is_draft"] is True


def test_draft_inputs_use_the_daily_dose_and_the_formulation(db: Database, med_id: int) -> None:
    with db.read() as s:
        inputs = svc.draft_inputs(session=s, medication_id=med_id, today=TODAY)
    assert inputs.start_mg == 50.0  # 25 mg twice a day
    assert inputs.formulation is not None and inputs.formulation.liquid_mg_per_ml == 20.0
    assert inputs.formulation.fractions == frozenset({1.0, 0.5, 0.25})
    assert inputs.has_occupancy
    draft = svc.calculate_draft(inputs, method="proportional", start_date=TODAY, percent=50, final_mg=10)
    # 50, 25, 12.5 (each half of the one before), then 0
    assert [r.dose_mg for r in draft.steps] == [50.0, 25.0, 12.5, 0.0]
    assert draft.is_draft


def test_a_new_draft_sets_the_older_draft_aside(db: Database, med_id: int) -> None:
    first = _draft(db, med_id)
    second = _draft(db, med_id, doses=[50, 40, 30, 0])
    with db.read() as s:
        old = svc.get_plan(session=s, plan_id=first)
        assert old.status == "abandoned"
        assert old.events[-1].reason == f"Replaced by a newer draft (plan {second})"
        assert [p.id for p in svc.plans_for(session=s, medication_id=med_id)] == [second]


# --------------------------------------------------------------------------- the status machine


def test_starting_a_draft_is_refused_with_the_r7_reason_and_nothing_is_written(
    db: Database, med_id: int
) -> None:
    plan_id = _draft(db, med_id)
    with pytest.raises(TaperError, match="no agreement with a prescriber is recorded"), db.write() as s:
        svc.start_plan(session=s, plan_id=plan_id, now=NOW, tz=LONDON)
    with db.read() as s:
        assert s.get(TaperPlan, plan_id).status == "draft"  # type: ignore[union-attr]
        assert _events(s, plan_id) == [("draft", None, "draft")]
        assert {st.status for st in s.exec(select(TaperStep)).all()} == {"planned"}
        assert len(_rx(s, med_id)) == 1
    with pytest.raises(TaperError, match="no agreement"), db.read() as s:
        svc.select_plan(session=s, medication_id=med_id, action="start")


def test_agreement_needs_a_prescriber_and_a_date_not_in_the_future(db: Database, med_id: int) -> None:
    plan_id = _draft(db, med_id)
    with pytest.raises(TaperError, match="name of the prescriber"), db.write() as s:
        svc.agree_plan(session=s, plan_id=plan_id, prescriber="  ", agreed_on=TODAY, now=NOW, tz=LONDON)
    with pytest.raises(TaperError, match="after today"), db.write() as s:
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=TODAY + days(1), now=NOW, tz=LONDON
        )
    with db.read() as s:
        assert s.get(TaperPlan, plan_id).status == "draft"  # type: ignore[union-attr]


def test_agree_then_start_records_each_transition_and_moves_the_dates(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with db.read() as s:
        plan = svc.get_plan(session=s, plan_id=plan_id)
        assert plan.status == "active" and plan.prescriber == "Dr Rao" and plan.agreed_on == TODAY
        assert _events(s, plan_id) == [
            ("draft", None, "draft"),
            ("agree", "draft", "agreed"),
            ("start", "agreed", "active"),
        ]
        assert plan.events[1].reason == "Agreed with Dr Rao on 2026-11-27"
        assert plan.events[2].at == NOW
        # step 1 current from today; the agreed spacing is kept from the real start (4 days early)
        assert plan.steps[0].status == "current" and plan.steps[0].actual_start == TODAY
        assert plan.steps[1].planned_start == date(2026, 12, 25)
        # the first step is the dose already prescribed: no new prescription period
        assert len(_rx(s, med_id)) == 1
    with pytest.raises(TaperError, match="already started"), db.write() as s:
        svc.start_plan(session=s, plan_id=plan_id, now=NOW, tz=LONDON)


def test_start_uses_the_local_day_of_the_user(db: Database, med_id: int) -> None:
    plan_id = _agreed(db, med_id)
    late_evening_in_new_york = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 26 Nov, 22:00 in New York
    with db.write() as s:
        change = svc.start_plan(
            session=s, plan_id=plan_id, now=late_evening_in_new_york, tz=ZoneInfo("America/New_York")
        )
    assert change.plan.steps[0].actual_start == date(2026, 11, 26)


def test_advance_changes_the_prescription_and_records_the_step(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    later = NOW + days(30)
    with db.write() as s:
        change = svc.advance_plan(session=s, plan_id=plan_id, reason="Agreed at review", now=later, tz=LONDON)
    step2 = change.plan.steps[1]
    assert change.plan.steps[0].status == "done" and change.plan.steps[0].note == "Agreed at review"
    assert step2.status == "current" and step2.actual_start == TODAY + days(30)
    assert change.warnings == ()  # 30 days spent, more than the 28-day minimum
    assert (
        change.prescription is not None and "37.5 mg a day (18.75 mg at 08:00, 20:00)" in change.prescription
    )
    with db.read() as s:
        assert _rx(s, med_id) == [
            (25.0, "08:00,20:00", date(2026, 9, 1), TODAY + days(29), None),
            (18.75, "08:00,20:00", TODAY + days(30), None, step2.id),
        ]
        assert _events(s, plan_id)[-1] == ("advance", "step 1: 50 mg a day", "step 2: 37.5 mg a day")


def test_advancing_early_warns_but_is_not_refused(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with db.write() as s:
        change = svc.advance_plan(session=s, plan_id=plan_id, reason="r", now=NOW + days(10), tz=LONDON)
    assert (
        len(change.warnings) == 1 and change.warnings[0] == "Step 1 has run 10 of its agreed minimum 28 days."
    )
    with pytest.raises(TaperError, match="reason"), db.write() as s:
        svc.advance_plan(session=s, plan_id=plan_id, reason="  ", now=NOW + days(40), tz=LONDON)


def test_hold_keeps_the_dose_and_advance_ends_the_hold(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with db.write() as s:
        held = svc.hold_plan(
            session=s, plan_id=plan_id, reason="Zaps not settled", now=NOW + days(20), tz=LONDON
        )
    assert held.plan.status == "held" and held.plan.steps[0].status == "held"
    with db.read() as s:
        assert len(_rx(s, med_id)) == 1
        assert _events(s, plan_id)[-1] == ("hold", "active", "held")
    with pytest.raises(TaperError, match="already on hold"), db.write() as s:
        svc.hold_plan(session=s, plan_id=plan_id, reason="again", now=NOW + days(21), tz=LONDON)
    with db.write() as s:
        change = svc.advance_plan(
            session=s, plan_id=plan_id, reason="Settled now", now=NOW + days(40), tz=LONDON
        )
    assert change.plan.status == "active" and change.plan.steps[1].status == "current"
    with db.read() as s:
        assert [a for a, _, _ in _events(s, plan_id)][-2:] == ["resume", "advance"]


def test_resume_ends_a_hold_without_changing_the_step(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with db.write() as s:
        svc.hold_plan(session=s, plan_id=plan_id, reason="Busy month", now=NOW + days(5), tz=LONDON)
        change = svc.resume_plan(session=s, plan_id=plan_id, reason="Ready", now=NOW + days(6))
    assert change.plan.status == "active" and change.plan.steps[0].status == "current"


def test_step_back_returns_to_the_previous_dose_and_plans_a_retry(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with db.write() as s:
        svc.advance_plan(session=s, plan_id=plan_id, reason="As agreed", now=NOW + days(28), tz=LONDON)
    back_day = TODAY + days(35)
    with db.write() as s:
        change = svc.step_back_plan(
            session=s, plan_id=plan_id, reason="Severe dizziness", now=NOW + days(35), tz=LONDON
        )
    steps = change.plan.steps
    assert [(st.order, st.dose_mg, st.status) for st in steps] == [
        (1, 50.0, "done"),
        (2, 37.5, "stepped_back"),
        (3, 50.0, "current"),
        (4, 37.5, "planned"),
        (5, 25.0, "planned"),
        (6, 12.5, "planned"),
        (7, 0.0, "planned"),
    ]
    assert steps[2].actual_start == back_day and steps[3].planned_start == back_day + days(28)
    assert steps[1].note == "Severe dizziness"
    with db.read() as s:
        rx = _rx(s, med_id)
        assert rx[-1] == (25.0, "08:00,20:00", back_day, None, steps[2].id)
        assert rx[-2][3] == back_day - days(1)
        assert _events(s, plan_id)[-1] == ("step_back", "step 2: 37.5 mg a day", "step 3: 50 mg a day")
    assert any("previous dose" in w for w in change.warnings)


def test_step_back_needs_an_earlier_dose(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with pytest.raises(TaperError, match="no earlier dose"), db.write() as s:
        svc.step_back_plan(session=s, plan_id=plan_id, reason="r", now=NOW + days(3), tz=LONDON)


def test_the_zero_step_ends_the_prescription_and_the_last_advance_completes(
    db: Database, med_id: int
) -> None:
    plan_id = _draft(db, med_id, doses=[50, 25, 0])
    with db.write() as s:
        svc.agree_plan(session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=TODAY, now=NOW, tz=LONDON)
        svc.start_plan(session=s, plan_id=plan_id, now=NOW, tz=LONDON)
        svc.advance_plan(session=s, plan_id=plan_id, reason="a", now=NOW + days(28), tz=LONDON)
        zero = svc.advance_plan(session=s, plan_id=plan_id, reason="b", now=NOW + days(56), tz=LONDON)
    assert zero.prescription is not None and "ends on 2027-01-21" in zero.prescription
    with db.read() as s:
        assert _rx(s, med_id)[-1][2:4] == (TODAY + days(28), TODAY + days(55))
        assert meds.prescription_on(session=s, medication_id=med_id, day=TODAY + days(56)) is None
    with db.write() as s:
        done = svc.advance_plan(session=s, plan_id=plan_id, reason="finished", now=NOW + days(84), tz=LONDON)
    assert done.plan.status == "completed"
    assert [st.status for st in done.plan.steps] == ["done", "done", "done"]
    with db.read() as s:
        assert _events(s, plan_id)[-1] == ("complete", "active", "completed")


def test_starting_a_new_plan_sets_the_running_one_aside(db: Database, med_id: int) -> None:
    first = _started(db, med_id)
    second = _agreed(db, med_id, doses=[50, 45, 40, 0])
    with db.write() as s:
        svc.start_plan(session=s, plan_id=second, now=NOW + days(1), tz=LONDON)
    with db.read() as s:
        old = svc.get_plan(session=s, plan_id=first)
        assert old.status == "abandoned" and "Replaced by plan" in (old.events[-1].reason or "")
        assert svc.select_plan(session=s, medication_id=med_id, action="advance") == second


def test_abandon_any_time_but_not_after(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with db.write() as s:
        svc.abandon_plan(session=s, plan_id=plan_id, reason="Stopped with the prescriber", now=NOW)
    with pytest.raises(TaperError, match="abandoned"), db.write() as s:
        svc.advance_plan(session=s, plan_id=plan_id, reason="x", now=NOW + days(30), tz=LONDON)


# --------------------------------------------------------------------------- editing


def test_editing_an_agreed_plan_makes_it_a_draft_again(db: Database, med_id: int) -> None:
    plan_id = _agreed(db, med_id)
    with db.write() as s:
        plan = svc.update_step(session=s, plan_id=plan_id, order=3, dose_mg=29, now=NOW)
    assert plan.status == "draft" and plan.agreed_on is None
    assert plan.steps[2].dose_mg == 29
    assert plan.steps[2].how_to_take == "half a 50 mg tablet + 0.2 ml of 20 mg/ml liquid"
    assert plan.steps[2].needs_liquid
    assert plan.events[-1].action == "edit" and "recorded again" in (plan.events[-1].reason or "")


def test_step_edits_keep_dates_in_order_and_min_days_at_least_seven(db: Database, med_id: int) -> None:
    plan_id = _draft(db, med_id)
    with pytest.raises(TaperError, match="after step 2"), db.write() as s:
        svc.update_step(session=s, plan_id=plan_id, order=3, planned_start=date(2026, 12, 29), now=NOW)
    with pytest.raises(TaperError, match="at least 7 days"), db.write() as s:
        svc.update_step(session=s, plan_id=plan_id, order=2, min_days=6, now=NOW)
    with db.write() as s:
        added = svc.add_step(
            session=s, plan_id=plan_id, dose_mg=6.25, planned_start=date(2027, 3, 9), now=NOW
        )
    assert [(st.order, st.dose_mg) for st in added.steps] == [
        (1, 50),
        (2, 37.5),
        (3, 25),
        (4, 12.5),
        (5, 6.25),
        (6, 0),
    ]
    with db.write() as s:
        removed = svc.remove_step(session=s, plan_id=plan_id, order=2, now=NOW)
    assert [(st.order, st.dose_mg) for st in removed.steps] == [
        (1, 50),
        (2, 25),
        (3, 12.5),
        (4, 6.25),
        (5, 0),
    ]


def test_a_running_plan_is_not_edited(db: Database, med_id: int) -> None:
    plan_id = _started(db, med_id)
    with pytest.raises(TaperError, match="under way"), db.write() as s:
        svc.update_step(session=s, plan_id=plan_id, order=3, dose_mg=30, now=NOW)


# --------------------------------------------------------------------------- calendar


def test_calendar_has_steps_check_ins_and_appointments_without_alarms(db: Database, med_id: int) -> None:
    plan_id = _agreed(db, med_id)
    with db.write() as s:
        other = meds.create_medication(session=s, name="Citalopram", strength_mg=20)
        draft = svc.calculate_draft(
            svc.draft_inputs(session=s, medication_id=other.id or 0, today=TODAY),
            method="manual",
            start_date=TODAY,
            doses=[20, 10, 0],
        )
        svc.save_draft(session=s, medication_id=other.id or 0, draft=draft, now=NOW)  # not in the calendar
        clinician.add_appointment(session=s, at=datetime(2026, 12, 20, 9, 30, tzinfo=UTC), clinician="Dr Rao")
        data = svc.taper_calendar(session=s, now=NOW, tz=LONDON)
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert b"VALARM" not in data
    summaries = [str(e.get("summary")) for e in events]
    steps = [e for e in events if str(e.get("summary")).startswith("Planned taper step")]
    assert len(steps) == 5  # the agreed plan's five planned steps; the draft is not in it
    assert [str(e.get("summary")) for e in steps[:2]] == [
        "Planned taper step: Sertraline 50 mg a day",
        "Planned taper step: Sertraline 50 mg to 37.5 mg a day",
    ]
    assert not any("Citalopram" in text for text in summaries)
    check_ins = [e for e in events if str(e.get("summary")).startswith("Check in with your prescriber")]
    # each step gets a check-in 3 days before, but never before the agreed minimum (28 days) at the
    # dose before it: step 2 on 29 Dec follows 28 days at step 1 (1 Dec), so its check-in is that day
    assert [e.decoded("dtstart") for e in check_ins][:2] == [date(2026, 11, 28), date(2026, 12, 29)]
    appt = [e for e in events if str(e.get("summary")).startswith("Appointment")]
    assert len(appt) == 1 and appt[0].decoded("dtstart") == datetime(2026, 12, 20, 9, 30, tzinfo=UTC)
    assert len({str(e.get("uid")) for e in events}) == len(events)
    assert plan_id > 0


def test_current_steps_say_where_a_running_plan_stands(db: Database) -> None:
    """Today shows the live step and the days at it (issue 4): the demo is 28 days into step 3."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from tracker.services import demo

    today = date(2026, 11, 28)
    with db.write(audit=False) as s:
        demo.generate_demo(session=s, today=today, tz=ZoneInfo("Europe/London"))
    with db.read() as s:
        [step] = svc.current_steps(session=s, day=today)
        [earlier] = svc.current_steps(session=s, day=date(2026, 11, 1))
    assert (step.order, step.total, step.dose_mg, step.days_at, step.min_days) == (3, 6, 37.5, 28, 42)
    assert step.line() == "Taper · Sertraline step 3 of 6: 37.5 mg a day, day 28 (agreed minimum 42)"
    assert earlier.days_at == 1


# --------------------------------------------------------------------------- stored step details (issue 12)


def test_saved_steps_keep_flags_occupancy_fit_and_the_needs_another_form_marker(db: Database) -> None:
    with db.write() as s:
        med = meds.create_medication(session=s, name="Citalopram", strength_mg=20)  # halves, no liquid
        inputs = svc.draft_inputs(session=s, medication_id=med.id or 0, today=TODAY)
        draft = svc.calculate_draft(inputs, method="occupancy", start_date=TODAY, start_mg=20)
        plan_id = svc.save_draft(session=s, medication_id=med.id or 0, draft=draft, now=NOW).id
    with db.read() as s:
        plan = svc.get_plan(session=s, plan_id=plan_id)
        raw = s.exec(
            select(TaperStep).where(TaperStep.plan_id == plan_id).order_by(col(TaperStep.order))
        ).all()
    # as the draft said, row by row (occupancy 83.98 * d / (2.33 + d): 75.2 at 20 mg, 68.1 at 10 mg)
    assert [(st.dose_mg, st.occupancy_pct, st.needs_form) for st in plan.steps[:3]] == [
        (20.0, 75.2, False),
        (10.0, 68.1, False),
        (4.77, 56.4, True),
    ]
    assert all(st.fit and "citalopram" in st.fit and "approximate" in st.fit for st in plan.steps)
    assert [f.kind for f in plan.steps[2].flags] == ["needs_form"]
    assert "Liquid forms of citalopram" in plan.steps[2].flags[0].message
    assert (
        raw[2].target_mg == pytest.approx(4.7681, abs=1e-4) and raw[2].flags and "needs_form" in raw[2].flags
    )
    assert plan.as_json()["steps"][2]["flags"][0]["kind"] == "needs_form"


def test_an_edited_step_is_flagged_again_and_keeps_the_typed_dose(db: Database, med_id: int) -> None:
    plan_id = _draft(db, med_id, doses=[50, 37.5, 25, 12.5, 6, 0])
    with db.write() as s:
        view = svc.update_step(session=s, plan_id=plan_id, order=5, dose_mg=14.5, now=NOW)
        odd = svc.update_step(session=s, plan_id=plan_id, order=4, dose_mg=13, now=NOW)
    # 12.5 -> 14.5 is an increase (D5), kept as typed (D4); a quarter tablet (12.5 mg) and 0.1 ml of
    # 20 mg/ml (2 mg) give exactly 14.5 mg, so it needs no other form
    step5 = view.steps[4]
    assert step5.dose_mg == 14.5 and "increase" in [f.kind for f in step5.flags] and not step5.needs_form
    # 13 mg: 12.5 mg + 0.025 ml, or 0.65 ml alone: a 0.1 ml step cannot measure either
    assert odd.steps[3].dose_mg == 13 and odd.steps[3].needs_form


def test_calendar_never_checks_in_before_the_agreed_minimum(db: Database, med_id: int) -> None:
    # steps every 14 days, each with a minimum of 21: step 2 is planned for 15 Dec, but 1 Dec + 21
    # days is 22 Dec, so neither the step nor its check-in comes before 22 Dec
    with db.write() as s:
        inputs = svc.draft_inputs(session=s, medication_id=med_id, today=TODAY)
        draft = svc.calculate_draft(
            inputs,
            method="manual",
            start_date=date(2026, 12, 1),
            doses=[50, 40, 0],
            interval_weeks=2,
            min_days=21,
        )
        assert any(f.kind == "below_min_days" for f in draft.steps[0].flags)
        plan_id = svc.save_draft(session=s, medication_id=med_id, draft=draft, now=NOW).id
        svc.agree_plan(session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=TODAY, now=NOW, tz=LONDON)
        data = svc.taper_calendar(session=s, now=NOW, tz=LONDON)
    events = list(Calendar.from_ical(data).walk("VEVENT"))
    step2 = next(e for e in events if "50 mg to 40 mg" in str(e.get("summary")))
    check2 = next(e for e in events if "(50 mg to 40 mg a day)" in str(e.get("description")))
    assert step2.decoded("dtstart") == date(2026, 12, 22)
    assert check2.decoded("dtstart") == date(2026, 12, 22)
    assert "agreed minimum of 21 days" in str(step2.get("description"))
