"""The travel rule (DOMAIN.md): dose times follow the zone the user is in, or keep the home zone.

A user in Europe/London takes sertraline 50 mg at 08:00 and flies to America/New_York
(the ``timezone`` setting changes). In January London is UTC+0 and New York UTC-5:
following "current", the dose is at 08:00 New York time (13:00 UTC); following "home",
it stays at 08:00 London time (08:00 UTC), which is 03:00 in New York.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database
from tracker.domain.errors import TrackerError
from tracker.queries import schedule as schedule_queries
from tracker.services import day, doses, meds, reminders_service, schedule, settings, trends
from tracker.store import Reader
from tracker.ui.screens import today_data

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2026, 1, 15)  # Thursday, winter in both zones


def utc(hour: int, minute: int = 0, d: int = 15) -> datetime:
    return datetime(2026, 1, d, hour, minute, tzinfo=UTC)


def _user_in_london(db: Database) -> int:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50).id or 0
        meds.set_prescription(
            session=s, medication_id=med, dose_mg=50, times=[time(8)], start_date=date(2026, 1, 1)
        )
        # taken in London on the days before the flight
        for d in (12, 13, 14):
            doses.log_dose(session=s, medication_id=med, taken_at=utc(8, d=d), now=utc(9, d=d), tz=LONDON)
    return med


def _fly_to_new_york(db: Database, *, keep_home: bool) -> None:
    with db.write() as s:
        if keep_home:  # chosen before leaving: London becomes the home zone
            settings.set_setting(session=s, key="schedule_follows", value="home")
        settings.set_setting(session=s, key="timezone", value="America/New_York")


def _slot_times(db: Database, now: datetime) -> list[tuple[datetime, time, str]]:
    with Reader(db.path).read() as conn:
        return [
            (s.scheduled_for, s.local_time, s.status)
            for s in schedule.slots_for_day(session=conn, day=DAY, now=now)
        ]


def test_following_the_current_zone_the_dose_is_at_eight_in_new_york(db: Database) -> None:
    _user_in_london(db)
    _fly_to_new_york(db, keep_home=False)
    with Reader(db.path).read() as conn:
        assert settings.get_setting(session=conn, key="home_timezone") is None
        assert settings.schedule_zone(session=conn) == NEW_YORK
    assert _slot_times(db, utc(12)) == [(utc(13), time(8), "upcoming")]


def test_keeping_home_time_the_dose_stays_at_eight_in_london(db: Database) -> None:
    med = _user_in_london(db)
    _fly_to_new_york(db, keep_home=True)
    with Reader(db.path).read() as conn:
        assert settings.get_setting(session=conn, key="home_timezone") == "Europe/London"
        assert settings.user_zone(session=conn) == NEW_YORK
        assert settings.schedule_zone(session=conn) == LONDON
    # 04:00 in New York: the 03:00 dose (08:00 London) is due, shown on the New York clock
    assert _slot_times(db, utc(9)) == [(utc(8), time(3), "due")]
    with Reader(db.path).read() as conn:
        data = today_data.load_day(conn, None, utc(9))
        r9 = [
            r.message for r in reminders_service.active_reminders(session=conn, now=utc(9)) if r.rule == "R9"
        ]
    assert data.today == DAY
    assert [(row.local_time, row.status) for row in data.doses] == [(time(3), "due")]
    assert r9 == ["Due now, not logged yet: Sertraline 50 mg, scheduled for 03:00."]

    # Taken at 03:05 New York time, logged at 04:00 as the app does (the user's zone): it fills the slot.
    with db.write() as s:
        event = doses.log_dose(session=s, medication_id=med, taken_at=utc(8, 5), now=utc(9))
        assert (event.status, event.day) == ("taken", DAY)
        assert event.scheduled_for is not None and event.scheduled_for.replace(tzinfo=UTC) == utc(8)

    later = utc(15)  # 10:00 in New York, 7 hours after the slot: it would count as missed if open
    assert _slot_times(db, later) == [(utc(8), time(3), "taken")]
    with Reader(db.path).read() as conn:
        data = today_data.load_day(conn, None, later)
        summary = day.day_summary(session=conn, day=DAY, now=later)  # what `tracker status` prints
        rules = {r.rule for r in reminders_service.active_reminders(session=conn, now=later)}
        week = schedule.slots_for_days(
            session=conn, first=date(2026, 1, 13), last=date(2026, 1, 16), now=later
        )
        counted = trends.adherence(
            session=conn, start=date(2026, 1, 14), end=DAY, now=later, tz=settings.user_zone(session=conn)
        )
    assert [(row.local_time, row.status, row.is_extra) for row in data.doses] == [(time(3), "taken", False)]
    assert summary.as_json()["doses"][0]["local_time"] == "03:00"  # type: ignore[index]
    assert summary.extras == []
    assert not rules & {"R4", "R5", "R9"}
    assert [len(slots) for slots in week.values()] == [1, 1, 1, 1]  # one slot a day, no duplicate
    assert [s.scheduled_for for s in week[date(2026, 1, 16)]] == [utc(8, d=16)]
    assert [(w.scheduled, w.taken, w.missed) for w in counted.weeks] == [(2, 2, 0)]


@pytest.mark.parametrize("keep_home", [True])
def test_the_clinician_summary_counts_the_same_slots_as_today(db: Database, keep_home: bool) -> None:
    """The summary's adherence uses the one schedule rule and the schedule zone, like Today."""
    from tracker.export import data as summary_data

    med = _user_in_london(db)
    _fly_to_new_york(db, keep_home=keep_home)
    slot = utc(8) if keep_home else utc(13)  # 08:00 London, or 08:00 New York
    with db.write() as s:
        doses.log_dose(session=s, medication_id=med, taken_at=slot, now=slot, tz=NEW_YORK)
    later = utc(20)
    with db.read() as s:
        gathered = summary_data.gather(session=s, start=date(2026, 1, 12), end=DAY, now=later, tz=NEW_YORK)
    with Reader(db.path).read() as conn:
        today = schedule.slots_for_days(session=conn, first=DAY, last=DAY, now=later)[DAY]
    assert [s.scheduled_for for s in today] == [slot]
    # 12-14 Jan taken in London at 08:00; 15 Jan's slot on the schedule zone's clock, taken
    totals = gathered.adherence
    assert (totals.scheduled, totals.taken, totals.missed, totals.pending) == (4, 4, 0, 0)


