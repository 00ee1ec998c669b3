"""PHQ-9 and GAD-7: their exact wording, answer scale, scoring, bands and LOINC codes.

Both are free to reproduce ("No permission required to reproduce, translate, display or
distribute", Pfizer). The wording is theirs, character for character as DOMAIN.md quotes
it, and never paraphrased: a test compares it with DOMAIN.md. A total is a score with its
band, never a diagnosis. Kept apart from the withdrawal burden everywhere (Kalfas et al.,
JAMA Psychiatry 2025: low mood is not an early discontinuation symptom).

Sources: Kroenke K, Spitzer RL, Williams JB, J Gen Intern Med 2001;16:606-13 (PHQ-9);
Spitzer RL et al., Arch Intern Med 2006;166:1092-7 (GAD-7). LOINC: panels 44249-1 (PHQ-9)
and 69737-5 (GAD-7), totals 44261-6 and 70274-6, the item codes of those panels and the
answer list LL358-3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from tracker.domain.errors import TrackerError

__all__ = [
    "ANSWERS",
    "ANSWER_LOINC",
    "CHECK_IN_EVERY",
    "GAD7",
    "PHQ9",
    "PHQ9_CRISIS_ITEM",
    "QUESTION",
    "SCALES",
    "SOURCE",
    "Band",
    "Scale",
    "ScaleKey",
    "band_for",
    "check_in_due",
    "parse_answers",
    "scale_for",
    "score",
]

ScaleKey = Literal["phq9", "gad7"]

QUESTION: Final = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"

ANSWERS: Final[tuple[str, ...]] = (
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
)
"""The answer scale, 0-3, the same for both."""

ANSWER_LOINC: Final[tuple[str, ...]] = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")

CHECK_IN_EVERY: Final = timedelta(days=14)
"""Both ask about the last 2 weeks: the optional check-in comes round every 2 weeks."""

PHQ9_CRISIS_ITEM: Final = 9
"""PHQ-9 item 9 answered above 0 raises R8 at once (DOMAIN.md)."""

SOURCE: Final = (
    "PHQ-9: Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-13. "
    "GAD-7: Spitzer et al., Arch Intern Med 2006;166:1092-7. Free to reproduce (Pfizer). "
    "A score is not a diagnosis."
)


@dataclass(frozen=True, slots=True)
class Band:
    """A band of totals, inclusive at both ends."""

    low: int
    high: int
    label: str


@dataclass(frozen=True, slots=True)
class Scale:
    key: ScaleKey
    name: str
    items: tuple[str, ...]
    item_loinc: tuple[str, ...]
    panel_loinc: str
    total_loinc: str
    total_display: str
    bands: tuple[Band, ...]

    @property
    def max_total(self) -> int:
        return 3 * len(self.items)


PHQ9: Final = Scale(
    key="phq9",
    name="PHQ-9",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself - or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite - being so "
        "fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    item_loinc=(
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ),
    panel_loinc="44249-1",
    total_loinc="44261-6",
    total_display="Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
)

GAD7: Final = Scale(
    key="gad7",
    name="GAD-7",
    items=(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    item_loinc=("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
    panel_loinc="69737-5",
    total_loinc="70274-6",
    total_display="Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
)

SCALES: Final[dict[str, Scale]] = {"phq9": PHQ9, "gad7": GAD7}


def scale_for(key: str) -> Scale:
    """The scale called ``key`` ("phq9" or "gad7", also "PHQ-9", "gad-7")."""
    wanted = key.strip().lower().replace("-", "").replace("_", "")
    found = SCALES.get(wanted)
    if found is None:
        raise TrackerError(f"no scale called {key!r}; the scales are phq9 and gad7")
    return found


def score(scale: Scale, answers: Sequence[int]) -> int:
    """The total: the sum of every item's answer (0-3). All items must be answered."""
    _check(scale, answers)
    return sum(answers)


def band_for(scale: Scale, total: int) -> Band:
    """The band a total falls in (PHQ-9 0-4 minimal ... 20-27 severe; GAD-7 ... 15-21 severe)."""
    for band in scale.bands:
        if band.low <= total <= band.high:
            return band
    raise TrackerError(f"a {scale.name} total of {total} is outside 0-{scale.max_total}")


def _check(scale: Scale, answers: Sequence[int]) -> None:
    if len(answers) != len(scale.items):
        raise TrackerError(f"{scale.name} has {len(scale.items)} items; {len(answers)} answers were given")
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer <= 3:
            raise TrackerError(
                f"{scale.name} item {number}: the answer must be 0-3 "
                "(0 not at all, 1 several days, 2 more than half the days, 3 nearly every day)"
            )


def parse_answers(scale: Scale, text: str) -> tuple[int, ...]:
    """Answers typed as ``0,1,2,...`` (commas or spaces) or as digits run together (``012...``).

    The error names the position and never repeats what was typed.
    """
    cleaned = text.strip()
    if "," in cleaned or " " in cleaned:
        parts = [p for p in cleaned.replace(",", " ").split() if p]
    else:
        parts = list(cleaned)
    if len(parts) != len(scale.items):
        raise TrackerError(
            f"{scale.name} needs {len(scale.items)} answers, one per item, each 0-3; got {len(parts)}"
        )
    values: list[int] = []
    for number, part in enumerate(parts, start=1):
        if part not in {"0", "1", "2", "3"}:
            raise TrackerError(f"{scale.name} item {number}: the answer must be a digit 0-3")
        values.append(int(part))
    result = tuple(values)
    _check(scale, result)
    return result


def check_in_due(last_day: date | None, today: date) -> bool:
    """The every-2-weeks check-in is due when none was filled in during the last 14 days."""
    return last_day is None or today - last_day >= CHECK_IN_EVERY
