"""Shared fixtures. Every test runs with its own data folder, so no test can
touch a real one: XDG_DATA_HOME points into tmp_path and TRACKER_DB is unset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.db import Database, open_database


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))  # no real keymap.toml either
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    return data


@pytest.fixture(autouse=True)
def _release_header_descriptors(tmp_path: Path) -> Iterator[None]:
    """sqlfile.read_head keeps one descriptor per file for the process's life; the files of a
    test's own tmp_path are done with when it ends (its connections closed by its fixtures), so
    the suite does not pile up thousands of them. Files of longer-lived fixtures are left alone:
    closing their descriptors would drop the locks of connections still open on them."""
    yield
    from tracker import sqlfile

    sqlfile.release_heads(tmp_path)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "tracker.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path, create_dir=True)
    yield database
    database.close()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
