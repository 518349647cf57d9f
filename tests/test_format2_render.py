"""Survey format 2 built for real: DOCX and PDF read back with python-docx and pdftotext.

One survey written here uses what format 2 adds (approximate figures, two output labels,
overview, ranks, market shares, indicators, targets, paragraphs, four numbering levels,
staff tables, extra sections); the samples in tests/survey/data2 are built as well. Every
check reads the files a user gets, not the document tree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import docx.document
import pytest

from reportgen import formatting
from reportgen.build import render_document
from reportgen.survey import load_survey
from reportgen.templating.templateset import find_template_set
from tests.conftest import ROOT, need, run_cli

DATA2 = ROOT / "tests" / "survey" / "data2"

# 调研数据（格式版本 2）：虚构的示例县（非真实数据）。
SURVEY = """\
schema: 2
units: [罗]
region:
  name: 青州县
  kind: 县
  parent: 山东省潍坊市
report:
  author: 青州县工业和信息化局
  date: 2025-06-30
  year: 2024
  intro: |
    导语第一段。

    导语第二段。
totals:
  industrial_output: 500亿元
overview:
  clusters: 12
  enterprises: 6360
  employees: 近30万人
  intro: 现状导语。
  outro: 现状结语。
  indicators:
    国家级开发区: 2个
  targets:
  - {year: 2027, value: 400亿元}
tables:
- caption: 各乡镇产业集群企业分布
  columns: [乡镇, 企业数（家）, 营业收入（亿元）, 占比（%）, 排名, 建成年份, 产量（万罗）]
  rows:
  - [城关镇, 近200, 56.40, 41.2, 1, 2008, 12.5]
  - [东坝镇, 120, 38.1, 27.8, 2, 2012, —]
  - [西岭乡, 86, 22.75, 16.6, 3, 2015, ""]
  total: true
  note: 资料来源：青州县统计局。
clusters:
- name: 纺织业
  enterprises: 3300多
  employees: 近23万人
  output: 180亿元左右
  profit_tax: 约12亿元
  rank: 全省第5位
  market_share:
  - {scope: 全国, value: 50%以上, product: 纱线}
  - {scope: 全省, value: 70%以上, product: 纱线}
  - {scope: 世界, value: 5%}
  indicators:
  - {name: 年产纱, value: 23100吨, growth: 34.4%, note: 含外加工}
  - {name: 纱锭生产能力, value: 20万锭, rank: {scope: 全省, place: 5}}
  - {name: 种植面积, value: 7.2万亩, year: 2023}
  - {name: 完成投资, value: 14304万元}
  - {name: 出口比重, value: 52.67%}
  - {name: 产量, value: 300罗}
  targets:
  - {year: 2028, value: 300亿元}
  - {year: 2026, value: 超过200亿元}
  description: |
    纺织业是全县第一大产业集群。

    近年来加快向高端面料转型。
  tables:
  - caption: 纺织业主要产品产量
    columns: [产品, 2023年产量（吨）, 2024年产量（吨）]
    rows:
    - [棉纱, 21000, 23100]
    - [坯布, 近9000, 9500]
    total: true
- name: 机械制造业
  enterprises: 169
  output: 95.5亿元
  output_prev: 90亿元
  honors: {国家名牌产品: 5}
  high_tech_enterprises: 12
  rd_centers: 3
  parts:
  - name: 数控机床
    output: 31.2亿元
    topics:
    - title: 产业基础
      detail: 集群内有整机企业12家。
    - 关键部件依赖外购
  - name: 汽车零部件
    output: 20亿元
    indicators: {年产车桥: 20余万件}
- name: 乡村旅游
  output_label: 旅游收入
  output: 3.6亿元
  output_prev: 3亿元
  indicators:
  - {name: 接待游客, value: 41.5万人次, growth: 14.4%}
  targets:
  - {year: 2027, value: 60万人次, name: 接待游客}
- name: 建材业
  output: 50亿元
  output_prev: 55亿元
problems:
  intro: 调研发现，主要存在以下问题：
  items:
  - title: 创新能力不足
    detail: |
      研发投入偏低。

      多数企业尚未建立研发机构。
    items:
    - title: 研发投入偏低
      items:
      - {title: 中小企业, detail: 多数没有研发投入。}
      - 龙头企业投入也偏低
    - 创新平台较少
    tables:
    - caption: 各乡镇研发投入
      columns: [乡镇, 研发投入（万元）]
      rows:
      - [城关镇, 1.50]
      - [东坝镇, 2]
      total: true
  - 用地紧张
  outro: 上述问题制约了产业集群发展。
