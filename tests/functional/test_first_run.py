"""Pilot tests of the first run: disclaimer, first medication, optional baseline."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Any

from sqlmodel import select

from tracker.models import CheckIn, Medication, Prescription, SymptomEntry
from tracker.services import settings
from tracker.ui.app import TrackerApp
from tracker.ui.screens.first_run import FirstRunScreen, check_medication
from tracker.ui.screens.today import TodayScreen
from tracker.ui.widgets.symptom_list import SymptomList

TODAY = date(2026, 11, 27)


def error_text(app: TrackerApp, field: str) -> str:
    return str(app.screen.query_one(f"#err-{field}").render())


async def fill_medication(pilot: Any, type_text: Any, *, strength: str = "50mg") -> None:
    """Name, strength, (form stays tablet), dose, times; Enter in the last field saves."""
    await type_text(pilot, "Sertraline")
    await pilot.press("tab")
    await type_text(pilot, strength)
    await pilot.press("tab", "tab")  # past the form selector
    await type_text(pilot, "1 tablet")
    await pilot.press("tab")
    await type_text(pilot, "08:00")
    await pilot.press("enter")


async def test_disclaimer_medication_skip_baseline(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen)
        assert str(screen.query_one("#db-path").render()) == str(path)
        assert "not medical advice" in str(screen.query_one("#disclaimer").render())
        await pilot.press("m")  # mode keys are off during the welcome
        assert isinstance(app.screen, FirstRunScreen) and app.screen.step == "welcome"
        await pilot.press("enter")  # "I understand, continue"
        await settle(pilot)
        assert screen.step == "medication"
        await fill_medication(pilot, type_text)
        await settle(pilot)
        assert screen.step == "baseline"
        await pilot.press("escape")  # skip the baseline
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert [r.medication_name for r in app.screen.query_one("#doses").rows] == ["Sertraline"]  # type: ignore[attr-defined]
    with open_db(path).read() as session:
        [med] = session.exec(select(Medication)).all()
        [rx] = session.exec(select(Prescription)).all()
        assert (med.name, med.strength_mg, med.form, med.drug_class) == ("Sertraline", 50.0, "tablet", "SSRI")
        assert (rx.dose_mg, rx.times, rx.start_date) == (50.0, "08:00", TODAY)
        assert settings.get_setting(session=session, key="disclaimer_acknowledged") is True
        assert settings.get_setting(session=session, key="first_run_done") is True
        assert session.exec(select(CheckIn)).all() == []


async def test_invalid_medication_shows_the_message_and_saves_nothing(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await fill_medication(pilot, type_text, strength="fifty")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen) and screen.step == "medication"
        assert error_text(app, "strength") == (
            "Strength 'fifty' is not understood; give it like 20mg, 2mg/ml, 10mg/5ml or 2mg/drop."
        )
        assert app.focused is screen.query_one("#med-strength")
    with open_db(path).read() as session:
        assert session.exec(select(Medication)).all() == []
        assert settings.get_setting(session=session, key="disclaimer_acknowledged") is True
        assert settings.get_setting(session=session, key="first_run_done") is False


async def test_a_second_start_resumes_the_welcome_until_it_is_finished(
    tmp_path: Path, clock: Any, settle: Any
) -> None:
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    again = TrackerApp(path, clock=clock)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, FirstRunScreen)
        assert str(again.screen.query_one("#ack-note").render()) == "You acknowledged this before."


async def test_baseline_is_saved_as_a_baseline_check_in(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")  # skip the medication
        assert app.screen.step == "baseline"  # type: ignore[attr-defined]
        assert isinstance(app.focused, SymptomList)
        await pilot.press("2", "1")  # Fatigue 2, then the cursor moves on: Headache 1
        await pilot.press("shift+tab", "shift+tab")  # sleep, then mood
        await type_text(pilot, "6")
        await pilot.press("tab")
        await type_text(pilot, "7.5")
        await pilot.press("enter")  # moves on to the symptoms; it does not save
        assert isinstance(app.focused, SymptomList)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    with open_db(path).read() as session:
        checkin = session.exec(select(CheckIn)).one()
        assert (checkin.day, checkin.mood, checkin.sleep_hours, checkin.is_baseline) == (TODAY, 6, 7.5, True)
        entries = session.exec(select(SymptomEntry)).all()
        assert {e.symptom_name: e.severity for e in entries if e.severity} == {"Fatigue": 2, "Headache": 1}
        # unrated symptoms are saved as 0: a real baseline, not "not logged"
        assert len(entries) == 28 and {e.day for e in entries} == {TODAY}
        assert session.exec(select(Medication)).all() == []


async def test_taking_it_since_is_stored_and_no_starting_note_for_a_long_term_user(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    """ "Taking it since" 2024-03-01: stored, and Today tells a long-term user nothing about starting."""
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "Sertraline")
        await pilot.press("tab")
        await type_text(pilot, "50mg")
        await pilot.press("tab", "tab")
        await type_text(pilot, "1 tablet")
        await pilot.press("tab")
        await type_text(pilot, "08:00")
        await pilot.press("tab")
        await type_text(pilot, "2999-01-01")  # in the future: refused beside the field
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen) and screen.step == "medication"
        assert error_text(app, "since") == "Date 2999-01-01 is in the future."
        since = screen.query_one("#med-since")
        assert app.focused is since
        since.value = ""  # type: ignore[attr-defined]
        await type_text(pilot, "2024-03-01")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")  # skip the baseline
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert not any(r.rule == "R10" for r in app.screen.data.reminders)  # type: ignore[union-attr]
    with open_db(path).read() as session:
        [med] = session.exec(select(Medication)).all()
        assert med.started_on == date(2024, 3, 1)


async def test_a_blank_start_date_is_unknown_and_says_nothing_about_starting(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await fill_medication(pilot, type_text)  # "Taking it since" left blank
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        messages = [r.message for r in app.screen.data.reminders]  # type: ignore[union-attr]
        assert not any("You started" in m for m in messages)
    with open_db(path).read() as session:
        [med] = session.exec(select(Medication)).all()
        assert med.started_on is None


def test_check_medication_reports_every_wrong_field() -> None:
    checked, errors = check_medication("", "20mg/5ml", "tablet", "2 tablets", "25:00")
    assert checked is None
    assert errors == {
        "name": "Give the medication's name, such as sertraline.",
        "form": "A strength per ml needs the form liquid.",
        "times": "Time '25:00' is not a time of day.",
    }


def test_check_medication_converts_ml_of_a_liquid() -> None:
    checked, errors = check_medication("Citalopram", "10mg/5ml", "liquid", "2.5ml", "08:00, 20:00")
    assert errors == {}
    assert checked is not None
    assert (checked.strength_mg, checked.dose_mg, checked.times) == (2.0, 5.0, [time(8), time(20)])


async def test_today_has_focus_after_the_first_run_so_keys_work_at_once(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    """After the welcome, Enter marks the due dose taken without a click or a Tab first."""
    from tracker.models import DoseEvent

    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # "I understand, continue"
        await settle(pilot)
        await fill_medication(pilot, type_text)
        await settle(pilot)
        await pilot.press("escape")  # skip the baseline
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen) and app.screen.focused is not None
        await pilot.press("enter")
        await settle(pilot)
    with open_db(path).read() as session:
        assert [e.status for e in session.exec(select(DoseEvent)).all()] == ["taken"]


# -- other strengths and the time zone (issue 12, issue 17) ------------------------------------


async def _to_since(pilot: Any, type_text: Any, settle: Any) -> None:
    """Welcome accepted; name, strength, dose and times typed; focus on "Taking it since"."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await type_text(pilot, "Sertraline")
    await pilot.press("tab")
    await type_text(pilot, "50mg")
    await pilot.press("tab", "tab")
    await type_text(pilot, "1 tablet")
    await pilot.press("tab")
    await type_text(pilot, "08:00")
    await pilot.press("tab")


