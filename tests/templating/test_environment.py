"""Templates run sandboxed, strict and escaped; their errors name file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import TemplateError
from reportgen.survey.model import Survey
from reportgen.templating.environment import render_html
from reportgen.templating.helpers import cluster_table
from reportgen.templating.templateset import TemplateSet, find_template_set


def make_survey(**changes: Any) -> Survey:
    data: dict[str, Any] = {
        "region": {"name": "测试县"},
        "report": {"author": "测试局", "date": "2025-03-15", "year": 2024},
        "clusters": [
            {"name": "纺织业", "output": "12.7亿元", "output_prev": "10亿元", "enterprises": 70,
             "profit_tax": "1.2亿元"},
            {"name": "建材业", "output": "7800万元", "output_prev": "8000万元", "enterprises": 5,
             "profit_tax": "3000万元"},
        ],
        "problems": [{"title": "问题一"}],
        "suggestions": [{"title": "建议一", "measures": ["措施一", "措施二"]}],
    }
    data.update(changes)
    # The model holds findings in their mapping form ({items: [...]}); the loader turns the
    # list a file may write into it, so a survey built here does the same.
    for section in ("problems", "causes", "suggestions"):
        if isinstance(data.get(section), list):
            data[section] = {"items": data[section]}
    return Survey.model_validate(data)


def template_set(tmp_path: Path, source: str, name: str = "report.html") -> TemplateSet:
    folder = tmp_path / "myset"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")
    if name != "report.html":
        (folder / "report.html").write_text('{% include "' + name + '" %}', encoding="utf-8")
    return TemplateSet("myset", folder)


def test_undefined_variable_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    ts = template_set(tmp_path, "<p>第一行</p>\n<p>{{ region.nmae }}</p>\n")
    with pytest.raises(TemplateError) as caught:
        render_html(make_survey(), ts)
    error = caught.value
    assert error.file is not None and error.file.endswith("report.html")
    assert error.line == 2
    assert "nmae" in str(error)
    assert error.source_line == "<p>{{ region.nmae }}</p>"


def test_error_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    ts = template_set(tmp_path, "<p>ok</p>\n\n<p>{{ no_such_thing }}</p>", name="part.html")
    with pytest.raises(TemplateError) as caught:
        render_html(make_survey(), ts)
    assert caught.value.file is not None and caught.value.file.endswith("part.html")
    assert caught.value.line == 3


def test_syntax_error_names_line(tmp_path: Path) -> None:
    ts = template_set(tmp_path, "<p>a</p>\n{% if x %}\n<p>b</p>\n")
    with pytest.raises(TemplateError, match="语法错误") as caught:
        render_html(make_survey(), ts)
    assert caught.value.line is not None


def test_sandbox_blocks_python_internals(tmp_path: Path) -> None:
    ts = template_set(tmp_path, "<p>{{ region.__class__.__mro__ }}</p>")
    with pytest.raises(TemplateError):
        render_html(make_survey(), ts)


def test_survey_text_is_escaped(tmp_path: Path) -> None:
    survey = make_survey(region={"name": "<b>县</b>{{ x }}"})
    ts = template_set(tmp_path, "<p>{{ region.name }}</p>")
    assert "&lt;b&gt;县&lt;/b&gt;{{ x }}" in render_html(survey, ts)


def test_unknown_template_set_lists_the_known_ones() -> None:
    with pytest.raises(TemplateError, match="default"):
        find_template_set("no-such-set")


def test_template_set_name_cannot_escape_the_folder() -> None:
    with pytest.raises(TemplateError):
        find_template_set("../templates/default")


def test_cluster_table_totals_add_up_in_one_unit() -> None:
    survey = make_survey()
    html = str(cluster_table(survey.clusters, "指标"))
    assert "主营业务收入" not in html and "产值（亿元）" in html
    assert "<td class=\"align-right\">13.48</td>" in html  # 12.7亿 + 0.78亿
    assert "合计" in html
    assert "利税（亿元）" in html and ">1.5<" in html  # 1.2亿 + 3000万


def test_single_cluster_table_has_no_total_row() -> None:
    survey = make_survey()
    assert "合计" not in str(cluster_table(survey.clusters[:1], "指标"))


def test_growth_column_uses_output_prev() -> None:
    survey = make_survey()
    assert survey.clusters[1].growth_rate == Decimal("-2.5")
    html = str(cluster_table(survey.clusters, "指标"))
    assert ">27%<" in html and ">-2.5%<" in html


def test_pie_keeps_the_largest_clusters_and_merges_the_rest_into_other() -> None:
    import json

    from reportgen.templating.helpers import MAX_PIE_SLICES, output_pie_chart

    clusters = [{"name": f"集群{i}", "output": f"{i + 1}亿元"} for i in range(10)]
    survey = make_survey(clusters=clusters, totals={"industrial_output": "100亿元"})
    html = str(output_pie_chart(survey, "构成"))
    spec = json.loads(html.split('data-chart="')[1].split('"><')[0].replace("&#34;", '"'))
    names = spec["categories"]
    assert len(names) == MAX_PIE_SLICES and names[0] == "集群9" and names[-1] == "其他"
    assert sum(spec["series"][0][1]) == 100  # the slices still add up to the whole region
