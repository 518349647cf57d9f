"""Table headers break before their unit (工业总产值 / （亿元）), never inside 亿元 or a word.

One rule (document.headers.split_unit) says where the unit starts; the DOCX writer puts a
w:br there when the header does not fit its column, and the PDF (WeasyPrint) keeps the label
and the unit each in one piece. The PDFs are read back with poppler's `pdftotext -bbox`,
which gives every piece of text on a line with its position, so a header broken inside 亿元
shows up as a piece （亿 and a piece 元） below it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import docx
import pytest
from docx.oxml.ns import qn
from lxml import html as lxml_html

from reportgen.document.headers import HeaderParts, split_unit
from reportgen.document.model import Cell, Document, Table, Title
from reportgen.templating.templateset import TemplateSet, templates_root
from reportgen.writers.docx_writer import DocxWriter, column_widths, text_twips
from reportgen.writers.html import document_to_html
from reportgen.writers.pdf_writer import (
    SAFETY_CSS,
    PdfWriter,
    ResourcePolicy,
    make_url_fetcher,
    overflowing_tables,
)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="需要 poppler-utils（pdftotext）")

# Seven columns: 工业总产值（亿元） cannot stay on one line, but 工业总产值 and （亿元） each fit.
NARROW_HEADERS = ["集群", "企业数（家）", "工业总产值（亿元）", "营业收入（亿元）",
                  "从业人员（人）", "利润(亿元)", "2024年营业收入（万元）"]
NARROW_ROW = ["纺织", "169", "1552.50", "1234.56", "12000", "88.12", "9.10"]
# Ten columns of 工业总产值（亿元）: even the units do not all fit across the page.
CROWDED_HEADERS = ["集群名称"] + ["工业总产值（亿元）"] * 9
CROWDED_ROW = ["甲"] + ["12.5"] * 9
# Four columns: every header fits on one line as it is.
WIDE_HEADERS = ["集群名称", "企业数（家）", "工业总产值（亿元）", "营业收入（亿元）"]
WIDE_ROW = ["纺织服装产业集群", "169", "1552.50", "1234.56"]


def make_table(number: int, caption: str, headers: list[str], row: list[str]) -> Table:
    body = [[Cell(text, "left" if i == 0 else "right") for i, text in enumerate(row)]] * 2
    return Table(caption=caption, number=number,
                 header=[[Cell(h, "center") for h in headers]], body=body)


def make_document() -> Document:
    return Document(
        title="表头换行",
        meta={"date": "2025-03-15"},
        blocks=[Title("表头换行"),
                make_table(1, "七列的表", NARROW_HEADERS, NARROW_ROW),
                make_table(2, "四列的表", WIDE_HEADERS, WIDE_ROW),
                make_table(3, "十列的表", CROWDED_HEADERS, CROWDED_ROW)],
    )


def template_set(name: str) -> TemplateSet:
    return TemplateSet(name, templates_root() / name)


# -- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "label", "unit"), [
    ("工业总产值（亿元）", "工业总产值", "（亿元）"),
    ("面积(万亩)", "面积", "(万亩)"),
    ("占比（%）", "占比", "（%）"),
    ("2024年营业收入（万元）", "2024年营业收入", "（万元）"),
    ("产值 （亿元）", "产值 ", "（亿元）"),  # the space stays with the label
    ("产值（亿元)", "产值", "（亿元)"),  # mixed brackets, as staff type them
    ("产值（现价）（亿元）", "产值（现价）", "（亿元）"),  # only the last bracket is the unit
    ("集群名称", "集群名称", ""),
    ("（亿元）", "（亿元）", ""),  # nothing to break before
    ("产值（）", "产值（）", ""),
    ("产值（亿元）合计", "产值（亿元）合计", ""),  # not at the end
    ("产值\n（亿元）", "产值\n（亿元）", ""),  # staff broke it already
    ("", "", ""),
])
def test_split_unit(text: str, label: str, unit: str) -> None:
    parts = split_unit(text)
    assert parts == HeaderParts(label, unit)
    assert parts.label + parts.unit == text


# -- DOCX -------------------------------------------------------------------------------


def write_docx(document: Document, name: str = "default") -> docx.document.Document:
    out = io.BytesIO()
    DocxWriter().write(document, template_set(name), out)
    return docx.Document(io.BytesIO(out.getvalue()))


def header_pieces(table: docx.table.Table) -> dict[str, list[str]]:
    """Each header cell's run content in order: text pieces and "<br>" for a w:br."""
    pieces: dict[str, list[str]] = {}
    for tc in table._tbl.tr_lst[0].tc_lst:
        items: list[str] = []
        for el in tc.iter(qn("w:t"), qn("w:br")):
            items.append("<br>" if el.tag == qn("w:br") else el.text or "")
        pieces["".join(i for i in items if i != "<br>")] = items
    return pieces


