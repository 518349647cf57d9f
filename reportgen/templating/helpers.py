"""Helpers templates call instead of writing markup: tables, charts, run-in paragraphs.

Each returns Markup in the HTML subset the document parser reads, with every piece of survey
text escaped, so a template line such as `{{ cluster_table(group.clusters) }}` is all staff
write. Numbers in tables and charts always come from the survey model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from reportgen import formatting
from reportgen.survey.model import Cluster, Survey
from reportgen.templating.context import aggregate_growth, common_output_label, sum_optional

_DASH = "—"


def _cell(tag: str, text: str, align: str = "left", cls: str = "") -> str:
    classes = " ".join(c for c in (f"align-{align}", cls) if c)
    return f'<{tag} class="{classes}">{escape(text)}</{tag}>'


class _Column:
    """One table column: header, how to show a cluster's value, how to total it."""

    def __init__(self, header: str, value: Callable[[Cluster], str], align: str = "right",
                 total: Callable[[Sequence[Cluster]], str] | None = None) -> None:
        self.header = header
        self.value = value
        self.align = align
        self.total = total


def _int_column(header: str, attr: str) -> _Column:
    def value(c: Cluster) -> str:
        v = getattr(c, attr)
        return _DASH if v is None else formatting.integer(v)

    def total(cs: Sequence[Cluster]) -> str:
        s = sum_optional([getattr(c, attr) for c in cs])
        return _DASH if s is None else formatting.integer(s)

    return _Column(header, value, total=total)


def _money_column(label: str, attr: str, clusters: Sequence[Cluster]) -> _Column:
    amounts = [getattr(c, attr) for c in clusters if getattr(c, attr) is not None]
    unit = formatting.money_unit_for(amounts)

    def value(c: Cluster) -> str:
        v = getattr(c, attr)
        return _DASH if v is None else formatting.money_in(v, unit)

    def total(cs: Sequence[Cluster]) -> str:
        s = sum_optional([getattr(c, attr) for c in cs])
        return _DASH if s is None else formatting.money_in(s, unit)

    return _Column(f"{label}（{unit}）", value, total=total)


def _growth_column() -> _Column:
    def value(c: Cluster) -> str:
        rate = c.growth_rate
        return _DASH if rate is None else formatting.percent(rate)

    def total(cs: Sequence[Cluster]) -> str:
        rate = aggregate_growth(list(cs))
        return _DASH if rate is None else formatting.percent(rate)

    return _Column("同比增长", value, total=total)


def _leaders(c: Cluster) -> str:
    names = list(c.lead_enterprises)
    if not names:
        return _DASH
    shown = "、".join(names[:3])
    return shown + ("等" if len(names) > 3 else "")


# The most columns a portrait A4 table holds legibly at 12 pt; a text column such as
# 骨干企业 only fits beside a few figures.
MAX_COLUMNS = 7
MAX_COLUMNS_WITH_TEXT = 5


def cluster_columns(clusters: Sequence[Cluster]) -> list[_Column]:
    """Columns chosen from what the data has, in a fixed order."""
    def any_(attr: str) -> bool:
        return any(getattr(c, attr) not in (None, (), {}) for c in clusters)

    columns = [_Column("集群名称", lambda c: c.name, align="left", total=lambda cs: "合计")]
    if any_("enterprises"):
        columns.append(_int_column("企业数（家）", "enterprises"))
    if any_("above_scale"):
        columns.append(_int_column("规上企业（家）", "above_scale"))
    columns.append(_money_column(common_output_label(list(clusters)), "output", clusters))
    if any(c.growth_rate is not None for c in clusters):
        columns.append(_growth_column())
    if any_("profit_tax"):
        columns.append(_money_column("利税", "profit_tax", clusters))
    if any_("profit"):
        columns.append(_money_column("利润", "profit", clusters))
    if any_("employees"):
        columns.append(_int_column("从业人员（人）", "employees"))
    if any_("lead_enterprises") and len(columns) < MAX_COLUMNS_WITH_TEXT:
        columns.append(_Column("骨干企业", _leaders, align="left", total=lambda cs: _DASH))
    return columns[:MAX_COLUMNS]


def cluster_table(clusters: Iterable[Cluster], caption: str, note: str = "") -> Markup:
    """表: one row per cluster, a 合计 row when there are two or more clusters."""
    rows = list(clusters)
    columns = cluster_columns(rows)
    parts = ["<table>", f"<caption>{escape(caption)}</caption>", "<thead><tr>"]
    parts += [_cell("th", col.header, "center") for col in columns]
    parts.append("</tr></thead><tbody>")
    for cluster in rows:
        parts.append("<tr>" + "".join(_cell("td", col.value(cluster), col.align)
                                      for col in columns) + "</tr>")
    parts.append("</tbody>")
    if len(rows) >= 2:
        cells = "".join(_cell("td", col.total(rows) if col.total else _DASH, col.align)
                        for col in columns)
        parts.append(f"<tfoot><tr>{cells}</tr></tfoot>")
    parts.append("</table>")
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    return Markup("".join(parts))