def test_the_missed_dose_reminder_runs_on_home_time(db: Database) -> None:
    """R5: nothing logged 6 hours after 08:00 London (03:00 New York) is missed at 09:00 in New York."""
    _user_in_london(db)
    _fly_to_new_york(db, keep_home=True)
    with db.write() as s:
        settings.set_setting(session=s, key="reminder_thresholds", value={"missed_count": 1})
    with Reader(db.path).read() as conn:
        before = reminders_service.active_reminders(session=conn, now=utc(13, 59))
        after = reminders_service.active_reminders(session=conn, now=utc(14))
    assert "R5" not in {r.rule for r in before}
    [r5] = [r for r in after if r.rule == "R5"]
    assert "Thu 03:00" in r5.message  # the time on the user's (New York) clock


def test_switching_to_home_keeps_a_stored_home_zone_and_checks_values(db: Database) -> None:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Asia/Tokyo")
        settings.set_setting(session=s, key="home_timezone", value="Europe/Paris")
        settings.set_setting(session=s, key="schedule_follows", value="home")
        for key, value, message in (
            ("home_timezone", "Mars/Olympus", "unknown home time zone 'Mars/Olympus'"),
            ("schedule_follows", "away", "schedule_follows is current or home"),
        ):
            with pytest.raises(TrackerError, match=message):
                settings.set_setting(session=s, key=key, value=value)
    with Reader(db.path).read() as conn:
        values = settings.all_settings(session=conn)
        assert (values["home_timezone"], values["schedule_follows"]) == ("Europe/Paris", "home")
        assert settings.schedule_zone(session=conn) == ZoneInfo("Europe/Paris")
        assert settings.schedule_zone(session=conn, current=LONDON) == ZoneInfo("Europe/Paris")
    with db.write() as s:
        settings.set_setting(session=s, key="home_timezone", value=None)  # none: the time zone
    with Reader(db.path).read() as conn:
        assert settings.schedule_zone(session=conn) == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("stored", "current", "expected"),
    [
        ({}, None, ("UTC", "UTC")),  # TZ=UTC in tests: the machine's zone
        ({"timezone": "Europe/London", "home_timezone": "Asia/Tokyo"}, None, ("Europe/London",) * 2),
        ({"timezone": "Europe/London", "schedule_follows": "home"}, None, ("Europe/London",) * 2),
        (
            {"timezone": "America/New_York", "schedule_follows": "home", "home_timezone": "Europe/London"},
            None,
            ("America/New_York", "Europe/London"),
        ),
        ({"schedule_follows": "home", "home_timezone": "Nowhere/Else"}, NEW_YORK, ("America/New_York",) * 2),
        ({"timezone": "Bad/Zone"}, None, ("UTC", "UTC")),
    ],
)
def test_zones_from_stored_settings(stored: dict[str, Any], current: ZoneInfo | None, expected: Any) -> None:
    here, zone = settings.zones(stored, current=current)
    assert (str(here), str(zone)) == expected


