"""Pilot tests of D8 micro-steps at 80x24: Today's dose is the day's row of the table, and the
Taper screen shows the strip with today highlighted.

Sertraline 20 mg/ml concentrate, 50 mg at 08:00. The daily table 50 -> 25 mg over 28 days from
1 Dec 2026 (hand-worked in tests/unit/test_taper_micro.py): day 1 50 mg (2.5 ml), day 2 48 mg
(2.4 ml), day 3 46 mg (2.3 ml). The draft is made, agreed and started on 1 Dec (the plan rule:
drafts are made on the day they are agreed), with the clock fixed; the app's clock is 2 Dec 08:30.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import time_machine
from helpers.pilot import settle

from tracker.db import open_database
from tracker.services import meds, settings
from tracker.services import taper as svc
from tracker.services import taper_micro as micro
from tracker.ui.app import TrackerApp
from tracker.ui.screens.taper import TaperScreen
from tracker.ui.screens.today import TodayScreen
from tracker.ui.widgets.dose_list import DoseList
from tracker.ui.widgets.micro_table import MicroStrip

DAY1 = date(2026, 12, 1)
STARTED = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


def _clock() -> datetime:
    return NOW


@pytest.fixture
def micro_db(tmp_path: Path) -> Path:
    path = tmp_path / "micro" / "tracker.db"
    db = open_database(path, create_dir=True)
    try:
        with time_machine.travel(STARTED, tick=False), db.write() as s:
            for key, value in (
                ("timezone", "UTC"),
                ("disclaimer_acknowledged", True),
                ("first_run_done", True),
            ):
                settings.set_setting(session=s, key=key, value=value)
            med = meds.create_medication(session=s, name="Sertraline", strength_mg=20, form="liquid")
            meds.set_prescription(
                session=s,
                medication_id=med.id or 0,
                dose_mg=50,
                times=[time(8)],
                start_date=date(2026, 11, 1),
            )
            inputs = svc.draft_inputs(session=s, medication_id=med.id or 0, today=DAY1)
            draft, table = micro.calculate_micro(inputs, cadence="daily", count=28, to_mg=25, start_date=DAY1)
            plan = micro.save_micro_draft(
                session=s, medication_id=med.id or 0, draft=draft, table=table, now=STARTED
            )
            tz = settings.user_zone(session=s)
            svc.agree_plan(
                session=s, plan_id=plan.id, prescriber="Dr Rao", agreed_on=DAY1, now=STARTED, tz=tz
            )
            svc.start_plan(session=s, plan_id=plan.id, now=STARTED, tz=tz)
    finally:
        db.close()
    return path


async def test_today_shows_the_days_row(micro_db: Path) -> None:
    app = TrackerApp(micro_db, clock=_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        rows = screen.query_one(DoseList).rows
        assert [(r.status, r.dose_mg) for r in rows] == [
            ("due", 48.0)
        ]  # day 2's row, not the 50 mg prescribed
        taper = str(screen.query_one("#taper-step").render())
        assert "48 mg today" in taper and "day 2 of 28" in taper


async def test_taper_screen_shows_the_strip_at_80x24(micro_db: Path) -> None:
    app = TrackerApp(micro_db, clock=_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaperScreen)
        strip = screen.query_one("#micro-strip", MicroStrip)
        assert strip.display
        text = str(strip.render())
        assert "daily micro-steps 50 -> 25 mg" in text
        assert "Today, day 2 of 28: 48 mg (2.4 ml of 20 mg/ml)" in text
        assert "▶02 2.4ml" in text  # today: the symbol, not only the colour
        assert "01 2.5ml" in text and "03 2.3ml" in text
        # on screen, inside 80 columns, below the title and above the footer
        region = strip.region
        assert region.height >= 4 and region.x >= 0 and region.right <= 80 and region.y < 23
        assert all(len(line) <= 78 for line in text.splitlines()[2:4])  # the two lines of cells fit
