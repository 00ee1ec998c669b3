# ruff: noqa: F821, F722  (dbus-fast reads D-Bus signatures such as "as" from the annotations)
"""A headless org.freedesktop.Notifications server for the tests, on a real D-Bus session bus.

Run as ``python notification_server.py OUT_FILE [ACTION]`` with DBUS_SESSION_BUS_ADDRESS
pointing at the test's private bus. Every notification received is appended to
OUT_FILE as one JSON line (app name, summary, body, actions, urgency hint); the file
``OUT_FILE.ready`` appears once the bus name is owned. With ACTION (e.g. ``taken``),
the server presses that button on each notification offering it, as a user would,
by emitting the spec's ActionInvoked signal.

No ``from __future__ import annotations``: dbus-fast reads the D-Bus signatures from
the annotations.
"""

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Notifications(ServiceInterface):
    def __init__(self, out: Path, action: str | None) -> None:
        super().__init__(NAME)
        self.out = out
        self.action = action
        self.next_id = 0

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        self.next_id += 1
        nid = self.next_id
        urgency = hints.get("urgency")
        record: dict[str, Any] = {
            "id": nid,
            "app_name": app_name,
            "summary": summary,
            "body": body,
            "actions": dict(zip(actions[::2], actions[1::2], strict=False)),
            "urgency": urgency.value if isinstance(urgency, Variant) else None,
        }
        with self.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        if self.action and self.action in record["actions"]:
            asyncio.get_running_loop().call_later(0.05, self.ActionInvoked, nid, self.action)
        return nid

    @method()
    def GetCapabilities(self) -> "as":
        return ["actions", "body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["taper-tracker test server", "taper-tracker", "1", "1.2"]

    @method()
    def CloseNotification(self, nid: "u") -> None:
        self.NotificationClosed(nid, 3)

    @signal()
    def ActionInvoked(self, nid: int, action: str) -> "us":
        return [nid, action]

    @signal()
    def NotificationClosed(self, nid: int, reason: int) -> "uu":
        return [nid, reason]


async def main(out: Path, action: str | None) -> None:
    bus = await MessageBus().connect()
    bus.export(PATH, Notifications(out, action))
    await bus.request_name(NAME)
    Path(f"{out}.ready").write_text("ready", encoding="utf-8")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None))
