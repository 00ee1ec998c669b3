"""Parsing what people type."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.errors import TrackerError
from tracker.domain.units import (
    Amount,
    amount_to_mg,
    format_mg,
    parse_amount,
    parse_day,
    parse_mood,
    parse_severity,
    parse_sleep,
    parse_strength,
    parse_times,
    parse_when,
)

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20mg", Amount(20, "mg")),
        ("20 mg", Amount(20, "mg")),
        ("0.5 tablet", Amount(0.5, "tablet")),
        ("half tablet", Amount(0.5, "tablet")),
        ("2.5ml", Amount(2.5, "ml")),
        ("4 drops", Amount(4, "drop")),
        ("2,5 ml", Amount(2.5, "ml")),
        ("1 capsule", Amount(1, "capsule")),
    ],
)
def test_amounts(text: str, expected: Amount) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0mg", "more than zero"),
        ("-5mg", "more than zero"),
        ("nan mg", "finite"),
        ("inf mg", "finite"),
        ("20", "no unit"),
        ("20 grams", "unknown unit"),
        ("", "empty"),
        ("lots", "not understood"),
    ],
)
def test_bad_amounts(text: str, message: str) -> None:
    with pytest.raises(TrackerError, match=message):
        parse_amount(text)


def test_conversion_uses_the_medications_strength() -> None:
    assert amount_to_mg(Amount(0.5, "tablet"), form="tablet", strength_mg=20) == 10
    assert amount_to_mg(Amount(2.5, "ml"), form="liquid", strength_mg=2) == 5
    assert amount_to_mg(Amount(4, "drop"), form="drops", strength_mg=2) == 8
    assert amount_to_mg(Amount(2.5, "ml"), form="tablet", strength_mg=20, liquid_mg_per_ml=2) == 5


@pytest.mark.parametrize(
    ("amount", "form", "message"),
    [
        (Amount(2, "ml"), "tablet", "no liquid concentration"),
        (Amount(4, "drop"), "tablet", "no strength per drop"),
        (Amount(1, "tablet"), "liquid", "cannot be measured in tablets"),
        (Amount(100000, "mg"), "tablet", "not a plausible dose"),
    ],
)
def test_conversion_refusals(amount: Amount, form: str, message: str) -> None:
    with pytest.raises(TrackerError, match=message):
        amount_to_mg(amount, form=form, strength_mg=20)


def test_strengths() -> None:
    assert parse_strength("20mg").mg == 20 and parse_strength("20mg").per == "unit"
    assert parse_strength("2mg/ml").per == "ml"
    assert parse_strength("10mg/5ml").mg == 2
    assert parse_strength("2 mg/drop").per == "drop"
    for bad in ("", "20", "mg", "0mg", "20kg"):
        with pytest.raises(TrackerError):
            parse_strength(bad)


def test_days() -> None:
    today = date(2026, 11, 28)
    assert parse_day("today", today=today) == today
    assert parse_day("yesterday", today=today) == date(2026, 11, 27)
    assert parse_day("-3", today=today) == date(2026, 11, 25)
    assert parse_day("2026-11-01", today=today) == date(2026, 11, 1)
    with pytest.raises(TrackerError, match="future"):
        parse_day("2026-11-29", today=today)
    with pytest.raises(TrackerError, match="month 13 does not exist"):  # said as a person would (issue 17)
        parse_day("2026-13-01", today=today)
    with pytest.raises(TrackerError, match="February 2026 has 28 days, so day 30 does not exist"):
        parse_day("2026-02-30", today=today)
    with pytest.raises(TrackerError, match="not understood"):
        parse_day("soon", today=today)
    assert parse_day("2026-12-01", today=today, allow_future=True) == date(2026, 12, 1)


def test_when_is_local_and_returned_in_utc() -> None:
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 13:00 in London (BST)
    assert parse_when("08:10", now=now, tz=LONDON) == datetime(2026, 7, 1, 7, 10, tzinfo=UTC)
    assert parse_when("yesterday 20:00", now=now, tz=LONDON) == datetime(2026, 6, 30, 19, 0, tzinfo=UTC)
    assert parse_when("2026-06-27 08:10", now=now, tz=LONDON) == datetime(2026, 6, 27, 7, 10, tzinfo=UTC)
    assert parse_when("now", now=now, tz=LONDON) == now
    with pytest.raises(TrackerError, match="future"):
        parse_when("23:00", now=now, tz=LONDON)
    with pytest.raises(TrackerError):
        parse_when("25:00", now=now, tz=LONDON)
    with pytest.raises(TrackerError):
        parse_when("last tuesday at noon", now=now, tz=LONDON)


def test_when_on_the_spring_forward_day_moves_to_the_first_valid_minute() -> None:
    now = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    # 01:30 does not exist in London that day; it becomes 02:00 BST = 01:00 UTC
    assert parse_when("01:30", now=now, tz=LONDON) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_times_severity_mood_sleep() -> None:
    assert parse_times("20:00,08:00, 8:00") == [time(8), time(20)]
    with pytest.raises(TrackerError):
        parse_times("8pm")
    assert parse_severity("3") == 3 and parse_severity("mild") == 1
    for bad in ("4", "-1", "x", "1.5"):
        with pytest.raises(TrackerError):
            parse_severity(bad)
    assert parse_mood("10") == 10
    with pytest.raises(TrackerError):
        parse_mood("11")
    assert parse_sleep("7.5") == 7.5
    with pytest.raises(TrackerError):
        parse_sleep("25")
    assert format_mg(2.5) == "2.5 mg" and format_mg(20.0) == "20 mg"
