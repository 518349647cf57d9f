"""Helpers templates call instead of writing markup: tables, charts, run-in paragraphs.

Each returns Markup in the HTML subset the document parser reads, with every piece of survey
text escaped, so a template line such as `{{ cluster_table(group.clusters) }}` is all staff
write. Numbers in tables and charts always come from the survey model. Tables live in
`templating.tables`, the wording of format-2 figures in `templating.phrases`.

Charts show one output label (`context.chart_label`: the label most clusters use) and only
exact values: an approximate figure (3300多) has no honest bar height. A chart needs at least
two values; with fewer, chart() prints nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from reportgen import formatting
from reportgen.quantities import is_approximate
from reportgen.survey.model import Cluster, Survey
from reportgen.templating import phrases
from reportgen.templating.context import chart_label, with_label
from reportgen.templating.tables import (
    MAX_COLUMNS,
    MAX_COLUMNS_WITH_TEXT,
    cluster_columns,
    cluster_table,
    staff_table,
)


def _figure(spec: dict[str, Any], caption: str) -> Markup:
    data = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    return Markup(f'<figure class="chart" data-chart="{escape(data)}">'
                  f"<figcaption>{escape(caption)}</figcaption></figure>")


def _float_in(amount: Decimal, unit: str) -> float:
    return float(formatting.money_in(amount, unit))


def chart_clusters(clusters: Iterable[Cluster], label: str | None = None) -> list[Cluster]:
    """The clusters a chart shows: exact outputs of the chart label (parts never count)."""
    rows = list(clusters)
    label = label or chart_label(rows)
    return [c for c in with_label(rows, label) if not is_approximate(c.output)]


def _output(c: Cluster) -> Decimal:
    return c.output if c.output is not None else Decimal(0)


def output_bar_chart(clusters: Iterable[Cluster], caption: str, title: str = "") -> Markup:
    """Bar chart of each cluster's output (one label, exact values), largest first."""
    rows = sorted(chart_clusters(clusters), key=_output, reverse=True)
    if len(rows) < 2:
        return Markup("")
    label = rows[0].output_label
    names = [c.name for c in rows]
    amounts = [_output(c) for c in rows]
    if len(rows) > MAX_BARS:
        # 300 bars cannot be read: the largest stay, the rest are one bar, 其他.
        names = [*names[:MAX_BARS - 1], "其他"]
        amounts = [*amounts[:MAX_BARS - 1], sum(amounts[MAX_BARS - 1:], Decimal(0))]
    unit = formatting.money_unit_for(amounts)
    return _figure({
        "chart": "bar", "title": title or f"各产业集群{label}", "unit": unit,
        "categories": names,
        "series": [[label, [_float_in(a, unit) for a in amounts]]],
        "x_label": "", "y_label": label,
    }, caption)


# More bars than this overprint their names on a page-wide chart.
MAX_BARS = 15
# More lines than this cannot be told apart; the smaller clusters join 其他.
MAX_LINES = 8


def can_draw_bar(survey: Survey) -> bool:
    """A bar chart needs two clusters with an exact output of the chart label, not all 0
    (an all-zero chart is an empty frame with a meaningless axis)."""
    rows = chart_clusters(survey.clusters)
    return len(rows) >= 2 and any(_output(c) > 0 for c in rows)


# More slices than this cannot be told apart; the smallest clusters join 其他.
MAX_PIE_SLICES = 7


def _pie_rest(survey: Survey, rows: list[Cluster]) -> Decimal:
    """The rest of the region (其他): only when every cluster of the label is exact, as an
    approximate one would otherwise be hidden in 其他."""
    whole = survey.totals.industrial_output
    label = chart_label(survey.clusters)
    if whole is None or is_approximate(whole) or len(rows) != len(with_label(survey.clusters,
                                                                            label)):
        return Decimal(0)
    total = sum((_output(c) for c in rows), Decimal(0))
    return whole - total if whole > total else Decimal(0)


def output_pie_chart(survey: Survey, caption: str, title: str = "") -> Markup:
    """Composition of output; the rest of the region as 其他 when totals give it."""
    rows = sorted(chart_clusters(survey.clusters), key=_output, reverse=True)
    rest = _pie_rest(survey, rows)
    if len(rows) + (1 if rest else 0) > MAX_PIE_SLICES:
        rest += sum((_output(c) for c in rows[MAX_PIE_SLICES - 1:]), Decimal(0))
        rows = rows[:MAX_PIE_SLICES - 1]
    amounts = [_output(c) for c in rows]
    names = [c.name for c in rows]
    if rest:
        names.append("其他")
        amounts.append(rest)
    if len(amounts) < 2:
        return Markup("")
    unit = formatting.money_unit_for(amounts)
    label = chart_label(survey.clusters)
    return _figure({
        "chart": "pie", "title": title or f"{label}构成", "unit": unit,
        "categories": names, "series": [[label, [_float_in(a, unit) for a in amounts]]],
        "x_label": "", "y_label": "",
    }, caption)


