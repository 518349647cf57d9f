"""Cross-field rules of survey format 1, checked on the raw data.

They run even when other fields failed their own checks, so that one run reports every
problem: each rule re-parses the values it needs and is skipped when one of them is missing
or does not parse (that value's own problem is reported by the model).

Rules from the spec: schema must be 1; profit ≤ profit_tax; above_scale ≤ enterprises;
growth and output_prev agree within 0.1 percentage point (output_prev of 0 with growth is
refused); history years are ≥ 1949, < report.year and unique; sums of cluster output,
enterprises and above_scale do not exceed the matching totals; totals.above_scale_enterprises
≤ totals.enterprises; cluster names are unique; findings' `clusters` name clusters of the file.

Rules added because they are obviously sensible:
- market_share lies between 0% and 100% (a share cannot be negative either);
- report.year is not after the year of report.date (figures cannot be reported before the
  year they describe has begun);
- report.template names a template set that exists (so `check` finds it, not only `build`);
- honors names are unique once full-width letters/digits are folded (`ＩＳＯ认证` and
  `ISO认证` would otherwise silently overwrite each other).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

from reportgen import formatting
from reportgen.errors import Problem
from reportgen.quantities import is_approximate
from reportgen.survey.labels import SourceMap, suggest
from reportgen.survey.normalize import owners
from reportgen.survey.values import (
    YEAR_MIN,
    ValueFormatError,
    clean_text,
    parse_date,
    parse_int,
    parse_year,
    quote,
)
from reportgen.survey.values2 import count_any, money_any, percent_any

# Schema-aware parsers: in a format-2 file a figure may be approximate (约1800亿元, 3300多).
parse_money = money_any
parse_percent = percent_any
parse_non_neg_int = count_any("家", "户", "个", "人", "名")

T = TypeVar("T")
GROWTH_TOLERANCE = Decimal("0.1")
MISSING = object()


def get(data: Any, path: tuple[Any, ...]) -> Any:
    """The raw value at `path`, or MISSING."""
    for part in path:
        in_list = isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data)
        if in_list or (isinstance(data, dict) and part in data):
            data = data[part]
        else:
            return MISSING
    return data


def _parsed(data: Any, path: tuple[Any, ...], parse: Callable[[Any], T]) -> T | None:
    value = get(data, path)
    if value is MISSING:
        return None
    try:
        return parse(value)
    except ValueFormatError:
        return None


def _fmt(amount: Decimal) -> str:
    """An amount in 元 as staff would write it (亿元 / 万元 / 元)."""
    for unit, size in (("亿元", Decimal(100_000_000)), ("万元", Decimal(10_000))):
        if abs(amount) >= size:
            return f"{(amount / size).normalize():f}{unit}"
    return f"{amount.normalize():f}元"


def _exact(*values: Any) -> bool:
    """All given and none approximate: only then can a rule compare them."""
    return all(v is not None and not is_approximate(v) for v in values)


def chart_label(data: Any) -> str:
    """The output label most clusters use (ties: the first used); 产值 by default."""
    counts: dict[str, int] = {}
    for _, cluster in _clusters(data):
        if cluster.get("output") is None:
            continue
        label = _parsed(cluster, ("output_label",), clean_text) or "产值"
        counts[label] = counts.get(label, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else "产值"


def _clusters(data: Any) -> Iterator[tuple[int, dict[Any, Any]]]:
    clusters = get(data, ("clusters",))
    if isinstance(clusters, list):
        for i, cluster in enumerate(clusters):
            if isinstance(cluster, dict):
                yield i, cluster


def check(data: dict[Any, Any], where: SourceMap) -> list[Problem]:
    """Every cross-field problem in the raw (converted) survey data."""
    problems: list[Problem] = []
    for rule in (_schema, _report_year, _template, _cluster_rules, _history, _totals, _names,
                 _findings):
        problems.extend(rule(data, where))
    return problems


def _schema(data: Any, where: SourceMap) -> Iterator[Problem]:
    if "schema" not in data:
        return
    try:
        version = parse_int(data["schema"])
    except ValueFormatError:
        version = None
    if version not in (1, 2):
        yield where.problem(("schema",), f"不支持的格式版本{quote(data['schema'])}；"
                                          "请写 schema: 1 或 schema: 2")


def _template(data: Any, where: SourceMap) -> Iterator[Problem]:
    from reportgen.templatesets import available_sets

    name = _parsed(data, ("report", "template"), clean_text)
    known = available_sets()
    if name is not None and name not in known:
        guess = suggest(name, known)
        listed = "、".join(known) or "（无）"
        hint = f"是不是要写“{guess}”？" if guess else f"可用的模板集：{listed}"
        yield where.problem(("report", "template"), f"找不到模板集{quote(name)}；{hint}")


def _report_year(data: Any, where: SourceMap) -> Iterator[Problem]:
    year = _parsed(data, ("report", "year"), parse_year)
    date = _parsed(data, ("report", "date"), parse_date)
    if year is not None and date is not None and year > date.year:
        yield where.problem(("report", "year"),
                            f"统计年度 {year} 晚于成文日期 {formatting.date_cn(date)} 所在的年份；"
                            "统计年度应是数据所属的年份，一般是成文的前一年")


def _cluster_rules(data: Any, where: SourceMap) -> Iterator[Problem]:
    for i, cluster in _clusters(data):
        base = ("clusters", i)
        profit = _parsed(cluster, ("profit",), parse_money)
        profit_tax = _parsed(cluster, ("profit_tax",), parse_money)
        if profit is not None and profit_tax is not None and _exact(profit, profit_tax) \
                and profit > profit_tax:
            yield where.problem((*base, "profit"),
                                f"利润 {_fmt(profit)} 超过了利税 {_fmt(profit_tax)}；"
                                "利润是利税的一部分，请检查这两个数")
        above = _parsed(cluster, ("above_scale",), parse_non_neg_int)
        count = _parsed(cluster, ("enterprises",), parse_non_neg_int)
        if above is not None and count is not None and _exact(above, count) and above > count:
            yield where.problem((*base, "above_scale"),
                                f"规模以上企业数 {above} 超过了企业数 {count}；请检查这两个数")
        share = _parsed(cluster, ("market_share",), parse_percent)
        if share is not None and not 0 <= share <= 100:
            yield where.problem((*base, "market_share"),
                                f"市场占有率 {share}% 不在 0%–100% 之间；请检查这个数")
        yield from _growth(cluster, base, where)
        yield from _honors(cluster, base, where)


def _growth(cluster: dict[Any, Any], base: tuple[Any, ...], where: SourceMap,
            ) -> Iterator[Problem]:
    growth = _parsed(cluster, ("growth",), parse_percent)
    output = _parsed(cluster, ("output",), parse_money)
    prev = _parsed(cluster, ("output_prev",), parse_money)
    if growth is None or prev is None or not _exact(growth, prev):
        return
    if prev == 0:
        yield where.problem((*base, "output_prev"),
                            "上年产值为 0，无法计算同比增长；请删除 growth，或填写实际的上年产值")
        return
    if output is None or is_approximate(output):
        return
    computed = formatting.growth_rate(output, prev)
    if computed is None:
        return
    if abs(computed - growth) > GROWTH_TOLERANCE:
        yield where.problem((*base, "growth"),
                            f"同比增长 {growth}% 与产值推算的 {formatting.percent(computed)} 不符"
                            f"（{_fmt(output)} 比上年 {_fmt(prev)}）；请核对 growth 或 output_prev")


def _honors(cluster: dict[Any, Any], base: tuple[Any, ...], where: SourceMap,
            ) -> Iterator[Problem]:
    honors = cluster.get("honors")
    if not isinstance(honors, dict):
        return
    seen: dict[str, Any] = {}
    for key in honors:
        try:
            name = clean_text(key)
        except ValueFormatError:
            continue
        path = (*base, "honors", key)
        if name in seen:
            line = where.key_at((*base, "honors", seen[name]))[0]
            yield where.problem(path, f"“{name}”与第 {line} 行重复；每种名牌或商标只能写一次",
                                where.key_at(path))
        else:
            seen[name] = key


def _history(data: Any, where: SourceMap) -> Iterator[Problem]:
    report_year = _parsed(data, ("report", "year"), parse_year)
    for i, cluster in _clusters(data):
        history = cluster.get("history")
        if not isinstance(history, dict):
            continue
        seen: dict[int, Any] = {}
        for key in history:
            path = ("clusters", i, "history", key)
            at = where.key_at(path)
            try:
                year = parse_int(key)
            except ValueFormatError:
                yield where.problem(path, f"“{key}”不是年份；请写成 2023: 120亿元 这样的形式", at)
                continue
            if year < YEAR_MIN:
                yield where.problem(path, f"年份 {year} 早于 {YEAR_MIN} 年；请检查年份", at)
            elif report_year is not None and year >= report_year:
                yield where.problem(path, f"历年产值的年份 {year} 不早于统计年度 {report_year}；"
                                          "本年的数字请写在 output，上年的可写在 output_prev", at)
            if year in seen:
                line = where.key_at(("clusters", i, "history", seen[year]))[0]
                yield where.problem(path, f"年份 {year} 与第 {line} 行重复；每年只能写一次", at)
            else:
                seen[year] = key


def _totals(data: Any, where: SourceMap) -> Iterator[Problem]:
    clusters = [cluster for _, cluster in _clusters(data)]
    label = chart_label(data)
    checks: list[tuple[str, str, Callable[[Any], Any], str]] = [
        ("industrial_output", "output", parse_money, "产值"),
        ("enterprises", "enterprises", parse_non_neg_int, "企业数"),
        ("above_scale_enterprises", "above_scale", parse_non_neg_int, "规模以上企业数"),
    ]
    for total_key, cluster_key, parse, what in checks:
        total = _parsed(data, ("totals", total_key), parse)
        if total is None:
            continue
        # Clusters whose value does not parse are left out: if the rest already exceed the
        # total, the data is wrong whatever the missing values are.
        # Different output labels are never added together: the share of the region's
        # output is taken over the clusters of the most used label, so is this check.
        members = [c for c in clusters if cluster_key != "output"
                   or (_parsed(c, ("output_label",), clean_text) or "产值") == label]
        parts = [_parsed(c, (cluster_key,), parse) for c in members]
        if any(is_approximate(p) for p in parts) or is_approximate(total):
            continue
        subtotal = sum((p for p in parts if p is not None), start=type(total)(0))
        if subtotal > total:
            shown = _fmt if parse is parse_money else str
            share = formatting.share(subtotal, total)
            share_text = f"（占 {formatting.percent(share)}）" if share is not None else ""
            yield where.problem(("totals", total_key),
                                f"各集群{what}之和 {shown(subtotal)} 超过了全地区的 "
                                f"{shown(total)}{share_text}；占比超过 100% 说明数据有误，请核对")
    above = _parsed(data, ("totals", "above_scale_enterprises"), parse_non_neg_int)
    count = _parsed(data, ("totals", "enterprises"), parse_non_neg_int)
    if above is not None and count is not None and _exact(above, count) and above > count:
        yield where.problem(("totals", "above_scale_enterprises"),
                            f"规模以上工业企业数 {above} 超过了工业企业数 {count}；请检查这两个数")


def _named(data: Any) -> Iterator[tuple[tuple[Any, ...], dict[Any, Any]]]:
    """Clusters and their parts (sub-industries): their names share one namespace."""
    for i, cluster in _clusters(data):
        yield ("clusters", i), cluster
        parts = cluster.get("parts")
        if isinstance(parts, list):
            for j, part in enumerate(parts):
                if isinstance(part, dict):
                    yield ("clusters", i, "parts", j), part


def _cluster_names(data: Any) -> dict[str, tuple[Any, ...]]:
    """Cleaned cluster (or part) name → path of its first occurrence."""
    names: dict[str, tuple[Any, ...]] = {}
    for path, cluster in _named(data):
        name = _parsed(cluster, ("name",), clean_text)
        if name is not None and name not in names:
            names[name] = path
    return names


def _names(data: Any, where: SourceMap) -> Iterator[Problem]:
    first = _cluster_names(data)
    for path, cluster in _named(data):
        name = _parsed(cluster, ("name",), clean_text)
        if name is not None and first[name] != path:
            line = where.value_at((*first[name], "name"))[0]
            yield where.problem((*path, "name"),
                                f"集群名称“{name}”与第 {line} 行的集群重名；每个集群的名称必须不同")


def _findings(data: Any, where: SourceMap) -> Iterator[Problem]:
    clusters = get(data, ("clusters",))
    parsed = list(_named(data))
    names = list(_cluster_names(data))
    if not isinstance(clusters, list) or len(list(_clusters(data))) != len(clusters) or any(
            _parsed(c, ("name",), clean_text) is None for _, c in parsed):
        return  # the clusters themselves are broken: which names exist is not known
    for path, item, kind in owners(data):
        refs = item.get("clusters") if kind == "finding" else None
        if not isinstance(refs, list):
            continue
        for j, ref in enumerate(refs):
            try:
                name = clean_text(ref)
            except ValueFormatError:
                continue
            if name in names:
                continue
            guess = suggest(name, names)
            hint = f"是不是要写“{guess}”？" if guess else f"本文件的集群有：{'、'.join(names)}"
            yield where.problem((*path, "clusters", j), f"“{name}”不是本文件中的集群；{hint}")
