"""Help: every key (read from the bindings themselves, so it stays true), the disclaimer, the sources."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tracker.ui.base import DbScreen
from tracker.ui.widgets.footer import KeyFooter

DISCLAIMER = (
    "taper-tracker is for information and tracking only. It is not medical advice. Always involve your "
    "health professional: a dose is changed only together with your prescriber. A taper schedule the app "
    "calculates is a draft to discuss with them."
)

SCALE = (
    "Symptoms are rated 0 none, 1 mild, 2 moderate, 3 severe. The day's burden is the sum of the ratings. "
    'A day with nothing logged is "not logged", never zero: charts leave a gap and averages skip it. '
    "Symptoms are grouped with the FINISH mnemonic: Flu-like, Insomnia, Nausea, Imbalance, Sensory "
    "disturbances, Hyperarousal."
)

SOURCES = (
    "NICE guideline NG222 (2022), Depression in adults: treatment and management, section 1.4.",
    "Horowitz MA, Taylor D. Tapering of SSRI treatment to mitigate withdrawal symptoms. "
    "Lancet Psychiatry 2019;6:538-46.",
    "Sørensen A, Ruhé HG, Munkholm K. Mol Psychiatry 2022;27:192-201 (occupancy parameters, approximate: "
    "read from an open-source calculator, not yet checked against the paper).",
    "Rosenbaum JF et al. Biol Psychiatry 1998;44:77-87 (the DESS checklist; the app borrows the idea of "
    "comparing with before the taper, not the instrument).",
    "Berber MJ. FINISH: remembering the discontinuation syndrome. J Clin Psychiatry 1998;59:255.",
    "Haddad PM, Anderson IM. Recognising and managing antidepressant discontinuation symptoms. "
    "Adv Psychiatr Treat 2007;13:447-57.",
    "Warner CH et al. Antidepressant discontinuation syndrome. Am Fam Physician 2006;74:449-56.",
    "Groot PC, van Os J. Tapering strips. Ther Adv Psychopharmacol 2018 and 2020.",
)

# (section title, module under tracker.ui, class name); screens built elsewhere are read if present.
KEY_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Everywhere", "app", "TrackerApp"),
    ("Today", "screens.today", "TodayScreen"),
    ("Today: dose list (Tab moves between lists)", "widgets.dose_list", "DoseList"),
    ("Today: symptom list", "widgets.symptom_list", "SymptomList"),
    ("Medications", "screens.medications", "MedicationsScreen"),
    ("Taper", "screens.taper", "TaperScreen"),
    ("History", "screens.history", "HistoryScreen"),
    ("Trends", "screens.trends", "TrendsScreen"),
    ("Clinician", "screens.clinician", "ClinicianScreen"),
    ("Settings", "screens.settings", "SettingsScreen"),
    ("Welcome (first run)", "screens.first_run", "FirstRunScreen"),
)


def key_rows(bindings: Iterable[Any], key_display: Any) -> list[tuple[str, str, str]]:
    """(keys, footer label, longer explanation) for each action of ``bindings``.

    Keys of one action are joined ("⏎ / space"); the explanation is the binding's
    tooltip, left empty when it would only repeat the label.
    """
    by_action: dict[str, tuple[list[str], str, str]] = {}
    for binding in Binding.make_bindings(bindings):
        if not binding.description and not binding.tooltip:
            continue
        label = binding.description or binding.tooltip
        explanation = binding.tooltip if binding.tooltip and binding.tooltip != label else ""
        keys, _label, _explanation = by_action.setdefault(binding.action, ([], label, explanation))
        display = key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" / ".join(keys), label, explanation) for keys, label, explanation in by_action.values()]


def key_sections(key_display: Any) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Every section of keys whose class can be imported, in order."""
    sections = []
    for title, module, name in KEY_SECTIONS:
        try:
            cls = getattr(importlib.import_module(f"tracker.ui.{module}"), name)
        except (ImportError, AttributeError):
            continue  # a screen not built yet
        rows = key_rows(getattr(cls, "BINDINGS", []), key_display)
        if rows:
            sections.append((title, rows))
    return sections


class HelpScreen(DbScreen):
    """Keys, disclaimer, how symptoms are counted, and the sources behind the figures."""

    CSS_PATH = "help.tcss"

    def compose(self) -> ComposeResult:
        yield Static("Help · t returns to Today · arrows or PgUp/PgDn scroll", id="help-title")
        with VerticalScroll(id="help-body"):
            yield Static("Please read", classes="help-head")
            yield Static(DISCLAIMER, id="help-disclaimer")
            for title, rows in key_sections(self.app.get_key_display):
                yield Static(title, classes="help-head")
                width = max(len(keys) for keys, _label, _text in rows) + 2
                lines = [
                    Content.assemble((keys.ljust(width), "bold $accent"), (label, "bold"), "  ", text)
                    for keys, label, text in rows
                ]
                yield Static(Content("\n").join(lines), classes="help-text")
            yield Static("Ratings", classes="help-head")
            yield Static(SCALE, classes="help-text")
            yield Static("Sources", classes="help-head")
            yield Static("\n".join(f"• {s}" for s in SOURCES), classes="help-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