def grid_widths(table: docx.table.Table) -> list[int]:
    return [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]


CELL_MARGINS = 2 * 85  # left + right cell margins of both sets' Report Table style
HEADER_PT = {"default": 12.0, "brief": 10.5}  # 'Table Header': 小四 and 五号
# Where the text block ends on the page (pt from the left edge of A4): print.css margins.
RIGHT_EDGE = {"default": 595.28 - 26 / 25.4 * 72, "brief": 595.28 - 25 / 25.4 * 72}


class Written(NamedTuple):
    set_name: str
    tables: list[docx.table.Table]


@pytest.fixture(scope="module", params=["default", "brief"])
def written(request: pytest.FixtureRequest) -> Written:
    return Written(request.param, list(write_docx(make_document(), request.param).tables))


def test_docx_breaks_before_the_unit_in_a_narrow_column(written: Written) -> None:
    pieces = header_pieces(written.tables[0])
    assert pieces["工业总产值（亿元）"] == ["工业总产值", "<br>", "（亿元）"]
    assert pieces["利润(亿元)"] == ["利润", "<br>", "(亿元)"]
    assert pieces["2024年营业收入（万元）"] == ["2024年营业收入", "<br>", "（万元）"]
    assert pieces["集群"] == ["集群"]  # no unit, nothing added


def test_docx_columns_leave_room_for_the_label(written: Written) -> None:
    widths = grid_widths(written.tables[0])
    size = HEADER_PT[written.set_name]
    for col, header in enumerate(NARROW_HEADERS):
        label, unit = split_unit(header)
        for part in (label, unit):
            assert widths[col] - CELL_MARGINS >= text_twips(part.strip(), size), (header, part)


def test_docx_header_that_fits_stays_on_one_line(written: Written) -> None:
    pieces = header_pieces(written.tables[1])
    assert all(items == [text] for text, items in pieces.items()), pieces
    # The widths are those the content alone gives: nothing was raised for the headers.
    rows = [[Cell(h) for h in WIDE_HEADERS], [Cell(c) for c in WIDE_ROW]]
    widths = grid_widths(written.tables[1])
    assert widths == column_widths(rows, len(WIDE_HEADERS), sum(widths))


def test_docx_crowded_table_still_breaks_before_the_unit(written: Written) -> None:
    pieces = header_pieces(written.tables[2])
    assert pieces["工业总产值（亿元）"] == ["工业总产值", "<br>", "（亿元）"]
    # No room to give: the table keeps the page width.
    assert sum(grid_widths(written.tables[2])) == sum(grid_widths(written.tables[0]))


def test_column_widths_raise_columns_to_their_floors() -> None:
    rows = [[Cell("很长很长很长很长的集群名称"), Cell("企业数（家）"), Cell("1234567.89")],
            [Cell("甲"), Cell("1"), Cell("1")]]
    plain = column_widths(rows, 3, 6000)
    assert plain[1] < 2000
    keep = [0, 0, plain[2]]
    widths = column_widths(rows, 3, 6000, floors=[[0, 2000, 0]], keep=keep)
    assert sum(widths) == 6000
    # The name column gave the room; the number column kept what its numbers need.
    assert widths[1] == 2000 and widths[2] == plain[2] and widths[0] < plain[0]
    # Floors the other columns cannot make room for: the next set is tried, then none.
    assert column_widths(rows, 3, 6000, floors=[[0, 5000, 0], [0, 2000, 0]], keep=keep) == widths
    assert column_widths(rows, 3, 6000, floors=[[0, 5000, 0]], keep=keep) == plain


@pytest.mark.slow
@needs_poppler
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_shows_label_and_unit_on_two_lines(tmp_path: Path) -> None:
    out = io.BytesIO()
    DocxWriter().write(make_document(), template_set("default"), out)
    source = tmp_path / "headers.docx"
    source.write_bytes(out.getvalue())
    profile = tmp_path / "lo-profile"  # own profile: no clash with another soffice running
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / "headers.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stderr
    first_table = between(pdf_words(pdf), "七列的表", "四列的表")
    assert_label_over_unit(first_table, "工业总产值", "（亿元）")
    assert_label_over_unit(first_table, "营业收入", "（亿元）")
    assert_units_whole(first_table)


# -- PDF --------------------------------------------------------------------------------


class Word(NamedTuple):
    """A piece of text pdftotext found on one line, with its box in points."""

    text: str
    page: int
    x: float
    y: float
    x_max: float
    y_max: float