suggestions:
- title: 加大研发投入
  measures: [设立专项资金, 建设研发中心]
sections:
- {title: 调研范围, after: 导语, intro: 本次调研覆盖全县12个产业集群。}
- title: 发展特点
  after: 现状
  items:
  - {title: 集聚度高, detail: 企业集中在园区。}
- {title: 典型案例, after: 问题, intro: 以下做法值得推广。}
- {title: 外部环境, after: 原因, intro: 国际市场需求波动。}
- title: 保障措施
  after: 对策
  intro: 建立联席会议制度。
  outro: 各部门要抓好落实。
  tables:
  - caption: 重点任务分工
    columns: [任务, 牵头单位]
    rows:
    - [编制规划, 县工信局]
"""

LEVEL1 = ["一、调研范围", "二、青州县产业集群发展现状", "三、发展特点", "四、存在的主要问题",
          "五、典型案例", "六、外部环境", "七、对策建议", "八、保障措施"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """qingzhou.yaml and the tests/survey/data2 samples built by `reportgen build`."""
    inputs = tmp_path_factory.mktemp("inputs2")
    (inputs / "qingzhou.yaml").write_text(SURVEY, encoding="utf-8")
    for sample in sorted(DATA2.glob("*.yaml")):
        shutil.copy(sample, inputs / sample.name)
    out = tmp_path_factory.mktemp("outputs2")
    result = run_cli("build", str(inputs), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path, *options: str) -> str:
    return subprocess.run([need("pdftotext"), *options, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def in_order(text: str, pieces: list[str]) -> bool:
    """Each piece occurs in text after the one before (a page break may stand between)."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def paragraphs(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs]


@pytest.fixture(scope="module")
def word(built: Path) -> docx.document.Document:
    return docx.Document(str(built / "qingzhou.docx"))


@pytest.fixture(scope="module")
def pdf(built: Path) -> str:
    """The PDF's text without white space (pdftotext breaks lines and spaces cells)."""
    return squeeze(pdf_text(built / "qingzhou.pdf"))


@pytest.fixture(scope="module")
def pdf_rows(built: Path) -> list[str]:
    """The PDF's lines as laid out, each without white space: a table row is one line."""
    return [squeeze(line) for line in pdf_text(built / "qingzhou.pdf", "-layout").splitlines()]


def docx_all_text(document: docx.document.Document) -> str:
    parts = paragraphs(document)
    for table in document.tables:
        parts += ["".join(c.text for c in row.cells) for row in table.rows]
    return squeeze("".join(parts))


def rows_of(table: docx.table.Table) -> list[list[str]]:
    # Header cells may break before their unit; compare without white space.
    return [[squeeze(c.text) for c in row.cells] for row in table.rows]


def table_with(document: docx.document.Document, first_row: list[str]) -> docx.table.Table:
    found = [t for t in document.tables if rows_of(t)[0] == first_row]
    assert len(found) == 1, [rows_of(t)[0] for t in document.tables]
    return found[0]


def caption_before(table: docx.table.Table) -> tuple[str, str]:
    """(style, text) of the paragraph right before a table."""
    previous = table._tbl.getprevious()
    paragraph = docx.text.paragraph.Paragraph(previous, table._parent)
    return paragraph.style.name if paragraph.style is not None else "", paragraph.text


# --- figures as written -------------------------------------------------------------------

AS_WRITTEN = [
    "共有企业3300多家，从业人员近23万人。",
    "2024年实现产值180亿元左右，居全省第五位，利税约12亿元。",
    "年产纱23100吨（含外加工），同比增长34.4%；纱锭生产能力20万锭，居全省第五位；"
    "2023年种植面积7.2万亩；完成投资1.43亿元；出口比重52.7%；产量300罗。",
    "接待游客41.5万人次，同比增长14.4%。",
    "年产车桥20余万件。",
]


@pytest.mark.parametrize("text", AS_WRITTEN)
def test_quantities_and_qualifiers_print_as_written(word: docx.document.Document, pdf: str,
                                                    text: str) -> None:
    assert text in docx_all_text(word)
    assert text in pdf


