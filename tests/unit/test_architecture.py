"""The layer boundary is a checked contract, not a hope.

UI -> services -> storage, a pure domain anyone may use, and Textual only under
tracker/ui (see the [tool.importlinter] contracts in pyproject.toml).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_textual_outside_the_ui() -> None:
    modules = [
        "tracker.domain.units",
        "tracker.domain.trends",
        "tracker.domain.reminders",
        "tracker.domain.taper",
        "tracker.models",
        "tracker.db",
        "tracker.services.meds",
        "tracker.services.doses",
        "tracker.services.day",
        "tracker.services.demo",
        "tracker.cli",
        "tracker.cli.core",
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad[:5]\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_no_sql_or_sessions_in_ui_code() -> None:
    offenders = []
    for path in (ROOT / "tracker" / "ui").rglob("*.py"):
        text = path.read_text()
        for needle in (
            "from sqlmodel import select",
            "session.exec(",
            "session.execute(",
            "create_engine",
            "sqlite3",
            "conn.execute(",
        ):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []
