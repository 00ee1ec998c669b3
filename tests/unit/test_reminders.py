"""Reminder rules R1-R12: each threshold just inside and just outside, wording, ordering, dismissal, DST.

The safety rules added by issue 13 (urgent silencing, every kind of reduction, skipped doses,
R8 by when an entry was written, R9 timing, R10 start dates, R12) are in test_reminders_safety.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.reminders import (
    RULES,
    CrisisEntry,
    DismissalState,
    DoseInfo,
    MedicationInfo,
    PlanInfo,
    PrescriptionInfo,
    Reminder,
    ReminderContext,
    ReminderSettings,
    StepInfo,
    all_message_templates,
    clamp_snooze,
    dismiss,
    evaluate,
    plan_start_blocked,
    rule_r1,
    rule_r2,
    rule_r3,
    rule_r4,
    rule_r5,
    rule_r6,
    rule_r7,
    rule_r8,
    rule_r9,
    rule_r10,
    rule_r11,
    rule_r12,
    scheduled_doses,
    snooze,
    visible,
)

LONDON = ZoneInfo("Europe/London")  # GMT = UTC in November, so local times equal UTC there
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 27 Nov 2026, 12:00 in London
TODAY = date(2026, 11, 27)

SERTRALINE = MedicationInfo(1, "sertraline", 26.0)
PAROXETINE = MedicationInfo(2, "paroxetine", 21.0)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def daily(
    med: int,
    dose: float,
    *at: time,
    start: date = date(2026, 1, 1),
    end: date | None = None,
    prescriber: str | None = "Dr Patel",
) -> PrescriptionInfo:
    return PrescriptionInfo(med, dose, tuple(at) or (time(8, 0),), start, end, prescriber)


def taken(med: int, when: datetime, amount: float, *, scheduled: bool = True) -> DoseInfo:
    return DoseInfo(med, when if scheduled else None, when, amount, "taken")


def taper_plan(
    next_start: date,
    *,
    status: str = "active",
    plan_id: int = 7,
    last_reduction: date | None = None,
    prescriber: str | None = "Dr Patel",
) -> PlanInfo:
    """Sertraline 100 -> 75 (current) -> 50 (planned on ``next_start``)."""
    steps = (
        StepInfo(1, 100.0, date(2026, 9, 1), 28, "done", date(2026, 9, 1)),
        StepInfo(2, 75.0, date(2026, 10, 30), 28, "current", date(2026, 10, 30)),
        StepInfo(3, 50.0, next_start, 28, "planned"),
    )
    return PlanInfo(plan_id, 1, status, prescriber, steps, last_reduction)


def ctx_of(**kwargs: object) -> ReminderContext:
    base = ReminderContext(medications=(SERTRALINE, PAROXETINE))
    return replace(base, **kwargs)  # type: ignore[arg-type]


def harm(day: date, written: datetime = NOW, value: int = 1) -> CrisisEntry:
    return CrisisEntry(day, written, "self-harm", value)


def low_mood(day: date, mood: int, written: datetime = NOW) -> CrisisEntry:
    return CrisisEntry(day, written, "low-mood", mood)


def rules_of(reminders: list[Reminder]) -> list[str]:
    return [r.rule for r in reminders]


# --------------------------------------------------------------------------- R1


def test_r1_step_in_three_days_is_announced_with_the_agreed_wording() -> None:
    ctx = ctx_of(plans=(taper_plan(TODAY + days(3)),))
    [reminder] = rule_r1(ctx, NOW, LONDON)
    assert reminder.message == (
        "Your next step (75 mg to 50 mg) is planned for Mon 30 Nov 2026. "
        "Check with Dr Patel that it still suits you before you reduce."
    )
    assert (reminder.rule, reminder.severity, reminder.action) == ("R1", "info", "taper")
    assert reminder.key == "R1:plan7:step3"
    assert reminder.why.startswith("R1 · NICE NG222")


def test_r1_step_in_four_days_is_not_yet_announced() -> None:
    assert rule_r1(ctx_of(plans=(taper_plan(TODAY + days(4)),)), NOW, LONDON) == []


def test_r1_ignores_a_draft_plan_and_names_the_prescription_dose_before_a_first_step() -> None:
    draft = taper_plan(TODAY + days(1), status="draft")
    assert rule_r1(ctx_of(plans=(draft,)), NOW, LONDON) == []
    first = PlanInfo(3, 1, "agreed", None, (StepInfo(1, 75.0, TODAY + days(2), 28, "planned"),))
    ctx = ctx_of(plans=(first,), prescriptions=(daily(1, 50.0, time(8), time(20)),))
    [reminder] = rule_r1(ctx, NOW, LONDON)
    assert reminder.message.startswith("Your next step (100 mg to 75 mg) is planned for Sun 29 Nov 2026.")
    assert "Check with your prescriber" in reminder.message


def test_r1_skips_a_first_row_that_repeats_the_current_dose() -> None:
    # drafts start with the dose already taken; the reminder is about the first real change
    plan = PlanInfo(
        4,
        1,
        "agreed",
        "Dr Patel",
        (
            StepInfo(1, 100.0, TODAY, 28, "planned"),
            StepInfo(2, 90.0, TODAY + days(3), 28, "planned"),
        ),
    )
    ctx = ctx_of(plans=(plan,), prescriptions=(daily(1, 50.0, time(8), time(20)),))
    [reminder] = rule_r1(ctx, NOW, LONDON)
    assert reminder.message.startswith("Your next step (100 mg to 90 mg) is planned for Mon 30 Nov 2026.")
    later = PlanInfo(
        4,
        1,
        "agreed",
        "Dr Patel",
        (StepInfo(1, 100.0, TODAY, 28, "planned"), StepInfo(2, 90.0, TODAY + days(4), 28, "planned")),
    )
    assert (
        rule_r1(ctx_of(plans=(later,), prescriptions=(daily(1, 50.0, time(8), time(20)),)), NOW, LONDON) == []
    )


# --------------------------------------------------------------------------- R2


def _unsettled(
    baseline: float | None,
    burden: dict[date, int],
    severe: dict[str, set[date]] | None = None,
    step_in: int = 2,
) -> list[Reminder]:
    ctx = ctx_of(
        plans=(taper_plan(TODAY + days(step_in)),),
        daily_burden=burden,
        baseline_mean_burden=baseline,
        severe_days=severe or {},
    )
    return rule_r2(ctx, NOW, LONDON)


# Two logged days of 3 in the window; a day outside it (8 days ago counting today) must not count.
BURDEN_3 = {TODAY: 3, TODAY - days(6): 3, TODAY - days(7): 20}


def test_r2_mean_burden_equal_to_baseline_plus_two_is_settled() -> None:
    assert _unsettled(1.0, BURDEN_3) == []


def test_r2_mean_burden_just_above_baseline_plus_two_is_not_settled() -> None:
    [reminder] = _unsettled(0.99, BURDEN_3)
    assert reminder.severity == "warning"
    assert "your mean daily symptom burden was 3.0, against a baseline of 1.0" in reminder.message
    assert "talk to Dr Patel about holding at your current step" in reminder.message
    assert (
        reminder.why == "R2 · NICE NG222: symptoms should be resolved or tolerable before the next reduction"
    )


def test_r2_severe_on_two_days_counts_even_without_a_baseline_but_not_on_one() -> None:
    two = {"brain zaps": {TODAY, TODAY - days(6)}}
    one_inside = {"brain zaps": {TODAY, TODAY - days(7)}}
    [reminder] = _unsettled(None, {}, two)
    assert "brain zaps was severe on 2 days" in reminder.message
    assert _unsettled(None, {}, one_inside) == []


def test_r2_needs_a_step_within_three_days() -> None:
    two = {"nausea": {TODAY, TODAY - days(1)}}
    assert len(_unsettled(None, {}, two, step_in=3)) == 1
    assert _unsettled(None, {}, two, step_in=4) == []


# --------------------------------------------------------------------------- R3


def _flare(
    reduced_days_ago: int,
    recent: list[int],
    baseline: float | None,
    severe: dict[str, set[date]] | None = None,
) -> list[Reminder]:
    reduced = TODAY - days(reduced_days_ago)
    burden = {reduced - days(i): 2 for i in range(1, 8)}  # the week before: mean 2
    burden.update({TODAY - days(i): v for i, v in enumerate(reversed(recent))})
    ctx = ctx_of(
        plans=(taper_plan(TODAY + days(30), last_reduction=reduced),),
        daily_burden=burden,
        baseline_mean_burden=baseline,
        severe_days=severe or {},
    )
    return rule_r3(ctx, NOW, LONDON)


def test_r3_twice_the_mean_before_and_three_above_baseline_is_urgent() -> None:
    [reminder] = _flare(10, [4, 4, 4], baseline=1.0)  # 4 >= 2 * 2 and 4 >= 1 + 3
    assert (reminder.severity, reminder.action, reminder.snooze_limit_hours) == ("urgent", "clinician", 24)
    assert reminder.key == "R3:med1:2026-11-17"
    assert "since the reduction of sertraline in your taper plan on Tue 17 Nov 2026" in reminder.message
    assert "they may consider returning to the previous dose and reducing more slowly" in reminder.message


def test_r3_below_twice_the_mean_before_is_no_flare() -> None:
    assert _flare(10, [4, 4, 3], baseline=0.0) == []  # 3.67 < 2 * 2


def test_r3_less_than_three_above_baseline_is_no_flare() -> None:
    assert _flare(10, [4, 4, 4], baseline=1.01) == []  # 4 < 1.01 + 3


def test_r3_window_is_28_days_after_the_reduction() -> None:
    assert len(_flare(28, [4, 4, 4], baseline=1.0)) == 1
    assert _flare(29, [4, 4, 4], baseline=1.0) == []


def test_r3_severe_on_two_consecutive_days_but_not_two_apart() -> None:
    reduced = TODAY - days(10)
    consecutive = {"dizziness": {reduced + days(9), reduced + days(10)}}
    apart = {"dizziness": {reduced + days(8), reduced + days(10), reduced - days(1)}}
    [reminder] = _flare(10, [], baseline=None, severe=consecutive)
    assert "dizziness was severe on Thu 26 Nov 2026 and Fri 27 Nov 2026" in reminder.message
    assert _flare(10, [], baseline=None, severe=apart) == []
    # a run that ended a week ago is not a flare now: it no longer keeps an urgent reminder up
    settled = {"dizziness": {reduced + days(1), reduced + days(2)}}
    assert _flare(10, [], baseline=None, severe=settled) == []


# --------------------------------------------------------------------------- R4


def _r4(
    *doses: DoseInfo,
    plans: tuple[PlanInfo, ...] = (),
    planned: frozenset[int] = frozenset(),
    now: datetime = NOW,
) -> list[Reminder]:
    ctx = ctx_of(prescriptions=(daily(1, 20.0),), doses=doses, plans=plans, planned_medication_ids=planned)
    return rule_r4(ctx, now, LONDON)


def test_r4_ten_percent_off_is_inside_and_more_is_outside() -> None:
    at = utc(2026, 11, 27, 8)
    assert _r4(taken(1, at, 22.0)) == []
    assert _r4(taken(1, at, 18.0)) == []
    [reminder] = _r4(taken(1, at, 17.9))
    assert reminder.severity == "warning"
    assert reminder.key == "R4:med1:2026-11-27T08:00Z"
    assert reminder.message.startswith(
        "On Fri 27 Nov 2026 you logged 17.9 mg of sertraline, but your prescription says 20 mg."
    )
    assert len(_r4(taken(1, at, 22.1))) == 1


def test_r4_compares_with_the_current_step_of_a_running_plan() -> None:
    plan = replace(taper_plan(TODAY + days(20)), medication_id=1)  # current step: 75 mg a day since 30 Oct
    at = utc(2026, 11, 27, 8)
    assert _r4(taken(1, at, 75.0), plans=(plan,), planned=frozenset({1})) == []
    [reminder] = _r4(taken(1, at, 20.0), plans=(plan,), planned=frozenset({1}))
    assert "but the current step of your agreed plan says 75 mg" in reminder.message


def test_r4_an_extra_dose_counts_above_ten_percent_of_the_daily_dose() -> None:
    at = utc(2026, 11, 27, 10)
    assert _r4(DoseInfo(1, None, at, 2.0, "extra")) == []
    [reminder] = _r4(DoseInfo(1, None, at, 2.5, "extra"))
    assert "you logged an extra 2.5 mg of sertraline, on top of the 20 mg a day" in reminder.message


def test_r4_ignores_doses_older_than_the_lookback() -> None:
    today = taken(1, utc(2026, 11, 27, 8), 20.0)  # a recent dose, so the stop case stays quiet
    assert _r4(taken(1, utc(2026, 11, 20, 8), 5.0), today) == []
    [reminder] = _r4(taken(1, utc(2026, 11, 21, 8), 5.0), today)
    assert reminder.key == "R4:med1:2026-11-21T08:00Z"


def test_r4_no_dose_for_two_days_is_the_urgent_stop_case() -> None:
    last = NOW - days(2)
    [reminder] = _r4(taken(1, last, 20.0))
    assert (reminder.severity, reminder.key, reminder.action) == ("urgent", "R4:med1:stop", "clinician")
    assert reminder.message == (
        "No dose of sertraline has been logged since Wed 25 Nov 2026. Stopping suddenly can cause "
        "withdrawal symptoms: talk to Dr Patel first. If you took it, log it on the Today screen."
    )
    assert _r4(taken(1, last + timedelta(minutes=1), 20.0)) == []


def test_r4_a_zero_dose_without_a_plan_is_urgent_but_not_with_one() -> None:
    zero = taken(1, utc(2026, 11, 27, 8), 0.0)
    [reminder] = _r4(zero)
    assert reminder.severity == "urgent"
    assert "You logged 0 mg of sertraline on Fri 27 Nov 2026, and there is no taper plan" in reminder.message
    final = PlanInfo(9, 1, "active", "Dr Patel", (StepInfo(1, 0.0, date(2026, 11, 20), 28, "current"),))
    assert _r4(zero, plans=(final,), planned=frozenset({1})) == []


# --------------------------------------------------------------------------- R5


def _r5(
    med: MedicationInfo,
    doses: tuple[DoseInfo, ...],
    now: datetime,
    tz: ZoneInfo = LONDON,
    at: time = time(8, 0),
    start: date = date(2026, 11, 1),
) -> list[Reminder]:
    ctx = ReminderContext(
        medications=(med,), prescriptions=(daily(med.id, 20.0, at, start=start),), doses=doses
    )
    return rule_r5(ctx, now, tz)


def test_r5_two_missed_in_three_days_counts_from_six_hours_after_the_dose() -> None:
    logged = (taken(1, utc(2026, 11, 25, 8), 20.0),)  # the 26th and 27th at 08:00 are not logged
    [reminder] = _r5(SERTRALINE, logged, utc(2026, 11, 27, 14, 0))
    assert reminder.key == "R5:med1:2026-11-27T08:00Z"
    assert reminder.fingerprint == "2026-11-26T08:00Z|2026-11-27T08:00Z"
    assert reminder.message.startswith(
        "2 scheduled doses of sertraline in the last 3 days are not logged as taken (Thu 08:00, Fri 08:00)."
    )
    assert _r5(SERTRALINE, logged, utc(2026, 11, 27, 13, 59)) == []  # 5 h 59 min: only one missed yet


def test_r5_a_missed_dose_outside_the_three_days_does_not_count() -> None:
    logged = (taken(1, utc(2026, 11, 25, 8), 20.0), taken(1, utc(2026, 11, 26, 8), 20.0))
    # Missed: 24 Nov 08:00 (more than 3 days before now) and 27 Nov 08:00.
    assert _r5(SERTRALINE, logged, utc(2026, 11, 27, 14, 0)) == []


def test_r5_one_missed_dose_matters_with_a_half_life_of_24_hours_not_25() -> None:
    logged = (taken(1, utc(2026, 11, 25, 8), 20.0), taken(1, utc(2026, 11, 26, 8), 20.0))
    now = utc(2026, 11, 27, 14, 0)
    [reminder] = _r5(replace(SERTRALINE, half_life_hours=24.0), logged, now)
    assert "With a short half-life (24 hours), even one missed dose" in reminder.message
    assert _r5(replace(SERTRALINE, half_life_hours=25.0), logged, now) == []


def test_r5_a_skipped_dose_counts_the_same_as_a_missed_one() -> None:
    logged = (
        taken(1, utc(2026, 11, 25, 8), 20.0),
        DoseInfo(1, utc(2026, 11, 26, 8), None, 0.0, "skipped"),
        taken(1, utc(2026, 11, 27, 8), 20.0),
    )
    assert _r5(SERTRALINE, logged[:1] + logged[2:], utc(2026, 11, 27, 14, 0)) == []  # one missed: not yet
    logged_missing_27 = logged[:2]
    [reminder] = _r5(SERTRALINE, logged_missing_27, utc(2026, 11, 27, 14, 0))
    assert "(Thu 08:00, Fri 08:00)" in reminder.message


def test_r5_archived_medication_gets_no_missed_reminder() -> None:
    assert _r5(replace(PAROXETINE, archived=True), (), utc(2026, 11, 27, 14, 0)) == []


# --------------------------------------------------------------------------- R6


def _r6(*appointments: datetime) -> list[Reminder]:
    ctx = ctx_of(plans=(taper_plan(TODAY + days(10)),), appointments=appointments)
    return rule_r6(ctx, NOW, LONDON)


def test_r6_an_appointment_28_days_ago_is_recent_29_is_not() -> None:
    assert _r6(NOW - days(28)) == []
    [reminder] = _r6(NOW - days(29))
    assert (reminder.severity, reminder.action, reminder.key) == ("info", "clinician", "R6:plan7")
    assert (
        "no appointment is recorded in the last 28 days or booked before your next step on Mon 7 Dec 2026"
        in reminder.message
    )


def test_r6_a_booking_before_the_next_step_is_enough_after_it_is_not() -> None:
    assert _r6(NOW - days(40), NOW + days(10)) == []  # on the day of the step
    assert len(_r6(NOW - days(40), NOW + days(11))) == 1


def test_r6_only_for_an_active_plan() -> None:
    ctx = ctx_of(plans=(taper_plan(TODAY + days(10), status="agreed"),))
    assert rule_r6(ctx, NOW, LONDON) == []


# --------------------------------------------------------------------------- R7


def test_r7_draft_first_step_within_14_days_not_15() -> None:
    draft = PlanInfo(4, 2, "draft", None, (StepInfo(1, 15.0, TODAY + days(14), 28, "planned"),))
    [reminder] = rule_r7(ctx_of(plans=(draft,)), NOW, LONDON)
    assert (reminder.severity, reminder.action) == ("warning", "taper")
    assert reminder.message.startswith("Your draft taper plan for paroxetine starts on Fri 11 Dec 2026")
    later = replace(draft, steps=(StepInfo(1, 15.0, TODAY + days(15), 28, "planned"),))
    assert rule_r7(ctx_of(plans=(later,)), NOW, LONDON) == []


def test_r7_starting_without_recorded_agreement_is_blocked_with_a_reason() -> None:
    draft = PlanInfo(4, 2, "draft", None, ())
    blocked = plan_start_blocked(draft)
    assert blocked is not None and blocked.rule == "R7"
    assert blocked.message.startswith(
        "This plan cannot start yet: no agreement with a prescriber is recorded."
    )
    assert plan_start_blocked(replace(draft, status="agreed", prescriber="Dr Patel")) is None
    assert plan_start_blocked(replace(draft, status="agreed", prescriber="  ")) is not None


# --------------------------------------------------------------------------- R8


def test_r8_thoughts_of_self_harm_at_any_severity_are_urgent_with_the_crisis_text() -> None:
    [reminder] = rule_r8(ctx_of(crisis_entries=(harm(TODAY),)), NOW, LONDON)
    assert (reminder.severity, reminder.action, reminder.snooze_limit_hours) == ("urgent", "help", 24)
    assert reminder.message.startswith(
        "You logged thoughts of self-harm for Fri 27 Nov 2026. If you are in danger or thinking about "
        "harming yourself, contact your local emergency number or a crisis line now."
    )
    assert rule_r8(ctx_of(crisis_entries=(harm(TODAY, value=0),)), NOW, LONDON) == []  # 0 means none


def test_r8_mood_one_or_lower_but_not_two_and_uses_the_settings_text() -> None:
    settings = ReminderSettings(crisis_text="Call 116 123 (Samaritans).")
    [reminder] = rule_r8(
        ctx_of(crisis_entries=(low_mood(TODAY - days(1), 1),), settings=settings), NOW, LONDON
    )
    assert reminder.message.startswith("You logged a very low mood (1) for Thu 26 Nov 2026. Call 116 123")
    assert rule_r8(ctx_of(crisis_entries=(low_mood(TODAY, 2),)), NOW, LONDON) == []


def test_r8_looks_at_entries_written_in_the_last_three_days() -> None:
    assert len(rule_r8(ctx_of(crisis_entries=(harm(TODAY - days(3), NOW - days(3)),)), NOW, LONDON)) == 1
    old = harm(TODAY - days(3), NOW - days(3) - timedelta(minutes=1))
    assert rule_r8(ctx_of(crisis_entries=(old,)), NOW, LONDON) == []


# --------------------------------------------------------------------------- R9


def test_r9_lists_the_unlogged_doses_whose_time_has_come_in_time_order() -> None:
    ctx = ctx_of(
        prescriptions=(daily(1, 50.0, time(20), time(8), time(11)), daily(2, 10.0, time(9))),
        doses=(taken(1, utc(2026, 11, 27, 8), 50.0),),
    )
    reminders = rule_r9(ctx, NOW, LONDON)
    # 08:00 logged; 09:00 and 11:00 are due (within 6 h); 20:00 is not due yet
    assert [r.key for r in reminders] == ["R9:med2:2026-11-27T09:00Z", "R9:med1:2026-11-27T11:00Z"]
    assert reminders[1].message == "Due now, not logged yet: sertraline 50 mg, scheduled for 11:00."
    assert {r.severity for r in reminders} == {"info"}


def test_overlapping_prescriptions_never_add_up_the_latest_start_is_in_force() -> None:
    """The shared schedule rule (tracker.domain.schedule), as Today and Trends: no sum of the two."""
    ctx = ctx_of(prescriptions=(daily(1, 25.0, time(8), start=date(2026, 11, 1)), daily(1, 50.0, time(8))))
    [due] = rule_r9(ctx, NOW, LONDON)
    assert due.message == "Due now, not logged yet: sertraline 25 mg, scheduled for 08:00."
    assert rule_r4(replace(ctx, doses=(taken(1, utc(2026, 11, 27, 8), 25.0),)), NOW, LONDON) == []
    [differs] = rule_r4(replace(ctx, doses=(taken(1, utc(2026, 11, 27, 8), 75.0),)), NOW, LONDON)
    assert "75 mg" in differs.message and "25 mg" in differs.message
    # equal starts: the higher id wins
    tie = ctx_of(
        prescriptions=(replace(daily(1, 50.0, time(8)), id=7), replace(daily(1, 25.0, time(8)), id=3))
    )
    assert rule_r9(tie, NOW, LONDON)[0].message.startswith("Due now, not logged yet: sertraline 50 mg")


# --------------------------------------------------------------------------- R10


def test_r10_first_six_weeks_of_a_new_medication_by_the_day_the_user_started_it() -> None:
    def started(n: int) -> ReminderContext:
        med = replace(SERTRALINE, started_on=TODAY - days(n))
        return ctx_of(medications=(med,), prescriptions=(daily(1, 50.0, start=TODAY),))

    [reminder] = rule_r10(started(41), NOW, LONDON)
    assert reminder.message.startswith("You started sertraline on Sat 17 Oct 2026. These medicines can take")
    assert rule_r10(started(42), NOW, LONDON) == []


def test_r10_a_dose_increase_counts_a_decrease_does_not() -> None:
    before = daily(1, 50.0, start=date(2026, 1, 1), end=date(2026, 11, 1))
    up = ctx_of(prescriptions=(before, daily(1, 100.0, start=date(2026, 11, 2))))
    [reminder] = rule_r10(up, NOW, LONDON)
    assert reminder.message.startswith("Your sertraline dose went up to 100 mg a day on Mon 2 Nov 2026.")
    down = ctx_of(prescriptions=(before, daily(1, 25.0, start=date(2026, 11, 2))))
    assert rule_r10(down, NOW, LONDON) == []


# --------------------------------------------------------------------------- R11


def test_r11_prescription_ending_in_seven_days_not_eight() -> None:
    [reminder] = rule_r11(ctx_of(prescriptions=(daily(1, 50.0, end=TODAY + days(7)),)), NOW, LONDON)
    assert (reminder.severity, reminder.action, reminder.key) == (
        "warning",
        "medications",
        "R11:med1:2026-12-04",
    )
    assert reminder.message.startswith("Your prescription for sertraline ends on Fri 4 Dec 2026")
    assert rule_r11(ctx_of(prescriptions=(daily(1, 50.0, end=TODAY + days(8)),)), NOW, LONDON) == []


def test_r11_quiet_with_a_follow_up_prescription_or_a_plan() -> None:
    ending = daily(1, 50.0, end=TODAY + days(3))
    follow_up = daily(1, 50.0, start=TODAY + days(4))
    assert rule_r11(ctx_of(prescriptions=(ending, follow_up)), NOW, LONDON) == []
    assert rule_r11(ctx_of(prescriptions=(ending,), planned_medication_ids=frozenset({1})), NOW, LONDON) == []
    gap = daily(1, 50.0, start=TODAY + days(5))
    assert len(rule_r11(ctx_of(prescriptions=(ending, gap)), NOW, LONDON)) == 1


# --------------------------------------------------------------------------- evaluate and ordering


def test_evaluate_sorts_urgent_then_warning_then_info_then_by_rule_number() -> None:
    ctx = ctx_of(
        medications=(SERTRALINE, replace(PAROXETINE, started_on=TODAY)),  # R10
        crisis_entries=(harm(TODAY),),  # R8 urgent
        prescriptions=(daily(2, 20.0, time(11), start=TODAY, end=TODAY + days(2)),),  # R9, R11
        plans=(taper_plan(TODAY + days(1), plan_id=8, status="agreed"),),  # R1 info
    )
    reminders = evaluate(ctx, NOW, LONDON)
    # R9 before R10: rule numbers sort as numbers, not as text.
    assert rules_of(reminders) == ["R8", "R11", "R1", "R9", "R10"]
    assert evaluate(ctx, NOW, LONDON) == reminders  # deterministic


def test_every_rule_function_is_registered_in_order() -> None:
    assert list(RULES) == [f"R{i}" for i in range(1, 13)]
    assert RULES["R12"] is rule_r12


# --------------------------------------------------------------------------- dismiss and snooze


def _warning() -> Reminder:
    [reminder] = rule_r11(ctx_of(prescriptions=(daily(1, 50.0, end=TODAY + days(7)),)), NOW, LONDON)
    return reminder


def _crisis(day: date = TODAY) -> Reminder:
    [reminder] = rule_r8(ctx_of(crisis_entries=(harm(day),)), NOW, LONDON)
    return reminder


def test_a_dismissed_reminder_stays_hidden_until_its_fingerprint_changes() -> None:
    reminder = _warning()
    state = dismiss(reminder, NOW)
    assert state == DismissalState(reminder.key, reminder.fingerprint, dismissed=True)
    assert visible([reminder], [state], NOW + days(30)) == []
    changed = replace(reminder, fingerprint=reminder.fingerprint + "|new")
    assert visible([changed], [state], NOW) == [changed]


def test_a_snooze_hides_until_its_end() -> None:
    reminder = _warning()
    state = snooze(reminder, NOW + days(3), NOW)
    assert state.snoozed_until == NOW + days(3)  # not urgent: not clamped
    assert visible([reminder], [state], NOW + days(3) - timedelta(minutes=1)) == []
    assert visible([reminder], [state], NOW + days(3)) == [reminder]


def test_an_urgent_snooze_is_clamped_to_24_hours() -> None:
    flare = _flare(10, [4, 4, 4], baseline=1.0)[0]
    assert clamp_snooze(flare, NOW + days(3), NOW) == NOW + timedelta(hours=24)
    assert clamp_snooze(flare, NOW + timedelta(hours=2), NOW) == NOW + timedelta(hours=2)
    assert clamp_snooze(_warning(), NOW + days(3), NOW) == NOW + days(3)
    # A stored snooze that was never clamped is not honoured.
    unclamped = DismissalState(flare.key, flare.fingerprint, snoozed_until=NOW + days(3))
    assert visible([flare], [unclamped], NOW) == [flare]


def test_dismissing_r8_is_a_24_hour_snooze_and_never_hides_it_longer() -> None:
    crisis = _crisis()
    state = dismiss(crisis, NOW)
    assert (state.dismissed, state.snoozed_until) == (False, NOW + timedelta(hours=24))
    assert visible([crisis], [state], NOW + timedelta(hours=23, minutes=59)) == []
    assert visible([crisis], [state], NOW + timedelta(hours=24)) == [crisis]
    # A stored "dismissed" flag (an old row, an edited file) never hides an urgent reminder.
    stored = DismissalState(crisis.key, crisis.fingerprint, dismissed=True)
    assert visible([crisis], [stored], NOW) == [crisis]


# --------------------------------------------------------------------------- DST and time zones


def test_spring_forward_a_0130_dose_moves_to_0200_local() -> None:
    spring = date(2026, 3, 29)
    ctx = ReminderContext(
        medications=(PAROXETINE,), prescriptions=(daily(2, 20.0, time(1, 30), start=spring),)
    )
    [due] = rule_r9(ctx, utc(2026, 3, 29, 1, 0), LONDON)
    assert due.key == "R9:med2:2026-03-29T01:00Z"  # 02:00 BST
    assert "scheduled for 02:00" in due.message
    [soon] = rule_r9(ctx, utc(2026, 3, 29, 0, 30), LONDON)  # 00:30 GMT: half an hour before
    assert soon.message == "Coming up at 02:00: paroxetine 20 mg."
    assert rule_r5(ctx, utc(2026, 3, 29, 6, 59), LONDON) == []
    [missed] = rule_r5(ctx, utc(2026, 3, 29, 7, 0), LONDON)
    assert missed.key == "R5:med2:2026-03-29T01:00Z"
    assert "(Sun 02:00)" in missed.message


def test_fall_back_a_0130_dose_is_its_first_occurrence_once() -> None:
    fall = date(2026, 10, 25)
    slots = scheduled_doses([daily(2, 20.0, time(1, 30), start=fall)], fall, fall, LONDON)
    assert [s.scheduled_for for s in slots] == [utc(2026, 10, 25, 0, 30)]  # 01:30 BST, not 01:30 GMT
    ctx = ReminderContext(medications=(PAROXETINE,), prescriptions=(daily(2, 20.0, time(1, 30), start=fall),))
    assert rule_r5(ctx, utc(2026, 10, 25, 6, 29), LONDON) == []
    assert len(rule_r5(ctx, utc(2026, 10, 25, 6, 30), LONDON)) == 1


def test_after_a_time_zone_change_today_and_missed_doses_follow_the_new_zone() -> None:
    ctx = ReminderContext(
        medications=(PAROXETINE,), prescriptions=(daily(2, 20.0, time(8), start=date(2026, 11, 27)),)
    )
    afternoon = utc(2026, 11, 27, 15)  # 15:00 in London, 10:00 in New York
    assert [r.key for r in rule_r5(ctx, afternoon, LONDON)] == ["R5:med2:2026-11-27T08:00Z"]
    assert rule_r5(ctx, afternoon, NEW_YORK) == []  # 08:00 EST is 13:00Z: missed only from 19:00Z
    assert len(rule_r5(ctx, utc(2026, 11, 27, 19), NEW_YORK)) == 1
    assert [r.key for r in rule_r9(ctx, afternoon, NEW_YORK)] == ["R9:med2:2026-11-27T13:00Z"]  # 2 h ago
    assert rule_r9(ctx, afternoon, LONDON) == []  # 7 h after 08:00 GMT: missed, no longer due
    noon = utc(2026, 11, 27, 12, 30)  # 12:30 in London (due), 07:30 in New York (coming up)
    [london] = rule_r9(ctx, noon, LONDON)
    [new_york] = rule_r9(ctx, noon, NEW_YORK)
    assert (london.key, new_york.key) == ("R9:med2:2026-11-27T08:00Z", "R9:med2:2026-11-27T13:00Z")
    assert new_york.message == "Coming up at 08:00: paroxetine 20 mg."


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        evaluate(ctx_of(), datetime(2026, 11, 27, 12), LONDON)


# --------------------------------------------------------------------------- wording


# An instruction to change a dose, in any of the forms a message could take (DOMAIN.md "Wording":
# never an instruction to change a dose; "talk to your prescriber" is the way).
FORBIDDEN = [
    r"\b(reduce|lower|decrease|increase|raise|change|adjust|halve|double|stop|skip|cut)\s+(your|the|this|a)\s+"
    r"(dose|medicine|medication|tablets?|pills?)",
    r"\btake (more|less|fewer|an extra|another|half)\b",
    r"\b(stop|start) taking\b",
    r"\byou should (reduce|take|stop|increase|skip|lower|raise)",
    r"(^|[.!:;]\s+)(reduce|increase|lower|raise|stop|skip|halve|double|take|cut)\b",
    r"\b(reduce|increase|lower|raise) (it|to)\b",
    r"\bskip (a|the|your|tomorrow|today|one)\b",
]


def _prescribed_then_lower() -> ReminderContext:
    """Sertraline 100 mg, then 50 mg from 5 days ago (a reduction by prescription), a flare since."""
    burden = {TODAY - days(5 + i): 1 for i in range(1, 8)} | {TODAY - days(i): 5 for i in range(3)}
    return ctx_of(
        prescriptions=(
            daily(1, 100.0, start=date(2026, 1, 1), end=TODAY - days(6)),
            daily(1, 50.0, start=TODAY - days(5)),
        ),
        doses=(taken(1, utc(2026, 11, 27, 8), 30.0),),
        daily_burden=burden,
    )


def _doses_lower() -> ReminderContext:
    """Sertraline 100 mg prescribed; 80 mg logged for the last 4 days (a reduction by logged doses)."""
    burden = {TODAY - days(4 + i): 1 for i in range(1, 8)} | {TODAY - days(i): 5 for i in range(3)}
    return ctx_of(
        prescriptions=(daily(1, 100.0),),
        daily_taken={(1, TODAY - days(i)): 80.0 for i in range(1, 5)},
        daily_burden=burden,
    )


def _scenarios() -> list[tuple[ReminderContext, datetime, ZoneInfo]]:
    """Contexts that between them make every rule and every message variant and fragment appear."""
    reduced = TODAY - days(10)
    flare_burden = {reduced - days(i): 2 for i in range(1, 8)} | {TODAY: 9, TODAY - days(1): 9}
    plan = taper_plan(TODAY + days(2), last_reduction=reduced)
    draft = PlanInfo(4, 2, "draft", None, (StepInfo(1, 15.0, TODAY + days(5), 28, "planned"),))
    rich = ctx_of(
        plans=(plan, draft),
        prescriptions=(daily(1, 75.0, time(8), start=TODAY - days(20)),),
        doses=(taken(1, utc(2026, 11, 27, 8), 60.0), DoseInfo(1, None, utc(2026, 11, 27, 10), 20.0, "extra")),
        daily_burden=flare_burden,
        baseline_mean_burden=1.0,
        severe_days={"brain zaps": {TODAY, TODAY - days(1)}},
        crisis_entries=(harm(TODAY), low_mood(TODAY, 0)),
    )
    first_step = PlanInfo(3, 2, "agreed", None, (StepInfo(1, 15.0, TODAY + days(2), 28, "planned"),))
    finished = PlanInfo(5, 2, "active", None, (StepInfo(1, 10.0, TODAY - days(5), 28, "current"),))
    step_to_and_check_in = ctx_of(plans=(first_step, finished))
    # R2 without a baseline: the week before the current step (30 Oct) had a mean of 1
    before_step = {date(2026, 10, 30) - days(i): 1 for i in range(1, 8)} | {TODAY: 4}
    no_baseline = ctx_of(plans=(taper_plan(TODAY + days(2)),), daily_burden=before_step)
    archived = ctx_of(medications=(replace(SERTRALINE, archived=True),), prescriptions=(daily(1, 50.0),))
    not_taken = ctx_of(
        prescriptions=(daily(1, 50.0),),
        doses=tuple(DoseInfo(1, utc(2026, 11, 24 + i, 8), None, 0.0, "skipped") for i in range(4)),
    )
    zero = ctx_of(prescriptions=(daily(2, 20.0, time(8)),), doses=(taken(2, utc(2026, 11, 27, 8), 0.0),))
    short_half_life = ReminderContext(
        medications=(PAROXETINE,), prescriptions=(daily(2, 20.0, time(8), start=TODAY),)
    )
    missed_many = ctx_of(
        prescriptions=(daily(1, 50.0, time(8), time(20)),),
        doses=(taken(1, utc(2026, 11, 26, 8), 50.0),),
    )
    no_dose = ctx_of(prescriptions=(daily(1, 50.0),), doses=(taken(1, NOW - days(3), 50.0),))
    phq9 = ctx_of(crisis_entries=(CrisisEntry(TODAY - days(6), NOW, "phq9-item9", 2),))
    due_and_upcoming = ctx_of(prescriptions=(daily(1, 50.0, time(8), time(12, 30)),))
    starting = ctx_of(
        medications=(SERTRALINE, replace(PAROXETINE, started_on=TODAY - days(3))),
        prescriptions=(
            daily(1, 50.0, start=date(2026, 1, 1), end=TODAY - days(11)),
            daily(1, 100.0, start=TODAY - days(10), end=TODAY + days(3)),
            daily(2, 20.0, start=TODAY - days(3)),
        ),
        doses=(taken(1, utc(2026, 11, 27, 8), 100.0), taken(2, utc(2026, 11, 27, 8), 20.0)),
    )
    overdose = ctx_of(prescriptions=(daily(1, 100.0),), daily_taken={(1, TODAY): 250.0})
    return [
        (rich, NOW, LONDON),
        (step_to_and_check_in, NOW, LONDON),
        (no_baseline, NOW, LONDON),
        (_prescribed_then_lower(), NOW, LONDON),
        (_doses_lower(), NOW, LONDON),
        (archived, NOW, LONDON),
        (not_taken, NOW, LONDON),
        (zero, NOW, LONDON),
        (short_half_life, utc(2026, 11, 27, 15), LONDON),
        (missed_many, NOW, LONDON),
        (no_dose, NOW, LONDON),
        (phq9, NOW, LONDON),
        (due_and_upcoming, NOW, LONDON),
        (starting, NOW, LONDON),
        (overdose, NOW, LONDON),
    ]


def _all_reminders() -> list[Reminder]:
    found = [r for ctx, now, tz in _scenarios() for r in evaluate(ctx, now, tz)]
    found.append(plan_start_blocked(PlanInfo(4, 2, "draft", None, ())) or _warning())
    return found


def _literal_parts(template: str) -> list[str]:
    """The fixed words of a template between its placeholders (long enough to search for)."""
    return [part.strip() for part in re.split(r"{\w+}", template) if len(part.strip()) >= 6]


def test_scenarios_reach_every_rule_and_every_message_variant_and_fragment() -> None:
    """Every message any rule can produce is listed: each template's words appear in a message made."""
    reminders = _all_reminders()
    assert {r.rule for r in reminders} == set(RULES)
    messages = "\n".join(r.message for r in reminders)
    missing = [
        (key, part)
        for key, template in all_message_templates().items()
        for part in _literal_parts(template)
        if part not in messages
    ]
    assert missing == []


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_no_template_or_message_instructs_a_dose_change(pattern: str) -> None:
    reminders = _all_reminders()
    texts = (
        list(all_message_templates().values()) + [r.message for r in reminders] + [r.why for r in reminders]
    )
    offenders = [t for t in texts if re.search(pattern, t, re.IGNORECASE | re.MULTILINE)]
    assert offenders == []


