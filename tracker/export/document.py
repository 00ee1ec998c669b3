"""The clinician summary as a list of format-neutral blocks, built once from ``SummaryData``.

Every sentence and table of the summary is written here, so the Markdown, HTML and PDF
versions say exactly the same thing; each renderer only lays the blocks out.

Wording rules (DOMAIN.md): facts and timing only, never an instruction to change a dose,
never a label such as "withdrawal" or "relapse"; crisis entries are reported with care and
always with the crisis help text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.domain.safety import OVERDOSE_TEXT
from tracker.domain.taper import FlagKind
from tracker.domain.trends import DoseChangeKind, spark_text, timing_facts
from tracker.domain.units import format_mg
from tracker.export import charts
from tracker.export.data import MedicationRow, PlanInfo, SummaryData, WeekRow, severity_label

TITLE = "Medication and symptom summary for the clinician"


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True, slots=True)
class Para:
    text: str
    style: str = "normal"  # normal, small, notice (boxed), alert (boxed, emphasised)


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    align: tuple[str, ...] = ()  # "l" or "r" per column; left by default

    def alignment(self, column: int) -> str:
        return self.align[column] if column < len(self.align) else "l"


@dataclass(frozen=True, slots=True)
class Chart:
    figure: charts.Figure
    text_lines: tuple[str, ...]  # the plain-text version for Markdown
    caption: str = ""  # kept on the same page as the chart


@dataclass(frozen=True, slots=True)
class Facts:
    """Label and value pairs (the header block)."""

    pairs: tuple[tuple[str, str], ...]


Block = Heading | Para | Bullets | Table | Chart | Facts


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------


def fmt_day(day: date) -> str:
    """``5 Sep 2026``: unambiguous in every locale."""
    return f"{day.day} {day:%b %Y}"


def fmt_moment(moment: datetime) -> str:
    return f"{fmt_day(moment.date())} {moment:%H:%M}"


def fmt_mg(mg: float) -> str:
    return format_mg(mg)


def fmt_num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def fmt_share(count: int, total: int) -> str:
    """``5 (6%)``; small shares keep a decimal so that 2 of 544 does not read as 0%."""
    if not total:
        return str(count)
    share = count / total
    return f"{count} ({share:.1%})" if 0 < share < 0.1 else f"{count} ({share:.0%})"


def fmt_signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def _duration(first: date, last: date) -> str:
    """``2 years 3 months``, ``5 months``, ``12 days``: how long from ``first`` to ``last``."""
    months = (last.year - first.year) * 12 + last.month - first.month - (last.day < first.day)
    if months < 1:
        return _plural(max((last - first).days, 0), "day")
    years, rest = divmod(months, 12)
    parts = ([_plural(years, "year")] if years else []) + ([_plural(rest, "month")] if rest else [])
    return " ".join(parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _days_list(days: tuple[date, ...], limit: int = 8) -> str:
    shown = ", ".join(fmt_day(d) for d in days[:limit])
    return shown + (f" and {len(days) - limit} more" if len(days) > limit else "")


_KIND_WORDS = {
    DoseChangeKind.START: "start",
    DoseChangeKind.INCREASE: "increase",
    DoseChangeKind.REDUCTION: "reduction",
    DoseChangeKind.STOP: "stop",
}


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


def _header(d: SummaryData) -> list[Block]:
    pairs: list[tuple[str, str]] = []
    if d.patient_name:
        pairs.append(("Patient", d.patient_name))
    pairs.append(("Period", f"{fmt_day(d.start)} to {fmt_day(d.end)} ({_plural(d.days, 'day')})"))
    pairs.append(("Generated", f"{fmt_moment(d.generated_at)} ({d.zone})"))
    if d.next_appointment is not None:
        at, who = d.next_appointment
        pairs.append(("Next appointment", fmt_moment(at) + (f" with {who}" if who else "")))
    return [Facts(tuple(pairs)), Para(d.disclaimer, "notice")]


def _attention(d: SummaryData) -> list[Block]:
    """The "needs attention" box, first on page 1: crisis entries with the patient's own notes,
    possible overdoses and urgent reminders of the period."""
    if not d.attention:
        return []
    lines = []
    for item in d.attention:
        when = f"{fmt_day(item.day)}: " if item.day else "Now: "
        line = f"- {when}{item.text}."
        if item.note:
            line += f' Patient\'s note: "{item.note}"'
        lines.append(line)
    kinds = {i.kind for i in d.attention}
    if "crisis" in kinds:
        lines.append(d.crisis_text)
    if "overdose" in kinds:
        lines.append(OVERDOSE_TEXT)
    return [Heading("Needs attention"), Para("\n".join(lines), "alert")]


def _time_on(m: MedicationRow, end: date) -> str | None:
    """``since 30 May 2026 (5 months; first prescription recorded)``: how long on the drug."""
    began, how = (m.started_on, "") if m.started_on else (m.first_prescribed, "; first prescription recorded")
    return None if began is None else f"since {fmt_day(began)} ({_duration(began, end)}{how})"


_URGENT_WORDS = {
    "crisis": ("crisis entry", "crisis entries"),
    "overdose": ("possible overdose", "possible overdoses"),
    "urgent": ("urgent reminder", "urgent reminders"),
}
_COMPARISON_WORDS = ("new", "worse", "same", "better")
BRIEF_SYMPTOMS = 3
"""Symptoms named in the brief when the patient gave no comparison: those most above baseline."""


def _in_brief(d: SummaryData) -> list[Block]:
    """Page 1 on its own tells the story: what is taken now, where the taper stands, for how
    long, the latest PHQ-9 and GAD-7, how the patient says the symptoms compare with before
    the taper, and how many items need attention."""
    pairs: list[tuple[str, str]] = []
    current = [m for m in d.medications if not m.archived and m.current is not None]
    if current:
        pairs.append(
            (
                "Taking now",
                "; ".join(
                    f"{m.name} {fmt_mg(m.current.daily_mg)}/day from {fmt_day(m.current.start)}"
                    for m in current
                    if m.current is not None
                ),
            )
        )
        since = [f"{m.name} {t}" for m in current if (t := _time_on(m, d.end)) is not None]
        if since:
            pairs.append(("On the drug", "; ".join(since)))
    else:
        pairs.append(("Taking now", "no current prescription"))
    for plan in d.plans:
        if plan.status in ("completed", "abandoned"):
            continue
        live = next((s for s in plan.steps if s.status in ("current", "held")), None)
        upcoming = next((s for s in plan.steps if s.status == "planned"), None)
        where = (
            f"step {live.order} of {len(plan.steps)}, {fmt_mg(live.dose_mg)}/day"
            + (f" since {fmt_day(live.actual_start)}" if live.actual_start else "")
            if live is not None
            else f"{len(plan.steps)} steps, none started"
        )
        agreed = f"agreed {fmt_day(plan.agreed_on)}" if plan.agreed_on else "not yet agreed"
        nxt = (
            f"; next {fmt_mg(upcoming.dose_mg)}/day planned {fmt_day(upcoming.planned_start)}"
            if upcoming is not None
            else ""
        )
        named = f"{plan.medication}: " if len(d.plans) > 1 else ""
        pairs.append(("Taper step", f"{named}{where}; plan {plan.status}, {agreed}{nxt}"))
    latest = []
    for scale in ("PHQ-9", "GAD-7"):
        totals = [t for t in d.scales if t.scale == scale]
        if totals:
            last = totals[-1]
            first = "" if len(totals) == 1 else f"; first in the period {totals[0].total} {totals[0].band}"
            latest.append(f"{scale} {last.total} {last.band} on {fmt_day(last.day)}{first}")
    pairs.append(("Latest scores", "; ".join(latest) if latest else "no PHQ-9 or GAD-7 in the period"))
    words: dict[str, list[str]] = {}
    for c in d.comparisons:
        if c.latest_word:
            words.setdefault(c.latest_word, []).append(c.name)
    if words:
        pairs.append(
            (
                "Symptoms",
                "; ".join(f"{w}: {', '.join(words[w])}" for w in _COMPARISON_WORDS if w in words)
                + " (the patient's latest comparison with before the taper)",
            )
        )
    elif not d.symptoms:
        pairs.append(("Symptoms", "none logged in this period"))
    else:
        above = sorted(
            (r for r in d.symptoms if r.summary.change is not None and r.summary.change > 0),
            key=lambda r: (-(r.summary.change or 0.0), r.name),
        )[:BRIEF_SYMPTOMS]
        pairs.append(
            (
                "Symptoms",
                "no comparison with before the taper given"
                + (
                    "; most above the baseline by the ratings: "
                    + ", ".join(f"{r.name} {fmt_signed(r.summary.change)}" for r in above)
                    if above
                    else ""
                ),
            )
        )
    if d.responses:
        r = d.responses[-1]
        x = r.response
        if x.mean_before is not None and x.mean_after is not None:
            peak = f", peak {x.peak_burden:g} on day {x.days_to_peak}" if x.peak_burden is not None else ""
            back = (
                ""
                if x.days_to_rise is None
                else (
                    f", back by day {x.days_to_return}" if x.days_to_return is not None else ", not back yet"
                )
            )
            pairs.append(
                (
                    "Last reduction",
                    f"{fmt_day(r.change.change.day)}, {fmt_mg(r.change.change.from_mg)} to "
                    f"{fmt_mg(r.change.change.to_mg)}: burden {x.mean_before:.1f} a day before, "
                    f"{x.mean_after:.1f} after{peak}{back}",
                )
            )
    if d.attention:
        counts: dict[str, int] = {}
        for item in d.attention:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        parts = [f"{n} {_URGENT_WORDS.get(k, (k, k))[n != 1]}" for k, n in counts.items()]
        pairs.append(("Urgent items", f"{len(d.attention)} ({', '.join(parts)}), in the box above"))
    else:
        pairs.append(("Urgent items", "none in this period"))
    return [Heading("In brief"), Facts(tuple(pairs))]


def _medications(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Current medications and prescriptions")]
    current = [m for m in d.medications if not m.archived]
    if current:
        rows = []
        for m in current:
            name = m.name + (f" ({m.brand})" if m.brand else "")
            strength = f"{m.form}, {fmt_mg(m.strength_mg)}" + ("/ml" if m.form == "liquid" else "")
            if m.liquid_mg_per_ml:
                strength += f"; liquid {fmt_mg(m.liquid_mg_per_ml)}/ml"
            half = f"{m.half_life_hours:g} h" if m.half_life_hours else ""
            rx = m.current
            if rx is None:
                rows.append((name, strength, "no current prescription", "", "", "", half))
                continue
            dose = fmt_mg(rx.dose_mg) + (
                f" x{len(rx.times)} = {fmt_mg(rx.daily_mg)}/day" if len(rx.times) > 1 else ""
            )
            rows.append(
                (name, strength, dose, ", ".join(rx.times), fmt_day(rx.start), rx.prescriber or "", half)
            )
        blocks.append(
            Table(
                ("Medication", "Form", "Dose", "Times", "Since", "Prescriber", "Half-life"),
                tuple(rows),
                (24, 15, 19, 9, 13, 20, 10),
                ("l", "l", "l", "l", "l", "l", "r"),
            )
        )
    else:
        blocks.append(Para("No medications recorded."))
    for warning in d.drops_warnings:
        blocks.append(Para(warning, "small"))
    earlier = [p for p in d.prescriptions if p.end is not None and p.end < d.end]
    if earlier:
        blocks.append(
            Para(
                "Earlier prescriptions in the period: "
                + "; ".join(
                    f"{p.medication} {fmt_mg(p.daily_mg)}/day, "
                    f"{fmt_day(max(p.start, d.start))} to {fmt_day(p.end or d.end)}"
                    for p in earlier
                )
                + ".",
                "small",
            )
        )
    return blocks


def _changes(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Dose changes in the period")]
    if not d.changes:
        return [*blocks, Para("The prescribed dose did not change in this period.")]
    rows = tuple(
        (
            fmt_day(c.change.day),
            c.medication,
            fmt_mg(c.change.from_mg) + "/day",
            fmt_mg(c.change.to_mg) + "/day",
            _KIND_WORDS[c.change.kind],
            f"yes, step {c.step_order}"
            if c.planned and c.step_order is not None
            else (
                "yes"
                if c.planned
                else ("" if c.change.kind is DoseChangeKind.START else "not in an agreed plan")
            ),
        )
        for c in d.changes
    )
    blocks.append(
        Table(("Date", "Medication", "From", "To", "Change", "Planned"), rows, (14, 18, 14, 14, 12, 24))
    )
    return blocks


def _plans(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Taper plan")]
    if not d.plans:
        return [*blocks, Para("No taper plan is recorded.")]
    for plan in d.plans:
        agreed = (
            f"agreed with {plan.prescriber or 'the prescriber'} on {fmt_day(plan.agreed_on)}"
            if plan.agreed_on
            else "not yet agreed with a prescriber (a draft to discuss)"
        )
        blocks.append(
            Para(
                f"{plan.medication}: {plan.status} plan ({plan.method}), {agreed}. "
                f"Holds: {plan.holds}; step-backs: {plan.step_backs}."
            )
        )
        if plan.notes:
            blocks.append(Para(f"Plan notes: {plan.notes}", "small"))
        blocks.extend(_step_table(plan))
        blocks.extend(_micro_blocks(plan))
        if plan.events:
            blocks.append(Para("Plan history:", "small"))
            blocks.append(
                Bullets(
                    tuple(
                        f"{fmt_day(e.at.date())}: {e.action.replace('_', ' ')}"
                        + (f" ({e.from_status} to {e.to_status})" if e.from_status and e.to_status else "")
                        + (f": {e.reason}" if e.reason else "")
                        for e in plan.events
                    )
                )
            )
    return blocks


def _micro_blocks(plan: PlanInfo) -> list[Block]:
    """D8: each step with a micro-step table says so, with its range (kept apart from the step rows)."""
    out: list[Block] = []
    for m in plan.micro:
        span = (
            f"{fmt_day(m.first_day)} to {fmt_day(m.last_day)}"
            if m.first_day is not None and m.last_day is not None
            else "dates from the day it starts"
        )
        unit = "days" if m.cadence == "daily" else "weeks"
        text = (
            f"Step {m.order} is a {m.cadence} micro-step table (small reductions every "
            f"{'day' if m.cadence == 'daily' else 'week'}): {fmt_mg(m.from_mg)} to {fmt_mg(m.to_mg)} a day, "
            f"{span}, {m.rows} {unit}"
            + (f", {m.ml_rows} of them measured in ml of liquid" if m.ml_rows else "")
            + (
                f"; {m.flagged_rows} rows flagged (rounded to the forms, or needing another form)"
                if m.flagged_rows
                else ""
            )
            + (f". The table stopped on {fmt_day(m.stopped)}" if m.stopped else "")
            + ". The day-by-day table: tracker taper show --table."
        )
        out.append(Para(text, "small"))
    return out


NEEDS_FORM_MARK = "needs a liquid or compounded form"
"""D2: the mark in the row of a step the recorded forms cannot give."""

_FLAG_ORDER = (
    FlagKind.LARGE_CUT,
    FlagKind.ABRUPT_END,
    FlagKind.INCREASE,
    FlagKind.SHORT_INTERVAL,
    FlagKind.BELOW_MIN_DAYS,
    FlagKind.NOT_EXACT,
    FlagKind.NEEDS_FORM,
)


def _flag_words(kind: FlagKind, method: str) -> str:
    """One short line per kind of flag (D5; D1, D2, D3), with its source."""
    if kind is FlagKind.LARGE_CUT:
        if method == "occupancy":
            return "Large cut: the drop in estimated occupancy is more than half again the chosen step"
        return (
            "Large cut: more than 50% of the dose at or above the usual minimum therapeutic dose, "
            "more than 25% below it (NICE NG222)"
        )
    return {
        FlagKind.ABRUPT_END: "Abrupt end: the drop to 0 is bigger than the largest earlier drop (Maudsley)",
        FlagKind.INCREASE: "Increase: the dose goes up",
        FlagKind.SHORT_INTERVAL: "Short step: less than 14 days at this dose (Horowitz & Taylor 2019)",
        FlagKind.BELOW_MIN_DAYS: "Short of its minimum: the next step comes before this step's minimum days",
        FlagKind.NOT_EXACT: "Not exact: no dose the recorded forms give is within 10% of the calculated one",
        FlagKind.NEEDS_FORM: "Needs a liquid or compounded form",
    }[kind]


def _orders(orders: list[int]) -> str:
    """``step 4``, ``steps 2, 3``, ``steps 3-9``: runs of consecutive steps as ranges."""
    runs: list[list[int]] = []
    for order in sorted(set(orders)):
        if runs and order == runs[-1][-1] + 1:
            runs[-1].append(order)
        else:
            runs.append([order])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs]
    return ("step " if len(orders) == 1 else "steps ") + ", ".join(parts)


def _step_table(plan: PlanInfo) -> list[Block]:
    """The steps with how to take each one, the estimated occupancy where the drug has a fit
    (D7: one line naming the fit under the table) and the draft's flags grouped by kind (D5)."""
    if not plan.steps:
        return []
    occupancy = any(s.occupancy_pct is not None for s in plan.steps)
    rows = []
    for s in plan.steps:
        delay = s.delay_days
        diff = "" if delay is None else ("on time" if delay == 0 else f"{delay:+d} days")
        how = s.how_to_take or ""
        if s.needs_form and NEEDS_FORM_MARK not in how:
            how = f"{how} ({NEEDS_FORM_MARK})" if how else NEEDS_FORM_MARK
        occ = [f"{s.occupancy_pct:.0f}" if s.occupancy_pct is not None else ""] if occupancy else []
        rows.append(
            (
                str(s.order),
                fmt_mg(s.dose_mg) + "/day",
                how,
                *occ,
                fmt_day(s.planned_start),
                fmt_day(s.actual_start) if s.actual_start else "",
                diff,
                s.status.replace("_", " "),
            )
        )
    headers = ("Step", "Daily dose", "How to take", *(("Occ %",) if occupancy else ()))
    blocks: list[Block] = [
        Table(
            (*headers, "Planned", "Started", "Difference", "Status"),
            tuple(rows),
            (6, 12, 30, *((7,) if occupancy else ()), 14, 14, 11, 12),
            ("r", "l", "l", *(("r",) if occupancy else ()), "l", "l", "l", "l"),
        )
    ]
    for fit in dict.fromkeys(s.fit for s in plan.steps if s.fit and s.occupancy_pct is not None):
        blocks.append(Para(f"Occ %: estimated serotonin transporter occupancy, from the {fit}.", "small"))
    by_kind: dict[FlagKind, list[int]] = {}
    liquids = ""
    for s in plan.steps:
        for f in s.flags:
            by_kind.setdefault(f.kind, []).append(s.order)
            if f.kind is FlagKind.NEEDS_FORM and not liquids and ". " in f.message:
                liquids = " " + f.message.split(". ", 1)[1]
    if by_kind:
        blocks.append(Para("Flags the draft raised on its steps, to discuss with the prescriber:", "small"))
        blocks.append(
            Bullets(
                tuple(
                    f"{_flag_words(kind, plan.method)}: {_orders(by_kind[kind])}."
                    + (liquids if kind is FlagKind.NEEDS_FORM else "")
                    for kind in _FLAG_ORDER
                    if kind in by_kind
                )
            )
        )
    return blocks


