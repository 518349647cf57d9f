"""Real builds read back as a user would: python-docx, pdftotext, pdffonts, pdfinfo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pytest
from docx.shared import Mm

from reportgen import formatting
from reportgen.quantities import add_counts, add_money
from reportgen.survey import load_survey
from reportgen.survey.model import Survey
from tests.conftest import need

CN_ORDINALS = "一二三四五六七八九十"


def pdftotext(pdf: Path) -> str:
    need("pdftotext")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    document = docx.Document(str(path))
    return [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def level1_numbers(lines: list[str]) -> list[str]:
    pattern = re.compile(r"\s*([一二三四五六七八九十]+)、")
    return [m.group(1) for line in lines if (m := pattern.match(line))]


def expected_level1(count: int) -> list[str]:
    return [formatting.chinese_number(i) for i in range(1, count + 1)]


@pytest.fixture(scope="module")
def surveys(samples: list[Path]) -> dict[str, Survey]:
    return {p.stem: load_survey(p) for p in samples}


def test_every_sample_has_both_outputs(built: Path, samples: list[Path]) -> None:
    for sample in samples:
        assert (built / f"{sample.stem}.docx").stat().st_size > 10_000
        assert (built / f"{sample.stem}.pdf").stat().st_size > 10_000
    assert not list(built.glob(".*.tmp")), "temporary files left behind"


def test_docx_page_geometry_is_gbt9704(built: Path, samples: list[Path]) -> None:
    for sample in samples:
        section = docx.Document(str(built / f"{sample.stem}.docx")).sections[0]
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
        for margin, mm in [(section.top_margin, 37), (section.bottom_margin, 35),
                           (section.left_margin, 28), (section.right_margin, 26)]:
            assert margin is not None and abs(margin - Mm(mm)) < Mm(0.2), (sample, mm)


def level1_count(survey: Survey) -> int:
    """现状, 问题, 对策, 原因 when given, and the extra sections (survey format 2)."""
    return 3 + (1 if survey.causes else 0) + len(survey.sections)


def test_docx_level1_numbering_is_consecutive(built: Path, surveys: dict[str, Survey]) -> None:
    for stem, survey in surveys.items():
        headings = [t for style, t in docx_paragraphs(built / f"{stem}.docx")
                    if style == "Heading 1"]
        assert level1_numbers(headings) == expected_level1(level1_count(survey)), headings


def test_pdf_level1_numbering_is_consecutive(built: Path, surveys: dict[str, Survey]) -> None:
    for stem, survey in surveys.items():
        text = pdftotext(built / f"{stem}.pdf")
        numbers = level1_numbers(text.splitlines())
        assert numbers == expected_level1(level1_count(survey)), numbers


def test_causes_section_appears_exactly_when_given(built: Path,
                                                   surveys: dict[str, Survey]) -> None:
    assert any(s.causes for s in surveys.values()) and not all(s.causes for s in surveys.values())
    for stem, survey in surveys.items():
        in_docx = "原因分析" in docx_text(built / f"{stem}.docx")
        in_pdf = "原因分析" in pdftotext(built / f"{stem}.pdf")
        assert in_docx == in_pdf == bool(survey.causes), stem


def _cluster_rows(path: Path) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            rows[cells[0]] = cells
    return rows


def test_every_cluster_has_a_table_row(built: Path, surveys: dict[str, Survey]) -> None:
    for stem, survey in surveys.items():
        rows = _cluster_rows(built / f"{stem}.docx")
        for cluster in survey.clusters:
            assert cluster.name in rows, (stem, cluster.name)


def test_total_rows_add_up(built: Path, surveys: dict[str, Survey]) -> None:
    for stem, survey in surveys.items():
        document = docx.Document(str(built / f"{stem}.docx"))
        checked = 0
        for table in document.tables:
            # Header cells may break before their unit (产值 / （亿元）): compare without it.
            header = [re.sub(r"\s+", "", c.text) for c in table.rows[0].cells]
            if header[0] != "集群名称":  # a staff table (tests/test_format2_render.py)
                continue
            names = {r.cells[0].text.strip() for r in table.rows[1:]}
            clusters = [c for c in survey.clusters if c.name in names]
            total = [c.text.strip() for c in table.rows[-1].cells]
            if total[0] != "合计":
                assert len(clusters) == 1
                continue
            for i, title in enumerate(header):
                if title.startswith("企业数"):
                    count = add_counts([c.enterprises for c in clusters])
                    assert total[i] == formatting.count_number(count), (stem, title)
                if m := re.search(r"^(.+)（(亿元|万元|元)）$", title):
                    # One column per output label, summed on its own (labels never mix).
                    label, unit = m.groups()
                    outputs = [c.output for c in clusters if c.output_label == label]
                    amount = add_money(outputs)
                    if amount is None or label in ("利税", "利润"):
                        continue
                    assert total[i] == formatting.money_in(amount, unit), (stem, title)
                    checked += 1
        assert checked or not any(c.output for c in survey.clusters), \
            f"{stem}: no total row checked"


def test_pdf_is_a4_with_embedded_cjk_fonts(built: Path, samples: list[Path]) -> None:
    need("pdfinfo")
    for sample in samples:
        pdf = built / f"{sample.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert size and abs(float(size.group(1)) - 595.28) < 1 and \
            abs(float(size.group(2)) - 841.89) < 1, info
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts
        for line in fonts:
            columns = line.split()
            # name type encoding emb sub uni object ID: emb and sub are the yes/no columns
            yes_no = [c for c in columns if c in ("yes", "no")]
            assert yes_no[0] == "yes", f"font not embedded: {line}"
        assert any("Fandol" in line for line in fonts), fonts


def test_pdf_and_docx_say_the_same_thing(built: Path, surveys: dict[str, Survey]) -> None:
    for stem, survey in surveys.items():
        pdf = re.sub(r"\s+", "", pdftotext(built / f"{stem}.pdf"))
        text = docx_text(built / f"{stem}.docx")
        for cluster in survey.clusters:
            assert cluster.name in pdf and cluster.name in text
        for finding in [*survey.problems, *survey.suggestions]:
            title = re.sub(r"\s+", "", finding.title)
            assert title in pdf and title in text.replace(" ", "")
        assert formatting.date_cn(survey.report.date) in pdf
        assert formatting.date_cn(survey.report.date) in text
