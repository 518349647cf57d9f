"""Reading survey files: file-level refusals, YAML traps, positions, schema errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from survey_helpers import BASE, FILE, assert_problem, mutate, only, pos, problems_in

from reportgen.errors import SurveyError
from reportgen.survey import check_survey, load_survey, parse_survey_text


def write(tmp_path: Path, content: bytes, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- file-level refusals -----------------------------------------------------------------

def test_valid_base_survey_loads() -> None:
    survey = parse_survey_text(BASE, FILE)
    assert survey.region.name == "测试县"
    assert survey.source == Path(FILE)
    assert survey.problems[0].title == "企业布局分散"


def test_empty_file(tmp_path: Path) -> None:
    for content in (b"", b"\n\n", b"# only a comment\n"):
        problem = only(check_survey(write(tmp_path, content)))
        assert "文件是空的" in problem.message


def test_top_level_list() -> None:
    problem = only(problems_in("- a\n- b\n"))
    assert "最外层应为映射" in problem.message and "列表" in problem.message
    assert (problem.line, problem.col) == (1, 1)


def test_top_level_scalar() -> None:
    problem = only(problems_in("just some words\n"))
    assert "最外层应为映射" in problem.message


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    problem = only(check_survey(path))
    assert "二进制" in problem.message
    assert problem.file == str(path)


def test_latin1_file_names_byte_offset(tmp_path: Path) -> None:
    content = "region:\n  name: Café\n".encode("latin-1")
    problem = only(check_survey(write(tmp_path, content)))
    assert "UTF-8" in problem.message
    offset = content.index(b"\xe9")
    assert f"第 {offset} 字节处的 0xE9" in problem.message
    assert (problem.line, problem.col) == (2, 12)


def test_utf8_bom_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + BASE.encode())
    assert load_survey(path).region.name == "测试县"
    assert parse_survey_text("\ufeff" + BASE, FILE).region.name == "测试县"


def test_file_over_one_mib_refused_before_parsing(tmp_path: Path) -> None:
    content = BASE.encode() + b"# " + b"x" * (1024 * 1024) + b"\n"
    problem = only(check_survey(write(tmp_path, content)))
    assert "文件过大" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SurveyError) as info:
        load_survey(tmp_path / "nope.yaml")
    assert "文件不存在" in only(info.value.problems).message


def test_file_name_is_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "inputs").mkdir()
    write(tmp_path / "inputs", mutate("output: 142亿元", "output: 142").encode(), "x.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SurveyError) as info:
        load_survey("inputs/x.yaml")
    assert info.value.file == "inputs/x.yaml"
    expected = "inputs/x.yaml:14:11: clusters[0].output (产值): “142”缺少单位"
    assert str(info.value).startswith(expected)


def test_yaml_syntax_error_position() -> None:
    text = mutate("  name: 测试县\n", "  name: [测试县\n")
    problem = only(problems_in(text))
    assert "YAML 格式错误" in problem.message
    assert problem.line >= 3


def test_tab_indentation_is_a_clear_problem() -> None:
    problem = only(problems_in("region:\n\tname: x\n"))
    assert "YAML 格式错误" in problem.message
    assert problem.line == 2


def test_multiple_documents_refused() -> None:
    problem = only(problems_in(BASE + "---\na: 1\n"))
    assert "YAML 格式错误" in problem.message


def test_control_character_in_stream() -> None:
    problem = only(problems_in("region:\n  name: a\x01b\n"))
    assert "U+0001" in problem.message
    assert (problem.line, problem.col) == (2, 10)


def test_deep_nesting_refused() -> None:
    for depth in (100, 5000):
        problem = only(problems_in("a: " + "[" * depth + "]" * depth + "\n"))
        assert "嵌套层数过深" in problem.message


# --- YAML 1.1 traps ------------------------------------------------------------------------

def test_yaml_12_no_on_010() -> None:
    text = mutate("  name: 测试县", "  name: no")
    text = mutate("- name: 食品业", "- name: on", text)
    text = mutate("  enterprises: 10\nproblems", "  enterprises: 010\nproblems", text)
    survey = parse_survey_text(text, FILE)
    assert survey.region.name == "no"
    assert survey.clusters[1].name == "on"
    assert survey.clusters[1].enterprises == 10


def test_bool_is_not_an_int() -> None:
    text = mutate("  enterprises: 169", "  enterprises: true")
    assert_problem(only(problems_in(text)), text, "true", "clusters[0].enterprises", "整数")


def test_unquoted_impossible_date() -> None:
    text = mutate("date: 2025-03-15", "date: 2025-02-30")
    assert_problem(only(problems_in(text)), text, "2025-02-30", "report.date", "不是真实存在的日期")


def test_chinese_date_with_full_width_digits() -> None:
    text = mutate("date: 2025-03-15", "date: ２０２５年３月１５日")
    assert str(parse_survey_text(text, FILE).report.date) == "2025-03-15"


# --- aliases ---------------------------------------------------------------------------------

def test_aliases_are_allowed() -> None:
    text = mutate("- name: 食品业\n  output: 7800万元\n  enterprises: 10\n",
                  "- name: 食品业\n  output: 7800万元\n  enterprises: 10\n"
                  "  products: &p [面粉, 挂面]\n  lead_enterprises: *p\n")
    survey = parse_survey_text(text, FILE)
    assert survey.clusters[1].lead_enterprises == ("面粉", "挂面")


def test_merge_key() -> None:
    text = mutate("- name: 食品业\n  output: 7800万元\n  enterprises: 10\n",
                  "- &food\n  name: 食品业\n  output: 7800万元\n  enterprises: 10\n"
                  "- <<: *food\n  name: 饮料业\n")
    survey = parse_survey_text(text, FILE)
    assert survey.clusters[2].name == "饮料业"
    assert survey.clusters[2].output == survey.clusters[1].output


def test_alias_bomb_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    assert len(text) < 1000
    start = time.perf_counter()
    problem = only(problems_in(text))
    assert time.perf_counter() - start < 2
    assert "10000" in problem.message and "别名" in problem.message


def test_recursive_alias_refused() -> None:
    problem = only(problems_in("region: &r\n  name: x\n  self: *r\n"))
    assert "循环" in problem.message
    problem = only(problems_in("a: &a [1, *a]\n"))
    assert "循环" in problem.message


# --- keys ------------------------------------------------------------------------------------

def test_duplicate_key_at_second_occurrence() -> None:
    text = mutate("  output: 7800万元\n", "  output: 7800万元\n  output: 8000万元\n")
    problem = only(problems_in(text))
    assert_problem(problem, text, "output: 8000万元", "clusters[1].output", "重复")
    assert f"第 {pos(text, 'output: 7800万元')[0]} 行" in problem.message


def test_duplicate_top_level_key() -> None:
    text = BASE + "region:\n  name: 别的县\n"
    assert_problem(only(problems_in(text)), text, "region:", "region", "重复", nth=2)


@pytest.mark.parametrize(("old", "new", "needle", "path", "guess"), [
    ("clusters:\n", "cluster:\n", "cluster:", "cluster", "clusters"),
    ("  name: 测试县", "  nmae: 测试县", "nmae", "region.nmae", "name"),
    ("  year: 2024", "  yaer: 2024", "yaer", "report.yaer", "year"),
    ("  profit: 10.4亿元", "  proft: 10.4亿元", "proft", "clusters[0].proft", "profit"),
    ("  enterprises: 1000", "  enterprise: 1000", "enterprise:", "totals.enterprise",
     "enterprises"),
    ("  measures:", "  measure:", "measure:", "suggestions[0].measure", "measures"),
])
def test_unknown_key_with_suggestion(old: str, new: str, needle: str, path: str,
                                     guess: str) -> None:
    text = mutate(old, new)
    problems = problems_in(text)
    unknown = [p for p in problems if "未知的键" in p.message]
    assert len(unknown) == 1, problems
    assert_problem(unknown[0], text, needle, path, f"是不是要写“{guess}”")


def test_unknown_key_without_close_match_lists_keys() -> None:
    text = mutate("  name: 测试县", "  name: 测试县\n  population: 100万")
    assert_problem(only(problems_in(text)), text, "population", "region.population",
                   "可用的键有：name、kind、parent")


def test_model_only_fields_are_not_keys() -> None:
    text = BASE + "source: /etc/passwd\n"
    assert_problem(only(problems_in(text)), text, "source", "source", "未知的键")


def test_missing_key_points_at_parent() -> None:
    text = mutate("  author: 测试县中小企业局\n", "")
    assert_problem(only(problems_in(text)), text, "report:", "report.author", "缺少必填项“author”")
    text = mutate("  output: 7800万元\n", "")
    problem = only(problems_in(text))
    assert_problem(problem, text, "name: 食品业", "clusters[1].output", "缺少必填项")


def test_missing_top_level_section() -> None:
    text = mutate("suggestions:\n- title: 加强规划\n  measures: [一是规划, 二是政策]\n", "")
    problem = only(problems_in(text))
    assert (problem.path, problem.label) == ("suggestions", "对策建议")
    assert (problem.line, problem.col) == (1, 1)


def test_empty_optional_value_means_not_given() -> None:
    assert problems_in(mutate("  above_scale: 20", "  above_scale:")) == []


def test_empty_required_value_is_a_problem() -> None:
    text = mutate("  author: 测试县中小企业局", "  author:")
    assert_problem(only(problems_in(text)), text, "author:", "report.author", "没有填写值")


@pytest.mark.parametrize(("old", "new", "needle", "path", "fragment"), [
    ("region:\n  name: 测试县\n", "region: 测试县\n", "测试县", "region", "应为映射"),
    ("  measures: [一是规划, 二是政策]", "  measures: 一是规划", "一是规划",
     "suggestions[0].measures", "应为列表"),
    ("- 企业布局分散", "- 12345", "12345", "problems[0]", "应为映射"),
    ("totals:\n", "totals: []\nx:\n", "[]", "totals", "应为映射"),
])
def test_wrong_shapes(old: str, new: str, needle: str, path: str, fragment: str) -> None:
    text = mutate(old, new)
    shaped = [p for p in problems_in(text) if p.path == path]
    assert len(shaped) == 1, problems_in(text)
    assert_problem(shaped[0], text, needle, path, fragment)


def test_clusters_must_be_a_list() -> None:
    text = "clusters: 纺织业\n" + BASE[:BASE.index("clusters:")] + BASE[BASE.index("problems:"):]
    assert_problem(only(problems_in(text)), text, "纺织业", "clusters", "应为列表")


def test_empty_optional_list_is_fine() -> None:
    assert problems_in(mutate("  clusters: [纺织业]", "  clusters: []")) == []


def test_empty_required_list() -> None:
    text = mutate("suggestions:\n- title: 加强规划\n  measures: [一是规划, 二是政策]\n",
                  "suggestions: []\n")
    assert_problem(only(problems_in(text)), text, "suggestions", "suggestions", "至少需要一项")


def test_plain_string_for_list_refused() -> None:
    text = mutate("  year: 2024", "  year: 2024\n  methods: 走访企业")
    assert_problem(only(problems_in(text)), text, "走访企业", "report.methods", "应为列表")


def test_location_text_or_list() -> None:
    text = mutate("  enterprises: 10\n", "  enterprises: 10\n  location: 昌城镇\n")
    assert parse_survey_text(text, FILE).clusters[1].location == ("昌城镇",)
    text = mutate("  enterprises: 10\n", "  enterprises: 10\n  location: [昌城镇, 龙都街道]\n")
    assert parse_survey_text(text, FILE).clusters[1].location == ("昌城镇", "龙都街道")


def test_bad_list_item_position() -> None:
    text = mutate("[一是规划, 二是政策]", "[一是规划, xx措施]")
    assert_problem(only(problems_in(text)), text, "xx措施", "suggestions[0].measures[1]", "占位符")


def test_bad_honor_key_and_value() -> None:
    text = mutate("    国家名牌产品: 5", "    XX名牌: 5\n    省著名商标: 很多")
    problems = problems_in(text)
    assert len(problems) == 2, problems
    assert_problem(problems[0], text, "XX名牌", "clusters[0].honors.XX名牌", "占位符")
    assert_problem(problems[1], text, "很多", "clusters[0].honors.省著名商标", "不是整数")
    assert problems[1].label == "名牌与商标"


def test_unknown_yaml_tag() -> None:
    text = mutate("output: 7800万元", "output: !money 7800万元")
    assert "不支持的 YAML 标签" in only(problems_in(text)).message


def test_many_problems_in_one_run() -> None:
    text = mutate("  output: 142亿元", "  output: 142")
    text = mutate("  year: 2024", "  year: 24", text)
    text = mutate("  name: 测试县", "  nmae: 测试县", text)
    text = mutate("  profit: 10.4亿元", "  profit: 20亿元", text)
    text = mutate("growth: 18.3%", "growth: 18.3", text)
    problems = problems_in(text)
    paths = [p.path for p in problems]
    assert paths == ["region.name", "region.nmae", "report.year", "clusters[0].output",
                     "clusters[0].growth", "clusters[0].profit"], problems
    # sorted in file order
    assert [(p.line, p.col) for p in problems] == sorted((p.line, p.col) for p in problems)


def test_many_nodes_refused_quickly() -> None:
    text = "".join(f"k{i}: [{'[' * 60}{']' * 60}]\n" for i in range(8000))
    start = time.perf_counter()
    problem = only(problems_in(text))
    assert time.perf_counter() - start < 5
    assert "20000" in problem.message

