"""The summary shows, per taper step, what its saved draft said: the occupancy figure with its
fit (DOMAIN.md D7), its flags (D5) and the "needs a liquid or compounded form" mark (D2).

The plans are made by the real draft calculator (``tracker.services.taper.calculate_draft``)
and saved as the Taper screen saves them, then the PDF is read back with pdftotext (poppler,
an independent reader), and the HTML and Markdown as text.

Hand-worked example (sertraline 50 mg tablets, halves and quarters, no liquid; DOMAIN.md:
Emax 92.01 %, ED50 7.72 mg, usual minimum therapeutic dose 50 mg), manual doses 100, 40, 20, 0:
- occupancy(d) = 92.01 d / (7.72 + d): 100 mg 85.4 %, 40 mg 77.1 %, 20 mg 66.4 %, 0 mg 0;
- step 2, 100 -> 40 mg, cuts 60 % of a dose at or above 50 mg: over 50 %, a large cut (D5);
- step 3, 40 -> 20 mg, cuts 50 % of a dose below 50 mg: over 25 %, a large cut (D5);
- step 4, the drop to 0 is 66.4 points, bigger than the largest earlier drop (77.1 - 66.4 =
  10.7 points): an abrupt end (D1, D5);
- 40 mg and 20 mg are no sum of 12.5 mg pieces (within 5 %): both need another form (D2).
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.db import Database
from tracker.export import data
from tracker.export.summary import write_summary
from tracker.services import meds, settings
from tracker.services import taper as svc

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
START, END = data.default_period(TODAY)
NEEDS = "needs a liquid or compounded form"


def _plan(db: Database, name: str, strength: float, daily: float, method: str, **kw: object) -> None:
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(
            session=s, name=name, strength_mg=strength, tablet_fractions="1,0.5,0.25"
        )
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=daily, times=[time(8)], start_date=date(2026, 9, 1)
        )
        inputs = svc.draft_inputs(session=s, medication_id=med.id or 0, today=TODAY)
        draft = svc.calculate_draft(inputs, method=method, start_date=TODAY, **kw)  # type: ignore[arg-type]
        svc.save_draft(session=s, medication_id=med.id or 0, draft=draft, now=NOW)


def _write(db: Database, fmt: str, out: Path) -> str:
    with db.read() as session:
        path = write_summary(session=session, start=START, end=END, fmt=fmt, out=out, now=NOW, tz=LONDON)
    if fmt != "pdf":
        return path.read_text(encoding="utf-8")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def _html_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").split())


@pytest.fixture
def sertraline(db: Database) -> Database:
    _plan(db, "Sertraline", 50, 100, "manual", doses=[100, 40, 20, 0])
    return db


LARGE_CUT = (
    "Large cut: more than 50% of the dose at or above the usual minimum therapeutic dose, "
    "more than 25% below it (NICE NG222): steps 2, 3."
)
ABRUPT_END = "Abrupt end: the drop to 0 is bigger than the largest earlier drop (Maudsley): step 4."
FIT = "Occ %: estimated serotonin transporter occupancy, from the sertraline, pooled brain regions, oral fit;"


def test_pdf_shows_the_fit_once_the_flags_grouped_and_the_needs_form_mark(
    sertraline: Database, tmp_path: Path
) -> None:
    text = _write(sertraline, "pdf", tmp_path / "s.pdf")
    assert text.count(FIT) == 1  # one fit line for the plan, not one per row
    assert "approximate (Sørensen et al. 2022)" in text  # D7: labelled approximate
    assert "Occ %" in text
    assert LARGE_CUT in text
    assert ABRUPT_END in text
    assert "Needs a liquid or compounded form: steps 2, 3." in text
    assert text.count("needs a liquid or") == 2  # the mark in rows 2 and 3 (the cell may wrap)


def test_markdown_rows_carry_the_occupancy_and_the_needs_form_mark(
    sertraline: Database, tmp_path: Path
) -> None:
    text = _write(sertraline, "md", tmp_path / "s.md")
    rows = {
        int(cells[1]): cells
        for line in text.splitlines()
        if line.startswith("|") and (cells := [c.strip() for c in line.split("|")])[1].isdigit()
    }
    # step -> (daily dose, occupancy % rounded, needs another form) from the docstring's working
    expected = {1: ("100 mg/day", "85", False), 2: ("40 mg/day", "77", True), 3: ("20 mg/day", "66", True)}
    expected[4] = ("0 mg/day", "0", False)
    for order, (dose, occ, needs) in expected.items():
        cells = rows[order]
        assert cells[2] == dose and cells[4] == occ, cells
        assert (NEEDS in cells[3]) is needs, cells
    assert text.count(FIT) == 1
    assert f"- {LARGE_CUT}" in text and f"- {ABRUPT_END}" in text


def test_html_shows_the_fit_and_the_flags(sertraline: Database, tmp_path: Path) -> None:
    text = _html_text(_write(sertraline, "html", tmp_path / "s.html"))
    assert text.count(FIT) == 1
    assert LARGE_CUT in text and ABRUPT_END in text
    assert "<th" in _write(sertraline, "html", tmp_path / "t.html")  # a real table, not text


def test_venlafaxine_immediate_release_says_it_uses_the_extended_release_fit(
    db: Database, tmp_path: Path
) -> None:
    """DOMAIN.md has only the venlafaxine XR fit: an immediate-release plan must say it uses it (D7)."""
    _plan(db, "Venlafaxine", 75, 150, "occupancy")
    for fmt in ("pdf", "md", "html"):
        raw = _write(db, fmt, tmp_path / f"v.{fmt}")
        text = _html_text(raw) if fmt == "html" else " ".join(raw.split())
        assert (
            "venlafaxine, pooled brain regions, extended-release fit (used here for immediate-release too)"
            in text
        )
        assert text.count("extended-release fit") == 1, fmt  # once for the plan


def test_a_plan_without_occupancy_figures_has_no_occupancy_column(db: Database, tmp_path: Path) -> None:
    """Mirtazapine has no occupancy parameters (DOMAIN.md): no Occ % column, no fit line."""
    _plan(db, "Mirtazapine", 30, 30, "manual", doses=[30, 15, 7.5, 0])
    text = _write(db, "md", tmp_path / "m.md")
    assert "Occ %" not in text and "occupancy" not in text
