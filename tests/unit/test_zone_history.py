"""The zone history: a schedule that follows the user's zone keeps past days in the zone they were lived in.

A user in Europe/London takes sertraline 50 mg at 08:00 from Monday 12 January 2026
and flies to America/New_York on Thursday 15 January (London UTC+0, New York UTC-5 in
January). The change takes effect on 16 January in New York: 12-15 January keep their
08:00 London slots (08:00 UTC), from the 16th the dose is at 08:00 New York (13:00 UTC).
Before the history, every past day was re-expanded in New York and the doses of 12-14
January stopped matching: false missed doses, lower adherence and R5 right after travel.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database, open_database
from tracker.domain.errors import TrackerError
from tracker.domain.schedule import SchedulePeriod, ZoneTimeline, slots_between
from tracker.domain.trends_extra import SlotBlock, scheduled_slots, slot_blocks
from tracker.export import data as summary_data
from tracker.export import json_io
from tracker.queries import schedule as schedule_queries
from tracker.services import doses, meds, reminders_service, schedule, settings, trends
from tracker.store import Reader
from tracker.ui.screens import today_data

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
START = date(2026, 1, 12)  # Monday


def utc(hour: int, minute: int = 0, d: int = 15, month: int = 1) -> datetime:
    return datetime(2026, month, d, hour, minute, tzinfo=UTC)


def D(day: int, month: int = 1) -> date:
    return date(2026, month, day)


def _user_in_london(db: Database, *, logged: tuple[int, ...] = (12, 13, 14)) -> int:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London", now=utc(9, d=1))
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50).id or 0
        meds.set_prescription(session=s, medication_id=med, dose_mg=50, times=[time(8)], start_date=START)
        for d in logged:  # taken at 08:00 in London
            doses.log_dose(session=s, medication_id=med, taken_at=utc(8, d=d), now=utc(9, d=d), tz=LONDON)
    return med


def _set_zone(db: Database, name: str, at: datetime) -> None:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value=name, now=at)


def _history(db: Database) -> Any:
    with Reader(db.path).read() as conn:
        return settings.get_setting(session=conn, key="timezone_history")


def _slots(db: Database, first: date, last: date, now: datetime) -> list[tuple[date, datetime, str]]:
    with Reader(db.path).read() as conn:
        week = schedule.slots_for_days(session=conn, first=first, last=last, now=now)
    return [(day, s.scheduled_for, s.status) for day, slots in week.items() for s in slots]


def test_travel_keeps_past_doses_taken_in_all_four_consumers(db: Database) -> None:
    med = _user_in_london(db, logged=(12, 13, 14, 15))
    _set_zone(db, "America/New_York", utc(14))  # 09:00 in New York, after landing
    assert _history(db) == [
        {"from": None, "zone": "Europe/London"},
        {"from": "2026-01-16", "zone": "America/New_York"},
    ]

    # R5 the morning after (07:00 in New York): nothing missed; R9 shows the New York 08:00 slot coming up
    with Reader(db.path).read() as conn:
        found = reminders_service.active_reminders(session=conn, now=utc(12, d=16))
    assert not {r.rule for r in found} & {"R4", "R5"}
    assert [r.message for r in found if r.rule == "R9"] == ["Coming up at 08:00: Sertraline 50 mg."]

    with db.write() as s:
        for d in (16, 17):  # 08:00 in New York
            doses.log_dose(session=s, medication_id=med, taken_at=utc(13, d=d), now=utc(13, 30, d=d))
    later = utc(20, d=17)  # 15:00 in New York on Saturday 17th

    # Today (the week of slots, and the week table of the Today screen)
    assert _slots(db, START, D(17), later) == [
        *[(D(d), utc(8, d=d), "taken") for d in (12, 13, 14, 15)],
        *[(D(d), utc(13, d=d), "taken") for d in (16, 17)],
    ]
    with Reader(db.path).read() as conn:
        shown = today_data.load_day(conn, None, later)
        counted = trends.adherence(session=conn, start=START, end=D(17), now=later, tz=NEW_YORK)
        rules = {r.rule for r in reminders_service.active_reminders(session=conn, now=later)}
    assert [(w.day, w.taken, w.scheduled) for w in shown.week] == [
        *[(D(d), 1, 1) for d in (17, 16, 15, 14, 13, 12)],
        (D(11), 0, 0),
    ]
    # Trends: one week (Monday 12th), six slots, all taken
    assert [(w.first_day, w.scheduled, w.taken, w.missed) for w in counted.weeks] == [(START, 6, 6, 0)]
    assert counted.runs == ()
    assert not rules & {"R4", "R5", "R9"}
    # The clinician summary
    with db.read() as s:
        gathered = summary_data.gather(session=s, start=START, end=D(17), now=later, tz=NEW_YORK)
    totals = gathered.adherence
    assert (totals.scheduled, totals.taken, totals.missed, totals.pending) == (6, 6, 0, 0)


def test_without_the_history_the_past_is_re_expanded(db: Database) -> None:
    """The bug the history fixes, as a control: a timezone stored with no history moves every day."""
    _user_in_london(db)
    with db.write() as s:  # as an old export restores it: the zone without its history
        settings.set_setting(session=s, key="timezone", value="America/New_York", now=utc(14))
        settings.set_setting(session=s, key="timezone_history", value=[])
    assert [at for _, at, _ in _slots(db, START, D(14), utc(20))] == [utc(13, d=d) for d in (12, 13, 14)]


def test_the_travel_day_keeps_the_old_zone(db: Database) -> None:
    """Changed on the 15th: the 15th keeps London's slot, which a dose logged after landing still fills."""
    med = _user_in_london(db, logged=())
    _set_zone(db, "America/New_York", utc(6))  # 01:00 in New York: still the 15th there
    with db.write() as s:  # taken at 04:30 New York time (09:30 UTC), logged on the New York clock
        event = doses.log_dose(session=s, medication_id=med, taken_at=utc(9, 30), now=utc(9, 45))
        assert event.scheduled_for is not None
        assert (event.status, event.day, event.scheduled_for.replace(tzinfo=UTC)) == ("taken", D(15), utc(8))
    assert _slots(db, D(15), D(16), utc(10)) == [(D(15), utc(8), "taken"), (D(16), utc(13, d=16), "upcoming")]
    with Reader(db.path).read() as conn:
        summary = schedule.slots_for_day(session=conn, day=D(15), now=utc(10))
    # shown on the user's clock, as R9 and R5 show it: 08:00 London is 03:00 in New York
    assert [s.local_time for s in summary] == [time(3)]


