"""The safety rules of issue 13 (DOMAIN.md reminder rules and "Safety rules no setting, import or
key can relax"): one test per way round them that the issue measured, each of which failed on the
code before it, and the thresholds at and around each new limit.

Now is Fri 27 Nov 2026, 12:00 in London (GMT = UTC) unless a test says otherwise.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.cli import main
from tracker.db import Database
from tracker.domain.reminders import (
    CrisisEntry,
    DoseInfo,
    MedicationInfo,
    PlanInfo,
    PrescriptionInfo,
    Reminder,
    ReminderContext,
    ReminderSettings,
    StepInfo,
    dismiss,
    evaluate,
    rule_r2,
    rule_r3,
    rule_r4,
    rule_r5,
    rule_r8,
    rule_r9,
    rule_r10,
    rule_r11,
    rule_r12,
    snooze,
    visible,
)
from tracker.domain.safety import OVERDOSE_TEXT, URGENT_RULES, URGENT_SILENCE_LIMIT
from tracker.models import DoseEvent
from tracker.services import checkins, meds, settings, symptoms
from tracker.services import reminders_service as rs

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
SERTRALINE = MedicationInfo(1, "Sertraline", 26.0)
PAROXETINE = MedicationInfo(2, "Paroxetine", 21.0)
CITALOPRAM = MedicationInfo(3, "Citalopram", 35.0)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def rx(
    med: int,
    dose: float,
    *times: time,
    start: date = date(2026, 1, 1),
    end: date | None = None,
    ident: int = 0,
) -> PrescriptionInfo:
    return PrescriptionInfo(med, dose, tuple(times) or (time(8),), start, end, "Dr Rao", ident)


def taken(med: int, when: datetime, mg: float) -> DoseInfo:
    return DoseInfo(med, when, when, mg, "taken")


def skipped(med: int, when: datetime) -> DoseInfo:
    return DoseInfo(med, when, None, 0.0, "skipped")


def ctx(**kwargs: object) -> ReminderContext:
    return replace(ReminderContext(medications=(SERTRALINE, PAROXETINE, CITALOPRAM)), **kwargs)  # type: ignore[arg-type]


def only(reminders: list[Reminder], rule: str) -> list[Reminder]:
    return [r for r in reminders if r.rule == rule]


# ------------------------------------------------------------- urgent: 24 h at most, back when worse


def _flare_ctx(recent: int) -> ReminderContext:
    """Sertraline lowered from 100 to 50 mg 10 days ago; burden 1 a day the week before, ``recent`` since."""
    reduced = TODAY - days(10)
    burden = {reduced - days(i): 1 for i in range(1, 8)} | {TODAY - days(i): recent for i in range(3)}
    return ctx(
        prescriptions=(rx(1, 100.0, end=reduced - DAY), rx(1, 50.0, start=reduced)),
        doses=(taken(1, at(TODAY, 8), 50.0),),
        daily_burden=burden,
    )


def test_a_dismissed_flare_comes_back_when_the_burden_rises() -> None:
    """Issue: R3 dismissed at a burden of 5 stayed hidden while the burden rose to 14."""
    [flare] = rule_r3(_flare_ctx(5), NOW, LONDON)
    state = dismiss(flare, NOW)
    assert not state.dismissed and state.snoozed_until == NOW + URGENT_SILENCE_LIMIT
    assert visible([flare], [state], NOW + HOUR) == []  # the same burden: quiet for now
    [worse] = rule_r3(_flare_ctx(14), NOW + HOUR, LONDON)
    assert worse.key == flare.key
    assert visible([worse], [state], NOW + HOUR) == [worse]  # worse: back at once
    [better] = rule_r3(_flare_ctx(4), NOW + HOUR, LONDON)
    assert visible([better], [state], NOW + HOUR) == []  # not worse: stays quiet ...
    assert visible([better], [state], NOW + URGENT_SILENCE_LIMIT) == [better]  # ... for 24 hours at most


def _stopped(last_dose: datetime) -> ReminderContext:
    return ctx(prescriptions=(rx(1, 50.0),), doses=(taken(1, last_dose, 50.0),))


def test_a_dismissed_stop_case_comes_back_after_another_day_without_a_dose() -> None:
    """Issue: R4 (no dose) stayed hidden through 21 days without a dose."""
    last = at(TODAY - days(2), 8)
    [stop] = only(rule_r4(_stopped(last), NOW, LONDON), "R4")
    assert stop.key == "R4:med1:stop" and stop.severity == "urgent"
    state = dismiss(stop, NOW)
    later = NOW + timedelta(hours=19)  # 07:00 the next day: still 2 whole days since 08:00
    [same] = only(rule_r4(_stopped(last), later, LONDON), "R4")
    assert visible([same], [state], later) == []
    next_day = NOW + timedelta(hours=20)  # 08:00: three whole days without a dose
    [three] = only(rule_r4(_stopped(last), next_day, LONDON), "R4")
    assert visible([three], [state], next_day) == [three]
    # and no day count keeps it away for 21 days: after 24 hours it is back whatever
    assert visible([same], [state], NOW + URGENT_SILENCE_LIMIT) == [same]


def test_a_new_crisis_entry_brings_a_silenced_r8_back_at_once() -> None:
    first = CrisisEntry(TODAY, NOW - HOUR, "self-harm", 1)
    [crisis] = rule_r8(ctx(crisis_entries=(first,)), NOW, LONDON)
    state = snooze(crisis, NOW + days(10), NOW)
    assert state.snoozed_until == NOW + URGENT_SILENCE_LIMIT  # a 10-day snooze is cut to 24 hours
    assert visible([crisis], [state], NOW + HOUR) == []
    low = CrisisEntry(TODAY, NOW + HOUR, "low-mood", 1)
    [again] = rule_r8(ctx(crisis_entries=(first, low)), NOW + 2 * HOUR, LONDON)
    assert visible([again], [state], NOW + 2 * HOUR) == [again]


def test_a_further_dose_brings_a_silenced_overdose_back() -> None:
    def on(total: float) -> Reminder:
        [r] = rule_r12(ctx(prescriptions=(rx(1, 100.0),), daily_taken={(1, TODAY): total}), NOW, LONDON)
        return r

    state = dismiss(on(300.0), NOW)
    assert visible([on(300.0)], [state], NOW + HOUR) == []
    assert visible([on(350.0)], [state], NOW + HOUR) == [on(350.0)]


def test_every_urgent_rule_is_silenced_for_24_hours_at_most() -> None:
    found = [
        *rule_r3(_flare_ctx(5), NOW, LONDON),
        *only(rule_r4(_stopped(at(TODAY - days(3), 8)), NOW, LONDON), "R4"),
        *rule_r8(ctx(crisis_entries=(CrisisEntry(TODAY, NOW, "self-harm", 2),)), NOW, LONDON),
        *rule_r12(ctx(daily_taken={(1, TODAY): 4000.0}), NOW, LONDON),
    ]
    assert {r.rule for r in found} == {"R3", "R4", "R8", "R12"}
    assert {r.rule if r.rule != "R4" else "R4-stop" for r in found} == URGENT_RULES
    for reminder in found:
        assert reminder.severity == "urgent"
        for state in (dismiss(reminder, NOW), snooze(reminder, NOW + days(365), NOW)):
            assert visible([reminder], [state], NOW + URGENT_SILENCE_LIMIT - timedelta(minutes=1)) == []
            assert visible([reminder], [state], NOW + URGENT_SILENCE_LIMIT) == [reminder]


def test_a_non_urgent_reminder_stays_dismissed_until_its_condition_changes() -> None:
    ending = ctx(prescriptions=(rx(1, 50.0, end=TODAY + days(5)),))
    [r11] = rule_r11(ending, NOW, LONDON)
    state = dismiss(r11, NOW)
    assert state.dismissed and visible([r11], [state], NOW + days(5)) == []


# --------------------------------------------------------------------------- the 24 h limit is not a setting


def test_an_imported_snooze_limit_of_720_hours_is_ignored(db: Database) -> None:
    """Issue: an imported ``urgent_snooze_limit_hours: 720`` let a crisis reminder be snoozed for 10 days."""
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        checkins.set_checkin(session=s, day=TODAY, mood=1, now=NOW)
    stored = {"urgent_snooze_limit_hours": 720, "crisis_mood_max": 5, "crisis_recent_days": 30}
    with db.write() as s:  # as an older or edited file holds it, whatever a write accepts today
        s.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO setting (key, value) VALUES ('reminder_thresholds', ?)",
            (json.dumps(stored),),
        )
    with db.read() as s:
        assert not hasattr(rs.reminder_settings(session=s), "urgent_snooze_limit_hours")
        [r8] = [r for r in rs.active_reminders(session=s, now=NOW) if r.rule == "R8"]
    assert not hasattr(ReminderSettings(), "crisis_mood_max")
    with db.write() as s:
        until = rs.snooze_reminder(session=s, key=r8.key, now=NOW, hours=240)
    assert until == NOW + timedelta(hours=24)
    with db.read() as s:
        assert "R8" in {r.rule for r in rs.active_reminders(session=s, now=NOW + timedelta(hours=24))}
    # a mood of 5 is no crisis whatever the stored settings say
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY - DAY, mood=5, now=NOW)
    with db.read() as s:
        ctx_ = rs.gather_context(session=s, now=NOW, tz=LONDON)
    assert [e.value for e in ctx_.crisis_entries] == [1]


def test_a_stored_dismissal_of_an_urgent_reminder_does_not_hide_it(db: Database) -> None:
    """A row that says "dismissed" (from before, or edited) never silences an urgent reminder."""
    from tracker.models import ReminderState

    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=0, now=NOW)
    with db.read() as s:
        [r8] = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R8"]
        fingerprint = rs.rules.evaluate(rs.gather_context(session=s, now=NOW, tz=LONDON), NOW, LONDON)[
            0
        ].fingerprint
    with db.write() as s:
        s.add(ReminderState(key=r8.key, fingerprint=fingerprint, dismissed=True))
        s.add(ReminderState(key="unused", fingerprint="x", snoozed_until=NOW + days(30)))
    with db.read() as s:
        assert "R8" in {r.rule for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}


# --------------------------------------------------------------------------- R12 possible overdose


def test_a_4000_mg_dose_logged_with_force_is_a_possible_overdose(db: Database) -> None:
    """Issue: ``tracker log dose sertraline 4000mg --force`` got only an R4 warning."""
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=50, times=[time(8)], start_date=date(2026, 1, 1)
        )
        s.add(
            DoseEvent(
                medication_id=med.id or 0,
                day=TODAY,
                scheduled_for=at(TODAY, 8),
                taken_at=at(TODAY, 8),
                amount_mg=4000,
            )
        )
    with db.read() as s:
        found = rs.active_reminders(session=s, now=NOW, tz=LONDON)
    assert found[0].rule == "R12" and found[0].severity == "urgent"
    assert OVERDOSE_TEXT in found[0].message
    assert "4000 mg in a day is above the licensed maximum of 200 mg a day" in found[0].message


@pytest.mark.parametrize(
    ("medication", "total", "fires"),
    [
        (SERTRALINE, 200.0, False),  # at the licensed maximum (200 mg): not above it
        (SERTRALINE, 200.5, True),
        (CITALOPRAM, 40.0, False),  # citalopram 40 mg
        (CITALOPRAM, 40.5, True),
        (PAROXETINE, 62.5, False),  # paroxetine 62.5 mg (controlled-release)
        (PAROXETINE, 63.0, True),
    ],
)
def test_r12_at_and_just_above_the_licensed_maximum(
    medication: MedicationInfo, total: float, fires: bool
) -> None:
    # prescribed at the maximum, so twice the prescription is never the reason here
    big = {1: 200.0, 2: 62.5, 3: 40.0}[medication.id]
    c = ctx(prescriptions=(rx(medication.id, big),), daily_taken={(medication.id, TODAY): total})
    found = rule_r12(c, NOW, LONDON)
    assert bool(found) is fires
    if fires:
        assert "above the licensed maximum" in found[0].message


@pytest.mark.parametrize(("total", "fires"), [(100.0, False), (100.5, True)])
def test_r12_at_and_just_above_twice_the_prescribed_daily_dose(total: float, fires: bool) -> None:
    c = ctx(prescriptions=(rx(1, 25.0, time(8), time(20)),), daily_taken={(1, TODAY): total})  # 50 mg a day
    found = rule_r12(c, NOW, LONDON)
    assert bool(found) is fires
    if fires:
        assert "more than twice the prescribed 50 mg" in found[0].message


def test_r12_looks_at_today_and_yesterday_only() -> None:
    c = ctx(prescriptions=(rx(1, 50.0),), daily_taken={(1, TODAY - DAY): 300.0, (1, TODAY - days(2)): 300.0})
    assert [r.key for r in rule_r12(c, NOW, LONDON)] == ["R12:med1:2026-11-26"]


# --------------------------------------------------------------------------- R3 on every kind of reduction


def test_a_reduction_by_a_new_lower_prescription_is_watched_for_a_flare() -> None:
    """Issue: R3 only looked at plan steps; a new, lower prescription never triggered it."""
    [flare] = rule_r3(_flare_ctx(5), NOW, LONDON)
    assert flare.severity == "urgent" and flare.key == "R3:med1:2026-11-17"
    assert "since your prescription of Sertraline was lowered on Tue 17 Nov 2026" in flare.message


def test_a_reduction_through_the_service_without_any_plan(db: Database) -> None:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=100, times=[time(8)], start_date=date(2026, 1, 1)
        )
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=75, times=[time(8)], start_date=TODAY - days(5)
        )
        zaps = symptoms.find_symptom(session=s, name="brain zaps").id or 0
        for d in (TODAY - DAY, TODAY):
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=d, severity=3, now=NOW)
    with db.read() as s:
        [r3] = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R3"]
    assert r3.severity == "urgent" and "was lowered on Sun 22 Nov 2026" in r3.message


def _logged(totals: dict[int, float], prescribed: float = 100.0) -> ReminderContext:
    """``totals`` by days back; burden 1 a day the week before, 5 on the last three days."""
    burden = {TODAY - days(10 + i): 1 for i in range(7)} | {TODAY - days(i): 5 for i in range(3)}
    return ctx(
        prescriptions=(rx(1, prescribed),),
        daily_taken={(1, TODAY - days(n)): mg for n, mg in totals.items()},
        daily_burden=burden,
    )


def test_doses_logged_ten_percent_lower_for_three_days_are_a_reduction() -> None:
    [flare] = rule_r3(_logged({4: 90.0, 3: 90.0, 2: 90.0, 1: 90.0}), NOW, LONDON)
    assert flare.key == "R3:med1:2026-11-23"  # the first of the lower days
    assert "since the Sertraline you logged became lower than prescribed on Mon 23 Nov 2026" in flare.message


@pytest.mark.parametrize(
    "totals",
    [
        {3: 91.0, 2: 91.0, 1: 91.0},  # 9% lower: not a reduction
        {2: 90.0, 1: 90.0},  # two days only
        {3: 90.0, 2: 100.0, 1: 90.0},  # not in a row
    ],
)
def test_doses_not_lower_enough_or_long_enough_are_no_reduction(totals: dict[int, float]) -> None:
    assert rule_r3(_logged(totals), NOW, LONDON) == []


def test_doses_lower_under_a_running_plan_are_the_plan_s_business() -> None:
    plan = PlanInfo(
        9, 1, "active", "Dr Rao", (StepInfo(1, 100.0, date(2026, 11, 1), 28, "current", date(2026, 11, 1)),)
    )
    assert rule_r3(replace(_logged({3: 90.0, 2: 90.0, 1: 90.0}), plans=(plan,)), NOW, LONDON) == []


# --------------------------------------------------------------------------- after a completed plan


def _completed_then_restarted() -> ReminderContext:
    """A paroxetine taper completed in October (last step 0 mg); restarted at 20 mg on 1 Nov, ending 1 Dec."""
    steps = (
        StepInfo(1, 20.0, date(2026, 8, 1), 28, "done", date(2026, 8, 1)),
        StepInfo(2, 10.0, date(2026, 9, 1), 28, "done", date(2026, 9, 1)),
        StepInfo(3, 0.0, date(2026, 10, 1), 28, "done", date(2026, 10, 1)),
    )
    plan = PlanInfo(4, 2, "completed", "Dr Rao", steps, last_reduction=date(2026, 10, 1))
    return ctx(
        plans=(plan,),
        prescriptions=(
            rx(2, 20.0, start=date(2026, 8, 1), end=date(2026, 8, 31)),
            rx(2, 10.0, start=date(2026, 9, 1), end=date(2026, 9, 30)),
            rx(2, 20.0, start=date(2026, 11, 1), end=date(2026, 12, 1)),
        ),
        doses=(taken(2, at(TODAY - days(3), 8), 20.0),),
    )


def test_a_completed_plan_does_not_silence_a_restarted_medicine() -> None:
    """Issue: restarted after a completed plan and stopped, R4's stop case and R11 never fired."""
    found = evaluate(_completed_then_restarted(), NOW, LONDON)
    assert "R4:med2:stop" in {r.key for r in found}
    assert "R11:med2:2026-12-01" in {r.key for r in found}


