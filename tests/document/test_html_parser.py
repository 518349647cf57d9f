"""The HTML subset templates may use, and what happens outside it."""

from __future__ import annotations

import pytest

from reportgen.document.html_parser import normalize_space, parse_html
from reportgen.document.model import (
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    RunIn,
    Signature,
    Table,
    Title,
)
from reportgen.errors import DocumentError


def test_every_block_kind_is_parsed_in_order() -> None:
    html = """<html><body>
    <h1>某县报告</h1>
    <p>导语。</p>
    <h2>现状</h2>
    <table><caption>指标</caption>
      <thead><tr><th>集群</th><th class="align-right">产值</th></tr></thead>
      <tbody><tr><td>纺织</td><td class="align-right">12.7</td></tr></tbody>
      <tfoot><tr><td>合计</td><td class="align-right">12.7</td></tr></tfoot>
    </table>
    <figure class="chart" data-chart='{"chart": "bar", "title": "t", "categories": ["a"],
      "series": [["s", [1.5]]], "unit": "亿元"}'><figcaption>产值图</figcaption></figure>
    <p class="runin"><strong>纺织业。</strong>共有企业70家。</p>
    <ol><li>第一条</li><li>第二条</li></ol>
    <div class="signature"><p>某局</p><p>2025年3月15日</p></div>
    </body></html>"""
    doc = parse_html(html)
    kinds = [type(b) for b in doc.blocks]
    assert kinds == [Title, Paragraph, Heading, Table, Figure, RunIn, ListBlock, Signature]
    assert doc.title == "某县报告"
    table = doc.blocks[3]
    assert isinstance(table, Table)
    assert table.caption == "指标"
    assert [c.text for c in table.header[0]] == ["集群", "产值"]
    assert table.body[0][1].align == "right"
    assert [c.text for c in table.total[0]] == ["合计", "12.7"]
    figure = doc.blocks[4]
    assert isinstance(figure, Figure)
    assert figure.spec.series == [("s", [1.5])]
    assert figure.caption == "产值图"
    runin = doc.blocks[5]
    assert isinstance(runin, RunIn)
    assert runin.heading == "纺织业。"
    assert runin.text == "纺织业。共有企业70家。"


def test_line_breaks_between_chinese_sentences_do_not_become_spaces() -> None:
    doc = parse_html("<p>第一句。\n   第二句，\n  English words\n here.</p>")
    assert doc.blocks[0].text == "第一句。第二句，English words here."  # type: ignore[union-attr]


def test_normalize_space_keeps_spaces_between_latin_words() -> None:
    assert normalize_space("PU  革") == "PU革"
    assert normalize_space("Times  New\nRoman") == "Times New Roman"


def test_bold_and_italic_runs() -> None:
    doc = parse_html("<p>普通<strong>加粗</strong><em>斜体</em></p>")
    runs = doc.blocks[0].runs  # type: ignore[union-attr]
    assert [(r.text, r.bold, r.italic) for r in runs] == [
        ("普通", False, False), ("加粗", True, False), ("斜体", False, True)]


def test_escaped_markup_stays_text() -> None:
    doc = parse_html("<p>&lt;b&gt;x&lt;/b&gt; {{ x }} **x**</p>")
    assert doc.blocks[0].text == "<b>x</b> {{ x }} **x**"  # type: ignore[union-attr]


@pytest.mark.parametrize("html, tag", [
    ('<p>a<img src="file:///etc/passwd"></p>', "img"),
    ("<p>a<br>b</p>", "br"),
    ("<script>alert(1)</script>", "script"),
    ('<link rel="stylesheet" href="x.css">', "link"),
    ("<p><a href='http://x'>x</a></p>", "a"),
    ("<h6>x</h6>", "h6"),
])
def test_unsupported_tags_are_refused_by_name(html: str, tag: str) -> None:
    with pytest.raises(DocumentError, match=f"<{tag}>"):
        parse_html(f"<html><body>{html}</body></html>")


def test_text_outside_paragraphs_is_refused() -> None:
    with pytest.raises(DocumentError, match="不在任何 <p> 段落中"):
        parse_html("<html><body><h2>a</h2>stray words<p>b</p></body></html>")


def test_figure_without_chart_is_refused() -> None:
    with pytest.raises(DocumentError, match="chart"):
        parse_html("<figure><figcaption>x</figcaption></figure>")


def test_empty_output_is_refused() -> None:
    with pytest.raises(DocumentError):
        parse_html("   ")


def test_data_level_fixes_the_level_of_runins_and_lists() -> None:
    doc = parse_html('<html><body><p class="runin" data-level="3"><b>a</b>x</p>'
                     '<ol data-level="4"><li>b</li></ol><p class="runin"><b>c</b></p>'
                     "<ol><li>d</li></ol></body></html>")
    runins = [b for b in doc.blocks if isinstance(b, RunIn)]
    lists = [b for b in doc.blocks if isinstance(b, ListBlock)]
    assert [r.level for r in runins] == [3, 0]  # 0: numbering decides
    assert [lst.level for lst in lists] == [4, 0]


@pytest.mark.parametrize("level", ["5", "0", "x", ""])
def test_a_bad_data_level_is_refused(level: str) -> None:
    with pytest.raises(DocumentError, match="data-level"):
        parse_html(f'<html><body><p class="runin" data-level="{level}"><b>a</b></p>'
                   "</body></html>")


def test_a_note_right_after_a_table_is_its_note() -> None:
    table = "<table><caption>t</caption><tbody><tr><td>x</td></tr></tbody></table>"
    doc = parse_html(f'<html><body>{table}\n<p class="note">资料来源：统计局。</p>'
                     f'<p class="note">另一段。</p>{table}<p>正文</p>'
                     f'<p class="note">不在表后。</p></body></html>')
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [t.note for t in tables] == ["资料来源：统计局。", ""]
    paragraphs = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert paragraphs == ["另一段。", "正文", "不在表后。"]
