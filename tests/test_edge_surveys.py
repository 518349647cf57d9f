"""Valid surveys unlike the samples still build: minimal, single cluster, zeros, rare names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest

from reportgen.build import build_file
from tests.conftest import need

MINIMAL = """\
region: {name: 小县}
report: {author: 小县工信局, date: 2025-01-02, year: 2024}
clusters:
- {name: 茶叶加工业, output: 3000万元}
problems: [规模偏小]
suggestions: [扩大规模]
"""

ZEROS = """\
region: {name: 零县, kind: 县}
report: {author: 零县工信局, date: 2025年12月31日, year: 2025}
totals: {industrial_output: 0元}
clusters:
- {name: 甲业, output: 0元, output_prev: 0元, enterprises: 0, above_scale: 0}
- {name: 乙业, output: 0元, enterprises: 0}
problems: [{title: 无产值, clusters: [甲业]}]
causes: []
suggestions: [{title: 培育企业, measures: [招商引资]}]
"""

RARE = """\
region: {name: 喆犇县}
report: {author: 镕堃调研组, date: 2025-06-01, year: 2024, methods: [走访企业]}
clusters:
- {name: 镕铸业, output: 1.5亿元, history: {2020: 1亿元, 2021: 1.1亿元}, growth: -3.2%}
- {name: 堃石业, output: 9999元, employees: 12}
- {name: 名称特别长的一个农副产品深加工产业集群, output: 149.79亿元, group: 甲组}
problems: [问题]
causes: [原因]
suggestions: [建议]
"""


# Rare characters are drawn with Noto CJK, and the build says so.
NOTO_FALLBACK = pytest.mark.expected_warnings("改用 Noto CJK 字体显示",
                                              logger="reportgen.writers.pdf_writer")


@pytest.mark.parametrize("name, text", [("minimal", MINIMAL), ("zeros", ZEROS),
                                        pytest.param("rare", RARE, marks=NOTO_FALLBACK)])
def test_unusual_valid_survey_builds(tmp_path: Path, name: str, text: str) -> None:
    source = tmp_path / f"{name}.yaml"
    source.write_text(text, encoding="utf-8")
    result = build_file(source, tmp_path / "out")
    assert result.ok, result.error
    body = "\n".join(p.text for p in docx.Document(str(tmp_path / "out" / f"{name}.docx"))
                     .paragraphs)
    need("pdftotext")
    pdf = subprocess.run(["pdftotext", str(tmp_path / "out" / f"{name}.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "一、" in body and "对策建议" in body
    assert "对策建议" in pdf.replace(" ", "")
    if name == "rare":
        assert "镕铸业" in pdf and "喆犇县" in pdf  # rare characters fall back, never vanish
        assert "9999元" in body and "149.79亿元" in body and "同比下降3.2%" in body
    if name == "zeros":
        assert "原因分析" not in body  # an empty causes list drops the section
        assert "三、对策建议" in body
