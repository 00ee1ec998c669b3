"""Write the clinician summary of a period as Markdown, HTML or PDF.

``write_summary`` is the one entry point, used alike by ``tracker export summary`` and
the Clinician screen: it gathers the data once (``data.gather``), builds the document
once (``document.build``) and hands it to the renderer of the chosen format. It reads
through plain SQL (``session`` is a sqlite3 connection or an ORM session, ``tracker.store.Reads``),
so the command line writes a summary without importing the ORM.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.domain.errors import TrackerError
from tracker.export import data, document, files
from tracker.store import Reads

FORMATS = ("pdf", "html", "md")
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".txt": "md"}


def format_for(out: Path, fmt: str | None) -> str:
    """The format asked for, or the one the file name implies (PDF when it implies none)."""
    if fmt:
        if fmt not in FORMATS:
            raise TrackerError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
        return fmt
    return SUFFIXES.get(out.suffix.lower(), "pdf")


def render(summary: data.SummaryData, fmt: str) -> bytes:
    """The summary in ``fmt`` as bytes (UTF-8 for the text formats)."""
    doc = document.build(summary)
    if fmt == "md":
        from tracker.export import markdown

        return markdown.render(doc).encode("utf-8")
    if fmt == "html":
        from tracker.export import html

        return html.render(doc).encode("utf-8")
    if fmt == "pdf":
        from tracker.export import pdf

        return pdf.render(doc, created=summary.generated_at)
    raise TrackerError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


def write_summary(
    *, session: Reads, start: date, end: date, fmt: str, out: Path, now: datetime, tz: ZoneInfo
) -> Path:
    """Write the summary of local days ``start`` to ``end`` to ``out`` (mode 0600); return the path.

    Raises TrackerError (nothing written) when the period is reversed, the format is
    unknown, or ``out`` cannot be written.
    """
    if end < start:
        raise TrackerError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    if fmt not in FORMATS:
        raise TrackerError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    target = files.check_target_file(out)
    summary = data.gather(session=session, start=start, end=end, now=now, tz=tz)
    return files.write_bytes(target, render(summary, fmt))
