"""Survey format 2: what it accepts, and one located refusal per new rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reportgen.quantities import Amount, Count, Quantity
from reportgen.survey import parse_survey_text
from tests.survey.survey_helpers import (
    BASE,
    FILE,
    assert_problem,
    mutate,
    only,
    problems_in,
)

V2 = mutate("schema: 1", "schema: 2")


def v2(old: str, new: str, text: str = V2) -> str:
    return mutate(old, new, text)


def load(text: str):
    return parse_survey_text(text, FILE)


# --- what format 2 accepts ---------------------------------------------------------------

def test_a_format1_file_with_schema_2_is_valid_and_the_same() -> None:
    one = load(BASE)
    two = load(V2)
    assert one.clusters == two.clusters
    assert one.problems == two.problems


def test_approximate_counts_money_and_percent() -> None:
    text = v2("  enterprises: 169\n", "  enterprises: 3300多\n  employees: 近23万人\n")
    text = mutate("  market_share: 50%", "  market_share: 35%以上", text)
    text = mutate("  output: 7800万元", "  output: 约1800亿元", text)
    survey = load(text)
    textile, food = survey.clusters
    assert isinstance(textile.enterprises, Count)
    assert textile.enterprises == 3300 and textile.enterprises.written == "3300多"
    assert textile.employees == 230000 and textile.employees.written == "近23万人"
    assert textile.employees.unit == "人" and textile.employees.scaled
    assert isinstance(textile.market_share, Amount)
    assert textile.market_share.written == "35%以上"
    assert food.output == Decimal("180000000000") and food.output.written == "约1800亿元"


def test_approximate_values_skip_rules_that_need_exact_figures() -> None:
    # above_scale ≤ enterprises cannot be checked against 近20.
    text = v2("  enterprises: 169\n", "  enterprises: 近20\n")
    text = mutate("  above_scale: 20", "  above_scale: 25", text)
    assert problems_in(text) == []


def test_money_without_yuan_after_scale_gets_yuan() -> None:
    survey = load(v2("  output: 7800万元", "  output: 20多亿"))
    assert survey.clusters[1].output.written == "20多亿元"


def test_output_is_optional_in_format_2_only() -> None:
    assert problems_in(v2("  output: 7800万元\n", "")) == []
    problem = only(problems_in(mutate("  output: 7800万元\n", "")))
    assert problem.path == "clusters[1].output" and "缺少必填项" in problem.message


def test_indicators_list_and_mapping_forms() -> None:
    text = v2("- name: 食品业\n", "- name: 食品业\n  indicators:\n    年产纱: 23100吨\n"
              "    纱锭: 20万锭\n    完成投资: 14304万元\n")
    indicators = load(text).clusters[1].indicators
    assert [i.name for i in indicators] == ["年产纱", "纱锭", "完成投资"]
    assert isinstance(indicators[0].value, Quantity) and str(indicators[0].value) == "23100吨"
    assert indicators[2].value == Decimal("143040000")
    text = v2("- name: 食品业\n", "- name: 食品业\n  indicators:\n  - name: 年产纱\n"
              "    value: 23100吨\n    growth: 34.4%\n    rank: 全省第5位\n    note: 含外加工\n")
    indicator = load(text).clusters[1].indicators[0]
    assert indicator.rank is not None
    assert (indicator.rank.scope, indicator.rank.place) == ("全省", 5)
    assert indicator.note == "含外加工"


def test_rank_short_and_long_forms() -> None:
    for written, place in (("全国第一", 1), ("全省第十一位", 11), ("{scope: 国内, place: 5}", 5)):
        survey = load(v2("- name: 食品业\n", f"- name: 食品业\n  rank: {written}\n"))
        assert survey.clusters[1].rank is not None
        assert survey.clusters[1].rank.place == place


def test_market_share_list_form() -> None:
    text = v2("  market_share: 50%", "  market_share:\n  - {scope: 全国, value: 50%以上, "
              "product: 左氧注射液}\n  - {scope: 全省, value: 70%}")
    shares = load(text).clusters[0].market_shares
    assert [(s.scope, s.product) for s in shares] == [("全国", "左氧注射液"), ("全省", None)]


def test_mapping_form_of_findings_with_intro_items_outro() -> None:
    text = v2("problems:\n- 企业布局分散\n- title: 融资难\n  clusters: [纺织业]\n",
              "problems:\n  intro: 由于多种原因，主要表现在：\n  items:\n  - 企业布局分散\n"
              "  - title: 融资难\n    items: [银行惜贷, 担保不足]\n  outro: 以上问题亟待解决。\n")
    problems = load(text).problems
    assert problems.intro == "由于多种原因，主要表现在："
    assert [f.title for f in problems] == ["企业布局分散", "融资难"]
    assert [i.title for i in problems[1].items] == ["银行惜贷", "担保不足"]


def test_blank_line_starts_a_paragraph_single_breaks_are_joined() -> None:
    text = v2("  measures: [一是规划, 二是政策]", "  measures: [一是规划, 二是政策]\n"
              "  detail: |\n    第一段\n    接着写。\n\n    第二段 and\n    more")
    detail = load(text).suggestions[0].detail
    assert detail == "第一段接着写。\n\n第二段 and more"


def test_sections_and_staff_tables_are_accepted() -> None:
    text = V2 + ("sections:\n- title: 对产业集群的理解\n  after: 导语\n  intro: 产业集群是……\n"
                 "tables:\n- caption: 企业分布\n  columns: [乡镇, 企业数（家）, 占比（%）]\n"
                 "  rows:\n  - [城关镇, 近200, 41.2]\n  - [东坝镇, 1.50, —]\n  total: true\n")
    survey = load(text)
    assert survey.sections[0].after == "导语"
    assert survey.tables[0].rows[1] == ("东坝镇", "1.50", "—")


def test_declared_units() -> None:
    text = V2 + "units: [罗]\n"
    text = mutate("- name: 食品业\n", "- name: 食品业\n  indicators: {年产: 300万罗}\n", text)
    assert str(load(text).clusters[1].indicators[0].value) == "300万罗"


# --- refusals ----------------------------------------------------------------------------

REFUSALS = [
    # (old, new, needle in the result, key path, message fragment)
    ("  enterprises: 10\n", "  enterprises: 10\n  indicators: {年产: 300罗}\n", "300罗",
     "clusters[1].indicators.年产", "未知单位"),
    ("  enterprises: 10\n", "  enterprises: 10\n  indicators: {年产: 约300多吨}\n", "约300多吨",
     "clusters[1].indicators.年产", "不止一个"),
    ("  enterprises: 169", "  enterprises: 169人", "169人", "clusters[0].enterprises",
     "不适合这一项"),
    ("  output: 7800万元", "  output: 12亿美元", "12亿美元", "clusters[1].output", "美元"),
    ("  output: 7800万元", "  output: 7800", "7800", "clusters[1].output", "缺少单位"),
    ("  enterprises: 10\n", "  enterprises: 10\n  rank: 三大基地之一\n", "三大基地之一",
     "clusters[1].rank", "不是名次"),
    ("  enterprises: 10\n", "  enterprises: 10\n  targets:\n  - {year: 2024, value: 1亿元}\n",
     "2024, value", "clusters[1].targets[0].year", "不晚于统计年度"),
    ("  enterprises: 10\n", "  enterprises: 10\n  targets:\n  - {year: 2027, value: 15万亩}\n",
     "{year: 2027", "clusters[1].targets[0]", "必须写 name"),
    ("  output: 7800万元\n  enterprises: 10\n", "  growth: 5%\n  enterprises: 10\n", "5%",
     "clusters[1].growth", "没有填写 output"),
    ("  enterprises: 10\n", "  enterprises: 10\n  indicators:\n  - {name: 年产, value: 1吨}\n"
     "  - {name: 年产, value: 2吨}\n", "年产, value: 2吨", "clusters[1].indicators[1].name",
     "重复"),
    ("  market_share: 50%", "  market_share:\n  - {scope: 全国, value: 150%}", "150%",
     "clusters[0].market_share[0].value", "不在 0%–100%"),
    ("- name: 食品业\n", "- name: 食品业\n  parts:\n  - {name: 纺织业, output: 1亿元}\n",
     "纺织业, output", "clusters[1].parts[0].name", "重名"),
]


@pytest.mark.parametrize(("old", "new", "needle", "path", "fragment"), REFUSALS)
def test_refusal(old: str, new: str, needle: str, path: str, fragment: str) -> None:
    text = v2(old, new)
    assert_problem(only(problems_in(text)), text, needle, path, fragment)


def test_format_2_keys_in_a_format_1_file_say_which_schema() -> None:
    text = BASE + "overview:\n  clusters: 26\n"
    problem = only(problems_in(text))
    assert problem.path == "overview" and "schema: 2" in problem.message


def test_approximate_value_in_a_format_1_file_is_refused() -> None:
    problem = only(problems_in(mutate("  enterprises: 169", "  enterprises: 3300多")))
    assert problem.path == "clusters[0].enterprises" and "不是整数" in problem.message


def test_line_break_in_a_name_is_refused_in_format_2() -> None:
    text = v2("- name: 食品业\n", "- name: |\n    食品\n    加工业\n")
    problem = only(problems_in(text))
    assert problem.path == "clusters[1].name" and "不能换行" in problem.message


def test_overview_sum_larger_than_region_names_both_places() -> None:
    text = V2 + "overview:\n  enterprises: 100\n"
    problem = only(problems_in(text))
    assert problem.path == "overview.enterprises"
    assert "179" in problem.message and "clusters，第" in problem.message


def test_overview_total_must_equal_sum_when_all_clusters_are_described() -> None:
    base = V2.replace("  output: 142亿元", "  output: 700亿元").replace(
        "  output_prev: 120亿元\n  growth: 18.3%\n", "").replace(
        "  output: 7800万元", "  output: 81.87亿元")
    base = base.replace("  industrial_output: 500亿元", "  industrial_output: 900亿元")
    ok = base + "overview:\n  clusters: 2\n  output: 782亿元\n"
    assert problems_in(ok) == []
    assert problems_in(base + "overview:\n  clusters: 2\n  output: 781.9亿元\n") == []
    bad = base + "overview:\n  clusters: 2\n  output: 778亿元\n"
    assert_problem(only(problems_in(bad)), bad, "778亿元", "overview.output", "不符")
    # More clusters in the region than described: the overview figure is not a sum.
    assert problems_in(base + "overview:\n  clusters: 26\n  output: 800亿元\n") == []


def test_section_rules() -> None:
    text = V2 + "sections:\n- title: 一、理解\n  after: 导语\n"
    assert_problem(only(problems_in(text)), text, "一、理解", "sections[0].title", "编号开头")
    text = V2 + "sections:\n- title: 理解\n  after: 前言\n"
    assert_problem(only(problems_in(text)), text, "前言", "sections[0].after", "导语、现状")


def test_mapping_form_needs_items() -> None:
    text = v2("suggestions:\n- title: 加强规划\n  measures: [一是规划, 二是政策]\n",
              "suggestions:\n  intro: 为此建议：\n")
    problem = only(problems_in(text))
    assert problem.path == "suggestions.items" and "items" in problem.message


def test_numbering_levels_are_limited_to_four() -> None:
    text = v2("  measures: [一是规划, 二是政策]\n",
              "  items:\n  - title: 一\n    items:\n    - title: 二\n      items: [三]\n")
    problem = only(problems_in(text))
    assert problem.path == "suggestions[0].items[0].items[0].items"
    assert "最多四级" in problem.message
    text = v2("  measures: [一是规划, 二是政策]\n", "  measures: [一是规划]\n  items: [二]\n")
    assert only(problems_in(text)).path == "suggestions[0].items"


def test_cluster_has_parts_or_topics_not_both() -> None:
    text = v2("- name: 食品业\n", "- name: 食品业\n  parts:\n  - {name: 膏桐}\n  topics: [种植]\n")
    assert only(problems_in(text)).path == "clusters[1].topics"


def test_staff_table_cells_are_located_by_row_and_column() -> None:
    text = V2 + ("tables:\n- caption: 企业分布\n  columns: [乡镇, 营业收入（亿元）]\n"
                 "  rows:\n  - [城关镇, 56.4]\n  - [东坝镇, 38亿元]\n  - [西岭乡]\n")
    problems = problems_in(text)
    assert len(problems) == 2, problems
    cell, row = problems
    assert_problem(cell, text, "38亿元", "tables[0].rows[1][1]", "不是数字")
    assert cell.label == "营业收入（亿元）"
    assert_problem(row, text, "[西岭乡]", "tables[0].rows[2]", "有 1 个单元格")


def test_every_problem_in_one_run() -> None:
    text = V2 + ("units: [3吨]\nsections:\n- title: 一、理解\n  after: 前言\n")
    text = mutate("  enterprises: 169", "  enterprises: 169人", text)
    paths = {p.path for p in problems_in(text)}
    assert {"units[0]", "sections[0].title", "sections[0].after",
            "clusters[0].enterprises"} <= paths


def test_a_part_has_no_parts() -> None:
    text = v2("- name: 食品业\n", "- name: 食品业\n  parts:\n  - name: 膏桐\n    parts: []\n")
    problem = only(problems_in(text))
    assert problem.path == "clusters[1].parts[0].parts" and "最多四级" in problem.message


def test_overview_excess_is_judged_at_the_written_precision() -> None:
    text = V2.replace("  profit: 10.4亿元", "  profit: 10.44亿元")
    # 10.44亿元 rounds to 10.4亿元: no more than the region's 10.4亿元 as written.
    assert problems_in(text + "overview:\n  clusters: 9\n  profit: 10.4亿元\n") == []
    bad = text + "overview:\n  clusters: 9\n  profit: 10.3亿元\n"
    assert_problem(only(problems_in(bad)), bad, "10.3亿元", "overview.profit", "超过了")


def test_blank_line_in_a_folded_block_starts_a_paragraph() -> None:
    text = v2("  measures: [一是规划, 二是政策]", "  measures: [一是规划, 二是政策]\n"
              "  detail: >\n    第一段\n    接着写。\n\n    第二段。")
    assert load(text).suggestions[0].detail == "第一段 接着写。\n\n第二段。"


def test_count_in_a_message_prints_as_a_number() -> None:
    text = V2 + "overview:\n  enterprises: 150家\n"
    assert "超过了全地区的 150；" in only(problems_in(text)).message  # not Count(...)


def test_a_percentage_indicator_is_told_apart_from_money() -> None:
    text = v2("  enterprises: 10\n",
              "  enterprises: 10\n  indicators: {森林覆盖率: 41.0%, 投资: 3亿元}\n")
    coverage, investment = load(text).clusters[1].indicators
    assert getattr(coverage.value, "written", "") == "41.0%"
    assert not getattr(investment.value, "written", "")


@pytest.mark.parametrize(("written", "char"), [
    ("测试😀县", "😀"), ("作者𠀀", "𠀀"), ("建议\ufe0f", "\ufe0f")])
def test_text_the_fonts_cannot_print_is_refused_at_check(written: str, char: str) -> None:
    from reportgen.fonts import unprintable_characters

    assert char in unprintable_characters(written)
    text = mutate("  name: 测试县", f'  name: "{written}"')
    problem = only(problems_in(text))
    assert problem.path == "region.name" and f"U+{ord(char):04X}" in problem.message
    assert "fonts-noto-cjk" not in problem.message  # installed already: the hint must be true


def test_full_width_schema_number_loads() -> None:
    assert load(mutate("schema: 1", "schema: ２")).schema_ == 2
    assert load(mutate("schema: 1", "schema: １")).schema_ == 1
