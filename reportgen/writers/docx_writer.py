"""The DOCX writer: the document tree → a Word document styled by the set's reference.docx.

The reference document supplies everything about looks: its styles (writers.styles), page setup
and footers are kept, its body is thrown away and the blocks are written in its place with
named styles only. Direct formatting is limited to what the tree itself says (bold/italic runs,
a cell's alignment, a total row's bold), so staff restyle the report by editing the reference
document in Word and nothing here.

Numbers (一、（一）1. 表1 图1) come from the tree; Word's automatic numbering is never used,
so the DOCX and the PDF always agree.

Reproducibility: core properties come from the document (title, author, date), never the
clock, and the zip entries get fixed timestamps, so the same input gives the same bytes.

Nothing outside the package: a reference document is edited by staff and passed around, and
Word follows what it points at when the report is opened (an attached template on a web
server, a linked picture, an INCLUDETEXT field reading a local file). The writer never reads
such targets, and it removes them, with a warning, so the report it writes cannot load
anything either (`drop_external_references`).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph as DocxParagraph

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
from reportgen.errors import ReportgenError, TemplateError
from reportgen.files import TooLarge, check_zip
from reportgen.templating.templateset import REFERENCE_DOCX, TemplateSet
from reportgen.writers.reference_docx import deterministic_zip, w_element

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.styles.style import BaseStyle
    from docx.styles.styles import Styles
    from lxml import etree

log = logging.getLogger(__name__)

# Limits on a template set's reference.docx (the default one is about 40 KB, 300 KB unpacked).
REFERENCE_MAX_BYTES = 20 * 1024 * 1024
REFERENCE_MAX_UNPACKED = 50 * 1024 * 1024
REFERENCE_MAX_RATIO = 200

FIGURE_WIDTH = Cm(14)
# What a reference document that does not say so gets from Word: 10 pt text and cells with
# 0.19 cm (108 twips) left and right margins.
WORD_DEFAULT_PT = 10.0
WORD_DEFAULT_CELL_MARGIN = 108
# Room left over when judging whether a header fits its cell: our widths are estimates
# (CJK and full-width characters 1 em, the rest ½ em), a line that only just fits by them
# may not in Word, and a header Word breaks itself breaks between any two characters.
HEADER_SLACK_TWIPS = 40
IDEOGRAPHIC_SPACE = "\u3000"  # between 表1 and the caption, as in 表1　各集群基本情况
TWIPS_PER_EMU = 1 / 635

PARAGRAPH_STYLES = {
    "body": "Body Text",
    "plain": "Body Text No Indent",
    "center": "Body Text Center",
    "right": "Body Text Right",
}

# XML 1.0 refuses C0 controls other than tab/newline/CR, lone surrogates and U+FFFE/FFFF;
# C1 controls and DEL are legal but invisible junk in a report, so they go as well.
_REFUSED_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text python-docx and Word accept: CR line ends become newlines, refused chars go."""
    return _REFUSED_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _display_width(text: str) -> int:
    """Width in half-width character cells: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Ems a character takes, on the wide side: Chinese and full-width characters 1 em; digits
# and small letters 0.5-0.64 em depending on the font (Times New Roman in Word, DejaVu Serif
# where LibreOffice lacks it), capitals and signs such as % up to 0.95 em. Word and
# LibreOffice add about ¼ em where Chinese meets Latin letters or digits (2024 年).
_SMALL_EM = 0.65
_LARGE_EM = 0.95
_SPACE_EM = 0.3
_AUTOSPACE_EM = 0.25


def text_twips(text: str, size_pt: float) -> int:
    """Estimated width (twips) of one line of `text` at `size_pt`, erring on the wide side."""
    ems = 0.0
    previous = ""
    for ch in text:
        ems += _char_em(ch)
        if previous and _autospaced(previous, ch):
            ems += _AUTOSPACE_EM
        previous = ch
    return round(ems * size_pt * 20)


def _char_em(ch: str) -> float:
    if _is_wide(ch):
        return 1.0
    if ch.isspace():
        return _SPACE_EM
    return _SMALL_EM if ch.isdigit() or ch.islower() or ch in ".,:;'!|-()" else _LARGE_EM


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _autospaced(a: str, b: str) -> bool:
    """Whether Word puts its ¼ em between a and b: a Chinese character next to A-Z a-z 0-9."""
    if _is_wide(a) == _is_wide(b):
        return False
    wide, narrow = (a, b) if _is_wide(a) else (b, a)
    return wide.isalpha() and narrow.isascii() and narrow.isalnum()


def header_floors(header: list[list[Cell]], columns: int, size_pt: float,
                  cell_margins: int, units_only: bool = False) -> list[int]:
    """The width (twips) each column needs for its header's label and unit to fit whole.

    工业总产值（亿元） needs room for 工业总产值 (the wider part): then Word breaks the header
    before （亿元） only. With `units_only`, room for the unit alone (labels may break, 亿元
    may not). Parts longer than 12 Chinese characters are not asked for, as in
    `column_widths`. Headers spanning columns ask for nothing.
    """
    floors = [0] * columns
    for row in header:
        col = 0
        for cell in row:
            if cell.colspan <= 1 and col < columns:
                label, unit = split_unit(clean_text(cell.text))
                parts = [unit] if units_only else [*label.split("\n"), unit]
                # At most 12 Chinese characters (24 half-width cells, as in column_widths).
                widest = min(max(text_twips(part.strip(), size_pt) for part in parts),
                             round(12 * size_pt * 20))
                if widest:
                    need = widest + cell_margins + HEADER_SLACK_TWIPS
                    floors[col] = max(floors[col], need)
            col += max(cell.colspan, 1)
    return floors


def number_widths(rows: list[list[Cell]], columns: int, size_pt: float,
                  cell_margins: int) -> list[int]:
    """The width (twips) each column needs for its numbers (cells without Chinese) on one line.

    Word breaks a number too long for its cell between any two digits, so a column giving
    room to a header keeps this much; text with Chinese in it wraps anyway and keeps nothing.
    """
    widths = [0] * columns
    for row in rows:
        col = 0
        for cell in row:
            text = clean_text(cell.text).strip()
            if (cell.colspan <= 1 and col < columns and text
                    and not any(_is_wide(ch) for ch in text)):
                longest = max(text_twips(line, size_pt) for line in text.split("\n"))
                widths[col] = max(widths[col], longest + cell_margins + HEADER_SLACK_TWIPS)
            col += max(cell.colspan, 1)
    return widths


def _raise_to_floors(widths: list[int], floors: list[int],
                     keep: list[int]) -> list[int] | None:
    """`widths` with every column at least its floor, the room taken from other columns.

    A donor gives in proportion to what it has above both its own floor and its `keep`, so
    none drops below either. None when the donors do not have that much room.
    """
    short = [i for i, (w, f) in enumerate(zip(widths, floors, strict=True)) if w < f]
    if not short:
        return widths
    deficit = sum(floors[i] - widths[i] for i in short)
    spare = {i: w - max(floors[i], keep[i]) for i, w in enumerate(widths)
             if i not in short and w > max(floors[i], keep[i])}
    room = sum(spare.values())
    if room < deficit:
        return None
    result = list(widths)
    for i in short:
        result[i] = floors[i]
    for i, extra in spare.items():
        result[i] -= deficit * extra // room
    # Rounding remainder (never negative): to the column with the most room to spare.
    result[max(spare, key=lambda i: result[i] - floors[i])] += sum(widths) - sum(result)
    return result


def column_widths(rows: list[list[Cell]], columns: int, total: int,
                  floors: Sequence[list[int]] = (), keep: list[int] | None = None) -> list[int]:
    """Column widths (twips) summing to `total`, from each column's longest single-span text.

    Widths follow the content within bounds, so a column of two-digit numbers does not get as
    much room as the cluster names; the first column (the names) is never narrower than the
    widest other column, so long names wrap less. `floors` are minimum widths per column
    (twips, see `header_floors`), best first: columns are raised to the first set the other
    columns can make room for without going below their `keep` (see `number_widths`).
    """
    need = [0] * columns
    for row in rows:
        col = 0
        for cell in row:
            if cell.colspan == 1 and col < columns:
                longest = max((_display_width(line) for line in cell.text.split("\n")),
                              default=0)
                need[col] = max(need[col], longest)
            col += max(cell.colspan, 1)
    # Between 4 and 24 half-width cells (2 to 12 Chinese characters) of weight per column.
    weights = [min(max(n, 4), 24) + 2 for n in need]
    if columns > 1:
        weights[0] = max(weights[0], max(weights[1:]))
    scale = total / sum(weights)
    widths = [int(w * scale) for w in weights]
    widths[-1] += total - sum(widths)  # rounding remainder
    for floor in floors:
        raised = _raise_to_floors(widths, floor, keep or [0] * columns)
        if raised is not None:
            return raised
    return widths


class _TableMetrics(NamedTuple):
    header_pt: float  # font size of 'Table Header'
    text_pt: float  # font size of 'Table Text'
    cell_margins: int  # left + right, twips


class _Styles:
    """Style ids by name, looked up once per document (python-docx's lookup by name is slow)."""

    def __init__(self, doc: DocxDocument, source: str) -> None:
        self._source = source
        self._ids: dict[tuple[str, WD_STYLE_TYPE], str] = {}
        for style in doc.styles:
            if style.name is not None:
                self._ids[(style.name, style.type)] = style.style_id

    def id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str:
        try:
            return self._ids[(name, kind)]
        except KeyError:
            raise TemplateError(
                f"参考文档缺少样式“{name}”；请用 python -m reportgen.writers.reference_docx "
                "生成的默认参考文档作底稿修改样式", file=self._source) from None


class _Builder:
    """Appends blocks to the body of one python-docx document, in order."""

    def __init__(self, doc: DocxDocument, source: str) -> None:
        self.doc = doc
        self.styles = _Styles(doc, source)
        self.body = doc.element.body
        self.sect_pr = self.body.find(qn("w:sectPr"))
        width = 0
        if self.sect_pr is not None:
            section = doc.sections[-1]
            width = (section.page_width or 0) - (section.left_margin or 0) - (
                section.right_margin or 0)
        # Text width in EMU and twips; 156 mm on the default A4 page.
        self.text_width_emu = int(width) if width > 0 else int(Cm(15.6))
        self.text_width_twips = round(self.text_width_emu * TWIPS_PER_EMU)
        self._table_metrics: _TableMetrics | None = None

    def table_metrics(self) -> _TableMetrics:
        """Font sizes and cell margins of tables, as the reference document sets them.

        Staff may restyle the reference, so header breaks follow the sizes Word will use.
        """
        if self._table_metrics is None:
            styles = self.doc.styles
            table_chain = _style_chain(styles, "Report Table")
            margins = next((m for s in table_chain if (m := _cell_margins(s.element)) is not None),
                           2 * WORD_DEFAULT_CELL_MARGIN)
            self._table_metrics = _TableMetrics(
                header_pt=self._size_pt([*_style_chain(styles, "Table Header"), *table_chain]),
                text_pt=self._size_pt([*_style_chain(styles, "Table Text"), *table_chain]),
                cell_margins=margins)
        return self._table_metrics

    def _size_pt(self, chain: list[BaseStyle]) -> float:
        # Paragraph style, then the table style, then the document default (Word's order).
        sizes = (getattr(getattr(style, "font", None), "size", None) for style in chain)
        size = next((z.pt for z in sizes if z is not None), None)
        return float(size) if size is not None else _default_size_pt(self.doc)

    # -- plumbing ----------------------------------------------------------------------

    def clear_body(self) -> None:
        """Remove the reference's body content; its final sectPr (page setup, footers) stays."""
        for child in list(self.body):
            if child is not self.sect_pr:
                self.body.remove(child)

    def _append(self, element: etree._Element) -> None:
        if self.sect_pr is not None:
            self.sect_pr.addprevious(element)
        else:
            self.body.append(element)

    def _last_is_table(self) -> bool:
        if self.sect_pr is not None:
            last = self.sect_pr.getprevious()
        else:
            last = self.body[-1] if len(self.body) else None
        return last is not None and last.tag == qn("w:tbl")

    def paragraph(self, style: str, runs: list[Run] | None = None,
                  text: str | None = None) -> DocxParagraph:
        p = w_element("w:p")
        ppr = w_element("w:pPr")
        ppr.append(w_element("w:pStyle", val=self.styles.id(style)))
        p.append(ppr)
        self._append(p)
        para = DocxParagraph(p, self.doc._body)
        if text:
            para.add_run(clean_text(text))
        for run in runs or []:
            self.run(para, run)
        return para

    def run(self, para: DocxParagraph, run: Run, char_style: str | None = None) -> None:
        text = clean_text(run.text)
        if not text and char_style is None:
            return
        r = para.add_run(text)
        if char_style:
            r._r.style = self.styles.id(char_style, WD_STYLE_TYPE.CHARACTER)
        # The only direct run formatting: emphasis the tree itself carries.
        if run.bold:
            r.bold = True
        if run.italic:
            r.italic = True

    # -- blocks ------------------------------------------------------------------------

    def add(self, block: Block) -> None:
        if isinstance(block, Title):
            self.paragraph("Title", text=block.text)
        elif isinstance(block, Heading):
            level = min(max(block.level, 1), 4)
            self.paragraph(f"Heading {level}", text=block.number + block.text)
        elif isinstance(block, Paragraph):
            self.paragraph(PARAGRAPH_STYLES.get(block.style, "Body Text"), runs=block.runs)
        elif isinstance(block, RunIn):
            self.run_in(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        elif isinstance(block, ListBlock):
            for item in block.items:
                para = self.paragraph("List Number")
                if item.number:
                    self.run(para, Run(item.number))
                for run in item.runs:
                    self.run(para, run)
        elif isinstance(block, Signature):
            self.paragraph("Body Text")  # 落款 stands one blank line below the text
            for line in block.lines:
                self.paragraph("Signature", text=line)
        else:
            kind = getattr(block, "kind", type(block).__name__)
            raise ReportgenError(f"DOCX 写入器不支持的内容块：{kind}")

    def run_in(self, block: RunIn) -> None:
        level = min(max(block.level, 2), 4)
        para = self.paragraph("Body Text")
        self.run(para, Run(block.number + block.heading), char_style=f"Run-in Heading {level}")
        for run in block.runs:
            self.run(para, run)

    def table(self, block: Table) -> None:
        caption = _labelled(block.label, block.caption)
        if caption:
            self.paragraph("Table Caption", text=caption)
        elif self._last_is_table():
            # Two tables with nothing between them would merge into one in Word.
                self.paragraph("Body Text No Indent")
        rows = [*block.header, *block.body, *block.total]
        if not rows:
            return
        columns = max(sum(max(c.colspan, 1) for c in row) for row in rows)
        metrics = self.table_metrics()
        # Room for whole labels and units if the table has it, else for whole units.
        floors = [header_floors(block.header, columns, metrics.header_pt, metrics.cell_margins,
                                units_only) for units_only in (False, True)]
        keep = number_widths([*block.body, *block.total], columns, metrics.text_pt,
                             metrics.cell_margins)
        widths = column_widths(rows, columns, self.text_width_twips, floors, keep)
        table = self.doc.add_table(rows=len(rows), cols=columns)
        tbl = table._tbl
        # add_table appends at the end of the body; move it before the sectPr.
        self._append(tbl)
        tbl_pr = tbl.tblPr
        tbl_pr.style = self.styles.id("Report Table", WD_STYLE_TYPE.TABLE)
        tbl_w = tbl_pr.find(qn("w:tblW"))  # python-docx always writes one
        if tbl_w is not None:
            tbl_w.set(qn("w:type"), "dxa")
            tbl_w.set(qn("w:w"), str(self.text_width_twips))
        # Fixed layout: Word and LibreOffice keep our column widths instead of autofitting.
        tbl_pr.get_or_add_tblLayout().type = "fixed"
        for grid_col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            grid_col.set(qn("w:w"), str(width))
        header_rows = len(block.header)
        total_from = len(block.header) + len(block.body)
        header_style = self.styles.id("Table Header")
        text_style = self.styles.id("Table Text")
        for index, (tr, cells) in enumerate(zip(tbl.tr_lst, rows, strict=True)):
            tr_pr = tr.get_or_add_trPr()
            tr_pr.append(w_element("w:cantSplit"))  # schema order: cantSplit before tblHeader
            if index < header_rows:
                tr_pr.append(w_element("w:tblHeader"))  # repeated on every page the table spans
            tcs = list(tr.tc_lst)
            for tc, width in zip(tcs, widths, strict=True):
                tc.get_or_add_tcPr().width = int(width / TWIPS_PER_EMU)
            is_header = index < header_rows
            bold = index >= total_from
            col = 0
            for cell in cells:
                span = max(cell.colspan, 1)
                tc = tcs[col]
                if span > 1:
                    tc = tc.merge(tcs[col + span - 1])
                self._fill_cell(tc, cell, header_style if is_header else text_style,
                                is_header, bold, sum(widths[col:col + span]))
                col += span
            for tc in tcs[col:]:
                self._fill_cell(tc, Cell(""), text_style, False, False, 0)
        if block.note:
            self.paragraph("Table Note", text=block.note)

    def _fill_cell(self, tc: etree._Element, cell: Cell, style_id: str, is_header: bool,
                   bold: bool, width: int) -> None:
        p = tc.p_lst[0]
        p.style = style_id
        # Header cells are centred by their style; body cells follow the tree's alignment
        # ('Table Text' is left-aligned, so only centre/right need saying).
        if not is_header and cell.align in ("center", "right"):
            p.get_or_add_pPr().append(w_element("w:jc", val=cell.align))
        text = clean_text(cell.text)
        if is_header:
            text = self._break_header(text, width)
        if text:
            run = DocxParagraph(p, self.doc._body).add_run(text)
            if bold:
                run.bold = True  # 合计 rows

    def _break_header(self, text: str, width: int) -> str:
        """The header with a line break before its unit when it does not fit on one line.

        Word and LibreOffice break Chinese between any two characters (工业总产/值（亿/元）);
        an explicit break before the unit (python-docx writes the newline as w:br) gives
        工业总产值 / （亿元）. A header that fits is left as one line.
        """
        label, unit = split_unit(text)
        if not unit:
            return text
        metrics = self.table_metrics()
        if text_twips(text, metrics.header_pt) + metrics.cell_margins + HEADER_SLACK_TWIPS <= width:
            return text
        return label.rstrip() + "\n" + unit.strip()

    def figure(self, block: Figure) -> None:
        label = block.label or "图"
        if block.image is None:
            raise ReportgenError(
                f"{label}“{block.caption}”还没有生成图片：请先渲染图表再写 DOCX")
        para = self.paragraph("Figure")
        width = min(int(FIGURE_WIDTH), self.text_width_emu)
        try:
            shape = para.add_run().add_picture(io.BytesIO(block.image), width=width)
        except Exception as exc:  # python-docx raises several types for a bad image
            raise ReportgenError(f"{label}“{block.caption}”的图片无法读取：{exc}") from exc
        # Alt text for screen readers: the caption.
        shape._inline.docPr.set("descr", clean_text(_labelled(block.label, block.caption)))
        caption = _labelled(block.label, block.caption)
        if caption:
            self.paragraph("Image Caption", text=caption)

    def finish(self) -> None:
        if self._last_is_table():
            # Word wants a paragraph after a final table.
            self.paragraph("Body Text No Indent")


_R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Elements that only exist to point at their external target go with it; elsewhere (a
# hyperlink, a picture's r:link) only the reference attribute is removed.
_DROP_WITH_TARGET = {qn("w:attachedTemplate"), qn("w:subDoc"), qn("w:altChunk"),
                     "{urn:schemas-microsoft-com:office:office}OLEObject"}
# Field codes that make Word read a file or reach the network when fields are updated.
_LOADING_FIELD = re.compile(r"\s*(INCLUDE\w*|LINK|DDE|DDEAUTO|IMPORT)\b", re.IGNORECASE)


def drop_external_references(doc: DocxDocument) -> list[str]:
    """Remove every external relationship and file-loading field; what was removed, for staff.

    python-docx never fetches an external target, so reading the reference is safe; this
    makes the written report equally inert in Word and LibreOffice.
    """
    removed: list[str] = []
    package = doc.part.package
    for owner in [package, *package.iter_parts()]:
        element = getattr(owner, "_element", None)
        for r_id, rel in list(owner.rels.items()):
            if not rel.is_external:
                continue
            removed.append(rel.target_ref)
            del owner.rels[r_id]
            if element is not None:
                _unlink(element, r_id)
    for part in package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            removed += _drop_loading_fields(element)
    return removed


def _unlink(element: etree._Element, r_id: str) -> None:
    for el in list(element.iter()):
        for name, value in list(el.attrib.items()):
            if not (name.startswith(_R_NS) and value == r_id):
                continue
            parent = el.getparent()
            if el.tag in _DROP_WITH_TARGET and parent is not None:
                parent.remove(el)
                break
            del el.attrib[name]


def _drop_loading_fields(element: etree._Element) -> list[str]:
    removed: list[str] = []
    for simple in list(element.iter(qn("w:fldSimple"))):
        instr = simple.get(qn("w:instr"), "")
        parent = simple.getparent()
        if _LOADING_FIELD.match(instr) and parent is not None:
            # Keep the field's last shown result (its runs), drop the instruction.
            for child in list(simple):
                simple.addprevious(child)
            parent.remove(simple)
            removed.append(instr.strip())
    for instr_text in list(element.iter(qn("w:instrText"))):
        if _LOADING_FIELD.match(instr_text.text or ""):
            removed.append((instr_text.text or "").strip())
            # An empty field code loads nothing; the begin/separate/end marks stay valid.
            instr_text.text = ""
    return removed


def _style_chain(styles: Styles, name: str) -> list[BaseStyle]:
    """The style called `name` and the styles it is based on, nearest first."""
    chain: list[BaseStyle] = []
    style = next((s for s in styles if s.name == name), None)
    while style is not None and style not in chain:
        chain.append(style)
        style = style.base_style
    return chain


def _default_size_pt(doc: DocxDocument) -> float:
    """The document default font size (w:docDefaults), Word's own default without one."""
    size = doc.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    try:
        return int(size.get(qn("w:val"), "")) / 2 if size is not None else WORD_DEFAULT_PT
    except ValueError:
        return WORD_DEFAULT_PT


def _cell_margins(style: etree._Element) -> int | None:
    """Left + right cell margins (twips) a table style sets, None when it sets neither."""
    mar = style.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
    if mar is None:
        return None
    total, found = 0, False
    for side, alternative in (("left", "start"), ("right", "end")):
        edge = mar.find(qn(f"w:{side}"))
        if edge is None:
            edge = mar.find(qn(f"w:{alternative}"))
        if edge is not None and edge.get(qn("w:type"), "dxa") == "dxa":
            try:
                total += int(edge.get(qn("w:w"), "0"))
                found = True
                continue
            except ValueError:
                pass
        total += WORD_DEFAULT_CELL_MARGIN
    return total if found else None


def _labelled(label: str, caption: str) -> str:
    return IDEOGRAPHIC_SPACE.join(part for part in (label, caption.strip()) if part)


def _document_date(document: Document) -> datetime | None:
    raw = (document.meta.get("date") or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        raise ReportgenError(f"报告日期“{raw}”不是 ISO 格式（YYYY-MM-DD）") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _set_core_properties(doc: DocxDocument, document: Document) -> None:
    core = doc.core_properties
    title = document.title or next(
        (b.text for b in document.blocks if isinstance(b, Title)), "")
    # python-docx refuses core-property strings over 255 characters.
    core.title = clean_text(title).replace("\n", " ")[:255]
    author = clean_text(document.meta.get("author") or "").replace("\n", " ")[:255]
    core.author = author
    core.last_modified_by = author
    core.language = document.lang
    core.revision = 1
    when = _document_date(document)
    if when is not None:
        core.created = when
        core.modified = when
    # Without a date the reference's own (fixed) dates stay, which is deterministic too.


class DocxWriter:
    name = "docx"
    suffix = ".docx"

    def prepare(self, template_set: TemplateSet) -> None:
        """Nothing to do ahead: python-docx is imported with this module."""

    def write(self, document: Document, template_set: TemplateSet, out: BinaryIO) -> None:
        path = template_set.reference_docx
        if not path.is_file():
            raise TemplateError(f"模板集“{template_set.name}”缺少参考文档 {REFERENCE_DOCX}",
                                file=str(path))
        try:
            # A reference document is a few hundred KB; one that unpacks to gigabytes would
            # put a 67 MB styles.xml into every report (or exhaust memory) before failing.
            check_zip(path, max_bytes=REFERENCE_MAX_BYTES, max_unpacked=REFERENCE_MAX_UNPACKED,
                      max_ratio=REFERENCE_MAX_RATIO)
        except TooLarge as exc:
            raise TemplateError(f"参考文档 {REFERENCE_DOCX} {exc}；请用 Word 另存一份正常的 .docx",
                                file=str(path)) from exc
        except (OSError, zipfile.BadZipFile) as exc:
            raise TemplateError(f"参考文档无法打开（需要 .docx 格式）：{exc}",
                                file=str(path)) from exc
        try:
            doc = docx.Document(str(path))
        except Exception as exc:  # zip, XML or content-type errors from a hand-edited file
            raise TemplateError(f"参考文档无法打开（需要 .docx 格式）：{exc}",
                                file=str(path)) from exc
        removed = drop_external_references(doc)
        if removed:
            log.warning("参考文档 %s 中有引用外部文件或网址的内容，已删除，"
                        "生成的 DOCX 不会加载它们：%s", path, "；".join(removed))
        builder = _Builder(doc, str(path))
        builder.clear_body()
        for block in document.blocks:
            builder.add(block)
        builder.finish()
        _set_core_properties(doc, document)
        buffer = io.BytesIO()
        doc.save(buffer)
        out.write(deterministic_zip(buffer.getvalue()))