def test_a_completed_plan_still_covers_its_own_end() -> None:
    """While nothing was prescribed after it, the plan's own 0 mg end is no unplanned stop."""
    c = _completed_then_restarted()
    ended = replace(c, prescriptions=c.prescriptions[:2], doses=(taken(2, at(date(2026, 9, 30), 8), 10.0),))
    zero = replace(ended, doses=(DoseInfo(2, None, at(TODAY, 8), 0.0, "taken"),))
    assert [r for r in evaluate(ended, NOW, LONDON) if r.rule in ("R4", "R11")] == []
    assert [r for r in rule_r4(zero, NOW, LONDON) if r.severity == "urgent"] == []


# --------------------------------------------------------------------------- skipped counts as missed


def test_one_skipped_paroxetine_dose_is_a_missed_dose() -> None:
    """Issue: a dose marked skipped did not count for R5 or R4; one skipped paroxetine dose said nothing."""
    c = ctx(prescriptions=(rx(2, 20.0, start=TODAY),), doses=(skipped(2, at(TODAY, 8)),))
    [r5] = rule_r5(c, at(TODAY, 9), LONDON)  # at once: no need to wait 6 hours for a skipped dose
    assert "A scheduled dose of Paroxetine (Fri 08:00) is not logged as taken" in r5.message
    assert "short half-life (21 hours)" in r5.message