def test_a_change_and_a_change_back(db: Database) -> None:
    _user_in_london(db)
    _set_zone(db, "America/New_York", utc(14))  # from the 16th
    _set_zone(db, "Europe/London", utc(12, d=20))  # 12:00 in London on the 20th: from the 21st
    assert _history(db) == [
        {"from": None, "zone": "Europe/London"},
        {"from": "2026-01-16", "zone": "America/New_York"},
        {"from": "2026-01-21", "zone": "Europe/London"},
    ]
    assert [(day.day, at) for day, at, _ in _slots(db, D(14), D(22), utc(12, d=23))] == [
        (14, utc(8, d=14)),
        (15, utc(8, d=15)),
        *[(d, utc(13, d=d)) for d in range(16, 21)],
        (21, utc(8, d=21)),
        (22, utc(8, d=22)),
    ]
    with Reader(db.path).read() as conn:
        assert settings.schedule_zone(session=conn) == LONDON
        assert settings.schedule_timeline(session=conn).zone_on(D(18)) == NEW_YORK


def test_a_change_back_the_same_day_leaves_no_change(db: Database) -> None:
    _user_in_london(db)
    _set_zone(db, "America/New_York", utc(14))
    _set_zone(db, "Europe/London", utc(16))  # a mistake corrected: back before the day is over
    _set_zone(db, "Europe/London", utc(17))  # storing the same zone again changes nothing
    assert _history(db) == [{"from": None, "zone": "Europe/London"}]
    assert [at for _, at, _ in _slots(db, D(15), D(16), utc(20))] == [utc(8), utc(8, d=16)]


