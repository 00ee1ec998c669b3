"""The app's own themes: high contrast, dark and light, for tired eyes and low vision.

Every text colour of these themes reaches WCAG AA (4.5:1) on every background it is drawn
on, the highlighted row included (tests/unit/test_theme_contrast.py measures each pair). The
terminal's own palette is offered too, through Textual's ANSI themes (``ansi-dark``,
``ansi-light``): their colours are whatever the terminal shows, so the terminal decides their
contrast. Status is never colour alone: every status carries its symbol (✓ taken, ✗ skipped...).
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
    },
)

OUR_THEMES = (HIGH_CONTRAST, HIGH_CONTRAST_LIGHT)
# Textual's themes that take the terminal's own sixteen colours.
ANSI_THEMES = ("ansi-dark", "ansi-light")