def test_skipped_doses_do_not_reset_the_days_without_a_dose() -> None:
    last = at(TODAY - days(3), 8)
    c = ctx(
        prescriptions=(rx(1, 50.0),),
        doses=(taken(1, last, 50.0), skipped(1, at(TODAY - days(2), 8)), skipped(1, at(TODAY - DAY, 8))),
    )
    [stop] = [r for r in rule_r4(c, NOW, LONDON) if r.key == "R4:med1:stop"]
    assert "No dose of Sertraline has been logged since Tue 24 Nov 2026" in stop.message


def test_only_skipped_doses_logged_for_two_days_is_the_stop_case() -> None:
    c = ctx(
        prescriptions=(rx(1, 50.0),),
        doses=(skipped(1, at(TODAY - days(2), 8)), skipped(1, at(TODAY - DAY, 8))),
    )
    assert [r.key for r in rule_r4(c, at(TODAY - days(2), 8) + days(2), LONDON)] == ["R4:med1:stop"]
    assert rule_r4(c, at(TODAY - days(2), 8) + days(2) - timedelta(minutes=1), LONDON) == []


# --------------------------------------------------------------------------- R8 by when it was written


def test_a_self_harm_rating_backfilled_six_days_back_and_written_today_fires(db: Database) -> None:
    """Issue: a self-harm rating backfilled 3 or more days back never showed R8."""
    with db.write() as s:
        harm = symptoms.find_symptom(session=s, name="thoughts of self-harm").id or 0
        symptoms.rate_symptom(session=s, symptom_id=harm, day=TODAY - days(6), severity=1, now=NOW - HOUR)
    with db.read() as s:
        [r8] = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R8"]
    assert r8.severity == "urgent" and "You logged thoughts of self-harm for Sat 21 Nov 2026" in r8.message