def _earlier_plans(d: SummaryData) -> list[Block]:
    if not d.earlier_plans:
        return []
    return [
        Para(
            "Earlier plans: "
            + "; ".join(
                f"{p.medication} {p.status} ({p.method}"
                + (
                    f", {fmt_mg(p.steps[0].dose_mg)} to {fmt_mg(p.steps[-1].dose_mg)} mg/day"
                    if p.steps
                    else ""
                )
                + (f", agreed {fmt_day(p.agreed_on)}" if p.agreed_on else "")
                + ")"
                for p in d.earlier_plans
            )
            + ".",
            "small",
        )
    ]


def _charts(d: SummaryData) -> list[Block]:
    chart = d.chart
    burden_text = []
    top = max((v for v in chart.burden if v is not None), default=0.0) or 1.0
    # a year or less: one character a day; longer: one per group of days, still 12 lines at most
    size = 1 if len(chart.burden) <= 366 else charts.group_size(len(chart.burden), 360)
    grouped = charts.group_means(chart.burden, size)
    for offset in range(0, len(grouped), 30):
        first = chart.start.toordinal() + offset * size
        part = grouped[offset : offset + 30]
        burden_text.append(f"{fmt_day(date.fromordinal(first)):>11}  {spark_text(part, 0, top)}")
    per = (
        "one character per day, 30 days a line"
        if size == 1
        else (f"one character per {size} days (their mean over the days logged), 30 characters a line")
    )
    dose_lines = []
    for c in d.changes:
        dose_lines.append(
            f"{fmt_day(c.change.day)}: {c.medication} {fmt_mg(c.change.from_mg)} to "
            f"{fmt_mg(c.change.to_mg)} per day"
        )
    text = (
        "Prescribed daily dose: "
        + (
            "; ".join(
                f"{s.medication} {fmt_mg(s.values[0])} on {fmt_day(chart.start)}, {fmt_mg(s.values[-1])} on "
                f"{fmt_day(chart.end)}"
                for s in chart.doses
                if s.values
            )
            or "none"
        )
        + ".",
        *dose_lines,
        f"Daily symptom burden (sum of severities; {per}, scale 0 to {top:g}, blank = not logged):",
        *burden_text,
    )
    weekly_lines = []
    weekly, weeks_per_cell = charts.grouped_weeks(d.weekly_symptoms)
    if weekly.rows:
        width = max(len(name) for name, _ in weekly.rows)
        starting = "Week starting" if weeks_per_cell == 1 else f"{weeks_per_cell} weeks from"
        weekly_lines.append(
            f"{starting:<{width}}  "
            + " ".join(f"{m:%d}" for m in weekly.weeks)
            + "  (day of month of each Monday)"
            + ("" if weeks_per_cell == 1 else f"; first {fmt_day(weekly.weeks[0])}")
        )
        for name, values in weekly.rows:
            cells = " ".join(" ." if v is None else f"{v:2.0f}" for v in values)
            weekly_lines.append(f"{name:<{width}}  {cells}")
        weekly_lines.append(
            (
                "Mean severity per week"
                if weeks_per_cell == 1
                else f"Mean of the weekly means per {weeks_per_cell} weeks"
            )
            + ": 0 none, 1 mild, 2 moderate, 3 severe; . not logged."
        )
    else:
        weekly_lines.append("No symptoms were rated above none in this period.")
    return [
        Heading("Dose and symptom burden"),
        Chart(
            charts.dose_burden_chart(chart),
            text,
            "Burden is the sum of the day's symptom severities (0 none to 3 severe per symptom); "
            "a day with nothing logged is a gap, not zero.",
        ),
        Heading("Main symptoms by week"),
        Chart(charts.weekly_symptoms_chart(d.weekly_symptoms), tuple(weekly_lines)),
    ]


