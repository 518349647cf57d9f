"""Property tests: number rules that must hold for every value, and a loader that never breaks.

Values: what the report prints (formatting.money / percent / growth / date_cn) reads back
through the survey parser (survey.values) to the same figure, rounding is half-up exactly as
integer arithmetic says, and every written form the format allows parses alike.

Loader: documents built from random nested mappings, lists and scalars (keys drawn mostly
from the real format, scalars from YAML's traps) and valid surveys with random edits and
random bytes spliced in always give a Survey or a SurveyError with located problems, never
another exception; a survey that is accepted also renders to a document.

Example counts are kept small (about 200 loader examples in all) so the suite stays fast;
tests/fuzz/fuzz_loader.py is the long campaign (see docs/承诺.md for its size and result).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reportgen.errors import SurveyError
from reportgen.formatting import date_cn, growth, growth_rate, money, percent, round_half_up
from reportgen.survey import loader, parse_survey_text
from reportgen.survey.labels import known_keys
from reportgen.survey.model import Survey
from reportgen.survey.values import (
    ValueFormatError,
    parse_date,
    parse_int,
    parse_money,
    parse_percent,
)

D = Decimal
_SCALE = {"亿元": D(100_000_000), "亿": D(100_000_000), "万元": D(10_000), "万": D(10_000),
          "元": D(1)}
_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
FILE = "inputs/prop.yaml"

amounts = st.decimals(min_value=0, max_value=D("1e14"), places=4, allow_nan=False,
                      allow_infinity=False)
written = st.decimals(min_value=0, max_value=D("99999.99"), places=2, allow_nan=False,
                      allow_infinity=False)
rates = st.decimals(min_value=D(-1000), max_value=D(1000), places=3, allow_nan=False,
                    allow_infinity=False)


# --- money ----------------------------------------------------------------------------------

@given(amounts)
def test_printed_money_reads_back_through_the_survey_parser(amount: Decimal) -> None:
    text = money(amount)
    parsed = parse_money(text)
    unit = re.search(r"(亿元|万元|元)$", text).group(1)  # type: ignore[union-attr]
    # At most two decimals of the printed unit are lost, and no more than half of one.
    assert abs(parsed - amount) <= D("0.005") * _SCALE[unit]
    assert money(parsed) == text  # printing what was read gives the same text


@given(written, st.sampled_from(sorted(_SCALE)), st.booleans(), st.booleans())
def test_every_written_money_form_parses_alike(number: Decimal, unit: str, spaced: bool,
                                               full_width: bool) -> None:
    digits = format(number, "f")
    if full_width:
        digits = digits.translate(_FULL_WIDTH)
    text = f"{digits} {unit}" if spaced else f"{digits}{unit}"
    assert parse_money(text) == number * _SCALE[unit]
    assert parse_money(f"  {text}  ") == number * _SCALE[unit]


@given(written.filter(lambda n: n > 0), st.sampled_from(sorted(_SCALE)))
def test_negative_money_and_bare_numbers_are_refused(number: Decimal, unit: str) -> None:
    with pytest.raises(ValueFormatError, match="负数"):
        parse_money(f"-{number}{unit}")
    with pytest.raises(ValueFormatError, match="缺少单位"):
        parse_money(format(number, "f"))
    with pytest.raises(ValueFormatError, match="缺少单位"):
        parse_money(float(number))


# --- percent and rounding -------------------------------------------------------------------

@given(rates, st.booleans())
def test_printed_percent_reads_back(rate: Decimal, full_width_sign: bool) -> None:
    text = percent(rate)
    if full_width_sign:
        text = text.replace("%", "％")
    parsed = parse_percent(text)
    assert parsed == round_half_up(rate, 1)
    assert percent(parsed) == percent(rate)


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=0, max_value=4))
def test_rounding_is_half_up_like_integer_arithmetic(k: int, places: int) -> None:
    # k has one digit more than is kept; the reference rounds the magnitude by hand.
    value = D(k).scaleb(-(places + 1))
    kept, dropped = divmod(abs(k), 10)
    if dropped >= 5:
        kept += 1
    expected = D(kept if k >= 0 else -kept).scaleb(-places)
    assert round_half_up(value, places) == expected
    # A float carrying the same digits rounds the same (its repr, not its binary value).
    if places <= 2 and abs(k) < 10**9:
        assert round_half_up(float(value), places) == expected


@given(rates)
def test_growth_wording_follows_the_rounded_rate(rate: Decimal) -> None:
    text = growth(rate)
    shown = round_half_up(rate, 1)
    if shown > 0:
        assert text == f"同比增长{percent(shown)}"
    elif shown < 0:
        assert text == f"同比下降{percent(-shown)}"
    else:
        assert text == "与上年持平"


# --- ints and dates -------------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=10**17), st.booleans())
def test_int_forms_read_back(n: int, full_width: bool) -> None:
    text = str(n).translate(_FULL_WIDTH) if full_width else str(n)
    assert parse_int(text) == n
    assert parse_int(n) == n
    with pytest.raises(ValueFormatError):
        parse_int(f"{n}.5")


@given(st.dates(min_value=dt.date(1949, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_read_back_in_every_form(day: dt.date) -> None:
    assert parse_date(date_cn(day)) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(date_cn(day).translate(_FULL_WIDTH)) == day
    assert parse_date(day) == day


# --- a growth printed from output/output_prev is accepted when written back ------------------

SMALL = """\
region: {{name: 甲县}}
report: {{author: 甲县工信局, date: 2025-03-15, year: 2024}}
clusters:
- {{name: 甲业, output: {now}, output_prev: {prev}, growth: '{rate}'}}
problems: [问题]
suggestions: [建议]
"""


@settings(max_examples=40, deadline=None)
@given(written.filter(lambda n: n > 0), written.filter(lambda n: n > 0),
       st.sampled_from(["亿元", "万元"]))
def test_growth_the_report_prints_passes_the_growth_rule(now: Decimal, prev: Decimal,
                                                         unit: str) -> None:
    rate = growth_rate(now, prev)
    assert rate is not None
    text = SMALL.format(now=f"{now}{unit}", prev=f"{prev}{unit}", rate=percent(rate))
    survey = parse_survey_text(text, FILE)
    assert survey.clusters[0].growth == round_half_up(rate, 1)


# --- the loader on arbitrary YAML -----------------------------------------------------------

_KEYS = sorted({key for path in [(), ("region",), ("report",), ("totals",), ("clusters", 0),
                                 ("problems", 0)] for key in known_keys(path) or []})
_TRAPS = ["no", "on", "yes", "off", "010", "0x1F", "0o17", "1_000", "0b101", "2024-13-01",
          "2025-02-30", "2025年2月29日", "2025-03-15", "xx", "XX公司", "＊＊", "××", "……", "~",
          "null", "", " ", "\x07", "\u200b", "142", "142亿元", "７８００万元", "-5亿元", "33.6%",
          "33.6％", "-5.2%", "１６９", ".inf", ".nan", "1e3", "190:20:30", "<b>加粗</b>",
          "{{ 7*7 }}", "file:///etc/passwd", "纺织服装业", "a" * 300]
scalars = st.one_of(
    st.sampled_from(_TRAPS),
    st.text(max_size=12),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
)
keys = st.one_of(st.sampled_from(_KEYS), st.text(max_size=8), st.integers(0, 3000),
                 st.booleans())
trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(keys, children, max_size=5)),
    max_leaves=30,
)
documents = st.one_of(
    st.dictionaries(st.sampled_from(_KEYS), trees, max_size=8),
    trees,
)


def _dump(data: Any, flow: bool) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _outcome(text: str) -> Survey | None:
    """The survey, or None after checking that every problem is located and explained."""
    lines = text.count("\n") + 1
    try:
        return parse_survey_text(text, FILE)
    except SurveyError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == FILE
            assert 1 <= problem.line <= lines and problem.col >= 1, problem
            assert problem.message.strip(), problem
        return None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.booleans())
def test_arbitrary_yaml_gives_a_survey_or_located_problems(data: Any, flow: bool) -> None:
    try:
        text = _dump(data, flow)
    except Exception:  # a tree ruamel itself cannot write is not an input to test
        assume(False)
    _outcome(text)


VALID: dict[str, Any] = {
    "schema": 1,
    "region": {"name": "测试县", "kind": "县"},
    "report": {"author": "测试县工信局", "date": "2025-03-15", "year": 2024,
               "methods": ["走访企业"]},
    "totals": {"industrial_output": "500亿元", "enterprises": 1000},
    "clusters": [
        {"name": "纺织业", "output": "142亿元", "output_prev": "120亿元", "enterprises": 169,
         "above_scale": 20, "history": {2022: "100亿元", 2023: "120亿元"},
         "honors": {"国家名牌产品": 5}, "products": ["西装"]},
        {"name": "食品业", "output": "7800万元", "growth": "-3.2%", "group": "乙组"},
    ],
    "problems": ["企业布局分散", {"title": "融资难", "clusters": ["纺织业"]}],
    "causes": [{"title": "规划滞后", "detail": "缺少统筹。"}],
    "suggestions": [{"title": "加强规划", "measures": ["一是规划", "二是政策"]}],
}


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _edit(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    if not path:
        return value if how == "replace" else data
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy = dict(data)
        if not rest and how == "delete":
            del copy[head]
        elif not rest and how == "add":
            copy[str(value)[:10] or "x"] = value
        else:
            copy[head] = _edit(data[head], rest, how, value)
        return copy
    copy = list(data)
    if not rest and how == "delete":
        del copy[head]
    elif not rest and how == "add":
        copy.insert(head, value)
    else:
        copy[head] = _edit(data[head], rest, how, value)
    return copy


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["replace", "delete", "add"]),
                          trees), min_size=1, max_size=3), st.booleans())
def test_edited_valid_survey_gives_a_survey_or_located_problems(
        edits: list[tuple[int, str, Any]], flow: bool) -> None:
    from reportgen.build import render_document

    data: Any = VALID
    for index, how, value in edits:
        paths = _paths(data)
        data = _edit(data, paths[index % len(paths)], how, value)
    try:
        text = _dump(data, flow)
    except Exception:  # see above
        assume(False)
    survey = _outcome(text)
    event("accepted" if survey is not None else "refused")
    if survey is not None:
        # Whatever the validator accepts, the templates can render.
        assert render_document(survey).blocks


_SAMPLE = _dump(VALID, False).encode("utf-8")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, len(_SAMPLE)), st.integers(0, 16), st.binary(max_size=24))
def test_bytes_spliced_into_a_survey_never_break_the_loader(at: int, cut: int,
                                                            junk: bytes) -> None:
    raw = _SAMPLE[:at] + junk + _SAMPLE[at + cut:]
    survey, problems = loader._check(raw, FILE)
    assert (survey is None) == bool(problems)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.message
