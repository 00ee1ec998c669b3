"""Placeholder until the terminal UI lands."""

from __future__ import annotations

from pathlib import Path


def run_app(db_path: Path, *, create_dir: bool = False) -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class TrackerApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static(f"taper-tracker\n\nDatabase: {db_path}")
            yield Footer()

    TrackerApp().run()
    return 0
