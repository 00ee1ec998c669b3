"""Local wall-clock time and UTC instants, following DOMAIN.md's rules.

A dose schedule is local wall-clock time, once per local day. On the
spring-forward day a time that does not exist moves to the first valid minute
after the gap; on the fall-back day an ambiguous time means its first
occurrence. Everything stored is UTC; everything shown is local.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "UTC",
    "as_utc",
    "complete_zone",
    "day_bounds_utc",
    "local_day",
    "local_to_utc",
    "parse_zone",
    "utc_now",
]


def utc_now() -> datetime:
    """The current instant, aware, in UTC. The only clock read the domain offers."""
    return datetime.now(UTC)


def zone_suggestions(text: str, limit: int = 3) -> list[str]:
    """IANA names whose city matches ``text`` (``london`` -> Europe/London; ``new york`` ->
    America/New_York), else the closest spellings."""
    import difflib
    from zoneinfo import available_timezones

    wanted = text.strip().lower().replace(" ", "_")
    if not wanted:
        return []
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    by_city: dict[str, list[str]] = {}
    for zone in zones:
        by_city.setdefault(zone.rsplit("/", 1)[1].lower(), []).append(zone)
    exact = by_city.get(wanted, []) + [z for z in zones if z.lower() == wanted]
    if exact:
        return sorted(set(exact))[:limit]
    cities = difflib.get_close_matches(wanted, list(by_city), n=limit, cutoff=0.75)
    return [by_city[c][0] for c in cities]


# The regions of the IANA names a city belongs to; the others (US/Eastern, GB, Etc/GMT+5...) are
# old aliases or offsets, still accepted when typed in full but never offered as completions.
_REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
    "Pacific",
)  # fmt: skip


@functools.lru_cache(maxsize=1)
def _city_zones() -> tuple[tuple[str, str], ...]:
    """``(city key, zone)`` of every city zone, shortest city first, then alphabetical."""
    from zoneinfo import available_timezones

    zones = [z for z in available_timezones() if z.split("/", 1)[0] in _REGIONS and "/" in z]
    pairs = [(z.rsplit("/", 1)[1].casefold(), z) for z in zones] + [("utc", "UTC")]
    return tuple(sorted(pairs, key=lambda cz: (len(cz[0]), cz)))


def complete_zone(prefix: str) -> str | None:
    """The IANA zone whose city (or whole name) begins with ``prefix``, for completing as typed.

    Case does not matter and spaces stand for underscores: ``lond`` -> Europe/London, ``new y``
    -> America/New_York, ``europe/pa`` -> Europe/Paris. A city named in full comes first, then
    the shortest city that begins so (``par`` is Paris, not Paramaribo). None when nothing fits.
    """
    wanted = "_".join(prefix.split()).casefold()
    if not wanted:
        return None
    cities = _city_zones()
    for city, zone in cities:
        if city == wanted or zone.casefold() == wanted:
            return zone
    for city, zone in cities:
        if city.startswith(wanted) or zone.casefold().startswith(wanted):
            return zone
    return None


def parse_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or whose city it names (``london``); ValueError saying
    which zones were meant otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    found = zone_suggestions(name)
    wanted = name.strip().lower().replace(" ", "_")
    exact = [z for z in found if z.rsplit("/", 1)[-1].lower() == wanted or z.lower() == wanted]
    if len(exact) == 1:
        return ZoneInfo(exact[0])
    hint = f"did you mean {' or '.join(found)}?" if found else "use an IANA name such as Europe/London"
    raise ValueError(f"unknown time zone {name!r} ({hint})")


def as_utc(moment: datetime) -> datetime:
    """Return an aware ``moment`` in UTC; a naive one is refused."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone; attach one first")
    return moment.astimezone(UTC)


def _exists(local: datetime, tz: ZoneInfo) -> bool:
    """True when the wall-clock ``local`` (naive) exists in ``tz``."""
    aware = local.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return round_trip == local


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on local ``day`` in ``tz``.

    A time inside a spring-forward gap moves to the first valid minute after
    the gap; an ambiguous fall-back time means its first occurrence (fold=0).
    """
    if at.tzinfo is not None or at.fold:
        at = at.replace(tzinfo=None, fold=0)
    # Fast path (every slot of decades comes through here): one conversion, kept when the
    # wall clock survives the round trip (what ``_exists`` checks; two datetimes sharing a
    # tzinfo compare by wall clock).
    aware = datetime.combine(day, at, tzinfo=tz)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz) == aware:
        return instant
    local = datetime.combine(day, at)
    if not _exists(local, tz):
        probe = local.replace(second=0, microsecond=0)
        for _ in range(24 * 60):  # gaps are at most a few hours; bounded anyway
            probe += timedelta(minutes=1)
            if _exists(probe, tz):
                local = probe
                break
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar day of an aware instant."""
    return as_utc(moment).astimezone(tz).date()


def day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of local ``day`` as UTC instants (23 or 25 hours on DST days)."""
    start = local_to_utc(day, time(0, 0), tz)
    end = local_to_utc(day + timedelta(days=1), time(0, 0), tz)
    return start, end
