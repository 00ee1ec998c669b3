"""Combinations of tablet (or capsule) strengths: which daily doses the strengths a user has can make.

Issue 12: combinations of the strengths the user has (for example 50 mg and 25 mg sertraline
tablets) are used before a taper step is marked as needing another form. Pure: no I/O.

The medication's own strength may be split into the pieces the user recorded
(``tablet_fractions``: only scored tablets halve, so the user says which pieces they can make);
the other strengths (``medication.other_strengths``, stored as text such as ``"25,100"``) are
taken whole. Among the ways of making a dose, the one with the fewest pieces wins, then the one
with the fewest split tablets, then the one with the fewest different strengths: "one 50 mg
tablet + one 25 mg tablet" rather than "one and a half 50 mg tablets".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.domain.errors import TrackerError

__all__ = [
    "MAX_OTHER",
    "MAX_STRENGTH_MG",
    "Combination",
    "Stock",
    "StrengthsError",
    "best_combinations",
    "format_strengths",
    "parse_strengths",
]

MAX_OTHER = 4  # more strengths than a pharmacy would dispense for one medicine
MAX_STRENGTH_MG = 1000.0
_EPS = 1e-9
_FIELD = "other strengths"


class StrengthsError(TrackerError, ValueError):
    """Bad other strengths; the message names the field, never the value typed."""


def _number(text: str) -> float:
    raw = text.strip().lower().removesuffix("mg").strip().replace(" ", "")
    try:
        value = float(raw)
    except ValueError:
        raise StrengthsError(f"{_FIELD} must be numbers of mg separated by commas, such as 25,100") from None
    if not math.isfinite(value) or value <= 0:
        raise StrengthsError(f"{_FIELD} must each be more than 0 mg")
    if value > MAX_STRENGTH_MG:
        raise StrengthsError(f"{_FIELD} must each be at most {MAX_STRENGTH_MG:g} mg; check the label")
    return value


def parse_strengths(text: str | None, *, main_mg: float | None = None) -> tuple[float, ...]:
    """``"25, 100mg"`` -> ``(25.0, 100.0)``: the other strengths, ascending, without repeats.

    Empty text (or None) means none. The medication's own strength (``main_mg``), when given
    and repeated in the list, is left out. Raises StrengthsError naming the field.
    """
    if text is None or not text.strip():
        return ()
    parts = [p for p in text.replace(";", ",").split(",")]
    if any(not p.strip() for p in parts):
        raise StrengthsError(f"{_FIELD} must be numbers of mg separated by commas, such as 25,100")
    values = sorted({round(_number(p), 6) for p in parts})
    if main_mg is not None:
        values = [v for v in values if not math.isclose(v, main_mg, abs_tol=1e-6)]
    if len(values) > MAX_OTHER:
        raise StrengthsError(f"{_FIELD}: give at most {MAX_OTHER} strengths")
    return tuple(values)


def format_strengths(values: Iterable[float]) -> str | None:
    """The stored text of other strengths (``"25,100"``), or None when there are none."""
    out = sorted({round(float(v), 6) for v in values})
    return ",".join(f"{v:g}" for v in out) or None


@dataclass(frozen=True, slots=True)
class Stock:
    """One strength the user has: mg per tablet or capsule, and the pieces it may be split into."""

    strength_mg: float
    fractions: frozenset[float] = frozenset({1.0})  # 1 = whole only


@dataclass(frozen=True, slots=True)
class Combination:
    """One way of making a dose: how many tablets of each strength (1.5 = one and a half)."""

    dose_mg: float
    amounts: tuple[tuple[float, float], ...]  # (strength_mg, amount), largest strength first
    pieces: int  # physical pieces taken (a half tablet is one piece)
    splits: int  # pieces that are part of a split tablet

    @property
    def strengths_used(self) -> int:
        return len(self.amounts)

    def cost(self) -> tuple[int, int, int]:
        return (self.pieces, self.splits, self.strengths_used)


def _portions(stock: Stock, most: float) -> list[tuple[float, int, int]]:
    """(amount, pieces, splits) this stock can give up to ``most`` tablets, fewest pieces each."""
    small = sorted(f for f in stock.fractions if f < 1 - _EPS)
    # the fractional part and the fewest pieces that make it (0.75 = 0.5 + 0.25: two pieces)
    parts: dict[float, int] = {0.0: 0}
    frontier = {0.0}
    while frontier:
        grown: set[float] = set()
        for s in frontier:
            for p in small:
                t = round(s + p, 9)
                if t < 1 - _EPS and (t not in parts or parts[t] > parts[s] + 1):
                    parts[t] = parts[s] + 1
                    grown.add(t)
        frontier = grown
    out: list[tuple[float, int, int]] = []
    for n in range(math.floor(most + _EPS) + 1):
        for frac, count in parts.items():
            amount = round(n + frac, 9)
            if amount <= most + _EPS:
                out.append((amount, n + count, count))
    return out


def best_combinations(stocks: Sequence[Stock], up_to_mg: float) -> dict[float, Combination]:
    """Every dose above 0 and up to ``up_to_mg`` the stocks can make, each by its best combination.

    Keys are doses rounded to 6 decimals. Best: fewest pieces, then fewest split pieces, then
    fewest different strengths (then the larger strengths, for a stable answer).
    """
    best: dict[float, Combination] = {0.0: Combination(0.0, (), 0, 0)}
    for stock in sorted(stocks, key=lambda s: -s.strength_mg):
        most = up_to_mg / stock.strength_mg
        portions = [p for p in _portions(stock, most) if p[0] > 0]
        grown = dict(best)
        for combo in best.values():
            for amount, pieces, splits in portions:
                dose = round(combo.dose_mg + amount * stock.strength_mg, 6)
                if dose > up_to_mg + _EPS:
                    continue
                new = Combination(
                    dose,
                    (*combo.amounts, (stock.strength_mg, amount)),
                    combo.pieces + pieces,
                    combo.splits + splits,
                )
                old = grown.get(dose)
                if old is None or new.cost() < old.cost():
                    grown[dose] = new
        best = grown
    best.pop(0.0)
    return best