def test_sums_with_approximate_parts_are_marked_yue(word: docx.document.Document, pdf: str,
                                                   pdf_rows: list[str]) -> None:
    # The region has 12 clusters and the overview gives no output: the sum is the four
    # surveyed clusters', and says so.
    summary = "重点调研的产业集群共实现产值约325.5亿元，约占全县工业总产值的65.1%"
    assert summary in docx_all_text(word) and summary in pdf
    table = table_with(word, ["集群名称", "企业数（家）", "产值（亿元）", "旅游收入（亿元）",
                              "同比增长", "利税（亿元）", "从业人员（人）"])
    rows = rows_of(table)
    assert rows[1] == ["纺织业", "3300多", "180左右", "—", "—", "约12", "近23万"]
    assert rows[-1] == ["合计", "约3469", "约325.5", "3.6", "—", "约12", "约23万"]
    assert "合计约3469约325.53.6—约12约23万" in pdf_rows


def test_output_labels_are_never_added_together(word: docx.document.Document,
                                                pdf: str) -> None:
    text = docx_all_text(word)
    assert "约325.5亿元，约占全县工业总产值的65.1%；旅游收入3.6亿元，同比增长20%。" in text
    assert "329.1" not in text and "329.1" not in pdf  # 产值 + 旅游收入 is no figure
    assert "（三）乡村旅游。2024年实现旅游收入3.6亿元" in text


def test_charts_use_the_main_label_and_exact_values_only(tmp_path: Path) -> None:
    survey = load_survey(_written(tmp_path, SURVEY))
    figures = render_document(survey).figures()
    assert [f.caption for f in figures] == ["2024年青州县主要产业集群产值",
                                            "2024年青州县产业集群产值构成"]
    for figure in figures:  # 纺织业 is approximate, 乡村旅游 another label, parts never count
        assert figure.spec.categories == ["机械制造业", "建材业"]


def test_overview_summary_in_order(word: docx.document.Document, pdf: str) -> None:
    text = paragraphs(word)
    start = text.index("二、青州县产业集群发展现状")
    assert text[start + 1] == "现状导语。"
    assert text[start + 2].startswith("据统计，2024年全县共有产业集群12个，集群内企业6360家，"
                                      "从业人员近30万人。")
    assert text[start + 2].endswith("国家级开发区2个。到2027年，全县产业集群产值达到400亿元。"
                                    "本报告重点调研其中4个产业集群。")
    assert text[start + 3] == "现状结语。"
    assert text[start + 4].startswith("表1")
    assert "现状导语。据统计，2024年全县共有产业集群12个" in pdf


def test_rank_target_indicator_and_share_phrases(word: docx.document.Document,
                                                 pdf: str) -> None:
    for phrase in [
        "纱线占全国市场的50%以上，占全省市场的70%以上，主要产品占世界市场的5%。",
        "到2026年，产值超过200亿元；到2028年，产值达到300亿元。",
        "到2027年，接待游客达到60万人次。",
        "集群内企业获得国家名牌产品5件。拥有高新技术企业12家、技术开发中心3处。",
    ]:
        assert phrase in docx_all_text(word), phrase
        assert phrase in pdf, phrase


# --- paragraphs, preambles, levels --------------------------------------------------------

def test_paragraphs_split_at_blank_lines(word: docx.document.Document) -> None:
    text = paragraphs(word)
    assert text[1].endswith("进行了调研。导语第一段。")
    assert text[2] == "导语第二段。现将有关情况报告如下："
    cluster = next(t for t in text if t.startswith("（一）纺织业。"))
    assert cluster.endswith("纺织业是全县第一大产业集群。")
    assert text[text.index(cluster) + 1] == "近年来加快向高端面料转型。"
    finding = next(t for t in text if t.startswith("（一）创新能力不足。"))
    assert finding == "（一）创新能力不足。研发投入偏低。"
    assert text[text.index(finding) + 1] == "多数企业尚未建立研发机构。"


def test_section_preamble_and_closing(word: docx.document.Document) -> None:
    text = paragraphs(word)
    start = text.index("四、存在的主要问题")
    assert text[start + 1] == "调研发现，主要存在以下问题："
    assert text[start + 2].startswith("（一）创新能力不足。")
    end = text.index("五、典型案例")
    assert text[end - 1] == "上述问题制约了产业集群发展。"
    assert text[end - 2] == "（二）用地紧张。"


