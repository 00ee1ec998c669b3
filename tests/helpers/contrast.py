"""WCAG 2.2 contrast maths, shared by the theme tests (unit and functional).

Relative luminance of an sRGB colour and the contrast ratio (L1 + 0.05) / (L2 + 0.05), as
WCAG 2.2 defines them (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance). Text needs
4.5:1 (1.4.3, AA); graphics and the edges of controls need 3:1 (1.4.11).

Colours are resolved as Textual draws them: a colour with alpha is blended onto what it sits
on, ``auto N%`` is the contrasting text colour at that opacity, ``C N%`` is C at that opacity,
and Rich's ``dim`` is the colour blended two thirds of the way from its background
(textual.filter.dim_color, DIM_FACTOR).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.color import Color
from textual.constants import DIM_FACTOR  # 0.66 unless TEXTUAL_DIM_FACTOR says otherwise

if TYPE_CHECKING:
    from rich.terminal_theme import TerminalTheme
    from textual.theme import Theme

TEXT_AA = 4.5
GRAPHIC_AA = 3.0


def luminance(colour: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def resolve(raw: str, under: Color) -> Color:
    """A theme variable's value as drawn on ``under`` (an opaque colour)."""
    raw = raw.strip()
    if raw.startswith("auto"):
        share = float(raw.split()[1].rstrip("%")) / 100 if " " in raw else 1.0
        return under + under.get_contrast_text(share)
    if raw in ("transparent", "initial"):
        return under
    if raw.endswith("%") and " " in raw:
        name, share = raw.rsplit(" ", 1)
        colour = Color.parse(name).multiply_alpha(float(share.rstrip("%")) / 100)
    else:
        colour = Color.parse(raw)
    return under + colour if colour.a < 1 else colour


def dim(colour: Color, background: Color) -> Color:
    """Rich's ``dim`` as Textual renders it in true colour (textual.filter.dim_color)."""
    return background.blend(colour, DIM_FACTOR)


def ansi_to_rgb(colour: Color, palette: TerminalTheme, *, foreground: bool) -> Color:
    """An ANSI colour as ``palette`` shows it (``ansi_default``: the palette's text or background)."""
    if colour.ansi is None:
        return colour
    if colour.ansi == -1:
        triplet = palette.foreground_color if foreground else palette.background_color
    else:
        triplet = palette.ansi_colors[colour.ansi]
    return Color(*triplet)


def theme_variables(theme: Theme) -> dict[str, str]:
    """The CSS variables a theme gives, as App.get_css_variables builds them."""
    return {**theme.to_color_system().generate(), **theme.variables}


def palette_for(theme: Theme) -> TerminalTheme:
    """The terminal palette Textual assumes for an ANSI theme (App.ansi_theme_dark / _light)."""
    from textual._ansi_theme import ALABASTER, MONOKAI

    return MONOKAI if theme.dark else ALABASTER


def theme_colour(theme: Theme, raw: str, under: Color, *, foreground: bool) -> Color:
    """A variable's value drawn on ``under`` in ``theme``, ANSI colours through its palette."""
    raw = raw.strip()
    name = raw.split()[0] if raw.endswith("%") and " " in raw and not raw.startswith("auto") else raw
    if name.startswith("ansi_"):  # Textual draws "ansi_x N%" as ansi_x: an ANSI colour has no alpha
        return ansi_to_rgb(Color.parse(name), palette_for(theme), foreground=foreground)
    return resolve(raw, under)
