"""Limits: what the survey format allows builds, what it does not is refused, large stays bounded.

The format's limits (survey-format.md, reportgen.survey.loader) are tested at their edges:
a file of exactly 1 MiB is read and one byte more is refused; a file of exactly MAX_NODES
written nodes is read and one more is refused; aliases may add exactly MAX_ALIAS_NODES
nodes, not one more. Cluster count and text length have no limit of their own.

One large survey is built through the CLI: 200 fully filled-in clusters, a 100 KB text, a
60-character unbroken cluster name, a long number and a long unbroken token in a paragraph.
It must build within a safety ceiling of memory and time (the measured figures are in
docs/承诺.md), its tables must break across pages with the header row repeated (PDF: on
every page holding table rows; DOCX: tblHeader rows, fixed layout at the text width), and
no text may run out of the text block.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reportgen.errors import SurveyError
from reportgen.survey import check_survey, parse_survey_text
from reportgen.survey.loader import MAX_ALIAS_NODES, MAX_BYTES, MAX_NODES
from tests.conftest import ROOT, SAMPLES, need

MINIMAL = """\
region: {name: 小县}
report:
  author: 小县工信局
  date: 2025-01-02
  year: 2024
clusters:
- {name: 茶叶加工业, output: 3000万元}
problems: [规模偏小]
suggestions: [扩大规模]
"""
MINIMAL_NODES = 26  # region (4) + report (8) + clusters (6) + problems (3) + suggestions (3) + keys
MEMORY_CEILING_MB = 1500
SECONDS_CEILING = 600


def _problems(text: str) -> list[str]:
    try:
        parse_survey_text(text, "limits.yaml")
    except SurveyError as error:
        return [p.message for p in error.problems]
    return []


# --- the format's own limits, at their edges ------------------------------------------------

def test_file_of_exactly_one_mib_is_read_one_byte_more_is_refused(tmp_path: Path) -> None:
    head = (SAMPLES / "lingxi.yaml").read_bytes()
    line = b"# " + b"x" * 77 + b"\n"
    body = head + line * ((MAX_BYTES - len(head)) // len(line))
    exact = body + b"#" * (MAX_BYTES - len(body) - 1) + b"\n"
    assert len(exact) == MAX_BYTES
    path = tmp_path / "exact.yaml"
    path.write_bytes(exact)
    assert check_survey(path) == []
    path.write_bytes(exact + b"\n")
    (problem,) = check_survey(path)
    assert "文件过大" in problem.message


def _with_methods(count: int) -> str:
    """MINIMAL plus report.methods with `count` items: MINIMAL_NODES + 2 + count nodes."""
    items = "".join(f"  - 方式{i}\n" for i in range(count))
    return MINIMAL.replace("  year: 2024\n", f"  year: 2024\n  methods:\n{items}")


def test_minimal_node_count_is_what_the_edges_assume() -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

    events = YAML(typ="safe", pure=True).parse(_with_methods(3))
    nodes = sum(isinstance(e, CollectionStartEvent | ScalarEvent | AliasEvent) for e in events)
    assert nodes == MINIMAL_NODES + 2 + 3


def test_written_node_limit_edge() -> None:
    at_limit = MAX_NODES - MINIMAL_NODES - 2
    assert _problems(_with_methods(at_limit)) == []
    (message,) = _problems(_with_methods(at_limit + 1))
    assert "文件内容过多" in message and str(MAX_NODES) in message


def _with_aliases(items: int, aliases: int) -> str:
    """An anchored list of `items` methods, reused by `aliases` suggestions."""
    methods = ", ".join(f"方式{i}" for i in range(items))
    suggestions = "".join(f"- {{title: 建议{i}, measures: *m}}\n" for i in range(aliases))
    return (MINIMAL.replace("  year: 2024\n", f"  year: 2024\n  methods: &m [{methods}]\n")
            .replace("suggestions: [扩大规模]\n", f"suggestions:\n{suggestions}"))


def test_alias_limit_edge() -> None:
    # Each alias repeats the 100-node list (the sequence and its items): 100 aliases add
    # exactly MAX_ALIAS_NODES nodes, 101 items make it 100 more.
    assert MAX_ALIAS_NODES == 100 * 100
    assert _problems(_with_aliases(99, 100)) == []
    (message,) = _problems(_with_aliases(100, 100))
    assert "别名" in message and str(MAX_ALIAS_NODES) in message


# --- a large survey ---------------------------------------------------------------------------

LONG_NAME = "Z" * 30 + "超长名称" + "9" * 26  # 60 characters; the Latin part cannot break
LONG_TOKEN = "https://example.invalid/" + "A" * 200
TEXT_100_KB = ("全县坚持把产业集群作为推动工业经济高质量发展的主抓手，强链补链延链，"
               "集群规模持续扩大，创新能力不断增强，带动作用日益明显。") * 650


def _cluster(i: int) -> str:
    name = LONG_NAME if i == 7 else f"第{i + 1}号产业集群"
    output = "123456789012.25亿元" if i == 9 else f"{100 + i}.5亿元"  # a very long number
    description = f"{LONG_TOKEN}。" if i == 3 else f"这是第{i + 1}个集群的说明。"
    return f"""\
