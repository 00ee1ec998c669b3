"""The README's screenshot is Textual's own SVG of Today, and the README shows it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_shows_the_today_screenshot_made_by_textual() -> None:
    svg = ROOT / "docs" / "today.svg"
    assert "](docs/today.svg)" in (ROOT / "README.md").read_text()
    text = svg.read_text()
    assert text.startswith("<svg") and "Generated with Rich" in text
    assert "Sertraline" in text and "Taper" in text  # Today on the demo data


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```sh\n")[1:]
    commands = [b.split("```", 1)[0].strip() for b in blocks]
    assert len(commands) == 2
    assert commands[0].endswith("tracker demo")
    assert "pytest" in commands[1] and '".[test]"' in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci  # CI runs the README's test command, as written
