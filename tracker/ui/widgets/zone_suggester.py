"""Time zones by city name, completed as they are typed.

``ZoneSuggester`` offers the IANA zone that ``tracker.domain.timeutil.complete_zone`` finds for
what is typed. Textual's Input draws a suggestion as the rest of the typed text, so a whole name
being typed (``Europe/Lo``) shows ``ndon`` to come; a city (``lond``) is not the start of its
zone's name, so the suggestion reads ``lond → Europe/London``. ``ZoneInput`` is an Input that
takes the zone itself when the suggestion is accepted, with Right (as any Input) or Tab; Tab
with nothing to accept moves on, as everywhere else.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester
from textual.widgets import Input

from tracker.domain.timeutil import complete_zone

ARROW = " → "


class ZoneSuggester(Suggester):
    """Suggest the IANA zone of a city name or of the start of a zone's name."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=False)

    async def get_suggestion(self, value: str) -> str | None:
        zone = complete_zone(value)
        if zone is None or zone.casefold() == value.casefold():
            return None
        if zone.casefold().startswith(value.casefold()):
            return zone
        return f"{value}{ARROW}{zone}"


def suggested_zone(suggestion: str) -> str:
    """The zone a suggestion names (``lond → Europe/London`` -> ``Europe/London``)."""
    return suggestion.rsplit(ARROW, 1)[-1]


class ZoneInput(Input):
    """An Input for a time zone: suggests as typed; Right or Tab accepts the zone."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "accept_zone", "Accept zone", show=False, id="zone-accept"),
    ]

    def __init__(
        self, *, placeholder: str = "", compact: bool = False, disabled: bool = False, id: str | None = None
    ) -> None:
        super().__init__(
            placeholder=placeholder, compact=compact, disabled=disabled, id=id, suggester=ZoneSuggester()
        )

    def _accept(self) -> bool:
        if not (self.cursor_at_end and self._suggestion):
            return False
        self.value = suggested_zone(self._suggestion)
        self.cursor_position = len(self.value)
        return True

    def action_cursor_right(self, select: bool = False) -> None:
        if select or not self._accept():
            super().action_cursor_right(select)

    def action_accept_zone(self) -> None:
        if not self._accept():
            self.screen.focus_next()
