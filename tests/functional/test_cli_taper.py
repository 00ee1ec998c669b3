"""`tracker taper ...` and `tracker remind` through tracker.cli.main: output, exit codes 0/2/10,
refusals with one line on stderr and nothing written."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from icalendar import Calendar

from tracker.cli import main
from tracker.domain.taper import DRAFT_NOTICE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(dbp: str, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(dbp)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


@pytest.fixture
def dbp(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    """Sertraline 12.5 mg tablets, 25 mg at 08:00 and 20:00 (50 mg a day) since 1 Jan 2026."""
    path = str(tmp_path / "t.db")
    assert run(capsys, "med", "add", "Sertraline", "--strength", "12.5mg", "--db", path)[0] == 0
    assert (
        run(
            capsys,
            "rx",
            "set",
            "sertraline",
            "25mg",
            "--times",
            "08:00,20:00",
            "--from",
            "2026-01-01",
            "--prescriber",
            "Dr Rao",
            "--db",
            path,
        )[0]
        == 0
    )
    return path


def test_draft_prints_the_table_with_the_notice_and_saves_a_draft(
    capsys: pytest.CaptureFixture[str], dbp: str
) -> None:
    code, out, err = run(
        capsys,
        "taper",
        "draft",
        "sertraline",
        "--method",
        "manual",
        "--doses",
        "50,37.5,25,0",
        "--start",
        "2030-01-07",
        "--min-days",
        "21",
        "--db",
        dbp,
    )
    assert code == 0 and err == ""
    assert (
        out.startswith(f"DRAFT — {DRAFT_NOTICE}")
        and out.rstrip().splitlines()[-2] == f"DRAFT — {DRAFT_NOTICE}"
    )
    assert "  2  2030-02-04      37.5    25.0   76.3  three 12.5 mg tablets" in out  # 92.01*37.5/45.22
    assert "Saved as draft plan 1" in out
    assert rows(dbp, "SELECT status, method FROM taperplan") == [("draft", "manual")]
    assert rows(
        dbp, 'SELECT "order", dose_mg, planned_start, min_days, status FROM taperstep ORDER BY "order"'
    ) == [
        (1, 50.0, "2030-01-07", 21, "planned"),
        (2, 37.5, "2030-02-04", 21, "planned"),
        (3, 25.0, "2030-03-04", 21, "planned"),
        (4, 0.0, "2030-04-01", 21, "planned"),
    ]


def test_draft_json_and_no_save(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    code, out, _ = run(
        capsys,
        "taper",
        "draft",
        "sertraline",
        "--percent",
        "50",
        "--final",
        "10",
        "--start",
        "2030-01-07",
        "--no-save",
        "--json",
        "--db",
        dbp,
    )
    data = json.loads(out)
    assert (
        code == 0 and data["is_draft"] is True and data["notice"] == DRAFT_NOTICE and data["plan_id"] is None
    )
    # proportional from 50 mg a day: halves down to the final dose, then 0
    assert [s["dose_mg"] for s in data["steps"]] == [50.0, 25.0, 12.5, 0.0]
    assert rows(dbp, "SELECT count(*) FROM taperplan") == [(0,)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--percent", "abc"], "invalid float value"),
        (["--percent", "70"], "from 5% to 50%"),
        (["--method", "manual"], "needs --doses"),
        (["--method", "manual", "--doses", "20,x"], "not a number of mg"),
        (["--min-days", "6"], "at least 7 days"),
        (["--method", "linear"], "cut in mg"),
        (["--start", "someday"], "not understood"),
    ],
)
def test_bad_draft_input_exits_2_with_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], dbp: str, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "taper", "draft", "sertraline", *argv, "--db", dbp)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert rows(dbp, "SELECT count(*) FROM taperplan") == [(0,)]


def test_unknown_medication_exits_2(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    code, _, err = run(capsys, "taper", "draft", "setraline", "--db", dbp)
    assert code == 2 and "did you mean Sertraline" in err


def test_agree_start_advance_hold_back_and_show(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    today = date.today()
    assert (
        run(
            capsys,
            "taper",
            "draft",
            "sertraline",
            "--method",
            "manual",
            "--doses",
            "50,37.5,25,0",
            "--db",
            dbp,
        )[0]
        == 0
    )
    events = "SELECT count(*) FROM planevent"
    before = rows(dbp, events)
    code, _, err = run(capsys, "taper", "start", "sertraline", "--db", dbp)
    assert (
        code == 2
        and "no agreement with a prescriber is recorded" in err
        and len(err.strip().splitlines()) == 1
    )
    assert rows(dbp, events) == before and rows(dbp, "SELECT status FROM taperplan") == [("draft",)]

    code, out, _ = run(
        capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--on", "yesterday", "--db", dbp
    )
    assert code == 0 and f"agreed with Dr Rao on {(today - timedelta(days=1)).isoformat()}" in out
    code, out, _ = run(capsys, "taper", "start", "sertraline", "--reason", "As agreed", "--db", dbp)
    assert code == 0 and "plan 1 started; status active; current step 1: 50 mg a day" in out

    code, _, err = run(capsys, "taper", "advance", "sertraline", "--db", dbp)
    assert code == 2 and "needs --reason" in err
    code, out, _ = run(capsys, "taper", "advance", "sertraline", "--reason", "Agreed at review", "--db", dbp)
    assert code == 0 and "current step 2: 37.5 mg a day" in out
    assert "37.5 mg a day (18.75 mg at 08:00, 20:00)" in out
    # advanced on the day it started: 0 days run of 28, a plain note (not a refusal, not an instruction)
    assert "Note: Step 1 has run 0 of its agreed minimum 28 days." in out
    assert rows(
        dbp, "SELECT dose_mg, times, end_date FROM prescription ORDER BY start_date DESC LIMIT 1"
    ) == [(18.75, "08:00,20:00", None)]
    assert run(capsys, "taper", "hold", "sertraline", "--reason", "Zaps", "--db", dbp)[0] == 0
    code, out, _ = run(
        capsys, "taper", "back", "sertraline", "--reason", "Too hard", "--no-revision", "--db", dbp
    )
    assert code == 0 and "current step 3: 50 mg a day" in out

    code, out, _ = run(capsys, "taper", "show", "sertraline", "--json", "--db", dbp)
    plan = json.loads(out)[0]
    assert plan["status"] == "active" and plan["prescriber"] == "Dr Rao" and plan["is_draft"] is False
    assert [s["status"] for s in plan["steps"]] == [
        "done",
        "stepped_back",
        "current",
        "planned",
        "planned",
        "planned",
    ]
    assert [e["action"] for e in plan["events"]] == [
        "draft",
        "agree",
        "start",
        "advance",
        "hold",
        "resume",
        "step_back",
    ]
    code, out, _ = run(capsys, "taper", "show", "--db", dbp)
    assert code == 0 and "Sertraline — taper plan 1 (active, agreed with Dr Rao" in out


def test_ics_writes_a_calendar_without_alarms(
    capsys: pytest.CaptureFixture[str], dbp: str, tmp_path: Path
) -> None:
    assert (
        run(
            capsys,
            "taper",
            "draft",
            "sertraline",
            "--method",
            "manual",
            "--doses",
            "50,25,0",
            "--start",
            "2030-01-07",
            "--db",
            dbp,
        )[0]
        == 0
    )
    assert run(capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--db", dbp)[0] == 0
    out_file = tmp_path / "plan.ics"
    code, out, _ = run(capsys, "taper", "ics", "--out", str(out_file), "--db", dbp)
    assert code == 0 and "Wrote 6 events" in out  # three steps, a check-in before each
    data = out_file.read_bytes()
    assert b"VALARM" not in data and out_file.stat().st_mode & 0o777 == 0o600
    starts = sorted(str(e.decoded("dtstart")) for e in Calendar.from_ical(data).walk("VEVENT"))
    # a check-in 3 days before each step, but never before the 28 agreed days at the dose before it
    assert starts == ["2030-01-04", "2030-01-07", "2030-02-04", "2030-02-04", "2030-03-04", "2030-03-04"]
    code, _, err = run(capsys, "taper", "ics", "--out", str(tmp_path / "missing" / "x.ics"), "--db", dbp)
    assert code == 2 and "does not exist" in err


def test_remind_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path, dbp: str) -> None:
    empty = str(tmp_path / "empty.db")
    code, out, _ = run(capsys, "remind", "--db", empty)
    assert (code, out) == (0, "No reminders now.\n")
    # 08:30, with nothing logged: the 08:00 dose is due (R9), and R9 names only doses whose time
    # has come (DOMAIN.md), so the test fixes the clock instead of depending on when it runs
    with time_machine.travel("2026-12-02 08:30:00+00:00", tick=False):
        code, out, _ = run(capsys, "remind", "--json", "--db", dbp)
    data = json.loads(out)
    # due (R9) or, later in the day, missed (R5): which one depends on the time the test runs
    assert code == 10 and {r["rule"] for r in data} & {"R5", "R9"}
    assert all(set(r) >= {"rule", "key", "severity", "message", "why", "action"} for r in data)


def test_export_ics_is_the_same_calendar(
    capsys: pytest.CaptureFixture[str], dbp: str, tmp_path: Path
) -> None:
    assert (
        run(
            capsys,
            "taper",
            "draft",
            "sertraline",
            "--method",
            "manual",
            "--doses",
            "50,25,0",
            "--start",
            "2030-01-07",
            "--db",
            dbp,
        )[0]
        == 0
    )
    assert run(capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--db", dbp)[0] == 0
    a, b = tmp_path / "a.ics", tmp_path / "b.ics"
    assert run(capsys, "taper", "ics", "--out", str(a), "--db", dbp)[0] == 0
    assert run(capsys, "export", "ics", "--out", str(b), "--db", dbp)[0] == 0
    strip = lambda data: [ln for ln in data.splitlines() if not ln.startswith((b"DTSTAMP", b"UID"))]  # noqa: E731
    assert strip(a.read_bytes()) == strip(b.read_bytes()) and b"BEGIN:VEVENT" in b.read_bytes()


# ------------------------------------------------------------ issue 12: drafts a prescriber can use


@pytest.fixture
def citalopram(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    """Citalopram 20 mg tablets (halves), no liquid recorded, 20 mg at 08:00."""
    path = str(tmp_path / "c.db")
    assert run(capsys, "med", "add", "Cipramil", "--strength", "20mg", "--db", path)[0] == 0
    assert run(capsys, "rx", "set", "citalopram", "20mg", "--from", "2026-01-01", "--db", path)[0] == 0
    return path


def test_a_tablet_only_draft_keeps_every_step_and_names_the_liquid_forms(
    capsys: pytest.CaptureFixture[str], citalopram: str
) -> None:
    code, out, err = run(
        capsys,
        "taper",
        "draft",
        "citalopram",
        "--method",
        "occupancy",
        "--start",
        "2030-01-07",
        "--db",
        citalopram,
    )
    assert code == 0 and err == ""
    lines = out.splitlines()
    # 75.2 points at 20 mg in 8 equal drops: 9 rows, ending at 0 from 0.294 mg (9.4 points), not from 10 mg
    assert "citalopram: occupancy draft, 9 rows" in out.lower()
    assert any(
        line.startswith("  2  2030-02-04        10") and "half a 20 mg tablet" in line for line in lines
    )
    assert any(
        line.startswith("  8 ") and "0.294 mg: needs a liquid or compounded form" in line for line in lines
    )
    assert "citalopram 10 mg/5 ml oral solution" in out  # DOMAIN.md's liquid forms, named
    assert "occ %: estimated SERT occupancy, citalopram" in out and "approximate" in out  # D7
    code, shown, _ = run(capsys, "taper", "show", "citalopram", "--db", citalopram)
    assert code == 0 and "Steps 3, 4, 5, 6, 7, 8 need a liquid or compounded form" in shown
    assert "   9.4  0.294 mg: needs a liquid or compounded form" in shown  # occupancy kept with the step
    data = json.loads(run(capsys, "taper", "show", "--json", "--db", citalopram)[1])
    step = data[0]["steps"][7]
    assert step["needs_form"] is True and step["occupancy_pct"] == 9.4 and "citalopram" in step["fit"]


def test_manual_doses_are_saved_exactly(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    code, out, _ = run(
        capsys, "taper", "draft", "sertraline", "--method", "manual", "--doses", "50,40,30,0", "--db", dbp
    )
    assert code == 0 and "[abrupt end]" in out
    assert rows(dbp, 'SELECT dose_mg FROM taperstep ORDER BY "order"') == [(50.0,), (40.0,), (30.0,), (0.0,)]


def test_a_brand_name_is_stored_as_the_generic_with_the_brand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = str(tmp_path / "b.db")
    code, out, _ = run(capsys, "med", "add", "Seroxat", "--strength", "20mg", "--db", path)
    assert code == 0 and out.startswith("Added Paroxetine (brand Seroxat)")
    assert rows(path, "SELECT name, brand, half_life_hours, liquid_step_ml FROM medication") == [
        ("Paroxetine", "Seroxat", 24.0, 0.1)
    ]
    assert (
        run(
            capsys,
            "med",
            "add",
            "Prozac",
            "--strength",
            "20mg",
            "--form",
            "capsule",
            "--liquid-step",
            "0.05",
            "--db",
            path,
        )[0]
        == 0
    )
    assert rows(path, "SELECT name, brand, liquid_step_ml FROM medication WHERE brand = 'Prozac'") == [
        ("Fluoxetine", "Prozac", 0.05)
    ]


@pytest.mark.parametrize("bad", ["5", "0", "nan", "lots"])
def test_a_bad_liquid_step_is_refused_with_nothing_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, bad: str
) -> None:
    path = str(tmp_path / "b.db")
    code, out, err = run(
        capsys, "med", "add", "Sertraline", "--strength", "50mg", "--liquid-step", bad, "--db", path
    )
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--liquid-step" in err
    assert not Path(path).exists() or rows(path, "SELECT count(*) FROM medication") == [(0,)]


def test_a_step_back_offers_a_revised_draft_in_smaller_steps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """D6: back from 25 to 50 mg sertraline; the rest (50, 25, 0) is halved in estimated occupancy:
    92.01 * d / (7.72 + d) is 79.67 at 50 mg and 70.27 at 25 mg, half-way 74.97 -> 7.72 * 74.97 /
    (92.01 - 74.97) = 33.97 mg, given as 34.5 mg (a quarter tablet + 1.1 ml of 20 mg/ml, the nearest
    dose at or above it: the smaller cut, D3); half-way between 70.27 and 0 is 35.14 -> 7.72 * 35.14 /
    56.87 = 4.77 mg, which 0.1 ml steps (2 mg) cannot give within 10%: kept, needing another form."""
    path = str(tmp_path / "s.db")
    for argv in (
        ["med", "add", "Lustral", "--strength", "50mg", "--fractions", "1,0.5,0.25", "--liquid", "20mg/ml"],
        ["rx", "set", "sertraline", "50mg", "--from", "2026-01-01"],
        ["taper", "draft", "sertraline", "--method", "manual", "--doses", "50,25,0", "--start", "2026-01-05"],
        ["taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--on", "2026-01-02"],
        ["taper", "start", "sertraline"],
        ["taper", "advance", "sertraline", "--reason", "as agreed"],
    ):
        # the draft is made on the day it is agreed (an agreement may not predate its draft, DOMAIN.md)
        with time_machine.travel("2026-01-02 09:00:00+00:00", tick=False):
            assert run(capsys, *argv, "--db", path)[0] == 0, argv
    code, out, err = run(capsys, "taper", "back", "sertraline", "--reason", "zaps", "--db", path)
    assert code == 0 and err == "" and "saved as draft plan 2" in out and "revision 2 of plan 1" in out
    doses = rows(path, 'SELECT dose_mg FROM taperstep WHERE plan_id = 2 ORDER BY "order"')
    assert [round(d, 2) for (d,) in doses] == [50.0, 34.5, 25.0, 4.77, 0.0]
    assert rows(path, "SELECT id, status, revision_of, revision FROM taperplan ORDER BY id") == [
        (1, "active", None, 1),
        (2, "draft", 1, 2),
    ]
    assert rows(path, "SELECT action FROM planevent WHERE plan_id = 1 ORDER BY id")[-1] == ("revision",)
    # a draft: it starts only once agreed, and starting it sets the running plan aside (both kept)
    assert run(capsys, "taper", "start", "sertraline", "--plan", "2", "--db", path)[0] == 2
    assert run(capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--db", path)[0] == 0
    assert run(capsys, "taper", "start", "sertraline", "--db", path)[0] == 0
    assert rows(path, "SELECT id, status FROM taperplan ORDER BY id") == [(1, "abandoned"), (2, "active")]


def test_step_back_without_a_revision_and_a_bad_step_size(
    capsys: pytest.CaptureFixture[str], dbp: str
) -> None:
    for argv in (
        [
            "taper",
            "draft",
            "sertraline",
            "--method",
            "manual",
            "--doses",
            "50,37.5,25,0",
            "--start",
            "2026-01-05",
        ],
        ["taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--on", "2026-01-02"],
        ["taper", "start", "sertraline"],
        ["taper", "advance", "sertraline", "--reason", "as agreed"],
    ):
        # the draft is made on the day it is agreed (an agreement may not predate its draft, DOMAIN.md)
        with time_machine.travel("2026-01-02 09:00:00+00:00", tick=False):
            assert run(capsys, *argv, "--db", dbp)[0] == 0, argv
    code, _, err = run(
        capsys, "taper", "back", "sertraline", "--reason", "x", "--step-size", "0", "--db", dbp
    )
    assert code == 2 and "--step-size" in err and len(err.strip().splitlines()) == 1
    assert rows(dbp, "SELECT count(*) FROM taperplan") == [(1,)]  # nothing written
    code, out, _ = run(capsys, "taper", "back", "sertraline", "--reason", "x", "--no-revision", "--db", dbp)
    assert code == 0 and "revised draft" not in out and rows(dbp, "SELECT count(*) FROM taperplan") == [(1,)]
