"""Save the README's screenshot of Today on the demo data, as an SVG made by Textual itself.

    .venv/bin/python docs/screenshot.py

The demo ends on a fixed day and the clock is frozen, so the picture only changes
when the screen does. tests/unit/test_docs.py checks that the file exists and is
the one the README shows.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "today.svg"
DAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
SIZE = (100, 32)


async def _shoot(db_path: Path, out: Path) -> None:
    from tracker.ui.app import TrackerApp

    app = TrackerApp(db_path, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if all(w.is_finished for w in app.workers):
                break
        await pilot.pause()
        # a morning's logging in progress: the dose taken, three symptoms rated
        for key in ("enter", "tab", "1", "down", "2", "down", "down", "down", "down", "down", "2"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tracker.db import open_database
    from tracker.services import demo

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.db"
        db = open_database(db_path)
        with db.write(audit=False) as session:
            demo.generate_demo(session=session, today=DAY, tz=ZoneInfo("Europe/London"))
        db.close()
        asyncio.run(_shoot(db_path, OUT))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
