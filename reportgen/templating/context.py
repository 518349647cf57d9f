"""Figures derived from a survey for the templates: sums, shares, groups, wording bits.

Templates must never type a number; everything they print comes from the survey or from
here. Sums use Decimal so 合计 rows add up exactly. Different output labels (产值, 旅游收入)
are never added together: sums are per label, and charts and the share of the region's
output use one label (`chart_label`). Parts (survey format 2) are not clusters: they never
count in sums, tables or charts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportgen import formatting
from reportgen.quantities import Amount, add_counts, add_money, is_approximate
from reportgen.survey.model import (
    ANCHORS,
    Cluster,
    Indicator,
    Overview,
    Section,
    Survey,
    Target,
)

# The last character of a region name says what "the whole region" is called: 全市, 全县 …
_REGION_SUFFIXES = "市县区旗州盟镇乡"


@dataclass(frozen=True)
class ClusterGroup:
    name: str | None  # None: clusters without a `group`
    clusters: tuple[Cluster, ...]


def region_word(survey: Survey) -> str:
    """"市", "县", "区" … for phrases like 全市工业总产值; from the name, else the kind."""
    name = survey.region.name
    if name and name[-1] in _REGION_SUFFIXES:
        return name[-1]
    kind = survey.region.kind or ""
    if kind and kind[-1] in _REGION_SUFFIXES:
        return kind[-1]
    return "市"


def sum_optional(values: list[Any]) -> Any | None:
    """Sum of the values that are given; None when none is."""
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def groups(clusters: tuple[Cluster, ...]) -> list[ClusterGroup]:
    """Clusters by `group`, in order of first appearance; ungrouped ones form one group."""
    order: list[str | None] = []
    members: dict[str | None, list[Cluster]] = {}
    for cluster in clusters:
        if cluster.group not in members:
            order.append(cluster.group)
            members[cluster.group] = []
        members[cluster.group].append(cluster)
    return [ClusterGroup(name, tuple(members[name])) for name in order]


def common_output_label(clusters: tuple[Cluster, ...] | list[Cluster]) -> str:
    labels = {c.output_label for c in clusters}
    return labels.pop() if len(labels) == 1 else "产值"


def output_labels(clusters: Iterable[Cluster]) -> list[str]:
    """The output labels of the clusters that give an output, in order of first use."""
    labels: list[str] = []
    for c in clusters:
        if c.output is not None and c.output_label not in labels:
            labels.append(c.output_label)
    return labels


def chart_label(clusters: Iterable[Cluster], default: str = "产值") -> str:
    """The label charts show: the one most clusters with an output use (ties: the first).

    Different labels are never added together, so a chart (and the share of the region's
    output) covers the clusters of one label only.
    """
    given = [c for c in clusters if c.output is not None]
    labels = output_labels(given)
    if not labels:
        return default
    return max(labels, key=lambda label: sum(1 for c in given if c.output_label == label))


def with_label(clusters: Iterable[Cluster], label: str) -> list[Cluster]:
    return [c for c in clusters if c.output is not None and c.output_label == label]


def aggregate_growth(clusters: tuple[Cluster, ...] | list[Cluster]) -> Decimal | None:
    """Growth of the summed output, only when every cluster's output and previous output are
    known exactly (a growth rate is never computed from an approximate figure)."""
    if not clusters or any(c.output is None or c.output_prev is None or is_approximate(c.output)
                           or is_approximate(c.output_prev) for c in clusters):
        return None
    prev = sum((c.output_prev for c in clusters if c.output_prev is not None), Decimal(0))
    if prev <= 0:
        return None
    now = sum((c.output for c in clusters if c.output is not None), Decimal(0))
    return formatting.growth_rate(now, prev)


def share(part: Any, whole: Any) -> Decimal | None:
    """part ÷ whole in percent; approximate (约) when either figure is."""
    value = formatting.share(part, whole)
    if value is not None and (is_approximate(part) or is_approximate(whole)):
        return Amount(value)
    return value


@dataclass(frozen=True)
class OutputSum:
    """One output label's figure in the summary: 产值…；旅游收入…"""

    label: str
    value: Decimal  # from overview when it gives this label, else the clusters' sum
    growth: Decimal | None  # of the clusters' sum, when every one has an exact output_prev
    share: Decimal | None  # of totals.industrial_output; only for the chart label
    clusters: tuple[Cluster, ...]  # the described clusters of this label
    from_overview: bool


