"""WCAG AA contrast (4.5:1) of every text colour on every background of the themes we ship.

The formula is WCAG 2.2's (relative luminance of sRGB, (L1 + 0.05) / (L2 + 0.05)); the pairs
are every text variable the app's styles use against every background a text can sit on, the
highlighted row ($block-cursor-background) included: the issue measured "✓ taken" in green on
the blue highlight at 1.4:1. Colours with alpha are blended onto what they sit on, and
Textual's "auto N%" text is the contrasting colour at that opacity, as Textual draws them.
"""

from __future__ import annotations

import pytest
from textual.color import Color

from tracker.ui.themes import OUR_THEMES

TEXTS = (
    "foreground", "text", "text-muted", "text-primary", "text-secondary", "text-accent", "text-warning",
    "text-error", "text-success", "success", "warning", "error", "accent", "primary",
    "footer-key-foreground", "footer-description-foreground", "block-cursor-foreground",
)  # fmt: skip
BACKGROUNDS = (
    "background", "surface", "panel", "boost", "footer-background", "footer-key-background",
    "footer-description-background", "block-cursor-background", "block-cursor-blurred-background",
    "block-hover-background", "warning-muted",
)  # fmt: skip


def luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_on_known_pairs() -> None:
    # WCAG's extremes, and a pair published by WebAIM's checker (#777777 on white: 4.48:1)
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color(255, 255, 255), Color(255, 255, 255)) == pytest.approx(1.0)
    assert contrast(Color.parse("#777777"), Color(255, 255, 255)) == pytest.approx(4.48, abs=0.01)


def _resolve(raw: str, under: Color) -> Color:
    if raw.startswith("auto"):
        share = float(raw.split()[1].rstrip("%")) / 100 if " " in raw else 1.0
        return under + under.get_contrast_text(share)
    colour = Color.parse(raw)
    return under + colour if colour.a < 1 else colour


@pytest.mark.parametrize("theme", OUR_THEMES, ids=lambda t: t.name)
def test_every_text_on_every_background_reaches_aa(theme: object) -> None:
    from textual.theme import Theme

    assert isinstance(theme, Theme)
    variables = theme.to_color_system().generate()
    base = Color.parse(variables["background"])
    failures = []
    for bg_name in BACKGROUNDS:
        background = _resolve(variables[bg_name], base)
        for fg_name in TEXTS:
            ratio = contrast(_resolve(variables[fg_name], background), background)
            if ratio < 4.5:
                failures.append(f"${fg_name} on ${bg_name}: {ratio:.2f}:1")
    assert not failures, failures
