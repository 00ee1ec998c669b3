"""The clinician summary as an A4 PDF, drawn with fpdf2 and an embedded DejaVu Sans font.

fpdf2 is imported inside ``render`` only, so the command line starts without it. The
font ships in ``tracker/export/fonts`` (Bitstream Vera licence, see LICENSE-DejaVu.txt)
and is embedded as a subset, so every character a user typed prints, whatever the reader.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.export.charts import Figure, Line, Polyline, Rect, Text
from tracker.export.document import Block, Bullets, Chart, Document, Facts, Heading, Para, Table

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
MARGIN = 12.0
BODY_PT = 8.6
SMALL_PT = 7.4
TABLE_PT = 7.9
LINE_H = 3.7  # mm per body line
TABLE_LINE_H = 3.3
PT_PER_MM = 72 / 25.4
ZEBRA = "#f5f7fa"
FOOTER_TEXT = "Information and tracking only, not medical advice. Always involve your health professional."


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _Writer:
    """Lays the document blocks out on the pages of one ``FPDF``."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    @property
    def room(self) -> float:
        """Vertical space left on the current page, in mm."""
        return self.pdf.h - self.pdf.b_margin - self.pdf.get_y()

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.room < height:
            self.pdf.add_page()

    def first_part_height(self, block: Block | None) -> float:
        """Height of the part of ``block`` that should share a page with its heading."""
        if isinstance(block, Chart):
            return block.figure.height * self.pdf.epw / block.figure.width + 2
        if isinstance(block, Table):
            return TABLE_LINE_H * 4 + 2
        return LINE_H * 2

    def font(self, size: float = BODY_PT, bold: bool = False) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)

    def heading(self, block: Heading, following: Block | None) -> None:
        pdf = self.pdf
        # never strand a heading at the foot of a page: keep it with the start of what follows
        self.ensure(9 + self.first_part_height(following))
        pdf.ln(1.8 if block.level == 2 else 0.8)
        self.font(11 if block.level == 2 else 9.5, bold=True)
        pdf.set_text_color(15, 23, 42)
        pdf.cell(0, 4.8, block.text, new_x="LMARGIN", new_y="NEXT")
        if block.level == 2:
            pdf.set_draw_color(*_rgb("#cbd5e1"))
            pdf.set_line_width(0.35)
            y = pdf.get_y()
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.ln(1.2)

    def para(self, block: Para) -> None:
        pdf = self.pdf
        if block.style in ("notice", "alert"):
            border, fill = ("#b91c1c", "#fef2f2") if block.style == "alert" else ("#94a3b8", "#f1f5f9")
            self.font(BODY_PT, bold=block.style == "alert")
            pdf.set_draw_color(*_rgb(border))
            pdf.set_fill_color(*_rgb(fill))
            pdf.set_line_width(0.45 if block.style == "alert" else 0.25)
            pdf.set_text_color(15, 23, 42)
            pdf.multi_cell(
                0,
                LINE_H,
                block.text,
                border=1,
                fill=True,
                padding=(1, 2),
                align="L",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.ln(1.0)
            return
        small = block.style == "small"
        self.font(SMALL_PT if small else BODY_PT)
        pdf.set_text_color(*(_rgb("#475569") if small else (15, 23, 42)))
        pdf.multi_cell(0, 3.2 if small else LINE_H, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)

    def bullets(self, block: Bullets) -> None:
        pdf = self.pdf
        self.font()
        pdf.set_text_color(15, 23, 42)
        indent = 4.0
        for item in block.items:
            self.ensure(LINE_H * 2)
            y = pdf.get_y()
            pdf.set_xy(pdf.l_margin + 1.2, y)
            pdf.cell(indent - 1.2, LINE_H, "•")
            pdf.set_xy(pdf.l_margin + indent, y)
            pdf.multi_cell(pdf.epw - indent, LINE_H, item, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.2)
        pdf.ln(0.6)

    def facts(self, block: Facts) -> None:
        pdf = self.pdf
        label_w = 34.0
        pdf.set_text_color(15, 23, 42)
        for label, value in block.pairs:
            self.font(BODY_PT + 0.4, bold=True)
            pdf.cell(label_w, LINE_H + 0.4, label)
            self.font(BODY_PT + 0.4)
            pdf.multi_cell(0, LINE_H + 0.4, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.2)

    def table(self, block: Table) -> None:
        from fpdf.fonts import FontFace

        pdf = self.pdf
        self.ensure(TABLE_LINE_H * 3 + 2)
        self.font(TABLE_PT)
        pdf.set_text_color(15, 23, 42)
        pdf.set_draw_color(*_rgb("#cbd5e1"))
        pdf.set_line_width(0.2)
        pdf.set_fill_color(*_rgb(ZEBRA))  # fpdf2 fills the zebra rows with the current colour
        align = tuple("RIGHT" if block.alignment(i) == "r" else "LEFT" for i in range(len(block.headers)))
        with pdf.table(
            col_widths=block.widths,
            text_align=align,
            line_height=TABLE_LINE_H,
            padding=(0.5, 1.2),
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD", fill_color=_rgb("#e2e8f0")),
            cell_fill_color=_rgb(ZEBRA),
            cell_fill_mode="ROWS",  # light zebra rows: easier to follow a wide row across
            first_row_as_headings=True,
            repeat_headings=1,
        ) as table:
            table.row(block.headers)
            for row in block.rows:
                table.row(row)
        pdf.ln(1.4)

    def chart(self, block: Chart) -> None:
        pdf = self.pdf
        figure = block.figure
        scale = pdf.epw / figure.width
        caption_h = 8.0 if block.caption else 0.0  # two small lines at most
        self.ensure(figure.height * scale + 2 + caption_h)
        x0, y0 = pdf.l_margin, pdf.get_y() + 1
        draw_figure(pdf, figure, x0, y0, scale)
        pdf.set_y(y0 + figure.height * scale + 1.5)
        if block.caption:
            self.para(Para(block.caption, "small"))

    def block(self, block: Block, following: Block | None = None) -> None:
        if isinstance(block, Heading):
            self.heading(block, following)
        elif isinstance(block, Para):
            self.para(block)
        elif isinstance(block, Bullets):
            self.bullets(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Chart):
            self.chart(block)
        elif isinstance(block, Facts):
            self.facts(block)
        else:  # pragma: no cover
            raise TypeError(f"unknown block {type(block).__name__}")


def draw_figure(pdf: FPDF, figure: Figure, x0: float, y0: float, scale: float = 1.0) -> None:
    """Draw a chart's shapes with its top-left corner at (x0, y0) mm."""

    def x(value: float) -> float:
        return x0 + value * scale

    def y(value: float) -> float:
        return y0 + value * scale

    for shape in figure.shapes:
        if isinstance(shape, Line):
            pdf.set_draw_color(*_rgb(shape.colour))
            pdf.set_line_width(shape.width * scale)
            if shape.dashed:
                pdf.set_dash_pattern(dash=0.8 * scale, gap=0.8 * scale)
            pdf.line(x(shape.x1), y(shape.y1), x(shape.x2), y(shape.y2))
            if shape.dashed:
                pdf.set_dash_pattern()
        elif isinstance(shape, Polyline):
            pdf.set_draw_color(*_rgb(shape.colour))
            pdf.set_line_width(shape.width * scale)
            pdf.polyline([(x(px), y(py)) for px, py in shape.points], style="D")
        elif isinstance(shape, Rect):
            style = ("F" if shape.fill else "") + ("D" if shape.stroke else "")
            if not style:
                continue
            if shape.fill:
                pdf.set_fill_color(*_rgb(shape.fill))
            if shape.stroke:
                pdf.set_draw_color(*_rgb(shape.stroke))
                pdf.set_line_width(shape.width * scale)
            pdf.rect(x(shape.x), y(shape.y), shape.w * scale, shape.h * scale, style=style)
        elif isinstance(shape, Text):
            pdf.set_font(FONT, "B" if shape.bold else "", shape.size * scale * PT_PER_MM)
            pdf.set_text_color(*_rgb(shape.colour))
            width = pdf.get_string_width(shape.text)
            shift = {"middle": width / 2, "end": width}.get(shape.anchor, 0.0)
            pdf.text(x(shape.x) - shift, y(shape.y), shape.text)


def render(document: Document, *, created: datetime) -> bytes:
    """The document as PDF bytes. ``created`` becomes the file's creation date, so the
    same data and time give the same file."""
    from fpdf import FPDF

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-9)
            self.set_font(FONT, "", 6.8)
            self.set_text_color(*_rgb("#64748b"))
            self.cell(0, 4, f"{FOOTER_TEXT}   Page {self.page_no()} of {{nb}}", align="C")

    pdf: Any = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=13)
    pdf.set_title(document.title)
    pdf.set_creator("taper-tracker")
    pdf.set_lang("en")
    pdf.set_creation_date(created)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.set_text_color(15, 23, 42)
    pdf.multi_cell(0, 6.5, document.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    writer = _Writer(pdf)
    blocks = document.blocks
    for index, block in enumerate(blocks):
        writer.block(block, blocks[index + 1] if index + 1 < len(blocks) else None)
    return bytes(pdf.output())
