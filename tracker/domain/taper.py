"""Taper plans: the plan's status machine, running its steps, and draft schedules.

Pure and deterministic: no I/O, no clock reads (``today`` is always passed in).
The app never decides doses. A calculated schedule is a draft to bring to the
prescriber (every result carries ``is_draft=True`` and ``DRAFT_NOTICE``), and a
plan only starts once the user has recorded who agreed it and when.

Choices worth knowing (the tests pin them):

* Row 1 of every draft is the starting dose, planned from ``start_date``; the
  first reduction is planned one interval later, so the first interval doubles
  as a baseline period for symptoms (DOMAIN.md: a baseline helps tell
  withdrawal from relapse). Row ``k`` is planned ``(k - 1) * interval`` days on.
* Targets follow the exact sequence (for proportional steps ``start * (1 - p)^k``)
  and each is rounded to what the formulation delivers on its own, so rounding
  errors never accumulate and the calculation always ends.
* A row whose rounded dose equals the previous row's is merged into it: it is
  left out, the previous row simply lasts longer, later rows keep their dates.
* Stepping back inserts rows rather than reopening an old one (see ``step_back``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from tracker.domain.drugs import facts_for, liquid_forms_note
from tracker.domain.errors import TrackerError
from tracker.domain.plan_status import PlanStatus as PlanStatus
from tracker.domain.plan_status import StepStatus as StepStatus
from tracker.domain.strengths import Stock, best_combinations

__all__ = [
    "DRAFT_NOTICE",
    "MIN_DAYS_DEFAULT",
    "MIN_DAYS_FLOOR",
    "OCCUPANCY_PARAMS",
    "Draft",
    "DraftMethod",
    "DraftStep",
    "Flag",
    "FlagKind",
    "Form",
    "Formulation",
    "OccupancyParams",
    "PlanAction",
    "PlanStatus",
    "PlanStep",
    "RoundedDose",
    "StepChange",
    "StepStatus",
    "TaperError",
    "advance",
    "begin",
    "check_min_days",
    "dose_for_occupancy",
    "draft_linear",
    "draft_manual",
    "draft_occupancy",
    "draft_proportional",
    "fit_label",
    "hold",
    "occupancy",
    "occupancy_params",
    "restate",
    "resume",
    "revise_after_step_back",
    "round_dose",
    "smallest_dose",
    "status_after_edit",
    "step_back",
    "steps_from_draft",
    "transition",
]

DRAFT_NOTICE = "Draft to discuss with your prescriber. This app does not recommend doses."

MIN_DAYS_DEFAULT = 28
MIN_DAYS_FLOOR = 7
LARGE_CUT_PCT = 25.0  # NICE NG222: smaller steps (for example 25%) as the dose gets lower
SHORT_INTERVAL_DAYS = 14  # Horowitz & Taylor 2019: 2-4 week tapers showed little benefit
ROUNDING_TOLERANCE = 0.05  # a formulation "gives" a dose when within 5% of it
LIQUID_STEP_ML = 0.1  # what an oral syringe measures reliably
PERCENT_RANGE = (5.0, 50.0)
POINTS_RANGE = (1.0, 25.0)
MAX_STEPS = 200  # a guard against a final dose so low the list never ends
_EPS = 1e-9

_NG222 = "NICE NG222 (2022) 1.4.13-1.4.22"
_HT2019 = "Horowitz & Taylor, Lancet Psychiatry 2019;6:538-46"
_SORENSEN = "Sørensen, Ruhé & Munkholm, Mol Psychiatry 2022;27:192-201 (approximate)"


class TaperError(TrackerError, ValueError):
    """A refused plan action or invalid taper input; ``str(err)`` is shown to the user."""


# --------------------------------------------------------------------------- plan status machine


class PlanAction(StrEnum):
    AGREE = "agree"
    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    COMPLETE = "complete"
    ABANDON = "abandon"


def _as_status(value: PlanStatus | str) -> PlanStatus:
    try:
        return PlanStatus(value)
    except ValueError as exc:
        raise TaperError(f"Unknown plan status {value!r}.") from exc


def transition(
    current: PlanStatus | str,
    action: PlanAction | str,
    *,
    today: date | None = None,
    prescriber: str | None = None,
    agreed_on: date | None = None,
) -> PlanStatus:
    """The status a plan moves to when ``action`` is taken, or TaperError saying why not.

    Allowed: draft -> agreed (needs ``prescriber``, ``agreed_on`` and ``today``;
    the agreement date may not be after today), agreed -> active (start),
    active <-> held, active -> completed, any status but a final one -> abandoned.
    """
    status = _as_status(current)
    try:
        act = PlanAction(action)
    except ValueError as exc:
        raise TaperError(f"Unknown plan action {action!r}.") from exc
    if status.is_final:
        raise TaperError(f"This plan is {status.value} and can no longer change.")
    if act is PlanAction.ABANDON:
        return PlanStatus.ABANDONED
    if act is PlanAction.AGREE:
        if status is PlanStatus.AGREED:
            raise TaperError("This plan is already agreed.")
        if status is not PlanStatus.DRAFT:
            raise TaperError("This plan has already started; its agreement is already recorded.")
        if prescriber is None or not prescriber.strip():
            raise TaperError("Enter the name of the prescriber who agreed this plan.")
        if agreed_on is None:
            raise TaperError("Enter the date this plan was agreed with your prescriber.")
        if today is None:
            raise TypeError("transition(..., AGREE) needs today= to check the agreement date")
        if agreed_on > today:
            raise TaperError(
                f"The agreement date {agreed_on.isoformat()} is after today ({today.isoformat()}); "
                "enter the day the plan was agreed."
            )
        return PlanStatus.AGREED
    if act is PlanAction.START:
        if status is PlanStatus.DRAFT:
            # R7: starting without a recorded agreement is blocked, with the reason.
            raise TaperError(
                "Agreement with your prescriber must be recorded first: "
                "enter who agreed this plan and when, then start it."
            )
        if status is PlanStatus.HELD:
            raise TaperError("This plan has already started and is on hold; resume it instead.")
        if status is PlanStatus.ACTIVE:
            raise TaperError("This plan has already started.")
        return PlanStatus.ACTIVE
    if act is PlanAction.HOLD:
        if status is PlanStatus.HELD:
            raise TaperError("This plan is already on hold.")
        if status is not PlanStatus.ACTIVE:
            raise TaperError("Only a plan that has started can be put on hold.")
        return PlanStatus.HELD
    if act is PlanAction.RESUME:
        if status is not PlanStatus.HELD:
            raise TaperError("Only a plan on hold can be resumed.")
        return PlanStatus.ACTIVE
    # COMPLETE
    if status is PlanStatus.HELD:
        raise TaperError("This plan is on hold; resume it before marking it completed.")
    if status is not PlanStatus.ACTIVE:
        raise TaperError("A plan that has not started cannot be marked completed.")
    return PlanStatus.COMPLETED


def status_after_edit(current: PlanStatus | str) -> PlanStatus:
    """The status a plan falls back to when its steps are edited.

    Any edit of an agreed, active or held plan makes it a draft again: what was
    agreed is no longer what is planned, so the agreement must be recorded anew.
    Running a plan (advance, hold, step back) is not an edit.
    """
    status = _as_status(current)
    if status.is_final:
        raise TaperError(f"This plan is {status.value}; its steps can no longer be edited.")
    return PlanStatus.DRAFT


# --------------------------------------------------------------------------- running the steps


def check_min_days(days: int) -> int:
    """Return ``days`` if it is a whole number of days no shorter than 7; refuse otherwise."""
    if isinstance(days, bool) or not isinstance(days, int) or days < MIN_DAYS_FLOOR:
        raise TaperError(f"The minimum time at a step must be at least {MIN_DAYS_FLOOR} days (got {days}).")
    return days


def _check_dose(mg: float, what: str = "A dose") -> float:
    if isinstance(mg, bool) or not isinstance(mg, int | float) or not math.isfinite(mg) or mg < 0:
        raise TaperError(f"{what} must be a number of mg, zero or more (got {mg}).")
    return float(mg)


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of a plan as stored: a daily dose from a planned date for at least ``min_days``."""

    order: int
    dose_mg: float
    planned_start: date
    min_days: int = MIN_DAYS_DEFAULT
    status: StepStatus = StepStatus.PLANNED
    actual_start: date | None = None
    note: str | None = None  # the reason given when the user left or held this step
    how_to_take: str | None = None
    needs_liquid: bool = False
    target_mg: float | None = None  # as calculated, before rounding to the forms
    occupancy_pct: float | None = None  # estimated SERT occupancy (D7: with ``fit``)
    fit: str | None = None
    flags: tuple[Flag, ...] = ()
    needs_form: bool = False  # D2: the recorded forms cannot give this dose

    def __post_init__(self) -> None:
        _check_dose(self.dose_mg)
        check_min_days(self.min_days)
        try:
            object.__setattr__(self, "status", StepStatus(self.status))
        except ValueError as exc:
            raise TaperError(f"Unknown step status {self.status!r}.") from exc


