"""Parsing what people type: amounts, strengths, days, times, severities.

Every parser raises TrackerError with a message naming what is wrong, so the
command line and the UI can show it as it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracker.domain.errors import TrackerError
from tracker.domain.symptoms import SEVERITY_LABELS
from tracker.domain.text import printable
from tracker.domain.timeutil import local_to_utc

MAX_MG = 10_000.0  # nothing an antidepressant is dosed in comes near this
FUTURE_TOLERANCE = timedelta(minutes=5)

_UNITS = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "ug": "mcg",
    "µg": "mcg",
    "tablet": "tablet",
    "tablets": "tablet",
    "tab": "tablet",
    "tabs": "tablet",
    "capsule": "capsule",
    "capsules": "capsule",
    "cap": "capsule",
    "caps": "capsule",
    "ml": "ml",
    "mls": "ml",
    "drop": "drop",
    "drops": "drop",
}

_AMOUNT_RE = re.compile(
    r"^\s*(?P<num>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)|[+-]?(?:nan|inf|infinity))\s*(?P<unit>[^\d\s].*)?$", re.I
)
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "½": 0.5, "¼": 0.25, "¾": 0.75}


@dataclass(frozen=True, slots=True)
class Amount:
    value: float
    unit: str  # mg, mcg, tablet, capsule, ml, drop


def _number(text: str, what: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError as exc:
        raise TrackerError(f"{what} {text!r} is not a number") from exc
    if not math.isfinite(value):
        raise TrackerError(f"{what} {text!r} is not a finite number")
    return value


def parse_amount(text: str) -> Amount:
    """Parse ``20mg``, ``20 mg``, ``0.5 tablet``, ``half tablet``, ``2.5ml``, ``4 drops``."""
    raw = text.strip()
    if not raw:
        raise TrackerError("the amount is empty; give it like 20mg, 0.5 tablet, 2.5ml or 4 drops")
    words = raw.lower().split(maxsplit=1)
    if words[0] in _FRACTIONS:
        number, unit = _FRACTIONS[words[0]], (words[1] if len(words) > 1 else "")
        unit = re.sub(r"^(a|an)\s+", "", unit.strip())
    else:
        m = _AMOUNT_RE.match(raw)
        if not m:
            raise TrackerError(
                f"amount {raw!r} is not understood; give it like 20mg, 0.5 tablet, 2.5ml or 4 drops"
            )
        number = _number(m.group("num"), "amount")
        unit = (m.group("unit") or "").strip().lower()
    if not unit:
        raise TrackerError(f"amount {raw!r} has no unit; add mg, tablet, capsule, ml or drops")
    canon = _UNITS.get(unit)
    if canon is None:
        raise TrackerError(f"unknown unit {unit!r} in {raw!r}; use mg, tablet, capsule, ml or drops")
    if number <= 0:
        raise TrackerError(
            f"amount {raw!r} must be more than zero (to record a dose not taken, mark it skipped)"
        )
    return Amount(number, canon)


def amount_to_mg(
    amount: Amount,
    *,
    form: str,
    strength_mg: float,
    liquid_mg_per_ml: float | None = None,
    name: str = "this medication",
) -> float:
    """Convert an amount to mg with the medication's own strength."""
    v, unit = amount.value, amount.unit
    if unit == "mg":
        mg = v
    elif unit == "mcg":
        mg = v / 1000
    elif unit in ("tablet", "capsule"):
        if form not in ("tablet", "capsule"):
            raise TrackerError(f"{name} is a {form}, so it cannot be measured in {unit}s; give mg or ml")
        mg = v * strength_mg
    elif unit == "ml":
        if form == "liquid":
            mg = v * strength_mg
        elif liquid_mg_per_ml:
            mg = v * liquid_mg_per_ml
        else:
            raise TrackerError(
                f"{name} has no liquid concentration recorded, so ml cannot be converted; give mg"
            )
    elif unit == "drop":
        if form != "drops":
            raise TrackerError(
                f"{name} has no strength per drop recorded, so drops cannot be converted; give mg"
            )
        mg = v * strength_mg
    else:  # pragma: no cover - parse_amount only returns the units above
        raise TrackerError(f"unknown unit {unit!r}")
    if mg > MAX_MG:
        raise TrackerError(f"{mg:g} mg is not a plausible dose")
    return round(mg, 4)


@dataclass(frozen=True, slots=True)
class Strength:
    mg: float
    per: str  # unit, ml or drop


_STRENGTH_RE = re.compile(
    r"^\s*(?P<num>\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<unit>mg|mcg)\s*(?:/\s*(?P<per>\d+(?:[.,]\d+)?)?\s*(?P<per_unit>ml|drop|drops|tablet|tab|capsule|cap))?\s*$",
    re.I,
)


def parse_strength(text: str) -> Strength:
    """Parse ``20mg`` (per tablet or capsule), ``2mg/ml``, ``10mg/5ml``, ``2mg/drop``."""
    m = _STRENGTH_RE.match(text or "")
    if not m:
        raise TrackerError(
            f"strength {text!r} is not understood; give it like 20mg, 2mg/ml, 10mg/5ml or 2mg/drop"
        )
    mg = _number(m.group("num"), "strength")
    if m.group("unit").lower() == "mcg":
        mg /= 1000
    per_unit = (m.group("per_unit") or "unit").lower()
    per_amount = _number(m.group("per"), "strength") if m.group("per") else 1.0
    if mg <= 0 or per_amount <= 0:
        raise TrackerError(f"strength {text!r} must be more than zero")
    per = {"drops": "drop", "tab": "unit", "tablet": "unit", "cap": "unit", "capsule": "unit"}.get(
        per_unit, per_unit
    )
    return Strength(round(mg / per_amount, 6), per)


