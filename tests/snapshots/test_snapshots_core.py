"""Snapshots of Today and the first run, at 80x24 and 120x40.

Fixed data, the clock frozen at Friday 27 November 2026 12:00 UTC, every worker
finished and the cursor blink off before each picture. Update with
``pytest tests/snapshots/test_snapshots_core.py --snapshot-update`` after
looking at the new pictures.

The data: Sertraline 50 mg tablets at 08:00 and 20:00, the 08:00 dose taken at
08:10; Brain zaps rated on the three days before today and 2 (worse) today,
Insomnia 1 today; today's mood 5, sleep 6.5 h; a baseline day in August.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers.pilot import ready
from textual.pilot import Pilot

from tracker.db import open_database
from tracker.ui.app import TrackerApp

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def _build(path: Path) -> None:
    from tracker.services import checkins, doses, meds, settings, symptoms

    db = open_database(path, create_dir=True)
    with db.write(audit=False) as session:
        for key, value in (("timezone", "UTC"), ("disclaimer_acknowledged", True), ("first_run_done", True)):
            settings.set_setting(session=session, key=key, value=value)
        med = meds.create_medication(session=session, name="Sertraline", strength_mg=50.0, form="tablet")
        meds.set_prescription(
            session=session,
            medication_id=med.id or 0,
            dose_mg=50.0,
            times=[time(8), time(20)],
            start_date=date(2026, 8, 1),
        )
        doses.log_dose(
            session=session,
            medication_id=med.id or 0,
            taken_at=datetime(2026, 11, 27, 8, 10, tzinfo=UTC),
            now=NOW,
        )
        zaps = symptoms.find_symptom(session=session, name="brain zaps").id or 0
        insomnia = symptoms.find_symptom(session=session, name="insomnia").id or 0
        for back in (1, 2, 3):
            symptoms.rate_symptom(
                session=session, symptom_id=zaps, day=TODAY - timedelta(days=back), severity=1, now=NOW
            )
            checkins.set_checkin(
                session=session, day=TODAY - timedelta(days=back), mood=5 + back % 2, now=NOW
            )
        symptoms.rate_symptom(
            session=session, symptom_id=zaps, day=TODAY, severity=2, comparison="worse", now=NOW
        )
        symptoms.rate_symptom(session=session, symptom_id=insomnia, day=TODAY, severity=1, now=NOW)
        checkins.set_checkin(session=session, day=TODAY, mood=5, sleep_hours=6.5, now=NOW)
        checkins.set_checkin(session=session, day=date(2026, 8, 1), mood=6, is_baseline=True, now=NOW)
    db.close()


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("core-snapshots") / "tracker.db"
    _build(path)
    return path


@pytest.fixture
def today_app(_template: Path, tmp_path: Path) -> TrackerApp:
    target = tmp_path / "snap" / "tracker.db"
    target.parent.mkdir()
    shutil.copy(_template, target)
    return TrackerApp(target, clock=lambda: NOW)


@pytest.fixture
def first_run_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TrackerApp:
    # a relative path, so the welcome shows the same "where your data is kept" on every machine
    monkeypatch.chdir(tmp_path)
    return TrackerApp(Path("data/tracker.db"), create_dir=True, clock=lambda: NOW)


async def medication_error(pilot: Pilot[None]) -> None:
    await ready(pilot)
    await pilot.press("enter")
    await ready(pilot)
    await pilot.press("s", "e", "r", "t", "tab", "f", "i", "f", "t", "y", "enter")
    await ready(pilot)


def test_today_80x24(snap_compare: Any, today_app: TrackerApp) -> None:
    assert snap_compare(today_app, terminal_size=(80, 24), run_before=ready)


def test_today_120x40(snap_compare: Any, today_app: TrackerApp) -> None:
    assert snap_compare(today_app, terminal_size=(120, 40), run_before=ready)


def test_first_run_welcome_80x24(snap_compare: Any, first_run_app: TrackerApp) -> None:
    assert snap_compare(first_run_app, terminal_size=(80, 24), run_before=ready)


def test_first_run_welcome_120x40(snap_compare: Any, first_run_app: TrackerApp) -> None:
    assert snap_compare(first_run_app, terminal_size=(120, 40), run_before=ready)


def test_first_run_medication_errors_80x24(snap_compare: Any, first_run_app: TrackerApp) -> None:
    assert snap_compare(first_run_app, terminal_size=(80, 24), run_before=medication_error)
