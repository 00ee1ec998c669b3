"""A footer that wraps its keys onto more lines instead of scrolling sideways.

Textual's Footer is one line that scrolls horizontally when the keys do not
fit, so at 80 columns half of them would be hidden. This one packs the keys
into as many lines as the width needs (at most four), and packs them again
when the terminal is resized.

Each line is one widget that draws its keys in Textual's footer-key styles
(a widget per key cost every screen's first frame about 10 ms), and lines are
made again only when the keys shown change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer

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


class KeyLine(Widget):
    """One line of footer keys, drawn as a single widget.

    Textual's footer makes a widget per key; with twenty-odd keys on every screen that was
    a third of the cost of Today's first frame. A line draws its keys itself, in the
    footer-key styles, and finds the key under the mouse from the same widths it packed.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
    }
    DEFAULT_CSS = """
    KeyLine {
        height: 1;
        width: 100%;
        text-wrap: nowrap;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, items: Sequence[ItemSpec]) -> None:
        super().__init__()
        self.items = list(items)
        self._hover: int | None = None

    def key_spans(self) -> list[tuple[int, int, int, KeySpec]]:
        """``(start, end, item index, key)`` of every key on the line, in cells."""
        spans: list[tuple[int, int, int, KeySpec]] = []
        x = 0
        for index, item in enumerate(self.items):
            if index:
                x += GUTTER
            if item.label is not None:
                for key in item.keys:
                    spans.append((x, x + len(key.display), index, key))
                    x += len(key.display) + 1
                x += len(item.label)
            else:
                key = item.keys[0]
                spans.append((x, x + item.width, index, key))  # the description clicks too
                x += item.width
        return spans

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        hover_style = self.get_component_rich_style("footer-key--hover")
        dim = Style(dim=True)
        text = Text(no_wrap=True, end="")
        for index, item in enumerate(self.items):
            if index:
                text.append(" " * GUTTER)
            extra = hover_style if index == self._hover else Style()
            if item.label is not None:
                for key in item.keys:
                    text.append(key.display, key_style + extra + (Style() if key.enabled else dim))
                    text.append(" ", extra)
                enabled = any(k.enabled for k in item.keys)
                text.append(item.label, description_style + extra + (Style() if enabled else dim))
            else:
                key = item.keys[0]
                off = Style() if key.enabled else dim
                text.append(key.display, key_style + extra + off)
                text.append(" " + key.description, description_style + extra + off)
        return text

    def _key_at(self, x: int) -> tuple[int, KeySpec] | None:
        for start, end, index, key in self.key_spans():
            if start <= x < end:
                return index, key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        found = self._key_at(event.x)
        hover = found[0] if found else None
        if hover != self._hover:
            self._hover = hover
            self.tooltip = found[1].tooltip or None if found else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        found = self._key_at(event.x)
        if found is None:
            return
        key = found[1]
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()


class KeyFooter(Footer):
    """Footer whose keys wrap onto up to four lines, a widget per line.

    Textual's footer makes all its keys again whenever the bindings change (each focus
    change, each ``refresh_bindings``). This one makes its lines again only when the keys
    shown or the width change; when only whether keys are enabled changed (a screen that
    has just loaded its data), it redraws the lines it has.
    """

    DEFAULT_CSS = """
    KeyFooter {
        layout: vertical;
        height: auto;
        max-height: 4;
    }
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
                    KeySpec(b.key, display(b), "", b.action, on, tip or b.description)
                    for b, on, tip in members
                )
                items.append(ItemSpec(keys, group.description))
            else:
                for b, on, tip in members:
                    items.append(ItemSpec((KeySpec(b.key, display(b), b.description, b.action, on, tip),)))
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            entry = active.get(self.app.COMMAND_PALETTE_BINDING)
            if entry is not None:
                _node, b, enabled, _tooltip = entry
                tooltip = b.tooltip or b.description
                items.append(
                    ItemSpec((KeySpec(b.key, display(b), b.description, b.action, enabled, tooltip),))
                )
        return items

    def shown_keys(self) -> list[tuple[int, int, KeySpec]]:
        """``(line, column, key)`` of every key shown, for tests and the help screen."""
        return [
            (row, start, key)
            for row, line in enumerate(self.query(KeyLine))
            for start, _end, _index, key in line.key_spans()
        ]

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        items = self._specs()
        width = self.size.width or self.app.size.width
        self._packed_for, self._shown = width, items
        for row in pack_rows([item.width for item in items], width):
            yield KeyLine([items[i] for i in row])

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        """Make the lines again if the keys shown changed; else only redraw which are enabled."""
        if not self.is_attached:
            return
        items = self._specs()
        width = self.size.width or self.app.size.width
        if width != self._packed_for or [i.shape for i in items] != [i.shape for i in self._shown]:
            await self.recompose()
            return
        self._shown = items
        position = 0
        for line in self.query(KeyLine):
            count = len(line.items)
            fresh = items[position : position + count]
            position += count
            if fresh != line.items:
                line.items = fresh
                line.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._packed_for:
            self.call_after_refresh(self.recompose)
