"""Figures derived from a survey for the templates: sums, shares, groups, wording bits.

Templates must never type a number; everything they print comes from the survey or from
here. Sums use Decimal so 合计 rows add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportgen import formatting
from reportgen.survey.model import Cluster, Survey

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


def aggregate_growth(clusters: tuple[Cluster, ...] | list[Cluster]) -> Decimal | None:
    """Growth of the summed output, only when every cluster's previous output is known."""
    if not clusters or any(c.output_prev is None for c in clusters):
        return None
    prev = sum((c.output_prev for c in clusters if c.output_prev is not None), Decimal(0))
    if prev <= 0:
        return None
    return formatting.growth_rate(sum((c.output for c in clusters), Decimal(0)), prev)


@dataclass(frozen=True)
class Summary:
    """The facts of the summary paragraph of 发展现状."""

    cluster_count: int
    enterprises: int | None
    above_scale: int | None
    employees: int | None
    output: Decimal
    output_label: str
    output_share: Decimal | None  # percent of totals.industrial_output
    enterprise_share: Decimal | None
    above_scale_share: Decimal | None
    growth: Decimal | None


def summarize(survey: Survey) -> Summary:
    clusters = survey.clusters
    totals = survey.totals
    output = sum((c.output for c in clusters), Decimal(0))
    enterprises = sum_optional([c.enterprises for c in clusters])
    above = sum_optional([c.above_scale for c in clusters])
    return Summary(
        cluster_count=len(clusters),
        enterprises=enterprises,
        above_scale=above,
        employees=sum_optional([c.employees for c in clusters]),
        output=output,
        output_label=common_output_label(clusters),
        output_share=formatting.share(output, totals.industrial_output),
        enterprise_share=formatting.share(enterprises, totals.enterprises),
        above_scale_share=formatting.share(above, totals.above_scale_enterprises),
        growth=aggregate_growth(clusters),
    )


def has_history(survey: Survey) -> bool:
    return any(c.history for c in survey.clusters)


# The names build_context gives templates; `templates check` knows them without a survey.
CONTEXT_NAMES: tuple[str, ...] = (
    "survey", "region", "report", "title", "year", "totals", "clusters", "groups", "problems",
    "causes", "suggestions", "summary", "whole", "has_history",
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
    }
