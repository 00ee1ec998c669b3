"""The plan rules and settings bounds in one guarded place (issue 13; DOMAIN.md "Safety rules no
setting, import or key can relax"): one test per way in that went round them before.

- the JSON import (hand-edited files: status, prescriber, agreement dates, step status, thresholds);
- the command line (``taper agree --on 1900-01-01``, ``settings set``);
- an ORM write that skips the services (what a future screen or bug would do);
- a plain SQL write (the triggers of migration 0005_safety_guards);
- a restore of an older file, and ``tracker check`` on stored records.

Now is Fri 27 Nov 2026, 12:00 in London (GMT = UTC).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from tracker.cli import main
from tracker.db import Database, open_database
from tracker.domain import bounds, plan_rules
from tracker.guards import RuleError
from tracker.models import TaperPlan, TaperStep
from tracker.services import meds, settings
from tracker.services import taper as svc

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PRESCRIBER = "Dr Okonkwo-Private"  # must never appear in a refusal


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _plan(db: Database) -> int:
    """Sertraline 50 mg a day and a draft plan 50 -> 25 -> 0 mg from 1 Dec, made now."""
    with db.write() as s:
        settings.set_setting(session=s, key="timezone", value="Europe/London")
        med = meds.create_medication(session=s, name="Sertraline", strength_mg=50, tablet_fractions="1,0.5")
        meds.set_prescription(
            session=s, medication_id=med.id or 0, dose_mg=50, times=[time(8)], start_date=date(2026, 9, 1)
        )
        inputs = svc.draft_inputs(session=s, medication_id=med.id or 0, today=TODAY)
        draft = svc.calculate_draft(
            inputs, method="manual", start_date=date(2026, 12, 1), doses=[50.0, 37.5, 25.0, 12.5, 0.0]
        )
        return svc.save_draft(session=s, medication_id=med.id or 0, draft=draft, now=NOW).id


def _started(db: Database) -> int:
    plan_id = _plan(db)
    with db.write() as s:
        svc.agree_plan(session=s, plan_id=plan_id, prescriber=PRESCRIBER, agreed_on=TODAY, now=NOW, tz=LONDON)
    with db.write() as s:  # its own action: undo reverts the start alone
        svc.start_plan(session=s, plan_id=plan_id, now=NOW, tz=LONDON)
    return plan_id


def _rows(path: Path, columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table; with ``columns``, only those columns (what an older file had:
    later migrations may add columns, never change these)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {}
        for n in names:
            cols = ", ".join(f'"{c}"' for c in columns[n]) if columns and n in columns else "*"
            out[n] = sorted(conn.execute(f'SELECT {cols} FROM "{n}"').fetchall(), key=repr)
        return out
    finally:
        conn.close()


def _columns(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: [c[1] for c in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}
    finally:
        conn.close()


# --------------------------------------------------------------------------- JSON import


@pytest.fixture
def exported(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """A real backup of a started plan, as JSON, to edit by hand."""
    _started(db)
    out = tmp_path / "backup.json"
    assert run(capsys, "export", "json", "--out", str(out), "--db", str(db.path))[0] == 0
    return dict(json.loads(out.read_text()))


def _edit(backup: dict[str, Any], table: str, **changes: Any) -> dict[str, Any]:
    edited = json.loads(json.dumps(backup))
    for row in edited["tables"][table]:
        row.update(changes)
    return edited


def _import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, backup: dict[str, Any]
) -> tuple[int, str, str, Path]:
    """Import ``backup`` (written as a file, as a user would edit it) into a fresh database."""
    target = tmp_path / "fresh.db"
    open_database(target).close()
    before = _rows(target)
    src = tmp_path / "edited.json"
    src.write_text(json.dumps(backup, indent=1))
    code, out, err = run(capsys, "import", "json", str(src), "--db", str(target))
    if code != 0:
        assert _rows(target) == before  # refused whole: nothing written
    return code, out, err, target


@pytest.mark.parametrize(
    ("table", "changes", "expected"),
    [
        ("taperplan", {"status": "activ"}, "taper plan 1: its status is not one of draft, agreed, active"),
        ("taperplan", {"status": "running"}, "taper plan 1: its status is not one of"),
        ("taperplan", {"prescriber": None}, "taper plan 1: it is active but no prescriber who agreed it"),
        ("taperplan", {"prescriber": "   "}, "taper plan 1: it is active but no prescriber who agreed it"),
        ("taperplan", {"agreed_on": None}, "taper plan 1: it is active but the date it was agreed is not"),
        ("taperplan", {"agreed_on": "1900-01-01"}, "taper plan 1: its agreement date is before 1988"),
        ("taperplan", {"agreed_on": "2099-01-01"}, "taper plan 1: its agreement date is in the future"),
        ("taperplan", {"agreed_on": "2026-01-05"}, "its agreement date is before the draft was made"),
        (
            "taperplan",
            {"status": "draft"},  # a draft whose steps have started: advanced without an agreement
            "step 1 of taper plan 1: it is marked current but its plan is draft and has not started",
        ),
        ("taperstep", {"status": "skipped"}, "step 1 of taper plan 1: its status is not one of planned"),
    ],
)
def test_an_import_breaking_a_plan_rule_is_refused_whole_naming_the_record(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    exported: dict[str, Any],
    table: str,
    changes: dict[str, Any],
    expected: str,
) -> None:
    """Issue: an imported plan with ``"status": "active"`` and no prescriber was accepted and shown
    as agreed with a prescriber; a status of any word, and any agreement date, were accepted."""
    code, out, err, _ = _import(capsys, tmp_path, _edit(exported, table, **changes))
    assert code == 2 and out == ""
    assert expected in err and err.count("\n") == 1
    assert PRESCRIBER not in err and "Sertraline" not in err


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        ({"urgent_snooze_limit_hours": 720}, "urgent_snooze_limit_hours: it is not a setting"),
        ({"crisis_mood_max": 5}, "crisis_mood_max: it is not a setting"),
        ({"no_dose_days": 30}, "no_dose_days must be from 1 to 7"),
        ({"flare_ratio": 100}, "flare_ratio must be from 1.2 to 4"),
        ({"missed_after_hours": 0}, "missed_after_hours must be from 2 to 12"),
        ({"severe_days": "two"}, "severe_days must be a number"),
    ],
)
def test_an_import_with_a_threshold_out_of_bounds_is_refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    exported: dict[str, Any],
    thresholds: dict[str, Any],
    expected: str,
) -> None:
    """Issue: an imported ``urgent_snooze_limit_hours: 720`` let a crisis reminder be snoozed for 10 days."""
    edited = json.loads(json.dumps(exported))
    rows = [r for r in edited["tables"]["setting"] if r["key"] != "reminder_thresholds"]
    rows.append({"key": "reminder_thresholds", "value": json.dumps(thresholds)})
    edited["tables"]["setting"] = rows
    code, _, err, _ = _import(capsys, tmp_path, edited)
    assert code == 2 and expected in err and "setting reminder_thresholds" in err


def test_a_sound_backup_still_imports_and_a_threshold_in_bounds_comes_across(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, exported: dict[str, Any]
) -> None:
    edited = json.loads(json.dumps(exported))
    edited["tables"]["setting"].append({"key": "reminder_thresholds", "value": '{"no_dose_days": 3}'})
    code, _, err, target = _import(capsys, tmp_path, edited)
    assert (code, err) == (0, "")
    db = open_database(target)
    try:
        with db.read() as s:
            assert settings.get_setting(session=s, key="reminder_thresholds") == {"no_dose_days": 3}
            assert [p.status for p in svc.plans_for(session=s)] == ["active"]
    finally:
        db.close()


# --------------------------------------------------------------------------- command line


def test_an_agreement_dated_1900_is_refused_from_the_command_line(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    """Issue: ``taper agree --on 1900-01-01`` was accepted."""
    plan_id = _plan(db)
    code, out, err = run(
        capsys,
        "taper",
        "agree",
        "sertraline",
        "--prescriber",
        PRESCRIBER,
        "--on",
        "1900-01-01",
        "--db",
        str(db.path),
    )
    assert (code, out) == (2, "")
    assert "agreement date is before 1988" in err and err.count("\n") == 1 and PRESCRIBER not in err
    with db.read() as s:
        assert svc.get_plan(session=s, plan_id=plan_id).status == "draft"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["urgent_snooze_limit_hours", "720"], "the 24-hour limit on urgent reminders and the crisis"),
        (["no_dose_days", "30"], "no_dose_days must be from 1 to 7 (default 2)"),
        (["flare_ratio", "lots"], "flare_ratio must be a number from 1.2-4"),
        (["missed_count", "2.5"], "missed_count must be a whole number from 1 to 5"),
        (["nonsense", "3"], "'nonsense' is not a setting"),
    ],
)
def test_settings_set_keeps_the_bounds(
    capsys: pytest.CaptureFixture[str], db: Database, argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "settings", "set", *argv, "--db", str(db.path))
    assert (code, out) == (2, "") and expected in err
    with db.read() as s:
        assert settings.get_setting(session=s, key="reminder_thresholds") == {}


def test_settings_set_show_and_reset_a_threshold(capsys: pytest.CaptureFixture[str], db: Database) -> None:
    assert run(capsys, "settings", "set", "no_dose_days", "3", "--db", str(db.path))[:2] == (
        0,
        "no_dose_days set to 3\n",
    )
    code, out, _ = run(capsys, "settings", "show", "--json", "--db", str(db.path))
    shown = json.loads(out)["thresholds"]["no_dose_days"]
    assert code == 0 and shown == {"value": 3, "default": 2, "low": 1, "high": 7, "whole": True}
    assert run(capsys, "settings", "reset", "no_dose_days", "--db", str(db.path))[0] == 0
    with db.read() as s:
        assert settings.get_setting(session=s, key="reminder_thresholds") == {}


# --------------------------------------------------------------------------- writes that skip the services


def test_an_orm_write_that_skips_the_services_is_refused(db: Database) -> None:
    plan_id = _plan(db)
    with pytest.raises(RuleError, match="taper plan 1: it is active but no prescriber"), db.write() as s:
        plan = s.get(TaperPlan, plan_id)
        assert plan is not None
        plan.status = "active"
        s.add(plan)
    started = "step 1 of taper plan 1: it is marked current but its plan is draft"
    with pytest.raises(RuleError, match=started), db.write() as s:
        row = s.exec(select(TaperStep).where(TaperStep.order == 1)).one()
        row.status = "current"
        s.add(row)
    with pytest.raises(RuleError, match="reminder_thresholds: urgent_snooze_limit_hours"), db.write() as s:
        from tracker.models import Setting

        s.add(Setting(key="reminder_thresholds", value='{"urgent_snooze_limit_hours": 720}'))
    with db.read() as s:
        assert svc.get_plan(session=s, plan_id=plan_id).status == "draft"


def test_a_plain_sql_write_is_refused_by_the_triggers(db: Database) -> None:
    _started(db)
    conn = sqlite3.connect(db.path)
    try:
        for sql in (
            "UPDATE taperplan SET prescriber = NULL",
            "UPDATE taperplan SET status = 'bogus'",
            "UPDATE taperplan SET agreed_on = '1900-01-01'",
            "UPDATE taperplan SET agreed_on = '2099-01-01'",
            "UPDATE taperstep SET status = 'whatever'",
            "INSERT INTO taperplan (medication_id, status, method, created_at) "
            "VALUES (1, 'active', 'manual', '2026-11-27 12:00:00.000000')",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="taper-tracker rule:"):
                conn.execute(sql)
        conn.execute("UPDATE taperplan SET status = 'abandoned'")  # setting a plan aside is always allowed
        conn.rollback()
    finally:
        conn.close()


def test_a_trigger_refusal_inside_a_write_becomes_a_rule_error(db: Database) -> None:
    _started(db)
    refused = "only with the prescriber who agreed it recorded; nothing was saved"
    with pytest.raises(RuleError, match=refused), db.write() as s:
        s.connection().exec_driver_sql("UPDATE taperplan SET prescriber = ''")


def test_undoing_the_start_of_a_plan_passes_the_triggers(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    plan_id = _started(db)
    code, out, _ = run(capsys, "undo", "--db", str(db.path))
    assert code == 0 and out.startswith("Undone")
    with db.read() as s:
        plan = svc.get_plan(session=s, plan_id=plan_id)
    assert plan.status == "agreed" and {step.status for step in plan.steps} == {"planned"}


# ----------------------------------------------------------------- stored records: check and restore


def _older_file_with_a_bad_plan(tmp_path: Path) -> Path:
    """The released 0004 fixture, edited as an old program could have left it: an active plan without
    a prescriber (written before the triggers existed)."""
    copy = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema_0004_medication_started.db", copy)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT count(*) FROM taperplan").fetchone()[0] >= 1
        conn.execute("UPDATE taperplan SET prescriber = NULL, agreed_on = '1900-01-01' WHERE id = 1")
        conn.commit()
    finally:
        conn.close()
    return copy


def test_check_reports_stored_records_that_break_a_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue: ``tracker check`` called an imported active plan without a prescriber sound."""
    old = _older_file_with_a_bad_plan(tmp_path)
    code, out, err = run(capsys, "check", "--db", str(old))
    assert code == 1
    assert "taper plan 1: it is active but no prescriber who agreed it is recorded" in out
    assert "taper plan 1: its agreement date is before 1988" in out
    assert "break a safety rule" in err


