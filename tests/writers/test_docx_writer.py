"""The DOCX writer and the default reference document.

A small document with every block kind is written with the shipped reference.docx and read
back with python-docx; one slow test converts it with LibreOffice and checks the PDF.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm
from lxml import etree

from reportgen.document.model import (
    Cell,
    ChartSpec,
    Document,
    Figure,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Run,
    RunIn,
    Signature,
    Table,
    Title,
)
from reportgen.errors import ReportgenError, TemplateError
from reportgen.templating.templateset import TemplateSet, templates_root
from reportgen.writers.docx_writer import DocxWriter, clean_text, column_widths
from reportgen.writers.reference_docx import build_reference_docx
from reportgen.writers.styles import STYLE_NAMES
from tests.writers.pngs import tiny_png

W_TBL_HEADER = qn("w:tblHeader")
W_CANT_SPLIT = qn("w:cantSplit")




def default_set() -> TemplateSet:
    # Built directly: the writer only needs reference.docx, not the whole set.
    return TemplateSet(name="default", root=templates_root() / "default")


def sample_document(filler: int = 0) -> Document:
    """Every block kind; `filler` extra body paragraphs push the report onto more pages."""
    spec = ChartSpec(chart="bar", title="各集群产值", categories=["纺织服装", "机械装备"],
                     series=[("产值", [142.0, 49.79])], unit="亿元")
    table = Table(
        caption="诸城市产业集群基本情况",
        number=1,
        header=[[Cell("集群", "center"), Cell("企业数（家）", "center"),
                 Cell("产值（亿元）", "center"), Cell("同比增长", "center")]],
        body=[
            [Cell("纺织服装产业集群"), Cell("169", "right"), Cell("142", "right"),
             Cell("8.5%", "right")],
            [Cell("机械装备产业集群"), Cell("58", "right"), Cell("49.79", "right"),
             Cell("-2.1%", "right")],
            [Cell("说明：跨两列", colspan=2), Cell("—", "center"), Cell("—", "center")],
        ],
        total=[[Cell("合计", "center"), Cell("227", "right"), Cell("191.79", "right"),
                Cell("", "right")]],
        note="资料来源：诸城市工业和信息化局。",
    )
    body_text = ("今年以来，全市产业集群保持平稳增长，骨干企业带动作用明显，"
                 "产业链条不断延伸，集群内企业协作配套水平持续提高。")
    blocks = [
        Title("诸城市产业集群发展情况调研报告"),
        Paragraph([Run("为全面掌握全市产业集群发展情况，市工业和信息化局组成调研组，"
                       "通过实地走访、座谈交流等方式开展了专题调研。现将有关情况报告如下：")]),
        Heading(1, "诸城市产业集群发展现状", number="一、"),
        Paragraph([Run("全市共有产业集群"), Run("2", bold=True), Run("个，"),
                   Run("强调", italic=True), Run("。")]),
        table,
        Figure(caption="各集群产值对比", spec=spec, number=1, image=tiny_png()),
        RunIn(level=2, heading="纺织服装业。", runs=[Run("共有169家企业，实现产值142亿元。")],
              number="（一）"),
        Heading(2, "机械装备业", number="（二）"),
        Heading(3, "骨干企业", number="1."),
        Heading(4, "技术创新", number="（1）"),
        *[Paragraph([Run(body_text)]) for _ in range(filler)],
        Heading(1, "存在的主要问题", number="二、"),
        Paragraph([Run("不缩进的段落。")], style="plain"),
        Paragraph([Run("居中的段落。")], style="center"),
        Paragraph([Run("居右的段落。")], style="right"),
        Paragraph([Run("标记原样：<b>x</b> {{ x }} **x** &amp; <script>")]),
        Paragraph([Run("控制字符\x00\x07\x1b\x0b\x0c\ufffe可以丢弃\t制表\n换行")]),
        Heading(1, "对策建议", number="三、"),
        RunIn(level=3, heading="加强要素保障。", runs=[Run("具体措施如下：")], number="1."),
        ListBlock(items=[ListItem([Run("设立产业发展基金。")], number="1."),
                         ListItem([Run("建设公共技术服务平台。")], number="2.")]),
        Signature(["诸城市工业和信息化局", "2025年3月15日"]),
    ]
    return Document(blocks=blocks, title="诸城市产业集群发展情况调研报告",
                    meta={"author": "诸城市工业和信息化局", "date": "2025-03-15"})


def write(document: Document) -> bytes:
    out = io.BytesIO()
    DocxWriter().write(document, default_set(), out)
    return out.getvalue()


@pytest.fixture(scope="module")
def output() -> bytes:
    return write(sample_document())


@pytest.fixture(scope="module")
def out_doc(output: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(output))


def text_of(element: object) -> str:
    """A paragraph element's text (lxml's itertext repeats text under python-docx classes)."""
    return "".join(t.text or "" for t in element.iter(qn("w:t")))  # type: ignore[attr-defined]


def style_sets_east_asia(doc: docx.document.Document, name: str) -> bool:
    element = doc.styles[name].element
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return fonts is not None and bool(fonts.get(qn("w:eastAsia")))


# -- the reference document -------------------------------------------------------------


def test_reference_page_setup_is_a4_with_gb_margins() -> None:
    section = docx.Document(str(default_set().reference_docx)).sections[0]
    expected = {"page_width": 210, "page_height": 297, "top_margin": 37,
                "bottom_margin": 35, "left_margin": 28, "right_margin": 26}
    for attr, mm in expected.items():
        assert abs(getattr(section, attr).mm - mm) < 0.1, attr


def test_reference_has_every_style_with_east_asian_font() -> None:
    ref = docx.Document(str(default_set().reference_docx))
    names = {s.name for s in ref.styles}
    for name in STYLE_NAMES:
        assert name in names, name
        assert style_sets_east_asia(ref, name), name
    assert ref.styles["Title"].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(
        qn("w:eastAsia")) == "方正小标宋简体"
    lang = ref.styles.element.find(f"{qn('w:docDefaults')}//{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_reference_font_table_names_fallbacks() -> None:
    ref = docx.Document(str(default_set().reference_docx))
    font_table = ref.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(font_table.blob)
    alt = {f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
           for f in root.findall(qn("w:font")) if f.find(qn("w:altName")) is not None}
    assert alt["方正小标宋简体"] == "宋体"
    assert alt["仿宋_GB2312"] == "仿宋"
    assert alt["楷体_GB2312"] == "楷体"


def test_reference_is_rebuilt_deterministically(tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    build_reference_docx(first)
    build_reference_docx(second)
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size < 40_000


# -- the written document ---------------------------------------------------------------


def test_output_keeps_page_setup_and_styles(out_doc: docx.document.Document) -> None:
    section = out_doc.sections[0]
    assert abs(section.page_width.mm - 210) < 0.1
    assert abs(section.top_margin.mm - 37) < 0.1
    assert abs(section.left_margin.mm - 28) < 0.1
    for name in STYLE_NAMES:
        assert style_sets_east_asia(out_doc, name), name
    # The reference's sample paragraph is gone: the body starts with the title.
    assert out_doc.paragraphs[0].text == "诸城市产业集群发展情况调研报告"
    assert out_doc.paragraphs[0].style.name == "Title"


def test_headings_in_order_with_numbers(out_doc: docx.document.Document) -> None:
    headings = [(p.style.name, p.text) for p in out_doc.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "一、诸城市产业集群发展现状"),
        ("Heading 2", "（二）机械装备业"),
        ("Heading 3", "1.骨干企业"),
        ("Heading 4", "（1）技术创新"),
        ("Heading 1", "二、存在的主要问题"),
        ("Heading 1", "三、对策建议"),
    ]


def test_paragraph_styles_and_runs(out_doc: docx.document.Document) -> None:
    by_text = {p.text: p for p in out_doc.paragraphs}
    assert by_text["不缩进的段落。"].style.name == "Body Text No Indent"
    assert by_text["居中的段落。"].style.name == "Body Text Center"
    assert by_text["居右的段落。"].style.name == "Body Text Right"
    mixed = by_text["全市共有产业集群2个，强调。"]
    assert mixed.style.name == "Body Text"
    assert [r.text for r in mixed.runs if r.bold] == ["2"]
    assert [r.text for r in mixed.runs if r.italic] == ["强调"]
    runin = by_text["（一）纺织服装业。共有169家企业，实现产值142亿元。"]
    assert runin.style.name == "Body Text"
    assert runin.runs[0].text == "（一）纺织服装业。"
    assert runin.runs[0].style.name == "Run-in Heading 2"
    runin3 = by_text["1.加强要素保障。具体措施如下："]
    assert runin3.runs[0].style.name == "Run-in Heading 3"
    items = [p.text for p in out_doc.paragraphs if p.style.name == "List Number"]
    assert items == ["1.设立产业发展基金。", "2.建设公共技术服务平台。"]
    # No Word auto-numbering anywhere.
    assert not out_doc.element.body.findall(f".//{qn('w:numPr')}")
    signature = [p for p in out_doc.paragraphs if p.style.name == "Signature"]
    assert [p.text for p in signature] == ["诸城市工业和信息化局", "2025年3月15日"]
    before = signature[0]._p.getprevious()
    assert before.tag == qn("w:p") and text_of(before) == ""


def test_markup_like_text_is_literal(out_doc: docx.document.Document) -> None:
    texts = [p.text for p in out_doc.paragraphs]
    assert "标记原样：<b>x</b> {{ x }} **x** &amp; <script>" in texts


def test_control_characters_are_dropped(out_doc: docx.document.Document) -> None:
    texts = [p.text for p in out_doc.paragraphs]
    # \t and \n survive as a tab and a line break.
    assert "控制字符可以丢弃\t制表\n换行" in texts
    assert clean_text("a\x00b\r\nc\x1fd\ud800") == "ab\ncd"


def test_table_caption_header_total_and_note(out_doc: docx.document.Document) -> None:
    assert len(out_doc.tables) == 1
    table = out_doc.tables[0]
    caption = table._tbl.getprevious()
    assert text_of(caption) == "表1　诸城市产业集群基本情况"
    assert caption.pPr.pStyle.val == out_doc.styles["Table Caption"].style_id
    note = table._tbl.getnext()
    assert text_of(note) == "资料来源：诸城市工业和信息化局。"
    assert table.style.name == "Report Table"
    rows = table.rows
    assert rows[0]._tr.trPr.find(W_TBL_HEADER) is not None
    assert all(r._tr.trPr.find(W_TBL_HEADER) is None for r in rows[1:])
    assert all(r._tr.trPr.find(W_CANT_SPLIT) is not None for r in rows)
    assert [c.text for c in rows[0].cells] == ["集群", "企业数（家）", "产值（亿元）", "同比增长"]
    assert all(c.paragraphs[0].style.name == "Table Header" for c in rows[0].cells)
    assert rows[1].cells[0].paragraphs[0].style.name == "Table Text"
    assert rows[1].cells[1].paragraphs[0].alignment is not None  # right
    total = rows[-1]
    assert total.cells[0].text == "合计"
    assert all(r.bold for c in total.cells for p in c.paragraphs for r in p.runs)
    # colspan=2: the merged cell spans the first two grid columns.
    spanned = rows[3]
    assert len(spanned._tr.tc_lst) == 3
    assert spanned.cells[0].text == "说明：跨两列" and spanned.cells[1].text == "说明：跨两列"
    # Table as wide as the text block (156 mm = 8844 twips), first column the widest.
    widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(widths) - 8844) <= 2
    assert widths[0] == max(widths)


def test_column_widths_sum_and_bounds() -> None:
    rows = [[Cell("很长很长很长很长的集群名称"), Cell("1"), Cell("骨干企业甲、乙、丙、丁")]]
    widths = column_widths(rows, 3, 9000)
    assert sum(widths) == 9000
    assert widths[0] >= widths[2] > widths[1]


def test_figure_image_is_14cm_with_caption_below(out_doc: docx.document.Document) -> None:
    shapes = out_doc.inline_shapes
    assert len(shapes) == 1
    assert abs(shapes[0].width - Cm(14)) < Cm(0.01)
    picture_p = next(p for p in out_doc.paragraphs if p._p.findall(f".//{qn('w:drawing')}"))
    assert picture_p.style.name == "Figure"
    caption = picture_p._p.getnext()
    assert text_of(caption) == "图1　各集群产值对比"
    assert caption.pPr.pStyle.val == out_doc.styles["Image Caption"].style_id


def test_figure_without_image_is_refused() -> None:
    document = sample_document()
    document.figures()[0].image = None
    with pytest.raises(ReportgenError, match="图1"):
        write(document)


def test_footers_have_page_field_odd_right_even_left(out_doc: docx.document.Document) -> None:
    settings = out_doc.settings
    assert settings.odd_and_even_pages_header_footer
    assert settings.element.find(qn("w:evenAndOddHeaders")) is not None
    section = out_doc.sections[0]
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element
        instr = "".join(t.text for t in xml.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE"
        kinds = [f.get(qn("w:fldCharType")) for f in xml.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        para = footer.paragraphs[0]
        assert para.text.startswith("— ") and para.text.endswith(" —")
        assert para._p.pPr.find(qn("w:jc")).get(qn("w:val")) == align
        assert para.runs[0].style.name == "Page Number"


def test_core_properties_are_deterministic(output: bytes) -> None:
    again = write(sample_document())
    assert again == output  # byte-identical packages
    core = docx.Document(io.BytesIO(output)).core_properties
    assert core.title == "诸城市产业集群发展情况调研报告"
    assert core.author == "诸城市工业和信息化局"
    assert core.created.date().isoformat() == "2025-03-15"
    assert core.modified == core.created
    assert core.language == "zh-CN"


def test_missing_style_in_reference_is_a_template_error(tmp_path: Path) -> None:
    ref = docx.Document(str(default_set().reference_docx))
    ref.styles["Table Note"].element.getparent().remove(ref.styles["Table Note"].element)
    root = tmp_path / "broken"
    root.mkdir()
    ref.save(str(root / "reference.docx"))
    with pytest.raises(TemplateError, match="Table Note"):
        DocxWriter().write(sample_document(), TemplateSet("broken", root), io.BytesIO())


def test_missing_reference_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"reference\.docx"):
        DocxWriter().write(sample_document(), TemplateSet("empty", tmp_path), io.BytesIO())


# -- LibreOffice ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_to_a4_pdf_with_chinese_text(tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    source.write_bytes(write(sample_document(filler=30)))
    profile = tmp_path / "lo-profile"  # own profile: no clash with another soffice running
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / "report.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stderr
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    compact = re.sub(r"\s+", "", text)
    for expected in ("诸城市产业集群发展情况调研报告", "一、诸城市产业集群发展现状",
                     "表1", "合计", "图1", "2025年3月15日", "<b>x</b>", "—1—", "—2—"):
        assert expected in compact, expected
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None
    assert abs(float(size.group(1)) - 595) < 2 and abs(float(size.group(2)) - 842) < 2
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2