- name: {name}
  output: {output}
  output_prev: {90 + i}亿元
  history: {{2019: {50 + i}亿元, 2020: {60 + i}亿元, 2021: {70 + i}亿元, 2022: {80 + i}亿元}}
  enterprises: {300 + i}
  above_scale: {20 + i % 50}
  employees: {10000 + i}
  registered_capital: {20 + i}亿元
  profit_tax: {10 + i}亿元
  profit: {5 + i}亿元
  market_share: {i % 90}.5%
  location: [甲镇, 乙街道, 丙乡]
  products: [甲产品, 乙产品, 丙产品, 丁产品]
  lead_enterprises: [甲公司, 乙公司, 丙公司, 丁公司, 戊公司]
  honors: {{国家名牌产品: 1, 省级名牌产品: 2, 省著名商标: 3}}
  high_tech_enterprises: 3
  rd_centers: 2
  group: 第{i % 2 + 1}组
  description: {description}
"""


def large_survey() -> str:
    return ("schema: 1\nregion:\n  name: 大县\nreport:\n  author: 大县工业和信息化局\n"
            "  date: 2025-03-15\n  year: 2024\nclusters:\n"
            + "".join(_cluster(i) for i in range(200))
            + f"problems:\n- title: 企业布局分散\n  detail: {TEXT_100_KB}\n"
              "suggestions: [加强规划引导]\n")


_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run([sys.executable, "-m", "reportgen", *sys.argv[1:]],
                        capture_output=True, text=True)
print(json.dumps({"returncode": result.returncode, "stderr": result.stderr,
                  "seconds": time.perf_counter() - start,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.fixture(scope="module")
def large_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("large")
    source = folder / "large.yaml"
    text = large_survey()
    assert len(text.encode("utf-8")) < MAX_BYTES and len(TEXT_100_KB.encode()) >= 100_000
    source.write_text(text, encoding="utf-8")
    # The CLI's peak memory (its worker processes included) and wall time, from outside.
    measured = subprocess.run([sys.executable, "-c", _MEASURE, "build", str(source), "--out",
                               str(folder / "out")], cwd=ROOT, capture_output=True, text=True,
                              timeout=SECONDS_CEILING * 2)
    report = json.loads(measured.stdout)
    print(f"200 clusters + 100 KB: {report['seconds']:.1f} s, {report['maxrss_mb']:.0f} MB")
    return folder / "out", report


@pytest.mark.slow
def test_large_survey_builds_within_bounded_memory_and_time(
        large_build: tuple[Path, dict[str, object]]) -> None:
    out, report = large_build
    assert report["returncode"] == 0, report["stderr"]
    assert (out / "large.docx").is_file() and (out / "large.pdf").is_file()
    assert float(report["maxrss_mb"]) < MEMORY_CEILING_MB  # type: ignore[arg-type]
    assert float(report["seconds"]) < SECONDS_CEILING  # type: ignore[arg-type]


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run([need("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")


_ROW = re.compile(r"^\s*(第\d+号产业集群|Z{5,})\s+\d+\s+\d+", re.MULTILINE)


@pytest.mark.slow
def test_pdf_tables_break_across_pages_with_the_header_repeated(
        large_build: tuple[Path, dict[str, object]]) -> None:
    out, _ = large_build
    pages = _pages(out / "large.pdf")
    with_rows = [page for page in pages if _ROW.search(page)]
    assert len(with_rows) >= 6, len(with_rows)  # 200 rows in two tables: many pages
    for page in with_rows:
        first_row = _ROW.search(page)
        assert first_row is not None
        assert "集群名称" in page[:first_row.start()], page[:400]  # header above the rows


def _words_outside_text_block(pdf: Path, pages: range | None = None) -> list[str]:
    """Words whose box leaves the A4 text block (left 28 mm, right 26 mm, 2 pt slack)."""
    left, right = 28 / 25.4 * 72 - 2, 595.276 - 26 / 25.4 * 72 + 2
    xml = subprocess.run([need("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    bad = []
    for page_no, page in enumerate(xml.split("<page ")[1:], start=1):
        if pages is not None and page_no not in pages:
            continue
        for x_min, x_max, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)',
                page):
            if float(x_min) < left or float(x_max) > right:
                bad.append(f"p{page_no}: {word[:40]} ({x_min}–{x_max})")
    return bad


def _table_pages(pdf: Path) -> set[int]:
    return {i for i, page in enumerate(_pages(pdf), start=1) if _ROW.search(page)}


@pytest.mark.slow
def test_long_words_in_paragraphs_stay_inside_the_text_block(
        large_build: tuple[Path, dict[str, object]]) -> None:
    out, _ = large_build
    pdf = out / "large.pdf"
    text = "".join(_pages(pdf))
    assert "A" * 30 in text  # the unbroken token is printed, wrapped over lines
    tables = _table_pages(pdf)
    others = range(1, len(_pages(pdf)) + 1)
    outside = [w for w in _words_outside_text_block(pdf, others)
               if int(w[1:w.index(":")]) not in tables]
    assert not outside, outside[:10]


@pytest.mark.slow
def test_long_names_and_numbers_wrap_inside_table_cells(
        large_build: tuple[Path, dict[str, object]]) -> None:
    out, _ = large_build
    pdf = out / "large.pdf"
    outside = _words_outside_text_block(pdf, range(1, len(_pages(pdf)) + 1))
    assert not outside, outside[:10]


@pytest.mark.slow
def test_docx_tables_repeat_their_header_and_fit_the_page(
        large_build: tuple[Path, dict[str, object]]) -> None:
    out, _ = large_build
    with zipfile.ZipFile(out / "large.docx") as package:
        xml = package.read("word/document.xml").decode("utf-8")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, re.DOTALL)
    assert len(tables) >= 2
    text_width = None
    for table in tables:
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", table, re.DOTALL)
        assert "<w:tblHeader/>" in rows[0]  # repeated at the top of every page
        assert all("<w:cantSplit/>" in row for row in rows)  # no row split over pages
        assert '<w:tblLayout w:type="fixed"/>' in table  # Word wraps inside the cells
        widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"/>', table)]
        text_width = text_width or sum(widths)
        assert sum(widths) == text_width
    assert text_width is not None and abs(text_width - 156 / 25.4 * 1440) < 2  # 156 mm, twips
    assert LONG_NAME in re.sub(r"<[^>]+>", "", xml)
