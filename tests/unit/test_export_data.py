"""Summary data (tracker.export.data) on a small history whose numbers are worked out by hand.

The history (UTC, paroxetine, half-life 21 h, one dose a day at 08:00):
  1 Mar  20 mg prescribed from today; taken 08:10 (on time)
  2 Mar  taken 10:30 (late: more than 2 h after 08:00)
  3 Mar  skipped
  4 Mar  nothing logged (missed)      } a run of 2 missed doses
  5 Mar  nothing logged (missed)      }
  6 Mar  10 mg from today, with no plan (an unplanned reduction); taken
  7 Mar  taken 15 mg (50% over the 10 mg prescribed)
  8 Mar  taken; "now" is 8 Mar 20:00
Baseline check-ins on 26 and 27 Feb: dizziness 0 and 1 (baseline 0.5), mood 6 and 8, sleep 7 and 8.
Symptoms: dizziness 2, 3, 1 on 6-8 Mar; nausea 0 on 7 Mar; thoughts of self-harm 1 on 7 Mar.
Check-ins: 6 Mar mood 5 sleep 7; 7 Mar mood 1 sleep 5 "Bad day"; 8 Mar mood 4 sleep 6.5.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from tracker.db import Database, open_database
from tracker.domain.trends import DoseChangeKind
from tracker.export import data
from tracker.models import TaperPlan, TaperStep
from tracker.services import checkins, doses, meds, symptoms

UTC_ZONE = ZoneInfo("UTC")
D = date.fromisoformat
NOW = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
START, END = D("2026-03-01"), D("2026-03-08")


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day} {clock}").replace(tzinfo=UTC)


def build_history(session: Session) -> int:
    """Write the history described in the module docstring; return the medication id."""
    med = meds.create_medication(session=session, name="Paroxetine", strength_mg=20, half_life_hours=21)
    med_id = med.id or 0
    meds.set_prescription(
        session=session, medication_id=med_id, dose_mg=20, times=[time(8)], start_date=START
    )
    meds.set_prescription(
        session=session, medication_id=med_id, dose_mg=10, times=[time(8)], start_date=D("2026-03-06")
    )

    def log(day: str, clock: str, **kw: object) -> None:
        doses.log_dose(
            session=session, medication_id=med_id, taken_at=at(day, clock), now=NOW, tz=UTC_ZONE, **kw
        )  # type: ignore[arg-type]

    log("2026-03-01", "08:10")
    log("2026-03-02", "10:30")
    log("2026-03-03", "08:00", skipped=True)
    log("2026-03-06", "08:00")
    log("2026-03-07", "08:05", amount_mg=15)
    log("2026-03-08", "08:00")

    dizzy = symptoms.find_symptom(session=session, name="dizziness").id or 0
    nausea = symptoms.find_symptom(session=session, name="nausea").id or 0
    crisis = symptoms.find_symptom(session=session, name="self-harm").id or 0
    for day, severity in (("2026-02-26", 0), ("2026-02-27", 1), ("2026-03-06", 2), ("2026-03-08", 1)):
        symptoms.rate_symptom(session=session, symptom_id=dizzy, day=D(day), severity=severity, now=NOW)
    symptoms.rate_symptom(
        session=session,
        symptom_id=dizzy,
        day=D("2026-03-07"),
        severity=3,
        note="worse when standing",
        now=NOW,
    )
    symptoms.rate_symptom(session=session, symptom_id=nausea, day=D("2026-03-07"), severity=0, now=NOW)
    symptoms.rate_symptom(session=session, symptom_id=crisis, day=D("2026-03-07"), severity=1, now=NOW)
    for day, mood, sleep, note, baseline in (
        ("2026-02-26", 6, 7.0, None, True),
        ("2026-02-27", 8, 8.0, None, True),
        ("2026-03-06", 5, 7.0, None, False),
        ("2026-03-07", 1, 5.0, "Bad day", False),
        ("2026-03-08", 4, 6.5, None, False),
    ):
        checkins.set_checkin(
            session=session,
            day=D(day),
            mood=mood,
            sleep_hours=sleep,
            note=note,
            is_baseline=baseline,
            now=NOW,
        )
    return med_id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The history written once (creating a database runs the migrations, which takes a while)."""
    path = tmp_path_factory.mktemp("template") / "t.db"
    database = open_database(path)
    with database.write() as session:
        build_history(session)
    database.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "t.db"
    shutil.copy(template, copy)
    database = open_database(copy)
    yield database
    database.close()