def pdf_words(pdf: Path) -> list[Word]:
    xhtml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                           capture_output=True, text=True, check=True, timeout=60).stdout
    words: list[Word] = []
    for number, page in enumerate(xhtml.split("<page ")[1:], start=1):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">([^<]*)</word>', page):
            words.append(Word(lxml_html.fromstring(m.group(5) or " ").text_content(), number,
                              *(float(m.group(i)) for i in range(1, 5))))
    return words


def between(words: list[Word], start: str, end: str | None) -> list[Word]:
    """The words from the caption `start` up to the caption `end` (None: to the end)."""

    def where(caption: str) -> tuple[int, float]:
        # pdftotext may cut 表2　四列的表 into pieces; the caption's own text is one of them.
        return next((w.page, w.y) for w in words if caption in w.text)

    first = where(start)
    last = where(end) if end is not None else (len(words) + 1, 0.0)
    return [w for w in words if first <= (w.page, w.y) < last]


def assert_label_over_unit(words: list[Word], label: str, unit: str) -> None:
    """`label` is one piece and `unit` another, on the next line, centred under it."""
    above = [w for w in words if w.text == label]
    assert above, (label, [w.text for w in words])
    for top in above:
        below = [w for w in words if w.text == unit and 0 < w.y - top.y < 2.5 * (top.y_max - top.y)
                 and abs((w.x + w.x_max) / 2 - (top.x + top.x_max) / 2) < 3]
        assert below, (label, unit, [w for w in words if w.y > top.y][:12])


def assert_units_whole(words: list[Word]) -> None:
    """No piece of text ends inside a unit or starts with its rest (（亿 / 元）)."""
    for w in words:
        assert not re.search(r"[（(][^）)]*$", w.text), w
        assert not re.match(r"^[^（(]*[）)]", w.text), w


class Printed(NamedTuple):
    set_name: str
    path: Path


@pytest.fixture(scope="module", params=["default", "brief"])
def printed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    path = tmp_path_factory.mktemp("headers") / f"{request.param}.pdf"
    out = io.BytesIO()
    PdfWriter().write(make_document(), template_set(request.param), out)
    path.write_bytes(out.getvalue())
    return Printed(request.param, path)


@pytest.mark.slow
@needs_poppler
def test_pdf_breaks_before_the_unit_only(printed: Printed) -> None:
    narrow = between(pdf_words(printed.path), "七列的表", "四列的表")
    for header in NARROW_HEADERS[1:]:
        label, unit = split_unit(header)
        assert header not in {w.text for w in narrow}, header  # it did have to wrap
        assert_label_over_unit(narrow, label, unit)
    assert_units_whole(narrow)


@pytest.mark.slow
@needs_poppler
def test_pdf_header_that_fits_stays_on_one_line(printed: Printed) -> None:
    texts = " ".join(w.text for w in between(pdf_words(printed.path), "四列的表", "十列的表"))
    for header in WIDE_HEADERS:
        assert header in texts, header


@pytest.mark.slow
@needs_poppler
def test_pdf_crowded_table_stays_on_the_page(printed: Printed) -> None:
    words = pdf_words(printed.path)
    crowded = between(words, "十列的表", None)
    assert sum(w.text.count("12.5") for w in crowded) == 2 * 9  # the table is there
    # Its headers had to give way (they cannot all stay whole), but nothing runs off the page.
    assert max(w.x_max for w in words) <= RIGHT_EDGE[printed.set_name]


@pytest.mark.slow
def test_crowded_table_is_laid_out_again_with_looser_headers() -> None:
    import weasyprint

    document = make_document()
    ts = template_set("default")
    policy = ResourcePolicy(ts.root)

    def overflowing(header_wrap: dict[int, int]) -> list[int]:
        page = weasyprint.HTML(string=document_to_html(document, header_wrap=header_wrap),
                               base_url=policy.base_url(), url_fetcher=make_url_fetcher(policy))
        return overflowing_tables(page, page.render(stylesheets=[weasyprint.CSS(
            string=SAFETY_CSS)]))

    # Kept whole, the crowded table's headers would push it off the page; the narrow one fits.
    assert overflowing({}) == [2]
    assert overflowing({2: 1}) == [2]  # whole units alone are still too wide
    assert overflowing({2: 2}) == []


def test_html_marks_label_and_unit() -> None:
    tree = lxml_html.fromstring(document_to_html(make_document(), header_wrap={2: 1}))
    th = tree.xpath("//table[1]//th")[2]
    assert th.text_content() == "工业总产值（亿元）"
    assert [s.get("class") for s in th] == ["head-label", "head-unit"]
    assert [s.text for s in th] == ["工业总产值", "（亿元）"]
    assert tree.xpath("//table[1]//th")[0].xpath("span/@class") == ["head-label"]
    assert [t.get("class") for t in tree.xpath("//table")] == ["data", "data", "data wrap-label"]
