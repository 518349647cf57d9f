"""The typed survey model (survey format version 1).

These classes are the contract between the loader/validator and the templates: a template
sees exactly these attribute names. Money is a Decimal amount in 元, percent a Decimal in
percent (33.6 means 33.6%), dates are datetime.date. Field types come from
`survey.values`, which parses the forms staff write (142亿元, 33.6％, ２０２５年3月15日).
Cross-field rules live in `survey.rules`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reportgen import formatting
from reportgen.survey.values import (
    Date,
    Int,
    Money,
    NonNegInt,
    Percent,
    Text,
    TextList,
    TextOrTextList,
    Year,
)


class _Strict(BaseModel):
    # Unknown keys are errors: a typo such as `cluster:` must never be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(_Strict):
    name: Text
    kind: Text | None = None
    parent: Text | None = None


class ReportInfo(_Strict):
    author: Text
    date: Date
    year: Year
    title: Text | None = None  # default filled by Survey.report_title
    template: Text | None = None
    methods: TextList = ()
    intro: Text | None = None


class Totals(_Strict):
    industrial_output: Money | None = None
    industrial_output_label: Text = "工业总产值"
    enterprises: NonNegInt | None = None
    above_scale_enterprises: NonNegInt | None = None


class Cluster(_Strict):
    name: Text
    output: Money
    output_label: Text = "产值"
    output_prev: Money | None = None
    growth: Percent | None = None
    history: dict[Int, Money] = Field(default_factory=dict)
    enterprises: NonNegInt | None = None
    above_scale: NonNegInt | None = None
    employees: NonNegInt | None = None
    registered_capital: Money | None = None
    profit_tax: Money | None = None
    profit: Money | None = None
    market_share: Percent | None = None
    location: TextOrTextList = ()
    products: TextList = ()
    lead_enterprises: TextList = ()
    honors: dict[Text, NonNegInt] = Field(default_factory=dict)
    high_tech_enterprises: NonNegInt | None = None
    rd_centers: NonNegInt | None = None
    group: Text | None = None
    description: Text | None = None

    @property
    def growth_rate(self) -> Decimal | None:
        """同比增长 in percent: computed from output_prev when given, else `growth`."""
        if self.output_prev is not None and self.output_prev > 0:
            return formatting.growth_rate(self.output, self.output_prev)
        return self.growth


class Finding(_Strict):
    title: Text
    detail: Text | None = None
    measures: TextList = ()
    clusters: TextList = ()


class Survey(_Strict):
    schema_: int = Field(default=1, alias="schema")
    region: Region
    report: ReportInfo
    totals: Totals = Totals()
    clusters: tuple[Cluster, ...] = Field(min_length=1)
    problems: tuple[Finding, ...] = Field(min_length=1)
    causes: tuple[Finding, ...] = ()
    suggestions: tuple[Finding, ...] = Field(min_length=1)
    source: Path | None = Field(default=None, exclude=True)  # set by the loader, not from YAML

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def title(self) -> str:
        return self.report.title or f"{self.region.name}产业集群发展情况调研报告"

    @property
    def stem(self) -> str:
        return self.source.stem if self.source else self.region.name

    @property
    def date(self) -> dt.date:
        return self.report.date
