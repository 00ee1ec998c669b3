"""The whole-history summary computed from SQL aggregates gives the hand-worked figures.

Small histories, values worked out by hand from DOMAIN.md's rules (not from the code's output):
comparisons counted per symptom by GROUP BY, overdoses and off-prescription doses checked per
stretch of one prescription, and the fast path of ``local_to_utc`` at both DST changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.db import open_database
from tracker.domain.timeutil import local_to_utc
from tracker.export import data
from tracker.services import doses, meds, symptoms

LONDON = ZoneInfo("Europe/London")
UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 3, 20, 20, 0, tzinfo=UTC)


def test_local_to_utc_on_a_plain_day_and_across_both_changes() -> None:
    # London is UTC+0 in winter, UTC+1 (BST) from 29 Mar 2026 01:00 UTC to 25 Oct 2026 01:00 UTC
    assert local_to_utc(date(2026, 1, 10), time(8, 0), LONDON) == datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    assert local_to_utc(date(2026, 6, 1), time(8, 0), LONDON) == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    # 01:30 on 29 Mar does not exist: the first valid minute after the gap is 02:00 BST = 01:00 UTC
    assert local_to_utc(date(2026, 3, 29), time(1, 30), LONDON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # 01:30 on 25 Oct happens twice: the first (BST) is 00:30 UTC, even when asked with fold=1
    assert local_to_utc(date(2026, 10, 25), time(1, 30), LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_to_utc(date(2026, 10, 25), time(1, 30, fold=1), LONDON) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_comparisons_are_counted_per_symptom_over_the_period_only(tmp_path: Path) -> None:
    """Dizziness: 1 Mar rated 1 "worse", 2 Mar 0 "same", 3 Mar 2 "worse", 4 Mar 0 (no word);
    28 Feb "better" is before the period. Expected: worse 2, same 1, better 0, new 0, absent 2
    (2 and 4 Mar), latest "worse on 3 Mar". Nausea rated 0 with no word: no row (nothing compared).
    """
    db = open_database(tmp_path / "c.db")
    try:
        with db.write() as session:
            dizzy = symptoms.find_symptom(session=session, name="dizziness").id or 0
            nausea = symptoms.find_symptom(session=session, name="nausea").id or 0
            for day, severity, word in (
                (date(2026, 2, 28), 1, "better"),
                (date(2026, 3, 1), 1, "worse"),
                (date(2026, 3, 2), 0, "same"),
                (date(2026, 3, 3), 2, "worse"),
                (date(2026, 3, 4), 0, None),
            ):
                symptoms.rate_symptom(
                    session=session, symptom_id=dizzy, day=day, severity=severity, comparison=word, now=NOW
                )
            symptoms.rate_symptom(
                session=session, symptom_id=nausea, day=date(2026, 3, 2), severity=0, now=NOW
            )
        with db.read() as session:
            summary = data.gather(
                session=session, start=date(2026, 3, 1), end=date(2026, 3, 10), now=NOW, tz=UTC_ZONE
            )
    finally:
        db.close()
    assert [
        (c.new, c.worse, c.same, c.better, c.absent, c.latest, c.latest_word) for c in summary.comparisons
    ] == [(0, 2, 1, 0, 2, "worse on 3 Mar", "worse")]
    assert "izz" in summary.comparisons[0].name.lower()


def test_off_prescription_and_overdose_follow_the_prescription_of_each_day(tmp_path: Path) -> None:
    """Sertraline 50 mg at 08:00 from 1 Mar, 25 mg from 5 Mar (a stretch boundary).
    Taken: 1 Mar 50 (as prescribed), 2 Mar 60 (20% over 50: off prescription), 5 Mar 50 (100% over
    the 25 mg now prescribed: off prescription), 6 Mar 25 (as prescribed), 7 Mar 25 plus an extra
    40: day total 65 mg, above twice the prescribed 25 mg (50 mg) but under the 200 mg licensed
    maximum: a possible overdose on 7 Mar only (5 Mar's 50 mg is not above 2 x 25 mg).
    """
    db = open_database(tmp_path / "o.db")
    try:
        with db.write() as session:
            med = meds.create_medication(session=session, name="Sertraline", strength_mg=50)
            med_id = med.id or 0
            meds.set_prescription(
                session=session,
                medication_id=med_id,
                dose_mg=50,
                times=[time(8)],
                start_date=date(2026, 3, 1),
            )
            meds.set_prescription(
                session=session,
                medication_id=med_id,
                dose_mg=25,
                times=[time(8)],
                start_date=date(2026, 3, 5),
            )
            for day, amount in ((1, 50.0), (2, 60.0), (5, 50.0), (6, 25.0), (7, 25.0)):
                doses.log_dose(
                    session=session,
                    medication_id=med_id,
                    taken_at=datetime(2026, 3, day, 8, 5, tzinfo=UTC),
                    amount_mg=amount,
                    force=True,
                    now=NOW,
                    tz=UTC_ZONE,
                )
            doses.log_dose(  # the 08:00 slot is filled: this one is an extra dose
                session=session,
                medication_id=med_id,
                amount_mg=40.0,
                taken_at=datetime(2026, 3, 7, 14, 0, tzinfo=UTC),
                force=True,
                now=NOW,
                tz=UTC_ZONE,
            )
        with db.read() as session:
            summary = data.gather(
                session=session, start=date(2026, 3, 1), end=date(2026, 3, 8), now=NOW, tz=UTC_ZONE
            )
    finally:
        db.close()
    assert [(o.day, o.amount_mg, o.prescribed_mg) for o in summary.off_prescription] == [
        (date(2026, 3, 2), 60.0, 50.0),
        (date(2026, 3, 5), 50.0, 25.0),
    ]
    assert [(o.day, o.total_mg) for o in summary.overdoses] == [(date(2026, 3, 7), 65.0)]
    assert [a.day for a in summary.attention if a.kind == "overdose"] == [date(2026, 3, 7)]


def test_a_missed_run_across_a_chunk_boundary_is_one_run(tmp_path: Path) -> None:
    """400 days from 1 Jan 2025, one dose a day at 08:00 UTC, all taken at 08:05 except on
    1 and 2 Jan 2026 (days 366 and 367: the first chunk of slots ends on 1 Jan 2026, day 366).
    Expected: 400 scheduled, 398 taken, 2 missed, one run of 2 from 1 Jan 08:00 to 2 Jan 08:00.
    """
    from datetime import timedelta

    from tracker.models import DoseEvent

    first = date(2025, 1, 1)
    last = first + timedelta(days=399)
    now = datetime.combine(last, time(20, 0), tzinfo=UTC)
    missed = {date(2026, 1, 1), date(2026, 1, 2)}
    assert data.CHUNK_DAYS == 366 and first + timedelta(days=data.CHUNK_DAYS - 1) == date(2026, 1, 1)
    db = open_database(tmp_path / "r.db")
    try:
        with db.write() as session:
            med = meds.create_medication(session=session, name="Paroxetine", strength_mg=20)
            med_id = med.id or 0
            meds.set_prescription(
                session=session, medication_id=med_id, dose_mg=20, times=[time(8)], start_date=first
            )
            for n in range(400):
                day = first + timedelta(days=n)
                if day in missed:
                    continue
                slot = datetime.combine(day, time(8), tzinfo=UTC)
                session.add(
                    DoseEvent(
                        medication_id=med_id,
                        day=day,
                        scheduled_for=slot,
                        taken_at=slot + timedelta(minutes=5),
                        amount_mg=20,
                        status="taken",
                        logged_at=slot + timedelta(minutes=5),
                    )
                )
        with db.read() as session:
            summary = data.gather(session=session, start=first, end=last, now=now, tz=UTC_ZONE)
    finally:
        db.close()
    totals = summary.adherence
    assert (totals.scheduled, totals.taken, totals.late, totals.skipped, totals.missed, totals.pending) == (
        400,
        398,
        0,
        0,
        2,
        0,
    )
    assert [(r.run.start, r.run.last, r.run.length) for r in summary.missed_runs] == [
        (datetime(2026, 1, 1, 8, 0, tzinfo=UTC), datetime(2026, 1, 2, 8, 0, tzinfo=UTC), 2)
    ]


def test_off_prescription_doses_of_two_medicines_by_day_then_entry(tmp_path: Path) -> None:
    """Sertraline 50 mg at 08:00 from 1 Mar, stopped after 4 Mar (no prescription on 5 Mar), and
    Mirtazapine 15 mg at 20:00 from 2 Mar. Logged in this order: 3 Mar mirtazapine 30 (off: 100% over
    15), 3 Mar sertraline 56 (off: 12% over 50), 2 Mar sertraline 50 (as prescribed), 4 Mar sertraline
    54 (8% over: within the 10% tolerance), 5 Mar sertraline 20 (no prescription that day: not listed).
    Expected by day, then entry: 3 Mar mirtazapine (logged first), then 3 Mar sertraline.
    """
    db = open_database(tmp_path / "two.db")
    try:
        with db.write() as session:
            sertraline = meds.create_medication(session=session, name="Sertraline", strength_mg=50).id or 0
            mirtazapine = meds.create_medication(session=session, name="Mirtazapine", strength_mg=15).id or 0
            meds.set_prescription(
                session=session,
                medication_id=sertraline,
                dose_mg=50,
                times=[time(8)],
                start_date=date(2026, 3, 1),
                end_date=date(2026, 3, 4),
            )
            meds.set_prescription(
                session=session,
                medication_id=mirtazapine,
                dose_mg=15,
                times=[time(20)],
                start_date=date(2026, 3, 2),
            )
            for med_id, day, hour, amount in (
                (mirtazapine, 3, 20, 30.0),
                (sertraline, 3, 8, 56.0),
                (sertraline, 2, 8, 50.0),
                (sertraline, 4, 8, 54.0),
                (sertraline, 5, 8, 20.0),
            ):
                doses.log_dose(
                    session=session,
                    medication_id=med_id,
                    taken_at=datetime(2026, 3, day, hour, 5, tzinfo=UTC),
                    amount_mg=amount,
                    force=True,
                    now=NOW,
                    tz=UTC_ZONE,
                )
        with db.read() as session:
            summary = data.gather(
                session=session, start=date(2026, 3, 1), end=date(2026, 3, 8), now=NOW, tz=UTC_ZONE
            )
    finally:
        db.close()
    assert [(o.day, o.medication, o.amount_mg, o.prescribed_mg) for o in summary.off_prescription] == [
        (date(2026, 3, 3), "Mirtazapine", 30.0, 15.0),
        (date(2026, 3, 3), "Sertraline", 56.0, 50.0),
    ]
