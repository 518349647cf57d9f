"""Shared helpers of the survey tests: a small valid survey and ways to break it."""

from __future__ import annotations

from reportgen.errors import Problem, SurveyError
from reportgen.survey import parse_survey_text

FILE = "inputs/test.yaml"

BASE = """\
schema: 1
region:
  name: 测试县
report:
  author: 测试县中小企业局
  date: 2025-03-15
  year: 2024
totals:
  industrial_output: 500亿元
  enterprises: 1000
  above_scale_enterprises: 100
clusters:
- name: 纺织业
  output: 142亿元
  output_prev: 120亿元
  growth: 18.3%
  enterprises: 169
  above_scale: 20
  profit_tax: 14.7亿元
  profit: 10.4亿元
  market_share: 50%
  history:
    2022: 100亿元
    2023: 120亿元
  honors:
    国家名牌产品: 5
- name: 食品业
  output: 7800万元
  enterprises: 10
problems:
- 企业布局分散
- title: 融资难
  clusters: [纺织业]
suggestions:
- title: 加强规划
  measures: [一是规划, 二是政策]
"""


def mutate(old: str, new: str, text: str = BASE) -> str:
    """BASE with `old` (which must occur exactly once) replaced by `new`."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def problems_in(text: str, file: str = FILE) -> list[Problem]:
    try:
        parse_survey_text(text, file)
    except SurveyError as error:
        assert error.problems, "SurveyError without problems"
        return error.problems
    return []


def pos(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column of the `nth` occurrence of `needle` in `text`."""
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_problem(problem: Problem, text: str, needle: str, path: str, fragment: str,
                   nth: int = 1) -> None:
    assert problem.file == FILE
    assert (problem.line, problem.col) == pos(text, needle, nth), str(problem)
    assert problem.path == path, str(problem)
    assert fragment in problem.message, str(problem)
