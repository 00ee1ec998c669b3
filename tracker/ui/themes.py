"""The app's themes: the only ones it offers, each measured for contrast.

``taper-dark`` (the default) and ``taper-light`` are Textual's dark and light themes with the
colours that fell below WCAG AA replaced; ``high-contrast`` and ``high-contrast-light`` are for
tired eyes and low vision; ``ansi-dark`` and ``ansi-light`` take the terminal's own palette.
Every text colour reaches AA (4.5:1) on every background it is drawn on, the highlighted row
included, and borders 3:1: tests/unit/test_theme_contrast.py measures the theme variables and
tests/functional/test_theme_screens.py every screen as drawn. Textual's other built-in themes
are unregistered by the app (tracker/ui/app.py), as nobody measured them. Status is never
colour alone: every status carries its symbol (✓ taken, – skipped...).
"""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="high-contrast",
    dark=True,
    primary="#8AB4FF",
    secondary="#C8A2FF",
    accent="#7FDFFF",
    warning="#FFD75F",
    error="#FF9A9A",
    success="#7CFC7C",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#101010",
    boost="#FFFFFF00",
    variables={
        "button-color-foreground": "#000000",  # on $primary (a primary button): 4.5:1
        "text": "#FFFFFF",
        "text-muted": "#D0D0D0",
        "text-disabled": "#B0B0B0",
        "text-primary": "#8AB4FF",
        "text-secondary": "#C8A2FF",
        "text-accent": "#7FDFFF",
        "text-warning": "#FFD75F",
        "text-error": "#FF9A9A",
        "text-success": "#7CFC7C",
        "block-cursor-background": "#00265C",
        "block-cursor-foreground": "#FFFFFF",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#1A1A1A",
        "block-cursor-blurred-foreground": "#FFFFFF",
        "block-hover-background": "#101010",
        "footer-background": "#101010",
        "footer-key-background": "#101010",
        "footer-key-foreground": "#FFD75F",
        "footer-description-background": "#101010",
        "footer-description-foreground": "#FFFFFF",
        "footer-item-background": "#101010",
        "input-cursor-background": "#FFFFFF",
        "input-cursor-foreground": "#000000",
        "input-selection-background": "#00265C",
        "border": "#FFFFFF",
        "border-blurred": "#B0B0B0",
        "scrollbar": "#B0B0B0",
        "warning-muted": "#3A2E00",
        "panel-lighten-2": "#8A8A8A",  # section rules (hkey borders): 3:1
    },
)

HIGH_CONTRAST_LIGHT = Theme(
    name="high-contrast-light",
    dark=False,
    primary="#0034A0",
    secondary="#5A00A0",
    accent="#00507A",
    warning="#6B4A00",
    error="#A00000",
    success="#005A00",
    foreground="#000000",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#F0F0F0",
    boost="#00000000",
    variables={
        "button-color-foreground": "#FFFFFF",  # on $primary (a primary button): 4.5:1
        "text": "#000000",
        "text-muted": "#303030",
        "text-disabled": "#505050",
        "text-primary": "#0034A0",
        "text-secondary": "#5A00A0",
        "text-accent": "#00507A",
        "text-warning": "#6B4A00",
        "text-error": "#A00000",
        "text-success": "#005A00",
        "block-cursor-background": "#D6E4FF",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#E8E8E8",
        "block-cursor-blurred-foreground": "#000000",
        "block-hover-background": "#F0F0F0",
        "footer-background": "#F0F0F0",
        "footer-key-background": "#F0F0F0",
        "footer-key-foreground": "#0034A0",
        "footer-description-background": "#F0F0F0",
        "footer-description-foreground": "#000000",
        "footer-item-background": "#F0F0F0",
        "input-cursor-background": "#000000",
        "input-cursor-foreground": "#FFFFFF",
        "input-selection-background": "#D6E4FF",
        "border": "#000000",
        "border-blurred": "#505050",
        "scrollbar": "#505050",
        "warning-muted": "#FFF0C0",
        "panel-lighten-2": "#767676",  # section rules (hkey borders): 3:1
    },
)

# Textual's default themes with the colours that fail AA replaced; the rest is Textual's
# (textual/theme.py at the pinned version). textual-dark drew "✓ taken" (#4EBF71) on its
# #0178D4 highlight at 1.9:1 and its error red at 3.4:1 on the background; textual-light drew
# its orange warning at 1.5:1. The highlight is now a deep blue in the dark theme and a pale
# blue in the light one, so that the status colours keep 4.5:1 on it as on the rows around it.
TAPER_DARK = Theme(
    name="taper-dark",
    dark=True,
    primary="#0178D4",
    secondary="#004578",
    accent="#FFA62B",
    warning="#FFA62B",
    error="#F28BA0",
    success="#5BD384",
    foreground="#E0E0E0",
    background="#121212",
    surface="#1E1E1E",
    variables={
        "button-color-foreground": "#FFFFFF",  # on $primary (a primary button): 4.5:1
        "text": "#E0E0E0",
        "text-muted": "#B0B0B0",
        "text-disabled": "#ABABAB",
        "text-primary": "#6CB4EE",
        "text-secondary": "#8FC3F0",
        "text-accent": "#FFA62B",
        "text-warning": "#FFA62B",
        "text-error": "#F597AA",
        "text-success": "#5BD384",
        "block-cursor-background": "#0B3D66",
        "block-cursor-foreground": "#FFFFFF",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#1C2E40",
        "block-cursor-blurred-foreground": "#E0E0E0",
        "block-hover-background": "#262626",
        "footer-key-foreground": "#FFA62B",
        "input-selection-background": "#0B3D66",
        "warning-muted": "#3D2A10",
        "border-blurred": "#767676",
        "scrollbar": "#4F6A85",
        "panel-lighten-2": "#6E7780",  # section rules (hkey borders): 3:1
    },
)

