"""Stored text of NOT NULL columns as Python values (``tracker.store`` has the nullable ones)."""

from __future__ import annotations

from datetime import date, datetime

from tracker.store import utc_from_db


def as_utc(stored: str) -> datetime:
    """A stored instant (NOT NULL column) as an aware UTC datetime."""
    moment = utc_from_db(stored)
    assert moment is not None
    return moment


def as_day(stored: str) -> date:
    """A stored date (NOT NULL column)."""
    return date.fromisoformat(stored)
