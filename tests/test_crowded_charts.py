"""Charts of crowded surveys stay readable: 300 clusters, 31 years, 90-character names, zeros."""

from __future__ import annotations

from reportgen.build import render_document
from reportgen.charts import MAX_LABEL_CHARS, render_png
from reportgen.survey import parse_survey_text
from reportgen.templating.helpers import MAX_BARS, MAX_LINES


def _survey(clusters: str) -> str:
    return ("schema: 1\nregion: {name: 测试县}\n"
            "report: {author: 测试县工信局, date: 2025-03-15, year: 2024}\n"
            f"clusters:\n{clusters}problems: [问题]\nsuggestions: [建议]\n")


def _figures(text: str) -> dict[str, object]:
    document = render_document(parse_survey_text(text, "t.yaml"))
    return {f.spec.chart: f.spec for f in document.figures()}


def test_300_clusters_keep_the_largest_bars_and_merge_the_rest() -> None:
    rows = "".join(f"- {{name: 集群{i:03d}, output: {i + 1}亿元}}\n" for i in range(300))
    bar = _figures(_survey(rows))["bar"]
    assert len(bar.categories) == MAX_BARS and bar.categories[-1] == "其他"  # type: ignore[attr-defined]
    values = bar.series[0][1]  # type: ignore[attr-defined]
    assert values[0] == 300 and sum(values) == sum(range(1, 301))
    render_png(bar)  # type: ignore[arg-type]


def test_31_years_and_many_lines_stay_legible() -> None:
    history = "{" + ", ".join(f"{y}: {y - 1990}亿元" for y in range(1993, 2023)) + "}"
    rows = "".join(f"- {{name: 集群{i:02d}, output: {100 + i}亿元, output_prev: 90亿元, "
                   f"history: {history}}}\n" for i in range(12))
    line = _figures(_survey(rows))["line"]
    assert len(line.categories) == 32  # type: ignore[attr-defined]
    names = [name for name, _ in line.series]  # type: ignore[attr-defined]
    assert len(names) == MAX_LINES and names[-1] == "其他"
    assert "集群11" in names and "集群00" not in names  # the largest keep their own line
    render_png(line)  # type: ignore[arg-type]


def test_very_long_names_are_shortened_on_the_axis_only() -> None:
    long = "特别长的名称" * 15
    rows = f"- {{name: {long}甲, output: 5亿元}}\n- {{name: {long}乙, output: 3亿元}}\n"
    document = render_document(parse_survey_text(_survey(rows), "t.yaml"))
    assert long + "甲" in document.plain_text()  # the table and paragraph keep the name
    from reportgen.charts import _wrap_labels

    labels, _ = _wrap_labels([long + "甲"], 400, 9)
    assert len(labels[0].replace("\n", "")) == MAX_LABEL_CHARS and labels[0].endswith("…")


def test_all_zero_outputs_draw_no_empty_bar_chart() -> None:
    rows = "- {name: 甲, output: 0元}\n- {name: 乙, output: 0元}\n"
    assert "bar" not in _figures(_survey(rows))