async def test_other_strengths_and_a_city_zone_are_saved(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any, monkeypatch: Any
) -> None:
    """'25, 100mg' is stored as '25,100' (the parser of med add --other-strengths); the zone field
    starts at the system zone, 'lond' suggests Europe/London and Tab takes it."""
    monkeypatch.setenv("TZ", "America/New_York")
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_since(pilot, type_text, settle)
        screen = app.screen
        assert screen.query_one("#med-zone").value == "America/New_York"  # type: ignore[attr-defined]
        await pilot.press("tab")  # since left blank
        assert app.focused is screen.query_one("#med-other")
        await type_text(pilot, "25, 100mg")
        await pilot.press("tab")
        zone = screen.query_one("#med-zone")
        assert app.focused is zone
        zone.value = ""  # type: ignore[attr-defined]
        await type_text(pilot, "lond")
        await settle(pilot)
        assert zone._suggestion == "lond → Europe/London"  # type: ignore[attr-defined]
        await pilot.press("tab")  # takes the suggested zone
        assert zone.value == "Europe/London"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen) and app.screen.step == "baseline"
    with open_db(path).read() as session:
        [med] = session.exec(select(Medication)).all()
        assert (med.strength_mg, med.other_strengths) == (50.0, "25,100")
        assert settings.get_setting(session=session, key="timezone") == "Europe/London"


