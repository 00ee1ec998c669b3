"""Issue 17, items 6 and 7: the high-contrast themes, the palette from anywhere, the keymap file,
the "rest are none" key, sleep as 6:30, time zones by city, words instead of internal names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY
from sqlmodel import select

from tracker.domain.errors import TrackerError
from tracker.models import SymptomEntry
from tracker.ui.app import TrackerApp
from tracker.ui.widgets.symptom_list import SymptomList


def _keymap_file(text: str) -> Path:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "taper-tracker" / "keymap.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_keymap_file_remaps_a_binding_by_its_id(seeded_path: Path, clock: Any, settle: Any) -> None:
    _keymap_file('go-medications = "M"\n')
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("m")  # no longer Medications
        await settle(pilot)
        assert app.current_mode == "today"
        await pilot.press("M")
        await settle(pilot)
        assert app.current_mode == "medications"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('go-medication = "M"\n', "no key binding has the id 'go-medication' (did you mean go-medications?)"),
        ("go-medications = 5\n", "needs its keys as text"),
        ("go-medications = \n", "is not valid TOML"),
    ],
)
async def test_a_bad_keymap_file_says_what_is_wrong_and_keeps_the_keys(
    seeded_path: Path, clock: Any, settle: Any, text: str, words: str
) -> None:
    _keymap_file(text)
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any(words in n.message for n in app._notifications), [n.message for n in app._notifications]
        await pilot.press("m")
        await settle(pilot)
        assert app.current_mode == "medications"


async def test_the_palette_finds_the_export_from_today_and_lists_quit_once(
    seeded_path: Path, clock: Any, settle: Any
) -> None:
    from textual.command import CommandPalette

    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        for ch in "quit":
            await pilot.press(ch)
        await settle(pilot)
        titles = [str(o.prompt) for o in palette.query_one("CommandList").options]  # type: ignore[attr-defined]
        assert sum("Quit" in t for t in titles) == 1, titles
        for _ in "quit":
            await pilot.press("backspace")
        for ch in "export":
            await pilot.press(ch)
        await settle(pilot)
        titles = [str(o.prompt) for o in palette.query_one("CommandList").options]  # type: ignore[attr-defined]
        assert any(t.startswith("Clinician:") and "xport" in t for t in titles), titles


async def test_rest_are_none_rates_every_unrated_symptom_but_the_crisis_item(
    seeded_path: Path, clock: Any, settle: Any, open_db: Any
) -> None:
    app = TrackerApp(seeded_path, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        symptoms = app.screen.query_one(SymptomList)
        symptoms.focus()
        await pilot.press("2")  # the first symptom: moderate
        await settle(pilot)
        await pilot.press("N")
        await settle(pilot)
        catalogue = [r for r in symptoms.rows]
    with open_db(seeded_path).read() as session:
        rows = {
            e.symptom_name: e.severity
            for e in session.exec(select(SymptomEntry).where(SymptomEntry.day == TODAY))
        }
    crisis = [r.name for r in catalogue if r.is_crisis]
    assert crisis and not any(name in rows for name in crisis)  # never answered for the user
    assert sorted(v for v in rows.values()) == [0] * (len(catalogue) - len(crisis) - 1) + [2]


def test_sleep_as_hours_and_minutes() -> None:
    from tracker.domain.units import parse_sleep

    assert parse_sleep("6:30") == 6.5
    assert parse_sleep("6h30") == 6.5
    assert parse_sleep("7h") == 7.0
    with pytest.raises(TrackerError, match="75 minutes is more than an hour"):
        parse_sleep("6:75")


def test_time_zone_by_city_name_with_suggestions() -> None:
    from tracker.domain.timeutil import parse_zone

    assert parse_zone("london").key == "Europe/London"
    assert parse_zone("new york").key == "America/New_York"
    with pytest.raises(ValueError, match="did you mean Europe/London"):
        parse_zone("londn")


def test_history_and_undo_speak_of_settings_and_plan_history_in_words(db: Any, now: Any) -> None:
    from tracker.services import audit, history, settings

    with db.write() as session:
        settings.set_setting(session=session, key="first_run_done", value=True)
    from tracker.models import AuditEntry

    with db.read() as session:
        last = session.exec(select(AuditEntry)).all()[-1]
        _what, detail = history.describe_change(last, settings.user_zone(session=session))
    assert "first_run_done" not in detail and "welcome finished" in detail
    assert audit._label("planevent") == "plan history entry"
