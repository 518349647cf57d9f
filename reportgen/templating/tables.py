"""Table helpers for templates: the cluster table and staff-made tables (survey format 2).

Each returns Markup in the HTML subset the document parser reads (a <table> with caption,
<thead>, <tbody>, <tfoot> for 合计, then <p class="note"> for the line under the table), with
every piece of survey text escaped. The caption is printed as 表n + caption: the number
comes from document numbering.

Cluster tables: one money column per output label (产值（亿元）, 旅游收入（万元）), each
totalled on its own; approximate cells keep their qualifier (3300多), approximate totals get
约; a table with nothing but names is not printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from markupsafe import Markup, escape

from reportgen import formatting
from reportgen.quantities import add_counts, add_money
from reportgen.survey import tables as staff
from reportgen.survey.model import Cluster, StaffTable
from reportgen.templating.context import aggregate_growth, output_labels
from reportgen.templating.phrases import join_paragraphs

DASH = "—"
TOTAL = "合计"


def cell(tag: str, text: str, align: str = "left", cls: str = "") -> str:
    classes = " ".join(c for c in (f"align-{align}", cls) if c)
    return f'<{tag} class="{classes}">{escape(text)}</{tag}>'


def _note(note: str | None) -> str:
    # The parser attaches a note paragraph right after a table to that table (Table.note).
    text = join_paragraphs(note)
    return f'<p class="note">{escape(text)}</p>' if text else ""


class Column:
    """One table column: header, how to show a cluster's value, how to total it."""

    def __init__(self, header: str, value: Callable[[Cluster], str], align: str = "right",
                 total: Callable[[Sequence[Cluster]], str] | None = None) -> None:
        self.header = header
        self.value = value
        self.align = align
        self.total = total


def _count_column(header: str, attr: str) -> Column:
    def value(c: Cluster) -> str:
        v = getattr(c, attr)
        return DASH if v is None else formatting.count_number(v)

    def total(cs: Sequence[Cluster]) -> str:
        s = add_counts([getattr(c, attr) for c in cs])
        return DASH if s is None else formatting.count_number(s)

    return Column(header, value, total=total)


def _money_column(label: str, attr: str, clusters: Sequence[Cluster],
                  output_label: str | None = None) -> Column:
    """A money column; for outputs (`output_label` set) only that label's clusters count."""
    def get(c: Cluster) -> Any:
        if output_label is not None and c.output_label != output_label:
            return None
        return getattr(c, attr)

    unit = formatting.money_unit_for([get(c) for c in clusters])

    def value(c: Cluster) -> str:
        v = get(c)
        return DASH if v is None else formatting.money_in(v, unit)

    def total(cs: Sequence[Cluster]) -> str:
        s = add_money(get(c) for c in cs)
        return DASH if s is None else formatting.money_in(s, unit)

    return Column(f"{label}（{unit}）", value, total=total)


def _growth_column(single_label: bool) -> Column:
    def value(c: Cluster) -> str:
        rate = c.growth_rate
        return DASH if rate is None else formatting.percent(rate)

    def total(cs: Sequence[Cluster]) -> str:
        # A growth of a sum over different labels would add them together.
        rate = aggregate_growth(list(cs)) if single_label else None
        return DASH if rate is None else formatting.percent(rate)

    return Column("同比增长", value, total=total)


def _leaders(c: Cluster) -> str:
    names = list(c.lead_enterprises)
    if not names:
        return DASH
    shown = "、".join(names[:3])
    return shown + ("等" if len(names) > 3 else "")


# The most columns a portrait A4 table holds legibly at 12 pt; a text column such as
# 骨干企业 only fits beside a few figures.
MAX_COLUMNS = 7
MAX_COLUMNS_WITH_TEXT = 5


def cluster_columns(clusters: Sequence[Cluster]) -> list[Column]:
    """Columns chosen from what the data has, in a fixed order; one per output label."""
    def any_(attr: str) -> bool:
        return any(getattr(c, attr) not in (None, (), {}) for c in clusters)

    columns = [Column("集群名称", lambda c: c.name, align="left", total=lambda cs: TOTAL)]
    if any_("enterprises"):
        columns.append(_count_column("企业数（家）", "enterprises"))
    if any_("above_scale"):
        columns.append(_count_column("规上企业（家）", "above_scale"))
    labels = output_labels(clusters)
    for label in labels:
        columns.append(_money_column(label, "output", clusters, output_label=label))
    if any(c.growth_rate is not None for c in clusters):
        columns.append(_growth_column(single_label=len(labels) <= 1))
    if any_("profit_tax"):
        columns.append(_money_column("利税", "profit_tax", clusters))
    if any_("profit"):
        columns.append(_money_column("利润", "profit", clusters))
    if any_("employees"):
        columns.append(_count_column("从业人员（人）", "employees"))
    if any_("lead_enterprises") and len(columns) < MAX_COLUMNS_WITH_TEXT:
        columns.append(Column("骨干企业", _leaders, align="left", total=lambda cs: DASH))
    return columns[:MAX_COLUMNS]


def cluster_table(clusters: Iterable[Cluster], caption: str, note: str = "") -> Markup:
    """表: one row per cluster, a 合计 row when there are two or more clusters.

    Nothing is printed when no column but the name has a value (clusters named only).
    """
    rows = list(clusters)
    columns = cluster_columns(rows)
    if not any(col.value(c) != DASH for col in columns[1:] for c in rows):
        return Markup("")
    parts = ["<table>", f"<caption>{escape(caption)}</caption>", "<thead><tr>"]
    parts += [cell("th", col.header, "center") for col in columns]
    parts.append("</tr></thead><tbody>")
    for cluster in rows:
        parts.append("<tr>" + "".join(cell("td", col.value(cluster), col.align)
                                      for col in columns) + "</tr>")
    parts.append("</tbody>")
    if len(rows) >= 2:
        cells = "".join(cell("td", col.total(rows) if col.total else DASH, col.align)
                        for col in columns)
        parts.append(f"<tfoot><tr>{cells}</tr></tfoot>")
    parts.append("</table>")
    parts.append(_note(note))
    return Markup("".join(parts))


def staff_table(table: StaffTable, units: Iterable[str] = ()) -> Markup:
    """A table staff made (survey format 2): caption above, the columns as the header row,
    cells exactly as written, a 合计 row when `total` is set, the note under it.

    合计: 合计 in the first cell, text columns empty, number columns summed (the decimals of
    the most precise cell, 约 when a summed cell is approximate), percentage, rank and year
    columns empty. `units` are the survey's declared units (they make number columns too).
    """
    kinds = [staff.column_kind(header, units) for header in table.columns]
    aligns = ["right" if kind.numeric else "left" for kind in kinds]
    parts = ["<table>", f"<caption>{escape(table.caption)}</caption>", "<thead><tr>"]
    parts += [cell("th", header, "center") for header in table.columns]
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        parts.append("<tr>" + "".join(cell("td", text, align)
                                      for text, align in zip(row, aligns, strict=False))
                     + "</tr>")
    parts.append("</tbody>")
    if table.total:
        totals = []
        for index, kind in enumerate(kinds):
            column = [row[index] for row in table.rows if index < len(row)]
            totals.append(staff.column_total(column) if kind.summed else "")
        totals[0] = TOTAL
        cells = "".join(cell("td", text, align) for text, align in zip(totals, aligns,
                                                                       strict=True))
        parts.append(f"<tfoot><tr>{cells}</tr></tfoot>")
    parts.append("</table>")
    parts.append(_note(table.note))
    return Markup("".join(parts))