def parse_time_of_day(text: str) -> time:
    """``08:00``, ``8:00``, ``20.30``, ``0800``."""
    raw = text.strip()
    m = re.fullmatch(r"(\d{1,2})(?:[:.h]?(\d{2}))?", raw)
    if not m:
        raise TrackerError(f"time {raw!r} is not understood; use HH:MM such as 08:00")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        raise TrackerError(f"time {raw!r} is not a time of day")
    return time(hour, minute)


def parse_times(text: str) -> list[time]:
    """A comma separated list of times of day, sorted, without repeats."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    if not parts:
        raise TrackerError("give at least one time of day, such as 08:00")
    return sorted({parse_time_of_day(p) for p in parts})


def format_times(times: list[time]) -> str:
    return ",".join(t.strftime("%H:%M") for t in times)


def times_from_text(stored: str) -> list[time]:
    """Times as stored in the database (``08:00,20:00``)."""
    return [time.fromisoformat(t) for t in stored.split(",") if t]


MIN_YEAR, MAX_YEAR = 1900, 2200  # the calendar this app records: far from date's own edges


def _date_problem(raw: str) -> str | None:
    """What is wrong with a date as a person would say it (``month 13 does not exist``)."""
    import calendar

    found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if found:
        year, month, day = (int(x) for x in found.groups())
        if not 1 <= month <= 12:
            return f"month {month} does not exist (months are 1 to 12)"
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"{calendar.month_name[month]} {year} has {last} days, so day {day} does not exist"
    return None


def parse_day(text: str, *, today: date, allow_future: bool = False) -> date:
    """``2026-11-27``, ``today``, ``yesterday``, ``-3`` (three days ago)."""
    raw = text.strip().lower()
    if raw == "today":
        day = today
    elif raw == "yesterday":
        day = today - timedelta(days=1)
    elif re.fullmatch(r"-\d{1,4}", raw):
        day = today - timedelta(days=int(raw[1:]))
    else:
        try:
            day = date.fromisoformat(raw)
        except ValueError as exc:
            problem = _date_problem(raw)
            raise TrackerError(
                f"date {printable(text, 40)!r}: {problem}"
                if problem
                else f"date {printable(text, 40)!r} is not understood; use YYYY-MM-DD, today or yesterday"
            ) from exc
    if day > today and not allow_future:
        raise TrackerError(f"date {day.isoformat()} is in the future")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise TrackerError(
            f"date {day.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR} this app records"
        )
    return day


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """``now``, ``08:10`` (today), ``yesterday 20:00``, ``2026-11-27 08:10``; returns UTC.

    Times in the future are refused: a dose is logged after it is taken.
    """
    raw = text.strip().lower()
    today = now.astimezone(tz).date()
    if raw in ("now", ""):
        return now
    parts = raw.replace("t", " ", 1).split() if re.match(r"\d{4}-\d{2}-\d{2}t", raw) else raw.split()
    if len(parts) == 1:
        day, clock = today, parts[0]
    elif len(parts) == 2:
        day, clock = parse_day(parts[0], today=today), parts[1]
    else:
        raise TrackerError(f"time {text!r} is not understood; use 08:10, yesterday 20:00 or 2026-11-27 08:10")
    try:
        moment = local_to_utc(day, parse_time_of_day(clock), tz)
    except OverflowError as exc:
        raise TrackerError(f"time {text!r} is outside the calendar this app can record") from exc
    if moment > now + FUTURE_TOLERANCE:
        raise TrackerError(f"time {text!r} is in the future")
    return moment


def parse_severity(text: str | int) -> int:
    """0-3, or none, mild, moderate, severe."""
    raw = str(text).strip().lower()
    if raw in SEVERITY_LABELS:
        return SEVERITY_LABELS.index(raw)
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise TrackerError(f"severity {text!r} is not understood; use 0-3 (none, mild, moderate, severe)")
    value = int(raw)
    if not 0 <= value <= 3:
        raise TrackerError(f"severity {value} is outside 0-3 (0 none, 1 mild, 2 moderate, 3 severe)")
    return value


def parse_mood(text: str | int) -> int:
    raw = str(text).strip()
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise TrackerError(f"mood {text!r} is not a whole number from 0 to 10")
    value = int(raw)
    if not 0 <= value <= 10:
        raise TrackerError(f"mood {value} is outside 0-10")
    return value


def parse_sleep(text: str | float) -> float:
    """Hours slept: ``7.5``, ``7,5``, ``7h``, ``6:30`` or ``6h30`` (6 hours 30 minutes)."""
    raw = str(text).strip().lower().replace(" ", "")
    found = re.fullmatch(r"(\d{1,2})(?::|h)(\d{1,2})(?:m|min)?", raw)
    if found:
        hours, minutes = int(found.group(1)), int(found.group(2))
        if minutes >= 60:
            raise TrackerError(f"sleep {text!r}: {minutes} minutes is more than an hour; use 6:30 or 6.5")
        value = hours + minutes / 60
        if not 0 <= value <= 24:
            raise TrackerError(f"sleep {value:g} hours is outside 0-24")
        return round(value, 2)
    value = _number(raw.removesuffix("hours").removesuffix("h"), "sleep")
    if not 0 <= value <= 24:
        raise TrackerError(f"sleep {value:g} hours is outside 0-24")
    return value


def format_mg(mg: float) -> str:
    """``20 mg``, ``2.5 mg``, ``0.45 mg``."""
    return f"{mg:.3f}".rstrip("0").rstrip(".") + " mg"
