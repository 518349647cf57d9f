"""Tests for reportgen.formatting: the wording and number rules of report-format.md."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.formatting import (
    FILTERS,
    chinese_number,
    date_cn,
    growth,
    growth_rate,
    heading_number,
    integer,
    join_cn,
    money,
    money_in,
    money_unit_for,
    number,
    percent,
    round_half_up,
    share,
    share_text,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("0.005"), 2, D("0.01")),
        (D("0.05"), 1, D("0.1")),
        (D("0.15"), 1, D("0.2")),
        (D("0.25"), 1, D("0.3")),  # banker's rounding would give 0.2
        (D("2.675"), 2, D("2.68")),  # round(2.675, 2) == 2.67 with floats
        (2.675, 2, D("2.68")),  # a float goes through its repr, not its binary value
        (0.15, 1, D("0.2")),
        (D("-0.15"), 1, D("-0.2")),  # halves go away from zero
        (D("2.5"), 0, D("3")),
        (D("0.04"), 1, D("0.0")),
        (7, 2, D("7.00")),
    ],
)
def test_round_half_up(value: object, places: int, expected: Decimal) -> None:
    result = round_half_up(value, places)  # type: ignore[arg-type]
    assert result == expected
    assert result.as_tuple().exponent == -places


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("14200000000"), "142亿元"),
        (D("14979000000"), "149.79亿元"),
        (D("1470000000"), "14.7亿元"),
        (D("78000000"), "7800万元"),
        (D("3620000"), "362万元"),
        (D("5000"), "5000元"),
        (D("0"), "0元"),
        (D("100000000"), "1亿元"),  # exactly 1亿元
        (D("99999999"), "1亿元"),  # 9999.9999万 rounds to 10000万, which reads as 1亿
        (D("99999950"), "1亿元"),  # 9999.995万: half-up reaches the next unit
        (D("99999949.99"), "9999.99万元"),
        (D("9999.995"), "1万元"),  # same at the 万/元 boundary
        (D("9999.99"), "9999.99元"),
        (D("10000"), "1万元"),
        (D("12345.678"), "1.23万元"),
        (D("100000000.5"), "1亿元"),
        (D("123456789012"), "1234.57亿元"),
        (D("0.004"), "0元"),
        (D("-350000000"), "-3.5亿元"),  # differences may be negative
        (D("-78000000"), "-7800万元"),
        (D("-0.001"), "0元"),  # no '-0'
        (142_0000_0000, "142亿元"),  # ints are accepted
        (1.5e8, "1.5亿元"),  # floats too
    ],
)
def test_money(amount: object, expected: str) -> None:
    assert money(amount) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([D("14979000000"), D("78000000")], "亿元"),
        ([D("100000000")], "亿元"),
        ([D("78000000"), D("3620000")], "万元"),
        ([D("99999999")], "亿元"),  # what money() shows it as
        ([D("10000"), D("5")], "万元"),
        ([D("5000"), D("0")], "元"),
        ([D("-200000000"), D("5")], "亿元"),  # by absolute value
        ([None, D("20000")], "万元"),
        ([], "元"),
    ],
)
def test_money_unit_for(values: list[Decimal | None], expected: str) -> None:
    assert money_unit_for(values) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (D("78000000"), "亿元", "0.78"),
        (D("14979000000"), "亿元", "149.79"),
        (D("14200000000"), "亿元", "142"),
        (D("3620000"), "万元", "362"),
        (D("3625000"), "亿元", "0.04"),  # 0.03625 half-up
        (D("5000"), "万元", "0.5"),
        (D("5000"), "元", "5000"),
        (D("0"), "亿元", "0"),
        (D("-78000000"), "亿元", "-0.78"),
        (D("-1"), "亿元", "0"),
    ],
)
def test_money_in(amount: Decimal, unit: str, expected: str) -> None:
    assert money_in(amount, unit) == expected


def test_money_in_rejects_unknown_unit() -> None:
    with pytest.raises(ValueError, match="未知的金额单位"):
        money_in(D("1"), "千元")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("33.6"), "33.6%"),
        (D("16"), "16%"),
        (D("16.0"), "16%"),
        (D("100"), "100%"),
        (D("0"), "0%"),
        (D("0.005"), "0%"),
        (D("0.04"), "0%"),
        (D("0.05"), "0.1%"),
        (D("0.15"), "0.2%"),
        (D("2.675"), "2.7%"),
        (D("66.25"), "66.3%"),
        (D("99.96"), "100%"),
        (D("-5.25"), "-5.3%"),
        (D("-0.04"), "0%"),
        (0.15, "0.2%"),
    ],
)
def test_percent(value: object, expected: str) -> None:
    assert percent(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (D("33.6"), "同比增长33.6%"),
        (D("16"), "同比增长16%"),
        (D("-5.2"), "同比下降5.2%"),
        (D("-0.05"), "同比下降0.1%"),
        (D("0.05"), "同比增长0.1%"),
        (D("0"), "与上年持平"),
        (D("0.04"), "与上年持平"),
        (D("-0.04"), "与上年持平"),
        (None, ""),
    ],
)
def test_growth(rate: Decimal | None, expected: str) -> None:
    assert growth(rate) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected", "text"),
    [
        (D("662"), D("1000"), D("66.2"), "66.2%"),
        (D("1"), D("3"), None, "33.3%"),
        (D("2"), D("3"), None, "66.7%"),
        (D("5"), D("5"), D("100"), "100%"),
        (D("0"), D("5"), D("0"), "0%"),
        (D("1"), D("0"), None, ""),
        (D("1"), None, None, ""),
        (None, D("5"), None, ""),
    ],
)
def test_share(
    part: Decimal | None, whole: Decimal | None, expected: Decimal | None, text: str
) -> None:
    result = share(part, whole)
    if expected is not None:
        assert result == expected
    if part is None or not whole:
        assert result is None
    assert share_text(part, whole) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 3, 15), "2025年3月15日"),
        (date(2025, 12, 1), "2025年12月1日"),
        (date(2024, 1, 9), "2024年1月9日"),
        (datetime(2025, 3, 5, 10, 30), "2025年3月5日"),
        ("2025-03-05", "2025年3月5日"),
    ],
)
def test_date_cn(value: date | str, expected: str) -> None:
    assert date_cn(value) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "零"),
        (1, "一"),
        (2, "二"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (10000, "一万"),
        (10001, "一万零一"),
        (100000, "十万"),
        (105000, "十万五千"),
        (110000, "十一万"),
        (100000000, "一亿"),
        (-3, "负三"),
    ],
)
def test_chinese_number(n: int, expected: str) -> None:
    assert chinese_number(n) == expected


def test_chinese_number_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        chinese_number(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("level", "n", "expected"),
    [
        (1, 1, "一、"),
        (1, 3, "三、"),
        (1, 11, "十一、"),
        (2, 1, "（一）"),
        (2, 10, "（十）"),
        (2, 12, "（十二）"),
        (3, 1, "1."),
        (3, 12, "12."),
        (4, 1, "（1）"),
        (4, 12, "（12）"),
    ],
)
def test_heading_number(level: int, n: int, expected: str) -> None:
    assert heading_number(level, n) == expected


@pytest.mark.parametrize("level", [0, 5])
def test_heading_number_rejects_bad_level(level: int) -> None:
    with pytest.raises(ValueError, match="标题层级"):
        heading_number(level, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(6767, "6767"), (D("6767"), "6767"), (D("1234567"), "1234567"), (0, "0"),
     (D("12.5"), "13"), (D("-3"), "-3"), (D("6767.00"), "6767")],
)
def test_integer(value: object, expected: str) -> None:
    assert integer(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(D("149.79"), 2, "149.79"), (D("142.00"), 2, "142"), (2.675, 2, "2.68"), (D("0.004"), 2, "0"),
     (D("-0.004"), 2, "0"), (D("-1.255"), 2, "-1.26"), (D("12.345"), 1, "12.3"), (D("7"), 0, "7")],
)
def test_number(value: object, places: int, expected: str) -> None:
    assert number(value, places) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["纺织", "机械", "食品"], "纺织、机械、食品"),
        (["纺织"], "纺织"),
        ([], ""),
        (["纺织", "", None, "食品"], "纺织、食品"),
    ],
)
def test_join_cn(items: list[str | None], expected: str) -> None:
    assert join_cn(items) == expected


def test_filters_table() -> None:
    assert set(FILTERS) == {
        "money", "percent", "growth", "date_cn", "cn_number", "join_cn", "share",
        "money_in", "integer", "number", "count",
    }
    assert FILTERS["share"](D("1"), D("4")) == "25%"
    assert FILTERS["cn_number"](3) == "三"
    assert FILTERS["money_in"](D("78000000"), "亿元") == "0.78"


# --- property: money() text reads back to the amount, within its rounding step -----------

_UNITS = {"亿元": D(100_000_000), "万元": D(10_000), "元": D(1)}
_MONEY_RE = re.compile(r"^(-?)(\d+(?:\.\d{1,2})?)(亿元|万元|元)$")


def _parse_money(text: str) -> tuple[Decimal, str, Decimal]:
    """(amount in 元, unit, the number as printed) from text such as 149.79亿元."""
    m = _MONEY_RE.match(text)
    assert m, f"unexpected money text: {text!r}"
    number = D(m.group(2))
    amount = number * _UNITS[m.group(3)]
    return (-amount if m.group(1) else amount), m.group(3), number


@given(
    st.decimals(min_value=0, max_value=D("1e14"), allow_nan=False, allow_infinity=False,
                places=4)
)
def test_money_parses_back(amount: Decimal) -> None:
    text = money(amount)
    parsed, unit, number = _parse_money(text)
    half_step = D("0.005") * _UNITS[unit]
    assert abs(parsed - amount) <= half_step
    # Never trailing zeros, and never 10000 of a unit when the next one up exists.
    assert not (("." in text) and re.search(r"0(亿元|万元|元)$", text))
    if unit != "亿元":
        assert number < 10000
    # The unit follows the magnitude: 亿 only from 1亿 (after rounding) on.
    if unit == "亿元":
        assert amount >= D("99999950")
    elif unit == "万元":
        assert amount >= D("9999.995")


@given(
    st.decimals(min_value=D("-1e12"), max_value=0, allow_nan=False, allow_infinity=False,
                places=2)
)
def test_money_negative_mirrors_positive(amount: Decimal) -> None:
    text = money(amount)
    positive = money(-amount)
    assert text == positive or text == "-" + positive


@pytest.mark.parametrize(("now", "prev", "expected"), [
    (Decimal(110), Decimal(100), Decimal(10)),
    (Decimal(95), Decimal(100), Decimal(-5)),
    (Decimal(100), Decimal(100), Decimal(0)),
    (Decimal(5), Decimal(0), None),
    (Decimal(5), None, None),
    (None, Decimal(5), None),
])
def test_growth_rate(now: Decimal | None, prev: Decimal | None, expected: Decimal | None) -> None:
    assert growth_rate(now, prev) == expected
