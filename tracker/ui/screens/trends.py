"""Trends screen (placeholder until it is built)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from tracker.ui.base import DbScreen


class TrendsScreen(DbScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Trends")
        yield Footer()
