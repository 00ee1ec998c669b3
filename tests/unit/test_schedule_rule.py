"""One schedule rule (tracker.domain.schedule) for Today/status, the reminders and Trends.

Overlapping prescriptions of one medication (possible through imports or edits, never
through ``set_prescription``, which closes the previous period) never add up: the one that
started last is in force, on equal starts the one with the highest id. The three consumers
must give the very same slots, worked out here by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tracker.db import Database
from tracker.domain.reminders import scheduled_doses
from tracker.domain.schedule import SchedulePeriod, day_slots, in_force, in_force_on
from tracker.domain.trends_extra import SchedulePeriod as TrendsPeriod
from tracker.domain.trends_extra import slot_blocks
from tracker.models import DoseEvent, Prescription
from tracker.queries import trends as trends_queries
from tracker.services import meds, reminders_service, schedule, trends
from tracker.store import Reader

LONDON = ZoneInfo("Europe/London")  # BST from 01:00 UTC on Sunday 29 March 2026
FIRST, LAST = date(2026, 3, 27), date(2026, 3, 31)
NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


# (medication, UTC instant, mg per intake) of every slot of 27-31 March, worked out by hand:
# 27th: the long prescription (50 mg, 08:00 and 20:00 GMT). 28th: two start that day, the
# higher id wins (12.5 mg at 10:00 GMT). 29th-30th: the short one started later than the
# long one (25 mg at 09:00 BST = 08:00 UTC). 31st: the long one again, in BST.
EXPECTED = {
    (1, utc(27, 8), 50.0),
    (1, utc(27, 20), 50.0),
    (1, utc(28, 10), 12.5),
    (1, utc(29, 8), 25.0),
    (1, utc(30, 8), 25.0),
    (1, utc(31, 7), 50.0),
    (1, utc(31, 19), 50.0),
}


def test_in_force_on_latest_start_then_highest_id_then_later_in_sequence() -> None:
    long = SchedulePeriod(1, date(2026, 3, 1), None, (time(8),), 50.0, id=1)
    short = SchedulePeriod(1, date(2026, 3, 28), date(2026, 3, 30), (time(9),), 25.0, id=2)
    same_day = SchedulePeriod(1, date(2026, 3, 28), date(2026, 3, 28), (time(10),), 12.5, id=3)
    periods = [same_day, short, long]  # the order given must not matter when ids differ
    assert in_force_on(periods, date(2026, 2, 28)) is None
    assert in_force_on(periods, date(2026, 3, 27)) is long
    assert in_force_on(periods, date(2026, 3, 28)) is same_day
    assert in_force_on(periods, date(2026, 3, 29)) is short
    assert in_force_on(periods, date(2026, 3, 31)) is long
    no_ids = [SchedulePeriod(1, date(2026, 3, 1), None, (time(h),)) for h in (7, 9)]
    assert in_force_on(no_ids, date(2026, 3, 2)) is no_ids[1]
    assert in_force(periods, FIRST, LAST) == [
        (date(2026, 3, 27), date(2026, 3, 27), long),
        (date(2026, 3, 28), date(2026, 3, 28), same_day),
        (date(2026, 3, 29), date(2026, 3, 30), short),
        (date(2026, 3, 31), date(2026, 3, 31), long),
    ]
    [spring] = day_slots([short], date(2026, 3, 29), LONDON)
    assert (spring.local_time, spring.scheduled_for, spring.day) == (time(9), utc(29, 8), date(2026, 3, 29))


def _overlapping(db: Database) -> int:
    """Three overlapping prescriptions of one medication, written as an import would (no closing)."""
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50).id or 0
        for dose, times, start, end in (
            (50.0, "08:00,20:00", date(2026, 3, 1), None),
            (25.0, "09:00", date(2026, 3, 28), date(2026, 3, 30)),
            (12.5, "10:00", date(2026, 3, 28), date(2026, 3, 28)),
        ):
            s.add(Prescription(medication_id=med, dose_mg=dose, times=times, start_date=start, end_date=end))
        # tracking starts with this dose (Trends counts slots from a medication's first dose)
        s.add(
            DoseEvent(
                medication_id=med, day=FIRST, scheduled_for=utc(27, 8), taken_at=utc(27, 8), amount_mg=50
            )
        )
    return med


def test_overlapping_prescriptions_give_the_same_slots_in_all_three_consumers(db: Database) -> None:
    med = _overlapping(db)
    assert med == 1
    with Reader(db.path).read() as conn:
        # Today and `tracker status`
        week = schedule.slots_for_days(session=conn, first=FIRST, last=LAST, now=NOW, tz=LONDON)
        today = {(s.medication_id, s.scheduled_for, s.dose_mg) for slots in week.values() for s in slots}
        assert [s.local_time for s in week[date(2026, 3, 29)]] == [time(9)]
        # the reminders (R4, R5, R9), from the prescriptions as the service gathers them
        context = reminders_service.gather_context(session=conn, now=NOW, tz=LONDON)
        reminded = {
            (d.medication_id, d.scheduled_for, d.dose_mg)
            for d in scheduled_doses(context.prescriptions, FIRST, LAST, LONDON)
        }
        # Trends: the blocks its adherence counts, from the periods as the service builds them
        periods = [
            TrendsPeriod(row.medication_id, row.start, row.end, row.times)
            for row in trends_queries.prescription_rows(conn)
        ]
        blocks = slot_blocks(periods, FIRST, LAST, LONDON)
        counted = {(s.medication_id, s.scheduled_at) for block in blocks for s in block.slots(LONDON)}
        adherence = trends.adherence(session=conn, start=FIRST, end=LAST, now=NOW, tz=LONDON)
    assert today == reminded == EXPECTED
    assert counted == {(m, at) for m, at, _ in EXPECTED}
    # 27-29 March in the week of Monday 23rd (2 + 1 + 1 slots), 30-31 in the next (1 + 2)
    assert [(w.first_day, w.scheduled, w.taken, w.missed) for w in adherence.weeks] == [
        (date(2026, 3, 23), 4, 1, 3),
        (date(2026, 3, 30), 3, 0, 3),
    ]
    assert adherence.slots == len(EXPECTED)
