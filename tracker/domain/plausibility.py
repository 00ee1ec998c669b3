"""Is a prescription or a logged dose plausible for its drug? (DOMAIN.md, largest daily doses.)

By the drug, not by the tablet: a daily dose above the drug's licensed maximum (the table in
``tracker.domain.drugs``) is not refused, because the figure may be right (a prescriber may
go above the licence), but it is recorded only once the user confirms it, with the figures in
front of them. Licensed doses are never questioned, whatever the form: citalopram 40 mg as a
liquid, escitalopram 20 mg as drops, paroxetine 40 mg as a liquid, fluoxetine 80 mg.

For a drug the table does not know, a single amount of more than
:data:`UNKNOWN_DRUG_UNITS` tablets (or ml, or drops) of its strength asks for confirmation.
A logged dose also asks when it is more than :data:`PRESCRIBED_FACTOR` times the highest
prescribed dose.

:class:`NeedsConfirmation` carries the figures; the UI asks in the app, the command line asks
for ``--force``. The words never tell anyone to change a dose: they ask to check the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tracker.domain.drugs import MAXIMA_SOURCE, facts_for
from tracker.domain.errors import TrackerError

PRESCRIBED_FACTOR: Final = 4.0
"""A single logged amount above this many times the highest prescribed dose asks for confirmation."""

UNKNOWN_DRUG_UNITS: Final = 16.0
"""For a drug without a licensed maximum: a single amount above this many units of its strength."""


def _mg(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Figures:
    """What was entered and what it was compared with, in mg."""

    amount_mg: float  # the daily dose prescribed, or the amount logged
    limit_mg: float  # the figure it is above
    basis: str  # "licensed maximum", "prescribed", "strength"
    drug: str


class NeedsConfirmation(TrackerError):
    """A figure that is possible but unusual for the drug: record it only once the user confirms.

    ``str(err)`` says what was entered and what it is above, and asks to check it; it names no
    command-line flag, so the UI can show it in its own confirmation dialog.
    """

    def __init__(self, message: str, figures: Figures) -> None:
        super().__init__(message)
        self.figures = figures

    def with_flag(self, flag: str = "--force") -> TrackerError:
        """The same refusal for the command line, saying how to confirm it there."""
        return TrackerError(f"{self.message} If it is right, confirm it with {flag}.")


def prescription_concern(
    *, drug: str, dose_mg: float, intakes: int, strength_mg: float | None = None
) -> NeedsConfirmation | None:
    """Why a prescription of ``dose_mg`` per intake, ``intakes`` a day, needs confirming (or None)."""
    daily = dose_mg * max(intakes, 1)
    facts = facts_for(drug)
    if facts is not None and facts.licensed_max_mg is not None:
        if daily > facts.licensed_max_mg + 1e-9:
            figures = Figures(daily, facts.licensed_max_mg, "licensed maximum", facts.name)
            return NeedsConfirmation(
                f"{_mg(daily)} mg a day is above the licensed maximum for {facts.name} of "
                f"{_mg(facts.licensed_max_mg)} mg a day ({MAXIMA_SOURCE}). Check the prescription: "
                "is this what your prescriber wrote?",
                figures,
            )
        return None
    if strength_mg and dose_mg > UNKNOWN_DRUG_UNITS * strength_mg:
        limit = UNKNOWN_DRUG_UNITS * strength_mg
        return NeedsConfirmation(
            f"{_mg(dose_mg)} mg per dose is more than {UNKNOWN_DRUG_UNITS:g} times the strength "
            f"({_mg(strength_mg)} mg). Check the prescription: is this what your prescriber wrote?",
            Figures(dose_mg, limit, "strength", drug),
        )
    return None


def dose_concern(
    *,
    drug: str,
    amount_mg: float,
    highest_prescribed_mg: float | None,
    strength_mg: float | None = None,
) -> NeedsConfirmation | None:
    """Why a single logged amount needs confirming (or None).

    Above the drug's licensed maximum daily dose in one go, or more than
    :data:`PRESCRIBED_FACTOR` times the highest dose prescribed.
    """
    facts = facts_for(drug)
    name = facts.name if facts else drug
    ask = "Check the amount: is it what was taken?"
    if facts is not None and facts.licensed_max_mg is not None and amount_mg > facts.licensed_max_mg + 1e-9:
        return NeedsConfirmation(
            f"{_mg(amount_mg)} mg is above the licensed maximum for {name} of "
            f"{_mg(facts.licensed_max_mg)} mg a day ({MAXIMA_SOURCE}). {ask}",
            Figures(amount_mg, facts.licensed_max_mg, "licensed maximum", name),
        )
    if highest_prescribed_mg and amount_mg > PRESCRIBED_FACTOR * highest_prescribed_mg + 1e-9:
        return NeedsConfirmation(
            f"{_mg(amount_mg)} mg is more than {PRESCRIBED_FACTOR:g} times the highest prescribed dose of "
            f"{name} ({_mg(highest_prescribed_mg)} mg). {ask}",
            Figures(amount_mg, PRESCRIBED_FACTOR * highest_prescribed_mg, "prescribed", name),
        )
    if (
        facts is None
        and not highest_prescribed_mg
        and strength_mg
        and amount_mg > UNKNOWN_DRUG_UNITS * strength_mg
    ):
        return NeedsConfirmation(
            f"{_mg(amount_mg)} mg is more than {UNKNOWN_DRUG_UNITS:g} times the strength "
            f"({_mg(strength_mg)} mg). {ask}",
            Figures(amount_mg, UNKNOWN_DRUG_UNITS * strength_mg, "strength", name),
        )
    return None


def all_messages() -> list[str]:
    """Every message the checks above can produce (for the wording test)."""
    found = [
        prescription_concern(drug="sertraline", dose_mg=450, intakes=1),
        prescription_concern(drug="unknownium", dose_mg=1000, intakes=1, strength_mg=10),
        dose_concern(drug="sertraline", amount_mg=4000, highest_prescribed_mg=100),
        dose_concern(drug="unknownium", amount_mg=500, highest_prescribed_mg=100),
        dose_concern(drug="unknownium", amount_mg=500, highest_prescribed_mg=None, strength_mg=10),
    ]
    return [m for c in found if c is not None for m in (c.message, c.with_flag().message)]
