"""Bounds on the reminder thresholds that are settings (DOMAIN.md: "Settings that are thresholds
may only be changed within bounds that keep the rule meaningful, and an import is checked
against the same bounds").

One table for the Settings screen, ``tracker settings set`` and the JSON import. Each bound
keeps its rule able to fire: R3 cannot be widened to a ratio no flare reaches, R5 cannot wait
a day before calling a dose missed, and so on. The 24-hour limit on urgent reminders, R8's
crisis triggers and R12's overdose table are not here: they are constants of
``tracker.domain.safety`` and no setting names them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from tracker.domain.reminder_settings import ReminderSettings

CONSTANT_NOT_SETTING: Final = (
    "it is not a setting: the 24-hour limit on urgent reminders and the crisis triggers are fixed"
)


@dataclass(frozen=True, slots=True)
class Bound:
    """The range a threshold may take, inclusive, and whether it is a whole number."""

    name: str
    low: float
    high: float
    whole: bool
    default: float

    def describe(self) -> str:
        return f"{self.low:g}-{self.high:g}" + (" (a whole number)" if self.whole else "")

    def problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be stored for this threshold, or None when it can."""
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"{self.name} must be a number from {self.describe()}"
        if self.whole and value != int(value):
            return f"{self.name} must be a whole number from {self.low:g} to {self.high:g}"
        if not self.low <= value <= self.high:
            return f"{self.name} must be from {self.low:g} to {self.high:g} (default {self.default:g})"
        return None


# name -> (low, high); whole numbers where the default is an int
_RANGES: Mapping[str, tuple[float, float]] = {
    "upcoming_step_days": (1, 14),  # R1/R2 default 3
    "settle_window_days": (3, 28),  # R2 default 7
    "not_settled_burden_margin": (0.5, 10),  # R2 default 2
    "severe_days": (1, 7),  # R2 default 2
    "flare_window_days": (7, 56),  # R3 default 28
    "flare_recent_days": (1, 7),  # R3 default 3
    "flare_before_days": (3, 28),  # R3 default 7
    "flare_ratio": (1.2, 4),  # R3 default 2
    "flare_margin": (1, 10),  # R3 default 3
    "flare_consecutive_days": (1, 5),  # R3 default 2
    "unplanned_change_ratio": (0.05, 0.5),  # R3/R4 default 0.10
    "unplanned_lookback_days": (1, 14),  # R4 default 7
    "no_dose_days": (1, 7),  # R4 stop case default 2
    "missed_after_hours": (2, 12),  # R5/R9 default 6
    "missed_count": (1, 5),  # R5 default 2
    "missed_window_days": (1, 14),  # R5 default 3
    "short_half_life_hours": (12, 48),  # R5 default 24
    "check_in_days": (7, 90),  # R6 default 28
    "plan_not_agreed_days": (7, 56),  # R7 default 14
    "starting_out_weeks": (2, 12),  # R10 default 6
    "prescription_ending_days": (3, 28),  # R11 default 7
}


def _bounds() -> Mapping[str, Bound]:
    base = ReminderSettings()
    out: dict[str, Bound] = {}
    for f in dataclasses.fields(base):
        if f.name not in _RANGES:
            continue
        default = getattr(base, f.name)
        low, high = _RANGES[f.name]
        out[f.name] = Bound(f.name, low, high, isinstance(default, int), float(default))
    return MappingProxyType(out)


BOUNDS: Final = _bounds()
"""Every reminder threshold that is a setting, by its name in ``reminder_thresholds``."""

SAFETY_NAMES: Final = frozenset(
    {"urgent_snooze_limit_hours", "urgent_silence_hours", "crisis_mood_max", "crisis_recent_days"}
)
"""Names that look like settings but are constants of ``tracker.domain.safety``."""


def threshold_problem(name: str, value: Any) -> str | None:
    """Why one threshold cannot be stored (None when it can)."""
    if name in SAFETY_NAMES:
        return f"{name}: {CONSTANT_NOT_SETTING}"
    bound = BOUNDS.get(name)
    if bound is None:
        return f"{name} is not a reminder threshold"
    return bound.problem(value)


def threshold_problems(value: Any) -> list[str]:
    """What is wrong with a whole ``reminder_thresholds`` value (a mapping name -> number)."""
    if not isinstance(value, dict):
        return ["the reminder thresholds must be a mapping of names to numbers"]
    return [p for name, v in value.items() if (p := threshold_problem(str(name), v)) is not None]


def within_bounds(value: Any) -> dict[str, float | int]:
    """The thresholds of a stored value that keep their bounds (the others fall back to defaults)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, float | int] = {}
    for name, v in value.items():
        bound = BOUNDS.get(str(name))
        if bound is not None and bound.problem(v) is None:
            out[str(name)] = int(v) if bound.whole else float(v)
    return out


def all_messages() -> list[str]:
    """Every message the bounds can produce (for the test that none instructs a dose change)."""
    found = [CONSTANT_NOT_SETTING, *threshold_problems([])]
    for bound in BOUNDS.values():
        for bad in ("x", 0.5, bound.low - 1, bound.high + 1):
            p = bound.problem(bad)
            if p:
                found.append(p)
    found += [p for p in (threshold_problem(n, 1) for n in (*SAFETY_NAMES, "other")) if p]
    return sorted(set(found))
