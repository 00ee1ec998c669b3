"""What Today shows for one day, read in a worker as plain values, and small helpers.

``load_day`` runs inside a thread worker (it calls the services); the rest is
pure. No ORM object leaves this module: the screen gets a frozen ``DayData``.
Its reads take ``Reads``: a session inside a write, or a plain connection for the
first paint, which then never imports the ORM.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain.errors import TrackerError
from tracker.ui.widgets.rows import DoseRow, ReminderRow, SymptomRow, sort_reminders

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from tracker.store import Reads

_SEQ = itertools.count(1)  # orders results that may arrive out of order from threads
SPARK_DAYS = 14
WEEK_DAYS = 7


class WeekDay(NamedTuple):
    """One line of the week table shown on wide screens (None: not logged)."""

    day: date
    taken: int
    scheduled: int
    burden: int | None
    mood: int | None
    sleep_hours: float | None


class DayData(NamedTuple):
    """Everything Today shows for one local day, as plain values."""

    seq: int
    day: date
    today: date
    tz: ZoneInfo
    doses: tuple[DoseRow, ...] = ()
    symptoms: tuple[SymptomRow, ...] = ()
    recent_ids: tuple[int, ...] = ()
    mood: int | None = None
    sleep_hours: float | None = None
    note: str | None = None
    is_baseline: bool = False
    has_baseline: bool = False
    burden: int | None = None
    reminders: tuple[ReminderRow, ...] = ()
    burden_spark: str = ""
    mood_spark: str = ""
    medications: tuple[tuple[int, str], ...] = ()
    week: tuple[WeekDay, ...] = ()  # the shown day first, then the six before it
    taper: tuple[str, ...] = ()  # where each running taper plan stands on the day
    scales: tuple[str, ...] = ()  # PHQ-9 / GAD-7 filled in for the day: "PHQ-9 10 moderate"
    scales_due: bool = False  # the every-2-weeks check-in is offered (Settings)


def load_day(session: Reads, day: date | None, now: datetime) -> DayData:
    """Read one day for Today (``day`` None: today in the user's zone; never later than today).

    A fixed number of set-based queries, however much history there is: the day, its
    week of slots and its fortnight of check-ins and burden come from one
    ``day_window`` read; medications and symptoms are listed once.
    """
    # light modules only (plain SQL on Reads): a plain connection never imports the ORM here
    from tracker.domain.scales import SCALES, band_for
    from tracker.domain.timeutil import local_day
    from tracker.domain.trends import spark_text
    from tracker.queries import checkins, meds, symptoms
    from tracker.queries import scales as scale_queries
    from tracker.services import reminders_service, settings, taper_status
    from tracker.services.day import day_window

    tz = settings.user_zone(session=session)
    today = local_day(now, tz)
    day = min(day or today, today)
    all_meds = meds.list_medications(session=session, include_archived=True)
    window = day_window(
        session=session,
        day=day,
        days=SPARK_DAYS,
        slot_days=WEEK_DAYS,
        now=now,
        tz=tz,
        medications=[m for m in all_meds if not m.archived],
    )
    summary = window.summary
    names = {m.id: m.name for m in all_meds}
    doses = [
        DoseRow(
            medication_id=s.medication_id,
            medication_name=s.medication_name,
            dose_mg=s.dose_mg,
            status=s.status,
            local_time=s.local_time,
            scheduled_for=s.scheduled_for,
            event_id=s.event_id,
            taken_local=aware(s.taken_at).astimezone(tz).time() if s.taken_at else None,
            amount_mg=s.amount_mg,
        )
        for s in summary.slots
    ]
    doses += [
        DoseRow(
            medication_id=e.medication_id,
            medication_name=names.get(e.medication_id, "?"),
            dose_mg=e.amount_mg,
            status="extra",
            event_id=e.id,
            taken_local=aware(e.taken_at).astimezone(tz).time() if e.taken_at else None,
            amount_mg=e.amount_mg,
        )
        for e in summary.extras
    ]
    entries = {e.symptom_id: e for e in summary.entries}
    rows = tuple(
        SymptomRow(
            symptom_id=s.id,
            name=s.name,
            group=s.group,
            severity=entries[s.id].severity if s.id in entries else None,
            comparison=entries[s.id].comparison if s.id in entries else None,
            is_crisis=s.is_crisis,
        )
        for s in symptoms.list_symptoms(session=session)
    )
    first = day - timedelta(days=SPARK_DAYS - 1)
    days = [first + timedelta(days=offset) for offset in range(SPARK_DAYS)]
    burden, day_checkins = window.burden, window.checkins
    moods = [float(c.mood) if c and c.mood is not None else None for c in map(day_checkins.get, days)]
    week = []
    for d in days[-WEEK_DAYS:]:
        slots = window.slots[d]
        c = day_checkins.get(d)
        week.append(
            WeekDay(
                day=d,
                taken=sum(s.status == "taken" for s in slots),
                scheduled=len(slots),
                burden=burden.get(d),
                mood=c.mood if c else None,
                sleep_hours=c.sleep_hours if c else None,
            )
        )
    burdens: list[float | None] = [float(burden[d]) if d in burden else None for d in days]
    checkin = summary.checkin
    reminders = [
        ReminderRow(
            severity=str(getattr(r, "severity", "info")),
            message=str(getattr(r, "message", r)),
            why=str(getattr(r, "why", "")),
            rule=str(getattr(r, "rule", "")),
            key=str(getattr(r, "key", "")),
            action=str(getattr(r, "action", "")),
        )
        for r in reminders_service.active_reminders(session=session, now=now, tz=tz)
    ]
    return DayData(
        seq=next(_SEQ),
        day=day,
        today=today,
        tz=tz,
        doses=tuple(doses),
        symptoms=rows,
        # recent up to the day before, so rating a symptom today never moves it in the list
        recent_ids=tuple(symptoms.recent_symptom_ids(session=session, before=day - timedelta(days=1))),
        mood=checkin.mood if checkin else None,
        sleep_hours=checkin.sleep_hours if checkin else None,
        note=checkin.note if checkin else None,
        is_baseline=bool(checkin and checkin.is_baseline),
        has_baseline=bool(checkins.baseline_days(session=session)),
        burden=summary.burden,
        reminders=tuple(sort_reminders(reminders)),
        burden_spark=spark_text(burdens, 0, max([6.0, *(b for b in burdens if b is not None)])),
        mood_spark=spark_text(moods, 0, 10),
        medications=tuple((m.id, m.name) for m in all_meds if not m.archived),
        week=tuple(reversed(week)),
        taper=tuple(c.line() for c in taper_status.current_steps(session=session, day=day)),
        scales=tuple(
            f"{SCALES[r.scale].name} {r.total} {band_for(SCALES[r.scale], r.total).label}"
            for r in scale_queries.responses_between(session=session, first=day, last=day)
            if r.scale in SCALES
        ),
        scales_due=scale_queries.checkin_offered(
            session=session,
            mode=str(settings.get_setting(session=session, key="scale_checkin")),
            today=today,
        ),
    )


def aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; they are stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_title(day: date, today: date) -> str:
    """``Saturday 28 November 2026 · today`` or ``... · 3 days ago``."""
    label = f"{day:%A} {day.day} {day:%B %Y}"
    delta = (today - day).days
    if delta == 0:
        return f"{label} · today"
    if delta == 1:
        return f"{label} · yesterday (filling in a past day)"
    return f"{label} · {delta} days ago (filling in a past day)"


def week_lines(data: DayData) -> list[str]:
    """The week table: one line per day, the day shown marked, ``–`` for not logged."""

    def cell(value: object, width: int) -> str:
        return ("–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)).rjust(
            width
        )

    lines = [f"{'Last 7 days':<14}{'doses':>7}{'burden':>8}{'mood':>6}{'sleep':>7}"]
    for w in data.week:
        doses = f"{w.taken}/{w.scheduled}" if w.scheduled else "–"
        mark = "▸" if w.day == data.day else " "
        label = f"{mark} {w.day:%a} {w.day.day} {w.day:%b}"
        lines.append(f"{label:<14}{doses:>7}{cell(w.burden, 8)}{cell(w.mood, 6)}{cell(w.sleep_hours, 7)}")
    return lines


def local_hm(moment: datetime, data: DayData) -> str:
    """``08:10``, or ``08:10 on Sat 28 Nov`` when not on today."""
    local = aware(moment).astimezone(data.tz)
    suffix = "" if local.date() == data.today else f" on {local:%a} {local.day} {local:%b}"
    return local.strftime("%H:%M") + suffix


def dose_label(row: DoseRow) -> str:
    """``Sertraline 08:00`` (or ``Sertraline extra``) for messages."""
    when = row.local_time.strftime("%H:%M") if row.local_time else "extra"
    return f"{row.medication_name} {when}"


def parse_dose_time(text: str, *, day: date, now: datetime, tz: ZoneInfo) -> datetime:
    """A time typed for a dose, in UTC: a bare ``08:10`` belongs to the day shown, not to today.

    Anything else (``yesterday 20:00``, ``2026-11-27 08:10``) goes to ``parse_when``.
    ``yesterday 20:00`` and ``today 08:00`` count from the day shown.
    A time in the future is refused: a dose is logged after it is taken.
    """
    from tracker.domain.timeutil import local_to_utc
    from tracker.domain.units import FUTURE_TOLERANCE, parse_day, parse_time_of_day, parse_when

    raw = text.strip().lower()
    parts = raw.split()
    if raw and raw[0].isdigit() and " " not in raw and "-" not in raw:
        moment = local_to_utc(day, parse_time_of_day(raw), tz)
    elif len(parts) == 2 and parts[0] in ("yesterday", "today"):
        # words count from the day on screen: "yesterday" on 1 October is 30 September
        moment = local_to_utc(parse_day(parts[0], today=day), parse_time_of_day(parts[1]), tz)
    else:
        return parse_when(text, now=now, tz=tz)
    if moment > now + FUTURE_TOLERANCE:
        raise TrackerError(f"time {text!r} is in the future")
    return moment
