"""timeutil.complete_zone: the IANA zone a city name (or a zone's name) being typed begins.

Expected zones are hand-listed from the IANA database's names (tzdata): the city is the part
after the last "/", with underscores for spaces.
"""

from __future__ import annotations

import pytest

from tracker.domain.timeutil import complete_zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("lond", "Europe/London"),
        ("London", "Europe/London"),
        ("  london ", "Europe/London"),
        ("new y", "America/New_York"),  # a space stands for the underscore
        ("NEW_YORK", "America/New_York"),
        ("los a", "America/Los_Angeles"),
        ("tok", "Asia/Tokyo"),
        ("kolk", "Asia/Kolkata"),
        ("buenos", "America/Argentina/Buenos_Aires"),  # the city of a three-part name
        ("par", "Europe/Paris"),  # the shortest city first: not America/Paramaribo
        ("sao p", "America/Sao_Paulo"),
        ("europe/pa", "Europe/Paris"),  # the start of a whole name
        ("America/New", "America/New_York"),
        ("ut", "UTC"),
    ],
)
def test_completes_city_and_zone_names(typed: str, zone: str) -> None:
    assert complete_zone(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "xyzzy", "Mars/Olympus", "lond0n"])
def test_nothing_fits(typed: str) -> None:
    assert complete_zone(typed) is None


def test_old_aliases_are_not_offered() -> None:
    # US/Eastern and GB are valid names but links kept for old systems; a city gives the real zone
    assert complete_zone("US/Eas") is None
    assert complete_zone("GB") is None