@pytest.fixture
def summary(db: Database) -> data.SummaryData:
    with db.read() as session:
        return data.gather(session=session, start=START, end=END, now=NOW, tz=UTC_ZONE)


def test_adherence_counts_each_outcome(summary: data.SummaryData) -> None:
    a = summary.adherence
    assert (a.scheduled, a.taken, a.late, a.skipped, a.missed, a.pending) == (8, 5, 1, 1, 2, 0)


def test_missed_run_of_two_is_listed(summary: data.SummaryData) -> None:
    assert len(summary.missed_runs) == 1
    run = summary.missed_runs[0]
    assert (run.medication, run.run.length) == ("Paroxetine", 2)
    assert (run.run.start, run.run.last) == (at("2026-03-04", "08:00"), at("2026-03-05", "08:00"))


def test_short_half_life_misses_name_the_days(summary: data.SummaryData) -> None:
    assert [(s.medication, s.half_life_hours, s.days) for s in summary.short_half_life] == [
        ("Paroxetine", 21.0, (D("2026-03-04"), D("2026-03-05")))
    ]


def test_off_prescription_dose_is_listed(summary: data.SummaryData) -> None:
    assert [(o.day, o.amount_mg, o.prescribed_mg) for o in summary.off_prescription] == [
        (D("2026-03-07"), 15, 10)
    ]


def test_dose_changes_and_unplanned_reduction(summary: data.SummaryData) -> None:
    kinds = [
        (c.change.day, c.change.kind, c.change.from_mg, c.change.to_mg, c.planned) for c in summary.changes
    ]
    assert kinds == [
        (D("2026-03-01"), DoseChangeKind.START, 0.0, 20.0, False),
        (D("2026-03-06"), DoseChangeKind.REDUCTION, 20.0, 10.0, False),
    ]
    assert [c.change.day for c in summary.unplanned_changes] == [D("2026-03-06")]  # a start is never flagged


def test_symptom_table_against_baseline(summary: data.SummaryData) -> None:
    rows = {r.name: r.summary for r in summary.symptoms}
    assert set(rows) == {"Dizziness or vertigo", "Nausea"}  # the crisis item is reported apart
    dizzy = rows["Dizziness or vertigo"]
    assert (dizzy.days_logged, dizzy.days_present, dizzy.worst) == (3, 3, 3)
    assert dizzy.mean == pytest.approx(2.0)
    assert dizzy.baseline == pytest.approx(0.5)
    assert dizzy.change == pytest.approx(1.5)
    nausea = rows["Nausea"]
    assert (nausea.days_logged, nausea.days_present, nausea.mean, nausea.baseline) == (1, 0, 0.0, None)


def test_crisis_and_low_mood_days(summary: data.SummaryData) -> None:
    assert summary.crisis_days == (D("2026-03-07"),)
    assert summary.low_mood_days == (D("2026-03-07"),)
    assert summary.crisis_text.startswith("If you are in danger")


def test_mood_and_sleep_with_baseline(summary: data.SummaryData) -> None:
    m = summary.mood_sleep
    assert (m.mood_days, m.mood_lowest, m.sleep_days, m.sleep_shortest) == (3, 1, 3, 5.0)
    assert m.mood_mean == pytest.approx(10 / 3)
    assert m.sleep_mean == pytest.approx(18.5 / 3)
    assert (m.mood_baseline, m.sleep_baseline) == (pytest.approx(7.0), pytest.approx(7.5))


def test_chart_series_follow_the_trends_rules(summary: data.SummaryData) -> None:
    chart = summary.chart
    assert chart.doses[0].values == (20.0,) * 5 + (10.0,) * 3
    # burden sums every rating of the day, the crisis item included (as on the Trends screen):
    # 7 Mar = dizziness 3 + nausea 0 + self-harm 1; a day not logged is None, never 0
    assert chart.burden == (None, None, None, None, None, 2.0, 4.0, 1.0)
    assert chart.burden_mean[-1] == pytest.approx(7 / 3)
    assert chart.change_days == (D("2026-03-01"), D("2026-03-06"))


def test_weeks_start_on_monday_and_clip_to_the_period(summary: data.SummaryData) -> None:
    weeks = summary.weeks
    assert [w.monday for w in weeks] == [D("2026-02-23"), D("2026-03-02")]
    assert weeks[0].burden is None  # 1 Mar (a Sunday) has no symptoms; February is outside the period
    assert weeks[1].burden == pytest.approx(7 / 3)
    assert weeks[1].mood == pytest.approx(10 / 3)
    first, second = weeks[0].adherence, weeks[1].adherence
    assert first is not None and second is not None
    assert (first.scheduled, first.taken) == (1, 1)
    assert (second.scheduled, second.taken, second.late, second.skipped, second.missed) == (7, 4, 1, 1, 2)
    assert [name for name, _ in summary.weekly_symptoms.rows] == ["Dizziness or vertigo"]  # nausea never > 0