def _symptoms(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Symptoms")]
    if not d.symptoms:
        return [*blocks, Para("No symptoms were logged in this period.")]
    rows = tuple(
        (
            r.name,
            str(r.summary.days_present),
            str(r.summary.days_logged),
            severity_label(r.summary.worst),
            fmt_num(r.summary.mean),
            fmt_num(r.summary.baseline),
            fmt_signed(r.summary.change),
        )
        for r in d.symptoms
    )
    blocks.append(
        Table(
            ("Symptom", "Days present", "Days logged", "Worst", "Mean", "Baseline", "Change"),
            rows,
            (28, 13, 13, 14, 9, 11, 10),
            ("l", "r", "r", "l", "r", "r", "r"),
        )
    )
    blocks.append(
        Para(
            "Present: rated mild or worse. Severity 0 none, 1 mild, 2 moderate, 3 severe. Mean over "
            "logged days. Baseline: mean "
            "severity on the check-in days marked as the pre-taper baseline; change = mean minus "
            "baseline (positive = more severe).",
            "small",
        )
    )
    return blocks


def _scales(d: SummaryData) -> list[Block]:
    """PHQ-9 and GAD-7 totals, kept apart from the withdrawal burden (DOMAIN.md)."""
    blocks: list[Block] = [Heading("Mood and anxiety scores (PHQ-9, GAD-7)")]
    if not d.scales:
        return [*blocks, Para("No PHQ-9 or GAD-7 was filled in during this period.", "small")]
    by_day: dict[date, dict[str, str]] = {}
    for t in d.scales:
        cell = f"{t.total} {t.band}"
        if t.item9:
            cell += f" (question 9: {t.item9})"
        by_day.setdefault(t.day, {})[t.scale] = cell
    rows = tuple((fmt_day(day), v.get("PHQ-9", ""), v.get("GAD-7", "")) for day, v in sorted(by_day.items()))
    earlier = max(len(rows) - LONG_TABLE, 0)
    rows = rows[earlier:]
    phq = [t.total for t in d.scales if t.scale == "PHQ-9"]
    gad = [t.total for t in d.scales if t.scale == "GAD-7"]
    summary = []
    if phq:
        summary.append(f"PHQ-9 {phq[0]} to {phq[-1]} (highest {max(phq)}, of 27)")
    if gad:
        summary.append(f"GAD-7 {gad[0]} to {gad[-1]} (highest {max(gad)}, of 21)")
    if earlier:
        summary.append(f"the latest {len(rows)} dates below, {earlier} earlier ones in the CSV export")
    return [
        *blocks,
        Para("First to last in the period: " + "; ".join(summary) + "."),
        Table(("Date", "PHQ-9 (0-27)", "GAD-7 (0-21)"), rows, (20, 40, 40)),
        Para(
            "Bands: PHQ-9 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe; "
            "GAD-7 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe. Scores, not a diagnosis; "
            "kept apart from the symptom burden.",
            "small",
        ),
    ]


def _comparisons(d: SummaryData) -> list[Block]:
    if not d.comparisons:
        return []
    rows = tuple(
        (c.name, str(c.new), str(c.worse), str(c.same), str(c.better), str(c.absent), c.latest or "")
        for c in d.comparisons
    )
    return [
        Heading("Compared with before the taper, in the patient's words", 3),
        Table(
            ("Symptom", "New", "Worse", "Same", "Better", "Absent", "Latest"),
            rows,
            (30, 9, 9, 9, 9, 9, 25),
            ("l", "r", "r", "r", "r", "r", "l"),
        ),
        Para(
            "Days the patient compared the symptom with before the taper; absent: days rated none.", "small"
        ),
    ]


def _adherence(d: SummaryData) -> list[Block]:
    a = d.adherence
    blocks: list[Block] = [Heading("Doses taken")]
    if a.scheduled == 0:
        return [*blocks, Para("No scheduled doses in this period.")]
    text = (
        f"{_plural(a.scheduled, 'scheduled dose')} in the period: taken {fmt_share(a.taken, a.scheduled)}, "
        f"of which late (more than 2 hours after the scheduled time) {fmt_share(a.late, a.scheduled)}; "
        f"skipped {fmt_share(a.skipped, a.scheduled)}; "
        f"missed (nothing logged) {fmt_share(a.missed, a.scheduled)}."
    )
    if a.pending:
        text += f" {_plural(a.pending, 'dose')} still due, not counted."
    blocks.append(Para(text))
    if d.missed_runs:
        blocks.append(
            Bullets(
                tuple(
                    f"{r.medication}: {r.run.length} missed in a row, {fmt_day(r.run.start.date())} to "
                    f"{fmt_day(r.run.last.date())}"
                    for r in d.missed_runs[:5]
                )
            )
        )
    else:
        blocks.append(Para("No two doses in a row were missed.", "small"))
    return blocks


LONG_TABLE = 16
"""Rows a table may have before a long period is shown by month (or its latest rows only):
a summary of ten years stays a few pages, and the CSV export keeps every row."""


def _weeks(d: SummaryData) -> list[Block]:
    if len(d.weeks) > LONG_TABLE:
        return _months(d)
    rows = []
    for w in d.weeks:
        adh = w.adherence
        rows.append(
            (
                fmt_day(max(w.monday, d.start)),
                fmt_num(w.burden),
                fmt_num(w.mood),
                fmt_num(w.sleep),
                f"{adh.taken} of {adh.scheduled}" if adh else "",
                str(adh.late) if adh else "",
                str(adh.skipped) if adh else "",
                str(adh.missed) if adh else "",
            )
        )
    return [
        *_mood_sleep(d),
        Table(
            ("Week from", "Burden/day", "Mood", "Sleep (h)", "Taken", "Late", "Skipped", "Missed"),
            tuple(rows),
            (16, 12, 9, 10, 12, 8, 9, 9),
            ("l", "r", "r", "r", "r", "r", "r", "r"),
        ),
        Para("Means over the days logged in each week; mood 0 (worst) to 10 (best).", "small"),
    ]


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _months(d: SummaryData) -> list[Block]:
    """The week-by-week table of a long period, one row per month (or per year past 3 years)."""
    by_year = len(d.weeks) > 3 * 53
    groups: dict[tuple[int, int], list[WeekRow]] = {}
    for w in d.weeks:
        key = (w.monday.year, 0 if by_year else w.monday.month)
        groups.setdefault(key, []).append(w)
    rows = []
    for (year, month), weeks in groups.items():
        counts = [w.adherence for w in weeks if w.adherence]
        taken = sum(a.taken for a in counts)
        rows.append(
            (
                str(year) if by_year else f"{date(year, month, 1):%b %Y}",
                fmt_num(_mean([w.burden for w in weeks])),
                fmt_num(_mean([w.mood for w in weeks])),
                fmt_num(_mean([w.sleep for w in weeks])),
                f"{taken} of {sum(a.scheduled for a in counts)}" if counts else "",
                str(sum(a.late for a in counts)) if counts else "",
                str(sum(a.skipped for a in counts)) if counts else "",
                str(sum(a.missed for a in counts)) if counts else "",
            )
        )
    unit = "year" if by_year else "month"
    return [
        *_mood_sleep(d, f"{unit} by {unit}"),
        Table(
            (unit.capitalize(), "Burden/day", "Mood", "Sleep (h)", "Taken", "Late", "Skipped", "Missed"),
            tuple(rows),
            (16, 12, 9, 10, 12, 8, 9, 9),
            ("l", "r", "r", "r", "r", "r", "r", "r"),
        ),
        Para(
            f"Means of the weekly means in each {unit}; mood 0 (worst) to 10 (best). Doses summed.", "small"
        ),
    ]


def _notable(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Notable events")]
    if d.crisis_days or d.low_mood_days:
        lines = []
        if d.crisis_days:
            lines.append(
                f"Thoughts of self-harm were logged on {_plural(len(d.crisis_days), 'day')} in this period "
                f"({_days_list(d.crisis_days)})."
            )
        if d.low_mood_days:
            lines.append(
                f"Mood was rated 1 or lower (out of 10) on {_plural(len(d.low_mood_days), 'day')} "
                f"({_days_list(d.low_mood_days)})."
            )
        if any(i.kind == "crisis" for i in d.attention):
            blocks.append(Para(" ".join(lines) + " See Needs attention on page 1."))
        else:
            blocks.append(Para(" ".join(lines) + " " + d.crisis_text, "alert"))
    if d.overdoses:
        lines = [f"{fmt_day(o.day)}: {o.medication}, {o.reason}." for o in d.overdoses[:8]]
        more = f" And {len(d.overdoses) - 8} more." if len(d.overdoses) > 8 else ""
        blocks.append(
            Para("Possible overdose (R12): " + " ".join(lines) + more + " " + OVERDOSE_TEXT, "alert")
        )
    items: list[str] = []
    if d.extra_doses:
        extras = d.extra_doses[:8]
        items.append(
            f"{_plural(len(d.extra_doses), 'extra dose')} logged outside the schedule: "
            + "; ".join(f"{e.medication} {fmt_mg(e.amount_mg)} on {fmt_day(e.day)}" for e in extras)
            + (" and more." if len(d.extra_doses) > 8 else ".")
        )
    for c in d.unplanned_changes:
        items.append(
            f"Dose change not in an agreed plan: {c.medication} {fmt_mg(c.change.from_mg)} to "
            f"{fmt_mg(c.change.to_mg)} per day on {fmt_day(c.change.day)} ({_KIND_WORDS[c.change.kind]})."
        )
    if d.off_prescription:
        first = d.off_prescription[:5]
        items.append(
            f"{_plural(len(d.off_prescription), 'logged dose')} differed from the prescription "
            "by more than 10%: "
            + "; ".join(
                f"{o.medication} {fmt_mg(o.amount_mg)} instead of {fmt_mg(o.prescribed_mg)} on "
                f"{fmt_day(o.day)}"
                for o in first
            )
            + (" and more." if len(d.off_prescription) > 5 else ".")
        )
    for s in d.short_half_life:
        items.append(
            f"{s.medication} has a short half-life (about {s.half_life_hours:g} h); doses were missed on "
            f"{_plural(len(s.days), 'day')} ({_days_list(s.days)}). Missed doses of short half-life "
            f"medicines can bring on withdrawal symptoms."
        )
    if items:
        blocks.append(Bullets(tuple(items)))
    if d.responses:
        blocks.extend(_responses(d))
    if not items and not d.responses and not d.crisis_days and not d.low_mood_days and not d.overdoses:
        blocks.append(Para("Nothing notable in this period."))
    return blocks


def _day_number(day: int | None, missing: str) -> str:
    return missing if day is None else f"day {day}"


def _responses(d: SummaryData) -> list[Block]:
    """Burden around each reduction as numbers (trends.change_response), never a verdict."""
    rows = []
    for r in d.responses:
        c, x = r.change, r.response
        before = "not logged" if x.mean_before is None else f"{x.mean_before:.1f} ({x.logged_before} d)"
        after = "not logged" if x.mean_after is None else f"{x.mean_after:.1f} ({x.logged_after} d)"
        peak = "" if x.peak_burden is None else f"{x.peak_burden:g} ({_day_number(x.days_to_peak, '')})"
        back = (
            "" if x.days_to_rise is None else _day_number(x.days_to_return, f"not by day {x.window_days - 1}")
        )
        rows.append(
            (
                fmt_day(c.change.day),
                f"{c.medication} {fmt_mg(c.change.from_mg)} to {fmt_mg(c.change.to_mg)}",
                before,
                after,
                _day_number(x.days_to_rise, "no rise" if x.mean_before is not None else ""),
                peak,
                back,
            )
        )
    first = d.responses[0].response
    facts = timing_facts(DoseChangeKind.REDUCTION)
    return [
        Heading("Symptom burden after each reduction", 3),
        Table(
            (
                "Date",
                "Reduction (per day)",
                "Burden before",
                "Burden after",
                "Rise",
                "Peak",
                "Back",
            ),
            tuple(rows),
            (13, 24, 15, 15, 10, 11, 12),
            ("l", "l", "r", "r", "l", "l", "l"),
        ),
        Para(
            f"Burden before and after: mean daily burden over the {first.compare_days} days before the "
            f"change "
            f"and the {first.compare_days} days from it (days logged). "
            f"Days are counted from the change (day 0). Rise: first day the burden reached "
            f"{first.threshold:g} above the mean before. Peak: highest burden within "
            f"{first.window_days} days. Back: first day the 3-day mean came within "
            f"{first.threshold / 2:g} of the mean before. {facts[0]} {facts[-1]}",
            "small",
        ),
    ]


def _mood_sleep(d: SummaryData, unit: str = "week by week") -> list[Block]:
    m = d.mood_sleep
    lines = []
    if m.mood_days:
        base = f"; baseline {fmt_num(m.mood_baseline)}" if m.mood_baseline is not None else ""
        lines.append(
            f"Mood (0-10): mean {fmt_num(m.mood_mean)} over {_plural(m.mood_days, 'day')} logged, "
            f"lowest {m.mood_lowest}{base}."
        )
    else:
        lines.append("Mood: not logged in this period.")
    if m.sleep_days:
        base = f"; baseline {fmt_num(m.sleep_baseline)} h" if m.sleep_baseline is not None else ""
        lines.append(
            f"Sleep: mean {fmt_num(m.sleep_mean)} h over {_plural(m.sleep_days, 'night')} logged, "
            f"shortest {m.sleep_shortest:g} h{base}."
        )
    else:
        lines.append("Sleep: not logged in this period.")
    return [Heading(f"Mood, sleep and doses {unit}"), Bullets(tuple(lines))]


def _notes(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Patient's notes")]
    if not d.notes:
        return [*blocks, Para("No notes in this period.")]
    notes = d.notes[-2 * LONG_TABLE :]
    blocks.append(
        Table(
            ("Date", "From", "Note"), tuple((fmt_day(n.day), n.source, n.text) for n in notes), (14, 20, 66)
        )
    )
    if len(notes) < len(d.notes):
        blocks.append(
            Para(
                f"The latest {len(notes)} of {len(d.notes)} notes in the period; the CSV export has all.",
                "small",
            )
        )
    return blocks


def _questions(d: SummaryData) -> list[Block]:
    blocks: list[Block] = [Heading("Open questions for the clinician")]
    if not d.questions:
        return [*blocks, Para("No open questions.")]
    return [*blocks, Bullets(tuple(f"{q.text} (noted {fmt_day(q.asked)})" for q in d.questions))]


def build(d: SummaryData) -> Document:
    """The whole summary, in reading order."""
    blocks: list[Block] = []
    for section in (
        _header,
        _attention,
        _in_brief,
        _medications,
        _changes,
        _plans,
        _earlier_plans,
        _charts,
        _symptoms,
        _comparisons,
        _scales,
        _adherence,
        _notable,
        _weeks,
        _notes,
        _questions,
    ):
        blocks.extend(section(d))
    return Document(TITLE, tuple(blocks))