def test_check_calls_a_sound_database_ok(capsys: pytest.CaptureFixture[str], db: Database) -> None:
    _started(db)
    assert run(capsys, "check", "--db", str(db.path))[:2] == (0, f"{db.path}: ok\n")


def test_a_restore_of_an_older_file_breaking_a_rule_is_refused(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    _started(db)
    before = _rows(db.path)
    old = _older_file_with_a_bad_plan(tmp_path)
    code, out, err = run(capsys, "restore", str(old), "--db", str(db.path))
    assert (code, out) == (2, "")
    assert (
        "cannot be restored: taper plan 1: it is active but no prescriber" in err
        and "nothing was changed" in err
    )
    assert _rows(db.path) == before


# --------------------------------------------------------------------------- wording


FORBIDDEN = [  # as tests/unit/test_reminders.py: an instruction to change a dose, in any form
    r"\b(reduce|lower|decrease|increase|raise|change|adjust|halve|double|stop|skip|cut)\s+(your|the|this|a)\s+"
    r"(dose|medicine|medication|tablets?|pills?)",
    r"\btake (more|less|fewer|an extra|another|half)\b",
    r"\b(stop|start) taking\b",
    r"\byou should (reduce|take|stop|increase|skip|lower|raise)",
    r"(^|[.!:;]\s+)(reduce|increase|lower|raise|stop|skip|halve|double|take|cut)\b",
    r"\b(reduce|increase|lower|raise) (it|to)\b",
    r"\bskip (a|the|your|tomorrow|today|one)\b",
]


def every_rule_message() -> list[str]:
    """Every message a plan rule, a bound or a trigger can produce."""
    spec = importlib.util.spec_from_file_location(
        "m0005", Path(__file__).resolve().parents[2] / "tracker/migrations/versions/0005_safety_guards.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    triggers = [
        m for body in module.TRIGGERS.values() for m in re.findall(r"'(taper-tracker rule:[^']*)'", body)
    ]
    return plan_rules.all_messages() + bounds.all_messages() + triggers


def test_every_rule_message_is_listed() -> None:
    messages = every_rule_message()
    assert len(messages) >= 15
    assert any("before 1988" in m for m in messages) and any("urgent_snooze" in m for m in messages)


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_no_rule_message_instructs_a_dose_change(pattern: str) -> None:
    offenders = [m for m in every_rule_message() if re.search(pattern, m, re.IGNORECASE | re.MULTILINE)]
    assert offenders == []


def test_migration_0005_keeps_every_row_and_adds_the_triggers(tmp_path: Path) -> None:
    copy = tmp_path / "tracker.db"
    shutil.copyfile(FIXTURES / "schema_0004_medication_started.db", copy)
    before, columns = _rows(copy), _columns(copy)
    open_database(copy).close()
    after = _rows(copy, columns)
    for name in ("taperstep", "prescription", "doseevent", "setting"):
        assert after[name] == before[name]
    # migration 0008 may move a plan's draft time to its agreement day (tests/unit/test_legacy_plans.py)
    at = columns["taperplan"].index("created_at")

    def without_draft_time(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [r[:at] + r[at + 1 :] for r in rows]

    assert without_draft_time(after["taperplan"]) == without_draft_time(before["taperplan"])
    assert len(after["medication"]) == len(before["medication"])
    conn = sqlite3.connect(copy)
    try:
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"tg_taperplan_rules_insert", "tg_taperplan_rules_update"} <= triggers
        assert {"tg_taperstep_rules_insert", "tg_taperstep_rules_update"} <= triggers
        assert conn.execute("SELECT DISTINCT drops_per_ml FROM medication").fetchall() == [(None,)]
    finally:
        conn.close()