@pytest.mark.parametrize(
    ("written", "fires"),
    [
        (NOW, True),  # written today, for 6 days back
        (NOW - days(3), True),  # exactly 3 days ago
        (NOW - days(3) - timedelta(minutes=1), False),
        (NOW + timedelta(minutes=1), False),  # not written yet at ``now``
    ],
)
def test_r8_counts_an_entry_for_any_day_written_in_the_last_three_days(
    written: datetime, fires: bool
) -> None:
    entry = CrisisEntry(TODAY - days(6), written, "self-harm", 1)
    assert bool(rule_r8(ctx(crisis_entries=(entry,)), NOW, LONDON)) is fires


def test_r8_reads_mood_entries_by_when_they_were_written(db: Database) -> None:
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY - days(9), mood=1, now=NOW - days(4))  # written 4 days ago
        checkins.set_checkin(session=s, day=TODAY - days(8), mood=2, now=NOW)  # not low enough
    with db.read() as s:
        assert "R8" not in {r.rule for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}
    with db.write() as s:  # corrected today: written now
        checkins.set_checkin(session=s, day=TODAY - days(9), mood=0, now=NOW)
    with db.read() as s:
        [r8] = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R8"]
    assert "a very low mood (0) for Wed 18 Nov 2026" in r8.message


