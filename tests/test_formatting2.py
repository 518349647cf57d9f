"""Printing survey format 2 values: approximate figures, counts, phrases, staff-table sums.

Each function is checked against the "Exact rules" of survey-format-2.md.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from reportgen import formatting
from reportgen.quantities import Amount, Quantity, add_counts, add_money
from reportgen.survey import tables
from reportgen.survey.model import Indicator, MarketShare, Rank, Target
from reportgen.survey.values2 import parse_count2, parse_measure, parse_money2, survey_context
from reportgen.templating import phrases


def v2(model: Any, **data: Any) -> Any:
    """A model value parsed as a format-2 file would be."""
    with survey_context(2, ("罗",)):
        return model.model_validate(data)


def money2(text: str) -> D:
    with survey_context(2):
        return parse_money2(text)


def count2(text: str, *units: str) -> int:
    with survey_context(2):
        return parse_count2(text, units)


def measure2(text: str) -> Any:
    with survey_context(2, ("罗",)):
        return parse_measure(text)


# --- money ------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "printed"), [
    ("15000多万元", "15000多万元"),
    ("20多亿", "20多亿元"),  # 元 added when left out
    ("约1800亿元", "约1800亿元"),
    ("1800亿元左右", "1800亿元左右"),
    ("近200万元", "近200万元"),
])
def test_approximate_money_prints_as_written(written: str, printed: str) -> None:
    assert formatting.money(money2(written)) == printed


def test_exact_money_keeps_the_money_rule() -> None:
    assert formatting.money(money2("14304万元")) == "1.43亿元"
    assert formatting.money(D("99999950000")) == "1000亿元"
    assert formatting.money(money2("9999.995万元")) == "1亿元"


def test_a_sum_with_an_approximate_addend_prints_yue_and_the_rule() -> None:
    assert formatting.money(add_money([money2("20多亿")])) == "约20亿元"
    total = add_money([money2("1800亿元左右"), money2("20多亿"), money2("15000多万元")])
    assert formatting.money(total) == "约1821.5亿元"
    assert formatting.money(add_money([D(100_000_000), D(50_000_000)])) == "1.5亿元"


def test_approximate_money_in_a_table_column_keeps_its_qualifier() -> None:
    assert formatting.money_in(money2("15000多万元"), "万元") == "15000多"
    assert formatting.money_in(money2("约1800亿元"), "亿元") == "约1800"
    assert formatting.money_in(money2("1800亿元左右"), "亿元") == "1800左右"
    # In another unit the number is converted; 多/余 become 约 (0.3多 would read wrongly).
    assert formatting.money_in(money2("3000多万元"), "亿元") == "约0.3"
    assert formatting.money_in(money2("近3000万元"), "亿元") == "近0.3"
    assert formatting.money_in(add_money([money2("20多亿"), D(10**8)]), "亿元") == "约21"
    assert formatting.money_in(D(78_000_000), "亿元") == "0.78"


# --- percent and growth -----------------------------------------------------------------

def test_percent_rule_everywhere() -> None:
    assert formatting.percent(D("52.67")) == "52.7%"
    assert formatting.percent(D("41.0")) == "41%"
    assert formatting.percent(Amount(D("52.67"), qualifier="约", written="约52.67%")) == "约52.7%"
    assert formatting.percent(Amount(D("35"), qualifier="以上", written="35%以上")) == "35%以上"
    assert formatting.percent(Amount(D("30"), qualifier="多", written="30多%")) == "30多%"
    # a share computed from approximate figures
    assert formatting.percent(Amount(D("70.73"))) == "约70.7%"


def test_growth_phrases() -> None:
    assert formatting.growth(D("34.4")) == "同比增长34.4%"
    assert formatting.growth(D("-5.25")) == "同比下降5.3%"
    assert formatting.growth(D("0.04")) == "与上年持平"
    assert formatting.growth(Amount(D("15"), qualifier="约", written="约15%")) == "同比增长约15%"
    assert formatting.growth(None) == ""


# --- counts -----------------------------------------------------------------------------

def test_count_with_the_fields_unit_or_its_own() -> None:
    assert formatting.count(169, "家") == "169家"
    assert formatting.count(count2("3300多", "家"), "家") == "3300多家"
    assert formatting.count(count2("近23万人", "人"), "人") == "近23万人"
    assert formatting.count(count2("23万", "人"), "人") == "23万人"
    assert formatting.count(count2("169家", "家", "户"), "家") == "169家"
    assert formatting.count(count2("5枚", "件", "枚"), "件") == "5枚"  # its own unit wins
    assert formatting.count(None, "家") == ""


def test_count_sums() -> None:
    total = add_counts([count2("3300多", "家"), 169])
    assert formatting.count(total, "家") == "约3469家"
    people = add_counts([count2("近23万人", "人"), count2("1.5万人", "人")])
    assert formatting.count(people, "人") == "约24.5万人"
    assert formatting.count(add_counts([70, 106, 38]), "家") == "214家"


def test_count_cells_drop_the_unit_but_keep_the_qualifier() -> None:
    assert formatting.count_number(count2("3300多", "家")) == "3300多"
    assert formatting.count_number(count2("近23万人", "人")) == "近23万"
    assert formatting.count_number(count2("200家以上", "家")) == "200以上"
    assert formatting.count_number(6767) == "6767"
    assert formatting.integer(count2("3300多", "家")) == "3300多"
    assert formatting.integer(count2("169家", "家")) == "169"


def test_count_is_a_filter() -> None:
    assert formatting.FILTERS["count"] is formatting.count


# --- ranks ------------------------------------------------------------------------------

@pytest.mark.parametrize(("place", "chinese"), [
    (1, "一"), (5, "五"), (10, "十"), (11, "十一"), (21, "二十一"), (100, "一百"),
    (105, "一百零五"), (110, "一百一十"),
])
def test_rank_places_in_chinese_numerals(place: int, chinese: str) -> None:
    assert formatting.chinese_number(place) == chinese
    assert phrases.rank(Rank(scope="全省", place=place)) == f"居全省第{chinese}位"


def test_rank_from_the_short_text() -> None:
    assert phrases.rank(v2(Indicator, name="x", value="1吨", rank="全国第21位").rank) == \
        "居全国第二十一位"
    assert phrases.rank(v2(Indicator, name="x", value="1吨", rank="全省第五").rank) == \
        "居全省第五位"
    assert phrases.rank(None) == ""


# --- measures and indicators ------------------------------------------------------------

def test_measures_print_as_written_money_by_the_money_rule() -> None:
    assert phrases.measure(measure2("23100吨")) == "23100吨"
    assert phrases.measure(measure2("7.2万亩")) == "7.2万亩"
    assert phrases.measure(measure2("41.5万人次")) == "41.5万人次"
    assert phrases.measure(measure2("近200家")) == "近200家"
    assert phrases.measure(measure2("12亿美元")) == "12亿美元"
    assert phrases.measure(measure2("300罗")) == "300罗"  # a declared unit
    assert phrases.measure(measure2("１２３００吨")) == "12300吨"  # full-width folded
    assert phrases.measure(measure2("14304万元")) == "1.43亿元"
    assert phrases.measure(measure2("约2.1%")) == "约2.1%"
    assert phrases.measure(measure2("70%以上")) == "70%以上"
    assert phrases.measure(46) == "46"
    assert phrases.measure(Quantity(written="3万多家", number=D(3), scale="万", unit="家",
                                    qualifier="多")) == "3万多家"


def test_exact_percent_measures_print_by_the_percent_rule() -> None:
    # Money and percent are both Decimals; the loader keeps an exact percent's % (written).
    assert phrases.measure(measure2("52.67%")) == "52.7%"
    assert phrases.measure(measure2("41.0%")) == "41%"


def test_indicator_phrase() -> None:
    one = v2(Indicator, name="年产纱", value="23100吨", growth="34.4%", note="含外加工")
    assert phrases.indicator(one, 2024) == "年产纱23100吨（含外加工），同比增长34.4%"
    two = v2(Indicator, name="纱锭生产能力", value="20万锭", rank={"scope": "全省", "place": 5})
    assert phrases.indicator(two, 2024) == "纱锭生产能力20万锭，居全省第五位"
    old = v2(Indicator, name="种植面积", value="7.2万亩", year=2023, growth="-2%")
    assert phrases.indicator(old, 2024) == "2023年种植面积7.2万亩，同比下降2%"
    same_year = v2(Indicator, name="出口", value="12亿美元", year=2024, growth="0%")
    assert phrases.indicator(same_year, 2024) == "出口12亿美元，与上年持平"
    both = v2(Indicator, name="产量", value="300罗", growth="约10%", rank="全国第21位")
    assert phrases.indicator(both, 2024) == "产量300罗，同比增长约10%，居全国第二十一位"
    assert phrases.indicators([one, two], 2024) == (
        "年产纱23100吨（含外加工），同比增长34.4%；纱锭生产能力20万锭，居全省第五位")
    assert phrases.indicators([], 2024) == ""


def test_an_indicator_note_with_paragraphs_stays_in_the_sentence() -> None:
    item = v2(Indicator, name="产量", value="300吨", note="含外加工\n\n不含库存")
    assert phrases.indicator(item, 2024) == "产量300吨（含外加工不含库存）"


# --- targets ----------------------------------------------------------------------------

def test_target_phrase() -> None:
    plain = v2(Target, year=2027, value="300亿元")
    assert phrases.target(plain, "产值") == "到2027年，产值达到300亿元"
    over = v2(Target, year=2027, value="超过300亿元")
    assert phrases.target(over, "产值") == "到2027年，产值超过300亿元"
    near = v2(Target, year=2030, value="近500万吨", name="年产量")
    assert phrases.target(near, "产值") == "到2030年，年产量近500万吨"
    above = v2(Target, year=2030, value="300亿元以上")
    assert phrases.target(above, "产值") == "到2030年，产值达到300亿元以上"
    with_text = v2(Target, year=2026, value="60亿元", text="建成省级产业示范基地。")
    assert phrases.target(with_text, "产值") == "到2026年，产值达到60亿元，建成省级产业示范基地"
    named = v2(Target, year=2027, value="60万人次", name="接待游客")
    assert phrases.target(named, "旅游收入") == "到2027年，接待游客达到60万人次"


def test_targets_of_one_owner_in_year_order() -> None:
    items = [v2(Target, year=2030, value="超过150亿元"), v2(Target, year=2027, value="120亿元")]
    assert phrases.targets(items, "全县产业集群产值") == (
        "到2027年，全县产业集群产值达到120亿元；到2030年，全县产业集群产值超过150亿元")


# --- market shares and shares -----------------------------------------------------------

def test_market_shares() -> None:
    shares = [v2(MarketShare, scope="全国", value="50%以上", product="造纸机械产品"),
              v2(MarketShare, scope="全省", value="70%以上", product="造纸机械产品"),
              v2(MarketShare, scope="北美", value="8.33%")]
    assert phrases.market_shares(shares) == (
        "造纸机械产品占全国市场的50%以上，占全省市场的70%以上，主要产品占北美市场的8.3%")
    assert phrases.market_shares([]) == ""


def test_share_of() -> None:
    assert phrases.share_of(D("66.23"), "全市工业总产值") == "占全市工业总产值的66.2%"
    assert phrases.share_of(Amount(D("70.73")), "全市工业总产值") == "约占全市工业总产值的70.7%"
    assert phrases.share_of(None, "全市") == ""


# --- paragraphs -------------------------------------------------------------------------

def test_paragraphs_split_at_blank_lines_in_format_2_only() -> None:
    text = "第一段。\n\n第二段。\n\n第三段。"
    assert phrases.split_paragraphs(text) == ["第一段。", "第二段。", "第三段。"]
    assert phrases.split_paragraphs(text, schema=1) == [text]
    assert phrases.split_paragraphs(None) == []
    assert phrases.split_paragraphs("一段。") == ["一段。"]
    assert phrases.join_paragraphs("Source: A\n\nNote: B") == "Source: A Note: B"


def test_phrase_filters_are_registered() -> None:
    from reportgen.templating import helpers

    for name in ("measure", "rank", "indicator", "indicators", "target", "targets",
                 "market_shares", "share_of", "paragraphs"):
        assert name in helpers.FILTERS, name


# --- staff tables -----------------------------------------------------------------------

@pytest.mark.parametrize(("header", "kind", "unit"), [
    ("企业数（家）", "number", "家"),
    ("营业收入(亿元)", "number", "亿元"),
    ("面积（万亩）", "number", "万亩"),
    ("产量（万罗）", "number", "万罗"),  # a declared unit with 万
    ("2024年营业收入（万元）", "number", "万元"),  # a year in the label is not a year column
    ("占比（%）", "percent", "%"),
    ("占全省比重（‰）", "percent", "‰"),
    ("全省排名（名）", "rank", "名"),
    ("位次", "text", None),
    ("年份", "text", None),
    ("建成年度", "text", None),
    ("投产时间（年）", "text", None),
    ("乡镇", "text", None),
    ("产量（罗）", "number", "罗"),
    ("产量（打）", "text", None),  # not a unit we know: a text column
])
def test_column_kinds(header: str, kind: str, unit: str | None) -> None:
    found = tables.column_kind(header, ("罗",))
    assert (found.kind, found.unit) == (kind, unit)
    assert found.numeric == (unit is not None)
    assert found.summed == (kind == "number")


def test_year_columns_with_a_declared_year_unit_are_not_summed() -> None:
    assert tables.column_kind("投产时间（年）", ("年",)).kind == "year"
    assert tables.column_kind("年份（年）", ("年",)).summed is False


@pytest.mark.parametrize("text", ["350", "1.6", "1.50", "近200", "35以上", "3300多", "约12"])
def test_number_cells(text: str) -> None:
    cell = tables.parse_cell(text)
    assert cell is not None and cell.written == text and not cell.empty


@pytest.mark.parametrize("text", ["1,200", "350家", "-5", "近200以上", "abc", "1.2.3"])
def test_not_number_cells(text: str) -> None:
    assert tables.parse_cell(text) is None


@pytest.mark.parametrize("text", ["", "—", " "])
def test_empty_cells(text: str) -> None:
    cell = tables.parse_cell(text)
    assert cell is not None and cell.empty


def test_column_totals_keep_the_most_precise_decimals() -> None:
    assert tables.column_total(["56.40", "38.1", "22.75", "19.6"]) == "136.85"
    assert tables.column_total(["9.80", "6.5"]) == "16.30"  # trailing zero kept
    assert tables.column_total(["1.50", "2"]) == "3.50"
    assert tables.column_total(["120", "80"]) == "200"
    assert tables.column_total(["近200", "120", "—", ""]) == "约320"
    assert tables.column_total(["—", ""]) == ""
