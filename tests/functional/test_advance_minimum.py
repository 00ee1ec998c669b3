"""Advancing before a step's agreed minimum says so plainly, in the Taper screen's confirmation
and in ``tracker taper advance``, without telling anyone what to do (DOMAIN.md, Wording).

The demo's plan (conftest.demo_db) is at step 3, 37.5 mg a day, day 28 of an agreed minimum of 42
days (Today says "day 28", counting today). Advancing today makes today the next step's first
day, so step 3 has run 27 days: "Step 3 has run 27 of its agreed minimum 42 days."
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from conftest import TODAY
from helpers.pilot import settle
from test_trust_taper import _modal_text, _taper

from tracker.cli import main
from tracker.services import demo
from tracker.ui.app import TrackerApp
from tracker.ui.screens.taper import ReasonModal

UTC = ZoneInfo("UTC")
LINE = "Step 3 has run 27 of its agreed minimum 42 days."
FORBIDDEN = [  # tests/unit/test_guards.py's patterns: an instruction to change a dose
    r"\b(reduce|lower|decrease|increase|raise|change|adjust|halve|double|stop|skip|cut)\s+(your|the|this|a)\s+"
    r"(dose|medicine|medication|tablets?|pills?)",
    r"\btake (more|less|fewer|an extra|another|half)\b",
    r"\b(stop|start) taking\b",
    r"\byou should (reduce|take|stop|increase|skip|lower|raise)",
    r"(^|[.!:;]\s+)(reduce|increase|lower|raise|stop|skip|halve|double|take|cut)\b",
    r"\b(reduce|increase|lower|raise) (it|to)\b",
    r"\bskip (a|the|your|tomorrow|today|one)\b",
]


def _instructs(text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE | re.MULTILINE) for p in FORBIDDEN)


async def test_advance_dialog_states_the_days_run_of_the_minimum(demo_db: Path) -> None:
    app = TrackerApp(demo_db, clock=lambda: demo.demo_now(TODAY, UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await _taper(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ReasonModal)
        text = _modal_text(app)
        await pilot.press("escape")  # cancelled: nothing recorded
        await settle(pilot)
    assert LINE in text, text
    assert not _instructs(LINE)


async def test_advance_dialog_says_nothing_of_the_minimum_once_it_is_reached(demo_db: Path) -> None:
    later = date(2026, 12, 12)  # step 3 began 27 days before TODAY: 15 days on, 42 days run
    app = TrackerApp(demo_db, clock=lambda: demo.demo_now(later, UTC))
    async with app.run_test(size=(80, 24)) as pilot:
        await _taper(app, pilot)
        await pilot.press("v")
        await settle(pilot)
        text = _modal_text(app)
    assert "agreed minimum" not in text, text


def test_cli_advance_prints_the_same_line(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(demo.demo_now(TODAY, UTC), tick=False):
        code = main(["taper", "advance", "sertraline", "--reason", "agreed at review", "--db", str(demo_db)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert f"Note: {LINE}" in out.splitlines(), out
