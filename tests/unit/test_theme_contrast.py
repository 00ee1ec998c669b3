"""WCAG AA contrast of every theme the app offers, over the colours the app draws with.

The maths is WCAG 2.2's (tests/helpers/contrast.py); the variables are the ones Textual computes
for each theme (ColorSystem.generate() plus the theme's own, as App.get_css_variables merges
them). Text pairs: every text variable the app's styles and Textual's widgets use (status
colours, muted text, footer keys, toasts, the cursor row's own text) on every background a text
can sit on, the highlighted row ($block-cursor-background) included: the issue measured "✓ taken"
in green on Textual's blue highlight at 1.9:1. Graphics (borders, scrollbar): 3:1 (WCAG 1.4.11).
ANSI themes are measured through the palettes Textual assumes for them (Monokai, Alabaster).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.contrast import GRAPHIC_AA, TEXT_AA, contrast, dim, resolve, theme_colour, theme_variables
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from tracker.ui.themes import OUR_THEMES

TEXTS = (
    "foreground", "text", "text-muted", "text-disabled", "text-primary", "text-secondary",
    "text-accent", "text-warning", "text-error", "text-success", "success", "warning", "error",
    "accent", "footer-foreground", "footer-key-foreground", "footer-description-foreground",
    "block-cursor-foreground", "block-cursor-blurred-foreground", "input-selection-foreground",
    "button-foreground",
)  # fmt: skip
# (variable, opacity the app's CSS gives it): $error 15% is the urgent reminder box, $warning 10%
# the first-run notice, $panel-lighten-1 the toasts, $panel-darken-1 the command palette in dark mode.
BACKGROUNDS = (
    ("background", 1.0), ("surface", 1.0), ("panel", 1.0), ("boost", 1.0),
    ("footer-background", 1.0), ("footer-key-background", 1.0),
    ("footer-description-background", 1.0), ("footer-item-background", 1.0),
    ("block-cursor-background", 1.0), ("block-cursor-blurred-background", 1.0),
    ("block-hover-background", 1.0), ("input-selection-background", 1.0),
    ("warning-muted", 1.0), ("panel-lighten-1", 1.0), ("panel-darken-1", 1.0),
    ("error", 0.15), ("warning", 0.10),
)  # fmt: skip
GRAPHICS = ("border", "primary", "accent", "warning", "error", "border-blurred", "panel-lighten-2")
IDS = [theme.name for theme in OUR_THEMES]


def test_the_formula_on_known_pairs() -> None:
    # WCAG's extremes, and a pair published by WebAIM's checker (#777777 on white: 4.48:1)
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color(255, 255, 255), Color(255, 255, 255)) == pytest.approx(1.0)
    assert contrast(Color.parse("#777777"), Color(255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    # Rich's dim is 66% of the way from the background: #FFFFFF on #000000 is 255 * 0.66 = #A8A8A8
    assert dim(Color(255, 255, 255), Color(0, 0, 0)).hex == "#A8A8A8"


def test_textual_defaults_failed_where_the_issue_says() -> None:
    """Why the app ships its own dark and light: "✓ taken" on textual-dark's highlight is 1.9:1."""
    textual = theme_variables(BUILTIN_THEMES["textual-dark"])
    assert contrast(Color.parse(textual["success"]), Color.parse(textual["block-cursor-background"])) < 2.0


def _backgrounds(theme: Theme, variables: dict[str, str]) -> list[tuple[str, Color]]:
    page = theme_colour(theme, variables["background"], Color(0, 0, 0), foreground=False)
    surface = theme_colour(theme, variables["surface"], page, foreground=False)
    out = []
    for name, share in BACKGROUNDS:
        if name == "panel-darken-1" and not theme.dark:
            continue  # the palette uses it only in dark mode ("&:dark")
        if share < 1.0 and theme.ansi:
            continue  # an ANSI colour has no transparency: app.tcss gives these boxes $background
        raw = variables[name] if share == 1.0 else f"{variables[name]} {share:.0%}"
        for under_name, under in (("background", page), ("surface", surface)):
            out.append(
                (f"${name} {share:.0%} over ${under_name}", theme_colour(theme, raw, under, foreground=False))
            )
    return out


@pytest.mark.parametrize("theme", OUR_THEMES, ids=IDS)
def test_every_text_on_every_background_reaches_aa(theme: Theme) -> None:
    variables = theme_variables(theme)
    failures = []
    for bg_name, background in _backgrounds(theme, variables):
        for fg_name in TEXTS:
            ratio = contrast(theme_colour(theme, variables[fg_name], background, foreground=True), background)
            if ratio < TEXT_AA:
                failures.append(f"${fg_name} on {bg_name}: {ratio:.2f}:1")
    assert not failures, failures


@pytest.mark.parametrize("theme", [t for t in OUR_THEMES if not t.ansi], ids=lambda t: t.name)
def test_primary_button_text_reaches_aa(theme: Theme) -> None:
    """A primary button (Save) draws $button-color-foreground on $primary."""
    variables = theme_variables(theme)
    primary = resolve(variables["primary"], Color(0, 0, 0))
    assert contrast(resolve(variables["button-color-foreground"], primary), primary) >= TEXT_AA


@pytest.mark.parametrize("theme", [t for t in OUR_THEMES if not t.ansi], ids=lambda t: t.name)
def test_dim_text_reaches_aa(theme: Theme) -> None:
    """Plain text styled ``dim`` (Trends' hints, the heat-map's day names) on the page and surface."""
    variables = theme_variables(theme)
    failures = []
    for bg_name in ("background", "surface"):
        background = resolve(variables[bg_name], Color(0, 0, 0))
        ratio = contrast(dim(resolve(variables["foreground"], background), background), background)
        if ratio < TEXT_AA:
            failures.append(f"dim $foreground on ${bg_name}: {ratio:.2f}:1")
    assert not failures, failures


@pytest.mark.parametrize("theme", OUR_THEMES, ids=IDS)
def test_borders_and_scrollbar_reach_3_to_1(theme: Theme) -> None:
    variables = theme_variables(theme)
    failures = []
    for bg_name, background in _backgrounds(theme, variables)[:4]:  # the page and the surface
        for name in GRAPHICS:
            ratio = contrast(theme_colour(theme, variables[name], background, foreground=True), background)
            if ratio < GRAPHIC_AA:
                failures.append(f"${name} on {bg_name}: {ratio:.2f}:1")
    track = theme_colour(theme, variables["scrollbar-background"], Color(0, 0, 0), foreground=False)
    thumb = theme_colour(theme, variables["scrollbar"], track, foreground=True)
    if contrast(thumb, track) < GRAPHIC_AA:
        failures.append(f"$scrollbar on $scrollbar-background: {contrast(thumb, track):.2f}:1")
    assert not failures, failures


def test_the_app_offers_only_the_measured_themes(tmp_path: Path) -> None:
    from tracker.ui.app import TrackerApp

    app = TrackerApp(tmp_path / "tracker.db")
    assert set(app.available_themes) == set(IDS)
    assert app.theme == "taper-dark"
    assert "textual-dark" not in app.available_themes and "nord" not in app.available_themes
