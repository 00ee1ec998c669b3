"""The app's modes and the screen each shows, below both the app and the command palette."""

from __future__ import annotations

from importlib.util import find_spec

# The taper screen is built separately: its mode and key appear once its module exists.
HAS_TAPER = find_spec("tracker.ui.screens.taper") is not None

# Each mode's screen: (module under tracker.ui.screens, class); the palette reads their keys too.
SCREENS: dict[str, tuple[str, str]] = {
    "today": ("today", "TodayScreen"),
    "medications": ("medications", "MedicationsScreen"),
    "history": ("history", "HistoryScreen"),
    "clinician": ("clinician", "ClinicianScreen"),
    "settings": ("settings", "SettingsScreen"),
    "help": ("help", "HelpScreen"),
    "trends": ("trends", "TrendsScreen"),
    **({"taper": ("taper", "TaperScreen")} if HAS_TAPER else {}),
}
