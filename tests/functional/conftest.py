"""Fixtures for Pilot tests of the UI: a small fixed database and a frozen clock.

The dataset (built once per session, copied for each test): Sertraline 50 mg
tablets prescribed 50 mg at 08:00 and 20:00 since 1 August 2026; Brain zaps
logged on the three days before today, Insomnia on two and Nausea on one (so
the "used recently" order is Brain zaps, Insomnia, Nausea); a check-in two
days ago. The clock is frozen at Friday 27 November 2026 12:00 UTC, when the
08:00 dose is due and the 20:00 one is later today.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from helpers.pilot import settle as _settle
from textual.pilot import Pilot

from tracker.db import Database, open_database

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
YESTERDAY = TODAY - timedelta(days=1)


def build_dataset(path: Path) -> None:
    """Write the fixed dataset described in the module docstring to ``path``."""
    from tracker.services import checkins, meds, settings, symptoms

    db = open_database(path, create_dir=True)
    with db.write() as session:
        for key, value in (("timezone", "UTC"), ("disclaimer_acknowledged", True), ("first_run_done", True)):
            settings.set_setting(session=session, key=key, value=value)
        med = meds.create_medication(session=session, name="Sertraline", strength_mg=50.0, form="tablet")
        meds.set_prescription(
            session=session,
            medication_id=med.id or 0,
            dose_mg=50.0,
            times=[time(8, 0), time(20, 0)],
            start_date=date(2026, 8, 1),
        )
        for name, days in (("brain-zaps", 3), ("insomnia", 2), ("nausea", 1)):
            symptom = symptoms.find_symptom(session=session, name=name)
            for back in range(1, days + 1):
                symptoms.rate_symptom(
                    session=session,
                    symptom_id=symptom.id or 0,
                    day=TODAY - timedelta(days=back),
                    severity=1,
                    now=NOW,
                )
        checkins.set_checkin(session=session, day=TODAY - timedelta(days=2), mood=6, sleep_hours=7.0, now=NOW)
    db.close()


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tracker.db"
    build_dataset(path)
    return path


@pytest.fixture
def seeded_path(_template_db: Path, tmp_path: Path) -> Path:
    """A private copy of the fixed dataset."""
    target = tmp_path / "seeded" / "tracker.db"
    target.parent.mkdir()
    shutil.copy(_template_db, target)
    return target


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
def open_db() -> Iterator[Callable[[Path], Database]]:
    """Open a database for assertions; closed at the end of the test."""
    opened: list[Database] = []

    def opener(path: Path) -> Database:
        db = open_database(path)
        opened.append(db)
        return db

    yield opener
    for db in opened:
        db.close()


async def _type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` key by key, as a user would."""
    names = {" ": "space", ":": "colon", ",": "comma", ".": "full_stop", "-": "minus", "/": "slash"}
    await pilot.press(*(names.get(ch, ch) for ch in text))


@pytest.fixture
def settle() -> Callable[[Pilot[None]], Awaitable[None]]:
    """``await settle(pilot)``: wait for workers and their messages (no fixed sleeps)."""
    return _settle


@pytest.fixture
def type_text() -> Callable[[Pilot[None], str], Awaitable[None]]:
    """``await type_text(pilot, "50mg")``: press each key of a text."""
    return _type_text


@pytest.fixture(scope="session")
def _screens_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from screens_conftest import build_screens_db

    path = tmp_path_factory.mktemp("screens-template") / "tracker.db"
    build_screens_db(path)
    return path


@pytest.fixture
def screens_db(_screens_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the screens' dataset (screens_conftest.build_screens_db) for one test."""
    target = tmp_path / "screens" / "tracker.db"
    target.parent.mkdir()
    shutil.copy(_screens_template, target)
    return target


# -- shared by the Taper screen's tests (test_taper_screen, test_trust_taper and the files using them)


@pytest.fixture
def taper_db(tmp_path: Path) -> Path:
    """Sertraline 50 mg tablets (quarters), 25 mg at 08:00 and 20:00 (50 mg a day) since September;
    the zone Europe/London (GMT on 27 November, so UTC)."""
    from tracker.services import meds, settings

    path = tmp_path / "taper" / "tracker.db"
    db = open_database(path, create_dir=True)
    with db.write() as s:
        for key, value in (
            ("timezone", "Europe/London"),
            ("disclaimer_acknowledged", True),
            ("first_run_done", True),
        ):
            settings.set_setting(session=s, key=key, value=value)
        med = meds.create_medication(
            session=s, name="Sertraline", strength_mg=50, tablet_fractions="1,0.5,0.25"
        )
        meds.set_prescription(
            session=s,
            medication_id=med.id or 0,
            dose_mg=25,
            times=[time(8), time(20)],
            start_date=date(2026, 9, 1),
        )
    db.close()
    return path


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """`tracker demo`'s history, made for TODAY in UTC: sertraline step 3 of 6 running, 37.5 mg a day,
    day 28 of an agreed minimum of 42 days."""
    from zoneinfo import ZoneInfo

    from tracker.services import demo, settings

    path = tmp_path / "demo.db"
    db = open_database(path)
    with db.write(audit=False) as s:
        demo.generate_demo(session=s, today=TODAY, tz=ZoneInfo("UTC"))
        settings.set_setting(session=s, key="timezone", value="UTC")
    db.close()
    return path
