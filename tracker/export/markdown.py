"""The clinician summary as Markdown that reads well as plain text too.

Tables are pipe tables padded to line up in a monospaced view; charts become short
text versions (block-character sparklines and a number grid) inside code fences.
"""

from __future__ import annotations

from tracker.domain.text import printable
from tracker.export.document import Block, Bullets, Chart, Document, Facts, Heading, Para, Table


def _cell(text: str) -> str:
    """A table cell on one line, with the pipe escaped."""
    return printable(text).replace("|", "\\|")


def _table(table: Table) -> list[str]:
    rows = [tuple(_cell(c) for c in table.headers), *(tuple(_cell(c) for c in row) for row in table.rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(table.headers))]
    widths = [max(w, 3) for w in widths]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if table.alignment(i) == "r" else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "| " + " | ".join(cells) + " |"

    rule = (
        "| "
        + " | ".join(
            ("-" * (w - 1) + ":") if table.alignment(i) == "r" else "-" * w for i, w in enumerate(widths)
        )
        + " |"
    )
    return [line(rows[0]), rule, *(line(r) for r in rows[1:])]


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + block.text]
    if isinstance(block, Para):
        if block.style in ("notice", "alert"):
            lines = [" ".join(line.split()) for line in block.text.split("\n") if line.strip()]
            out: list[str] = []
            for index, line in enumerate(lines):
                if index:
                    out.append(">")
                out.append("> " + ("**" + line + "**" if block.style == "alert" else line))
            return out
        text = " ".join(block.text.split())
        if block.style == "small":
            return ["_" + text + "_"]
        return [text]
    if isinstance(block, Bullets):
        return ["- " + " ".join(item.split()) for item in block.items]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        caption = ["", "_" + block.caption + "_"] if block.caption else []
        return ["```text", *block.text_lines, "```", *caption]
    if isinstance(block, Facts):
        return [f"**{label}:** {value}  " for label, value in block.pairs]
    raise TypeError(f"unknown block {type(block).__name__}")  # pragma: no cover


def render(document: Document) -> str:
    """The whole document as Markdown text, ending with a newline."""
    parts = ["# " + document.title]
    for block in document.blocks:
        parts.append("\n".join(_block(block)))
    return "\n\n".join(parts) + "\n"
