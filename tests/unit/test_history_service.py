"""tracker.services.history on a temporary database: pages, filters, order, edit and delete support."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from tracker.db import Database
from tracker.domain.errors import NotFoundError, TrackerError
from tracker.domain.timeutil import local_to_utc
from tracker.models import CheckIn, DoseEvent, SymptomEntry
from tracker.services import audit, checkins, doses, history, meds, settings, symptoms

UTCZ = ZoneInfo("UTC")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
DAYS = 6  # doses, one symptom rating and one check-in on each of the 6 days before today


@pytest.fixture
def med_id(db: Database) -> int:
    """Sertraline 50 mg at 08:00; per day a dose (08:05), a Brain zaps rating and a check-in (21:00)."""
    with db.write(audit=False) as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
        mid = med.id or 0
        meds.set_prescription(
            session=s, medication_id=mid, dose_mg=50, times=[time(8)], start_date=date(2026, 1, 1)
        )
        zaps = symptoms.find_symptom(session=s, name="brain zaps")
        for back in range(1, DAYS + 1):
            day = TODAY - timedelta(days=back)
            slot = local_to_utc(day, time(8), UTCZ)
            doses.log_dose(
                session=s,
                medication_id=mid,
                amount_mg=50,
                taken_at=slot + timedelta(minutes=5),
                scheduled_for=slot,
                now=NOW,
                tz=UTCZ,
            )
            symptoms.rate_symptom(
                session=s,
                symptom_id=zaps.id or 0,
                day=day,
                severity=back % 4,
                now=local_to_utc(day, time(21), UTCZ),
            )
            checkins.set_checkin(
                session=s, day=day, mood=5, sleep_hours=7.5, now=local_to_utc(day, time(21), UTCZ)
            )
    return mid


def page(s: Session, **kwargs: object) -> history.HistoryPage:
    return history.history_page(session=s, tz=UTCZ, **kwargs)  # type: ignore[arg-type]


def all_keys(s: Session, limit: int, **kwargs: object) -> list[tuple[str, int]]:
    """Every (kind, id) by walking the pages of ``limit`` rows."""
    keys: list[tuple[str, int]] = []
    offset = 0
    while True:
        p = page(s, offset=offset, limit=limit, **kwargs)
        assert len(p.rows) <= limit
        keys += [(r.kind, r.row_id) for r in p.rows]
        if not p.has_next:
            return keys
        offset += limit


def test_pages_never_exceed_the_page_size_and_cover_everything_once(db: Database, med_id: int) -> None:
    with db.read() as s:
        whole = page(s)
        assert whole.total == 3 * DAYS == len(whole.rows)
        sizes = []
        for offset in range(0, whole.total, 5):
            p = page(s, offset=offset, limit=5)
            sizes.append(len(p.rows))
        assert sizes == [5, 5, 5, 3]
        walked = all_keys(s, 5)
    assert walked == [(r.kind, r.row_id) for r in whole.rows]
    assert len(set(walked)) == 18


def test_paging_is_stable_for_every_page_size(db: Database, med_id: int) -> None:
    with db.read() as s:
        reference = all_keys(s, 500)
        for limit in (1, 2, 3, 7, 17):
            assert all_keys(s, limit) == reference


def test_page_metadata(db: Database, med_id: int) -> None:
    with db.read() as s:
        first, last = page(s, limit=5), page(s, offset=15, limit=5)
    assert (first.page_number, first.page_count, first.has_previous, first.has_next) == (1, 4, False, True)
    assert (last.page_number, last.has_previous, last.has_next, len(last.rows)) == (4, True, False, 3)


def test_a_page_holds_at_most_500_rows(db: Database, med_id: int) -> None:
    with db.write(audit=False) as s:
        # 600 more check-ins, one per day, well before the fixture's days
        s.add_all(CheckIn(day=date(2020, 1, 1) + timedelta(days=i), mood=5) for i in range(600))
    with db.read() as s:
        p = page(s, kinds=["checkin"])
        assert (len(p.rows), p.total, p.has_next) == (500, 600 + DAYS, True)
        rest = page(s, kinds=["checkin"], offset=500)
        assert len(rest.rows) == 106 and not rest.has_next
        with pytest.raises(TrackerError, match="1 to 500"):
            page(s, limit=501)
        with pytest.raises(TrackerError, match="1 to 500"):
            page(s, limit=0)


def test_newest_first_then_latest_time_within_a_day(db: Database, med_id: int) -> None:
    with db.read() as s:
        rows = page(s).rows
    assert [r.day for r in rows] == sorted((r.day for r in rows), reverse=True)
    # the evening entries (check-in and rating, both 21:00) come before the morning dose
    first_day = [r.kind for r in rows[:3]]
    assert rows[0].day == TODAY - timedelta(days=1)
    assert first_day[2] == "dose" and sorted(first_day[:2]) == ["checkin", "symptom"]
    dose = rows[2]
    assert (dose.time, dose.what, dose.detail) == ("08:05", "Sertraline 50 mg", "taken, due 08:00")


def test_filters_by_kind(db: Database, med_id: int) -> None:
    with db.read() as s:
        doses_only = page(s, kinds=["dose"])
        symptom_only = page(s, kinds=["symptom"])
        both = page(s, kinds=["dose", "checkin"])
        with pytest.raises(TrackerError, match="unknown kind"):
            page(s, kinds=["mood"])
    assert doses_only.total == DAYS and {r.kind for r in doses_only.rows} == {"dose"}
    assert {r.kind for r in symptom_only.rows} == {"symptom"}
    assert symptom_only.rows[0].what == "Brain zaps" and symptom_only.rows[0].detail == "1 mild"
    assert both.total == 2 * DAYS and {r.kind for r in both.rows} == {"dose", "checkin"}


def test_filters_by_inclusive_date_range(db: Database, med_id: int) -> None:
    start, end = TODAY - timedelta(days=4), TODAY - timedelta(days=2)
    with db.read() as s:
        p = page(s, start=start, end=end)
        only_start = page(s, start=TODAY - timedelta(days=1))
        with pytest.raises(TrackerError, match="ends"):
            page(s, start=end, end=start)
    assert p.total == 9 and {r.day for r in p.rows} == {start, start + timedelta(days=1), end}
    assert only_start.total == 3


def test_changes_are_listed_in_words_on_the_local_day(db: Database, med_id: int) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")  # 23:30 UTC on the 26th is 08:30 on the 27th in Tokyo
    with db.write() as s:
        s.info["audit_at"] = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
        event = s.exec(select(DoseEvent).order_by(col(DoseEvent.id))).first()
        assert event is not None
        doses.edit_dose(session=s, event_id=event.id or 0, amount_mg=25, now=NOW)
    with db.read() as s:
        changes = history.history_page(session=s, tz=tokyo, kinds=["change"])
        on_27 = history.history_page(session=s, tz=tokyo, kinds=["change"], start=TODAY, end=TODAY)
        on_26 = history.history_page(
            session=s,
            tz=tokyo,
            kinds=["change"],
            start=TODAY - timedelta(days=1),
            end=TODAY - timedelta(days=1),
        )
        in_utc = history.history_page(session=s, tz=UTCZ, kinds=["change"], end=TODAY - timedelta(days=1))
    row = changes.rows[0]
    assert changes.total == 1
    assert (row.kind, row.day, row.time, row.what) == ("change", TODAY, "08:30", "Changed a dose")
    assert row.detail == "amount (mg) 50 -> 25"
    assert (on_27.total, on_26.total, in_utc.total) == (1, 0, 1)


def test_everything_includes_changes_and_an_undone_change_says_so(db: Database, med_id: int) -> None:
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=3, now=NOW)
    with db.write() as s:
        audit.undo_last(session=s)
    with db.read() as s:
        p = page(s, kinds=history.KINDS)
    assert p.total == 3 * DAYS + 1
    change = next(r for r in p.rows if r.kind == "change")
    assert change.what == "Added a check-in" and change.detail == f"day {TODAY.isoformat()}, mood 3 (undone)"


def test_load_entry_for_each_kind(db: Database, med_id: int) -> None:
    with db.read() as s:
        rows = {r.kind: r for r in reversed(page(s).rows)}  # the newest of each kind
        dose = history.load_entry(session=s, kind="dose", row_id=rows["dose"].row_id, tz=UTCZ)
        rating = history.load_entry(session=s, kind="symptom", row_id=rows["symptom"].row_id, tz=UTCZ)
        checkin = history.load_entry(session=s, kind="checkin", row_id=rows["checkin"].row_id, tz=UTCZ)
        with pytest.raises(TrackerError, match="cannot be edited"):
            history.load_entry(session=s, kind="change", row_id=1, tz=UTCZ)
        with pytest.raises(NotFoundError):
            history.load_entry(session=s, kind="dose", row_id=9999, tz=UTCZ)
    assert (dose.amount_mg, dose.form, dose.strength_mg, dose.status) == (50, "tablet", 50, "taken")
    assert dose.taken_at == datetime(2026, 11, 26, 8, 5, tzinfo=UTC)
    assert (rating.severity, rating.day) == (1, TODAY - timedelta(days=1))
    assert (checkin.mood, checkin.sleep_hours) == (5, 7.5)


def test_delete_entry_then_undo_brings_it_back(db: Database, med_id: int) -> None:
    with db.read() as s:
        rows = {r.kind: r for r in page(s).rows}
    for kind, model in (("dose", DoseEvent), ("symptom", SymptomEntry), ("checkin", CheckIn)):
        row_id = rows[kind].row_id
        with db.write() as s:
            history.delete_entry(session=s, kind=kind, row_id=row_id)
        with db.read() as s:
            assert s.get(model, row_id) is None
            assert page(s).total == 3 * DAYS - 1
        with db.write() as s:
            assert audit.undo_last(session=s).changes == [(model.__tablename__, "delete")]
        with db.read() as s:
            assert s.get(model, row_id) is not None
    with db.write() as s, pytest.raises(TrackerError, match="cannot be deleted"):
        history.delete_entry(session=s, kind="change", row_id=1)


def test_setting_changes_read_as_key_and_values(db: Database) -> None:
    with db.write() as s:
        settings.set_setting(session=s, key="theme", value="nord")
    with db.write() as s:
        settings.set_setting(session=s, key="theme", value="dracula")
    with db.read() as s:
        rows = page(s, kinds=["change"]).rows
    assert [(r.what, r.detail) for r in rows] == [
        ("Changed a setting", "theme: nord -> dracula"),
        ("Added a setting", "theme: nord"),
    ]


# --------------------------------------------------------------------------- paging by key


def walk(s: Session, limit: int, **kwargs: object) -> tuple[list[tuple[str, int]], list[history.HistoryPage]]:
    """Every (kind, id) by following ``next_cursor``, counting only on the first page (as the screen does)."""
    keys: list[tuple[str, int]] = []
    pages: list[history.HistoryPage] = []
    cursor: history.HistoryCursor | None = None
    while True:
        p = page(s, after=cursor, offset=len(keys), count=cursor is None, limit=limit, **kwargs)
        pages.append(p)
        keys += [(r.kind, r.row_id) for r in p.rows]
        if not p.has_next:
            return keys, pages
        cursor = p.next_cursor


def test_cursor_pages_match_offset_pages_and_count_once(db: Database, med_id: int) -> None:
    with db.read() as s:
        reference = all_keys(s, 500)
        for limit in (1, 2, 5, 7, 18, 500):
            keys, pages = walk(s, limit)
            assert keys == reference
            assert [p.page_number for p in pages] == list(range(1, len(pages) + 1))
            assert pages[0].total == 18 and all(p.total is None for p in pages[1:])
            assert pages[-1].next_cursor is None and all(len(p.rows) == limit for p in pages[:-1])
        keys, _ = walk(s, 4, kinds=["dose", "checkin"], start=TODAY - timedelta(days=4))
        assert keys == all_keys(s, 4, kinds=["dose", "checkin"], start=TODAY - timedelta(days=4))
        assert len(keys) == 8
        # The cursor is the sort key of the page's last row: the newest day's dose (08:05).
        first = page(s, limit=3)
        dose = first.rows[2]
        assert first.next_cursor == history.HistoryCursor(
            TODAY - timedelta(days=1), "2026-11-26 08:05:00.000000", "dose", dose.row_id
        )
        past = page(s, offset=100)
        assert (past.rows, past.total, past.has_next) == ((), 18, False)


def test_a_cursor_page_holds_its_place_when_newer_rows_arrive(db: Database, med_id: int) -> None:
    with db.read() as s:
        before = all_keys(s, 500)
        first = page(s, limit=4)
    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=4, now=NOW)  # a newer row, on the first page
    with db.read() as s:
        by_cursor = page(s, after=first.next_cursor, offset=4, limit=4, count=False)
        by_offset = page(s, offset=4, limit=4)
    # The second page goes on where the first ended; by offset it would show the first's last row again.
    assert [(r.kind, r.row_id) for r in by_cursor.rows] == before[4:8]
    assert [(r.kind, r.row_id) for r in by_offset.rows] == before[3:7]
    assert by_offset.total == 19 and by_cursor.total is None


def test_changes_follow_their_instant_across_a_fall_back_at_midnight(db: Database) -> None:
    # St John's went back from 00:01 to 23:01 on 7 November 2010: the 7th began at 02:30 UTC,
    # then from 02:31 UTC the clock read the 6th again for an hour. 03:00 UTC reads 23:30 on
    # the 6th but lies after the 7th began: the date filter always counted it on the 7th, and
    # the log now sorts it there too, so the audit trail reads in instant order.
    st_johns = ZoneInfo("America/St_Johns")
    instants = [
        datetime(2010, 11, 7, 2, 0),
        datetime(2010, 11, 7, 2, 30, 30),
        datetime(2010, 11, 7, 3, 0),
        datetime(2010, 11, 7, 3, 45),
    ]
    for n, instant in enumerate(instants):
        with db.write() as s:
            s.info["audit_at"] = instant.replace(tzinfo=UTC)
            settings.set_setting(session=s, key="theme", value=f"t{n}")
    with db.read() as s:
        everything = history.history_page(session=s, tz=st_johns, kinds=["change"])
        one_by_one, _ = walk(s, 1, kinds=["change"])
        on_7 = history.history_page(session=s, tz=st_johns, kinds=["change"], start=NOV_7, end=NOV_7)
        on_6 = history.history_page(session=s, tz=st_johns, kinds=["change"], start=NOV_6, end=NOV_6)
    # Newest first, each row on the day and at the time its clock showed.
    assert [(r.day, r.time) for r in everything.rows] == [
        (NOV_7, "00:15"),  # 03:45 UTC
        (NOV_6, "23:30"),  # 03:00 UTC, the repeated hour
        (NOV_7, "00:00"),  # 02:30:30 UTC, the first minute of the 7th
        (NOV_6, "23:30"),  # 02:00 UTC
    ]
    assert one_by_one == [(r.kind, r.row_id) for r in everything.rows]
    assert [r.detail for r in on_7.rows] == ["theme: t2 -> t3", "theme: t1 -> t2", "theme: t0 -> t1"]
    assert [r.detail for r in on_6.rows] == ["theme: t0"]


NOV_6, NOV_7 = date(2010, 11, 6), date(2010, 11, 7)


def test_cursor_pages_read_through_the_indexes(db: Database, med_id: int) -> None:
    """Every statement a page runs (SQLite's own trace: the page is plain SQL), explained."""
    statements: list[tuple[str, object]] = []

    with db.write() as s:
        checkins.set_checkin(session=s, day=TODAY, mood=4, now=NOW)  # an audit entry
    with db.read() as s:
        first = page(s, kinds=history.KINDS, limit=3)
        raw = s.connection().connection.driver_connection
        assert raw is not None
        raw.set_trace_callback(lambda statement: statements.append((statement, ())))
        try:
            second = page(s, kinds=history.KINDS, after=first.next_cursor, offset=3, limit=3, count=False)
            page(s, kinds=history.KINDS, start=TODAY - timedelta(days=3), end=TODAY - timedelta(days=2))
        finally:
            raw.set_trace_callback(None)
        plans = [
            " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
            for statement, parameters in statements
            if statement.lstrip().upper().startswith("SELECT")
        ]
        assert plans
    assert len(second.rows) == 3
    joined = "\n".join(plans)
    for table in ("doseevent", "symptomentry", "checkin", "auditentry"):
        assert f"SCAN {table}" not in joined
    # after the cursor: a bound on the day (on the instant for the audit trail) serves each part
    assert "SEARCH doseevent USING INDEX ix_doseevent_day (day<?)" in joined
    assert "SEARCH symptomentry USING INDEX ix_symptomentry_day (day<?)" in joined
    assert "SEARCH checkin USING INDEX sqlite_autoindex_checkin_1 (day<?)" in joined
    assert "SEARCH auditentry USING COVERING INDEX ix_auditentry_at (at<?)" in joined
    # the count of a filtered log, once, through the same indexes
    assert "SEARCH doseevent USING COVERING INDEX ix_doseevent_day (day>? AND day<?)" in joined