def _figure(spec: dict[str, Any], caption: str) -> Markup:
    data = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    return Markup(f'<figure class="chart" data-chart="{escape(data)}">'
                  f"<figcaption>{escape(caption)}</figcaption></figure>")


def _float_in(amount: Decimal, unit: str) -> float:
    return float(formatting.money_in(amount, unit))


def output_bar_chart(clusters: Iterable[Cluster], caption: str, title: str = "") -> Markup:
    """Bar chart of each cluster's output, largest first."""
    rows = sorted(clusters, key=lambda c: c.output, reverse=True)
    unit = formatting.money_unit_for([c.output for c in rows])
    label = common_output_label(rows)
    return _figure({
        "chart": "bar", "title": title or f"各产业集群{label}", "unit": unit,
        "categories": [c.name for c in rows],
        "series": [[label, [_float_in(c.output, unit) for c in rows]]],
        "x_label": "", "y_label": label,
    }, caption)


# More slices than this cannot be told apart; the smallest clusters join 其他.
MAX_PIE_SLICES = 7


def output_pie_chart(survey: Survey, caption: str, title: str = "") -> Markup:
    """Composition of output; the rest of the region as 其他 when totals give it."""
    rows = sorted(survey.clusters, key=lambda c: c.output, reverse=True)
    whole = survey.totals.industrial_output
    total = sum((c.output for c in rows), Decimal(0))
    rest = whole - total if whole is not None and whole > total else Decimal(0)
    if len(rows) + (1 if rest else 0) > MAX_PIE_SLICES:
        rest += sum((c.output for c in rows[MAX_PIE_SLICES - 1:]), Decimal(0))
        rows = rows[:MAX_PIE_SLICES - 1]
    amounts = [c.output for c in rows]
    names = [c.name for c in rows]
    if rest:
        names.append("其他")
        amounts.append(rest)
    unit = formatting.money_unit_for(amounts)
    label = common_output_label(rows)
    return _figure({
        "chart": "pie", "title": title or f"{label}构成", "unit": unit,
        "categories": names, "series": [[label, [_float_in(a, unit) for a in amounts]]],
        "x_label": "", "y_label": "",
    }, caption)


def can_draw_pie(survey: Survey) -> bool:
    """A pie needs two slices: two clusters, or one cluster and the rest of the region."""
    whole = survey.totals.industrial_output
    outputs = sum(c.output for c in survey.clusters)
    rest = whole is not None and whole > outputs
    slices = sum(1 for c in survey.clusters if c.output > 0) + (1 if rest else 0)
    return slices >= 2


def trend_chart(survey: Survey, caption: str, title: str = "") -> Markup:
    """Output over the years for the clusters with `history` (plus output_prev and output)."""
    year = survey.report.year
    points: dict[str, dict[int, Decimal]] = {}
    for c in survey.clusters:
        if not c.history:
            continue
        series = dict(c.history)
        if c.output_prev is not None:
            series[year - 1] = c.output_prev
        series[year] = c.output
        points[c.name] = series
    years = sorted({y for s in points.values() for y in s})
    unit = formatting.money_unit_for([v for s in points.values() for v in s.values()])
    label = common_output_label([c for c in survey.clusters if c.name in points])
    return _figure({
        "chart": "line", "title": title or f"主要产业集群{label}变化", "unit": unit,
        "categories": [str(y) for y in years],
        "series": [[name, [_float_in(s[y], unit) if y in s else None for y in years]]
                   for name, s in points.items()],
        "x_label": "年份", "y_label": label,
    }, caption)


def runin(heading: str, text: str = "") -> Markup:
    """A run-in paragraph: a numbered heading followed by text, e.g. （一）纺织业。共有…"""
    heading = heading.strip()
    if heading and heading[-1] not in "。！？：；…":
        heading += "。"
    return Markup(f'<p class="runin"><strong>{escape(heading)}</strong>{escape(text)}</p>')


def numbered_list(items: Iterable[str]) -> Markup:
    """Numbered sub-points (1. 2. 3.); the numbers come from the document, not the text."""
    lis = "".join(f"<li>{escape(item)}</li>" for item in items)
    return Markup(f"<ol>{lis}</ol>")


def first_sentence(text: str | None) -> str:
    """The first sentence of a text (up to 。！？), for short reports such as the 简报."""
    text = (text or "").strip()
    for index, char in enumerate(text):
        if char in "。！？":
            return text[:index + 1]
    return text


# Filters that belong to templates rather than to number formatting (formatting.FILTERS).
FILTERS: dict[str, Callable[..., Any]] = {
    "first_sentence": first_sentence,
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
