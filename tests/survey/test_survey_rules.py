"""Cross-field rules: one test per rule, checking file, line, column and key path."""

from __future__ import annotations

from survey_helpers import BASE, assert_problem, mutate, only, pos, problems_in


def test_schema_must_be_1_or_2() -> None:
    text = mutate("schema: 1", "schema: 3")
    assert_problem(only(problems_in(text)), text, "3\n", "schema", "请写 schema: 1 或 schema: 2")
    # A valid format-1 file is a valid format-2 file (format 2 is a superset).
    assert problems_in(mutate("schema: 1", "schema: 2")) == []
    text = mutate("schema: 1", "schema: 一")
    assert_problem(only(problems_in(text)), text, "一", "schema", "不支持的格式版本")
    assert problems_in(mutate("schema: 1\n", "")) == []


def test_profit_not_above_profit_tax() -> None:
    text = mutate("profit: 10.4亿元", "profit: 15亿元")
    assert_problem(only(problems_in(text)), text, "15亿元", "clusters[0].profit", "超过了利税")


def test_above_scale_not_above_enterprises() -> None:
    text = mutate("enterprises: 169", "enterprises: 19")
    problem = only(problems_in(text))
    assert_problem(problem, text, "20\n", "clusters[0].above_scale", "超过了企业数 19")
    assert problem.label == "规模以上企业数"


def test_growth_must_agree_with_output_prev() -> None:
    text = mutate("growth: 18.3%", "growth: 20%")
    problem = only(problems_in(text))
    assert_problem(problem, text, "20%", "clusters[0].growth", "18.3%")
    # within 0.1 percentage point is fine: computed 18.33…
    assert problems_in(mutate("growth: 18.3%", "growth: 18.4%")) == []
    assert problems_in(mutate("growth: 18.3%", "growth: 18.24%")) == []


def test_output_prev_zero_with_growth() -> None:
    text = mutate("output_prev: 120亿元", "output_prev: 0元")
    assert_problem(only(problems_in(text)), text, "0元", "clusters[0].output_prev", "为 0")


def test_history_year_not_before_report_year() -> None:
    text = mutate("    2023: 120亿元", "    2024: 120亿元")
    assert_problem(only(problems_in(text)), text, "2024: 120亿元", "clusters[0].history.2024",
                   "不早于统计年度 2024")


def test_history_year_not_before_1949() -> None:
    text = mutate("    2022: 100亿元", "    1948: 100亿元")
    assert_problem(only(problems_in(text)), text, "1948", "clusters[0].history.1948", "早于 1949")


def test_history_years_unique_after_parsing() -> None:
    text = mutate("    2023: 120亿元", "    2023: 120亿元\n    '２０２３': 120亿元")
    problem = only(problems_in(text))
    assert_problem(problem, text, "'２０２３'", "clusters[0].history.２０２３", "重复")
    assert f"第 {pos(text, '2023: 120')[0]} 行" in problem.message


def test_history_key_not_a_year() -> None:
    text = mutate("    2022: 100亿元", "    去年: 100亿元")
    problems = problems_in(text)
    assert any(p.path == "clusters[0].history.去年" and "不是年份" in p.message
               for p in problems), problems


def test_cluster_outputs_not_above_total() -> None:
    text = mutate("industrial_output: 500亿元", "industrial_output: 100亿元")
    problem = only(problems_in(text))
    assert_problem(problem, text, "100亿元", "totals.industrial_output", "超过了全地区")
    assert "142.78亿元" in problem.message and "142.8%" in problem.message


def test_cluster_enterprises_not_above_total() -> None:
    text = mutate("  enterprises: 1000", "  enterprises: 170")
    problem = only(problems_in(text))
    assert_problem(problem, text, "170", "totals.enterprises", "各集群企业数之和 179")


def test_cluster_above_scale_not_above_total() -> None:
    text = mutate("above_scale_enterprises: 100", "above_scale_enterprises: 19")
    assert_problem(only(problems_in(text)), text, "19", "totals.above_scale_enterprises",
                   "各集群规模以上企业数之和 20")