def test_four_numbering_levels_in_the_text(word: docx.document.Document, pdf: str) -> None:
    text = paragraphs(word)
    expected = ["（一）创新能力不足。", "1.研发投入偏低。", "（1）中小企业。多数没有研发投入。",
                "（2）龙头企业投入也偏低。", "2.创新平台较少。", "（二）用地紧张。"]
    found = [t for t in text if any(t.startswith(e) for e in expected)]
    assert [next(e for e in expected if t.startswith(e)) for t in found] == expected
    parts = ["（二）机械制造业。", "1.数控机床。", "（1）产业基础。", "（2）关键部件依赖外购。",
             "2.汽车零部件。", "（三）乡村旅游。"]
    found = [t for t in text if any(t.startswith(p) for p in parts)]
    assert [next(p for p in parts if t.startswith(p)) for t in found] == parts
    assert in_order(pdf, parts)
    assert in_order(pdf, expected)
    # Word shows each level in its own run-in style (Run-in Heading 2/3/4).
    styles = {}
    for paragraph in word.paragraphs:
        if paragraph.runs and paragraph.runs[0].style is not None:
            styles[paragraph.runs[0].text] = paragraph.runs[0].style.name
    assert styles["（二）机械制造业。"] == "Run-in Heading 2"
    assert styles["1.数控机床。"] == "Run-in Heading 3"
    assert styles["（1）产业基础。"] == "Run-in Heading 4"


def test_extra_sections_are_numbered_consecutively(word: docx.document.Document,
                                                   pdf: str) -> None:
    headings = [p.text for p in word.paragraphs
                if p.style is not None and p.style.name == "Heading 1"]
    assert headings == LEVEL1
    positions = [pdf.index(heading) for heading in LEVEL1]
    assert positions == sorted(positions)
    text = paragraphs(word)
    assert text[text.index("一、调研范围") - 1] == "导语第二段。现将有关情况报告如下："
    # No causes: the section placed after 原因 follows those after 问题.
    assert text[text.index("六、外部环境") - 1] == "以下做法值得推广。"


# --- staff tables -------------------------------------------------------------------------

def test_staff_tables_are_real_numbered_tables_with_totals(word: docx.document.Document,
                                                           pdf_rows: list[str]) -> None:
    columns = ["乡镇", "企业数（家）", "营业收入（亿元）", "占比（%）", "排名", "建成年份",
               "产量（万罗）"]
    table = table_with(word, columns)
    rows = rows_of(table)
    assert rows[1] == ["城关镇", "近200", "56.40", "41.2", "1", "2008", "12.5"]
    assert rows[3] == ["西岭乡", "86", "22.75", "16.6", "3", "2015", ""]
    # 合计: numbers summed (decimals of the most precise cell, 约 for 近200); percentage,
    # rank and year columns left empty.
    assert rows[-1] == ["合计", "约406", "117.25", "", "", "", "12.5"]
    assert caption_before(table) == ("Table Caption", "表2　各乡镇产业集群企业分布")
    note = docx.text.paragraph.Paragraph(table._tbl.getnext(), table._parent)
    assert note.text == "资料来源：青州县统计局。"
    # The header may take two lines (units below the names); the rows follow it, the note
    # follows the 合计 row.
    at = pdf_rows.index("表2各乡镇产业集群企业分布")
    header = "".join(pdf_rows[at + 1:at + 4])
    assert all(part in header for part in ["乡镇", "企业数", "（家）", "排名", "建成年份"])
    body = [row for row in pdf_rows[pdf_rows.index("城关镇近20056.4041.21200812.5"):] if row]
    assert body[:5] == ["城关镇近20056.4041.21200812.5", "东坝镇12038.127.822012—",
                        "西岭乡8622.7516.632015", "合计约406117.2512.5", "资料来源：青州县统计局。"]

    product = table_with(word, ["产品", "2023年产量（吨）", "2024年产量（吨）"])
    assert rows_of(product)[-1] == ["合计", "约30000", "32600"]
    assert caption_before(product)[1] == "表3　纺织业主要产品产量"
    finding = table_with(word, ["乡镇", "研发投入（万元）"])
    assert rows_of(finding)[-1] == ["合计", "3.50"]  # trailing zero kept
    assert caption_before(finding)[1] == "表4　各乡镇研发投入"
    section = table_with(word, ["任务", "牵头单位"])
    assert rows_of(section) == [["任务", "牵头单位"], ["编制规划", "县工信局"]]
    assert caption_before(section)[1] == "表5　重点任务分工"
    assert "合计3.50" in pdf_rows and "合计约3000032600" in pdf_rows
    at = pdf_rows.index("表5重点任务分工")
    assert pdf_rows[at + 1:at + 3] == ["任务牵头单位", "编制规划县工信局"]


