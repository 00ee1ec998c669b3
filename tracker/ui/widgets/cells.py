"""Table cells and text lines that show the user's own words exactly as typed.

Textual and Rich read square brackets in a plain string as markup: "[b]" vanishes and a
closing tag with nothing to close ("[/x]") stops the widget from drawing, which closes the
app. Names, notes and questions therefore go into tables through ``cell`` or ``plain`` and
into a ``Static`` made with ``markup=False``.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual.widgets import Static


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class Cell:
    """A table cell showing its text exactly as typed, in a column of fixed width.

    A plain string in a DataTable is read as markup: a note holding "[/x]" stopped the
    table from drawing and "[b]" vanished. This is shown as it is. It also has no
    ``__rich_measure__``: the table measures every new cell to size automatic columns,
    which these columns are not, and that measuring was a third of a page turn.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.text, end="", no_wrap=True)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Cell({self.text!r})"


def show_text(widget: Static, text: str) -> None:
    """Put ``text`` in ``widget``, laying the screen out again only when its height changes.

    A layout redraws the whole screen; a page turn changes the detail and status lines,
    which mostly keep their height, so it would pay for two.
    """
    widget.update(text, layout=False)
    size = widget.content_region.size
    if size.width <= 0 or widget.get_content_height(size, size, size.width) != size.height:
        widget.refresh(layout=True)


def cell(text: str, width: int | None = None) -> Cell:
    """``text`` as a cell of a fixed-width column (see ``Cell``), cut to ``width`` with an ellipsis."""
    return Cell(text if width is None else clip(text, width))


def plain(text: str, width: int | None = None) -> Text:
    """``text`` as a cell of a column sized to its content: shown as typed, never read as markup."""
    return Text(text if width is None else clip(text, width), end="", no_wrap=True)
