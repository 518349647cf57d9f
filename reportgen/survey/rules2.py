"""Cross-field rules that survey format 2 adds (survey-format-2.md, "Exact rules").

Like `survey.rules`, they run on the normalised raw data, re-parse what they need and skip a
rule whose inputs are missing or broken (those have their own problem), so one run reports
every problem. Checks that need an exact figure skip approximate ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reportgen.errors import Problem
from reportgen.quantities import MONEY_UNITS, SCALES, Quantity, is_approximate
from reportgen.survey import tables
from reportgen.survey.labels import SourceMap, since_version
from reportgen.survey.normalize import FINDING_SECTIONS, finding_level, owners
from reportgen.survey.rules import _clusters, _fmt, _parsed, get
from reportgen.survey.values import ValueFormatError, clean_text, parse_year, quote
from reportgen.survey.values2 import (
    clean_line,
    count_any,
    money_any,
    parse_target_value,
    split_figure,
)

# A title must not carry its own number: numbering is generated (一、二、四、 is the defect).
_NUMBER_MARK = re.compile(r"\s*(?:[一二三四五六七八九十]+\s*[、.．]"
                          r"|[（(]\s*[一二三四五六七八九十0-9]+\s*[）)]"
                          r"|[0-9]+\s*[、.．](?![0-9]))")


def check(data: dict[Any, Any], where: SourceMap, schema: int) -> list[Problem]:
    problems: list[Problem] = [*_findings(data, where), *printable_text(data, where)]
    if schema < 2:
        problems.extend(_format1_limits(data, where))
        return problems
    for rule in (_outputs, _overview, _targets, _indicators, _levels, _sections,
                 _staff_tables, _shares):
        problems.extend(rule(data, where))
    return problems


# --- format 1 files ----------------------------------------------------------------------

def _format1_limits(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    """A format-1 file may not use format-2 keys, and every cluster needs its output."""
    reported: list[tuple[Any, ...]] = []
    for path in sorted(where.keys, key=lambda p: where.keys[p]):
        if any(path[:len(r)] == r for r in reported):
            continue
        if since_version(path) >= 2:
            reported.append(path)
            key = path[-1]
            yield where.problem(path, f"“{key}”是第 2 版调研数据格式才有的内容；请在文件开头写 "
                                      "schema: 2，或删去这一项", where.keys[path])
    for i, cluster in _clusters(data):
        if "output" not in cluster and ("clusters", i, "output") not in where.keys:
            yield where.problem(("clusters", i, "output"),
                                "缺少必填项“output”（产值）；请在这里添加 output: …"
                                "（第 2 版格式 schema: 2 中可以不写）",
                                where.mapping_at(("clusters", i)))


# --- clusters ----------------------------------------------------------------------------

def _outputs(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    """`growth` or `output_prev` without `output` says a change of nothing."""
    for path, owner, kind in owners(data):
        if kind not in ("cluster", "part") or owner.get("output") is not None:
            continue
        for key in ("growth", "output_prev"):
            if owner.get(key) is not None:
                yield where.problem((*path, key), f"没有填写 output（产值），{key} 无从谈起；"
                                                  "请填写 output，或删去这一项")
        if kind == "cluster" and owner.get("parts") and owner.get("topics"):
            pass


def _levels(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    """Four numbering levels: 一、（一）1.（1）; nothing is numbered below （1）."""
    for path, owner, kind in owners(data):
        if kind == "cluster" and owner.get("parts") and owner.get("topics"):
            yield where.problem((*path, "topics"), "一个集群不能同时有 parts（子产业）和 topics"
                                                   "（专题）；请把专题写到各子产业的 topics 中",
                                where.key_at((*path, "topics")))
        if kind != "finding":
            continue
        if owner.get("measures") and owner.get("items"):
            yield where.problem((*path, "items"), "同一条不能同时有 measures 和 items；"
                                                  "请只用其中一种", where.key_at((*path, "items")))
        if finding_level(owner) >= 4:
            for key in ("items", "measures"):
                if owner.get(key):
                    yield where.problem((*path, key), "编号最多四级（一、（一）1.（1）），"
                                                      "这一层下面不能再分条；请写成一段文字",
                                        where.key_at((*path, key)))


def _findings(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    """The mapping form of problems/causes/suggestions needs `items` with ≥ 1 finding."""
    for section in FINDING_SECTIONS:
        value = data.get(section)
        if not isinstance(value, dict):
            continue
        items = value.get("items")
        if (section, "items") in where.renames:
            # The list form (or a blank items:): an empty list is refused as before.
            if isinstance(items, list) and not items and section != "causes":
                yield where.problem((section,), "至少需要一项；请至少填写一项",
                                    where.mapping_at((section,)))
            continue
        if not isinstance(items, list) or not items:
            yield where.problem((section, "items"), "缺少 items 或 items 为空；写成 intro/items/"
                                                    "outro 的形式时，items 中至少要有一条",
                                where.mapping_at((section,)))


def _sections(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    for path, owner, kind in owners(data):
        if kind not in ("section", "finding"):
            continue
        title = _parsed(owner, ("title",), clean_text)
        if kind == "section" and title is not None and _NUMBER_MARK.match(title):
            yield where.problem((*path, "title"), f"标题{quote(title)}以编号开头；编号由程序生成，"
                                                  "请删去开头的编号")


# --- overview ----------------------------------------------------------------------------

# overview key → (cluster key, what it is, parse); output is compared per label below.
_FIRMS = count_any("家", "户", "个")
_PEOPLE = count_any("人", "名")
_OVERVIEW_SUMS: tuple[tuple[str, str, str, Callable[[Any], Any]], ...] = (
    ("enterprises", "enterprises", "企业数", _FIRMS),
    ("above_scale", "above_scale", "规模以上企业数", _FIRMS),
    ("employees", "employees", "从业人员", _PEOPLE),
    ("profit_tax", "profit_tax", "利税", money_any),
    ("profit", "profit", "利润", money_any),
)


def _overview(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    overview = data.get("overview")
    if not isinstance(overview, dict):
        return
    clusters = [c for _, c in _clusters(data)]
    described = len(clusters)
    count = _parsed(overview, ("clusters",), count_any("个"))
    label = _parsed(overview, ("output_label",), clean_text) or "产值"
    checks = list(_OVERVIEW_SUMS)
    checks.append(("output", "output", label, money_any))
    checks.append(("revenue", "output", "主营业务收入", money_any))
    if count is not None and not is_approximate(count) and count < described:
        yield where.problem(("overview", "clusters"),
                            f"全地区产业集群数 {count} 少于本报告描述的 {described} 个集群"
                            f"（clusters，第 {where.key_at(('clusters',))[0]} 行）；请核对")
    for key, cluster_key, what, parse in checks:
        total = _parsed(overview, (key,), parse)
        if total is None or is_approximate(total):
            continue
        members = clusters
        if cluster_key == "output":
            wanted = label if key == "output" else "主营业务收入"
            members = [c for c in clusters
                       if (_parsed(c, ("output_label",), clean_text) or "产值") == wanted]
        values = [_parsed(c, (cluster_key,), parse) for c in members]
        given = [v for v in values if v is not None]
        if not given or any(is_approximate(v) for v in given):
            continue
        subtotal = sum(given, start=type(total)(0))
        money = parse is money_any
        shown = _fmt if money else str
        clusters_at = f"clusters，第 {where.key_at(('clusters',))[0]} 行"
        every_cluster = len(given) == described and len(members) == described
        if count is not None and not is_approximate(count) and count == described \
                and every_cluster:
            # The overview describes exactly these clusters: it must be their sum.
            if not _matches(subtotal, total, overview.get(key), money):
                yield where.problem(("overview", key),
                                    f"全地区{what} {quote(overview.get(key))} 与本报告全部 "
                                    f"{described} 个集群之和 {shown(subtotal)}（{clusters_at}）"
                                    "不符；集群总数等于描述的集群数时两者应相等，请核对")
        elif _rounded(subtotal, overview.get(key), money) > _rounded(total, overview.get(key),
                                                                    money):
            yield where.problem(("overview", key),
                                f"本报告描述的各集群{what}之和 {shown(subtotal)}（{clusters_at}）"
                                f"超过了全地区的 {shown(total)}；请核对")


def _rounded(amount: Any, written: Any, money: bool) -> Decimal:
    """`amount` rounded as the overview figure is written: in its unit, to its decimals.

    Counts are exact; money is compared at the precision staff wrote (781.87亿元 is
    781.9亿元 when the overview says 781.9亿元).
    """
    if not money:
        return Decimal(int(amount))
    try:
        parts = split_figure(written, "")
    except ValueFormatError:
        return Decimal(amount)
    scale = SCALES.get(parts.scale, Decimal(1))
    places = len(parts.number_text.split(".")[1]) if "." in parts.number_text else 0
    return (Decimal(amount) / scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _matches(subtotal: Any, total: Any, written: Any, money: bool) -> bool:
    """Does the clusters' sum equal the overview figure as written (its unit and decimals)?"""
    return _rounded(subtotal, written, money) == _rounded(total, written, money)