def test_table_headers_repeat_on_every_page(word: docx.document.Document) -> None:
    table = table_with(word, ["乡镇", "企业数（家）", "营业收入（亿元）", "占比（%）", "排名",
                              "建成年份", "产量（万罗）"])
    first = table.rows[0]._tr
    assert first.find(docx.oxml.ns.qn("w:trPr")).find(docx.oxml.ns.qn("w:tblHeader")) \
        is not None


# --- the samples of tests/survey/data2 ----------------------------------------------------

@pytest.mark.parametrize("sample", sorted(DATA2.glob("*.yaml")), ids=lambda p: p.stem)
def test_samples_build_with_consecutive_numbers_and_real_tables(built: Path,
                                                                sample: Path) -> None:
    survey = load_survey(sample)
    document = render_document(survey)
    word = docx.Document(str(built / f"{sample.stem}.docx"))
    headings = [p.text for p in word.paragraphs
                if p.style is not None and p.style.name == "Heading 1"]
    count = 3 + (1 if survey.causes else 0) + len(survey.sections)
    assert [h.split("、")[0] for h in headings] == [
        formatting.chinese_number(i) for i in range(1, count + 1)]
    assert len(word.tables) == len(document.tables())
    labels = [f"表{i}" for i in range(1, len(document.tables()) + 1)]
    captions = [p.text.split("　")[0] for p in word.paragraphs
                if p.style is not None and p.style.name == "Table Caption"]
    assert captions == labels
    text = squeeze(pdf_text(built / f"{sample.stem}.pdf"))
    for table in document.tables():
        assert squeeze(f"{table.label}{table.caption}") in text


# --- format 1 and the brief set -----------------------------------------------------------

def _written(folder: Path, text: str) -> Path:
    path = folder / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    return path


FORMAT1 = """\
region: {name: 旧县}
report: {author: 旧县工信局, date: 2025-01-01, year: 2024}
clusters:
- name: 纺织业
  output: 12亿元
  description: |
    第一句。

    第二句。
problems: [问题一]
suggestions: [建议一]
"""


def test_format_1_text_stays_one_paragraph(tmp_path: Path) -> None:
    document = render_document(load_survey(_written(tmp_path, FORMAT1)))
    text = document.plain_text().splitlines()
    assert "（一）纺织业。2024年实现产值12亿元。第一句。第二句。" in text


def test_the_brief_set_uses_overview_figures_and_keeps_labels_apart(tmp_path: Path) -> None:
    survey = load_survey(_written(tmp_path, SURVEY))
    document = render_document(survey, find_template_set("brief"))
    text = document.plain_text()
    assert ("2024年，全县共有产业集群12个，集群内企业6360家，从业人员近30万人，重点介绍的集群"
            "共实现产值"
            "约325.5亿元，约占全县工业总产值的65.1%；旅游收入3.6亿元，同比增长20%。"
            "到2027年，全县产业集群产值达到400亿元。本简报重点介绍其中4个产业集群。") in text


def test_sums_of_the_described_clusters_are_not_presented_as_the_regions() -> None:
    """overview.clusters says the region has 26 clusters; the report describes 2, and the
    overview gives no output or employee figure: those sums are the surveyed clusters'."""
    from reportgen.build import render_document
    from reportgen.survey import parse_survey_text

    text = """\
schema: 2
region: {name: 测试市}
report: {author: 测试市工信局, date: 2025-03-15, year: 2024}
overview: {clusters: 26, enterprises: 6360}
clusters:
- {name: 纺织业, output: 100亿元, employees: 3000}
- {name: 制鞋业, output: 50亿元, employees: 2000}
problems: [问题]
suggestions: [建议]
"""
    plain = render_document(parse_survey_text(text, "t.yaml")).plain_text()
    assert "全市共有产业集群26个，集群内企业6360家" in plain
    assert "重点调研的集群从业人员5000人" in plain
    assert "重点调研的产业集群共实现产值150亿元" in plain
    assert "各产业集群共实现" not in plain
    assert "本报告重点调研其中2个产业集群。" in plain
