"""Command palette entries made from the key bindings, so every keyed action is also a command.

The provider walks the app, the screen the palette was opened from and that
screen's own widgets, and offers each shown binding whose action is available
now. Screens built later get their commands for free: a Binding with a
description (and a tooltip for the longer title) is all it takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


@dataclass(frozen=True, slots=True)
class BoundCommand:
    """One palette entry: the binding and the node whose action it runs."""

    title: str
    help: str
    action: str
    node: DOMNode


def parse_action(action: str) -> tuple[str, tuple[object, ...]]:
    from textual.actions import ActionError, parse

    try:
        _namespace, name, params = parse(action)
    except ActionError:
        return action, ()
    return name, params


def _where(node: DOMNode) -> str:
    """``everywhere`` for the app's keys, else the screen's name (``Today``)."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widget import Widget

    if isinstance(node, App):
        return "everywhere"
    screen = node if isinstance(node, Screen) else node.screen if isinstance(node, Widget) else None
    name = type(screen).__name__ if screen is not None else type(node).__name__
    return name.removesuffix("Screen") or name


def _ours(node: DOMNode) -> bool:
    return type(node).__module__.startswith("tracker.")


def bound_commands(nodes: list[DOMNode], key_display: object) -> Iterator[BoundCommand]:
    """Commands from the shown bindings of ``nodes`` (first node wins for a repeated action)."""
    seen: set[tuple[int, str]] = set()
    for node in nodes:
        for key, binding in node._bindings:
            del key
            if not isinstance(binding, Binding) or not binding.show or not binding.description:
                continue
            if (id(node), binding.action) in seen:
                continue
            seen.add((id(node), binding.action))
            name, params = parse_action(binding.action)
            if node.check_action(name, params) is not True:
                continue
            display = key_display(binding) if callable(key_display) else binding.key
            title = binding.tooltip or binding.description
            where = _where(node)
            yield BoundCommand(title, f"key {display} · {where}", binding.action, node)


@dataclass(frozen=True, slots=True)
class ElsewhereCommand:
    """A key of another screen: the palette goes to that screen, then runs it there."""

    title: str
    help: str
    action: str
    mode: str


def elsewhere_commands(current: str, key_display: object) -> Iterator[ElsewhereCommand]:
    """The shown keys of every other screen of the app (each screen's own, not the app's)."""
    import importlib

    from tracker.ui.modes import SCREENS

    for mode, (module, name) in SCREENS.items():
        if mode == current:
            continue
        klass = getattr(importlib.import_module(f"tracker.ui.screens.{module}"), name)
        where = name.removesuffix("Screen")
        seen: set[str] = set()
        for binding in getattr(klass, "BINDINGS", ()):
            if not isinstance(binding, Binding) or not binding.show or not binding.description:
                continue
            if binding.action in seen:
                continue
            seen.add(binding.action)
            display = key_display(binding) if callable(key_display) else binding.key
            title = f"{where}: {binding.tooltip or binding.description}"
            yield ElsewhereCommand(title, f"key {display} on {where}", binding.action, mode)


class BindingCommands(Provider):
    """Palette entries for the keys of the current screen and of the app, then every other
    screen's keys (the palette shows that screen first): "export" finds the summary export
    from anywhere."""

    def _commands(self) -> list[BoundCommand]:
        screen = self.screen
        widgets = [w for w in screen.query("*") if _ours(w) and w._bindings]
        nodes: list[DOMNode] = [*widgets, screen, self.app]
        return list(bound_commands(nodes, self.app.get_key_display))

    def _elsewhere(self) -> list[ElsewhereCommand]:
        if getattr(self.screen, "BLOCKS_MODES", False):
            return []  # the welcome screen comes first
        mode = getattr(self.app, "current_mode", "")
        return list(elsewhere_commands(mode, self.app.get_key_display))

    async def _go_and_run(self, command: ElsewhereCommand) -> None:
        await self.app.switch_mode(command.mode)
        screen = self.app.screen
        self.app.call_after_refresh(lambda: self.app.run_action(command.action, screen))

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, partial(self._run, command), help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.title), partial(self._run, command), help=command.help
                )
        for other in self._elsewhere():
            score = matcher.match(other.title)
            if score > 0:
                yield Hit(
                    score * 0.9,  # the screen shown comes first
                    matcher.highlight(other.title),
                    partial(self._go_and_run, other),
                    help=other.help,
                )

    async def _run(self, command: BoundCommand) -> None:
        await self.app.run_action(command.action, command.node)