def test_phq9_item_9_above_zero_is_a_crisis_entry() -> None:
    [r8] = rule_r8(ctx(crisis_entries=(CrisisEntry(TODAY, NOW, "phq9-item9", 1),)), NOW, LONDON)
    assert "PHQ-9 question 9" in r8.message
    assert rule_r8(ctx(crisis_entries=(CrisisEntry(TODAY, NOW, "phq9-item9", 0),)), NOW, LONDON) == []


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, _ = capsys.readouterr()
    return code, out


def test_the_command_line_prints_the_crisis_text_for_a_mood_of_1_and_a_self_harm_rating(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue: a check-in with mood 1 from the command line printed no crisis text."""
    dbp = str(tmp_path / "t.db")
    help_text = "If you are in danger or thinking about harming yourself"
    code, out = _cli(capsys, "log", "checkin", "--mood", "1", "--day", "-6", "--db", dbp)
    assert code == 0 and help_text in out
    code, out = _cli(capsys, "log", "checkin", "--mood", "2", "--db", dbp)
    assert code == 0 and help_text not in out
    code, out = _cli(capsys, "log", "symptom", "self-harm-thoughts", "1", "--day", "-6", "--db", dbp)
    assert code == 0 and help_text in out
    code, out = _cli(capsys, "log", "symptom", "self-harm-thoughts", "0", "--db", dbp)
    assert code == 0 and help_text not in out


# --------------------------------------------------------------------------- R9 only when the time has come


def _r9(now: datetime) -> list[Reminder]:
    return rule_r9(ctx(prescriptions=(rx(1, 50.0, time(8)),)), now, LONDON)


def test_a_dose_at_08_00_is_not_listed_from_midnight() -> None:
    """Issue: R9 listed a dose due at 08:00 from midnight on."""
    assert _r9(at(TODAY, 0, 0)) == []
    assert _r9(at(TODAY, 6, 59)) == []  # more than an hour before


def test_r9_one_minute_before_at_and_until_missed() -> None:
    [soon] = _r9(at(TODAY, 7, 59))
    assert soon.message == "Coming up at 08:00: Sertraline 50 mg."
    [at_start] = _r9(at(TODAY, 7, 0))
    assert at_start.message == soon.message  # the hour before begins at 07:00
    [due] = _r9(at(TODAY, 8, 0))
    assert due.message == "Due now, not logged yet: Sertraline 50 mg, scheduled for 08:00."
    assert len(_r9(at(TODAY, 13, 59))) == 1
    assert _r9(at(TODAY, 14, 0)) == []  # 6 hours on it counts as missed (R5), no longer due


def test_a_late_evening_dose_is_still_due_after_midnight() -> None:
    [due] = rule_r9(ctx(prescriptions=(rx(1, 50.0, time(22)),)), at(TODAY, 1), LONDON)
    assert due.key == "R9:med1:2026-11-26T22:00Z" and "scheduled for Thu 22:00" in due.message


# --------------------------------------------------------------------------- R10 by the day the user started


def test_a_long_term_user_is_not_told_they_started_today(db: Database) -> None:
    """Issue: R10 said "You started sertraline today" to a long-term user on first run."""
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)  # "since" left blank
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=100, times=[time(8)], start_date=TODAY
        )
    with db.read() as s:
        assert "R10" not in {r.rule for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}


def test_r10_follows_the_day_the_user_started(db: Database) -> None:
    with db.write() as s:
        med = meds.create_medication(
            session=s, name="Sertraline", strength_mg=50, started_on=TODAY - days(20)
        )
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=50, times=[time(8)], start_date=TODAY
        )
    with db.read() as s:
        [r10] = [r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON) if r.rule == "R10"]
    assert r10.message.startswith("You started Sertraline on Sat 7 Nov 2026.")
    with db.write() as s:
        meds.update_medication(session=s, medication_id=med.id or 0, started_on=date(2024, 3, 1))
    with db.read() as s:
        assert "R10" not in {r.rule for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}


def test_no_starting_out_note_after_a_step_back() -> None:
    """Issue: R10 said "several weeks to settle" after a step back (a return to an earlier dose)."""
    history = (
        rx(1, 100.0, start=date(2026, 1, 1), end=date(2026, 10, 31)),
        rx(1, 75.0, start=date(2026, 11, 1), end=date(2026, 11, 19)),
        rx(1, 100.0, start=date(2026, 11, 20)),  # back to the earlier dose
    )
    assert rule_r10(ctx(prescriptions=history), NOW, LONDON) == []
    titration = (
        rx(1, 50.0, start=date(2026, 1, 1), end=date(2026, 11, 19)),
        rx(1, 100.0, start=date(2026, 11, 20)),
    )
    [up] = rule_r10(ctx(prescriptions=titration), NOW, LONDON)
    assert up.message.startswith("Your Sertraline dose went up to 100 mg a day on Fri 20 Nov 2026.")


def test_med_add_since_stores_the_start_and_bad_dates_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    dbp = str(tmp_path / "t.db")
    code, out = _cli(
        capsys, "med", "add", "Sertraline", "--strength", "50mg", "--since", "2024-03-01", "--db", dbp
    )
    assert code == 0 and "taking it since 2024-03-01" in out
    code, out = _cli(capsys, "med", "list", "--json", "--db", dbp)
    assert code == 0 and json.loads(out)[0]["started_on"] == "2024-03-01"
    for bad in ("2999-01-01", "yesterdayish", "1900-01-01"):
        assert main(["med", "add", "Citalopram", "--strength", "20mg", "--since", bad, "--db", dbp]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    conn = sqlite3.connect(dbp)
    try:
        assert conn.execute("SELECT name, started_on FROM medication").fetchall() == [
            ("Sertraline", "2024-03-01")
        ]
    finally:
        conn.close()


# --------------------------------------------------------------------------- R2 without a baseline


def test_r2_without_a_baseline_compares_with_the_week_before_the_current_step() -> None:
    """Issue: R2 was silently off when no baseline was recorded."""
    steps = (
        StepInfo(1, 100.0, date(2026, 10, 1), 28, "done", date(2026, 10, 1)),
        StepInfo(2, 75.0, date(2026, 11, 1), 28, "current", date(2026, 11, 1)),
        StepInfo(3, 50.0, TODAY + days(2), 28, "planned"),
    )
    plan = PlanInfo(7, 1, "active", "Dr Rao", steps)
    before = {date(2026, 11, 1) - days(i): 1 for i in range(1, 8)}  # mean 1 before the step began

    def r2(recent: int) -> list[Reminder]:
        burden = before | {TODAY - days(i): recent for i in range(7)}
        return rule_r2(ctx(plans=(plan,), daily_burden=burden), NOW, LONDON)

    assert r2(3) == []  # 3 is not above 1 + 2
    [warning] = r2(4)
    assert (
        "your mean daily symptom burden was 4.0, against 1.0 in the week before your current step began"
        in (warning.message)
    )


def test_r2_reads_the_week_before_a_step_that_began_long_ago(db: Database) -> None:
    from tracker.services import taper as svc

    began = datetime(2026, 9, 1, 12, tzinfo=UTC)
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(
            session=s, name="Sertraline", strength_mg=50, tablet_fractions="1,0.5,0.25"
        )
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=50, times=[time(8)], start_date=date(2026, 1, 1)
        )
        draft = svc.calculate_draft(
            svc.draft_inputs(session=s, medication_id=med.id or 0, today=began.date()),
            method="manual",
            start_date=began.date(),
            doses=(50, 37.5),
        )
        plan_id = svc.save_draft(session=s, medication_id=med.id or 0, draft=draft, now=began).id
        svc.update_step(session=s, plan_id=plan_id, order=2, planned_start=TODAY + days(2), now=began)
        svc.agree_plan(
            session=s, plan_id=plan_id, prescriber="Dr Rao", agreed_on=began.date(), now=began, tz=LONDON
        )
        svc.start_plan(session=s, plan_id=plan_id, now=began, tz=LONDON)
        zaps = symptoms.find_symptom(session=s, name="brain zaps").id or 0
        for back in range(1, 8):  # the week before 1 Sep: mildly, 1 a day
            symptoms.rate_symptom(
                session=s, symptom_id=zaps, day=date(2026, 9, 1) - days(back), severity=1, now=NOW
            )
        for back in range(3):
            symptoms.rate_symptom(session=s, symptom_id=zaps, day=TODAY - days(back), severity=2, now=NOW)
        dizzy = symptoms.find_symptom(session=s, name="dizziness").id or 0
        for back in range(3):
            symptoms.rate_symptom(session=s, symptom_id=dizzy, day=TODAY - days(back), severity=2, now=NOW)
    with db.read() as s:
        found = {r.rule: r for r in rs.active_reminders(session=s, now=NOW, tz=LONDON)}
    assert "against 1.0 in the week before your current step began" in found["R2"].message


# --------------------------------------------------------------------------- archiving


def test_archiving_a_medication_with_a_current_prescription_gives_the_stop_message(db: Database) -> None:
    """Issue: archiving a medication that still had a current prescription silenced every reminder."""
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=50, times=[time(8)], start_date=date(2026, 1, 1)
        )
        meds.set_archived(session=s, medication_id=med.id or 0, confirmed=True)
    with db.read() as s:
        found = rs.active_reminders(session=s, now=NOW, tz=LONDON)
    assert [(r.rule, r.severity, r.key) for r in found] == [("R4", "urgent", f"R4:med{med.id}:archived")]
    assert rs.rules.archive_stop_message("Sertraline", None) == found[0].message
    assert (
        "Stopping suddenly can cause withdrawal symptoms: talk to your prescriber first." in found[0].message
    )
    with db.write() as s:  # the prescription ended: nothing more to say
        rx_row = meds.prescription_on(session=s, medication_id=med.id or 0, day=TODAY)
        assert rx_row is not None
        rx_row.end_date = TODAY - DAY
        s.add(rx_row)
    with db.read() as s:
        assert rs.active_reminders(session=s, now=NOW, tz=LONDON) == []


# ----------------------------------------------------------------- migration 0004_medication_started


def test_the_start_date_migration_keeps_every_medication_and_knows_no_start(tmp_path: Path) -> None:
    import shutil
    import sqlite3

    from tracker.db import open_database, schema_revision
    from tracker.migrations import HEAD, REVISIONS

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "schema_0002_query_indexes.db"
    copy = tmp_path / "tracker.db"
    shutil.copyfile(fixture, copy)
    columns = "id, name, brand, drug_class, form, strength_mg, half_life_hours, archived, created_at"
    with sqlite3.connect(copy) as conn:
        before = conn.execute(f"SELECT {columns} FROM medication ORDER BY id").fetchall()
        checkins_before = conn.execute("SELECT count(*) FROM checkin").fetchone()[0]
    open_database(copy).close()
    assert "0004_medication_started" in REVISIONS and schema_revision(copy) == HEAD
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute(f"SELECT {columns} FROM medication ORDER BY id").fetchall() == before
        assert conn.execute("SELECT DISTINCT started_on FROM medication").fetchall() == [(None,)]  # unknown
        assert conn.execute("SELECT count(*) FROM checkin").fetchone()[0] == checkins_before
        indexes = {row[1] for row in conn.execute("PRAGMA index_list('checkin')")}
        assert "ix_checkin_logged_at" in indexes
    finally:
        conn.close()
    assert len(before) == 2