@dataclass(frozen=True, slots=True)
class StepChange:
    """The steps after an action, and warnings to show (never a refusal: the user decides)."""

    steps: tuple[PlanStep, ...]
    warnings: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        """True when no step is current, held or planned: the plan has run its course."""
        live = (StepStatus.CURRENT, StepStatus.HELD, StepStatus.PLANNED)
        return not any(s.status in live for s in self.steps)


def _mg(x: float) -> str:
    """``20``, ``2.5``, ``0.45``: a number of mg for messages, without the unit."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _require_reason(reason: str) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise TaperError("Add a short reason; it is kept in the plan's history.")
    return text


def _ordered(steps: Sequence[PlanStep]) -> list[PlanStep]:
    if not steps:
        raise TaperError("This plan has no steps.")
    ordered = sorted(steps, key=lambda s: s.order)
    if len({s.order for s in ordered}) != len(ordered):
        raise TaperError("Two steps of this plan share the same position.")
    return ordered


def _live_index(steps: list[PlanStep]) -> int:
    """The one step under way (current or held)."""
    live = [i for i, s in enumerate(steps) if s.status in (StepStatus.CURRENT, StepStatus.HELD)]
    if not live:
        raise TaperError("No step of this plan is under way.")
    if len(live) > 1:
        raise TaperError("More than one step of this plan is marked as under way.")
    return live[0]


def _shift_planned(steps: list[PlanStep], start: int, delta: timedelta) -> None:
    """Move the planned dates of planned steps from ``start`` on by ``delta``, in place."""
    if not delta:
        return
    for j in range(start, len(steps)):
        if steps[j].status is StepStatus.PLANNED:
            steps[j] = replace(steps[j], planned_start=steps[j].planned_start + delta)


def begin(steps: Sequence[PlanStep], *, today: date) -> StepChange:
    """Make the first step current from ``today`` (when the plan starts).

    Later planned dates move by the same amount, so the agreed spacing between
    steps is kept from the day the plan really began.
    """
    ordered = _ordered(steps)
    if any(s.status is not StepStatus.PLANNED for s in ordered):
        raise TaperError("This plan's steps have already started.")
    first = ordered[0]
    ordered[0] = replace(first, status=StepStatus.CURRENT, actual_start=today)
    _shift_planned(ordered, 1, today - first.planned_start)
    return StepChange(tuple(ordered))


def short_of_minimum(order: int, started: date | None, min_days: int, today: date) -> str | None:
    """``Step 3 has run 27 of its agreed minimum 42 days.`` when advancing ``today`` ends a step
    before its agreed minimum, else None. A statement, never an instruction (DOMAIN.md, Wording).

    The days run are the days before ``today`` (advancing makes ``today`` the next step's first
    day), as ``advance`` and the calendar count them.
    """
    if started is None or today < started:
        return None
    ran = (today - started).days
    if ran >= min_days:
        return None
    return f"Step {order} has run {ran} of its agreed minimum {_days(min_days)}."


def advance(steps: Sequence[PlanStep], *, today: date, reason: str) -> StepChange:
    """Mark the step under way done and make the next planned step current from ``today``.

    Never refused for being early (the app does not decide doses); instead it
    warns when fewer than the agreed minimum days were spent at the dose. Later
    planned dates keep their spacing from the new step's real start.
    """
    text = _require_reason(reason)
    ordered = _ordered(steps)
    i = _live_index(ordered)
    cur = ordered[i]
    warnings: list[str] = []
    if cur.actual_start is not None:
        if today < cur.actual_start:
            raise TaperError(
                f"This step started on {cur.actual_start.isoformat()}; the date given is before that."
            )
        note = short_of_minimum(cur.order, cur.actual_start, cur.min_days, today)
        if note is not None:
            warnings.append(note)
    ordered[i] = replace(cur, status=StepStatus.DONE, note=text)
    if i + 1 < len(ordered):
        nxt = ordered[i + 1]
        if nxt.status is not StepStatus.PLANNED:
            raise TaperError("The next step of this plan is not a planned one.")
        ordered[i + 1] = replace(nxt, status=StepStatus.CURRENT, actual_start=today)
        _shift_planned(ordered, i + 2, today - nxt.planned_start)
    return StepChange(tuple(ordered), tuple(warnings))


def hold(steps: Sequence[PlanStep], *, today: date, reason: str) -> StepChange:
    """Stay longer at the current dose: the step under way becomes held. Dates move on the next advance."""
    text = _require_reason(reason)
    ordered = _ordered(steps)
    i = _live_index(ordered)
    cur = ordered[i]
    if cur.status is StepStatus.HELD:
        raise TaperError("This step is already on hold.")
    if cur.actual_start is not None and today < cur.actual_start:
        raise TaperError("The date given is before this step started.")
    ordered[i] = replace(cur, status=StepStatus.HELD, note=text)
    return StepChange(tuple(ordered))


def resume(steps: Sequence[PlanStep]) -> StepChange:
    """End a hold: the held step is current again (its start date is unchanged)."""
    ordered = _ordered(steps)
    i = _live_index(ordered)
    if ordered[i].status is not StepStatus.HELD:
        raise TaperError("This step is not on hold.")
    ordered[i] = replace(ordered[i], status=StepStatus.CURRENT)
    return StepChange(tuple(ordered))


def step_back(steps: Sequence[PlanStep], *, today: date, reason: str) -> StepChange:
    """Return to the previous dose: the step under way becomes stepped_back.

    Modelled by inserting rows, so history is never rewritten: right after the
    stepped-back step come a new current step at the previous done step's dose
    (from ``today``, with that step's minimum days) and a planned retry of the
    stepped-back dose ``min_days`` later. The remaining planned steps follow,
    keeping their spacing; positions are renumbered 1..n. Whether to reduce more
    slowly afterwards is for the prescriber: the warnings say so.
    """
    text = _require_reason(reason)
    ordered = _ordered(steps)
    i = _live_index(ordered)
    cur = ordered[i]
    previous = next((s for s in reversed(ordered[:i]) if s.status is StepStatus.DONE), None)
    if previous is None:
        raise TaperError("There is no earlier dose in this plan to return to.")
    if cur.actual_start is not None and today < cur.actual_start:
        raise TaperError("The date given is before this step started.")
    back = PlanStep(
        order=0,
        dose_mg=previous.dose_mg,
        planned_start=today,
        min_days=previous.min_days,
        status=StepStatus.CURRENT,
        actual_start=today,
        how_to_take=previous.how_to_take,
        needs_liquid=previous.needs_liquid,
        target_mg=previous.target_mg,
        occupancy_pct=previous.occupancy_pct,
        fit=previous.fit,
        needs_form=previous.needs_form,
        flags=tuple(f for f in previous.flags if f.kind == "needs_form"),
    )
    retry_on = today + timedelta(days=previous.min_days)
    retry = replace(
        cur, order=0, planned_start=retry_on, status=StepStatus.PLANNED, actual_start=None, note=None
    )
    rest = ordered[i + 1 :]
    # The remaining steps were spaced from the stepped-back step's start; keep that spacing from the retry.
    anchor = cur.actual_start if cur.actual_start is not None else cur.planned_start
    new = [*ordered[:i], replace(cur, status=StepStatus.STEPPED_BACK, note=text), back, retry, *rest]
    _shift_planned(new, i + 3, retry_on - anchor)
    renumbered = tuple(replace(s, order=n) for n, s in enumerate(new, start=1))
    warnings = (
        f"Back to {_mg(previous.dose_mg)} mg from {_mg(cur.dose_mg)} mg. NICE NG222: when symptoms are "
        "severe, the prescriber may restart the previous dose and then reduce more slowly, in smaller steps.",
        f"The {_mg(cur.dose_mg)} mg step is planned again from {retry_on.isoformat()} and later steps keep "
        "their spacing after it; review the remaining steps with your prescriber.",
    )
    return StepChange(renumbered, warnings)


# --------------------------------------------------------------------------- occupancy model


@dataclass(frozen=True, slots=True)
class OccupancyParams:
    """Hyperbolic SERT occupancy fit: occupancy(d) = emax * d / (ed50_mg + d)."""

    drug: str
    emax: float  # % occupancy approached at high doses
    ed50_mg: float  # daily dose giving half of emax
    source: str = _SORENSEN
    approximate: bool = True  # read from an open-source calculator, not yet checked against the paper
    note: str = ""


OCCUPANCY_PARAMS: Mapping[str, OccupancyParams] = MappingProxyType(
    {
        p.drug.lower(): p
        for p in (
            OccupancyParams("citalopram", 83.98, 2.33),
            OccupancyParams("sertraline", 92.01, 7.72),
            OccupancyParams("paroxetine", 97.14, 5.60),
            OccupancyParams("fluoxetine", 86.12, 1.89),
            OccupancyParams("venlafaxine XR", 90.07, 5.80, note="fitted on the extended-release form"),
            OccupancyParams("duloxetine", 90.75, 6.27),
            OccupancyParams("escitalopram", 89.57, 2.72, note="dorsal raphe fit"),
        )
    }
)

# Salt names a stored medication name may carry ("Sertraline HCl").
_SALTS = frozenset({"hcl", "hydrochloride", "hbr", "hydrobromide", "oxalate", "mesylate"})
_ALIASES = {"venlafaxine": "venlafaxine xr", "venlafaxine er": "venlafaxine xr"}


def occupancy_params(drug_name: str) -> OccupancyParams | None:
    """Occupancy parameters for a generic drug name (case-insensitive), or None when none are known.

    Salt words are ignored ("Citalopram hydrobromide"); plain "venlafaxine" gets
    the extended-release fit, whose label says so.
    """
    words = [w for w in drug_name.lower().split() if w not in _SALTS]
    key = " ".join(words)
    key = _ALIASES.get(key, key)
    if key in OCCUPANCY_PARAMS:
        return OCCUPANCY_PARAMS[key]
    if words:
        first = _ALIASES.get(words[0], words[0])
        return OCCUPANCY_PARAMS.get(first)
    return None


def occupancy(dose_mg: float, params: OccupancyParams) -> float:
    """Estimated SERT occupancy (%) at a daily dose: Emax * d / (ED50 + d)."""
    d = _check_dose(dose_mg)
    return params.emax * d / (params.ed50_mg + d)


def dose_for_occupancy(occupancy_pct: float, params: OccupancyParams) -> float:
    """The daily dose (mg) giving an occupancy: ED50 * occ / (Emax - occ). Needs 0 <= occ < Emax."""
    occ = occupancy_pct
    if not math.isfinite(occ) or not 0 <= occ < params.emax:
        raise TaperError(f"Occupancy must be from 0 to below {_mg(params.emax)}% for {params.drug}.")
    return params.ed50_mg * occ / (params.emax - occ)


# --------------------------------------------------------------------------- formulations and rounding


class Form(StrEnum):
    TABLET = "tablet"
    CAPSULE = "capsule"
    LIQUID = "liquid"
    DROPS = "drops"


@dataclass(frozen=True, slots=True)
class Formulation:
    """What a dose can be made of.

    ``strength_mg`` is mg per tablet or capsule, mg per ml of a liquid, or mg per
    drop. ``fractions`` are the pieces a tablet may be split into (1 is always
    allowed). ``liquid_mg_per_ml`` is a liquid of the same drug available to top
    up tablet or capsule doses. ``other_strengths`` are the other tablet or capsule
    strengths the user has (mg each, taken whole): doses are made of combinations of
    them and the main strength before a step is marked as needing another form.
    """

    form: Form
    strength_mg: float
    fractions: frozenset[float] = frozenset({1.0})
    liquid_mg_per_ml: float | None = None
    liquid_step_ml: float = LIQUID_STEP_ML  # what the user's syringe measures: 0.1 ml, 0.05 ml for 1 ml
    other_strengths: tuple[float, ...] = ()  # other tablet/capsule strengths the user has, taken whole

    def __post_init__(self) -> None:
        if not _positive(self.liquid_step_ml) or not 0.01 <= self.liquid_step_ml <= 1:
            raise TaperError(
                f"The liquid measuring step must be from 0.01 to 1 ml (got {self.liquid_step_ml})."
            )
        object.__setattr__(self, "liquid_step_ml", float(self.liquid_step_ml))
        try:
            form = Form(self.form)
        except ValueError as exc:
            raise TaperError(f"Unknown form {self.form!r}: use tablet, capsule, liquid or drops.") from exc
        object.__setattr__(self, "form", form)
        if not _positive(self.strength_mg):
            raise TaperError(f"The strength must be above 0 mg (got {self.strength_mg}).")
        object.__setattr__(self, "strength_mg", float(self.strength_mg))
        pieces = frozenset(float(f) for f in self.fractions) | {1.0}
        if any(not math.isfinite(f) or not 0.1 <= f <= 1 for f in pieces):
            raise TaperError("Tablet fractions must be between 0.1 and 1, for example 0.5 or 0.25.")
        if form is not Form.TABLET and pieces != {1.0}:
            raise TaperError(f"Only tablets can be split; a {form.value} cannot.")
        object.__setattr__(self, "fractions", pieces)
        if self.liquid_mg_per_ml is not None:
            if form not in (Form.TABLET, Form.CAPSULE):
                raise TaperError("A liquid top-up only goes with tablets or capsules.")
            if not _positive(self.liquid_mg_per_ml):
                raise TaperError(f"The liquid strength must be above 0 mg/ml (got {self.liquid_mg_per_ml}).")
            object.__setattr__(self, "liquid_mg_per_ml", float(self.liquid_mg_per_ml))
        others = tuple(sorted({float(x) for x in self.other_strengths if _positive(x)}))
        if len(others) != len(set(self.other_strengths)):
            raise TaperError("Other strengths must each be above 0 mg.")
        if others and form not in (Form.TABLET, Form.CAPSULE):
            raise TaperError("Other strengths go only with tablets or capsules.")
        object.__setattr__(
            self, "other_strengths", tuple(x for x in others if not math.isclose(x, self.strength_mg))
        )


def _positive(x: float | None) -> bool:
    return x is not None and not isinstance(x, bool) and math.isfinite(x) and x > 0


@dataclass(frozen=True, slots=True)
class RoundedDose:
    """A target dose rounded to what a formulation delivers, and how to make it up."""

    target_mg: float
    dose_mg: float
    how_to_take: str
    needs_liquid: bool = False

    @property
    def off_by_pct(self) -> float:
        """How far the deliverable dose is from the target, in % of the target."""
        return 0.0 if self.target_mg == 0 else abs(self.dose_mg - self.target_mg) / self.target_mg * 100


def _half_up(x: float) -> int:
    """Round half up (0.25 ml -> 0.3 ml), not to even; the epsilon absorbs float noise."""
    return math.floor(x + 0.5 + _EPS)


def _fraction_parts(pieces: frozenset[float]) -> list[float]:
    """Every fractional part below 1 that the allowed pieces add up to (with quarters: 0, .25, .5, .75)."""
    small = sorted(p for p in pieces if p < 1)
    parts = {0.0}
    frontier = {0.0}
    while frontier:
        grown = {round(s + p, 9) for s in frontier for p in small if s + p < 1 - _EPS}
        frontier = grown - parts
        parts |= frontier
    return sorted(parts)


_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# fraction -> (alone, after a whole number)
_FRACTION_WORDS = {
    Fraction(1, 2): ("half a {u}", "and a half"),
    Fraction(1, 4): ("a quarter of a {u}", "and a quarter"),
    Fraction(3, 4): ("three quarters of a {u}", "and three quarters"),
    Fraction(1, 3): ("a third of a {u}", "and a third"),
    Fraction(2, 3): ("two thirds of a {u}", "and two thirds"),
}


def _count(n: int) -> str:
    return _WORDS[n] if n < len(_WORDS) else str(n)


def _units_text(amount: float, strength: float, noun: str) -> str:
    """``two 10 mg tablets``, ``half a 20 mg tablet``, ``one and three quarters 10 mg tablets``."""
    whole = math.floor(amount + _EPS)
    frac = Fraction(amount - whole).limit_denominator(12) if amount - whole > _EPS else Fraction(0)
    unit = f"{_mg(strength)} mg {noun}"
    if frac == 0:
        return f"{_count(whole)} {unit}" + ("" if whole == 1 else "s")
    alone, after = _FRACTION_WORDS.get(frac, (f"{frac} of a {{u}}", f"and {frac}"))
    if whole == 0:
        article = "an" if _mg(strength).startswith("8") or _mg(strength) in ("11", "18") else "a"
        return alone.replace("a {u}", f"{article} {{u}}").format(u=unit)
    return f"{_count(whole)} {after} {unit}s"


def _tablet_bases(target: float, f: Formulation) -> list[tuple[float, str, float]]:
    """(dose mg, how to take it, pieces) of every amount of tablets or capsules near ``target``.

    The main strength in the recorded pieces, combined with the other strengths (whole) when
    the user has some: the fewest pieces for each dose (tracker.domain.strengths). Includes
    the empty amount (0 mg) first.
    """
    noun = "tablet" if f.form is Form.TABLET else "capsule"
    if not f.other_strengths:
        parts = _fraction_parts(f.fractions)
        most = math.ceil(target / f.strength_mg) + 1
        amounts = sorted({round(n + p, 9) for n in range(most + 1) for p in parts})
        return [
            (round(a * f.strength_mg, 6), _units_text(a, f.strength_mg, noun) if a else "", a)
            for a in amounts
        ]
    stocks = [Stock(f.strength_mg, f.fractions), *(Stock(s) for s in f.other_strengths)]
    bound = target + max(f.strength_mg, *f.other_strengths)
    combos = best_combinations(stocks, bound)
    out: list[tuple[float, str, float]] = [(0.0, "", 0.0)]
    for dose in sorted(combos):
        c = combos[dose]
        text = " + ".join(_units_text(amount, strength, noun) for strength, amount in c.amounts)
        out.append((dose, text, float(c.pieces)))
    return out


def _liquid_text(ml: float, mg_per_ml: float) -> str:
    return f"{ml:.2f}".rstrip("0").rstrip(".") + f" ml of {_mg(mg_per_ml)} mg/ml liquid"


def _no_small_doses(f: Formulation) -> bool:
    """A tablet or capsule with no liquid to top it up: the only doses are whole pieces."""
    return f.form in (Form.TABLET, Form.CAPSULE) and f.liquid_mg_per_ml is None


def smallest_dose(formulation: Formulation) -> float:
    """The smallest non-zero dose (mg) a formulation delivers: a smallest piece, 0.1 ml or one drop."""
    f = formulation
    if f.form is Form.LIQUID:
        return f.liquid_step_ml * f.strength_mg
    if f.form is Form.DROPS:
        return f.strength_mg
    piece = min((f.strength_mg * min(f.fractions), *f.other_strengths))
    if f.liquid_mg_per_ml is not None:
        return min(piece, f.liquid_step_ml * f.liquid_mg_per_ml)
    return piece


def round_dose(target_mg: float, formulation: Formulation | None) -> RoundedDose:
    """Round a daily dose to what ``formulation`` can deliver.

    Tablets: the nearest amount of whole tablets and allowed pieces (a tie goes
    to the higher dose, the smaller cut). When that is more than 5% off and a
    liquid is available: the most tablets not above the target plus liquid for
    the rest, to 0.1 ml (``needs_liquid``). Capsules: whole only, then liquid.
    Liquids: 0.1 ml. Drops: whole drops. A target above 0 never rounds to 0.
    Without a formulation the dose is kept as calculated.
    """
    target = _check_dose(target_mg, "A target dose")
    if target == 0:
        return RoundedDose(0.0, 0.0, "none")
    if formulation is None:
        return RoundedDose(target, target, f"{_mg(target)} mg")
    f = formulation
    if f.form is Form.LIQUID:
        step = f.liquid_step_ml
        ml = round(max(_half_up(target / f.strength_mg / step), 1) * step, 6)
        return RoundedDose(target, round(ml * f.strength_mg, 6), _liquid_text(ml, f.strength_mg))
    if f.form is Form.DROPS:
        drops = max(_half_up(target / f.strength_mg), 1)
        text = f"{drops} drop{'s' if drops != 1 else ''} ({_mg(f.strength_mg)} mg per drop)"
        return RoundedDose(target, round(drops * f.strength_mg, 6), text)

    bases = _tablet_bases(target, f)
    best = min((b for b in bases if b[0] > 0), key=lambda b: (abs(b[0] - target), -b[0]))
    units = RoundedDose(target, best[0], best[1])
    if units.off_by_pct <= ROUNDING_TOLERANCE * 100 + _EPS or f.liquid_mg_per_ml is None:
        return units
    conc = f.liquid_mg_per_ml
    base = max((b for b in bases if b[0] <= target + _EPS), key=lambda b: b[0])
    step = f.liquid_step_ml
    ml = round(_half_up((target - base[0]) / conc / step) * step, 6)
    if base[0] == 0 and ml == 0:
        ml = step
    if ml == 0:
        return units
    dose = round(base[0] + ml * conc, 6)
    if abs(dose - target) >= abs(units.dose_mg - target):
        return units  # a very strong liquid can do worse than the tablets alone
    liquid = _liquid_text(ml, conc)
    text = liquid if base[0] == 0 else f"{base[1]} + {liquid}"
    return RoundedDose(target, dose, text, needs_liquid=True)


# --------------------------------------------------------------------------- drafts (DOMAIN.md D1-D8)


class DraftMethod(StrEnum):
    PROPORTIONAL = "proportional"
    OCCUPANCY = "occupancy"
    LINEAR = "linear"
    MANUAL = "manual"
    DAILY = "daily"  # D8 micro-steps (tracker.domain.taper_micro)
    WEEKLY = "weekly"  # D8


class FlagKind(StrEnum):
    LARGE_CUT = "large_cut"  # D5: a cut bigger than the method's threshold
    SHORT_INTERVAL = "short_interval"  # D5: less than 14 days at this dose
    BELOW_MIN_DAYS = "below_min_days"  # D5: less time at this dose than its own minimum days
    INCREASE = "increase"  # D5
    ABRUPT_END = "abrupt_end"  # D1/D5: the drop to 0 is bigger than the largest earlier drop
    NEEDS_FORM = "needs_form"  # D2/D4: the recorded forms cannot give this dose
    NOT_EXACT = "not_exact"  # D3: no dose the forms give comes within 10% of the target


@dataclass(frozen=True, slots=True)
class Flag:
    """Something about a draft row worth raising with the prescriber, with its source."""

    kind: FlagKind
    message: str
    source: str

    def as_json(self) -> dict[str, str]:
        return {"kind": str(self.kind), "message": self.message, "source": self.source}


@dataclass(frozen=True, slots=True)
class DraftStep:
    """One row of a draft: a daily dose from a planned date.

    ``dose_mg`` is what the recorded forms give; when they cannot give the
    target (``needs_form``) it is the exact target, kept (D2, D4).
    """

    order: int
    target_mg: float  # as calculated, before rounding to the formulation
    dose_mg: float
    planned_start: date
    min_days: int
    how_to_take: str
    needs_liquid: bool  # the dose uses the recorded liquid, or needs a liquid or compounded form
    cut_pct: float | None  # % of the previous row's dose; negative for an increase; None on row 1
    occupancy_pct: float | None = None  # estimated SERT occupancy where the drug has parameters (D7)
    flags: tuple[Flag, ...] = ()
    needs_form: bool = False  # D2: the recorded forms cannot give this dose
    fit: str | None = None  # D7: the occupancy fit the figure rests on, labelled approximate


@dataclass(frozen=True, slots=True)
class Draft:
    """A calculated schedule. Always a draft to discuss with the prescriber, never advice."""

    method: DraftMethod
    steps: tuple[DraftStep, ...]
    formulation: Formulation | None = None
    params: OccupancyParams | None = None
    notes: tuple[str, ...] = ()
    fit: str | None = None  # D7
    is_draft: bool = field(default=True, init=False)
    notice: str = field(default=DRAFT_NOTICE, init=False)


_FIT_REGION = {"escitalopram": "dorsal raphe"}


def fit_label(params: OccupancyParams, drug_name: str | None = None) -> str:
    """D7: what an occupancy figure rests on: drug, brain region and formulation, approximate.

    ``fit_label(venlafaxine params, "Venlafaxine")`` says the extended-release fit is used for it.
    """
    base = params.drug.split()[0].lower()
    region = _FIT_REGION.get(base, "pooled brain regions")
    if params.drug.lower().endswith("xr"):
        form = "extended-release fit"
        named = (drug_name or "").lower()
        if "xr" not in named and "xl" not in named and "er" not in named.split():
            form += " (used here for immediate-release too)"
    else:
        form = "oral fit"
    return f"{base}, {region}, {form}; approximate (Sørensen et al. 2022)"


def _check_start(start_mg: float) -> float:
    start = _check_dose(start_mg, "The starting dose")
    if start == 0:
        raise TaperError("The starting dose must be above 0 mg.")
    return start


def _interval_days(interval_weeks: int) -> int:
    if (
        isinstance(interval_weeks, bool)
        or not isinstance(interval_weeks, int)
        or not 1 <= interval_weeks <= 52
    ):
        raise TaperError(f"The interval must be a whole number of weeks from 1 to 52 (got {interval_weeks}).")
    return interval_weeks * 7


def _resolve_min_days(min_days: int | None, gap_days: int) -> int:
    """An explicit minimum is checked; the default is 28 days, or the gap between steps when shorter."""
    if min_days is not None:
        return check_min_days(min_days)
    return max(MIN_DAYS_FLOOR, min(MIN_DAYS_DEFAULT, gap_days))


# -- what the recorded forms give ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Option:
    dose: float
    how: str
    liquid: bool
    pieces: float


def _options(target: float, f: Formulation) -> list[_Option]:
    """Doses near ``target`` the formulation gives: the nearest above and below for every base."""
    out: list[_Option] = []
    if f.form in (Form.LIQUID, Form.DROPS):
        unit = f.strength_mg * (f.liquid_step_ml if f.form is Form.LIQUID else 1.0)
        k = target / unit
        for n in {math.floor(k + _EPS), math.ceil(k - _EPS), math.floor(k + _EPS) + 1}:
            if n < 1:
                continue
            if f.form is Form.LIQUID:
                ml = round(n * f.liquid_step_ml, 6)
                out.append(_Option(round(n * unit, 6), _liquid_text(ml, f.strength_mg), False, n))
            else:
                text = f"{n} drop{'s' if n != 1 else ''} ({_mg(f.strength_mg)} mg per drop)"
                out.append(_Option(round(n * unit, 6), text, False, n))
        return out
    bases = _tablet_bases(target, f)
    out += [_Option(dose, how, False, pieces) for dose, how, pieces in bases if dose > 0]
    conc = f.liquid_mg_per_ml
    if conc is not None:
        step = f.liquid_step_ml
        for base, how, pieces in bases:
            rest = target - base
            if rest <= _EPS:
                continue
            k = rest / conc / step
            for n in {math.floor(k + _EPS), math.ceil(k - _EPS)}:
                if n < 1:
                    continue
                ml = round(n * step, 6)
                liquid = _liquid_text(ml, conc)
                text = liquid if base == 0 else f"{how} + {liquid}"
                out.append(_Option(round(base + ml * conc, 6), text, True, pieces + 1))
    return out


def _sig(x: float) -> float:
    """An exact calculated dose shown to 3 significant figures (9.08, 0.412)."""
    return 0.0 if x == 0 else float(f"{x:.3g}")


def _needs_form_text(dose: float) -> str:
    return f"{dose:g} mg: needs a liquid or compounded form"


# -- flags (D5) ----------------------------------------------------------------------------


def _drop(a: float, b: float, params: OccupancyParams | None) -> float:
    """The drop from dose a to dose b: occupancy points where the drug has parameters, else mg."""
    if params is not None:
        return occupancy(a, params) - occupancy(b, params)
    return a - b


def _flag_rows(
    method: DraftMethod,
    rows: list[DraftStep],
    *,
    params: OccupancyParams | None,
    points: float | None,
    min_therapeutic: float | None,
) -> list[DraftStep]:
    """Every row with its D5 flags (and the D2 marker), recomputed from the final doses and dates."""
    out: list[DraftStep] = []
    unit = "points of estimated occupancy" if params is not None else "mg"
    largest = 0.0
    for i, r in enumerate(rows):
        flags: list[Flag] = [f for f in r.flags if f.kind in (FlagKind.NEEDS_FORM, FlagKind.NOT_EXACT)]
        prev = rows[i - 1] if i else None
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        cut: float | None = None
        if prev is not None:
            if prev.dose_mg > 0:
                cut = round((prev.dose_mg - r.dose_mg) / prev.dose_mg * 100, 2)
            if r.dose_mg > prev.dose_mg + _EPS:
                flags.append(
                    Flag(
                        FlagKind.INCREASE,
                        f"This step raises the dose from {_mg(prev.dose_mg)} mg to {_mg(r.dose_mg)} mg; "
                        "a taper plan normally only goes down. Check it with your prescriber.",
                        _NG222,
                    )
                )
            else:
                drop = _drop(prev.dose_mg, r.dose_mg, params)
                if r.dose_mg <= _EPS and i > 1 and drop > largest + 0.05:
                    flags.append(
                        Flag(
                            FlagKind.ABRUPT_END,
                            f"The drop to 0 ({drop:.1f} {unit}) is bigger than the largest earlier drop "
                            f"({largest:.1f}). Maudsley: the last dose before stopping may need to be below "
                            "1 mg so that the drop to zero is no bigger than earlier reductions.",
                            f"Maudsley Prescribing Guidelines; {_NG222}",
                        )
                    )
                big = False
                if method is DraftMethod.OCCUPANCY and points is not None and params is not None:
                    big = drop > points * 1.5 + 0.05
                    what = (
                        f"lowers estimated occupancy by {drop:.1f} points, more than half again the "
                        f"{points:.1f} chosen"
                    )
                elif cut is not None:
                    below = min_therapeutic is None or prev.dose_mg < min_therapeutic - _EPS
                    limit = 25.0 if below else 50.0
                    big = cut > limit + _EPS
                    where = (
                        "below the usual minimum therapeutic dose"
                        if min_therapeutic is not None and below
                        else "at or above the usual minimum therapeutic dose"
                    )
                    what = f"is a cut of {cut:.1f}% of the current dose, {where} (more than {limit:g}%)"
                if big and r.dose_mg > _EPS:
                    flags.append(
                        Flag(
                            FlagKind.LARGE_CUT,
                            f"This step ({_mg(prev.dose_mg)} mg to {_mg(r.dose_mg)} mg) {what}. NICE NG222: "
                            "for example 50%, smaller steps (for example 25%) as the dose gets lower.",
                            _NG222,
                        )
                    )
                largest = max(largest, drop)
        if nxt is not None:
            days = (nxt.planned_start - r.planned_start).days
            if days < SHORT_INTERVAL_DAYS:
                flags.append(
                    Flag(
                        FlagKind.SHORT_INTERVAL,
                        f"Only {_days(days)} at this dose. Tapers over 2-4 weeks showed little benefit over "
                        "stopping abruptly (Horowitz & Taylor 2019); NICE NG222 says the pace may take "
                        "weeks or months.",
                        f"{_HT2019}; {_NG222}",
                    )
                )
            if days < r.min_days:
                flags.append(
                    Flag(
                        FlagKind.BELOW_MIN_DAYS,
                        f"The next step is planned {_days(days)} after this one, sooner than this step's "
                        f"own minimum of {r.min_days} days.",
                        _NG222,
                    )
                )
        out.append(replace(r, cut_pct=cut, flags=tuple(flags)))
    return out


# -- building a draft ------------------------------------------------------------------------


def _build(
    method: DraftMethod,
    targets: Sequence[float],
    dates: Sequence[date],
    *,
    formulation: Formulation | None,
    min_days: int,
    drug: str | None,
    params: OccupancyParams | None = None,
    points: float | None = None,
    exact: bool = False,
    extra_notes: Sequence[str] = (),
) -> Draft:
    """Rows for ``targets``: every target is kept (D2); rounded to the forms only within D3's window.

    ``exact`` (manual drafts, D4): a dose is used as typed; when the forms cannot give it
    the row is marked, never changed.
    """
    facts = facts_for(drug) if drug else None
    fit = fit_label(params, drug) if params is not None else None
    rows: list[DraftStep] = []
    for i, (target, when) in enumerate(zip(targets, dates, strict=True)):
        prev = rows[-1].dose_mg if rows else None
        dose, how, liquid, needs = _sig(target), "", False, False
        extra: list[Flag] = []
        if target <= _EPS:
            dose, how = 0.0, "none"
        elif formulation is None:
            how = f"{_mg(dose)} mg"
        else:
            opts = _options(target, formulation)
            if exact or i == 0:
                near = [o for o in opts if abs(o.dose - target) <= max(target * 0.005, 1e-6)]
                pick = min(near, key=lambda o: (o.liquid, o.pieces), default=None)
            else:

                def ok(d: float, t: float = target) -> bool:
                    if params is not None and points is not None:
                        return abs(occupancy(d, params) - occupancy(t, params)) <= points / 4 + _EPS
                    return abs(d - t) <= t * 0.10 + _EPS

                good = [o for o in opts if o.dose < (prev or math.inf) - _EPS and ok(o.dose)]
                up = [o for o in good if o.dose >= target - _EPS]  # D3: the smaller cut first
                pick = min(up or good, key=lambda o: (abs(o.dose - target), o.liquid, o.pieces), default=None)
            if pick is None:
                needs, liquid = True, True
                dose = _sig(target) if not exact else target
                how = _needs_form_text(dose)
                extra.append(
                    Flag(
                        FlagKind.NEEDS_FORM,
                        f"Needs a liquid or compounded form: what is recorded cannot give {dose:g} mg. "
                        + liquid_forms_note(drug or ""),
                        "NICE NG222 1.4.17 (liquid forms when tablets cannot give small enough doses)",
                    )
                )
            else:
                dose, how, liquid = pick.dose, pick.how, pick.liquid
                if abs(dose - target) > target * 0.10 + _EPS:
                    extra.append(
                        Flag(
                            FlagKind.NOT_EXACT,
                            f"The calculated dose is {_mg(_sig(target))} mg; the nearest the recorded forms "
                            f"give is {_mg(dose)} mg, more than 10% away.",
                            _NG222,
                        )
                    )
        if exact:
            dose = target
        occ = None if params is None else round(occupancy(dose, params), 1)
        rows.append(
            DraftStep(
                order=i + 1,
                target_mg=round(target, 4),
                dose_mg=dose,
                planned_start=when,
                min_days=min_days,
                how_to_take=how,
                needs_liquid=liquid,
                cut_pct=None,
                occupancy_pct=occ,
                flags=tuple(extra),
                needs_form=needs,
                fit=fit,
            )
        )
    flagged = _flag_rows(
        method,
        rows,
        params=params,
        points=points,
        min_therapeutic=facts.min_therapeutic_mg if facts else None,
    )
    notes: list[str] = list(extra_notes)
    if params is not None:
        notes.append(
            f"Occupancy figures are estimates, {fit}: Emax {_mg(params.emax)}%, "
            f"ED50 {_mg(params.ed50_mg)} mg ({params.source})."
        )
    if formulation is not None and formulation.form is Form.DROPS:
        notes.append(
            "Drops may not match tablets mg for mg (UK citalopram drops: 4 drops, 8 mg, are about one "
            "10 mg tablet). Check the conversion with your pharmacist or prescriber."
        )
    other = [r.order for r in flagged if r.needs_form]
    if other:
        given = [r.order for r in flagged if not r.needs_form and r.dose_mg > 0]
        notes.append(
            f"{_rows_word(given)} {_ranges(given)} can be made up from what is recorded; "
            f"{_rows_word(other).lower()} {_ranges(other)} need a liquid or compounded form "
            "(NICE NG222: liquid forms when tablets cannot give small enough doses). "
            + liquid_forms_note(drug or "")
        )
    return Draft(method, tuple(flagged), formulation, params, tuple(notes), fit)


def _rows_word(orders: Sequence[int]) -> str:
    return "Row" if len(orders) == 1 else "Rows"


def _ranges(orders: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``1-3, 5``."""
    if not orders:
        return "none"
    out: list[str] = []
    start = prev = orders[0]
    for n in [*orders[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def _regular_dates(start_date: date, count: int, interval_days: int) -> list[date]:
    return [start_date + timedelta(days=k * interval_days) for k in range(count)]


def _guard(count: int) -> None:
    if count > MAX_STEPS:
        raise TaperError(
            f"That would make more than {MAX_STEPS} steps; choose a higher final dose or larger steps."
        )


def _params_for(drug: str | None) -> OccupancyParams | None:
    return occupancy_params(drug) if drug else None


def _hyperbolic_tail(last: float, largest: float, params: OccupancyParams) -> list[float]:
    """Doses below ``last`` in equal occupancy drops no bigger than ``largest`` (D1), 0 excluded."""
    top = occupancy(last, params)
    if top <= largest + _EPS:
        return []
    n = math.ceil(top / largest - _EPS)
    step = top / n
    return [dose_for_occupancy(top - k * step, params) for k in range(1, n)]


def draft_proportional(
    start_mg: float,
    final_mg: float | None = None,
    *,
    start_date: date,
    percent: float = 10.0,
    interval_weeks: int = 4,
    formulation: Formulation | None = None,
    min_days: int | None = None,
    drug: str | None = None,
) -> Draft:
    """Each step is ``percent`` % below the one before (of the most recent dose), then 0.

    Without ``final_mg`` the steps go on until the drop to 0 is no bigger than the
    largest earlier drop (D1: in occupancy points where the drug has parameters,
    otherwise the last dose is no more than the largest earlier cut in mg). With
    ``final_mg`` (the user's lowest dose) the steps stop there and D5 flags an
    abrupt end.
    """
    start = _check_start(start_mg)
    if not math.isfinite(percent) or not PERCENT_RANGE[0] <= percent <= PERCENT_RANGE[1]:
        raise TaperError(f"The cut per step must be from 5% to 50% (got {percent}).")
    params = _params_for(drug)
    days = _interval_days(interval_weeks)
    keep = 1 - percent / 100
    targets: list[float] = [start]
    if final_mg is not None:
        final = _check_dose(final_mg, "The final dose")
        if not 0 < final < start:
            raise TaperError("The final dose must be above 0 mg and below the starting dose.")
        k = 1
        while (t := start * keep**k) >= final * (1 - _EPS):
            targets.append(t)
            k += 1
            _guard(k)
    else:
        largest = 0.0
        while True:
            t = targets[-1] * keep
            largest = max(largest, _drop(targets[-1], t, params))
            targets.append(t)
            _guard(len(targets))
            if _drop(t, 0.0, params) <= largest + _EPS:
                break
    targets.append(0.0)
    return _build(
        DraftMethod.PROPORTIONAL,
        targets,
        _regular_dates(start_date, len(targets), days),
        formulation=formulation,
        min_days=_resolve_min_days(min_days, days),
        drug=drug,
        params=params,
    )


def draft_occupancy(
    drug: str | OccupancyParams,
    start_mg: float,
    *,
    start_date: date,
    points: float = 10.0,
    interval_weeks: int = 4,
    formulation: Formulation | None = None,
    floor_mg: float | None = None,
    min_days: int | None = None,
) -> Draft:
    """Hyperbolic steps (Horowitz & Taylor 2019): equal drops in estimated SERT occupancy.

    The occupancy at the starting dose is divided into equal drops no bigger than
    ``points`` (D3: the smaller change), down to 0, so the drop to 0 equals every
    other drop (D1). A ``floor_mg`` (the user's lowest dose) stops the steps there
    and D5 flags the end if it is abrupt. A drug without known parameters is refused.
    """
    params = drug if isinstance(drug, OccupancyParams) else occupancy_params(drug)
    name = drug.drug if isinstance(drug, OccupancyParams) else drug
    if params is None:
        raise TaperError(
            f"No receptor occupancy figures are known for {drug}, so occupancy-based steps cannot be "
            "calculated; only proportional steps are offered for this medicine."
        )
    start = _check_start(start_mg)
    if not math.isfinite(points) or not POINTS_RANGE[0] <= points <= POINTS_RANGE[1]:
        raise TaperError(
            f"The occupancy drop per step must be from 1 to 25 percentage points (got {points})."
        )
    days = _interval_days(interval_weeks)
    top = occupancy(start, params)
    n = max(1, math.ceil(top / points - _EPS))
    step = top / n
    targets = [start]
    notes: list[str] = []
    if floor_mg is not None:
        floor = _check_dose(floor_mg, "The lowest dose")
        if not 0 < floor < start:
            raise TaperError("The lowest dose must be above 0 mg and below the starting dose.")
        k = 1
        while (occ := top - k * points) > 0 and (dose := dose_for_occupancy(occ, params)) >= floor - _EPS:
            targets.append(dose)
            k += 1
        step = points
    else:
        targets += [dose_for_occupancy(top - k * step, params) for k in range(1, n)]
        notes.append(
            f"Each step lowers estimated occupancy by {step:.1f} points: the {top:.1f} points at "
            f"{_mg(start)} mg in {n} equal steps, none bigger than the {_mg(points)} asked."
        )
    _guard(len(targets))
    targets.append(0.0)
    return _build(
        DraftMethod.OCCUPANCY,
        targets,
        _regular_dates(start_date, len(targets), days),
        formulation=formulation,
        min_days=_resolve_min_days(min_days, days),
        drug=name,
        params=params,
        points=step,
        extra_notes=notes,
    )


def draft_linear(
    start_mg: float,
    *,
    start_date: date,
    step_mg: float | None = None,
    steps: int | None = None,
    interval_weeks: int = 4,
    formulation: Formulation | None = None,
    min_days: int | None = None,
    drug: str | None = None,
) -> Draft:
    """Equal cuts of ``step_mg`` (or ``steps`` equal cuts); give exactly one of the two.

    Equal cuts in mg are ever larger cuts in effect (Maudsley's example of what to
    avoid). Where the drug has occupancy parameters, the last equal cut is followed
    by smaller ones, equal drops in occupancy no bigger than the largest earlier one,
    so the drop to 0 is never the largest (D1).
    """
    start = _check_start(start_mg)
    if (step_mg is None) == (steps is None):
        raise TaperError("Give either the size of each cut in mg or the number of cuts, not both.")
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, int) or not 2 <= steps <= MAX_STEPS:
            raise TaperError(
                f"The number of cuts must be a whole number from 2 to {MAX_STEPS} (got {steps})."
            )
        targets = [start * (steps - k) / steps for k in range(steps)]
    else:
        assert step_mg is not None
        size = _check_dose(step_mg, "The cut per step")
        if not 0 < size < start:
            raise TaperError("The cut per step must be above 0 mg and below the starting dose.")
        count = math.ceil(start / size - _EPS)
        _guard(count)
        # Each target from the start, not by repeated subtraction, so float error cannot pile up.
        targets = [start - k * size for k in range(count)]
    params = _params_for(drug)
    notes: list[str] = []
    if params is not None and len(targets) > 1:
        largest = max(_drop(a, b, params) for a, b in itertools.pairwise(targets))
        tail = _hyperbolic_tail(targets[-1], largest, params)
        if tail:
            notes.append(
                f"Rows {len(targets) + 1}-{len(targets) + len(tail)} are smaller cuts added after the equal "
                "ones, so the drop to 0 is no bigger than the largest earlier drop (Maudsley: equal cuts in "
                "mg are ever larger cuts in effect)."
            )
        targets += tail
        _guard(len(targets))
    targets.append(0.0)
    days = _interval_days(interval_weeks)
    return _build(
        DraftMethod.LINEAR,
        targets,
        _regular_dates(start_date, len(targets), days),
        formulation=formulation,
        min_days=_resolve_min_days(min_days, days),
        drug=drug,
        params=params,
        extra_notes=notes,
    )


def draft_manual(
    doses: Iterable[float],
    *,
    start_date: date | None = None,
    dates: Iterable[date] | None = None,
    interval_weeks: int = 4,
    formulation: Formulation | None = None,
    min_days: int | None = None,
    drug: str | None = None,
) -> Draft:
    """The user's own list of daily doses (the first is the starting dose), kept exactly (D4).

    Dates are either given (one per dose, each after the one before) or spaced
    ``interval_weeks`` apart from ``start_date``. A dose the recorded forms cannot
    give is marked, an increase or an abrupt end flagged; nothing is changed.
    """
    values = [_check_dose(d, f"Dose {n}") for n, d in enumerate(doses, start=1)]
    if len(values) < 2:
        raise TaperError("A plan needs at least two doses: the starting dose and one step.")
    if values[0] == 0:
        raise TaperError("The starting dose must be above 0 mg.")
    _guard(len(values))
    if dates is not None:
        when = list(dates)
        if len(when) != len(values):
            raise TaperError(f"Give one date per dose ({len(values)} doses, {len(when)} dates).")
        gaps = [(b - a).days for a, b in itertools.pairwise(when)]
        if any(g <= 0 for g in gaps):
            raise TaperError("Each step's date must be after the one before.")
        gap_days = min(gaps)
    else:
        if start_date is None:
            raise TaperError("Give a start date or one date per dose.")
        gap_days = _interval_days(interval_weeks)
        when = _regular_dates(start_date, len(values), gap_days)
    return _build(
        DraftMethod.MANUAL,
        values,
        when,
        formulation=formulation,
        min_days=_resolve_min_days(min_days, gap_days),
        drug=drug,
        params=_params_for(drug),
        exact=True,
    )


def steps_from_draft(draft: Draft) -> tuple[PlanStep, ...]:
    """The draft's rows as planned plan steps, ready to store (with flags, occupancy and fit)."""
    return tuple(
        PlanStep(
            order=r.order,
            dose_mg=r.dose_mg,
            planned_start=r.planned_start,
            min_days=r.min_days,
            how_to_take=r.how_to_take,
            needs_liquid=r.needs_liquid,
            target_mg=r.target_mg,
            occupancy_pct=r.occupancy_pct,
            fit=r.fit,
            flags=r.flags,
            needs_form=r.needs_form,
        )
        for r in draft.steps
    )


def restate(
    steps: Sequence[PlanStep], *, drug: str | None, formulation: Formulation | None
) -> tuple[PlanStep, ...]:
    """Steps after an edit, with occupancy, fit, the D2 marker and D5 flags worked out again.

    The doses are the user's now (D4): kept exactly, as in a manual draft; each step keeps its
    own minimum days, how to take it and status.
    """
    ordered = sorted(steps, key=lambda s: s.order)
    if not ordered:
        return ()
    params = _params_for(drug)
    facts = facts_for(drug) if drug else None
    draft = _build(
        DraftMethod.MANUAL,
        [s.dose_mg for s in ordered],
        [s.planned_start for s in ordered],
        formulation=formulation,
        min_days=MIN_DAYS_FLOOR,
        drug=drug,
        params=params,
        exact=True,
    )
    rows = [replace(r, min_days=s.min_days) for r, s in zip(draft.steps, ordered, strict=True)]
    rows = _flag_rows(
        DraftMethod.MANUAL,
        rows,
        params=params,
        points=None,
        min_therapeutic=facts.min_therapeutic_mg if facts else None,
    )
    return tuple(
        replace(
            s,
            occupancy_pct=r.occupancy_pct,
            fit=r.fit,
            flags=r.flags,
            needs_form=r.needs_form,
            target_mg=s.target_mg if s.target_mg is not None else s.dose_mg,
        )
        for s, r in zip(ordered, rows, strict=True)
    )


def revise_after_step_back(
    doses: Sequence[float],
    *,
    start_date: date,
    interval_weeks: int = 4,
    formulation: Formulation | None = None,
    drug: str | None = None,
    step_size: float | None = None,
    min_days: int | None = None,
) -> Draft:
    """D6 (NG222 1.4.22): a revised draft for the rest of a plan after a step back, in smaller steps.

    ``doses`` are the remaining daily doses from the dose returned to (first) down to 0.
    Without ``step_size`` every remaining drop is halved: a step half-way between each
    two doses, in estimated occupancy where the drug has parameters, otherwise in mg.
    With ``step_size``: equal drops of that many occupancy points from the first dose
    (where the drug has parameters), otherwise cuts of that % of the latest dose. Like
    every calculated schedule it is a draft, to agree with the prescriber again.
    """
    values = [_check_dose(d, "A remaining dose") for d in doses]
    if len(values) < 2 or values[0] <= 0:
        raise TaperError("There are no remaining steps to revise.")
    params = _params_for(drug)
    if step_size is not None:
        if params is not None:
            return draft_occupancy(
                drug or params.drug,
                values[0],
                start_date=start_date,
                points=step_size,
                interval_weeks=interval_weeks,
                formulation=formulation,
                min_days=min_days,
            )
        return draft_proportional(
            values[0],
            start_date=start_date,
            percent=step_size,
            interval_weeks=interval_weeks,
            formulation=formulation,
            min_days=min_days,
            drug=drug,
        )
    targets: list[float] = [values[0]]
    for a, b in itertools.pairwise(values):
        if b >= a:  # an increase or a repeat is kept as it is, not split
            targets.append(b)
            continue
        if params is not None:
            mid = dose_for_occupancy((occupancy(a, params) + occupancy(b, params)) / 2, params)
        else:
            mid = (a + b) / 2
        targets += [mid, b]
    _guard(len(targets))
    days = _interval_days(interval_weeks)
    return _build(
        DraftMethod.MANUAL,
        targets,
        _regular_dates(start_date, len(targets), days),
        formulation=formulation,
        min_days=_resolve_min_days(min_days, days),
        drug=drug,
        params=params,
        extra_notes=(
            "A revised draft after a step back: each remaining step is half as large (NICE NG222 1.4.22: "
            "the prescriber may go back to the previous dose and then reduce more slowly, in smaller "
            "steps). It needs your prescriber's agreement before it runs.",
        ),
    )
