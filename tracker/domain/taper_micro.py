"""D8 micro-steps: small daily or weekly reductions between two doses, as a day-by-day table.

The idea of tapering strips (Groot & van Os): instead of one cut held for weeks, every
day (or every week) the dose is the same as or slightly lower than the day before. The
table is a draft like any other schedule (DOMAIN.md D1-D8), to agree with the
prescriber before it runs:

- Size of the reductions. Where the drug has occupancy parameters (Sørensen et al.
  2022, approximate) every row lowers the estimated SERT occupancy by the same number of
  points, so the cuts in mg shrink as the dose falls (hyperbolic, Horowitz & Taylor
  2019) and the drop to 0 is no bigger than any earlier drop (D1). Without parameters
  every row lowers the dose by the same number of mg, so the last dose before 0 is the
  size of every earlier cut (D1's rule in mg).
- Limits. A reduction only (the "to" dose below the "from" dose, zero or more); 7 to 112
  daily rows or 2 to 26 weekly rows, so the table is never shorter than the 7-day step
  floor and at most four 28-day strips.
- Forms (D2, D3). Each row's dose is what the recorded forms give: ml of the liquid
  (measured in the medication's own ``liquid_step_ml``), or tablets and their pieces,
  topped up with the liquid where one is recorded. Rounding prefers the smaller change:
  the smallest dose the forms give at or above the target, never above the row before.
  A row that dose is not exact for is flagged ``rounded``; when none comes within 10%
  of the target the row keeps its exact target and is flagged ``needs_form`` ("needs a
  liquid or compounded form").
- Flags (D5): ``large_cut`` (occupancy: a drop more than half again the chosen drop;
  otherwise a cut over 25% of the dose below the usual minimum therapeutic dose, over
  50% above it), ``abrupt_end`` (the drop to 0 bigger than the largest earlier drop),
  and for the table as a whole ``short`` when it lasts less than 14 days.

Pure: no I/O. The table is stored as JSON in ``taperstep.micro``; its dates run from the
day its step started (``table_for_step``), and ``day_on`` gives the row of a local day.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal, Protocol

from tracker.domain.drugs import facts_for, liquid_forms_note
from tracker.domain.taper import (
    DRAFT_NOTICE,
    Form,
    Formulation,
    OccupancyParams,
    TaperError,
    dose_for_occupancy,
    fit_label,
    occupancy,
    occupancy_params,
)

__all__ = [
    "CADENCES",
    "DAILY_ROWS",
    "WEEKLY_ROWS",
    "MicroRow",
    "MicroTable",
    "build_table",
    "day_on",
    "prescription_dose",
    "stopped_at_hold",
    "table_for_step",
    "tables_by_prescription",
]

Cadence = Literal["daily", "weekly"]
CADENCES: tuple[Cadence, ...] = ("daily", "weekly")
DAILY_ROWS = (7, 112)  # days: the 7-day step floor to four 28-day strips
WEEKLY_ROWS = (2, 26)  # weeks
NEAR_PCT = 10.0  # D3: say when no dose comes within 10% of the target
SHORT_DAYS = 14  # D5: a step shorter than 14 days is always flagged
FORMAT = 1  # the JSON layout's version
_EPS = 1e-9
_STRIP = "Groot & van Os, tapering strips; DOMAIN.md D8"

FLAG_TEXT = {
    "rounded": "rounded up to what the forms give (the smaller cut, D3)",
    "needs_form": "needs a liquid or compounded form (no dose the forms give is within 10%)",
    "large_cut": "a larger cut than the rows around it (D5)",
    "abrupt_end": "the drop to 0 is bigger than the largest earlier drop (D1)",
}


@dataclass(frozen=True, slots=True)
class MicroRow:
    """One row: from ``day`` (days after the table's first day) for ``days`` days, ``dose_mg`` a day.

    ``ml`` is the day's amount of liquid where the dose is measured as liquid (with tablets:
    the top-up), ``amount`` says how to make the dose up. ``flags`` are keys of ``FLAG_TEXT``.
    """

    day: int
    days: int
    target_mg: float
    dose_mg: float
    amount: str
    ml: float | None = None
    flags: tuple[str, ...] = ()
    occupancy_pct: float | None = None  # estimated SERT occupancy of ``dose_mg`` (D7: see the table's fit)

    @property
    def exact(self) -> bool:
        """True when the forms give the calculated dose exactly (or it is kept exactly)."""
        return "rounded" not in self.flags

    @property
    def needs_form(self) -> bool:
        return "needs_form" in self.flags


@dataclass(frozen=True, slots=True)
class MicroTable:
    """A micro-step table: ``rows`` from ``from_mg`` down to ``to_mg``; ``start`` is the first row's day.

    ``start`` is None for a table not tied to a day yet (the first row is then day 0).
    """

    cadence: Cadence
    from_mg: float
    to_mg: float
    rows: tuple[MicroRow, ...]
    start: date | None = None
    fit: str | None = None
    liquid_mg_per_ml: float | None = None
    notes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    notice: str = field(default=DRAFT_NOTICE)
    # Set when the table stopped before its plan moved on (a hold, an abandon, the plan
    # completed early): from ``stopped`` on the table sets no dose; ``stopped_mg`` a day holds.
    stopped: date | None = None
    stopped_mg: float | None = None

    @property
    def total_days(self) -> int:
        return sum(r.days for r in self.rows)

    @property
    def first_day(self) -> date | None:
        return self.start

    @property
    def last_day(self) -> date | None:
        return None if self.start is None else self.start + timedelta(days=self.total_days - 1)

    def row_date(self, row: MicroRow) -> date | None:
        return None if self.start is None else self.start + timedelta(days=row.day)

    def starting(self, start: date) -> MicroTable:
        """The same table with its first row on ``start``."""
        return replace(self, start=start)

    def daily_mg_on(self, day: date) -> float | None:
        """The daily dose the table sets for local ``day`` (None before it starts or without a start).

        After the last row the table's last dose holds (the step's dose, until the plan moves on).
        """
        row = day_on(self, day)
        return None if row is None else row.dose_mg

    @property
    def changes(self) -> list[MicroRow]:
        """The rows whose dose differs from the row before (the first row always)."""
        out: list[MicroRow] = []
        for row in self.rows:
            if not out or abs(row.dose_mg - out[-1].dose_mg) > _EPS:
                out.append(row)
        return out

    def to_json(self) -> str:
        """The table as stored in ``taperstep.micro`` (dates are offsets: the step's start anchors them)."""
        return json.dumps(
            {
                "format": FORMAT,
                "cadence": self.cadence,
                "from_mg": self.from_mg,
                "to_mg": self.to_mg,
                "fit": self.fit,
                "liquid_mg_per_ml": self.liquid_mg_per_ml,
                "notes": list(self.notes),
                "flags": list(self.flags),
                "stopped": self.stopped.isoformat() if self.stopped else None,
                "stopped_mg": self.stopped_mg,
                "rows": [
                    {
                        "day": r.day,
                        "days": r.days,
                        "target_mg": r.target_mg,
                        "dose_mg": r.dose_mg,
                        "amount": r.amount,
                        "ml": r.ml,
                        "flags": list(r.flags),
                        "occupancy_pct": r.occupancy_pct,
                    }
                    for r in self.rows
                ],
            },
            ensure_ascii=False,
        )

    @staticmethod
    def from_json(text: str | None, start: date | None = None) -> MicroTable | None:
        """A stored table (None for NULL, or for text that is not a table: never a guess)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            rows = tuple(
                MicroRow(
                    day=int(r["day"]),
                    days=int(r["days"]),
                    target_mg=float(r["target_mg"]),
                    dose_mg=float(r["dose_mg"]),
                    amount=str(r["amount"]),
                    ml=None if r.get("ml") is None else float(r["ml"]),
                    flags=tuple(str(f) for f in r.get("flags", ())),
                    occupancy_pct=None if r.get("occupancy_pct") is None else float(r["occupancy_pct"]),
                )
                for r in data["rows"]
            )
            cadence = data["cadence"]
            if cadence not in CADENCES or not _well_formed(rows, float(data["from_mg"])):
                return None
            return MicroTable(
                cadence=cadence,
                from_mg=float(data["from_mg"]),
                to_mg=float(data["to_mg"]),
                rows=rows,
                start=start,
                fit=data.get("fit"),
                liquid_mg_per_ml=data.get("liquid_mg_per_ml"),
                notes=tuple(str(n) for n in data.get("notes", ())),
                flags=tuple(str(f) for f in data.get("flags", ())),
                stopped=date.fromisoformat(data["stopped"]) if data.get("stopped") else None,
                stopped_mg=None if data.get("stopped_mg") is None else float(data["stopped_mg"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _well_formed(rows: Sequence[MicroRow], from_mg: float) -> bool:
    """A stored table is used only when it is what ``build_table`` makes: consecutive rows that only
    ever lower the dose from ``from_mg``, never below 0 (an edited or imported table that is not is
    ignored, and the prescription's own dose applies)."""
    if not rows or not (math.isfinite(from_mg) and from_mg > 0):
        return False
    expected_day, previous = 0, from_mg
    for r in rows:
        if r.day != expected_day or r.days not in (1, 7) or not math.isfinite(r.dose_mg):
            return False
        if r.dose_mg < 0 or r.dose_mg > previous + _EPS:
            return False
        expected_day, previous = r.day + r.days, r.dose_mg
    return True


class _StepLike(Protocol):
    @property
    def micro(self) -> str | None: ...

    @property
    def actual_start(self) -> date | None: ...

    @property
    def planned_start(self) -> date: ...


def table_for_step(step: _StepLike) -> MicroTable | None:
    """The step's table with its dates (from the day the step started, else its planned day), or None."""
    return MicroTable.from_json(step.micro, step.actual_start or step.planned_start)


def day_on(table: MicroTable, day: date) -> MicroRow | None:
    """The row in force on local ``day``: None before the first row and from the day the table
    stopped (if it did); the last row after the end."""
    if table.start is None or day < table.start:
        return None
    if table.stopped is not None and day >= table.stopped:
        return None
    offset = (day - table.start).days
    for row in table.rows:
        if row.day <= offset < row.day + row.days:
            return row
    return table.rows[-1]


def prescription_dose(
    step: _StepLike, today: date, *, settle: bool = False
) -> tuple[float | None, bool, str | None]:
    """(daily dose, linked, the step's new ``micro``) for the prescription a step's start or end writes.

    Not a micro-step: (None, True, None): the step's own dose, linked to it. Starting one: its
    first row, linked (the table then sets every day). Leaving one (``settle``: a hold, an
    abandon, the plan completed): the dose of ``today``'s row, not linked, and the table with
    its stop recorded (``stopped``), so from ``today`` the table sets no dose and that one stays.
    """
    table = table_for_step(step)
    if table is None:
        return None, True, None
    if not settle:
        return table.rows[0].dose_mg, True, None
    if table.stopped is not None:  # already stopped (held, then completed): that dose stays
        return table.stopped_mg, False, None
    row = day_on(table, today)
    dose = row.dose_mg if row is not None else table.from_mg
    return dose, False, replace(table, stopped=today, stopped_mg=dose).to_json()


def tables_by_prescription(
    found: Iterable[tuple[int, str | None, date | None, date]],
) -> Mapping[int, MicroTable]:
    """{prescription id: its step's table} from (prescription id, micro JSON, actual start, planned start)."""
    out: dict[int, MicroTable] = {}
    for rx_id, micro, actual, planned in found:
        table = MicroTable.from_json(micro, actual or planned)
        if table is not None:
            out[rx_id] = table
    return out


# --------------------------------------------------------------------------- building


def _mg(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _ml(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") + " ml"


def _pieces(f: Formulation) -> list[float]:
    """The fractional parts of a tablet the allowed pieces make (halves and quarters: 0, .25, .5, .75)."""
    small = sorted(p for p in f.fractions if p < 1)
    parts = {0.0}
    frontier = {0.0}
    while frontier:
        grown = {round(s + p, 9) for s in frontier for p in small if s + p < 1 - _EPS}
        frontier = grown - parts
        parts |= frontier
    return sorted(parts)


def _units(amount: float, f: Formulation) -> str:
    noun = "tablet" if f.form is Form.TABLET else "capsule"
    return f"{amount:g} × {_mg(f.strength_mg)} mg {noun}"


@dataclass(frozen=True, slots=True)
class _Given:
    dose_mg: float
    amount: str
    ml: float | None


def _at_or_above(target: float, f: Formulation | None) -> _Given | None:
    """The smallest dose the forms give at or above ``target`` (D3: the smaller cut), or None."""
    if target <= _EPS:
        return _Given(0.0, "none", None)
    if f is None:
        return _Given(target, f"{_mg(target)} mg", None)
    if f.form is Form.LIQUID:
        step = f.liquid_step_ml
        ml = round(math.ceil(target / f.strength_mg / step - _EPS) * step, 6)
        return _Given(round(ml * f.strength_mg, 6), f"{_ml(ml)} of {_mg(f.strength_mg)} mg/ml", ml)
    if f.form is Form.DROPS:
        drops = math.ceil(target / f.strength_mg - _EPS)
        return _Given(round(drops * f.strength_mg, 6), f"{drops} drops", None)
    parts = _pieces(f)
    most = math.ceil(target / f.strength_mg) + 1
    amounts = sorted({round(n + p, 9) for n in range(most + 1) for p in parts})
    options: list[tuple[float, float, _Given]] = []
    for a in amounts:
        mg = a * f.strength_mg
        if mg >= target - _EPS:
            options.append((round(mg, 6), 0.0, _Given(round(mg, 6), _units(a, f), None)))
            break
    conc = f.liquid_mg_per_ml
    if conc is not None:
        step = f.liquid_step_ml
        for a in amounts:
            base = a * f.strength_mg
            if base > target + _EPS:
                break
            ml = round(math.ceil((target - base) / conc / step - _EPS) * step, 6)
            if ml <= _EPS:
                continue
            dose = round(base + ml * conc, 6)
            text = _ml(ml) if a == 0 else f"{_units(a, f)} + {_ml(ml)}"
            options.append((dose, ml, _Given(dose, text, ml)))
    if not options:
        return None
    return min(options, key=lambda o: (o[0], o[1]))[2]


def _check(from_mg: float, to_mg: float, cadence: str, count: int) -> None:
    for value, what in ((from_mg, "The starting dose"), (to_mg, "The dose to reach")):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise TaperError(f"{what} must be a number of mg.")
    if from_mg <= 0:
        raise TaperError("The starting dose must be above 0 mg.")
    if to_mg < 0:
        raise TaperError("The dose to reach must be 0 mg or more.")
    if to_mg >= from_mg - _EPS:
        raise TaperError("Micro-steps only reduce: the dose to reach must be below the starting dose.")
    if cadence not in CADENCES:
        raise TaperError(f"Unknown cadence {cadence!r}: use daily or weekly.")
    low, high = DAILY_ROWS if cadence == "daily" else WEEKLY_ROWS
    unit = "days" if cadence == "daily" else "weeks"
    if isinstance(count, bool) or not isinstance(count, int) or not low <= count <= high:
        raise TaperError(f"A {cadence} micro-step table runs from {low} to {high} {unit}.")


def _targets(
    from_mg: float, to_mg: float, count: int, params: OccupancyParams | None
) -> list[tuple[float, float | None]]:
    """(target mg, occupancy %) of rows 1..count: equal occupancy points where known, else equal mg."""
    out: list[tuple[float, float | None]] = []
    if params is not None:
        high, low = occupancy(from_mg, params), occupancy(to_mg, params)
        for i in range(1, count + 1):
            occ = high - (high - low) * i / count
            dose = to_mg if i == count else dose_for_occupancy(occ, params)
            out.append((round(dose, 6), round(occ, 3)))
        return out
    for i in range(1, count + 1):
        out.append((round(to_mg if i == count else from_mg - (from_mg - to_mg) * i / count, 6), None))
    return out


def build_table(
    drug: str,
    from_mg: float,
    to_mg: float,
    *,
    cadence: str,
    count: int,
    formulation: Formulation | None,
    start: date | None = None,
) -> MicroTable:
    """The micro-step table from ``from_mg`` to ``to_mg`` in ``count`` daily or weekly rows (D8).

    Row 1 is the first reduced dose, on the table's first day; the last row is ``to_mg``.
    Raises ``TaperError`` (naming what is wrong) for anything outside the limits.
    """
    _check(from_mg, to_mg, cadence, count)
    params = occupancy_params(drug)
    facts = facts_for(drug)
    minimum = facts.min_therapeutic_mg if facts else None
    length = 1 if cadence == "daily" else 7
    rows: list[MicroRow] = []
    previous = float(from_mg)
    for i, (target, _occ) in enumerate(_targets(from_mg, to_mg, count, params)):
        given = _at_or_above(target, formulation)
        flags: list[str] = []
        if (
            given is not None
            and given.dose_mg <= previous + _EPS
            and given.dose_mg - target <= NEAR_PCT / 100 * target + _EPS
        ):
            dose, amount, ml = given.dose_mg, given.amount, given.ml
            if abs(dose - target) > _EPS:
                flags.append("rounded")
        else:
            dose, amount, ml = target, f"{_mg(target)} mg", None
            flags.append("needs_form")
        taken_occ = round(occupancy(dose, params), 1) if params is not None else None
        rows.append(MicroRow(i * length, length, target, dose, amount, ml, tuple(flags), taken_occ))
        previous = dose
    rows = _flag_cuts(rows, from_mg, params, minimum)
    notes: list[str] = []
    if any(r.needs_form for r in rows):
        notes.append(
            "Rows marked 'needs another form' cannot be measured with the recorded forms; "
            + liquid_forms_note(drug)
        )
    notes.append(
        f"Each dose is taken for {'1 day' if length == 1 else '1 week'}: small {cadence} reductions "
        f"({_STRIP}), a choice to discuss with your prescriber."
    )
    table_flags = ("short",) if count * length < SHORT_DAYS else ()
    if table_flags:
        notes.append(f"The whole table lasts {count * length} days, less than {SHORT_DAYS} (D5).")
    conc = None
    if formulation is not None:
        conc = formulation.strength_mg if formulation.form is Form.LIQUID else formulation.liquid_mg_per_ml
    return MicroTable(
        cadence="daily" if cadence == "daily" else "weekly",
        from_mg=float(from_mg),
        to_mg=float(to_mg),
        rows=tuple(rows),
        start=start,
        fit=fit_label(params, drug) if params else None,
        liquid_mg_per_ml=conc,
        notes=tuple(notes),
        flags=table_flags,
    )


def _flag_cuts(
    rows: Sequence[MicroRow], from_mg: float, params: OccupancyParams | None, minimum: float | None
) -> list[MicroRow]:
    """D5's large cuts and D1's abrupt end.

    With occupancy parameters a row's drop is measured from the row before as planned (its
    target): rounding up only ever makes a cut smaller than planned, so the catch-up after a
    day the forms could not lower is not flagged as large. Without them the cut is measured
    on the doses as taken. The drop to 0 is always compared on the doses as taken (D1).
    """
    out: list[MicroRow] = []
    taken = planned = from_mg
    chosen = (
        (occupancy(from_mg, params) - occupancy(rows[-1].target_mg, params)) / len(rows) if params else 0.0
    )
    tolerance = 0.01 if params else 0.001  # occupancy points, or mg: float noise, not a cut
    largest = 0.0

    def drop(a: float, b: float) -> float:
        return occupancy(a, params) - occupancy(b, params) if params else a - b

    for row in rows:
        flags = list(row.flags)
        if row.dose_mg <= _EPS and taken > _EPS:
            if drop(taken, 0.0) > largest + tolerance:
                flags.append("abrupt_end")
        elif params is not None:
            if drop(planned, row.dose_mg) > 1.5 * chosen + tolerance:
                flags.append("large_cut")
        elif taken > _EPS:
            limit = 25.0 if minimum is None or taken < minimum - _EPS else 50.0
            if (taken - row.dose_mg) / taken * 100 > limit + 1e-6:
                flags.append("large_cut")
        largest = max(largest, drop(taken, row.dose_mg))
        out.append(replace(row, flags=tuple(flags)))
        taken, planned = row.dose_mg, row.target_mg
    return out


def describe(table: MicroTable) -> str:
    """One line for lists: ``daily micro-steps 50 -> 25 mg over 28 days (2026-12-01 to 2026-12-28)``."""
    span = f"{table.total_days} days"
    if table.start is not None and table.last_day is not None:
        span += f", {table.start.isoformat()} to {table.last_day.isoformat()}"
    return f"{table.cadence} micro-steps {_mg(table.from_mg)} -> {_mg(table.to_mg)} mg ({span})"


def json_rows(table: MicroTable) -> list[dict[str, Any]]:
    """The rows with their dates, for ``--json`` output and exports."""
    return [
        {
            "date": (d.isoformat() if (d := table.row_date(r)) else None),
            "day": r.day,
            "days": r.days,
            "target_mg": r.target_mg,
            "dose_mg": r.dose_mg,
            "ml": r.ml,
            "amount": r.amount,
            "flags": list(r.flags),
            "occupancy_pct": r.occupancy_pct,
        }
        for r in table.rows
    ]


def stopped_at_hold(table: MicroTable, *, plan_status: str, step_status: str, how: str) -> str | None:
    """What to say when a running step's table stopped at a hold (None otherwise).

    A hold stops the table (``prescription_dose``): the dose of that day holds, and resuming keeps
    it (the conservative choice) rather than going on with the table. ``how`` says how to make a
    new draft there (a key on the Taper screen, a command on the command line).
    """
    if (
        table.stopped is None
        or plan_status not in ("active", "held")
        or step_status not in ("current", "held")
    ):
        return None
    dose = f"{_mg(table.stopped_mg)} mg a day" if table.stopped_mg is not None else "the dose of that day"
    return (
        f"The day-by-day table stopped at the hold on {table.stopped.isoformat()}: {dose} since. "
        f"Resuming keeps {dose}; the table does not go on. To go on reducing, make a new draft "
        f"({how}): it continues from that dose."
    )
