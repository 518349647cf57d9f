"""The document tree as one HTML5 page: what the PDF writer prints and the live preview shows.

Every piece of text is escaped, so whatever staff typed into a survey (``<b>``, ``{{ x }}``,
``<img src=x>``) appears literally and can never become markup. Section numbers, 表n and 图n
come from the (already numbered) tree, never from CSS counters or ``<ol>``, so the PDF shows
exactly the numbers the DOCX shows.

Classes the print CSS styles (see templates/default/print.css):

    h1.title                          the report title
    h2 / h3 / h4 / h5                 headings of level 1 / 2 / 3 / 4, number in span.num
    p.body  p.plain  p.center  p.right  paragraph styles
    p.runin.level-N                   run-in paragraph; span.runin-heading.level-N holds the
                                      number (span.num) and the heading text
    table.data                        caption (span.label 表n), thead th, tbody td,
                                      tfoot tr.total td; td/th.align-left|center|right
    th > span.head-label, span.head-unit
                                      a header's label and unit (工业总产值 / （亿元））,
                                      each kept whole when it fits; table.data.wrap-label
                                      and table.data.wrap-all let them break (see
                                      HEADER_WRAP_CLASSES)
    p.table-note                      the line under a table (资料来源, units)
    figure.chart                      img + figcaption (span.label 图n)
    div.list.level-N > p.item         numbered items, number in span.num
    div.signature > p                 落款 lines
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from html import escape

from reportgen.document.headers import split_unit
from reportgen.document.model import (
    Block,
    Cell,
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Run,
    RunIn,
    Signature,
    Table,
    Title,
)

# An ideographic space between 表1 / 图1 and the caption, as in printed 公文.
LABEL_SEP = "\u3000"
_PARAGRAPH_STYLES = {"body", "plain", "center", "right"}
_ALIGNS = {"left", "center", "right"}


def _e(text: str) -> str:
    """Escape text for element content and attribute values alike (quotes included)."""
    return escape(text, quote=True)


def _runs(runs: list[Run]) -> str:
    parts: list[str] = []
    for run in runs:
        html = _e(run.text)
        if run.italic:
            html = f"<em>{html}</em>"
        if run.bold:
            html = f"<strong>{html}</strong>"
        parts.append(html)
    return "".join(parts)


def _num(number: str) -> str:
    return f'<span class="num">{_e(number)}</span>' if number else ""


def _heading_tag(level: int) -> str:
    # Level 1 is h2 because h1 is the report title; levels outside 1..4 are clamped so a
    # malformed tree still yields valid HTML.
    return f"h{min(max(level, 1), 4) + 1}"


# Names and numbers are kept on one line (print.css: nowrap) so an ordinary table reads
# cleanly; a cell longer than this may wrap instead of pushing the table off the page.
LONG_CELL_CHARS = 14


# A header line may break only before its unit: the label (工业总产值) and the unit (（亿元）)
# are each a span the print CSS keeps whole. Pango breaks Chinese between any two characters
# and WeasyPrint ignores `word-break: keep-all`, so the spans are inline blocks with
# `white-space: nowrap`; that makes a column at least as wide as its widest part, which can
# push a table with many columns off the page. The PDF writer then lays the page out again
# with one of these classes on that table: first the label may break (the unit stays whole),
# then both may (each still moves to a line of its own first, being an inline block).
HEADER_WRAP_CLASSES = ("", "wrap-label", "wrap-all")


def _header_text(text: str) -> str:
    if not text.strip() or "\n" in text:
        return _e(text)
    label, unit = split_unit(text)
    stripped = label.rstrip()
    html = f'<span class="head-label">{_e(stripped)}</span>'
    if unit:
        # A space typed before the unit stays between the spans, as typed.
        html += _e(label[len(stripped):]) + f'<span class="head-unit">{_e(unit)}</span>'
    return html


def _cell(cell: Cell, tag: str) -> str:
    align = cell.align if cell.align in _ALIGNS else "left"
    classes = f"align-{align}" + (" long" if len(cell.text) > LONG_CELL_CHARS else "")
    span = f' colspan="{int(cell.colspan)}"' if cell.colspan > 1 else ""
    content = _header_text(cell.text) if tag == "th" else _e(cell.text)
    return f'<{tag} class="{classes}"{span}>{content}</{tag}>'


def _rows(rows: list[list[Cell]], tag: str, row_class: str = "") -> list[str]:
    cls = f' class="{row_class}"' if row_class else ""
    return [f"<tr{cls}>" + "".join(_cell(c, tag) for c in row) + "</tr>" for row in rows]


def _label(label: str, caption: str) -> str:
    if not label:
        return _e(caption)
    return f'<span class="label">{_e(label)}</span>{LABEL_SEP}{_e(caption)}'


def _table(table: Table, wrap: int = 0) -> list[str]:
    wrap_class = HEADER_WRAP_CLASSES[min(max(wrap, 0), len(HEADER_WRAP_CLASSES) - 1)]
    classes = f"data {wrap_class}".rstrip()
    out = [f'<table class="{classes}">',
           f"<caption>{_label(table.label, table.caption)}</caption>"]
    if table.header:
        out += ["<thead>", *_rows(table.header, "th"), "</thead>"]
    out += ["<tbody>", *_rows(table.body, "td"), "</tbody>"]
    if table.total:
        # Totals go in tfoot so the preview and screen readers know them as a summary; the
        # print CSS turns tfoot back into an ordinary row group, otherwise WeasyPrint would
        # repeat the 合计 row at the foot of every page the table spans.
        out += ["<tfoot>", *_rows(table.total, "td", "total"), "</tfoot>"]
    out.append("</table>")
    if table.note:
        out.append(f'<p class="table-note">{_e(table.note)}</p>')
    return out


def _default_image_src(figure: Figure) -> str:
    # Without a resolver the page stays self-contained: the PNG travels inline.
    if figure.image is None:
        return ""
    return "data:image/png;base64," + base64.b64encode(figure.image).decode("ascii")


def _figure(figure: Figure, image_src: Callable[[Figure], str]) -> list[str]:
    out = ['<figure class="chart">']
    src = image_src(figure) if figure.image is not None else ""
    if src:
        out.append(f'<img src="{_e(src)}" alt="{_e(figure.spec.title or figure.caption)}">')
    out.append(f"<figcaption>{_label(figure.label, figure.caption)}</figcaption>")
    out.append("</figure>")
    return out


def _block(block: Block, image_src: Callable[[Figure], str], wrap: int = 0) -> list[str]:
    if isinstance(block, Title):
        return [f'<h1 class="title">{_e(block.text)}</h1>']
    if isinstance(block, Heading):
        tag = _heading_tag(block.level)
        return [f"<{tag}>{_num(block.number)}{_e(block.text)}</{tag}>"]
    if isinstance(block, Paragraph):
        style = block.style if block.style in _PARAGRAPH_STYLES else "body"
        return [f'<p class="{style}">{_runs(block.runs)}</p>']
    if isinstance(block, RunIn):
        level = int(block.level)
        head = (
            f'<span class="runin-heading level-{level}">'
            f"{_num(block.number)}{_e(block.heading)}</span>"
        )
        return [f'<p class="runin level-{level}">{head}{_runs(block.runs)}</p>']
    if isinstance(block, Table):
        return _table(block, wrap)
    if isinstance(block, Figure):
        return _figure(block, image_src)
    if isinstance(block, ListBlock):
        level = int(block.level)
        items = [f'<p class="item">{_num(i.number)}{_runs(i.runs)}</p>' for i in block.items]
        return [f'<div class="list level-{level}">', *items, "</div>"]
    if isinstance(block, Signature):
        lines = [f"<p>{_e(line)}</p>" for line in block.lines]
        return ['<div class="signature">', *lines, "</div>"]
    raise TypeError(f"未知的文档块类型：{type(block).__name__}")


def _document_title(document: Document) -> str:
    if document.title:
        return document.title
    return next((b.text for b in document.blocks if isinstance(b, Title)), "")


def document_to_html(
    document: Document,
    css_href: str | None = "print.css",
    image_src: Callable[[Figure], str] | None = None,
    header_wrap: Mapping[int, int] | None = None,
) -> str:
    """Serialise the numbered tree to a complete HTML5 page.

    `css_href` is linked as the stylesheet (None: no link). `image_src` gives each figure's
    ``<img src>``; by default the PNG is inlined as a data: URL so the page stands alone.
    `header_wrap` maps a table's position in ``document.tables()`` (0-based) to an index into
    HEADER_WRAP_CLASSES: how freely its headers may break (tables not in it: 0).
    """
    resolve = image_src or _default_image_src
    lang = document.lang or "zh-CN"
    head = [
        '<meta charset="utf-8">',
        f"<title>{_e(_document_title(document))}</title>",
    ]
    # WeasyPrint copies these into the PDF's Info dictionary (Author, CreationDate, ModDate);
    # dating them from the survey, not the clock, keeps rebuilds byte-identical.
    author = document.meta.get("author", "")
    if author:
        head.append(f'<meta name="author" content="{_e(author)}">')
    date = document.meta.get("date", "")
    if date:
        head.append(f'<meta name="dcterms.created" content="{_e(date)}">')
        head.append(f'<meta name="dcterms.modified" content="{_e(date)}">')
    if css_href:
        head.append(f'<link rel="stylesheet" href="{_e(css_href)}">')
    wraps = header_wrap or {}
    body: list[str] = []
    tables = 0
    for block in document.blocks:
        wrap = 0
        if isinstance(block, Table):
            wrap = wraps.get(tables, 0)
            tables += 1
        body.extend(_block(block, resolve, wrap))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{_e(lang)}">',
            "<head>",
            *head,
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )
