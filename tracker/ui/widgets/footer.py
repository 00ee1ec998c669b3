"""A footer that wraps its keys onto more lines instead of scrolling sideways.

Textual's Footer is one line that scrolls horizontally when the keys do not
fit, so at 80 columns half of them would be hidden. This one shows the same
FooterKey items packed into as many lines as the width needs (at most four),
and packs them again when the terminal is resized.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

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


class KeyFooter(Footer):
    """Footer whose keys wrap onto up to four lines."""

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

    def _items(self) -> list[tuple[Widget, int]]:
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        items: list[tuple[Widget, int]] = []
        for group, members_iter in groupby(by_action.values(), lambda m: m[0][0].group):
            members = list(members_iter)
            if group is not None and len(members) > 1:
                keys = []
                for multi in members:
                    binding, enabled, tooltip = multi[0]
                    keys.append(
                        FooterKey(
                            binding.key,
                            self.app.get_key_display(binding),
                            "",
                            binding.action,
                            disabled=not enabled,
                            tooltip=tooltip or binding.description,
                            classes="-grouped",
                        )
                    )
                width = sum(len(k.key_display) + 1 for k in keys) + len(group.description)
                items.append((KeyCell(*keys, FooterLabel(group.description)), width))
            else:
                for multi in members:
                    binding, enabled, tooltip = multi[0]
                    display = self.app.get_key_display(binding)
                    key = FooterKey(
                        binding.key,
                        display,
                        binding.description,
                        binding.action,
                        disabled=not enabled,
                        tooltip=tooltip,
                    ).data_bind(compact=Footer.compact)
                    items.append((key, len(display) + 1 + len(binding.description)))
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            entry = active.get(self.app.COMMAND_PALETTE_BINDING)
            if entry is not None:
                _node, binding, enabled, tooltip = entry
                display = self.app.get_key_display(binding)
                key = FooterKey(
                    binding.key,
                    display,
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )
                items.append((key, len(display) + 1 + len(binding.description)))
        return items

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        items = self._items()
        width = self.size.width or self.app.size.width
        self._packed_for = width
        for row in pack_rows([w for _item, w in items], width):
            yield KeyRow(*(items[i][0] for i in row))

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._packed_for:
            self.call_after_refresh(self.recompose)