def test_total_above_scale_not_above_total_enterprises() -> None:
    text = mutate("  enterprises: 1000", "  enterprises: 190")
    text = mutate("above_scale_enterprises: 100", "above_scale_enterprises: 200", text)
    assert_problem(only(problems_in(text)), text, "200", "totals.above_scale_enterprises",
                   "超过了工业企业数 190")


def test_total_rule_uses_the_clusters_that_parse() -> None:
    text = mutate("industrial_output: 500亿元", "industrial_output: 100亿元")
    text = mutate("output: 7800万元", "output: 7800", text)
    paths = sorted(p.path for p in problems_in(text))
    assert paths == ["clusters[1].output", "totals.industrial_output"]


def test_market_share_at_most_100() -> None:
    text = mutate("market_share: 50%", "market_share: 100.5%")
    assert_problem(only(problems_in(text)), text, "100.5%", "clusters[0].market_share", "0%–100%")
    text = mutate("market_share: 50%", "market_share: -1%")
    assert_problem(only(problems_in(text)), text, "-1%", "clusters[0].market_share", "0%–100%")


def test_cluster_names_unique() -> None:
    text = mutate("- name: 食品业", "- name: ' 纺织业'")
    text = mutate("  clusters: [纺织业]", "  clusters: [纺织业]", text)
    problem = only(problems_in(text))
    assert_problem(problem, text, "' 纺织业'", "clusters[1].name", "与第 13 行的集群重名")


def test_finding_clusters_must_exist() -> None:
    text = mutate("clusters: [纺织业]", "clusters: [纺识业]")
    assert_problem(only(problems_in(text)), text, "纺识业", "problems[1].clusters[0]",
                   "是不是要写“纺织业”")
    text = mutate("clusters: [纺织业]", "clusters: [汽车]")
    assert_problem(only(problems_in(text)), text, "汽车", "problems[1].clusters[0]",
                   "本文件的集群有：纺织业、食品业")


def test_report_year_not_after_date() -> None:
    text = mutate("  year: 2024", "  year: 2026")
    problems = problems_in(text)
    year = [p for p in problems if p.path == "report.year"]
    assert_problem(only(year), text, "2026", "report.year", "晚于成文日期")


def test_honors_unique_after_folding() -> None:
    text = mutate("    国家名牌产品: 5", "    ISO认证: 5\n    ＩＳＯ认证: 1")
    path = "clusters[0].honors.ＩＳＯ认证"
    assert_problem(only(problems_in(text)), text, "ＩＳＯ认证", path, "重复")


def test_rules_run_alongside_type_errors() -> None:
    """A broken field elsewhere does not hide a cross-field problem."""
    text = mutate("date: 2025-03-15", "date: 明天")
    text = mutate("profit: 10.4亿元", "profit: 15亿元", text)
    text = mutate("output: 142亿元", "output: 142", text)
    paths = [p.path for p in problems_in(text)]
    assert paths == ["report.date", "clusters[0].output", "clusters[0].profit"]


def test_base_is_valid() -> None:
    assert problems_in(BASE) == []


def test_template_must_name_an_existing_set() -> None:
    text = mutate("  year: 2024", "  year: 2024\n  template: defualt")
    assert_problem(only(problems_in(text)), text, "defualt", "report.template",
                   "是不是要写“default”")
    assert problems_in(mutate("  year: 2024", "  year: 2024\n  template: default")) == []


def test_growth_message_rounds_half_up_like_the_report() -> None:
    # 102.25 over 100 is exactly 2.25%: the report prints 2.3%, so the message must too
    # (Python's :.1f on a Decimal would say 2.2%).
    text = mutate("  output: 142亿元\n  output_prev: 120亿元\n  growth: 18.3%",
                  "  output: 102.25亿元\n  output_prev: 100亿元\n  growth: 5%")
    problem = only(problems_in(text))
    assert "2.3%" in problem.message and "2.2%" not in problem.message, problem.message
