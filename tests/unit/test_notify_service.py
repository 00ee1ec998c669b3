"""``tracker.services.notify`` on a real database with the real reminder rules: what is recorded,
what a crash between sending and recording does, snoozes, and the 0006 migration."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tracker.db import Database, open_database
from tracker.domain.errors import NotFoundError
from tracker.domain.notify_policy import Message
from tracker.models import NotificationRecord
from tracker.services import doses, meds, notify
from tracker.services import settings as settings_service

TZ = ZoneInfo("UTC")
DAY = datetime(2026, 12, 2, tzinfo=UTC)
FIXTURES = Path(__file__).parent.parent / "fixtures"


class Recorder:
    """A stand-in for the desktop, for these unit tests only (the real one is in the integration test)."""

    def __init__(self, die_after_showing: Callable[[Message], bool] = lambda m: False) -> None:
        self.shown: list[Message] = []
        self.die_after_showing = die_after_showing
        self.problem: str | None = None

    def deliver(
        self,
        items: Sequence[notify.Outgoing],
        on_result: Callable[[notify.Outgoing, str | None], None],
        wait: float,
    ) -> list[notify.Interaction]:
        for item in items:
            if self.problem:
                on_result(item, self.problem)
                continue
            self.shown.append(item.message)
            if self.die_after_showing(item.message):
                raise KeyboardInterrupt  # the process is killed before it records the send
            on_result(item, None)
        return []


@pytest.fixture
def med_db(db: Database) -> tuple[Database, int]:
    """Sertraline 50 mg at 08:00 since 25 Nov 2026 (a week before the simulated day)."""
    with db.write() as s:
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50, form="tablet")
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=50,
            times=[time(8)],
            start_date=DAY.date() - timedelta(7),
        )
        settings_service.set_setting(session=s, key="timezone", value="UTC")
        return db, med.id or 0


def _run(db: Database, now: datetime, sender: Recorder) -> notify.RunResult:
    return notify.run(db, now=now, tz=TZ, sender=lambda: sender)


def _dose_key(med_id: int) -> str:
    """The key of today's 08:00 dose reminder, as the reminder service names it."""
    return f"R9:med{med_id}:{DAY:%Y-%m-%d}T08:00Z"


