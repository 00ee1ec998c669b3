"""Read-only commands answer without the ORM, and say exactly what the ORM path says (issue 18).

``status``, ``remind``, ``check``, ``med list``, ``symptoms`` and ``taper show`` only read.
On a database already at the current schema they read through plain SQL
(``tracker.store.Reader``), so SQLAlchemy, SQLModel and pydantic are never imported: most
of such a command's time and memory. Each command runs here twice on the same history:

- in a child process, the way a user runs it, which reports the modules it imported;
- in this process through the ORM path: the full open (``tracker.db.open_database``) and
  an ORM session, the path a new or upgraded database takes. ``open_reader`` is made to
  answer "open it fully" for that run, as it does for a database at an older schema.

Both must print the same bytes and exit with the same status.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker import store
from tracker.cli import main

ROOT = Path(__file__).resolve().parents[2]
ORM_MODULES = ("sqlalchemy", "sqlmodel", "pydantic", "tracker.models", "tracker.db", "textual")
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
NOW = f"{YESTERDAY}T21:30:00+00:00"

COMMANDS: list[tuple[str, ...]] = [
    ("status",),
    ("status", "--json"),
    ("status", "--json", "--day", YESTERDAY),
    ("remind", "--now", NOW),
    ("remind", "--json", "--now", NOW),
    ("check",),
    ("med", "list"),
    ("med", "list", "--json", "--all"),
    ("symptoms",),
    ("symptoms", "--json"),
    ("taper", "show"),
    ("taper", "show", "--json", "--all"),
    ("taper", "show", "sertraline", "--all"),
]

# The child: run the real entry point, then list the ORM modules that got imported.
CHILD = """
import json, sys
from tracker.cli import main
code = main()
found = sorted(m for m in {orm!r} if m in sys.modules)
with open({report!r}, "w") as fh:
    json.dump(found, fh)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.generate import generate
    finally:
        sys.path.remove(str(ROOT))
    path = tmp_path_factory.mktemp("light-cli") / "tracker.db"
    generate(path, years=120 / 365.25, end=date.today(), seed=11)
    return path


def _light(
    argv: tuple[str, ...], db: Path, report: Path, modules: tuple[str, ...] = ORM_MODULES
) -> tuple[int, str, list[str]]:
    code = CHILD.format(orm=modules, report=str(report))
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv, "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stderr == "", proc.stderr[-2000:]
    return proc.returncode, proc.stdout, json.loads(report.read_text())


def _orm_path(
    argv: tuple[str, ...], db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    with monkeypatch.context() as patch:
        patch.setattr(store, "open_reader", lambda _path: None)
        capsys.readouterr()
        code = main([*argv, "--db", str(db)])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_read_only_command_imports_no_orm_and_prints_what_the_orm_path_prints(
    argv: tuple[str, ...],
    history: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, imported = _light(argv, history, tmp_path / "modules.json")
    assert imported == []
    assert out.strip(), "the command printed nothing: the comparison would prove nothing"
    assert (code, out) == _orm_path(argv, history, capsys, monkeypatch)


def test_the_child_sees_the_orm_when_a_command_imports_it(history: Path, tmp_path: Path) -> None:
    """The check above can fail: a command that writes (through the ORM) is reported as such."""
    code, _, imported = _light(("log", "checkin", "--mood", "6"), history, tmp_path / "modules.json")
    assert code == 0
    assert {"sqlalchemy", "sqlmodel", "tracker.db"} <= set(imported)
    assert "textual" not in imported


def test_a_new_database_is_created_by_a_read_only_command(tmp_path: Path) -> None:
    """No reader for a file that does not exist yet: the full open creates it, then it is read."""
    db = tmp_path / "new.db"
    code, out, _ = _light(("med", "list", "--json"), db, tmp_path / "modules.json")
    assert (code, json.loads(out)) == (0, [])
    assert store.open_reader(db) is not None  # now at the current schema


def test_log_dose_without_a_micro_step_table_does_not_import_the_taper_code(tmp_path: Path) -> None:
    """The commonest command starts without the taper calculators (issue 18): they are read only
    when a step has a micro-step table, and this history has none."""
    from datetime import time as clock

    from tracker.db import open_database
    from tracker.services import meds

    db_path = tmp_path / "t" / "tracker.db"
    db = open_database(db_path, create_dir=True)
    try:
        with db.write() as s:
            med = meds.create_medication(session=s, name="Sertraline", strength_mg=50)
            meds.set_prescription(
                session=s,
                medication_id=med.id or 0,
                dose_mg=50,
                times=[clock(8)],
                start_date=date.today() - timedelta(days=10),
            )
    finally:
        db.close()
    left_out = (
        "tracker.domain.taper",
        "tracker.domain.taper_micro",
        "tracker.domain.reminders",  # the rules: the settings bounds need only the thresholds
        "tracker.models",
    )
    code, out, imported = _light(
        ("log", "dose", "Sertraline", "50mg"), db_path, tmp_path / "m.json", left_out
    )
    assert code == 0 and "Sertraline 50 mg" in out
    assert imported == ["tracker.models"]  # the write went through the ORM, the rest stayed out


def _without_clock(text: str) -> list[str]:
    """The summary's lines but the one naming when it was generated (the two runs differ by seconds)."""
    return [line for line in text.splitlines() if "Generated" not in line]


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_export_summary_imports_no_orm_and_writes_what_the_orm_path_writes(
    fmt: str,
    history: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The clinician summary only reads: through plain SQL, the same document as through the ORM."""
    light, full = tmp_path / f"light.{fmt}", tmp_path / f"full.{fmt}"
    argv = ("export", "summary", "--from", (date.today() - timedelta(days=100)).isoformat(), "--format", fmt)
    code, out, imported = _light((*argv, "--out", str(light)), history, tmp_path / "modules.json")
    assert imported == []
    assert code == 0 and out.strip().endswith(f"written to {light}")
    orm_code, orm_out = _orm_path((*argv, "--out", str(full)), history, capsys, monkeypatch)
    assert (orm_code, orm_out.replace(str(full), str(light))) == (code, out)
    if fmt == "pdf":  # its bytes carry the creation time: a PDF of as many pages will do
        pages = light.read_bytes().count(b"/Type /Page")
        assert light.read_bytes()[:5] == b"%PDF-" and pages >= 1
        assert full.read_bytes().count(b"/Type /Page") == pages
    else:
        assert "Sertraline" in light.read_text()
        assert _without_clock(light.read_text()) == _without_clock(full.read_text())
