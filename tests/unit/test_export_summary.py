"""The clinician summary in PDF, HTML and Markdown, read back and checked section by section.

The demo history (tracker.services.demo) ends on 27 Nov 2026 in Europe/London, so it starts
on 30 May 2026 (181 days before): 100 mg, 75 mg from 18 Jul (step 1), 50 mg from 5 Sep
(step 2), 37.5 mg from 31 Oct (step 3, planned 17 Oct: held 14 days). The default 90-day
period is 30 Aug to 27 Nov: 90 daily doses, one skipped (24 Sep), today's still pending at
09:30, none missed (the demo's missed days are all before 30 Aug).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tracker.db import Database, open_database
from tracker.domain.errors import TrackerError
from tracker.export import data
from tracker.export.summary import format_for, write_summary
from tracker.services import checkins, clinician, symptoms
from tracker.services.demo import demo_now, generate_demo

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 27)
NOW = demo_now(TODAY, LONDON)
START, END = data.default_period(TODAY)

SECTIONS = (
    "Needs attention",
    "Current medications and prescriptions",
    "Dose changes in the period",
    "Taper plan",
    "Dose and symptom burden",
    "Main symptoms by week",
    "Symptoms",
    "Mood and anxiety scores (PHQ-9, GAD-7)",
    "Doses taken",
    "Notable events",
    "Mood, sleep and doses week by week",
    "Patient's notes",
    "Open questions for the clinician",
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(tmp_path_factory.mktemp("demo") / "demo.db")
    with db.write(audit=False) as session:
        generate_demo(session=session, today=TODAY, tz=LONDON)
    yield db
    db.close()


def write(db: Database, fmt: str, out: Path, start: date = START, end: date = END) -> Path:
    with db.read() as session:
        return write_summary(session=session, start=start, end=end, fmt=fmt, out=out, now=NOW, tz=LONDON)


@pytest.fixture(scope="module")
def pdf_pages(demo_db: Database, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = write(demo_db, "pdf", tmp_path_factory.mktemp("pdf") / "summary.pdf")
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_demo_dates_are_as_the_docstring_says() -> None:
    assert (date(2026, 8, 30), date(2026, 11, 27)) == (START, END)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def test_pdf_fits_three_months_on_three_pages_and_the_first_stands_alone(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) <= 3
    first = pdf_pages[0]
    for part in ("Needs attention", "Current medications and prescriptions", "Taper plan", "How to take"):
        assert part in first


def _pdftotext(path: Path, page: int, *, layout: bool = False) -> str:
    import subprocess

    out = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(out.split())


# PHQ-9 bands by hand from DOMAIN.md: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe
def _phq9_band(total: int) -> str:
    for high, label in ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately severe")):
        if total <= high:
            return label
    return "severe"


def test_pdftotext_reads_the_needs_attention_box_how_to_take_and_phq9_totals(
    demo_db: Database, tmp_path: Path
) -> None:
    """Read back with pdftotext (poppler), an independent reader of the PDF."""
    import sqlite3

    path = write(demo_db, "pdf", tmp_path / "summary.pdf")
    first = _pdftotext(path, 1)
    # the demo's crisis entry (16 Sep 2026 in the London demo: 104 days after 30 May), with its note
    attention = first[first.index("Needs attention") : first.index("Current medications")]
    assert "Thoughts of self-harm, rated mild" in attention
    assert "Dark thoughts for one evening, gone by the morning. Called my sister." in attention
    assert "PHQ-9 question 9" in attention and "answered 1 (several days)" in attention
    assert "If you are in danger or thinking about harming yourself" in attention
    # the taper steps with how to take each one
    assert "3 37.5 mg/day three quarters of a 50 mg tablet 17 Oct 2026 31 Oct 2026 +14 days current" in first
    assert "4 25 mg/day half a 50 mg tablet" in first
    # every PHQ-9 of the period with its total (the sum of its answers) and band
    everything = " ".join(_pdftotext(path, n) for n in (1, 2, 3))
    conn = sqlite3.connect(demo_db.path)
    try:
        rows = conn.execute(
            "SELECT day, answers FROM scaleresponse WHERE scale = 'phq9' AND day >= ? AND day <= ?",
            (START.isoformat(), END.isoformat()),
        ).fetchall()
    finally:
        conn.close()
    assert len(rows) == 6
    for day, answers in rows:
        total = sum(int(a) for a in answers.split(","))
        moment = date.fromisoformat(day)
        assert f"{moment.day} {moment:%b %Y} {total} {_phq9_band(total)}" in everything


def _gad7_band(total: int) -> str:  # DOMAIN.md: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe
    for high, label in ((4, "minimal"), (9, "mild"), (14, "moderate")):
        if total <= high:
            return label
    return "severe"


def test_page_one_alone_tells_the_story(demo_db: Database, tmp_path: Path) -> None:
    """Issue 15: "a first page that stands alone". pdftotext of page 1 only holds the In brief
    block: drug and dose now, the current step, time on the drug, the latest PHQ-9 and GAD-7
    with their bands, the symptoms against the baseline and the count of urgent items."""
    import sqlite3

    first = _pdftotext(write(demo_db, "pdf", tmp_path / "summary.pdf"), 1, layout=True)  # label, value
    brief = first[first.index("In brief") : first.index("Current medications")]
    # the docstring's facts: 37.5 mg from 31 Oct (step 3 of the demo's 6); first prescription 30 May
    assert "Taking now Sertraline 37.5 mg/day from 31 Oct 2026" in brief
    assert "Taper step step 3 of 6, 37.5 mg/day since 31 Oct 2026; plan active" in brief
    assert "On the drug Sertraline since 30 May 2026 (5 months; first prescription recorded)" in brief
    assert "Last reduction 31 Oct 2026, 50 mg to 37.5 mg" in brief
    # the latest PHQ-9 and GAD-7 of the period, totalled and banded here from the stored answers
    conn = sqlite3.connect(demo_db.path)
    try:
        for scale, name, band in (("phq9", "PHQ-9", _phq9_band), ("gad7", "GAD-7", _gad7_band)):
            day, answers = conn.execute(
                "SELECT day, answers FROM scaleresponse WHERE scale = ? AND day <= ? ORDER BY day DESC",
                (scale, END.isoformat()),
            ).fetchone()
            total = sum(int(a) for a in answers.split(","))
            moment = date.fromisoformat(day)
            assert f"{name} {total} {band(total)} on {moment.day} {moment:%b %Y}" in brief
    finally:
        conn.close()
    # the demo logs no comparison with before the taper: the brief says so and names symptoms
    # above their baseline (Brain zaps: mean 0.9 against 0.0 in the symptom table)
    assert "no comparison with before the taper given" in brief and "Brain zaps +0.9" in brief
    # as many urgent items as the needs-attention box above lists
    box = first[first.index("Needs attention") : first.index("In brief")]
    listed = len(re.findall(r"- \d{1,2} [A-Z][a-z]{2} \d{4}:|- Now:", box))
    assert listed >= 2  # the demo's crisis entry and its PHQ-9 question 9
    assert f"Urgent items {listed} (" in brief


def test_pdf_header(pdf_pages: list[str]) -> None:
    first = pdf_pages[0]
    assert "Medication and symptom summary for the clinician" in first
    assert "Patient Sam Demo" in first
    assert "30 Aug 2026 to 27 Nov 2026 (90 days)" in first
    assert "27 Nov 2026 09:30 (Europe/London)" in first
    assert (
        "Information and tracking only, not medical advice. Always involve your health professional." in first
    )
    assert "9 Dec 2026 09:15 with Dr. Amara Okafor" in first  # the appointment 12 days after the demo's end


def test_pdf_has_every_section_in_order(pdf_pages: list[str]) -> None:
    text = " ".join(pdf_pages)
    position = 0
    for section in SECTIONS:  # each heading found after the one before it
        position = text.find(section, position)
        assert position >= 0, section


def test_pdf_medications_changes_and_plan(pdf_pages: list[str]) -> None:
    text = " ".join(pdf_pages)
    assert (
        "Sertraline (Lustral) tablet, 50 mg; liquid 20 mg/ml 37.5 mg 08:00 31 Oct 2026 Dr. Amara Okafor 26 h"
        in text
    )
    assert "5 Sep 2026 Sertraline 75 mg/day 50 mg/day reduction yes, step 2" in text
    assert "31 Oct 2026 Sertraline 50 mg/day 37.5 mg/day reduction yes, step 3" in text
    assert "active plan (proportional), agreed with Dr. Amara Okafor on 4 Jul 2026. Holds: 1" in text
    assert "3 37.5 mg/day three quarters of a 50 mg tablet 17 Oct 2026 31 Oct 2026 +14 days current" in text
    # moved to "In brief" on page 1: the demo's first prescription is 30 May 2026, 5 months before 27 Nov
    assert "On the drug Sertraline since 30 May 2026 (5 months; first prescription recorded)" in text
    assert "Dizziness and brain zaps had not settled" in text


def test_pdf_adherence_notable_events_notes_and_questions(pdf_pages: list[str]) -> None:
    text = " ".join(pdf_pages)
    assert "89 scheduled doses in the period: taken 88 (99%)" in text
    assert "skipped 1 (1.1%); missed (nothing logged) 0 (0%). 1 dose still due, not counted." in text
    assert "Symptom burden after each reduction" in text
    assert "Sertraline 75 mg to 50 mg" in text
    assert "Thoughts of self-harm were logged on 1 day in this period" in text  # the demo has one
    assert "Brain zaps when I move my eyes quickly" in text  # the note 4 days after 5 Sep
    assert "Forgot my pills at home" in text
    assert "Could a liquid form make the last steps smaller?" in text
    assert "How long should I wait if the dizziness comes back?" in text
    assert "Is it normal for brain zaps" not in text  # answered, so not open


def test_pdf_symptom_table_lists_the_demo_symptoms(pdf_pages: list[str]) -> None:
    text = " ".join(pdf_pages)
    for name in ("Brain zaps", "Dizziness or vertigo", "Insomnia", "Irritability", "Nausea", "Sweating"):
        assert name in text


def test_pdf_is_private_and_embeds_the_font(demo_db: Database, tmp_path: Path) -> None:
    path = write(demo_db, "pdf", tmp_path / "s.pdf")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(path).pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert any("DejaVu" in f for f in fonts), fonts


def test_one_year_pdf(tmp_path: Path) -> None:
    """A year of data makes a PDF (its time budget is checked by benchmarks/run.py, not here)."""
    db = open_database(tmp_path / "year.db")
    with db.write(audit=False) as session:
        generate_demo(session=session, today=TODAY, tz=LONDON)
        # a second demo medication ending the day before the first one starts: 364 days of data
        generate_demo(session=session, today=TODAY - timedelta(days=182), tz=LONDON, seed=3)
    path = write(db, "pdf", tmp_path / "year.pdf", TODAY - timedelta(days=364), TODAY)
    db.close()
    assert "(365 days)" in PdfReader(path).pages[0].extract_text()


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------


class _Outline(HTMLParser):
    """Collects headings, table rows, the tags used and any external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self.tags: set[str] = set()
        self.external: list[str] = []
        self.svg_labels: list[str] = []
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        for key in ("src", "href"):
            if values.get(key):
                self.external.append(str(values[key]))
        if tag == "svg":
            self.svg_labels.append(values.get("aria-label") or "")
        if tag in ("h1", "h2", "h3"):
            self._heading = []
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, text: str) -> None:
        self.text.append(text)
        if self._heading is not None:
            self._heading.append(text)
        if self._cell is not None:
            self._cell.append(text)


