"""Real desktop notifications through desktop-notifier (freedesktop D-Bus, macOS, Windows).

``DesktopSender.deliver`` shows each notification, reports after each one whether it
was shown (so its record is confirmed at once), and then, where the platform offers
buttons and the caller allows a wait, listens for "Taken", "Snooze 15 min" or a click.
Where there are no buttons, the command to run is added to the text instead.

desktop-notifier is imported inside ``deliver``: a run with nothing to send, and every
other command, never loads it (nor dbus-fast).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tracker.services.notify import Interaction, Outgoing

APP_NAME = "taper-tracker"
TAKEN, SNOOZE = "taken", "snooze"


def _problem(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    if "DBUS_SESSION_BUS_ADDRESS" in text or "session bus" in text.lower():
        return "no desktop session bus (D-Bus) to show notifications on"
    return f"the desktop did not take the notification ({type(exc).__name__}{': ' + text if text else ''})"


class DesktopSender:
    """Sends through desktop-notifier; ``deliver`` runs its own event loop."""

    def __init__(self, app_name: str = APP_NAME) -> None:
        self.app_name = app_name
        self.buttons = False  # whether the platform showed buttons (known after deliver)

    def deliver(
        self,
        items: Sequence[Outgoing],
        on_result: Callable[[Outgoing, str | None], None],
        wait: float,
    ) -> list[Interaction]:
        return asyncio.run(self._deliver(items, on_result, wait))

    async def _deliver(
        self,
        items: Sequence[Outgoing],
        on_result: Callable[[Outgoing, str | None], None],
        wait: float,
    ) -> list[Interaction]:
        from desktop_notifier import Button, Capability, DesktopNotifier, Notification, Urgency

        notifier = DesktopNotifier(app_name=self.app_name)
        try:
            capabilities = await notifier.get_capabilities()
        except Exception as exc:
            for item in items:
                on_result(item, _problem(exc))
            return []
        self.buttons = Capability.BUTTONS in capabilities
        clicks = Capability.ON_CLICKED in capabilities
        interactions: list[Interaction] = []
        answered = asyncio.Event()
        waiting = 0
        resolved: set[int] = set()  # the interactive notifications answered (or dismissed)

        def record(action: Any, item: Outgoing) -> Callable[[], None]:
            def handler() -> None:
                if action is not None:
                    interactions.append(Interaction(action, item.message.dose))
                resolved.add(id(item))
                answered.set()

            return handler

        for item in items:
            m = item.message
            interactive = m.dose is not None and self.buttons
            body = m.body if interactive or not m.hint else f"{m.body}\n{m.hint}"
            buttons: tuple[Any, ...] = ()
            if interactive:
                buttons = (
                    Button("Taken", on_pressed=record(TAKEN, item), identifier=TAKEN),
                    Button("Snooze 15 min", on_pressed=record(SNOOZE, item), identifier=SNOOZE),
                )
                waiting += 1
            notification = Notification(
                title=m.title,
                message=body,
                urgency=Urgency.Critical if m.urgent else Urgency.Normal,
                buttons=buttons,
                on_clicked=record("clicked", item) if clicks else None,
                on_dismissed=record(None, item) if interactive else None,
            )
            try:
                await notifier.send_notification(notification)
            except Exception as exc:
                on_result(item, _problem(exc))
                continue
            on_result(item, None)
        if wait > 0 and waiting:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait
            # one answer per interactive notification, or the time is up
            while len(resolved) < waiting and (left := deadline - loop.time()) > 0:
                answered.clear()
                try:
                    await asyncio.wait_for(answered.wait(), timeout=left)
                except TimeoutError:
                    break
        return interactions


def open_tracker(db: str | None = None) -> str | None:
    """Open the app in a new terminal window (a click on a notification); say why not, or None."""
    command = [sys.executable, "-m", "tracker", *(["--db", db] if db else [])]
    try:
        if sys.platform == "darwin":
            script = " ".join(_quote(c) for c in command)
            subprocess.Popen(["osascript", "-e", f'tell application "Terminal" to do script "{script}"'])
            return None
        if sys.platform == "win32":
            subprocess.Popen(["cmd", "/c", "start", "", *command])
            return None
        for terminal in (
            os.environ.get("TERMINAL"),
            "x-terminal-emulator",
            "gnome-terminal",
            "konsole",
            "xterm",
        ):
            if terminal and shutil.which(terminal):
                flag = "--" if terminal == "gnome-terminal" else "-e"
                subprocess.Popen([terminal, flag, *command], start_new_session=True)
                return None
    except OSError as exc:
        return f"could not open a terminal ({type(exc).__name__})"
    return "no terminal program found to open taper-tracker in; run `tracker`"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