@dataclass(frozen=True)
class Summary:
    """The facts of the summary paragraph of 发展现状.

    Counts and outputs are the overview's figures when it gives them, else the described
    clusters' sums; sums with an approximate addend are approximate (约).
    """

    cluster_count: int  # clusters described in the file (parts not counted)
    enterprises: int | None
    above_scale: int | None
    employees: int | None
    output: Decimal | None  # the chart label's figure
    output_label: str  # the chart label
    output_share: Decimal | None  # percent of totals.industrial_output
    enterprise_share: Decimal | None
    above_scale_share: Decimal | None
    growth: Decimal | None
    outputs: tuple[OutputSum, ...] = ()  # one per output label, in order of first use
    region_clusters: int | None = None  # overview.clusters: all clusters of the region
    profit_tax: Decimal | None = None  # overview only (format 1 never printed these)
    profit: Decimal | None = None
    indicators: tuple[Indicator, ...] = ()
    targets: tuple[Target, ...] = ()
    target_name: str = ""  # default name of an overview target: 全市产业集群产值
    # Figures that are the described clusters' sums (no overview figure): when the region has
    # more clusters than described, the template must not present them as the region's.
    from_clusters: frozenset[str] = frozenset()

    @property
    def more_clusters(self) -> bool:
        """The region has more clusters than the report describes (本报告重点调研其中N个)."""
        return self.region_clusters is not None and self.region_clusters > self.cluster_count

    def partial(self, figure: str) -> bool:
        """Is `figure` (enterprises, employees …) only the described clusters' sum while the
        region has more clusters? Then it is worded as the surveyed clusters' figure."""
        return self.more_clusters and figure in self.from_clusters


def _outputs(survey: Survey, overview: Overview, label: str) -> list[OutputSum]:
    clusters = survey.clusters
    given = {overview.output_label: overview.output, "主营业务收入": overview.revenue}
    labels = output_labels(clusters)
    labels += [name for name, value in given.items() if value is not None and name not in labels]
    whole = survey.totals.industrial_output
    sums = []
    for name in labels:
        members = tuple(with_label(clusters, name))
        value = given.get(name)
        from_overview = value is not None
        if value is None:
            value = add_money(c.output for c in members)
        if value is None:
            continue
        sums.append(OutputSum(
            label=name, value=value,
            growth=None if from_overview else aggregate_growth(members),
            share=share(value, whole) if name == label else None,
            clusters=members, from_overview=from_overview))
    return sums


def summarize(survey: Survey) -> Summary:
    clusters = survey.clusters
    totals = survey.totals
    overview = survey.overview or Overview()

    def figure(attr: str, own: Any) -> Any:
        value = getattr(overview, attr)
        return value if value is not None else own

    enterprises = figure("enterprises", add_counts([c.enterprises for c in clusters]))
    above = figure("above_scale", add_counts([c.above_scale for c in clusters]))
    label = chart_label(clusters, overview.output_label)
    outputs = _outputs(survey, overview, label)
    main = next((o for o in outputs if o.label == label), None)
    return Summary(
        cluster_count=len(clusters),
        enterprises=enterprises,
        above_scale=above,
        employees=figure("employees", add_counts([c.employees for c in clusters])),
        output=main.value if main else None,
        output_label=label,
        output_share=main.share if main else None,
        enterprise_share=share(enterprises, totals.enterprises),
        above_scale_share=share(above, totals.above_scale_enterprises),
        growth=main.growth if main else None,
        outputs=tuple(outputs),
        region_clusters=overview.clusters,
        profit_tax=overview.profit_tax,
        profit=overview.profit,
        indicators=overview.indicators,
        targets=overview.targets,
        target_name=f"全{region_word(survey)}产业集群{overview.output_label}",
        from_clusters=frozenset(name for name in ("enterprises", "above_scale", "employees")
                                if getattr(overview, name) is None),
    )


def has_history(survey: Survey) -> bool:
    """Some cluster of the chart label has history (the trend chart shows that label)."""
    label = chart_label(survey.clusters)
    return any(c.history for c in with_label(survey.clusters, label))


def sections_by_anchor(survey: Survey) -> dict[str, tuple[Section, ...]]:
    """Extra sections (survey format 2) by the standard section they follow."""
    return {anchor: survey.sections_after(anchor) for anchor in ANCHORS}


# The names build_context gives templates; `templates check` knows them without a survey.
CONTEXT_NAMES: tuple[str, ...] = (
    "survey", "region", "report", "title", "year", "totals", "clusters", "groups", "problems",
    "causes", "suggestions", "summary", "whole", "has_history", "overview", "sections",
    "tables",
)


def build_context(survey: Survey) -> dict[str, Any]:
    """Everything a template can use by name (CONTEXT_NAMES)."""
    return {
        "survey": survey,
        "region": survey.region,
        "report": survey.report,
        "title": survey.title,
        "year": survey.report.year,
        "totals": survey.totals,
        "clusters": survey.clusters,
        "groups": groups(survey.clusters),
        "problems": survey.problems,
        "causes": survey.causes,
        "suggestions": survey.suggestions,
        "summary": summarize(survey),
        "whole": "全" + region_word(survey),
        "has_history": has_history(survey),
        "overview": survey.overview or Overview(),
        "sections": sections_by_anchor(survey),
        "tables": survey.tables,
    }
