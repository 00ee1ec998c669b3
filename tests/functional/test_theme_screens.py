"""Every screen, in every theme the app offers, measured cell by cell as Textual draws it.

Where tests/unit/test_theme_contrast.py measures the theme variables, this one runs the app
(Pilot, 100x30), visits each screen and reads the compositor's rendered segments, the same
segments App.export_screenshot turns into a picture: each character's real foreground and
background after Textual's filters (dim and ANSI colours resolved), reverse video swapped.
Text needs WCAG AA 4.5:1 (tests/helpers/contrast.py). Box and block characters (borders, bars,
scrollbars, sparklines) are graphics: 3:1 when they are drawn to be seen (WCAG 1.4.11); a
graphic drawn in its own background colour (a border Textual keeps invisible) shows nothing.
Exempt, as WCAG 1.4.3 allows: inactive controls (the footer keys shown as not available here,
a disabled input) and the faded screen behind a modal. ANSI themes are drawn through the
palettes Textual assumes for them. Measured too: toasts, a form dialog, the command palette, and (Trends) the
chart lines, legends and heat map.

The dataset is tests/functional/screens_conftest.py's, plus today's 08:00 dose taken, so the
highlighted first row of Today is "✓ taken" (the issue measured it at 1.9:1 in textual-dark).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from helpers.contrast import GRAPHIC_AA, TEXT_AA, contrast, dim, palette_for
from helpers.pilot import settle
from rich.color import Color as RichColor
from rich.segment import Segment
from screens_conftest import NOW, make_app, with_db
from textual.color import Color

from tracker.ui.themes import OUR_THEMES

SCREENS = ("t", "m", "p", "h", "r", "c", "s", "question_mark")


def _rgb(colour: RichColor | None, theme: Any, *, foreground: bool) -> Color:
    palette = palette_for(theme)
    if colour is None or colour.is_default:
        triplet = palette.foreground_color if foreground else palette.background_color
    else:
        triplet = colour.get_truecolor(palette, foreground=foreground)
    return Color(triplet.red, triplet.green, triplet.blue)


def _graphic(text: str) -> bool:
    """Box drawing, blocks, braille and the like: shapes, not words (WCAG 1.4.11's graphics)."""
    return all(0x2500 <= ord(ch) <= 0x259F or 0x2800 <= ord(ch) <= 0x28FF or ch.isspace() for ch in text)


def _inactive_cells(app: Any) -> set[tuple[int, int]]:
    """Screen cells of the footer's keys shown as not available (drawn dim, as KeyLine.render does)."""
    from tracker.ui.widgets.footer import GUTTER, KeyLine

    cells: set[tuple[int, int]] = set()
    for line in app.screen.query(KeyLine):
        left, top = line.region.x, line.region.y
        x = 0
        for index, item in enumerate(line.items):
            x += GUTTER if index else 0
            if item.label is not None:
                for key in item.keys:
                    if not key.enabled:
                        cells.update((left + x + i, top) for i in range(len(key.display)))
                    x += len(key.display) + 1
                if not any(key.enabled for key in item.keys):
                    cells.update((left + x + i, top) for i in range(len(item.label)))
                x += len(item.label)
            else:
                if not item.keys[0].enabled:
                    cells.update((left + x + i, top) for i in range(item.width))
                x += item.width
    return cells


def _widget_at(app: Any, x: int, y: int) -> Any:
    from textual.errors import NoWidget

    try:
        return app.screen.get_widget_at(x, y)[0]
    except NoWidget:
        return None


def measure(app: Any) -> list[str]:
    """Every pair on the screen below its threshold, as "'text' fg on bg: ratio"."""
    theme = app.current_theme
    update = app.screen._compositor.render_full_update()
    failures: list[str] = []
    inactive = _inactive_cells(app)
    for y, line in enumerate(update.strips):
        x = 0
        for strip in line:
            for segment in strip:
                assert isinstance(segment, Segment)
                text, style = segment.text, segment.style
                start, x = x, x + segment.cell_length
                if not text.strip() or style is None or all(unicodedata.category(ch) == "Zs" for ch in text):
                    continue
                if all((cell, y) in inactive for cell in range(start, x) if not text[cell - start].isspace()):
                    continue
                fg = _rgb(style.color, theme, foreground=True)
                bg = _rgb(style.bgcolor, theme, foreground=False)
                if style.dim:  # left to the terminal in ANSI themes: it dims as Textual does
                    fg = dim(fg, bg)
                if style.reverse:
                    fg, bg = bg, fg
                ratio = contrast(fg, bg)
                graphic = _graphic(text)
                if (1.0 < ratio < GRAPHIC_AA) if graphic else (ratio < TEXT_AA):
                    widget = _widget_at(app, start + len(text) - len(text.lstrip()), y)
                    if widget is app.screen and app.screen.is_modal:
                        continue  # the screen behind a modal, faded: not active content
                    if any(ord(ch) >= 0x1F000 for ch in text):
                        continue  # an emoji (the palette's 🔎): the font's own colours, not the style's
                    if widget is None or not widget.is_disabled:  # an inactive control is exempt
                        where = f"{type(widget).__name__}#{widget.id}" if widget else "?"
                        kind = "graphic " if graphic else ""
                        failures.append(
                            f"{where} {kind}{text.strip()[:24]!r} {fg.hex} on {bg.hex}: {ratio:.2f}"
                        )
    return failures


def drawn(app: Any, needle: str) -> list[tuple[Color, Color, bool]]:
    """(foreground, background, underlined) of each rendered segment containing ``needle``."""
    theme = app.current_theme
    found = []
    for line in app.screen._compositor.render_full_update().strips:
        for strip in line:
            for segment in strip:
                if needle in segment.text and segment.style is not None:
                    style = segment.style
                    fg = _rgb(style.color, theme, foreground=True)
                    found.append((fg, _rgb(style.bgcolor, theme, foreground=False), bool(style.underline)))
    return found


def _seed(path: Path, theme: str) -> None:
    from tracker.services import doses, meds, settings

    db = with_db(path)
    with db.write(audit=False) as session:
        settings.set_setting(session=session, key="theme", value=theme)
        sertraline = next(m for m in meds.list_medications(session=session) if m.name == "Sertraline")
        doses.log_dose(
            session=session,
            medication_id=sertraline.id or 0,
            taken_at=datetime.combine(date(2026, 11, 27), time(8, 10), tzinfo=UTC),
            now=NOW,
        )
    db.close()


@pytest.mark.parametrize("theme", [t.name for t in OUR_THEMES])
async def test_every_screen_reaches_aa_as_drawn(screens_db: Path, theme: str) -> None:
    _seed(screens_db, theme)
    app = make_app(screens_db)
    failures: dict[str, list[str]] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == theme
        # the issue's pair is on screen and measured: "✓ taken" on the highlighted row
        app.screen.query_one("#doses").focus()
        await settle(pilot)
        assert measure(app) == []
        taken = drawn(app, "✓ taken")
        assert taken, "Today shows no taken dose"
        if app.current_theme.ansi:
            assert any(underlined for _fg, _bg, underlined in taken), taken  # the ANSI highlight
        else:
            cursor = Color.parse(app.theme_variables["block-cursor-background"])
            assert any(bg == cursor for _fg, bg, _r in taken), (taken, cursor)
        for key in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            if found := measure(app):
                failures[f"{key}: {type(app.screen).__name__}"] = found
        await pilot.press("t")
        await settle(pilot)
        for severity in ("information", "warning", "error"):
            app.notify(f"A {severity} toast", title="Saved", severity=severity, timeout=30)  # type: ignore[arg-type]
        await settle(pilot)
        if found := measure(app):
            failures["toasts"] = found
        app.screen.query_one("#doses").focus()
        await pilot.press("a")  # a form dialog: the extra dose's fields, labels and hints
        await settle(pilot)
        assert app.screen.is_modal, app.screen
        if found := measure(app):
            failures["extra dose dialog"] = found
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p", "e", "x", "p")  # the command palette, with its matches highlighted
        await settle(pilot)
        assert type(app.screen).__name__ == "CommandPalette"
        if found := measure(app):
            failures["command palette"] = found
    assert not failures, "\n".join(f"{where}: {found}" for where, found in failures.items())


async def test_a_theme_saved_by_an_earlier_version_opens_as_its_measured_variant(screens_db: Path) -> None:
    from tracker.services import settings

    db = with_db(screens_db)
    with db.write(audit=False) as session:
        settings.set_setting(session=session, key="theme", value="textual-light")
    db.close()
    app = make_app(screens_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "taper-light"
        assert "textual-light" not in app.available_themes


async def test_the_measure_finds_the_pair_the_issue_found(screens_db: Path) -> None:
    """Textual's own textual-dark, put back: "✓ taken" on its #0178D4 highlight fails (1.9:1)."""
    from textual.theme import BUILTIN_THEMES

    _seed(screens_db, "taper-dark")
    app = make_app(screens_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.register_theme(BUILTIN_THEMES["textual-dark"])
        app.theme = "textual-dark"
        app.screen.query_one("#doses").focus()
        await settle(pilot)
        failures = measure(app)
    assert any("'✓ taken 08:10' #4EBF71 on #0178D4" in failure for failure in failures), failures
