"""D8 micro-steps through the real command line (tracker.cli.main), with the clock fixed.

Sertraline 20 mg/ml concentrate, 50 mg at 08:00. The daily table 50 -> 25 mg over 28 days
(hand-worked in tests/unit/test_taper_micro.py from DOMAIN.md's occupancy fit, rounded up to
0.1 ml): day 1 50 mg (2.5 ml), day 2 48 mg (2.4 ml), day 3 46, day 4 46, day 5 44, day 6 42 mg
(2.1 ml), ..., day 28 26 mg (1.3 ml). While it runs, the day's row is the dose of the day.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tracker.cli import main

DAY1 = "2026-12-01"


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


def at(moment: str) -> Any:
    return time_machine.travel(f"{moment}+00:00", tick=False)


@pytest.fixture
def dbp(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    path = str(tmp_path / "t.db")
    with at(f"{DAY1} 06:00:00"):
        assert (
            run(
                capsys, "med", "add", "Sertraline", "--strength", "20mg/ml", "--form", "liquid", "--db", path
            )[0]
            == 0
        )
        assert (
            run(
                capsys,
                "rx",
                "set",
                "sertraline",
                "50mg",
                "--times",
                "08:00",
                "--from",
                "2026-11-01",
                "--db",
                path,
            )[0]
            == 0
        )
    return path


@pytest.fixture
def running(capsys: pytest.CaptureFixture[str], dbp: str) -> Iterator[str]:
    """The micro-step draft made, agreed and started on day 1 (drafts are made on the day they are agreed)."""
    with at(f"{DAY1} 07:00:00"):
        code, _out, err = run(
            capsys,
            "taper",
            "draft",
            "sertraline",
            "--method",
            "daily",
            "--to",
            "25",
            "--days",
            "28",
            "--db",
            dbp,
        )
        assert code == 0, err
        assert run(capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--db", dbp)[0] == 0
        code, _out, err = run(capsys, "taper", "start", "sertraline", "--db", dbp)
        assert code == 0, err
    yield dbp


def test_draft_prints_and_stores_the_table(capsys: pytest.CaptureFixture[str], dbp: str) -> None:
    with at(f"{DAY1} 07:00:00"):
        code, out, _ = run(
            capsys,
            "taper",
            "draft",
            "sertraline",
            "--method",
            "daily",
            "--to",
            "25",
            "--days",
            "28",
            "--db",
            dbp,
        )
    assert code == 0
    assert out.startswith("DRAFT — ") and "28 rows" in out
    assert "2026-12-02" in out and "2.4 ml" in out and "48" in out  # day 2: 2.4 ml = 48 mg
    assert "2026-12-28" in out and "1.3 ml" in out  # day 28: 1.3 ml = 26 mg, rounded up
    (micro,) = rows(dbp, "SELECT micro FROM taperstep")[0]
    table = json.loads(micro)
    assert table["cadence"] == "daily" and len(table["rows"]) == 28
    assert [r["dose_mg"] for r in table["rows"][:6]] == [50, 48, 46, 46, 44, 42]
    assert rows(dbp, "SELECT status, method FROM taperplan") == [("draft", "daily")]
    # taper show: compact by default, every row with --table
    code, out, _ = run(capsys, "taper", "show", "sertraline", "--db", dbp)
    assert code == 0 and "daily micro-steps 50 -> 25 mg" in out and "rows between" in out
    code, out, _ = run(capsys, "taper", "show", "sertraline", "--table", "--db", dbp)
    assert code == 0 and sum(1 for line in out.splitlines() if " ml of 20 mg/ml" in line) == 28
    code, out, _ = run(capsys, "taper", "show", "sertraline", "--json", "--db", dbp)
    shown = json.loads(out)[0]["steps"][0]["micro"]
    assert (shown["first_day"], shown["last_day"]) == ("2026-12-01", "2026-12-28")
    assert shown["rows"][1]["date"] == "2026-12-02" and shown["rows"][1]["ml"] == 2.4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "daily", "--to", "25"], "--method daily needs --days N"),
        (["--method", "weekly", "--to", "25", "--days", "10"], "--days is for --method daily"),
        (["--method", "weekly", "--to", "25"], "--method weekly needs --weeks N"),
        (["--method", "daily", "--to", "60", "--days", "28"], "must be below the starting dose"),
        (["--method", "daily", "--to", "25", "--days", "3"], "from 7 to 112 days"),
        (["--method", "daily", "--to", "lots", "--days", "28"], "--to is not a number of mg"),
        (["--method", "daily", "--days", "28"], "need --to MG"),
        (["--method", "proportional", "--days", "28"], "--days is for --method daily or weekly"),
        (["--method", "daily", "--to", "25", "--days", "28", "--doses", "1,0"], "--doses is not used"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    capsys: pytest.CaptureFixture[str], dbp: str, args: list[str], message: str
) -> None:
    with at(f"{DAY1} 07:00:00"):
        code, out, err = run(capsys, "taper", "draft", "sertraline", *args, "--db", dbp)
    assert code == 2 and out == "" and message in err
    assert rows(dbp, "SELECT count(*) FROM taperplan") == [(0,)]


def test_the_days_row_is_the_dose_of_the_day(capsys: pytest.CaptureFixture[str], running: str) -> None:
    dbp = running
    # Day 2, 08:10: `log dose` without an amount fills the 08:00 dose with the day's row, 48 mg.
    with at("2026-12-02 08:10:00"):
        code, out, err = run(capsys, "status", "--db", dbp)
        assert code == 0 and "sertraline 48 mg" in out.lower(), out
        assert "48 mg today (micro-steps, day 2 of 28: 2.4 ml" in out
        assert "Due now, not logged yet: Sertraline 48 mg" in out  # R9 names the day's row
        code, out, err = run(capsys, "log", "dose", "sertraline", "--db", dbp)
        assert code == 0, err
        assert "48 mg" in out
    assert rows(dbp, "SELECT amount_mg FROM doseevent") == [(48.0,)]
    # Day 6 (42 mg): 50 mg, the prescription's own dose, is more than 10% from the day's row (R4);
    # 42 mg, 16% below the prescription, is what the table says: no R4 for it.
    with at("2026-12-06 08:05:00"):
        assert run(capsys, "log", "dose", "sertraline", "50mg", "--db", dbp)[0] == 0
        code, out, _ = run(capsys, "remind", "--json", "--db", dbp)
    r4 = [r for r in json.loads(out) if r["rule"] == "R4"]
    assert len(r4) == 1 and "42 mg" in r4[0]["message"] and "50 mg" in r4[0]["message"]
    with at("2026-12-07 08:05:00"):
        assert run(capsys, "log", "dose", "sertraline", "42mg", "--db", dbp)[0] == 0  # day 7 row is 42 mg
        code, out, _ = run(capsys, "remind", "--json", "--db", dbp)
    r4 = [r for r in json.loads(out) if r["rule"] == "R4"]
    assert all("2026-12-07" not in r["key"] and "Mon 7" not in r["message"] for r in r4)
    assert len(r4) == 1  # only day 6's


def test_a_hold_keeps_the_dose_of_the_day_it_was_held(
    capsys: pytest.CaptureFixture[str], running: str
) -> None:
    dbp = running
    with at("2026-12-06 09:00:00"):  # day 6: 42 mg
        code, out, err = run(capsys, "taper", "hold", "sertraline", "--reason", "zaps", "--db", dbp)
        assert code == 0, err
        assert "42 mg a day" in out
        assert run(capsys, "taper", "resume", "sertraline", "--reason", "better", "--db", dbp)[0] == 0
    # Day 9 would be 40 mg on the table; after the hold the dose stays 42 mg (no jump ahead)
    with at("2026-12-09 08:10:00"):
        code, out, err = run(capsys, "log", "dose", "sertraline", "--db", dbp)
        assert code == 0, err
    assert rows(dbp, "SELECT amount_mg FROM doseevent") == [(42.0,)]


def test_the_summary_says_the_step_is_a_micro_step_table(
    capsys: pytest.CaptureFixture[str], running: str, tmp_path: Path
) -> None:
    out_file = tmp_path / "summary.md"
    with at("2026-12-03 12:00:00"):
        code, _, err = run(capsys, "export", "summary", "--out", str(out_file), "--db", running)
    assert code == 0, err
    text = out_file.read_text(encoding="utf-8")
    # the range: first and last day, from and to dose, 28 daily rows all measured in ml
    assert "Step 1 is a daily micro-step table" in text
    assert "50 mg to 25 mg a day, 1 Dec 2026 to 28 Dec 2026, 28 days" in text
    assert "28 of them measured in ml of liquid" in text


def test_stopping_during_a_table_to_zero_is_still_the_urgent_stop_case(
    capsys: pytest.CaptureFixture[str], dbp: str
) -> None:
    # A table 50 -> 0 mg over 28 days: its step's dose is 0, but on day 4 the row is far above 0, so
    # three days with nothing taken after day 1's dose is R4's stop case (urgent), not "the plan
    # expects no dose".
    with at(f"{DAY1} 07:00:00"):
        args = ("--method", "daily", "--to", "0", "--days", "28", "--db", dbp)
        assert run(capsys, "taper", "draft", "sertraline", *args)[0] == 0
        assert run(capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--db", dbp)[0] == 0
        assert run(capsys, "taper", "start", "sertraline", "--db", dbp)[0] == 0
    with at(f"{DAY1} 08:05:00"):  # day 1's dose taken; nothing after it
        assert run(capsys, "log", "dose", "sertraline", "--db", dbp)[0] == 0
    with at("2026-12-04 12:00:00"):
        code, out, _ = run(capsys, "remind", "--json", "--db", dbp)
    urgent = [r for r in json.loads(out) if r["rule"] == "R4" and r["severity"] == "urgent"]
    assert code == 10 and len(urgent) == 1


def test_adherence_counts_no_dose_on_the_tables_0_mg_days(
    capsys: pytest.CaptureFixture[str], dbp: str
) -> None:
    # 50 -> 0 mg in 7 daily rows: day 7 (7 Dec) is 0 mg and the table's last row holds after it,
    # so from 1 to 12 Dec only days 1-6 schedule a dose: 6 slots, as Today and the reminders see.
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from tracker.db import open_database
    from tracker.services import trends

    with at(f"{DAY1} 07:00:00"):
        args = ("--method", "daily", "--to", "0", "--days", "7", "--db", dbp)
        assert run(capsys, "taper", "draft", "sertraline", *args)[0] == 0
        assert run(capsys, "taper", "agree", "sertraline", "--prescriber", "Dr Rao", "--db", dbp)[0] == 0
        assert run(capsys, "taper", "start", "sertraline", "--db", dbp)[0] == 0
    with at(f"{DAY1} 08:05:00"):
        assert run(capsys, "log", "dose", "sertraline", "--db", dbp)[0] == 0
    db = open_database(Path(dbp))
    try:
        with db.read() as s:
            result = trends.adherence(
                session=s,
                start=date(2026, 12, 1),
                end=date(2026, 12, 12),
                now=datetime(2026, 12, 12, 12, 0, tzinfo=UTC),
                tz=ZoneInfo("UTC"),
            )
    finally:
        db.close()
    assert result.slots == 6


def test_abandoning_keeps_the_dose_of_that_day(capsys: pytest.CaptureFixture[str], running: str) -> None:
    dbp = running
    # Abandoned on day 5 (44 mg): from then on 44 mg a day is expected, never the 50 mg it started from.
    with at("2026-12-05 09:00:00"):
        code, _, err = run(capsys, "taper", "abandon", "sertraline", "--reason", "moving", "--db", dbp)
        assert code == 0, err
    with at("2026-12-07 08:10:00"):
        assert run(capsys, "log", "dose", "sertraline", "--db", dbp)[0] == 0
    assert rows(dbp, "SELECT amount_mg FROM doseevent") == [(44.0,)]
    assert rows(dbp, "SELECT dose_mg, taper_step_id FROM prescription WHERE end_date IS NULL") == [
        (44.0, None)
    ]


def test_completing_after_the_table_keeps_its_last_dose(
    capsys: pytest.CaptureFixture[str], running: str
) -> None:
    dbp = running
    with at("2026-12-30 09:00:00"):  # two days after day 28 (26 mg, 1.3 ml)
        code, _out, err = run(capsys, "taper", "advance", "sertraline", "--reason", "done", "--db", dbp)
        assert code == 0, err
    assert rows(dbp, "SELECT status FROM taperplan") == [("completed",)]
    assert rows(dbp, "SELECT dose_mg FROM prescription WHERE end_date IS NULL") == [(26.0,)]
    with at("2026-12-31 08:10:00"):
        assert run(capsys, "log", "dose", "sertraline", "--db", dbp)[0] == 0
    assert rows(dbp, "SELECT amount_mg FROM doseevent") == [(26.0,)]


def test_taper_show_says_the_table_stopped_at_the_hold(
    capsys: pytest.CaptureFixture[str], running: str
) -> None:
    dbp = running
    with at("2026-12-06 09:00:00"):  # day 6 of the table: 42 mg (2.1 ml)
        assert run(capsys, "taper", "hold", "sertraline", "--reason", "zaps", "--db", dbp)[0] == 0
        assert run(capsys, "taper", "resume", "sertraline", "--reason", "better", "--db", dbp)[0] == 0
    with at("2026-12-09 09:00:00"):
        code, out, err = run(capsys, "taper", "show", "sertraline", "--db", dbp)
    assert code == 0, err
    flat = " ".join(out.split())
    assert "The day-by-day table stopped at the hold on 2026-12-06: 42 mg a day since." in flat
    assert "Resuming keeps 42 mg a day; the table does not go on." in flat
    assert "make a new draft (tracker taper draft sertraline --method daily" in flat


def test_taper_show_says_nothing_of_a_stop_without_a_hold(
    capsys: pytest.CaptureFixture[str], running: str
) -> None:
    with at("2026-12-09 09:00:00"):
        code, out, _err = run(capsys, "taper", "show", "sertraline", "--db", running)
    assert code == 0 and "stopped at the hold" not in out


def test_the_summary_chart_follows_the_days_row_with_one_change_at_the_tables_start(
    capsys: pytest.CaptureFixture[str], running: str
) -> None:
    """The clinician summary's dose line is the day's row (50, 48, 46 mg on days 1-3, the table
    of the module docstring), and the table is one planned change on its first day, from the
    50 mg before it to its last row's 26 mg, not one change a day."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from tracker.db import open_database
    from tracker.export.data import gather

    db = open_database(Path(running))
    try:
        with db.read() as session:
            data = gather(
                session=session,
                start=date(2026, 11, 29),
                end=date(2026, 12, 3),
                now=datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
                tz=ZoneInfo("UTC"),
            )
    finally:
        db.close()
    (series,) = data.chart.doses
    assert series.values == (50.0, 50.0, 50.0, 48.0, 46.0)  # 29 Nov - 3 Dec
    table_changes = [c for c in data.changes if c.change.day >= date(2026, 12, 1)]
    assert [(c.change.day, c.change.from_mg, c.change.to_mg, c.planned) for c in table_changes] == [
        (date(2026, 12, 1), 50.0, 26.0, True)
    ]
