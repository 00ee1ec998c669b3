"""Today's `z` (issue 14): snooze the highlighted dose's reminder for 15 minutes; the dose keeps its
scheduled time, and a dose that is not due cannot be snoozed. Clock frozen at 27 Nov 2026 12:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from tracker.models import DoseEvent, DoseSnooze
from tracker.ui.app import TrackerApp
from tracker.ui.widgets.dose_list import DoseList


async def test_z_snoozes_the_due_dose(seeded_path: Path, clock: Any, settle: Any, open_db: Any) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "z" in app.screen.active_bindings  # a key of Today, so in the footer and the palette
        dose_list = app.screen.query_one(DoseList)
        assert dose_list.current is not None and dose_list.current.status == "due"  # the 08:00 dose
        await pilot.press("z")
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert "reminder snoozed until 12:15 (it keeps its time)" in status
        with open_db(seeded_path).read() as s:
            (snooze,) = s.exec(select(DoseSnooze)).all()
            assert snooze.scheduled_for.replace(tzinfo=UTC) == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
            assert snooze.until.replace(tzinfo=UTC) == datetime(2026, 11, 27, 12, 15, tzinfo=UTC)
            assert s.exec(select(DoseEvent).where(DoseEvent.day == snooze.scheduled_for.date())).all() == []
        await pilot.press("down")  # the 20:00 dose: more than an hour ahead
        await settle(pilot)
        assert dose_list.current is not None and dose_list.current.status == "upcoming", dose_list.current
        await pilot.press("z")
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert status.endswith(
            "Sertraline 20:00 is not due yet: it can be snoozed from an hour before its time."
        )