@pytest.fixture(scope="module")
def outline(demo_db: Database, tmp_path_factory: pytest.TempPathFactory) -> _Outline:
    path = write(demo_db, "html", tmp_path_factory.mktemp("html") / "summary.html")
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_html_is_self_contained(outline: _Outline) -> None:
    assert outline.external == []
    assert "script" not in outline.tags and "link" not in outline.tags and "img" not in outline.tags
    assert "style" in outline.tags


def test_html_sections_and_charts(outline: _Outline) -> None:
    assert outline.headings[0] == "Medication and symptom summary for the clinician"
    assert [h for h in outline.headings if h in SECTIONS] == list(SECTIONS)
    assert len(outline.svg_labels) == 2
    assert "Sertraline from 75 to 37.5 mg/day" in outline.svg_labels[0]
    assert "Weekly mean severity of the 8 main symptoms over 14 weeks" in outline.svg_labels[1]


def test_html_tables_hold_the_values(outline: _Outline) -> None:
    assert ["5 Sep 2026", "Sertraline", "75 mg/day", "50 mg/day", "reduction", "yes, step 2"] in outline.rows
    steps = [r for r in outline.rows if r[:2] == ["3", "37.5 mg/day"]]
    assert steps == [
        [
            "3",
            "37.5 mg/day",
            "three quarters of a 50 mg tablet",
            "17 Oct 2026",
            "31 Oct 2026",
            "+14 days",
            "current",
        ]
    ]
    week = next(r for r in outline.rows if r[0] == "21 Sep 2026")
    assert week[4:] == ["6 of 7", "0", "1", "0"]  # the skipped dose of 24 Sep
    last = next(r for r in outline.rows if r[0] == "23 Nov 2026")
    assert last[4] == "4 of 4"  # 23-26 Nov settled; 27 Nov still pending at 09:30


