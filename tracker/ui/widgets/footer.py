"""A footer that wraps its keys onto more lines instead of scrolling sideways.

Textual's Footer is one line that scrolls horizontally when the keys do not
fit, so at 80 columns half of them would be hidden. This one shows the same
FooterKey items packed into as many lines as the width needs (at most four),
and packs them again when the terminal is resized.

Keys are made only when the keys shown change: each FooterKey is a widget, and
making thirty of them again on every focus change or reload costs tens of
milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, NamedTuple

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

if TYPE_CHECKING:
    from textual.screen import Screen

GUTTER = 2


def pack_rows(widths: Sequence[int], available: int, gutter: int = GUTTER) -> list[list[int]]:
    """Indexes of items per line, filling each line left to right before starting the next."""
    rows: list[list[int]] = []
    used = 0
    for index, width in enumerate(widths):
        if rows and used + gutter + width <= available:
            rows[-1].append(index)
            used += gutter + width
        else:
            rows.append([index])
            used = width
    return rows


class KeyCell(HorizontalGroup):
    """A group of keys and its label, kept together on one line."""

    DEFAULT_CSS = """
    KeyCell { width: auto; height: 1; }
    KeyCell FooterKey.-grouped { margin: 0 1 0 0; }
    KeyCell FooterLabel { margin: 0; }
    """


class KeyRow(HorizontalGroup):
    DEFAULT_CSS = f"""
    KeyRow {{ height: 1; width: 100%; }}
    KeyRow > * {{ margin-right: {GUTTER}; }}
    """


class KeySpec(NamedTuple):
    """One key as the footer shows it, before any widget is made for it.

    (Named tuples rather than dataclasses: this module is imported before the first
    paint, and a named tuple class is several times quicker to create.)
    """

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    classes: str = ""


class ItemSpec(NamedTuple):
    """A footer item: one key, or a group of keys sharing a label (``label`` set)."""

    keys: tuple[KeySpec, ...]
    label: str | None = None

    @property
    def width(self) -> int:
        if self.label is not None:
            return sum(len(k.display) + 1 for k in self.keys) + len(self.label)
        key = self.keys[0]
        return len(key.display) + 1 + len(key.description)

    @property
    def shape(self) -> tuple[object, ...]:
        """Everything but whether each key is enabled: equal shapes need no new widgets."""
        return (self.label, tuple(k._replace(enabled=True) for k in self.keys))


class KeyFooter(Footer):
    """Footer whose keys wrap onto up to four lines.

    Textual's footer makes all its keys again whenever the bindings change (each focus
    change, each ``refresh_bindings``). This one makes them again only when the keys
    shown or the width change; when only whether keys are enabled changed (a screen
    that has just loaded its data), it updates the keys it has in place.
    """

    DEFAULT_CSS = """
    KeyFooter {
        layout: vertical;
        height: auto;
        max-height: 4;
    }
    KeyFooter.-compact FooterKey, KeyFooter.-compact KeyCell { margin: 0; }
    KeyFooter.-compact KeyRow > * { margin-right: 2; }
    KeyFooter.-compact KeyCell FooterKey.-grouped { margin: 0 1 0 0; }
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._packed_for = 0
        self._shown: list[ItemSpec] = []

    def _specs(self) -> list[ItemSpec]:
        """The items the bindings of the screen call for now, as plain values."""
        active = self.screen.active_bindings
        display = self.app.get_key_display
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        items: list[ItemSpec] = []
        for group, members_iter in groupby(by_action.values(), lambda m: m[0][0].group):
            members = [multi[0] for multi in members_iter]
            if group is not None and len(members) > 1:
                keys = tuple(
                    KeySpec(b.key, display(b), "", b.action, on, tip or b.description, "-grouped -compact")
                    for b, on, tip in members
                )
                items.append(ItemSpec(keys, group.description))
            else:
                for b, on, tip in members:
                    key = KeySpec(b.key, display(b), b.description, b.action, on, tip, "-compact")
                    items.append(ItemSpec((key,)))
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            entry = active.get(self.app.COMMAND_PALETTE_BINDING)
            if entry is not None:
                _node, b, enabled, _tooltip = entry
                tooltip = b.tooltip or b.description
                key = KeySpec(b.key, display(b), b.description, b.action, enabled, tooltip, "-compact")
                items.append(ItemSpec((key,)))
        return items

    @staticmethod
    def _key(spec: KeySpec) -> FooterKey:
        # "-compact" is given up front: FooterKey's compact watcher would otherwise add it
        # after mounting, restyling every key once more
        return FooterKey(
            spec.key,
            spec.display,
            spec.description,
            spec.action,
            disabled=not spec.enabled,
            tooltip=spec.tooltip,
            classes=spec.classes,
        )

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        items = self._specs()
        width = self.size.width or self.app.size.width
        self._packed_for, self._shown = width, items
        widgets: list[Widget] = [
            KeyCell(*map(self._key, item.keys), FooterLabel(item.label))
            if item.label is not None
            else self._key(item.keys[0])
            for item in items
        ]
        for row in pack_rows([item.width for item in items], width):
            yield KeyRow(*(widgets[i] for i in row))

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        """Make the keys again if the ones shown changed; else only mark which are enabled."""
        if not self.is_attached:
            return
        items = self._specs()
        width = self.size.width or self.app.size.width
        keys = list(self.query(FooterKey))
        specs = [k for item in items for k in item.keys]
        same = (
            width == self._packed_for
            and [i.shape for i in items] == [i.shape for i in self._shown]
            and len(keys) == len(specs)
        )
        if not same:
            await self.recompose()
            return
        self._shown = items
        for widget, spec in zip(keys, specs, strict=True):
            if widget._disabled == spec.enabled:  # FooterKey keeps this in a private field
                widget._disabled = not spec.enabled
                widget.set_class(not spec.enabled, "-disabled")

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._packed_for:
            self.call_after_refresh(self.recompose)