def can_draw_pie(survey: Survey) -> bool:
    """A pie needs two slices: two clusters, or one cluster and the rest of the region."""
    rows = chart_clusters(survey.clusters)
    slices = sum(1 for c in rows if _output(c) > 0) + (1 if _pie_rest(survey, rows) else 0)
    return slices >= 2


def trend_chart(survey: Survey, caption: str, title: str = "") -> Markup:
    """Output over the years for the clusters with `history` (plus output_prev and output);
    clusters of the chart label only, approximate years left as gaps."""
    year = survey.report.year
    points: dict[str, dict[int, Decimal]] = {}
    label = chart_label(survey.clusters)
    for c in with_label(survey.clusters, label):
        if not c.history:
            continue
        series = dict(c.history)
        if c.output_prev is not None:
            series[year - 1] = c.output_prev
        series[year] = _output(c)
        points[c.name] = {y: v for y, v in series.items() if not is_approximate(v)}
    years = sorted({y for s in points.values() for y in s})
    if not years:
        return Markup("")
    if len(points) > MAX_LINES:
        # The largest clusters (by their latest figure) keep a line; the others are summed
        # into 其他 for the years every one of them has a figure.
        ranked = sorted(points, key=lambda n: points[n][max(points[n])], reverse=True)
        rest = [points.pop(name) for name in ranked[MAX_LINES - 1:]]
        points["其他"] = {y: sum((s[y] for s in rest), Decimal(0)) for y in years
                          if all(y in s for s in rest)}
    unit = formatting.money_unit_for([v for s in points.values() for v in s.values()])
    return _figure({
        "chart": "line", "title": title or f"主要产业集群{label}变化", "unit": unit,
        "categories": [str(y) for y in years],
        "series": [[name, [_float_in(s[y], unit) if y in s else None for y in years]]
                   for name, s in points.items()],
        "x_label": "年份", "y_label": label,
    }, caption)


def _level_attr(level: int | None) -> str:
    if level is None:
        return ""
    if not 1 <= int(level) <= 4:
        raise ValueError(f"编号层级应为 1 到 4：{level}")
    return f' data-level="{int(level)}"'


def runin(heading: str, text: str = "", level: int | None = None) -> Markup:
    """A run-in paragraph: a numbered heading followed by text, e.g. （一）纺织业。共有…

    `level` fixes the numbering level (3 → 1., 4 → （1）); without it the run-in takes the
    level below the last heading.
    """
    heading = heading.strip()
    if heading and heading[-1] not in "。！？：；…":
        heading += "。"
    return Markup(f'<p class="runin"{_level_attr(level)}><strong>{escape(heading)}</strong>'
                  f"{escape(text)}</p>")


def numbered_list(items: Iterable[str], level: int | None = None) -> Markup:
    """Numbered sub-points (1. 2. 3.); the numbers come from the document, not the text.

    `level` fixes the numbering level (4 → （1）（2）); without it the list takes the level
    below the last numbered paragraph.
    """
    lis = "".join(f"<li>{escape(item)}</li>" for item in items)
    return Markup(f"<ol{_level_attr(level)}>{lis}</ol>")


def first_sentence(text: str | None) -> str:
    """The first sentence of a text (up to 。！？), for short reports such as the 简报."""
    text = (text or "").strip().split(phrases.PARAGRAPH_BREAK)[0]
    for index, char in enumerate(text):
        if char in "。！？":
            return text[:index + 1]
    return text


# Filters that belong to templates rather than to number formatting (formatting.FILTERS).
FILTERS: dict[str, Callable[..., Any]] = {
    "first_sentence": first_sentence,
    **phrases.FILTERS,
}

HELPERS: dict[str, Callable[..., Any]] = {
    "cluster_table": cluster_table,
    "output_bar_chart": output_bar_chart,
    "output_pie_chart": output_pie_chart,
    "trend_chart": trend_chart,
    "can_draw_pie": can_draw_pie,
    "runin": runin,
    "numbered_list": numbered_list,
}


__all__ = [
    "FILTERS",
    "HELPERS",
    "MAX_COLUMNS",
    "MAX_COLUMNS_WITH_TEXT",
    "MAX_PIE_SLICES",
    "can_draw_bar",
    "can_draw_pie",
    "chart_clusters",
    "cluster_columns",
    "cluster_table",
    "first_sentence",
    "numbered_list",
    "output_bar_chart",
    "output_pie_chart",
    "runin",
    "staff_table",
    "trend_chart",
]
