"""Trends "All" over a generated multi-year history gives the same TrendsData whether the
missed-dose runs are read block by block, in batches, or all at once (issue 18: reading them in
batches bounds the memory of decades without changing a number)."""

from __future__ import annotations

import importlib
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.trends import TrendRange
from tracker.services import trends as svc

END = date(2026, 11, 30)
ZONE = "Europe/London"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generate = importlib.import_module("benchmarks.generate")
    path = tmp_path_factory.mktemp("hist") / "three-years.db"
    generate.generate(path, years=3, end=END, zone=ZONE)
    return path


def _all(path: Path) -> svc.TrendsData:
    conn = sqlite3.connect(path)
    try:
        return svc.trends_data(
            session=conn,
            range_kind=TrendRange.ALL,
            today=END,
            now=datetime.combine(END + timedelta(days=1), datetime.min.time(), UTC),
            tz=ZoneInfo(ZONE),
        )
    finally:
        conn.close()


def test_batched_runs_give_the_same_trends_data(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = _all(history)
    monkeypatch.setattr(svc, "RUN_BATCH", 10**9)  # every block in one read: the earlier way
    at_once = _all(history)
    monkeypatch.setattr(svc, "RUN_BATCH", 1)
    one_by_one = _all(history)
    assert default == at_once == one_by_one
    # the history has missed doses over the years, so the runs are really read in batches
    assert len(default.missed_runs) > 1 and default.span.start <= END - timedelta(days=3 * 365 - 2)
