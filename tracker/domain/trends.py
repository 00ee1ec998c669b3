"""Trend statistics for the Trends screen and the clinician summary, as pure functions.

Inputs are compact query results (one value per local day, one row per scheduled or
logged dose), never ORM objects: the services layer aggregates with SQL GROUP BY and
hands the result here. Every function runs in linear time (plus a sort where noted), so
ten years of daily data stays within a few tens of milliseconds.

Gap rule (DOMAIN.md): a day with nothing logged is "not logged", never zero. Series carry
``None`` for it, charts show a gap and every mean skips it.

Wording rule: the response to a dose change is reported as timing facts next to the
data. Nothing here labels an episode as withdrawal or relapse, and nothing suggests a
dose change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from operator import attrgetter
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo

from tracker.domain.timeutil import local_day

if TYPE_CHECKING:
    from tracker.domain.taper_micro import MicroTable

__all__ = [
    "COMPARE_DAYS",
    "LATE_AFTER",
    "MISSED_AFTER",
    "PEAK_WINDOW_DAYS",
    "RANGES",
    "RANGE_DAYS",
    "RANGE_LABELS",
    "RETURN_MEAN_DAYS",
    "RISE_THRESHOLD",
    "SPARKLINE_DAYS",
    "ChangeResponse",
    "DateRange",
    "DoseChange",
    "DoseChangeKind",
    "DoseStatus",
    "HeatMap",
    "HeatWeek",
    "LoggedDose",
    "MissedRun",
    "PeriodAdherence",
    "PrescriptionPeriod",
    "ScheduledSlot",
    "SlotOutcome",
    "SlotResult",
    "Sparklines",
    "SymptomSummary",
    "TrendRange",
    "adherence_by_day",
    "adherence_by_week",
    "change_response",
    "classify_slots",
    "classify_times",
    "daily_doses",
    "daily_series",
    "describe_response",
    "dose_changes",
    "dose_segments",
    "heat_map",
    "last_days",
    "logged_mean",
    "micro_changes",
    "micro_periods",
    "missed_runs",
    "range_for",
    "rolling_mean",
    "spark_text",
    "sparklines",
    "symptom_summaries",
    "timing_facts",
]

# Float dose comparisons: mg values such as 2.3 or 0.4 come from user input and unit
# conversion, so equality needs a tolerance far below any dose anyone can measure.
_MG_EPSILON = 1e-9


# ---------------------------------------------------------------------------
# Ranges and daily series
# ---------------------------------------------------------------------------


class TrendRange(StrEnum):
    """The ranges offered on the Trends screen."""

    DAYS_30 = "30d"
    DAYS_90 = "90d"
    YEAR = "1y"
    ALL = "all"


RANGES: tuple[TrendRange, ...] = tuple(TrendRange)
"""The ranges in the order the Trends screen offers them."""

RANGE_DAYS: Mapping[TrendRange, int | None] = {
    TrendRange.DAYS_30: 30,
    TrendRange.DAYS_90: 90,
    TrendRange.YEAR: 365,
    TrendRange.ALL: None,  # from the first data day
}
"""Length in days of each range, ending today inclusive; None means from the first data day."""

RANGE_LABELS: Mapping[TrendRange, str] = {
    TrendRange.DAYS_30: "30 days",
    TrendRange.DAYS_90: "90 days",
    TrendRange.YEAR: "1 year",
    TrendRange.ALL: "Everything",
}


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive span of local calendar days, ``start`` to ``end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"range ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        """Number of calendar days in the range, both ends included."""
        return (self.end - self.start).days + 1

    def dates(self) -> Iterator[date]:
        """Every day of the range in order."""
        return _dates(self.start, self.end)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def range_for(kind: TrendRange, today: date, first_day: date | None = None) -> DateRange:
    """The days a Trends range covers, ending ``today``.

    Fixed ranges always span their full length (earlier days simply show as gaps).
    ``ALL`` starts at ``first_day`` (the first day with any data); with no data, or data
    only in the future, it is just ``today``.
    """
    length = RANGE_DAYS[kind]
    if length is None:
        start = first_day if first_day is not None and first_day <= today else today
        return DateRange(start, today)
    return DateRange(today - timedelta(days=length - 1), today)


def _dates(start: date, end: date) -> Iterator[date]:
    """Days from ``start`` to ``end`` inclusive (empty when end < start)."""
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        yield date.fromordinal(ordinal)


def daily_series(values: Mapping[date, float], start: date, end: date) -> list[float | None]:
    """One entry per day from ``start`` to ``end`` inclusive; None where nothing was logged.

    Works for burden, mood, sleep or any other per-day value. Empty when end < start.
    """
    return list(map(values.get, map(date.fromordinal, range(start.toordinal(), end.toordinal() + 1))))


def logged_mean(series: Iterable[float | None]) -> float | None:
    """Mean of the logged (non-None) values; None when there are none."""
    total = 0.0
    count = 0
    for value in series:
        if value is not None:
            total += value
            count += 1
    return total / count if count else None


def rolling_mean(series: Sequence[float | None], window: int = 7) -> list[float | None]:
    """Trailing mean over the last ``window`` days (the day itself and the days before it).

    Only logged values count; an entry is None when its window holds none. Linear time:
    a running sum and count slide along the series.
    """
    if window < 1:
        raise ValueError("window must be at least 1 day")
    out: list[float | None] = []
    total = 0.0
    count = 0
    for index, value in enumerate(series):
        if value is not None:
            total += value
            count += 1
        if index >= window:
            leaving = series[index - window]
            if leaving is not None:
                total -= leaving
                count -= 1
        out.append(total / count if count else None)
    return out


# ---------------------------------------------------------------------------
# Dose step line
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrescriptionPeriod:
    """A daily dose prescribed from ``start`` to ``end`` (inclusive; None = open-ended)."""

    start: date
    end: date | None
    daily_mg: float

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"prescription ends ({self.end}) before it starts ({self.start})")
        if self.daily_mg < 0:
            raise ValueError("a daily dose cannot be negative")


class DoseChangeKind(StrEnum):
    """How the daily dose changed on a day."""

    START = "start"
    INCREASE = "increase"
    REDUCTION = "reduction"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class DoseChange:
    """The daily dose changed on ``day`` (the first day at ``to_mg``)."""

    day: date
    from_mg: float
    to_mg: float
    kind: DoseChangeKind


def dose_segments(periods: Iterable[PrescriptionPeriod]) -> list[tuple[date, float]]:
    """The step function of one medication's daily dose as (first day, mg) pairs.

    Each pair holds until the next one; the last holds for ever. A day covered by no
    period has dose 0.0; where periods overlap, the one that started last wins (a new
    prescription supersedes the old), and on equal starts the later one in ``periods``.
    Consecutive equal doses are merged, so every pair after the first is a change.

    Cost is quadratic in the number of periods, which is a few dozen at most; it never
    depends on the number of days.
    """
    indexed = list(enumerate(periods))
    breakpoints: set[date] = set()
    for _, period in indexed:
        breakpoints.add(period.start)
        if period.end is not None:
            breakpoints.add(period.end + timedelta(days=1))
    segments: list[tuple[date, float]] = []
    for point in sorted(breakpoints):
        active = [
            (period.start, index, period.daily_mg)
            for index, period in indexed
            if period.start <= point and (period.end is None or point <= period.end)
        ]
        dose = max(active)[2] if active else 0.0
        if not segments or abs(segments[-1][1] - dose) > _MG_EPSILON:
            segments.append((point, dose))
    return segments


def daily_doses(periods: Iterable[PrescriptionPeriod], start: date, end: date) -> list[float]:
    """The prescribed daily dose (mg) for each day from ``start`` to ``end`` inclusive.

    A step line for the chart: 0.0 on days no prescription covers (see ``dose_segments``).
    """
    segments = dose_segments(periods)
    out: list[float] = []
    position = 0
    dose = 0.0
    ordinal, last = start.toordinal(), end.toordinal()
    while ordinal <= last:  # a run of days at a time: the dose changes only where a segment starts
        day = date.fromordinal(ordinal)
        while position < len(segments) and segments[position][0] <= day:
            dose = segments[position][1]
            position += 1
        change = segments[position][0].toordinal() if position < len(segments) else last + 1
        days = min(change, last + 1) - ordinal
        out.extend([dose] * days)
        ordinal += days
    return out


def _change_kind(from_mg: float, to_mg: float) -> DoseChangeKind:
    if from_mg <= _MG_EPSILON:
        return DoseChangeKind.START
    if to_mg <= _MG_EPSILON:
        return DoseChangeKind.STOP
    return DoseChangeKind.REDUCTION if to_mg < from_mg else DoseChangeKind.INCREASE


def dose_changes(
    periods: Iterable[PrescriptionPeriod], start: date | None = None, end: date | None = None
) -> list[DoseChange]:
    """Every change of one medication's daily dose, oldest first, optionally within [start, end].

    The first prescription is a START (from 0 mg); the day after the last one ends is a
    STOP (to 0 mg); a gap between prescriptions is a STOP then a START.
    """
    changes: list[DoseChange] = []
    previous = 0.0
    for day, dose in dose_segments(periods):
        in_range = (start is None or day >= start) and (end is None or day <= end)
        if in_range and abs(dose - previous) > _MG_EPSILON:
            changes.append(DoseChange(day, previous, dose, _change_kind(previous, dose)))
        previous = dose
    return changes


def micro_periods(period: PrescriptionPeriod, table: MicroTable) -> list[PrescriptionPeriod]:
    """A prescription linked to a micro-step table (D8) as the day's row: one period a row.

    The table sets the dose from its first day (its first row) until it stops (``table.stopped``;
    from then on, as before its first day, the prescription's own ``period.daily_mg``); after its
    last row the last dose holds. Every period is clipped to the prescription's own days.
    """
    first = table.start or period.start
    stop = table.stopped
    pieces: list[tuple[date, date | None, float]] = []
    if period.start < first:
        pieces.append((period.start, first - timedelta(days=1), period.daily_mg))
    for index, row in enumerate(table.rows):
        begin = first + timedelta(days=row.day)
        last = begin + timedelta(days=row.days - 1) if index < len(table.rows) - 1 else None
        pieces.append((begin, last, row.dose_mg))
    out: list[PrescriptionPeriod] = []
    for begin, last, mg in pieces:
        if stop is not None and begin >= stop and begin >= first:
            break
        if stop is not None and begin >= first and (last is None or last >= stop):
            last = stop - timedelta(days=1)
        begin = max(begin, period.start)
        if period.end is not None:
            last = period.end if last is None else min(last, period.end)
        if last is None or last >= begin:
            out.append(PrescriptionPeriod(begin, last, mg))
    if stop is not None and stop >= first and (period.end is None or stop <= period.end):
        out.append(PrescriptionPeriod(max(stop, period.start), period.end, period.daily_mg))
    return out


def micro_changes(
    changes: Sequence[DoseChange],
    segments: Sequence[tuple[date, float]],
    tables: Iterable[MicroTable],
    start: date | None = None,
    end: date | None = None,
) -> list[DoseChange]:
    """``changes`` with a micro-step table's day-by-day cuts folded into one change at its first day.

    A table lowers the dose most days; a marker a day would hide everything else. The one change
    on the table's first day goes from the dose of the day before to the table's last dose (the
    dose it stopped at, if it stopped early); the changes on its later days are left out.
    """
    spans: list[tuple[date, date, float]] = []
    for table in tables:
        if table.start is None or not table.rows:
            continue
        last = table.start + timedelta(days=table.rows[-1].day)
        final = table.rows[-1].dose_mg
        if table.stopped is not None:
            last = min(last, table.stopped - timedelta(days=1))
            final = table.stopped_mg if table.stopped_mg is not None else final
        if last >= table.start:
            spans.append((table.start, last, final))
    if not spans:
        return list(changes)
    kept = [c for c in changes if not any(first <= c.day <= last for first, last, _ in spans)]
    for first, _, final in spans:
        if (start is not None and first < start) or (end is not None and first > end):
            continue
        before = 0.0
        for day, mg in segments:
            if day >= first:
                break
            before = mg
        if abs(before - final) > _MG_EPSILON:
            kept.append(DoseChange(first, before, final, _change_kind(before, final)))
    return sorted(kept, key=lambda c: c.day)


# ---------------------------------------------------------------------------
# Heat map
# ---------------------------------------------------------------------------

_SEVERITIES = range(4)  # 0 none, 1 mild, 2 moderate, 3 severe (DOMAIN.md)


@dataclass(frozen=True, slots=True)
class HeatWeek:
    """One row of a heat map: the week starting ``monday``, cells Monday to Sunday."""

    monday: date
    cells: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class HeatMap:
    """A weeks-by-weekday grid of one symptom's severity over ``start`` to ``end``.

    Rows are aligned to whole weeks (Monday first), so the first and last rows may hold
    days outside the range; those cells are None like unlogged days, and ``in_range``
    tells the two apart for drawing.
    """

    start: date
    end: date
    weeks: tuple[HeatWeek, ...]

    def in_range(self, day: date) -> bool:
        """True when ``day`` lies inside the requested range (not week padding)."""
        return self.start <= day <= self.end

    def by_weekday(self) -> tuple[tuple[int | None, ...], ...]:
        """The grid transposed: seven rows (Monday first), one column per week."""
        return tuple(tuple(week.cells[weekday] for week in self.weeks) for weekday in range(7))


def heat_map(severity: Mapping[date, int], start: date, end: date) -> HeatMap:
    """Build the heat map of one symptom: cell = severity 0-3, None when not logged.

    Raises ValueError for a severity outside 0-3 or a range that ends before it starts.
    """
    if end < start:
        raise ValueError(f"range ends ({end}) before it starts ({start})")
    first_monday = start - timedelta(days=start.weekday())
    last_sunday = end + timedelta(days=6 - end.weekday())
    weeks: list[HeatWeek] = []
    cells: list[int | None] = []
    for day in _dates(first_monday, last_sunday):
        value = severity.get(day) if start <= day <= end else None
        if value is not None and value not in _SEVERITIES:
            raise ValueError(f"severity {value} on {day} is outside 0-3")
        cells.append(value)
        if len(cells) == 7:
            weeks.append(HeatWeek(day - timedelta(days=6), tuple(cells)))
            cells = []
    return HeatMap(start, end, tuple(weeks))


# ---------------------------------------------------------------------------
# Response to a dose change (timing facts, never a diagnosis)
# ---------------------------------------------------------------------------

COMPARE_DAYS = 14
"""Days before and after a change whose mean burden is compared."""

RISE_THRESHOLD = 2.0
"""A "rise" is a day whose burden is at least this much above the mean before the change.

Same size as R2's "baseline mean + 2", so the Trends screen and the reminders agree.
"""

PEAK_WINDOW_DAYS = 28
"""Days from the change (the change day is day 0) searched for the rise, peak and return.

Matches R3's 28-day watch after a reduction.
"""

RETURN_MEAN_DAYS = 3
"""Length of the trailing mean that decides when burden is back to the earlier level."""


@dataclass(frozen=True, slots=True)
class ChangeResponse:
    """What the burden series did around one dose change, as plain numbers.

    Day numbers count from the change: day 0 is ``change_day`` (the first day at the new
    dose), day 3 is three days later. None means "not seen" (or, for the means, "no day
    logged"), never zero.

    Attributes:
        mean_before: mean burden over the logged days among the ``COMPARE_DAYS`` days before day 0.
        mean_after: mean burden over the logged days among days 0 to ``COMPARE_DAYS`` - 1.
        days_to_rise: first day within the window whose burden is >= mean_before + threshold.
        days_to_peak: day of the highest burden within the window (the earliest on a tie).
        days_to_return: after a rise, the first logged day after the peak whose trailing
            ``RETURN_MEAN_DAYS``-day mean (logged days only) is <= mean_before + threshold / 2;
            None when there was no rise or it does not come back within the window.
    """

    change_day: date
    mean_before: float | None
    logged_before: int
    mean_after: float | None
    logged_after: int
    days_to_rise: int | None
    days_to_peak: int | None
    peak_burden: float | None
    days_to_return: int | None
    threshold: float
    compare_days: int
    window_days: int


def _window_mean(burden: Mapping[date, float], first: date, days: int) -> tuple[float | None, int]:
    """Mean of the logged values over ``days`` days from ``first``, and how many were logged."""
    values = [
        value for value in daily_series(burden, first, first + timedelta(days=days - 1)) if value is not None
    ]
    return (sum(values) / len(values) if values else None), len(values)


def change_response(
    change_day: date,
    burden: Mapping[date, float],
    *,
    compare_days: int = COMPARE_DAYS,
    threshold: float = RISE_THRESHOLD,
    window_days: int = PEAK_WINDOW_DAYS,
) -> ChangeResponse:
    """Timing facts of the daily burden around a dose change (see ``ChangeResponse``).

    Why these rules: the rise threshold mirrors reminder R2 (mean + 2) and the window
    mirrors R3 (28 days). "Back" asks for a trailing 3-day mean, so one good day right
    after the peak does not count, and sets the bar halfway between the earlier mean and
    the rise threshold, so burden must really come down, not just dip below the rise line.
    """
    if compare_days < 1 or window_days < 1:
        raise ValueError("compare_days and window_days must be at least 1")
    mean_before, logged_before = _window_mean(burden, change_day - timedelta(days=compare_days), compare_days)
    mean_after, logged_after = _window_mean(burden, change_day, compare_days)
    window = daily_series(burden, change_day, change_day + timedelta(days=window_days - 1))

    days_to_rise: int | None = None
    if mean_before is not None:
        rise_level = mean_before + threshold
        days_to_rise = next(
            (day for day, value in enumerate(window) if value is not None and value >= rise_level), None
        )

    days_to_peak: int | None = None
    peak: float | None = None
    for day, value in enumerate(window):
        if value is not None and (peak is None or value > peak):
            days_to_peak, peak = day, value

    days_to_return: int | None = None
    if mean_before is not None and days_to_rise is not None and days_to_peak is not None:
        back_level = mean_before + threshold / 2
        # The trailing mean uses days from the change on only (a peak on day 0 gives day 1
        # a 2-day mean): days before the change belong to the earlier level, not the return.
        smoothed = rolling_mean(window, RETURN_MEAN_DAYS)
        for day in range(days_to_peak + 1, window_days):
            mean = smoothed[day]
            if window[day] is not None and mean is not None and mean <= back_level:
                days_to_return = day
                break

    return ChangeResponse(
        change_day=change_day,
        mean_before=mean_before,
        logged_before=logged_before,
        mean_after=mean_after,
        logged_after=logged_after,
        days_to_rise=days_to_rise,
        days_to_peak=days_to_peak,
        peak_burden=peak,
        days_to_return=days_to_return,
        threshold=threshold,
        compare_days=compare_days,
        window_days=window_days,
    )


def _number(value: float) -> str:
    """A burden for display: whole numbers without decimals, others to one decimal."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _after(day: int) -> str:
    if day == 0:
        return "on the day of the change"
    return f"{day} day{'s' if day != 1 else ''} after the change"


def _logged(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''} logged"


def describe_response(response: ChangeResponse) -> list[str]:
    """Plain sentences stating the numbers of a ``ChangeResponse``; no labels, no advice."""
    r = response
    lines: list[str] = []
    before = (
        "not logged" if r.mean_before is None else f"{_number(r.mean_before)} ({_logged(r.logged_before)})"
    )
    after = "not logged" if r.mean_after is None else f"{_number(r.mean_after)} ({_logged(r.logged_after)})"
    lines.append(
        f"Mean daily burden, {r.compare_days} days before: {before}; "
        f"{r.compare_days} days from the change: {after}."
    )
    if r.mean_before is None:
        lines.append("No days were logged before the change, so there is nothing to compare with.")
    elif r.days_to_rise is None:
        lines.append(
            f"Burden did not reach {_number(r.threshold)} above the earlier mean within {r.window_days} days."
        )
    else:
        lines.append(
            f"Burden first reached {_number(r.threshold)} above the earlier mean {_after(r.days_to_rise)}."
        )
    if r.days_to_peak is not None and r.peak_burden is not None:
        lines.append(
            f"Highest burden within {r.window_days} days: {_number(r.peak_burden)}, {_after(r.days_to_peak)}."
        )
    if r.days_to_rise is not None:
        margin = _number(r.threshold / 2)
        if r.days_to_return is None:
            lines.append(
                f"The {RETURN_MEAN_DAYS}-day mean had not come back to within {margin} of the earlier mean "
                f"within {r.window_days} days."
            )
        else:
            lines.append(
                f"The {RETURN_MEAN_DAYS}-day mean came back to within {margin} of the earlier mean "
                f"{_after(r.days_to_return)}."
            )
    return lines


_FACT_REDUCTION = (
    "After a dose reduction, withdrawal symptoms usually start within a few days and resolve within "
    "1-2 weeks, sometimes lasting several weeks, occasionally months (NICE NG222, 2022)."
)
_FACT_ONSET = (
    "Withdrawal symptoms tend to come on abruptly, within days of a change, and ease within about a day "
    "of going back to the previous dose; a return of depression tends to come on gradually, weeks later "
    "(Haddad & Anderson, Adv Psychiatr Treat 2007)."
)
_FACT_BASELINE = (
    "A baseline recorded before the taper helps tell these patterns apart (Haddad & Anderson 2007)."
)
_FACT_STARTING = (
    "These medicines can take weeks to take effect; side effects are worth reporting to the prescriber "
    "soon rather than stopping the medicine (project brief)."
)
_FACT_NOT_A_DIAGNOSIS = (
    "These are general timing facts shown next to your data; they do not say what caused your symptoms. "
    "Talk to your prescriber about any change."
)


def timing_facts(kind: DoseChangeKind) -> tuple[str, ...]:
    """The DOMAIN.md timing facts relevant to a dose change of ``kind``, with sources.

    Shown next to the data, never as a verdict: the last line always says so.
    """
    if kind in (DoseChangeKind.REDUCTION, DoseChangeKind.STOP):
        return (_FACT_REDUCTION, _FACT_ONSET, _FACT_BASELINE, _FACT_NOT_A_DIAGNOSIS)
    return (_FACT_STARTING, _FACT_ONSET, _FACT_NOT_A_DIAGNOSIS)


# ---------------------------------------------------------------------------
# Adherence
# ---------------------------------------------------------------------------

LATE_AFTER = timedelta(hours=2)
"""A dose taken more than this after its scheduled time is late (exactly 2 h is on time)."""

MISSED_AFTER = timedelta(hours=6)
"""A slot with nothing logged this long before ``now`` (or longer) is missed (R5); otherwise pending.

"Nothing logged 6 hours after its time counts as missed" (DOMAIN.md R5): at exactly 6 h it is
missed, as the reminder rules and Today count it."""


class DoseStatus(StrEnum):
    """Status of a logged dose, as stored."""

    TAKEN = "taken"
    SKIPPED = "skipped"
    EXTRA = "extra"


class SlotOutcome(StrEnum):
    """What became of one scheduled dose. ON_TIME and LATE both count as taken."""

    ON_TIME = "on_time"
    LATE = "late"
    SKIPPED = "skipped"
    MISSED = "missed"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class ScheduledSlot:
    """One scheduled dose: a medication and its scheduled UTC instant (aware)."""

    medication_id: int
    scheduled_at: datetime


@dataclass(frozen=True, slots=True)
class LoggedDose:
    """One logged dose: the slot it answers (None for an unscheduled one) and when it was taken."""

    medication_id: int
    scheduled_for: datetime | None
    taken_at: datetime | None
    status: DoseStatus


@dataclass(frozen=True, slots=True)
class SlotResult:
    """A scheduled slot with its outcome."""

    medication_id: int
    scheduled_at: datetime
    outcome: SlotOutcome


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"{what} is a naive datetime; pass an aware UTC instant")


def classify_slots(
    slots: Iterable[ScheduledSlot], doses: Iterable[LoggedDose], now: datetime
) -> list[SlotResult]:
    """Give every scheduled slot its outcome, in the order of ``slots``.

    A dose answers a slot when it names the same medication and scheduled instant.
    Extra doses and doses without ``scheduled_for`` answer none. When several doses answer
    one slot, taken beats skipped, and the earliest time taken counts. A taken dose without
    ``taken_at`` counts as on time (nothing shows it was late). Elapsed time is real time
    between UTC instants, so a daylight-saving change moves no boundary.
    """
    return classify_times(
        map(_slot_fields, slots),
        map(_dose_fields, doses),
        now,
    )


_UNANSWERED = datetime(1, 1, 1, tzinfo=UTC)  # "no taken dose names the slot": told apart by identity
_slot_fields = attrgetter("medication_id", "scheduled_at")
_dose_fields = attrgetter("medication_id", "scheduled_for", "taken_at", "status")


def classify_times(
    slots: Iterable[tuple[int, datetime]],
    doses: Iterable[tuple[int, datetime | None, datetime | None, DoseStatus]],
    now: datetime,
) -> list[SlotResult]:
    """``classify_slots`` on plain tuples: slots as (medication, scheduled instant), doses as
    (medication, scheduled_for, taken_at, status), the fields of ``ScheduledSlot`` and
    ``LoggedDose`` in their order. For callers streaming decades of rows, which need no object
    per slot or dose on the way in."""
    _require_aware(now, "now")
    # Enum members and limits held in locals: this runs over every dose of ten years.
    taken_status, skipped_status = DoseStatus.TAKEN, DoseStatus.SKIPPED
    taken: dict[tuple[int, datetime], datetime | None] = {}
    skipped: set[tuple[int, datetime]] = set()
    first_taken = taken.setdefault
    for medication_id, scheduled_for, taken_at, status in doses:
        if scheduled_for is None:
            continue
        if status == taken_status:
            key = (medication_id, scheduled_for)
            earlier = first_taken(key, taken_at)
            if earlier is not taken_at and earlier is not None and (taken_at is None or taken_at < earlier):
                taken[key] = taken_at  # a second taken dose for the slot, taken earlier
        elif status == skipped_status:
            skipped.add((medication_id, scheduled_for))
        # EXTRA answers no slot.

    missed_before = now - MISSED_AFTER
    late_after = LATE_AFTER
    on_time, late, skip, missed, pending = (
        SlotOutcome.ON_TIME,
        SlotOutcome.LATE,
        SlotOutcome.SKIPPED,
        SlotOutcome.MISSED,
        SlotOutcome.PENDING,
    )
    results: list[SlotResult] = []
    append = results.append
    answer = taken.get
    for key in slots:
        at = key[1]
        if at.tzinfo is None:
            _require_aware(at, "scheduled_at")
        when = answer(key, _UNANSWERED)
        if when is not _UNANSWERED:
            outcome = late if when is not None and when - at > late_after else on_time
        elif key in skipped:
            outcome = skip
        elif at <= missed_before:
            outcome = missed
        else:
            outcome = pending
        append(SlotResult(key[0], at, outcome))
    return results


@dataclass(frozen=True, slots=True)
class PeriodAdherence:
    """Counts of scheduled doses for one local day or ISO week (starting ``first_day``).

    ``scheduled`` counts only settled slots (taken + skipped + missed); pending ones are
    listed apart and excluded from every share. ``late`` is a subset of ``taken``.
    """

    first_day: date
    scheduled: int
    taken: int
    late: int
    skipped: int
    missed: int
    pending: int

    @property
    def iso_week(self) -> tuple[int, int]:
        """(ISO year, ISO week number) of ``first_day``."""
        iso = self.first_day.isocalendar()
        return iso.year, iso.week

    def _share(self, count: int) -> float | None:
        return count / self.scheduled if self.scheduled else None

    @property
    def taken_share(self) -> float | None:
        """Share of settled slots taken (late ones included); None when none settled."""
        return self._share(self.taken)

    @property
    def late_share(self) -> float | None:
        return self._share(self.late)

    @property
    def skipped_share(self) -> float | None:
        return self._share(self.skipped)

    @property
    def missed_share(self) -> float | None:
        return self._share(self.missed)


_instant_outcome = attrgetter("scheduled_at", "outcome")
_scheduled_at = attrgetter("scheduled_at")


def _adherence_by(results: Iterable[SlotResult], tz: ZoneInfo, weekly: bool) -> list[PeriodAdherence]:
    # One counter update per slot, one zone conversion per distinct instant (the medications'
    # slots share their times); folding into days and weeks then touches one entry per
    # instant and outcome, not per slot.
    tally = Counter(map(_instant_outcome, results))
    period_of: dict[datetime, date] = {}
    by_period: dict[date, Counter[SlotOutcome]] = defaultdict(Counter)
    for (at, outcome), count in tally.items():
        key = period_of.get(at)
        if key is None:
            day = local_day(at, tz)
            key = period_of[at] = day - timedelta(days=day.weekday()) if weekly else day
        by_period[key][outcome] += count
    rows: list[PeriodAdherence] = []
    for key in sorted(by_period):
        counts = by_period[key]
        on_time, late = counts[SlotOutcome.ON_TIME], counts[SlotOutcome.LATE]
        skipped, missed = counts[SlotOutcome.SKIPPED], counts[SlotOutcome.MISSED]
        rows.append(
            PeriodAdherence(
                first_day=key,
                scheduled=on_time + late + skipped + missed,
                taken=on_time + late,
                late=late,
                skipped=skipped,
                missed=missed,
                pending=counts[SlotOutcome.PENDING],
            )
        )
    return rows


def adherence_by_week(results: Iterable[SlotResult], tz: ZoneInfo) -> list[PeriodAdherence]:
    """Adherence per ISO week of the user's local calendar, oldest first; weeks with no slot are absent."""
    return _adherence_by(results, tz, weekly=True)


def adherence_by_day(results: Iterable[SlotResult], tz: ZoneInfo) -> list[PeriodAdherence]:
    """Adherence per local calendar day, oldest first; days with no slot are absent."""
    return _adherence_by(results, tz, weekly=False)


@dataclass(frozen=True, slots=True)
class MissedRun:
    """Consecutive missed doses of one medication, from ``start`` to ``last`` (both scheduled instants)."""

    medication_id: int
    start: datetime
    last: datetime
    length: int


def missed_runs(results: Iterable[SlotResult]) -> list[MissedRun]:
    """Runs of consecutive missed slots per medication, longest first (then oldest first).

    Consecutive means no other slot of the same medication lies between them; any other
    outcome (taken, skipped, pending) ends a run.
    """
    by_medication: dict[int, list[SlotResult]] = defaultdict(list)
    for result in results:
        by_medication[result.medication_id].append(result)
    runs: list[MissedRun] = []
    for medication_id, items in by_medication.items():
        items.sort(key=_scheduled_at)
        run_start: datetime | None = None
        run_last: datetime | None = None
        length = 0
        for item in items:
            if item.outcome is SlotOutcome.MISSED:
                if run_start is None:
                    run_start = item.scheduled_at
                run_last = item.scheduled_at
                length += 1
                continue
            if run_start is not None and run_last is not None:
                runs.append(MissedRun(medication_id, run_start, run_last, length))
            run_start, run_last, length = None, None, 0
        if run_start is not None and run_last is not None:
            runs.append(MissedRun(medication_id, run_start, run_last, length))
    runs.sort(key=lambda run: (-run.length, run.start, run.medication_id))
    return runs


# ---------------------------------------------------------------------------
# Sparklines
# ---------------------------------------------------------------------------

SPARKLINE_DAYS = 14
_SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def last_days(values: Mapping[date, float], today: date, days: int = SPARKLINE_DAYS) -> list[float | None]:
    """The last ``days`` days up to ``today`` inclusive, oldest first, None for gaps."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return daily_series(values, today - timedelta(days=days - 1), today)


@dataclass(frozen=True, slots=True)
class Sparklines:
    """The last 14 days of burden and mood, oldest first, None for days not logged."""

    burden: tuple[float | None, ...]
    mood: tuple[float | None, ...]


def sparklines(burden: Mapping[date, float], mood: Mapping[date, float], today: date) -> Sparklines:
    """Both 14-day sparkline series for the dashboard and the summary."""
    return Sparklines(tuple(last_days(burden, today)), tuple(last_days(mood, today)))


def spark_text(series: Iterable[float | None], low: float, high: float) -> str:
    """Draw ``series`` as block characters scaled from ``low`` to ``high``; a space for a gap.

    Values outside the scale are clamped. The scale is fixed by the caller (the mood scale,
    or 0 to the largest possible burden) so two sparklines of the same kind compare.
    """
    if high <= low:
        raise ValueError("high must be greater than low")
    top = len(_SPARK_BLOCKS) - 1
    chars: list[str] = []
    for value in series:
        if value is None:
            chars.append(" ")
            continue
        fraction = min(max((value - low) / (high - low), 0.0), 1.0)
        chars.append(_SPARK_BLOCKS[round(fraction * top)])
    return "".join(chars)


# ---------------------------------------------------------------------------
# Symptom table
# ---------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class SymptomSummary(Generic[K]):
    """One row of the symptom table.

    ``days_present`` counts days with severity 1 or more; ``mean`` is over logged days
    (a logged 0 counts, an unlogged day does not); ``change`` is ``mean - baseline``
    (positive = more severe than the baseline) when both exist.
    """

    symptom: K
    days_logged: int
    days_present: int
    worst: int | None
    mean: float | None
    baseline: float | None
    change: float | None


def symptom_summaries(
    severity_by_symptom: Mapping[K, Mapping[date, int]],
    *,
    start: date | None = None,
    end: date | None = None,
    baselines: Mapping[K, float] | None = None,
) -> list[SymptomSummary[K]]:
    """Summarise each symptom's severities within [start, end] (open ends mean no limit).

    Rows come in the order of ``severity_by_symptom``. ``baselines`` maps a symptom to
    its mean severity before the taper, where one was recorded.
    """
    rows: list[SymptomSummary[K]] = []
    for symptom, by_day in severity_by_symptom.items():
        logged = 0
        present = 0
        total = 0
        worst: int | None = None
        for day, value in by_day.items():
            if (start is not None and day < start) or (end is not None and day > end):
                continue
            logged += 1
            total += value
            if value >= 1:
                present += 1
            if worst is None or value > worst:
                worst = value
        mean = total / logged if logged else None
        baseline = baselines.get(symptom) if baselines is not None else None
        change = mean - baseline if mean is not None and baseline is not None else None
        rows.append(SymptomSummary(symptom, logged, present, worst, mean, baseline, change))
    return rows
