"""PdfWriter end to end: page size, embedded subset fonts, text, page numbers, closed fetcher.

The PDF is inspected with poppler's command-line tools (pdfinfo, pdffonts, pdftotext), the
same view a reader's PDF viewer has.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

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
from reportgen.errors import FontError
from reportgen.templating.templateset import TemplateSet
from reportgen.writers.pdf_writer import (
    PdfWriter,
    ResourcePolicy,
    ResourceRefused,
    check_font_coverage,
    figure_url,
    make_url_fetcher,
)
from tests.writers.pngs import tiny_png

DEFAULT_SET = Path(__file__).resolve().parents[2] / "templates" / "default"
TITLE = "青山县产业集群发展情况调研报告"
NASTY = "员工输入<b>加粗</b>和<img src=x>以及{{ x }}"
LEAK = "SECRETLEAKMARKER"

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("pdfinfo", "pdffonts", "pdftotext")),
    reason="需要 poppler-utils（pdfinfo、pdffonts、pdftotext）",
)




def body(text: str) -> Paragraph:
    return Paragraph([Run(text)])


def long_document() -> Document:
    """Every block kind, long enough for 3+ pages and a table that breaks across pages."""
    filler = ("全县坚持把产业集群作为推动工业经济高质量发展的主抓手，强链补链延链，"
              "集群规模持续扩大，创新能力不断增强，带动作用日益明显。")
    rows = [[Cell(f"第{i}号产业集群（含配套企业较多的园区名称较长）"), Cell(str(10 + i), "right"),
             Cell(f"{i * 1.5:.2f}", "right"), Cell(f"{i % 7}.5%", "right")] for i in range(1, 46)]
    return Document(
        title=TITLE,
        meta={"author": "青山县工业和信息化局", "date": "2025-03-15"},
        blocks=[
            Title(TITLE),
            body("为摸清全县产业集群发展情况，县工信局组成调研组，采取实地走访、座谈交流、"
                 "查阅资料等方式开展调研。现将有关情况报告如下："),
            Heading(1, "产业集群发展现状", number="一、"),
            body(filler * 2),
            Paragraph([Run(NASTY)]),
            Table(
                caption="产业集群基本情况",
                number=1,
                header=[[Cell("集群", "center"), Cell("企业数", "center"),
                         Cell("产值（亿元）", "center"), Cell("同比增长", "center")]],
                body=rows,
                total=[[Cell("合计"), Cell("1485", "right"), Cell("1552.50", "right"),
                        Cell("3.2%", "right")]],
                note="资料来源：县统计局",
            ),
            Figure(caption="各集群产值", number=1, image=tiny_png(),
                   spec=ChartSpec("bar", "各集群产值", ["甲", "乙", "丙"],
                                  [("产值", [1.0, 2.0, 3.0])], unit="亿元")),
            RunIn(2, "纺织服装业。", [Run(filler)], number="（一）"),
            RunIn(2, "装备制造业。", [Run(filler)], number="（二）"),
            Heading(1, "存在的主要问题", number="二、"),
            Heading(2, "龙头企业带动不强", number="（一）"),
            body(filler * 3),
            Heading(1, "对策建议", number="三、"),
            Heading(2, "强化要素保障", number="（一）"),
            Heading(3, "加大金融支持", number="1."),
            Heading(4, "设立产业基金", number="（1）"),
            ListBlock([ListItem([Run("落实用地指标。")], number="1."),
                       ListItem([Run("优化审批流程。")], number="2.")]),
            ListBlock([ListItem([Run("细化考核办法。")], number="（1）")], level=4),
            Paragraph([Run("（此段不缩进）")], style="plain"),
            body(filler * 3),
            Signature(["青山县工业和信息化局", "2025年3月15日"]),
        ],
    )


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def write_pdf(document: Document, template_set: TemplateSet, path: Path) -> PdfWriter:
    writer = PdfWriter()
    buffer = io.BytesIO()
    writer.write(document, template_set, buffer)
    path.write_bytes(buffer.getvalue())
    return writer


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    write_pdf(long_document(), TemplateSet("default", DEFAULT_SET), path)
    return path


@pytest.fixture
def evil_set(tmp_path: Path) -> TemplateSet:
    """A template set whose CSS tries to pull in files outside its folder."""
    outside = tmp_path / "outside.css"
    outside.write_text(f'h1.title::after {{ content: "{LEAK}"; }}\n', encoding="utf-8")
    root = tmp_path / "sets" / "evil"
    root.mkdir(parents=True)
    (root / "link.css").symlink_to(outside)
    (root / "inside.css").write_text('h1.title::before { content: "INSIDEOK"; }\n',
                                     encoding="utf-8")
    css = DEFAULT_SET.joinpath("print.css").read_text(encoding="utf-8")
    imports = [
        "@import url(file:///etc/passwd);",
        "@import url(../../outside.css);",
        f"@import url({outside.as_uri()});",
        "@import url(link.css);",
        "@import url(https://example.invalid/x.css);",
        "@import url(inside.css);",
    ]
    (root / "print.css").write_text("\n".join(imports) + "\n" + css, encoding="utf-8")
    return TemplateSet("evil", root)


@pytest.mark.slow
@needs_poppler
def test_page_size_and_metadata(built: Path) -> None:
    info = run("pdfinfo", built)
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    assert f"Title:           {TITLE}" in info
    assert "Author:          青山县工业和信息化局" in info
    assert "CreationDate:" in info and "2025" in info


@pytest.mark.slow
@needs_poppler
def test_fonts_embedded_and_subset(built: Path) -> None:
    lines = run("pdffonts", built).splitlines()[2:]
    assert lines
    names = []
    for line in lines:
        # name type encoding emb sub uni object ID: emb and sub are the yes/no columns.
        flags = re.findall(r"\b(yes|no)\b", line)
        assert flags[:2] == ["yes", "yes"], line
        names.append(line.split()[0])
    assert all(re.match(r"[A-Z]{6}\+", n) for n in names), names
    for family in ("FandolFang", "FandolHei", "FandolKai", "FandolSong"):
        assert any(family in n for n in names), (family, names)


@pytest.mark.slow
@needs_poppler
def test_text_numbers_and_page_numbers(built: Path) -> None:
    text = run("pdftotext", "-enc", "UTF-8", built, "-")
    flat = re.sub(r"\s+", "", text)
    assert TITLE in flat
    for mark in ("一、产业集群发展现状", "二、存在的主要问题", "三、对策建议", "（一）纺织服装业。",
                 "1.加大金融支持", "（1）设立产业基金", "表1", "产业集群基本情况", "合计",
                 "图1", "资料来源：县统计局", "2025年3月15日"):
        assert mark in flat, mark
    assert re.sub(r"\s+", "", NASTY) in flat  # markup-like text printed literally
    # Page numbers print as "— 1 —"; pdftotext may drop the thin spaces around the digits.
    for page in (1, 2, 3):
        assert re.search(rf"—\s*{page}\s*—", text), page
    # 合计 appears once: the totals row is not repeated at the foot of each page.
    assert flat.count("合计") == 1
    # The header row repeats on the page the long table continues on.
    assert flat.count("产值（亿元）") >= 2


def _bottom_strip(pdf: Path, page: int, left: bool) -> str:
    # The page-number line sits 7 mm under the text block (bottom margin 35 mm): crop the
    # lower 95 pt of the page, left or right half.
    x = 0 if left else 298
    return run("pdftotext", "-enc", "UTF-8", "-f", page, "-l", page, "-x", x, "-y", 747,
               "-W", 297, "-H", 95, pdf, "-")


@pytest.mark.slow
@needs_poppler
def test_page_numbers_alternate_sides(built: Path) -> None:
    def number(page: int, left: bool) -> bool:
        return bool(re.search(rf"—\s*{page}\s*—", _bottom_strip(built, page, left)))

    assert number(1, left=False) and not number(1, left=True)  # odd: right
    assert number(2, left=True) and not number(2, left=False)  # even: left
    assert number(3, left=False) and not number(3, left=True)


@pytest.mark.slow
@needs_poppler
def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    write_pdf(long_document(), TemplateSet("default", DEFAULT_SET), again)
    assert again.read_bytes() == built.read_bytes()


@pytest.mark.expected_warnings("^已拒绝加载资源", logger="reportgen.writers.pdf_writer")
def test_fetcher_refuses_everything_outside_the_set(evil_set: TemplateSet,
                                                    tmp_path: Path) -> None:
    png = tiny_png(8, 8)
    policy = ResourcePolicy(evil_set.root, figures={figure_url(1): png})
    fetcher = make_url_fetcher(policy)
    base = policy.base_url()
    for url in ("file:///etc/passwd", base + "../../outside.css", base + "link.css",
                (tmp_path / "outside.css").as_uri(), base + "..%2F..%2Foutside.css",
                "https://example.invalid/x.css", "http://localhost/",
                "data:text/css,h1{color:red}", figure_url(2), "ftp://x/y",
                "file://otherhost" + str(evil_set.root / "inside.css"), base + "nope.css"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    assert len(policy.refused) == 12
    response = fetcher.fetch(base + "inside.css")
    assert response.content_type == "text/css" and b"INSIDEOK" in response.read()
    assert fetcher.fetch(figure_url(1)).read() == png


@pytest.mark.slow
@needs_poppler
@pytest.mark.expected_warnings("^已拒绝加载资源", logger="reportgen.writers.pdf_writer")
def test_outside_resources_are_not_loaded(evil_set: TemplateSet, tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    doc = Document([Title(TITLE),
                    body('<link rel="stylesheet" href="file:///etc/passwd">'
                         "<style>@import url(../../outside.css)</style>")],
                   title=TITLE, meta={"date": "2025-03-15"})
    out = tmp_path / "evil.pdf"
    with caplog.at_level(logging.WARNING, logger="reportgen"):
        writer = write_pdf(doc, evil_set, out)
    text = run("pdftotext", "-enc", "UTF-8", out, "-")
    assert LEAK not in text
    assert "root:" not in text
    assert "INSIDEOK" in text  # the set's own files still load
    assert "file:///etc/passwd" in writer.refused
    assert any(u.endswith("outside.css") for u in writer.refused)
    assert any(u.endswith("link.css") for u in writer.refused)
    assert any(u.startswith("https:") for u in writer.refused)
    assert "已拒绝加载资源" in caplog.text
    # The escaped markup shows as text; it was never a <link> to fetch.
    assert "file:///etc/passwd" in re.sub(r"\s+", "", text)


def test_character_without_any_font_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import reportgen.fonts

    monkeypatch.setattr(reportgen.fonts, "require_pdf_fonts", lambda: None)
    monkeypatch.setattr(reportgen.fonts, "coverage_report",
                        lambda text: ({"堃"}, {"\U000f0001"}))
    with pytest.raises(FontError, match="无法打印") as excinfo:
        PdfWriter().write(long_document(), TemplateSet("default", DEFAULT_SET), io.BytesIO())
    assert "\U000f0001" in str(excinfo.value)
    # Noto CJK is installed here: the hint must not send staff to install it.
    assert "fonts-noto-cjk" not in str(excinfo.value)
    # Without it, the hint names the package.
    monkeypatch.setattr(reportgen.fonts, "find_font_face", lambda family, style="": None)
    with pytest.raises(FontError, match="fonts-noto-cjk"):
        PdfWriter().write(long_document(), TemplateSet("default", DEFAULT_SET), io.BytesIO())


@pytest.mark.expected_warnings("改用 Noto CJK 字体显示", logger="reportgen.writers.pdf_writer")
def test_fallback_characters_are_reported(monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    import reportgen.fonts

    monkeypatch.setattr(reportgen.fonts, "coverage_report", lambda text: ({"堃", "喆"}, set()))
    with caplog.at_level(logging.WARNING, logger="reportgen"):
        check_font_coverage("王堃 李喆")
    assert "Noto" in caplog.text and "堃" in caplog.text and "喆" in caplog.text


def test_missing_fonts_stop_before_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    import reportgen.fonts

    def no_fonts() -> None:
        raise FontError("缺少 Fandol 字体")

    monkeypatch.setattr(reportgen.fonts, "require_pdf_fonts", no_fonts)
    with pytest.raises(FontError, match="Fandol"):
        PdfWriter().write(long_document(), TemplateSet("default", DEFAULT_SET), io.BytesIO())
