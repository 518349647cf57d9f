"""Parsing of each survey value type (table-driven)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from reportgen.survey.values import (
    Money,
    Text,
    TextList,
    TextOrTextList,
    ValueFormatError,
    clean_text,
    parse_date,
    parse_int,
    parse_money,
    parse_non_neg_int,
    parse_percent,
    parse_year,
)


@pytest.mark.parametrize(("raw", "expected"), [
    ("142亿元", Decimal("14200000000")),
    ("14.7亿元", Decimal("1470000000")),
    ("7800万元", Decimal("78000000")),
    ("1497900万元", Decimal("14979000000")),
    ("362万元", Decimal("3620000")),
    ("5000元", Decimal("5000")),
    ("5000.5元", Decimal("5000.5")),
    ("142亿", Decimal("14200000000")),
    ("7800万", Decimal("78000000")),
    ("142 亿元", Decimal("14200000000")),
    (" 14.7  亿 元 ", Decimal("1470000000")),
    ("１４２亿元", Decimal("14200000000")),
    ("１４．７亿元", Decimal("1470000000")),
    ("0元", Decimal("0")),
    ("0亿元", Decimal("0")),
])
def test_money_accepted(raw: str, expected: Decimal) -> None:
    assert parse_money(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("142", "缺少单位"),
    ("１４２", "缺少单位"),
    (142, "缺少单位"),
    (14.7, "缺少单位"),
    ("-5亿元", "负数"),
    ("－5亿元", "负数"),
    ("142美元", "不是可识别的金额"),
    ("亿元", "不是可识别的金额"),
    ("", "不是可识别的金额"),
    (True, "应为带单位的金额"),
    (None, "应为带单位的金额"),
    ([1], "应为带单位的金额"),
])
def test_money_refused(raw: object, fragment: str) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_money(raw)
    assert fragment in info.value.message
    assert "142亿元" in info.value.hint or "负" in info.value.hint


def test_money_message_is_chinese_with_hint() -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_money("142")
    assert str(info.value).startswith("“142”缺少单位")
    assert str(info.value).endswith("请写成 142亿元 或 7800万元 这样的形式")


@pytest.mark.parametrize(("raw", "expected"), [
    ("33.6%", Decimal("33.6")),
    ("33.6％", Decimal("33.6")),
    ("-5.2%", Decimal("-5.2")),
    ("－5.2％", Decimal("-5.2")),
    ("+5%", Decimal("5")),
    ("0%", Decimal("0")),
    ("３３．６％", Decimal("33.6")),
    (" 50 % ", Decimal("50")),
])
def test_percent_accepted(raw: str, expected: Decimal) -> None:
    assert parse_percent(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("33.6", "缺少百分号"),
    (33.6, "缺少百分号"),
    (0, "缺少百分号"),
    ("百分之三十", "不是可识别的百分数"),
    ("33.6%%", "不是可识别的百分数"),
    (False, "应为百分数"),
])
def test_percent_refused(raw: object, fragment: str) -> None:
    with pytest.raises(ValueFormatError, match=fragment):
        parse_percent(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    (169, 169),
    ("169", 169),
    ("１６９", 169),
    (" 169 ", 169),
    (3.0, 3),
    (0, 0),
    ("0", 0),
    ("010", 10),
    (-5, -5),
    ("-5", -5),
])
def test_int_accepted(raw: object, expected: int) -> None:
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", [True, False, 3.5, "3.5", "十", "", None, "1e3", [1],
                                 float("nan"), float("inf")])
def test_int_refused(raw: object) -> None:
    with pytest.raises(ValueFormatError):
        parse_int(raw)


def test_non_negative_int() -> None:
    assert parse_non_neg_int(0) == 0
    with pytest.raises(ValueFormatError, match="负数"):
        parse_non_neg_int(-1)
    with pytest.raises(ValueFormatError, match="负数"):
        parse_non_neg_int("-1")


@pytest.mark.parametrize(("raw", "ok"), [
    (1949, True), (2100, True), ("２０２４", True), (1948, False), (2101, False), (24, False),
])
def test_year(raw: object, ok: bool) -> None:
    if ok:
        assert 1949 <= parse_year(raw) <= 2100
    else:
        with pytest.raises(ValueFormatError, match="不在 1949–2100 之间"):
            parse_year(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    (dt.date(2025, 3, 15), dt.date(2025, 3, 15)),
    (dt.datetime(2025, 3, 15, 10, 0), dt.date(2025, 3, 15)),
    ("2025-03-15", dt.date(2025, 3, 15)),
    ("2025-3-5", dt.date(2025, 3, 5)),
    ("2025年3月15日", dt.date(2025, 3, 15)),
    ("２０２５年３月１５日", dt.date(2025, 3, 15)),
    ("2024年2月29日", dt.date(2024, 2, 29)),
])
def test_date_accepted(raw: object, expected: dt.date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("2025-02-30", "不是真实存在的日期"),
    ("2025年2月29日", "不是真实存在的日期"),
    ("2025-13-01", "不是真实存在的日期"),
    ("2025/03/15", "不是可识别的日期"),
    ("三月", "不是可识别的日期"),
    (20250315, "应为日期"),
])
def test_date_refused(raw: object, fragment: str) -> None:
    with pytest.raises(ValueFormatError, match=fragment):
        parse_date(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("  纺织服装业 ", "纺织服装业"),
    ("ＡＢＣ１２３ａｂｃ", "ABC123abc"),
    ("乡镇（街道）：６：４；５０％", "乡镇（街道）：6：4；５０％".replace("５０", "50")),
    ("Xbox游戏机", "Xbox游戏机"),
    ("XXL号服装", "XXL号服装"),
    ("Exxon公司", "Exxon公司"),
    ("单个x号", "单个x号"),
    ("2×3米", "2×3米"),
    ("重点＊项目", "重点＊项目"),
    ("**加粗**不是占位符", "**加粗**不是占位符"),
    ("第一段。\r\n第二段。\t", "第一段。\n第二段。"),
])
def test_text_accepted(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_text_keeps_chinese_punctuation() -> None:
    # NFKC would turn these into ASCII; the format requires them kept as typed.
    assert clean_text("（一）：；，％") == "（一）：；，％"


@pytest.mark.parametrize(("raw", "fragment"), [
    ("", "内容为空"),
    ("   ", "内容为空"),
    ("\u3000", "内容为空"),
    (None, "内容为空"),
    (5, "应为文字"),
    (True, "应为文字"),
    ("a\x01b", "控制字符 U+0001"),
    ("a\x7fb", "控制字符 U+007F"),
    ("20xx年", "占位符“xx”"),
    ("xx万元", "占位符“xx”"),
    ("XX公司", "占位符“XX”"),
    ("共xxx家", "占位符“xxx”"),
    ("２０ｘｘ年", "占位符“xx”"),
    ("××公司", "占位符“××”"),
    ("＊＊万元", "占位符“＊＊”"),
])
def test_text_refused(raw: object, fragment: str) -> None:
    with pytest.raises(ValueFormatError, match=re.escape(fragment)):
        clean_text(raw)


def test_pydantic_types_keep_chinese_message() -> None:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Money).validate_python("142")
    error = info.value.errors()[0]
    assert error["type"] == "survey_value"
    assert "缺少单位" in error["msg"]
    assert TypeAdapter(Text).validate_python(" ａ ") == "a"


def test_text_list_types() -> None:
    assert TypeAdapter(TextList).validate_python(["a", " b "]) == ("a", "b")
    assert TypeAdapter(TextOrTextList).validate_python("a") == ("a",)
    assert TypeAdapter(TextOrTextList).validate_python(["a", "b"]) == ("a", "b")
    with pytest.raises(ValidationError, match="应为列表"):
        TypeAdapter(TextList).validate_python("走访企业")
    with pytest.raises(ValidationError, match="应为列表"):
        TypeAdapter(TextOrTextList).validate_python({"a": 1})
    with pytest.raises(ValidationError) as info:
        TypeAdapter(TextList).validate_python(["a", "xx"])
    assert info.value.errors()[0]["loc"] == (1,)