async def test_bad_other_strengths_are_named_and_nothing_is_saved(
    tmp_path: Path, clock: Any, settle: Any, type_text: Any, open_db: Any
) -> None:
    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _to_since(pilot, type_text, settle)
        await pilot.press("tab")
        await type_text(pilot, "25,abc")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen) and screen.step == "medication"
        message = error_text(app, "other")
        assert "Other strengths" in message and "such as 25,100" in message and "abc" not in message
        assert app.focused is screen.query_one("#med-other")
    with open_db(path).read() as session:
        assert session.exec(select(Medication)).all() == []


def test_other_strengths_are_for_tablets_and_capsules_and_a_zone_must_exist() -> None:
    _, errors = check_medication("Sertraline", "20mg/ml", "liquid", "1ml", "08:00", other="25")
    assert set(errors) == {"other"} and "tablets or capsules" in errors["other"]
    _, errors = check_medication(
        "Sertraline", "50mg", "capsule", "1 capsule", "08:00", zone="Nowhere/Atlantis"
    )
    assert set(errors) == {"zone"} and errors["zone"].startswith("Time zone not found")
    checked, errors = check_medication(
        "Sertraline", "50mg", "tablet", "1 tablet", "08:00", other="50,25", zone=""
    )
    assert errors == {} and checked is not None
    assert (checked.other_strengths, checked.zone) == ("25", None)  # its own strength left out; zone as it is


async def test_keys_typed_ahead_of_tab_land_in_the_next_field(
    tmp_path: Path, clock: Any, settle: Any
) -> None:
    """A fast typist (or tmux send-keys): "sertraline<Tab>100mg" arrives as one burst. Textual ran
    the screen's Tab binding only when the key came back up from the name field, after "100mg"
    had already gone into it ("sertraline100mg", strength empty)."""
    from textual import events

    path = tmp_path / "new" / "tracker.db"
    app = TrackerApp(path, create_dir=True, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen) and screen.step == "medication"
        burst = [*"sertraline", "tab", *"100mg"]
        for key in burst:  # posted at once, none awaited: the order a terminal delivers them in
            app.post_message(events.Key(key, "\t" if key == "tab" else key))
        await settle(pilot)
        assert screen.query_one("#med-name").value == "sertraline"  # type: ignore[attr-defined]
        assert screen.query_one("#med-strength").value == "100mg"  # type: ignore[attr-defined]
