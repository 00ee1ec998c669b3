"""Issue 17, item 2: keys are safe to mash.

Nothing runs after quit (the word ``question`` typed outside a field quits on its ``q`` and its
``u`` must not undo anything); a change asked for just before quit is saved; text typed ahead
into the symptom list finds a symptom instead of rating one or opening a screen; Today's
single keys that change data act only while one of its lists has the focus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TODAY
from sqlmodel import col, func, select

from tracker.models import AuditEntry, SymptomEntry
from tracker.ui.app import TrackerApp
from tracker.ui.screens.today import TodayScreen
from tracker.ui.widgets.symptom_list import SymptomList


def _audit_count(open_db: Any, path: Path) -> int:
    with open_db(path).read() as session:
        return int(session.exec(select(func.count(col(AuditEntry.id)))).one())


def _ratings(open_db: Any, path: Path) -> dict[str, int]:
    with open_db(path).read() as session:
        rows = session.exec(select(SymptomEntry).where(SymptomEntry.day == TODAY)).all()
        return {r.symptom_name: r.severity for r in rows}


async def test_typing_question_quits_and_nothing_after_the_q_runs(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "2")  # rate Brain zaps moderate: the change an undo would take away
        await settle(pilot)
        before = _audit_count(open_db, seeded_path)
        await pilot.press(*"question")
        await settle(pilot)
    assert _ratings(open_db, seeded_path) == {"Brain zaps": 2}
    assert _audit_count(open_db, seeded_path) == before  # no undo, nothing else


async def test_a_change_asked_for_just_before_quit_is_saved(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "3", "q")  # no wait between the rating and quit
    assert _ratings(open_db, seeded_path) == {"Brain zaps": 3}


async def test_typed_ahead_text_finds_a_symptom_instead_of_firing_keys(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        symptoms = app.screen.query_one(SymptomList)
        assert app.screen.focused is symptoms
        await pilot.press(*"50mg")  # 0 would rate, m would open Medications
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert _ratings(open_db, seeded_path) == {}
        await pilot.press("escape")
        await pilot.press(*"diz")  # d starts a search: the rest of the word goes to it
        await settle(pilot)
        current = symptoms.current
        assert current is not None and current.name == "Dizziness or vertigo"
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("escape", "1")  # the search is over: 1 rates the symptom found
        await settle(pilot)
    assert _ratings(open_db, seeded_path) == {"Dizziness or vertigo": 1}


async def test_data_keys_of_today_need_a_list_focused_and_say_why(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "2")
        await settle(pilot)
        before = _audit_count(open_db, seeded_path)
        app.screen.set_focus(None)
        await pilot.pause()
        await pilot.press("u")
        await settle(pilot)
        assert _audit_count(open_db, seeded_path) == before
        assert any("acts only there" in n.message for n in app._notifications)
        app.screen.query_one(SymptomList).focus()
        await pilot.pause()
        await pilot.press("u")
        await settle(pilot)
    assert _ratings(open_db, seeded_path) == {}