def test_html_prints_on_a4(demo_db: Database, tmp_path: Path) -> None:
    text = write(demo_db, "html", tmp_path / "s.html").read_text(encoding="utf-8")
    assert "@page { size: A4" in text
    assert "@media print" in text


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------


def test_markdown_reads_as_plain_text(demo_db: Database, tmp_path: Path) -> None:
    text = write(demo_db, "md", tmp_path / "s.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# Medication and symptom summary for the clinician"
    for section in SECTIONS:
        assert f"## {section}" in lines
    assert "**Patient:** Sam Demo  " in lines
    assert "| 5 Sep 2026  | Sertraline | 75 mg/day | 50 mg/day   | reduction | yes, step 2 |" in lines
    assert "<" not in text  # no HTML inside
    burden = [line for line in lines if line.startswith("30 Aug 2026  ")]
    assert len(burden) == 1 and len(burden[0]) == len("30 Aug 2026  ") + 30  # 30 days a line


# ---------------------------------------------------------------------------
# Crisis wording, escaping and bad input
# ---------------------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "small.db")
    with db.write() as session:
        crisis = symptoms.find_symptom(session=session, name="self-harm").id or 0
        for day in (date(2026, 11, 20), date(2026, 11, 22)):
            symptoms.rate_symptom(session=session, symptom_id=crisis, day=day, severity=2, now=NOW)
        checkins.set_checkin(
            session=session, day=date(2026, 11, 21), mood=1, note="<script>alert(1)</script>"
        )
        clinician.add_question(session=session, text="Is 'x' < \"y\" & z?", now=NOW)
    yield db
    db.close()


def test_in_brief_gives_the_patients_latest_comparison_with_before_the_taper(tmp_path: Path) -> None:
    db = open_database(tmp_path / "words.db")
    with db.write() as session:
        dizzy = symptoms.find_symptom(session=session, name="dizziness").id or 0
        nausea = symptoms.find_symptom(session=session, name="nausea").id or 0
        for day, word in ((date(2026, 11, 20), "worse"), (date(2026, 11, 25), "better")):
            symptoms.rate_symptom(
                session=session, symptom_id=dizzy, day=day, severity=1, comparison=word, now=NOW
            )
        symptoms.rate_symptom(
            session=session, symptom_id=nausea, day=date(2026, 11, 24), severity=2, comparison="new", now=NOW
        )
    try:
        text = " ".join(write(db, "md", tmp_path / "w.md").read_text(encoding="utf-8").split())
    finally:
        db.close()
    # the latest word per symptom (dizziness: better on 25 Nov, after worse on 20 Nov), new first
    assert (
        "**Symptoms:** new: Nausea; better: Dizziness or vertigo "
        "(the patient's latest comparison with before the taper)"
    ) in text
    assert "**Urgent items:** none in this period" in text


def test_crisis_days_are_worded_with_care_and_the_help_text(small_db: Database, tmp_path: Path) -> None:
    text = " ".join(write(small_db, "md", tmp_path / "c.md").read_text(encoding="utf-8").split())
    assert "Thoughts of self-harm were logged on 2 days in this period (20 Nov 2026, 22 Nov 2026)." in text
    assert "Mood was rated 1 or lower (out of 10) on 1 day (21 Nov 2026)." in text
    assert "If you are in danger or thinking about harming yourself" in text


def test_user_text_is_escaped_in_html(small_db: Database, tmp_path: Path) -> None:
    text = write(small_db, "html", tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Is &#x27;x&#x27; &lt; &quot;y&quot; &amp; z?" in text
    assert 'role="alert"' in text


def test_empty_database_gives_a_summary_too(tmp_path: Path) -> None:
    db = open_database(tmp_path / "empty.db")
    for fmt in ("md", "html", "pdf"):
        assert write(db, fmt, tmp_path / f"e.{fmt}").stat().st_size > 0
    text = (tmp_path / "e.md").read_text(encoding="utf-8")
    db.close()
    assert "No medications recorded." in text
    assert "No scheduled doses in this period." in text
    assert "**Patient:**" not in text  # no name set, no line for it


def test_reversed_period_writes_nothing(demo_db: Database, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="after --to"):
        write(demo_db, "md", tmp_path / "r.md", END, START)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_refused(demo_db: Database, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="does not exist"):
        write(demo_db, "pdf", tmp_path / "nope" / "s.pdf")


def test_unknown_format_is_refused(demo_db: Database, tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="not one of pdf, html, md"):
        write(demo_db, "docx", tmp_path / "s.docx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("s.pdf", None, "pdf"),
        ("s.HTML", None, "html"),
        ("s.md", None, "md"),
        ("s", None, "pdf"),
        ("s.md", "pdf", "pdf"),
    ],
)
def test_format_follows_the_file_name_unless_given(name: str, given: str | None, expected: str) -> None:
    assert format_for(Path(name), given) == expected


def test_generated_time_is_local(demo_db: Database, tmp_path: Path) -> None:
    summer_now = datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("UTC"))
    with demo_db.read() as session:
        path = write_summary(
            session=session,
            start=date(2026, 6, 1),
            end=date(2026, 6, 30),
            fmt="md",
            out=tmp_path / "s.md",
            now=summer_now,
            tz=LONDON,
        )
    assert "**Generated:** 1 Jul 2026 09:00 (Europe/London)" in path.read_text(
        encoding="utf-8"
    )  # BST = UTC+1


def test_a_long_period_is_summarised_by_month(demo_db: Database, tmp_path: Path) -> None:
    """The whole demo (27 weeks) is more than 16 weeks: one row per month, not per week."""
    text = write(demo_db, "md", tmp_path / "all.md", start=date(2026, 5, 30)).read_text(encoding="utf-8")
    assert "## Mood, sleep and doses month by month" in text
    assert "## Mood, sleep and doses week by week" not in text
    # the weeks start on the Mondays 25 May 2026 (the week of 30 May) to 23 Nov 2026
    months = [
        line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ") and " 2026 " in line
    ]
    for month in ("May 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"):
        assert month in months
    assert "Dec 2026" not in months
