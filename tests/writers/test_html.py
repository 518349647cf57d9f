"""document_to_html: escaping, the classes the print CSS relies on, numbers from the tree."""

from __future__ import annotations

import base64
import re

from lxml import html as lxml_html

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
from reportgen.writers.html import document_to_html

NASTY = '<b>加粗</b>、<img src=x>、{{ x }}、&amp;、"引号"'
PNG = b"\x89PNG\r\n\x1a\nfake"


def make_document() -> Document:
    return Document(
        title="青山县产业集群发展情况调研报告",
        meta={"author": "青山县工业和信息化局", "date": "2025-03-15"},
        blocks=[
            Title("青山县产业集群发展情况调研报告"),
            Paragraph([Run("导语"), Run("加粗", bold=True), Run(NASTY)]),
            Heading(1, "发展现状", number="一、"),
            Heading(2, "总体情况", number="（一）"),
            Heading(3, "规模", number="1."),
            Heading(4, "细项", number="（1）"),
            Paragraph([Run("不缩进")], style="plain"),
            Paragraph([Run("居中")], style="center"),
            Paragraph([Run("靠右")], style="right"),
            RunIn(2, "纺织服装业。", [Run("共有169家企业。")], number="（一）"),
            Table(
                caption="产业集群基本情况",
                number=1,
                header=[[Cell("集群", "center"), Cell("产值（亿元）", "center")]],
                body=[[Cell("纺织<服装>"), Cell("142", "right")]],
                total=[[Cell("合计"), Cell("142", "right")]],
                note="资料来源：县统计局",
            ),
            Figure(
                caption="各集群产值",
                spec=ChartSpec("bar", "各集群产值", ["纺织"], [("产值", [142.0])]),
                number=1,
                image=PNG,
            ),
            ListBlock([ListItem([Run("强化要素保障")], number="1."),
                       ListItem([Run(NASTY)], number="2.")]),
            ListBlock([ListItem([Run("细化")], number="（1）")], level=4),
            Signature(["青山县工业和信息化局", "2025年3月15日"]),
        ],
    )


def test_page_is_complete_html5_in_chinese() -> None:
    page = document_to_html(make_document())
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert '<meta charset="utf-8">' in page
    assert '<link rel="stylesheet" href="print.css">' in page
    assert "<title>青山县产业集群发展情况调研报告</title>" in page
    assert '<meta name="dcterms.created" content="2025-03-15">' in page
    assert '<meta name="author" content="青山县工业和信息化局">' in page


def test_no_css_link_when_css_href_is_none() -> None:
    assert "<link" not in document_to_html(make_document(), css_href=None)


def test_staff_text_is_escaped_and_shows_literally() -> None:
    page = document_to_html(make_document())
    assert "<b>加粗</b>" not in page
    assert "<img src=x>" not in page
    assert "&lt;b&gt;加粗&lt;/b&gt;" in page
    assert "&lt;img src=x&gt;" in page
    assert "{{ x }}" in page  # braces are not markup in HTML; they must stay as typed
    assert "&amp;amp;" in page
    assert "纺织&lt;服装&gt;" in page
    # Parsed back, the reader sees exactly what staff typed.
    tree = lxml_html.fromstring(page)
    texts = [p.text_content() for p in tree.xpath("//p")]
    assert any(NASTY in t for t in texts)
    assert not tree.xpath("//body//b") and len(tree.xpath("//img")) == 1


def test_classes_and_numbers() -> None:
    tree = lxml_html.fromstring(document_to_html(make_document()))

    def one(xpath: str) -> str:
        found = tree.xpath(xpath)
        assert len(found) == 1, xpath
        return found[0].text_content()

    assert one("//h1[@class='title']") == "青山县产业集群发展情况调研报告"
    assert one("//h2") == "一、发展现状"
    assert one("//h2/span[@class='num']") == "一、"
    assert one("//h3/span[@class='num']") == "（一）"
    assert one("//h4/span[@class='num']") == "1."
    assert one("//h5/span[@class='num']") == "（1）"
    assert "导语" in one("//p[@class='body']")
    assert one("//p[@class='body']/strong") == "加粗"
    assert one("//p[@class='plain']") == "不缩进"
    assert one("//p[@class='center']") == "居中"
    assert one("//p[@class='right']") == "靠右"
    assert one("//p[@class='runin level-2']") == "（一）纺织服装业。共有169家企业。"
    assert one("//span[@class='runin-heading level-2']") == "（一）纺织服装业。"
    assert one("//table[@class='data']/caption") == "表1\u3000产业集群基本情况"
    assert one("//caption/span[@class='label']") == "表1"
    assert [th.text_content() for th in tree.xpath("//thead/tr/th")] == ["集群", "产值（亿元）"]
    assert one("//tbody/tr/td[@class='align-right']") == "142"
    assert one("//tfoot/tr[@class='total']/td[1]") == "合计"
    assert one("//p[@class='table-note']") == "资料来源：县统计局"
    assert one("//figure[@class='chart']/figcaption") == "图1\u3000各集群产值"
    assert tree.xpath("//figure/img/@alt") == ["各集群产值"]
    items = [p.text_content() for p in tree.xpath("//div[@class='list level-3']/p[@class='item']")]
    assert items == ["1.强化要素保障", "2." + NASTY]
    assert one("//div[@class='list level-4']/p[@class='item']/span[@class='num']") == "（1）"
    lines = [p.text_content() for p in tree.xpath("//div[@class='signature']/p")]
    assert lines == ["青山县工业和信息化局", "2025年3月15日"]
    # Numbers come from the tree, never from HTML lists.
    assert not tree.xpath("//ol | //ul")


def test_images_inline_by_default_and_resolved_on_request() -> None:
    doc = make_document()
    page = document_to_html(doc)
    src = re.search(r'<img src="([^"]+)"', page)
    assert src and src.group(1) == "data:image/png;base64," + base64.b64encode(PNG).decode()
    page = document_to_html(doc, image_src=lambda fig: f"reportgen-figure:{fig.number}")
    assert '<img src="reportgen-figure:1"' in page


def test_figure_without_image_keeps_its_caption() -> None:
    fig = Figure("无图", ChartSpec("bar", "t", [], []), number=2)
    page = document_to_html(Document([fig]))
    assert "<img" not in page
    assert '<span class="label">图2</span>\u3000无图' in page