def test_the_first_zone_and_a_home_schedule_record_no_change(db: Database) -> None:
    """The first zone stored covers the past; while following home the schedule zone does not move."""
    _user_in_london(db)
    assert _history(db) == []  # the default: nothing stored
    with db.write() as s:
        settings.set_setting(session=s, key="schedule_follows", value="home", now=utc(10))
        settings.set_setting(session=s, key="timezone", value="America/New_York", now=utc(14))
    assert _history(db) == []
    with db.write() as s:  # back to following the zone the user is in, now New York: from the 17th
        settings.set_setting(session=s, key="schedule_follows", value="current", now=utc(12, d=16))
    assert _history(db) == [
        {"from": None, "zone": "Europe/London"},
        {"from": "2026-01-17", "zone": "America/New_York"},
    ]
    assert [at for _, at, _ in _slots(db, D(15), D(17), utc(20, d=17))] == [
        utc(8),
        utc(8, d=16),
        utc(13, d=17),
    ]


def test_a_change_made_after_now_is_not_known_yet(db: Database) -> None:
    """Asked as of a moment before a change was made, the schedule follows the zone stored, as before."""
    _user_in_london(db)
    _set_zone(db, "America/New_York", utc(14, d=20))  # from the 21st
    with Reader(db.path).read() as conn:
        assert settings.schedule_timeline(session=conn, now=utc(20, d=19)) == ZoneTimeline(NEW_YORK)
        assert settings.schedule_timeline(session=conn, now=utc(20, d=20)).zone_on(D(20)) == LONDON


def test_history_values_are_checked_and_bad_stored_ones_ignored(db: Database) -> None:
    assert settings.history_timeline(None) is None
    assert settings.history_timeline([{"from": "2026-01-16", "zone": "Mars/Base"}, 3]) is None
    stored = [
        {"from": "2026-02-01", "zone": "Asia/Tokyo"},
        {"from": "not a date", "zone": "Europe/Paris"},
        {"from": None, "zone": "Europe/London"},
        {"from": "2026-01-16", "zone": "America/New_York"},
    ]
    assert settings.history_timeline(stored) == ZoneTimeline(
        LONDON, ((D(16), NEW_YORK), (D(1, 2), ZoneInfo("Asia/Tokyo")))
    )
    with db.write() as s:
        for bad in (
            {"from": None},
            [{"from": None, "zone": "Mars/Base"}],
            [{"from": "16 Jan", "zone": "UTC"}],
        ):
            with pytest.raises(TrackerError, match="timezone_history"):
                settings.set_setting(session=s, key="timezone_history", value=bad)
        settings.set_setting(session=s, key="timezone_history", value=stored[2:])
    assert _history(db) == stored[2:]


def test_the_history_reads_the_same_through_a_connection_and_a_session(db: Database) -> None:
    med = _user_in_london(db)
    _set_zone(db, "America/New_York", utc(14))
    read: dict[str, Any] = {"medication_ids": [med], "first": D(12), "last": D(20)}
    with db.read() as s, Reader(db.path).read() as conn:
        by_session = settings.schedule_timeline(session=s, now=utc(20))
        assert by_session == settings.schedule_timeline(session=conn, now=utc(20))
        assert settings.get_setting(session=s, key="timezone_history") == _history(db)
        assert settings.all_settings(session=s) == settings.all_settings(session=conn)
        rows, stored = schedule_queries.prescriptions_and_zone_settings(session=conn, **read)
        assert (rows, stored) == schedule_queries.prescriptions_and_zone_settings(session=s, **read)
    assert by_session == ZoneTimeline(LONDON, ((D(16), NEW_YORK),))
    assert stored["timezone_history"] == _history(db)
    assert settings.timeline(stored) == by_session


def test_the_history_travels_with_the_json_export(db: Database, tmp_path: Path) -> None:
    _user_in_london(db)
    _set_zone(db, "America/New_York", utc(14))
    with db.read() as s:
        text = json_io.export_json(session=s, now=utc(20))
    fresh = open_database(tmp_path / "restored.db", create_dir=True)
    try:
        with fresh.write() as s:
            json_io.import_backup(session=s, backup=json_io.parse(text.encode(), "backup.json"))
        assert _history(fresh) == _history(db)
        assert _slots(fresh, D(14), D(16), utc(20)) == _slots(db, D(14), D(16), utc(20))
    finally:
        fresh.close()


# --------------------------------------------------------------------------- the pure timeline