def test_weekly_symptom_means_come_from_the_weeks_ratings(summary: data.SummaryData) -> None:
    """Per week, the mean of the days rated (issue 18: SQL GROUP BY symptom and week): dizziness
    3 days in the week of 2 March, mean 2; the week of 23 February holds only 1 March, unrated."""
    ((name, means),) = summary.weekly_symptoms.rows
    assert name == "Dizziness or vertigo"
    assert means == (None, 2.0)


def test_response_after_the_reduction(summary: data.SummaryData) -> None:
    (row,) = summary.responses
    r = row.response
    assert r.mean_before == pytest.approx(0.5)  # 26 and 27 Feb, inside the 14 days before 6 Mar
    assert (r.logged_before, r.logged_after) == (2, 3)
    assert r.mean_after == pytest.approx(7 / 3)
    # rise: 4 >= 0.5 + 2 on day 1, the peak; the 3-day mean 7/3 never comes back to 0.5 + 1
    assert (r.days_to_rise, r.days_to_peak, r.peak_burden, r.days_to_return) == (1, 1, 4.0, None)
    assert row.rose


def test_notes_come_in_day_order_with_their_source(summary: data.SummaryData) -> None:
    assert [(n.day, n.source, n.text) for n in summary.notes] == [
        (D("2026-03-07"), "check-in", "Bad day"),
        (D("2026-03-07"), "symptom: Dizziness or vertigo", "worse when standing"),
    ]


def test_a_change_matching_an_agreed_plan_step_is_planned(db: Database) -> None:
    with db.write() as session:
        med = meds.find_medication(session=session, name="paroxetine")
        plan = TaperPlan(
            medication_id=med.id or 0,
            status="active",
            prescriber="Dr Lee",
            agreed_on=D("2026-02-20"),
            created_at=datetime(2026, 2, 13, 9, 0, tzinfo=UTC),
        )
        session.add(plan)
        session.flush()
        session.add(TaperStep(plan_id=plan.id or 0, order=1, dose_mg=10, planned_start=D("2026-03-04")))
    with db.read() as session:
        summary = data.gather(session=session, start=START, end=END, now=NOW, tz=UTC_ZONE)
    reduction = summary.changes[1]
    assert (reduction.planned, reduction.step_order) == (True, 1)  # 2 days from the planned start, same dose
    assert summary.unplanned_changes == ()
    assert summary.plans[0].prescriber == "Dr Lee"


def test_a_draft_plan_does_not_make_a_change_planned(db: Database) -> None:
    with db.write() as session:
        med = meds.find_medication(session=session, name="paroxetine")
        plan = TaperPlan(medication_id=med.id or 0, status="draft")
        session.add(plan)
        session.flush()
        session.add(TaperStep(plan_id=plan.id or 0, order=1, dose_mg=10, planned_start=D("2026-03-06")))
    with db.read() as session:
        summary = data.gather(session=session, start=START, end=END, now=NOW, tz=UTC_ZONE)
    assert summary.changes[1].planned is False


def test_reversed_period_is_refused(db: Database) -> None:
    with db.read() as session, pytest.raises(data.TrackerError, match="after it ends"):
        data.gather(session=session, start=END, end=START, now=NOW, tz=UTC_ZONE)


def test_default_period_is_ninety_days_ending_today() -> None:
    assert data.default_period(D("2026-11-27")) == (D("2026-08-30"), D("2026-11-27"))


def test_weekly_means_skip_unlogged_days() -> None:
    values = {D("2026-03-02"): 2.0, D("2026-03-04"): 4.0}
    mondays = data.week_starts(D("2026-03-02"), D("2026-03-15"))
    assert mondays == (D("2026-03-02"), D("2026-03-09"))
    assert data.weekly_means(values, mondays, D("2026-03-02"), D("2026-03-15")) == (3.0, None)


def test_pending_dose_is_not_missed(db: Database) -> None:
    """A dose scheduled less than 6 h before now is pending, not missed (R5)."""
    with db.read() as session:
        summary = data.gather(
            session=session,
            start=D("2026-03-09"),
            end=D("2026-03-09"),
            now=at("2026-03-09", "12:00"),
            tz=UTC_ZONE,
        )
    assert (summary.adherence.pending, summary.adherence.missed) == (1, 0)
    assert summary.chart.burden == (None,)
