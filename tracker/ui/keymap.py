"""The user's keymap: ``keymap.toml`` in the config folder remaps any key binding by its id.

::

    # ~/.config/taper-tracker/keymap.toml (Linux; paths.keymap_path() elsewhere)
    go-taper = "P"              # the id of a binding = the key(s) to use instead
    today-undo = "ctrl+z,u"     # several keys, comma separated

Every Binding of the app has an ``id`` (Help and the command palette show the keys in use).
A bad file is refused whole, with a message that names the line or the id that is wrong,
and the app keeps its own keys: a typo never leaves someone without a way to quit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding

# Every module whose classes declare bindings (read to know the ids, in a worker).
BINDING_MODULES = (
    "tracker.ui.app",
    "tracker.ui.screens.today",
    "tracker.ui.screens.taper",
    "tracker.ui.screens.trends",
    "tracker.ui.screens.medications",
    "tracker.ui.screens.history",
    "tracker.ui.screens.clinician",
    "tracker.ui.screens.settings",
    "tracker.ui.screens.help",
    "tracker.ui.screens.first_run",
    "tracker.ui.widgets.dose_list",
    "tracker.ui.widgets.symptom_list",
    "tracker.ui.widgets.forms",
    "tracker.ui.widgets.modals",
)
_KEY = re.compile(r"^[A-Za-z0-9_+\-]+$|^.$")


class KeymapError(ValueError):
    """A keymap file that cannot be used; the message says what to fix."""


def binding_ids(modules: Iterable[str] = BINDING_MODULES) -> set[str]:
    """The ids of every Binding declared by the classes of ``modules``."""
    import importlib
    import inspect

    found: set[str] = set()
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a screen built later
            continue
        for _attr, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                for klass in value.__mro__:
                    for binding in vars(klass).get("BINDINGS", ()) or ():
                        if isinstance(binding, Binding) and binding.id:
                            found.add(binding.id)
    return found


def parse_keymap(text: str, known: set[str], *, where: str = "keymap.toml") -> dict[str, str]:
    """The keymap in ``text`` (TOML), checked against the ``known`` binding ids."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(f"{where} is not valid TOML ({exc}); the usual keys are in use.") from exc
    return check_keymap(data, known, where=where)


def check_keymap(data: Mapping[str, object], known: set[str], *, where: str) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        if binding_id not in known:
            close = _close(binding_id, known)
            hint = f" (did you mean {close}?)" if close else ""
            raise KeymapError(
                f"{where}: no key binding has the id {binding_id!r}{hint}; the usual keys are in use."
            )
        if not isinstance(keys, str) or not keys.strip():
            raise KeymapError(
                f'{where}: {binding_id} needs its keys as text, like {binding_id} = "ctrl+z"; '
                "the usual keys are in use."
            )
        parts = [k.strip() for k in keys.split(",")]
        bad = [k for k in parts if not k or not _KEY.match(k)]
        if bad:
            raise KeymapError(
                f'{where}: {binding_id} = {keys!r} is not a list of keys (like "ctrl+z" or "u,ctrl+z"); '
                "the usual keys are in use."
            )
        keymap[binding_id] = ",".join(parts)
    return keymap


def _close(word: str, known: set[str]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def load_keymap(path: Path) -> dict[str, str]:
    """The user's keymap from ``path`` ({} when there is no file). Raises KeymapError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        reason = type(exc).__name__
        raise KeymapError(f"{path} cannot be read ({reason}); the usual keys are in use.") from exc
    return parse_keymap(text, binding_ids(), where=str(path))
