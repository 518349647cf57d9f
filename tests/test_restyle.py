"""Restyling in Word: edit styles of a set's reference.docx, and the built DOCX follows them."""

from __future__ import annotations

import shutil

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt

from reportgen.templating.templateset import templates_root
from reportgen.writers.reference_docx import STYLE_SPECS
from reportgen.writers.restyle import set_bottom_border, set_font, set_line
from reportgen.writers.styles import STYLE_LABELS, STYLE_NAMES
from tests.conftest import SAMPLES, run_cli


def test_the_style_list_staff_see_is_the_list_the_writer_uses() -> None:
    assert list(STYLE_LABELS) == list(STYLE_NAMES)
    assert sorted(s.name for s in STYLE_SPECS) == sorted(STYLE_NAMES)


@pytest.fixture(scope="module")
def restyled(tmp_path_factory: pytest.TempPathFactory) -> docx.document.Document:
    """lingxi built with a copy of the default set whose reference.docx was restyled."""
    tmp = tmp_path_factory.mktemp("restyle")
    root = tmp / "templates"
    shutil.copytree(templates_root() / "default", root / "default")
    reference = root / "default" / "reference.docx"
    document = docx.Document(str(reference))
    styles = document.styles
    set_font(styles["Heading 1"], size_pt=20, color="1F4E79", east_asia="微软雅黑")
    set_font(styles["Body Text"], size_pt=15)
    set_line(styles["Body Text"], 30)
    set_font(styles["Title"], size_pt=24, color="C00000", bold=True)
    set_font(styles["Table Text"], size_pt=9)
    set_font(styles["Table Header"], color="FFFFFF")
    set_font(styles["Image Caption"], size_pt=11, east_asia="楷体")
    set_font(styles["Run-in Heading 2"], color="00B050", bold=True)
    set_bottom_border(styles["Signature"], "FF0000")
    # the table style: thicker, coloured grid lines
    table_style = styles["Report Table"]
    for edge in table_style.element.find(qn("w:tblPr")).find(qn("w:tblBorders")):
        edge.set(qn("w:sz"), "12")
        edge.set(qn("w:color"), "2E75B6")
    document.save(str(reference))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPORTGEN_TEMPLATES", str(root))
        result = run_cli("build", str(SAMPLES / "lingxi.yaml"), "--out", str(tmp / "out"),
                         "--format", "docx")
    assert result.returncode == 0, result.stdout + result.stderr
    return docx.Document(str(tmp / "out" / "lingxi.docx"))


def _paragraphs(doc: docx.document.Document, style: str) -> list:
    found = [p for p in doc.paragraphs if p.style is not None and p.style.name == style]
    assert found, f"no paragraph in style {style}"
    return found


def _no_direct(paragraph, *tags: str) -> None:
    """The paragraph and its runs do not override the style (the style decides)."""
    for run in paragraph.runs:
        rpr = run._r.rPr
        for tag in tags:
            assert rpr is None or rpr.find(qn(tag)) is None, (paragraph.text, tag)


def test_headings_follow_the_edited_heading_style(restyled: docx.document.Document) -> None:
    style = restyled.styles["Heading 1"]
    assert style.font.size == Pt(20) and str(style.font.color.rgb) == "1F4E79"
    assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "微软雅黑"
    for paragraph in _paragraphs(restyled, "Heading 1"):
        _no_direct(paragraph, "w:sz", "w:color", "w:rFonts")
        assert paragraph.paragraph_format.line_spacing is None  # no direct spacing either


def test_body_and_title_follow_their_styles(restyled: docx.document.Document) -> None:
    body = restyled.styles["Body Text"]
    assert body.font.size == Pt(15) and body.paragraph_format.line_spacing == Pt(30)
    for paragraph in _paragraphs(restyled, "Body Text"):
        _no_direct(paragraph, "w:sz", "w:color", "w:rFonts", "w:spacing")
    title = restyled.styles["Title"]
    assert title.font.size == Pt(24) and title.font.bold and str(title.font.color.rgb) == "C00000"
    _no_direct(_paragraphs(restyled, "Title")[0], "w:sz", "w:color", "w:b")


def test_run_in_headings_use_the_character_style(restyled: docx.document.Document) -> None:
    style = restyled.styles["Run-in Heading 2"]
    assert style.type == WD_STYLE_TYPE.CHARACTER and str(style.font.color.rgb) == "00B050"
    runs = [r for p in restyled.paragraphs for r in p.runs
            if r.style is not None and r.style.name == "Run-in Heading 2"]
    assert runs, "no run-in heading run"
    for run in runs:
        assert run._r.rPr.find(qn("w:color")) is None


def test_tables_follow_the_table_styles(restyled: docx.document.Document) -> None:
    assert restyled.tables
    for table in restyled.tables:
        assert table.style.name == "Report Table"
        # no direct borders on the table or its cells: the table style draws the grid
        assert table._tbl.tblPr.find(qn("w:tblBorders")) is None
        for cell in table._cells:
            tc_pr = cell._tc.tcPr
            assert tc_pr is None or tc_pr.find(qn("w:tcBorders")) is None
        header, body = table.rows[0].cells[0].paragraphs[0], table.rows[1].cells[0].paragraphs[0]
        assert header.style.name == "Table Header" and body.style.name == "Table Text"
        _no_direct(header, "w:sz", "w:color")
        _no_direct(body, "w:sz", "w:color")
    borders = restyled.styles["Report Table"].element.find(qn("w:tblPr")).find(
        qn("w:tblBorders"))
    assert {e.get(qn("w:color")) for e in borders} == {"2E75B6"}
    assert restyled.styles["Table Text"].font.size == Pt(9)


def test_captions_and_signature_follow_their_styles(restyled: docx.document.Document) -> None:
    captions = _paragraphs(restyled, "Image Caption")
    assert restyled.styles["Image Caption"].font.size == Pt(11)
    for paragraph in captions:
        _no_direct(paragraph, "w:sz", "w:rFonts")
    signature = _paragraphs(restyled, "Signature")
    border = restyled.styles["Signature"].element.pPr.find(qn("w:pBdr"))
    assert border is not None and border.find(qn("w:bottom")).get(qn("w:color")) == "FF0000"
    for paragraph in signature:
        assert paragraph._p.pPr.find(qn("w:pBdr")) is None