@pytest.mark.parametrize(
    "bad",
    [
        "Reduce your dose to 10 mg.",
        "You should increase it to 100 mg.",
        "Take more if the symptoms are bad.",
        "Your symptoms flared: stop taking it for a day.",
        "Skip tomorrow's dose.",
        "If you feel worse, take less.",
        "Increase to 75 mg from Monday.",
        "Halve the tablets from today.",
        "Go on: double the dose.",
    ],
)
def test_forbidden_patterns_would_catch_an_instruction(bad: str) -> None:
    assert any(re.search(p, bad, re.IGNORECASE | re.MULTILINE) for p in FORBIDDEN)


def test_every_reminder_has_a_why_naming_its_rule_and_a_known_action() -> None:
    for reminder in _all_reminders():
        assert reminder.why.startswith(f"{reminder.rule} · ")
        assert len(reminder.why) > len(reminder.rule) + 10
        assert reminder.action in {"today", "taper", "clinician", "medications", "settings", "help"}
        assert reminder.message.strip()
        assert reminder.snooze_limit_hours == (24 if reminder.severity == "urgent" else None)


def test_urgent_only_for_r3_r4_stop_r8_and_r12() -> None:
    urgent = {(r.rule, r.key, r.message) for r in _all_reminders() if r.severity == "urgent"}
    assert {rule for rule, _, _ in urgent} == {"R3", "R4", "R8", "R12"}
    for rule, key, message in urgent:
        if rule == "R4":  # the stop case: no dose for days, nothing taken, 0 mg without a plan, archived
            assert "Stopping suddenly can cause withdrawal symptoms" in message, key


def test_r1_template_is_the_one_in_domain_md() -> None:
    template = all_message_templates()[("R1", "step")]
    assert template == (
        "Your next step ({from_mg} mg to {to_mg} mg) is planned for {date}. "
        "Check with {prescriber} that it still suits you before you reduce."
    )
    assert set(re.findall(r"{(\w+)}", template)) == {"from_mg", "to_mg", "date", "prescriber"}


def test_r12_says_domain_md_words() -> None:
    [reminder] = rule_r12(
        ctx_of(prescriptions=(daily(1, 100.0),), daily_taken={(1, TODAY): 250.0}), NOW, LONDON
    )
    assert (
        "If you have taken more than prescribed, contact your local poisons service, a pharmacist or "
        "emergency services now." in reminder.message
    )
