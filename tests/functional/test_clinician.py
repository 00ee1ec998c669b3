"""Clinician screen (Pilot, 80x24): questions, appointments, and the summary export wiring."""

from __future__ import annotations

import importlib.machinery
import sys
import types
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from screens_conftest import (
    NOW,
    TODAY,
    make_app,
    notifications,
    press,
    settle,
    static_text,
    table_rows,
    type_text,
    with_db,
)

from tracker.services import clinician
from tracker.ui.screens import clinician as clinician_screen
from tracker.ui.screens.clinician import (
    AppointmentForm,
    ClinicianScreen,
    ExportForm,
    QuestionForm,
    output_path,
)
from tracker.ui.widgets.forms import ConfirmModal


def stored(path: Path) -> tuple[list[tuple[str, datetime | None, str | None]], list[datetime]]:
    """(questions as (text, answered_at, answer), appointment times) in the database."""
    db = with_db(path)
    try:
        with db.read() as s:
            questions = [(q.text, q.answered_at, q.answer) for q in clinician.list_questions(session=s)]
            appointments = [a.at for a in clinician.list_appointments(session=s)]
    finally:
        db.close()
    return questions, appointments


async def test_questions_and_appointments(screens_db: Path) -> None:
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, ClinicianScreen)
        assert [r[:2] for r in table_rows(app, "#question-table")] == [
            ["2026-11-01", "open"],
            ["2026-10-01", "answered"],
        ]
        await press(pilot, "n")
        assert isinstance(app.screen, QuestionForm)
        await press(pilot, "enter")  # empty: refused
        assert static_text(app, "#e-text") == "Write the question first"
        await type_text(pilot, "Can I take it at night?")
        await press(pilot, "enter")
        assert isinstance(app.screen, ClinicianScreen)
        questions, _ = stored(screens_db)
        assert questions[-1] == ("Can I take it at night?", None, None)
        assert table_rows(app, "#question-table")[1] == [TODAY.isoformat(), "open", "Can I take it at night?"]

        await press(pilot, "x")  # the new question is highlighted
        await type_text(pilot, "Yes")
        await press(pilot, "enter")
        questions, _ = stored(screens_db)
        assert questions[-1] == ("Can I take it at night?", NOW, "Yes")
        assert table_rows(app, "#question-table")[1][:2] == [TODAY.isoformat(), "answered"]
        assert "Answered 2026-11-27: Yes" in static_text(app, "#clinician-detail")

        # appointments: a wrong time is refused, then added, then deleted after confirmation
        assert [r[0] + " " + r[3] for r in table_rows(app, "#appt-table")] == [
            "2026-12-10 09:15 booked",
            "2026-10-15 10:30 past",
        ]
        await press(pilot, "a")
        assert isinstance(app.screen, AppointmentForm)
        await type_text(pilot, "2027-01-15")
        await press(pilot, "tab")
        await type_text(pilot, "25:00")
        await press(pilot, "enter")
        assert static_text(app, "#e-time") == "Time '25:00' is not a time of day"
        assert len(stored(screens_db)[1]) == 2
        await pilot.press("ctrl+u")
        await type_text(pilot, "09:30")
        await press(pilot, "enter")
        appointments = stored(screens_db)[1]
        assert datetime(2027, 1, 15, 9, 30, tzinfo=UTC) in appointments  # London is on UTC in January
        assert table_rows(app, "#appt-table")[1][0] == "2027-01-15 09:30"

        await press(pilot, "d")  # the new appointment is highlighted
        assert isinstance(app.screen, ConfirmModal)
        assert "2027-01-15 09:30" in static_text(app, "#confirm-question")
        await press(pilot, "escape")
        assert len(stored(screens_db)[1]) == 3
        await press(pilot, "d", "y")
        assert datetime(2027, 1, 15, 9, 30, tzinfo=UTC) not in stored(screens_db)[1]
        assert len(table_rows(app, "#appt-table")) == 2


async def test_export_without_then_with_the_exporter(
    screens_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def write_summary(**kwargs: Any) -> Path:
        calls.append(kwargs)
        kwargs["out"].write_text("summary")
        return kwargs["out"]

    fake = types.ModuleType(clinician_screen.EXPORT_MODULE)
    fake.__spec__ = importlib.machinery.ModuleSpec(clinician_screen.EXPORT_MODULE, None)
    fake.write_summary = write_summary  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, clinician_screen.EXPORT_MODULE, fake)
    target = tmp_path / "out" / "summary.html"
    target.parent.mkdir()

    installed = [False]
    real_check = clinician_screen.export_available
    monkeypatch.setattr(clinician_screen, "export_available", lambda: installed[0] and real_check())

    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "e")
        assert isinstance(app.screen, ClinicianScreen)
        assert "Export is not available yet." in notifications(app)

        installed[0] = True  # now the (fake) exporter is there
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, ExportForm)
        assert form.values() == {
            "fmt": "md",
            "start": "2026-08-30",
            "end": "2026-11-27",
            "out": "~/taper-summary-2026-11-27.md",
        }
        await press(pilot, "enter", "down", "enter")  # the format list: Markdown -> Web page
        assert form.values()["out"] == "~/taper-summary-2026-11-27.html"
        form.set_value("out", str(target))
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ClinicianScreen)
    assert target.read_text() == "summary"
    assert len(calls) == 1
    call = calls[0]
    assert (call["start"], call["end"], call["fmt"], call["out"], call["now"]) == (
        date(2026, 8, 30),
        TODAY,
        "html",
        target,
        NOW,
    )
    assert call["tz"].key == "Europe/London" and call["session"] is not None


def test_output_path_expands_home_and_relative_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert output_path("~/s.md") == tmp_path / "s.md"
    assert output_path("sub/s.md") == tmp_path / "sub" / "s.md"


async def test_a_question_with_square_brackets_is_shown_as_typed(screens_db: Path) -> None:
    """The user's words are never read as markup: "[/x]" used to stop the table from drawing."""
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "n")
        assert isinstance(app.screen, QuestionForm)
        await type_text(pilot, "Is [b]0.5 mg[/b] too small? [/x]")
        await press(pilot, "enter")
        assert isinstance(app.screen, ClinicianScreen)
        assert stored(screens_db)[0][-1][0] == "Is [b]0.5 mg[/b] too small? [/x]"
        row = table_rows(app, "#question-table")[1]
        assert row == [TODAY.isoformat(), "open", "Is [b]0.5 mg[/b] too small? [/x]"]
        # the new question is highlighted; its detail line shows the text in full
        assert "Is [b]0.5 mg[/b] too small? [/x]" in static_text(app, "#clinician-detail")
        assert app.return_code is None