TAPER_LIGHT = Theme(
    name="taper-light",
    dark=False,
    primary="#004578",
    secondary="#0178D4",
    accent="#7A3D00",
    warning="#6E3D00",
    error="#8A2440",
    success="#0F5626",
    foreground="#1A1A1A",
    background="#E0E0E0",
    surface="#D8D8D8",
    panel="#D0D0D0",
    variables={
        "button-color-foreground": "#FFFFFF",  # on $primary (a primary button): 4.5:1
        "text": "#1A1A1A",
        "text-muted": "#4A4A4A",
        "text-disabled": "#4A4A4A",
        "text-primary": "#004578",
        "text-secondary": "#004E8A",
        "text-accent": "#7A3D00",
        "text-warning": "#6E3D00",
        "text-error": "#8A2440",
        "text-success": "#0F5626",
        "block-cursor-background": "#BFD9F2",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#CCD8E2",
        "block-cursor-blurred-foreground": "#000000",
        "block-hover-background": "#E8E8E8",
        "footer-key-foreground": "#004E8A",
        "input-selection-background": "#BFD9F2",
        "warning-muted": "#F0DDBE",
        "border-blurred": "#6E6E6E",
        "scrollbar": "#5A6E82",
        "panel-lighten-2": "#7A7A7A",  # section rules (hkey borders): 3:1
    },
)

# Textual's ANSI themes, which take the terminal's own sixteen colours, with the highlighted row
# drawn bold and underlined on the terminal's background: a status colour on the highlight then
# has exactly the contrast it has on the rest of the screen, whatever the palette (Textual's own
# draw green text on white or blue; reverse video would do too, but OptionList drops it).
# Measured with Textual's default palettes (Monokai dark, Alabaster light); in a real terminal
# the terminal's palette decides.
_ANSI_CURSOR = {
    "block-cursor-foreground": "ansi_default",
    "block-cursor-background": "ansi_default",
    "block-cursor-text-style": "bold underline",
    "block-cursor-blurred-foreground": "ansi_default",
    "block-cursor-blurred-background": "ansi_default",
    "block-cursor-blurred-text-style": "underline",
    "block-hover-background": "ansi_default",
    "text-muted": "ansi_default",
    "text-disabled": "ansi_default",
    # "$warning 50%" would be solid yellow: an ANSI colour cannot be made transparent
    "warning-muted": "ansi_default",
}

ANSI_DARK = Theme(
    name="ansi-dark",
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    accent="ansi_green",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=True,
    variables={
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border-blurred": "ansi_white",
        "input-cursor-background": "ansi_bright_white",
        "input-cursor-foreground": "ansi_black",
        "input-cursor-text-style": "none",
        "input-selection-background": "ansi_default",
        "input-selection-foreground": "ansi_default",
        "screen-selection-background": "ansi_bright_blue",
        "screen-selection-foreground": "ansi_black",
        "footer-key-foreground": "ansi_yellow",
        "panel-lighten-2": "ansi_white",  # section rules, transparent (unseen) in Textual's
        **_ANSI_CURSOR,
    },
)

ANSI_LIGHT = Theme(
    name="ansi-light",
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    # Alabaster's yellow, bright red, green and cyan are below 4.5:1 on its white: warnings are
    # magenta, and "taken" is the terminal's own text colour (its ✓ says it).
    warning="ansi_magenta",
    error="ansi_red",
    success="ansi_default",
    accent="ansi_blue",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    dark=False,
    variables={
        "border": "ansi_blue",
        "border-blurred": "ansi_black",
        "ansi-background": "ansi_white",
        "ansi-foreground": "ansi_black",
        "input-cursor-background": "ansi_black",
        "input-cursor-foreground": "ansi_bright_white",
        "input-cursor-text-style": "none",
        "input-selection-background": "ansi_default",
        "input-selection-foreground": "ansi_default",
        "footer-key-foreground": "ansi_blue",
        "text-secondary": "ansi_blue",
        "panel-lighten-2": "ansi_bright_black",  # section rules, transparent (unseen) in Textual's
        **_ANSI_CURSOR,
    },
)

DEFAULT_THEME = TAPER_DARK.name
# Every theme the app offers (Settings, the command palette); Textual's other built-in themes
# are unregistered, as their contrast is not measured.
OUR_THEMES = (TAPER_DARK, TAPER_LIGHT, HIGH_CONTRAST, HIGH_CONTRAST_LIGHT, ANSI_DARK, ANSI_LIGHT)
# A theme saved by an earlier version, before Textual's defaults were replaced by ours.
RENAMED = {"textual-dark": TAPER_DARK.name, "textual-light": TAPER_LIGHT.name}