def test_a_day_of_timer_runs_with_the_real_rules(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    sender = Recorder()
    for i in range(96):
        _run(db, DAY + timedelta(minutes=15 * i), sender)
    dose = [m for m in sender.shown if _dose_key(med_id) in m.keys]
    # at 08:00 and the gentle repeat at 09:00; never before 08:00, never after 14:00 (missed)
    assert [m.title for m in dose] == ["Dose due at 08:00", "Dose due at 08:00"]
    assert all("Sertraline" not in m.title + m.body + m.hint for m in sender.shown)  # names are off
    keys = [k for m in sender.shown for k in m.keys]
    with db.read() as s:
        rows = s.exec(select(NotificationRecord)).all()
        assert sorted(r.key for r in rows) == sorted(keys)  # every send recorded once
        assert {r.status for r in rows} == {"sent"}
        assert notify.last_run(session=s) is not None


def test_running_twice_at_the_same_time_sends_nothing_new(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    sender = Recorder()
    first = _run(db, DAY.replace(hour=8, minute=5), sender)
    second = _run(db, DAY.replace(hour=8, minute=5), sender)
    assert first.sent >= 1 and second.sent == 0
    assert sum(_dose_key(med_id) in m.keys for m in sender.shown) == 1


def test_a_crash_between_sending_and_recording_sends_one_duplicate(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    key = _dose_key(med_id)
    dying = Recorder(die_after_showing=lambda m: key in m.keys)
    with pytest.raises(KeyboardInterrupt):
        _run(db, DAY.replace(hour=8), dying)
    with db.read() as s:  # the intent was committed before the send
        (row,) = s.exec(select(NotificationRecord).where(NotificationRecord.key == key))
        assert row.status == "pending"
    sender = Recorder()
    _run(db, DAY.replace(hour=8, minute=15), sender)
    _run(db, DAY.replace(hour=8, minute=30), sender)
    shown = [m for m in dying.shown + sender.shown if key in m.keys]
    assert len(shown) == 2  # the one that was shown, and exactly one duplicate


def test_a_failed_send_is_tried_again_and_the_problem_is_kept(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    down = Recorder()
    down.problem = "no desktop session bus (D-Bus) to show notifications on"
    result = _run(db, DAY.replace(hour=8), down)
    assert result.sent == 0 and result.problem == down.problem
    with db.read() as s:
        assert s.exec(select(NotificationRecord)).all() == []  # intents taken back
        last = notify.last_run(session=s)
        assert last is not None and last.problem == down.problem
    up = Recorder()
    _run(db, DAY.replace(hour=8, minute=15), up)
    assert any(_dose_key(med_id) in m.keys for m in up.shown)


def test_snoozed_dose_comes_back_after_the_snooze(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    key = _dose_key(med_id)
    sender = Recorder()
    _run(db, DAY.replace(hour=8), sender)
    with db.write() as s:
        slot, until = doses.snooze_dose(
            session=s,
            medication_id=med_id,
            length=timedelta(minutes=30),
            now=DAY.replace(hour=8, minute=5),
            tz=TZ,
        )
    assert slot.scheduled_for == DAY.replace(hour=8)  # the dose keeps its scheduled time
    assert until == DAY.replace(hour=8, minute=35)
    for minute in (15, 30):
        _run(db, DAY.replace(hour=8, minute=minute), sender)
    assert sum(key in m.keys for m in sender.shown) == 1
    _run(db, DAY.replace(hour=8, minute=45), sender)
    assert sum(key in m.keys for m in sender.shown) == 2
    with db.read() as s:  # still missed 6 h after 08:00, snooze or not
        day = doses.slots_for_day(session=s, day=DAY.date(), now=DAY.replace(hour=14), tz=TZ)
        assert [sl.status for sl in day] == ["missed"]


def test_a_snooze_never_runs_past_the_missed_time(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    with db.write() as s:
        _, until = doses.snooze_dose(
            session=s, medication_id=med_id, length=timedelta(hours=6), now=DAY.replace(hour=13), tz=TZ
        )
    assert until == DAY.replace(hour=14)


def test_nothing_to_snooze_is_a_clear_error(med_db: tuple[Database, int]) -> None:
    db, med_id = med_db
    with db.write() as s, pytest.raises(NotFoundError, match="no dose due now"):
        doses.snooze_dose(
            session=s, medication_id=med_id, length=timedelta(minutes=30), now=DAY.replace(hour=5)
        )


def test_settings_keys_are_checked_on_write(db: Database) -> None:
    from tracker.domain.errors import TrackerError

    with db.write() as s:
        settings_service.set_setting(session=s, key="notify_quiet_hours", value="22:30-07:00")
        settings_service.set_setting(session=s, key="notify_kinds_off", value=["R10"])
    for key, value in (("notify_quiet_hours", "9-5"), ("notify_kinds_off", ["R3"]), ("notify_show_names", 1)):
        with pytest.raises(TrackerError), db.write() as s:
            settings_service.set_setting(session=s, key=key, value=value)
    with db.read() as s:
        p = notify.prefs(session=s)
    assert p.disabled == {"R10"} and p.quiet_start is not None and p.show_names is False


def test_migration_0006_keeps_every_row(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0002_query_indexes.db", old)
    with sqlite3.connect(old) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        # the columns each table had: a later migration may add some (0004_medication_started);
        # 0008_legacy_draft_dates may move a plan's draft time (tests/unit/test_legacy_plans.py)
        columns = {
            t: ", ".join(
                f'"{c[1]}"'
                for c in conn.execute(f"PRAGMA table_info({t})")
                if (t, c[1]) != ("taperplan", "created_at")
            )
            for t in tables
            if t != "alembic_version"
        }
        before = {
            t: conn.execute(f"SELECT {cols} FROM {t} ORDER BY 1").fetchall() for t, cols in columns.items()
        }
    conn.close()
    database = open_database(old)
    database.close()
    with sqlite3.connect(old) as conn:
        after = {
            t: conn.execute(
                f"SELECT {columns[t]} FROM {t}"
                + (" WHERE action != 'upgrade'" if t == "planevent" else "")
                + " ORDER BY 1"
            ).fetchall()
            for t in before
        }
        new = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert after == before and sum(map(len, before.values())) > 0
    assert {"notificationrecord", "dosesnooze", "notifyrun"} <= new