def test_the_schedule_query_gives_the_same_answer_through_either_source(db: Database) -> None:
    med = _user_in_london(db)
    _fly_to_new_york(db, keep_home=True)
    read: dict[str, Any] = {"medication_ids": [med], "first": DAY, "last": DAY}
    with db.read() as s, Reader(db.path).read() as conn:
        assert schedule_queries.prescriptions_and_zone_settings(
            session=s, **read
        ) == schedule_queries.prescriptions_and_zone_settings(session=conn, **read)
        rows, stored = schedule_queries.prescriptions_and_zone_settings(session=conn, **read)
        assert settings.schedule_zone(session=s) == settings.schedule_zone(session=conn) == LONDON
        # no prescription in range: the settings still come back
        empty = schedule_queries.prescriptions_and_zone_settings(
            session=conn, medication_ids=[med], first=date(2025, 1, 1), last=date(2025, 1, 2)
        )
    assert [(r.dose_mg, r.times) for r in rows] == [(50.0, "08:00")]
    assert stored == {
        "timezone": "America/New_York",
        "schedule_follows": "home",
        "home_timezone": "Europe/London",
    }
    assert empty == ([], stored)


def test_a_home_zone_ahead_puts_the_morning_dose_on_the_evening_before(db: Database) -> None:
    """Home Tokyo (UTC+9), now in London (UTC+0): 08:00 in Tokyo is 23:00 the evening before."""
    tokyo = ZoneInfo("Asia/Tokyo")
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Asia/Tokyo", now=utc(0, d=1))
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50).id or 0
        meds.set_prescription(
            session=s, medication_id=med, dose_mg=50, times=[time(8)], start_date=date(2026, 1, 1)
        )
        settings.set_setting(session=s, key="schedule_follows", value="home", now=utc(0, d=2))
        settings.set_setting(session=s, key="timezone", value="Europe/London", now=utc(0, d=3))
    now = utc(23, 30, d=14)  # 23:30 on 14 Jan in London, 08:30 on the 15th in Tokyo
    with Reader(db.path).read() as conn:
        assert settings.schedule_zone(session=conn) == tokyo
        data = today_data.load_day(conn, None, now)
        week = schedule.slots_for_days(session=conn, first=date(2026, 1, 13), last=DAY, now=now)
    assert data.day == date(2026, 1, 14)
    # tonight's dose, due now: not last night's, and not on tomorrow's page
    assert [(r.local_time, r.status, r.scheduled_for) for r in data.doses] == [
        (time(23), "due", utc(23, d=14))
    ]
    assert {d: [s.scheduled_for for s in slots] for d, slots in week.items()} == {
        date(2026, 1, 13): [utc(23, d=13)],
        date(2026, 1, 14): [utc(23, d=14)],
        DAY: [utc(23, d=15)],
    }
    with db.write() as s:  # what Today's Enter does: the slot's own instant
        event = doses.log_dose(
            session=s, medication_id=med, taken_at=now, scheduled_for=utc(23, d=14), now=now
        )
        assert (event.status, event.day) == ("taken", date(2026, 1, 14))
    with db.write() as s:  # the command line, the next evening: fills the 15th's slot by its time
        later = utc(23, 10, d=15)
        event = doses.log_dose(session=s, medication_id=med, taken_at=later, now=later)
        assert event.scheduled_for is not None and event.scheduled_for.replace(tzinfo=UTC) == utc(23, d=15)
    with Reader(db.path).read() as conn:
        statuses = [
            s.status for s in schedule.slots_for_day(session=conn, day=date(2026, 1, 14), now=utc(12, d=16))
        ]
    assert statuses == ["taken"]
