"""The typed survey model (survey formats 1 and 2).

These classes are the contract between the loader/validator and the templates: a template
sees exactly these attribute names. Each field's `title` is its Chinese label in messages
(`clusters[0].output (产值)`); `survey.labels` reads the labels and the keys each mapping may
hold from here, so a new key is one edit. Fields marked `since=2` exist only in format 2.

Money is a Decimal amount in 元, percent a Decimal in percent (33.6 means 33.6%), dates are
datetime.date. In format 2 a money, percent or count value may be approximate: then it is a
`quantities.Amount` / `quantities.Count`, which still behaves as a number. Field types come
from `survey.values` / `survey.values2`. Cross-field rules live in `survey.rules`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from reportgen import formatting
from reportgen.quantities import is_approximate
from reportgen.survey.values import PYDANTIC_ERROR_TYPE, Date, Int, ValueFormatError, Year
from reportgen.survey.values2 import (
    Line,
    LineList,
    LineOrLineList,
    Measure,
    Money,
    Para,
    Percent,
    Place,
    TargetValue,
    UnitName,
    count_of,
    parse_rank_text,
)

FIRMS = Annotated[int, count_of("家", "户", "个")]
PEOPLE = Annotated[int, count_of("人", "名")]
CLUSTERS = Annotated[int, count_of("个")]
HONORS = Annotated[int, count_of("件", "枚", "项")]
SITES = Annotated[int, count_of("处", "个", "家")]

ANCHORS = ("导语", "现状", "问题", "原因", "对策")
Anchor = Literal["导语", "现状", "问题", "原因", "对策"]


def label(title: str, since: int = 1, internal: bool = False, **kwargs: Any) -> Any:
    """A field with its Chinese label; `since=2` marks a key only format 2 has.

    An `internal` field is filled by the loader (from another form of a key), never written
    in a file: a file that names it gets "unknown key".
    """
    extra: dict[str, Any] = {}
    if since > 1:
        extra["since"] = since
    if internal:
        extra["internal"] = True
    return Field(title=title, json_schema_extra=extra or None, **kwargs)


class _Strict(BaseModel):
    # Unknown keys are errors: a typo such as `cluster:` must never be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(_Strict):
    name: Line = label("地区名称")
    kind: Line | None = label("地区类型", default=None)
    parent: Line | None = label("上级地区", default=None)


class ReportInfo(_Strict):
    author: Line = label("调研单位")
    date: Date = label("成文日期")
    year: Year = label("统计年度")
    title: Line | None = label("报告标题", default=None)  # default: Survey.title
    template: Line | None = label("模板", default=None)
    methods: LineList = label("调研方式", default=())
    intro: Para | None = label("引言", default=None)


class Totals(_Strict):
    industrial_output: Money | None = label("工业总产值", default=None)
    industrial_output_label: Line = label("总产值名称", default="工业总产值")
    enterprises: FIRMS | None = label("工业企业数", default=None)
    above_scale_enterprises: FIRMS | None = label("规模以上工业企业数", default=None)


class Rank(_Strict):
    """居全省第五位: written {scope, place} or as the short text 全省第5位."""

    scope: Line = label("排名范围")
    place: Place = label("名次")


def _rank_from_text(value: Any) -> Any:
    # 全省第5位 is the short form of {scope: 全省, place: 5}.
    if isinstance(value, str):
        try:
            scope, place = parse_rank_text(value)
        except ValueFormatError as exc:
            raise PydanticCustomError(PYDANTIC_ERROR_TYPE, "{text}", {"text": exc.text}) from exc
        return {"scope": scope, "place": place}
    return value


RankValue = Annotated[Rank, BeforeValidator(_rank_from_text)]


class Indicator(_Strict):
    name: Line = label("指标名称")
    value: Measure = label("指标值")
    growth: Percent | None = label("同比增长", default=None)
    rank: RankValue | None = label("排名", default=None)
    year: Year | None = label("年份", default=None)
    note: Para | None = label("注", default=None)


class Target(_Strict):
    year: Year = label("目标年份")
    value: TargetValue = label("目标值")
    name: Line | None = label("指标名称", default=None)
    text: Para | None = label("说明", default=None)


class MarketShare(_Strict):
    scope: Line = label("市场范围")
    value: Percent = label("占有率")
    product: Line | None = label("产品", default=None)


class StaffTable(_Strict):
    """A table staff made themselves; cells are kept as written ('' for no value)."""

    caption: Line = label("表题")
    columns: LineList = label("列名", min_length=1)
    rows: tuple[tuple[str, ...], ...] = label("表格行", min_length=1)
    total: bool = label("合计行", default=False)
    note: Para | None = label("表注", default=None)


class Finding(_Strict):
    title: Line = label("标题")
    detail: Para | None = label("详细说明", default=None)
    measures: LineList = label("具体措施", default=())
    clusters: LineList = label("涉及的集群", default=())
    items: tuple[Finding, ...] = label("分项", since=2, default=())
    tables: tuple[StaffTable, ...] = label("表格", since=2, default=())


class Findings(_Strict):
    """problems / causes / suggestions: a list of findings, or {intro, items, outro}.

    Iterating gives the findings, so `{% for f in problems %}` reads as before.
    """

    intro: Para | None = label("导语", since=2, default=None)
    # No label of its own: `problems.items[0]` is still 存在的问题, as `problems[0]` is.
    items: tuple[Finding, ...] = label("", since=2, default=())
    outro: Para | None = label("结语", since=2, default=None)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        # The short form, a plain list of findings, from Python callers (the loader has
        # already rewritten it, keeping the paths as written for its messages).
        return {"items": value} if isinstance(value, list | tuple) else value

    def __iter__(self) -> Iterator[Finding]:  # type: ignore[override]
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items or self.intro or self.outro)

    def __getitem__(self, index: int) -> Finding:
        return self.items[index]

    def __eq__(self, other: object) -> bool:
        # A plain list of findings is the same section written the short way.
        if isinstance(other, tuple | list):
            return self.intro is None and self.outro is None and self.items == tuple(other)
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash((self.intro, self.items, self.outro))


class _ClusterFields(_Strict):
    name: Line = label("集群名称")
    output: Money | None = label("产值", default=None)
    output_label: Line = label("产值名称", default="产值")
    output_prev: Money | None = label("上年产值", default=None)
    growth: Percent | None = label("同比增长", default=None)
    history: dict[Int, Money] = label("历年产值", default_factory=dict)
    enterprises: FIRMS | None = label("企业数", default=None)
    above_scale: FIRMS | None = label("规模以上企业数", default=None)
    employees: PEOPLE | None = label("从业人员", default=None)
    registered_capital: Money | None = label("注册资金", default=None)
    profit_tax: Money | None = label("利税", default=None)
    profit: Money | None = label("利润", default=None)
    market_share: Percent | None = label("国内市场占有率", default=None)
    # The list form of market_share ({scope, value, product}); the loader moves it here.
    market_shares: tuple[MarketShare, ...] = label("市场占有率", internal=True, default=())
    location: LineOrLineList = label("分布区域", default=())
    products: LineList = label("主要产品", default=())
    lead_enterprises: LineList = label("骨干企业", default=())
    honors: dict[Line, HONORS] = label("名牌与商标", default_factory=dict)
    high_tech_enterprises: FIRMS | None = label("高新技术企业", default=None)
    rd_centers: SITES | None = label("技术开发中心", default=None)
    description: Para | None = label("集群说明", default=None)
    indicators: tuple[Indicator, ...] = label("其他指标", since=2, default=())
    rank: RankValue | None = label("排名", since=2, default=None)
    targets: tuple[Target, ...] = label("目标", since=2, default=())
    topics: tuple[Finding, ...] = label("专题", since=2, default=())
    tables: tuple[StaffTable, ...] = label("表格", since=2, default=())

    @property
    def growth_rate(self) -> Decimal | None:
        """同比增长 in percent: computed from output_prev when given, else `growth`.

        Never computed from an approximate figure (format 2): such a rate would pretend a
        precision the data does not have.
        """
        if self.output is not None and self.output_prev is not None and self.output_prev > 0:
            if is_approximate(self.output) or is_approximate(self.output_prev):
                return self.growth
            return formatting.growth_rate(self.output, self.output_prev)
        return self.growth

    @property
    def shares(self) -> tuple[MarketShare, ...]:
        return self.market_shares


class Part(_ClusterFields):
    """A sub-industry one level below a cluster (生物创新产业 → 1.膏桐 2.橡胶)."""


class Cluster(_ClusterFields):
    group: Line | None = label("集群分组", default=None)
    parts: tuple[Part, ...] = label("子产业", since=2, default=())


class Overview(_Strict):
    clusters: CLUSTERS | None = label("产业集群总数", default=None)
    enterprises: FIRMS | None = label("集群企业总数", default=None)
    above_scale: FIRMS | None = label("规模以上企业总数", default=None)
    employees: PEOPLE | None = label("从业人员总数", default=None)
    output: Money | None = label("集群总产值", default=None)
    output_label: Line = label("总产值名称", default="产值")
    profit_tax: Money | None = label("集群利税总额", default=None)
    profit: Money | None = label("集群利润总额", default=None)
    revenue: Money | None = label("集群主营业务收入", default=None)
    indicators: tuple[Indicator, ...] = label("全地区指标", default=())
    targets: tuple[Target, ...] = label("全地区目标", default=())
    intro: Para | None = label("现状导语", default=None)
    outro: Para | None = label("现状结语", default=None)


class Section(_Strict):
    title: Line = label("章节标题")
    after: Anchor = label("章节位置")
    intro: Para | None = label("导语", default=None)
    items: tuple[Finding, ...] = label("条目", default=())
    outro: Para | None = label("结语", default=None)
    tables: tuple[StaffTable, ...] = label("表格", default=())


class Survey(_Strict):
    schema_: Int = Field(default=1, alias="schema", title="格式版本")
    units: tuple[UnitName, ...] = label("自定义单位", since=2, default=())
    region: Region = label("调研地区")
    report: ReportInfo = label("报告信息")
    totals: Totals = label("全地区总量", default=Totals())
    overview: Overview | None = label("总体情况", since=2, default=None)
    clusters: tuple[Cluster, ...] = label("产业集群", min_length=1)
    tables: tuple[StaffTable, ...] = label("表格", since=2, default=())
    problems: Findings = label("存在的问题")
    causes: Findings = label("原因分析", default=Findings())
    suggestions: Findings = label("对策建议")
    sections: tuple[Section, ...] = label("其他章节", since=2, default=())
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

    def sections_after(self, anchor: str) -> tuple[Section, ...]:
        """Extra sections placed after `anchor`, in file order.

        With no causes, those after 原因 follow those after 问题 (the spec's rule).
        """
        wanted: tuple[str, ...]
        if anchor == "问题" and not self.causes:
            wanted = ("问题", "原因")
        elif anchor == "原因" and not self.causes:
            return ()
        else:
            wanted = (anchor,)
        first = [s for s in self.sections if s.after == wanted[0]]
        rest = [s for s in self.sections if s.after in wanted[1:]]
        return tuple(first + rest)


__all__ = [
    "ANCHORS",
    "Cluster",
    "Finding",
    "Findings",
    "Indicator",
    "MarketShare",
    "Overview",
    "Part",
    "Rank",
    "Region",
    "ReportInfo",
    "Section",
    "StaffTable",
    "Survey",
    "Target",
    "Totals",
    "UnitName",
]