def test_slots_and_blocks_follow_the_timeline_through_daylight_saving() -> None:
    """London until Sunday 1 March; New York from the 2nd (EST, then EDT from Sunday the 8th); London
    again from the 21st (GMT, then BST from Sunday the 29th). 08:00 and 02:30, which does not exist
    in New York on the 8th (it moves to 03:00 EDT)."""
    timeline = ZoneTimeline(LONDON).changed(D(2, 3), NEW_YORK).changed(D(21, 3), LONDON)
    period = SchedulePeriod(1, D(1, 3), None, (time(8), time(2, 30)))
    days = slots_between([period], D(1, 3), D(30, 3), timeline)
    hours = {day.day: [s.scheduled_for for s in slots] for day, slots in days.items()}

    def at(d: int, hour: int, minute: int = 0) -> datetime:
        return utc(hour, minute, d=d, month=3)

    assert hours[1] == [at(1, 2, 30), at(1, 8)]  # London, GMT
    assert hours[2] == [at(2, 7, 30), at(2, 13)]  # New York, EST
    assert hours[8] == [at(8, 7), at(8, 12)]  # 02:30 is in the gap: 03:00 EDT
    assert hours[9] == [at(9, 6, 30), at(9, 12)]  # EDT
    assert hours[21] == [at(21, 2, 30), at(21, 8)]  # London again, GMT
    assert hours[29] == [at(29, 1, 30), at(29, 7)]  # BST from 01:00 GMT (02:00 BST): 02:30 exists
    assert hours[30] == [at(30, 1, 30), at(30, 7)]

    blocks = slot_blocks([period], D(1, 3), D(30, 3), timeline)
    gmt, est, edt, bst = (timedelta(hours=h) for h in (0, -5, -4, 1))
    times = (time(2, 30), time(8))
    assert [(b.first.day, b.last.day, b.offset, b.zone) for b in blocks] == [
        (1, 1, gmt, LONDON),
        (2, 7, est, NEW_YORK),
        (8, 8, None, NEW_YORK),
        (9, 15, edt, NEW_YORK),
        (16, 20, edt, NEW_YORK),
        (21, 22, gmt, LONDON),
        (23, 28, gmt, LONDON),
        (29, 29, None, LONDON),
        (30, 30, bst, LONDON),
    ]
    assert blocks[1] == SlotBlock(1, D(2, 3), D(7, 3), times, est)
    expanded = scheduled_slots([period], D(1, 3), D(30, 3), timeline)
    assert [s.scheduled_at for s in expanded] == [s.scheduled_for for slots in days.values() for s in slots]


def test_timeline_values() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    timeline = ZoneTimeline(LONDON).changed(D(16), NEW_YORK)
    assert ZoneTimeline.of(LONDON) == ZoneTimeline(LONDON)
    assert ZoneTimeline.of(timeline) is timeline
    assert (timeline.latest, timeline.zones) == (NEW_YORK, (LONDON, NEW_YORK))
    assert [timeline.zone_on(D(d)) for d in (1, 15, 16, 30)] == [LONDON, LONDON, NEW_YORK, NEW_YORK]
    assert timeline.spans(D(14), D(17)) == [(D(14), D(15), LONDON), (D(16), D(17), NEW_YORK)]
    assert timeline.spans(D(16), D(17)) == [(D(16), D(17), NEW_YORK)]
    assert timeline.spans(D(17), D(16)) == []
    # a second change the same day replaces the first; a change back to the zone before removes it
    assert timeline.changed(D(16), tokyo) == ZoneTimeline(LONDON, ((D(16), tokyo),))
    assert timeline.changed(D(16), LONDON) == ZoneTimeline(LONDON)
    assert timeline.changed(D(20), NEW_YORK) == timeline
    assert timeline.with_latest(tokyo) == ZoneTimeline(LONDON, ((D(16), tokyo),))
    assert timeline.with_latest(LONDON) == ZoneTimeline(LONDON)
    # the day a slot instant belongs to: 08:00 UTC on the 15th is London's; 13:00 UTC on the 16th New
    # York's; 03:00 UTC on the 16th falls between London's 15th and New York's 16th: its London day
    assert (timeline.day_of(utc(8)), timeline.day_of(utc(13, d=16)), timeline.day_of(utc(3, d=16))) == (
        D(15),
        D(16),
        D(16),
    )
    # a change is known from the day it was made: the day before its first day
    assert timeline.known_at(utc(23, d=14)) == ZoneTimeline(LONDON)
    assert timeline.known_at(utc(15)) == timeline
