"""Waiting for the app in Pilot tests: the one settle helper every UI test uses (no fixed sleeps)."""

from __future__ import annotations

import contextlib
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker is pending or running and every message they posted is handled."""
    app = pilot.app
    for _ in range(50):
        with contextlib.suppress(WorkerCancelled):  # superseded work (an exclusive reload) is finished
            await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):  # pending ones count too
            await pilot.pause()
            return
    raise AssertionError("workers kept running")


async def ready(pilot: Pilot[Any]) -> None:
    """Settled, and no blinking cursor: what a snapshot needs to be stable."""
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()