# --- targets, indicators, shares ---------------------------------------------------------

def _targets(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    report_year = _parsed(data, ("report", "year"), parse_year)
    for path, owner, kind in owners(data):
        targets = owner.get("targets") if kind in ("cluster", "part", "overview") else None
        if not isinstance(targets, list):
            continue
        for i, target in enumerate(targets):
            if not isinstance(target, dict):
                continue
            at = (*path, "targets", i)
            year = _parsed(target, ("year",), parse_year)
            if year is not None and report_year is not None and year <= report_year:
                yield where.problem((*at, "year"),
                                    f"目标年份 {year} 不晚于统计年度 {report_year}；目标应是以后"
                                    "年份的数字，已完成的数字请写在 indicators")
            value = _parsed(target, ("value",), parse_target_value)
            is_money = ((isinstance(value, Decimal) and not _is_percent(target.get("value")))
                        or (isinstance(value, Quantity) and value.unit in MONEY_UNITS))
            if value is not None and not is_money and target.get("name") is None:
                yield where.problem(at, "目标值不是金额时必须写 name（指标名称）；例如 "
                                        "{year: 2027, name: 种植面积, value: 15万亩}",
                                    where.mapping_at(at))


def _is_percent(value: Any) -> bool:
    return isinstance(value, str) and ("%" in value or "％" in value)


def _indicators(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    for path, owner, kind in owners(data):
        indicators = owner.get("indicators") if kind in ("cluster", "part", "overview") else None
        if not isinstance(indicators, list):
            continue
        seen: dict[str, int] = {}
        for i, indicator in enumerate(indicators):
            name = _parsed(indicator, ("name",), clean_text) if isinstance(indicator, dict) \
                else None
            if name is None:
                continue
            if name in seen:
                line = where.value_at((*path, "indicators", seen[name], "name"))[0]
                yield where.problem((*path, "indicators", i, "name"),
                                    f"指标“{name}”与第 {line} 行重复；同一处的指标名称不能重复")
            else:
                seen[name] = i


def _shares(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    from reportgen.survey.values2 import percent_any

    for path, owner, kind in owners(data):
        shares = owner.get("market_shares") if kind in ("cluster", "part") else None
        if not isinstance(shares, list):
            continue
        for i, share in enumerate(shares):
            value = _parsed(share, ("value",), percent_any) if isinstance(share, dict) else None
            if value is not None and not 0 <= value <= 100:
                yield where.problem((*path, "market_shares", i, "value"),
                                    f"市场占有率 {value}% 不在 0%–100% 之间；请检查这个数")


# --- staff tables ------------------------------------------------------------------------

def _all_tables(data: dict[Any, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    top = data.get("tables")
    if isinstance(top, list):
        for i, table in enumerate(top):
            yield ("tables", i), table
    for path, owner, _ in owners(data):
        found = owner.get("tables")
        if isinstance(found, list):
            for i, table in enumerate(found):
                yield (*path, "tables", i), table


def _staff_tables(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    units = tuple(u for u in (get(data, ("units",)) or []) if isinstance(u, str)) \
        if isinstance(get(data, ("units",)), list) else ()
    for path, table in _all_tables(data):
        if not isinstance(table, dict):
            continue
        columns = table.get("columns")
        rows = table.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list):
            continue
        headers = [_parsed({"c": c}, ("c",), clean_line) for c in columns]
        kinds = [tables.column_kind(h, units) if h is not None else None for h in headers]
        for r, row in enumerate(rows):
            if not isinstance(row, list):
                yield where.problem((*path, "rows", r),
                                    "每一行应为一个列表，例如 [纺织业, 350, 1.6]")
                continue
            if len(row) != len(columns):
                yield where.problem((*path, "rows", r),
                                    f"这一行有 {len(row)} 个单元格，表头有 {len(columns)} 列；"
                                    "每行的单元格数必须与 columns 相同（没有数的格写 —）")
            for c, cell in enumerate(row[:len(columns)]):
                yield from _cell(cell, (*path, "rows", r, c), headers[c], kinds[c], where)


def _cell(cell: Any, path: tuple[Any, ...], header: str | None, kind: Any,
          where: SourceMap) -> Iterator[Problem]:
    label = header or ""
    if isinstance(cell, bool | dict | list):
        yield where.labelled_problem(path, label, "单元格应为文字或数字")
        return
    text = str(cell)
    if tables.is_empty_cell(text):
        return
    try:
        clean_line(text)
    except ValueFormatError as exc:
        yield where.labelled_problem(path, label, exc.text)
        return
    if kind is None or not kind.numeric:
        return
    if tables.parse_cell(text) is None:
        unit = f"（{kind.unit}）" if kind.unit else ""
        yield where.labelled_problem(
            path, label, f"{quote(text)}不是数字；这一列{unit}的单元格只写数字，例如 350、1.6、"
                         "近200、35以上，没有数写 —（单位已写在表头中，不要重复）")


# --- text that cannot be printed ---------------------------------------------------------

def printable_text(data: dict[Any, Any], where: SourceMap) -> Iterator[Problem]:
    """Refuse text the PDF fonts cannot draw (emoji, rare extension-B characters …).

    `check` must refuse what `build` would fail on: both ask fonts.unprintable_characters.
    """
    from reportgen.fonts import unprintable_characters

    def walk(value: Any, path: tuple[Any, ...]) -> Iterator[Problem]:
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str):
                    yield from check_text(key, (*path, key), key=True)
                yield from walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                yield from walk(child, (*path, i))
        elif isinstance(value, str):
            yield from check_text(value, path)

    def check_text(text: str, path: tuple[Any, ...], key: bool = False) -> Iterator[Problem]:
        missing = unprintable_characters(text)
        if missing:
            shown = "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in sorted(missing)[:5])
            yield where.problem(path, f"{'键中' if key else ''}有字体无法显示的字符：{shown}；"
                                      "表情符号、组合符号和部分生僻字无法打印，请删除或改用常用字",
                                where.key_at(path) if key else None)

    yield from walk(data, ())
