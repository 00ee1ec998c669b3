"""The clinician summary as one self-contained HTML file: inline CSS, inline SVG charts,
no scripts and nothing fetched, laid out to print on A4.

Every piece of user text goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape

from tracker.export.charts import Figure, Line, Polyline, Rect, Text
from tracker.export.document import Block, Bullets, Chart, Document, Facts, Heading, Para, Table

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif;
       font-size: 10pt; line-height: 1.35;
       color: #0f172a; background: #fff; max-width: 190mm; margin: 8mm auto; padding: 0 4mm; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 11.5pt; margin: 5mm 0 1.5mm; padding-bottom: 0.6mm; border-bottom: 0.4mm solid #cbd5e1;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }
p { margin: 1mm 0 1.5mm; }
p.small { font-size: 8.5pt; color: #475569; }
p.notice { border: 0.3mm solid #94a3b8; background: #f1f5f9; padding: 1.5mm 2.5mm; }
p.alert { border: 0.5mm solid #b91c1c; background: #fef2f2; padding: 1.5mm 2.5mm; font-weight: bold; }
ul { margin: 1mm 0 2mm; padding-left: 5mm; }
li { margin: 0.4mm 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 0 0 2mm; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 8.8pt; }
th, td { padding: 0.7mm 1.5mm; border-bottom: 0.2mm solid #e2e8f0; vertical-align: top; text-align: left; }
th { background: #f1f5f9; border-bottom: 0.3mm solid #94a3b8; }
td.r, th.r { text-align: right; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
figure { margin: 1mm 0 2mm; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption.small { font-size: 8.5pt; color: #475569; margin-top: 1mm; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  a { color: inherit; text-decoration: none; }
}
"""


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg(figure: Figure) -> str:
    """An inline SVG of a chart, in the figure's millimetre units."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(figure.width)} {_num(figure.height)}" '
        f'role="img" aria-label="{escape(figure.description)}" '
        'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f"<title>{escape(figure.description)}</title>",
    ]
    for shape in figure.shapes:
        if isinstance(shape, Line):
            dash = ' stroke-dasharray="0.8 0.8"' if shape.dashed else ""
            parts.append(
                f'<line x1="{_num(shape.x1)}" y1="{_num(shape.y1)}" '
                f'x2="{_num(shape.x2)}" y2="{_num(shape.y2)}" '
                f'stroke="{shape.colour}" stroke-width="{_num(shape.width)}"{dash}/>'
            )
        elif isinstance(shape, Polyline):
            points = " ".join(f"{_num(x)},{_num(y)}" for x, y in shape.points)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{shape.colour}" '
                f'stroke-width="{_num(shape.width)}" stroke-linejoin="round"/>'
            )
        elif isinstance(shape, Rect):
            stroke = f' stroke="{shape.stroke}" stroke-width="{_num(shape.width)}"' if shape.stroke else ""
            parts.append(
                f'<rect x="{_num(shape.x)}" y="{_num(shape.y)}" '
                f'width="{_num(shape.w)}" height="{_num(shape.h)}" '
                f'fill="{shape.fill or "none"}"{stroke}/>'
            )
        elif isinstance(shape, Text):
            weight = ' font-weight="bold"' if shape.bold else ""
            parts.append(
                f'<text x="{_num(shape.x)}" y="{_num(shape.y)}" font-size="{_num(shape.size)}" '
                f'text-anchor="{shape.anchor}" fill="{shape.colour}"{weight}>{escape(shape.text)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    total = sum(table.widths) or 1
    cols = "".join(f'<col style="width:{w / total:.1%}">' for w in table.widths)
    classes = [' class="r"' if table.alignment(i) == "r" else "" for i in range(len(table.headers))]
    head = "".join(f'<th{classes[i]} scope="col">{escape(h)}</th>' for i, h in enumerate(table.headers))
    body = "\n".join(
        "<tr>" + "".join(f"<td{classes[i]}>{escape(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in table.rows
    )
    return (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"
    )


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 2), 6)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Para):
        cls = f' class="{block.style}"' if block.style != "normal" else ""
        role = ' role="alert"' if block.style == "alert" else ""
        return f"<p{cls}{role}>{escape(block.text).replace(chr(10), '<br>')}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        caption = f'<figcaption class="small">{escape(block.caption)}</figcaption>' if block.caption else ""
        return f"<figure>{svg(block.figure)}{caption}</figure>"
    if isinstance(block, Facts):
        return (
            '<dl class="facts">'
            + "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in block.pairs)
            + "</dl>"
        )
    raise TypeError(f"unknown block {type(block).__name__}")  # pragma: no cover


def render(document: Document) -> str:
    """The whole document as an HTML5 page."""
    body = "\n".join(_block(b) for b in document.blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(document.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(document.title)}</h1>\n{body}\n</body>\n</html>\n"
    )
