"""Value types of survey format 1: the forms staff write, parsed into plain Python values.

Each type exists twice: as a plain function (`parse_money`, `parse_percent`, `parse_int`,
`parse_date`, `clean_text`) raising `ValueFormatError` with a Chinese message and hint, and
as a pydantic `Annotated` type used by `survey.model`. The functions are shared with
`survey.rules`, which re-parses raw values to check cross-field rules even when other
fields failed.

Placeholder rule (a report must never go out with a placeholder standing for a missing
figure). After full-width letters are folded to half-width, a text is refused when it holds
- a run of two or more `x`/`X` that is not part of a longer ASCII word: no ASCII letter
  directly before or after the run. Digits and Chinese characters do not protect it, so
  `20xx年`, `xx万元`, `XX公司`, `ｘｘ` are refused, while `Xbox`, `XXL`, `Exxon` pass;
- a run of two or more `×` (U+00D7), or of two or more `＊`/`*`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainValidator
from pydantic_core import PydanticCustomError

from reportgen.errors import printable

__all__ = [
    "Date",
    "Int",
    "Money",
    "NonNegInt",
    "Percent",
    "Text",
    "TextList",
    "TextOrTextList",
    "ValueFormatError",
    "Year",
    "clean_text",
    "parse_date",
    "parse_int",
    "parse_money",
    "parse_non_neg_int",
    "parse_percent",
    "parse_year",
    "quote",
]

YEAR_MIN = 1949
YEAR_MAX = 2100
PYDANTIC_ERROR_TYPE = "survey_value"


class ValueFormatError(ValueError):
    """A value written in a form the survey format does not accept."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The message as shown to staff: what is wrong；how to write it."""
        return f"{self.message}；{self.hint}" if self.hint else self.message


def quote(value: Any, limit: int = 30) -> str:
    """A value as shown inside a message, in Chinese quotes, shortened when long."""
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        shown = repr(value)
    else:
        shown = str(value)
    if len(shown) > limit:
        shown = shown[:limit] + "…"
    return f"“{printable(shown)}”"


# Only full-width ASCII digits and letters are folded; NFKC would also rewrite Chinese
# punctuation such as （），：；％ which must stay as typed.
_FOLD = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                     *range(0xFF41, 0xFF5B))}
# Numbers additionally accept the full-width point, full-width minus/plus and the math minus.
_NUMBER_FOLD = {**_FOLD, 0xFF0E: ord("."), 0xFF0D: ord("-"), 0x2212: ord("-"),
                0xFF0B: ord("+"), 0xFF05: ord("%")}

# Control characters make the DOCX writer fail; U+FFFE/U+FFFF and lone surrogates (which a
# double-quoted "\ud800" escape can produce) are not allowed in XML either.
# Line breaks and tabs are white space, not control characters: a `detail: |` block is fine.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# Characters that print as nothing, or reorder what follows them: two names that differ only
# by a zero-width space look the same in the report (纺织业 five times), and U+202E shows
# 100亿元 for 元亿001. Private-use characters have no agreed glyph at all. All are refused.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                        "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
                        "\ufeff\uffa0\ufff9-\ufffb\ue000-\uf8ff\U000f0000-\U0010ffff]")
_INVISIBLE_NAMES = {"\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符",
                    "\u2060": "零宽不换行符", "\ufeff": "零宽不换行空格（BOM）",
                    "\u00ad": "软连字符", "\u202e": "从右向左覆盖符",
                    "\u202d": "从左向右覆盖符"}


def check_characters(text: str) -> None:
    """Refuse control, surrogate, invisible and private-use characters in anything typed."""
    bad = _BAD_CHARS.search(text)
    if bad:
        char = bad.group()
        what = "无效的字符（不成对的代理项）" if 0xD800 <= ord(char) <= 0xDFFF else "控制字符"
        raise ValueFormatError(f"文字中含有{what} U+{ord(char):04X}", "请删除这个字符")
    hidden = _INVISIBLE.search(text)
    if hidden:
        char = hidden.group()
        if 0xE000 <= ord(char) <= 0xF8FF or ord(char) >= 0xF0000:
            what = "私用区字符（没有统一的字形，打印出来是乱码或方框）"
        else:
            what = f"看不见的字符（{_INVISIBLE_NAMES.get(char, '格式控制符')}）"
        raise ValueFormatError(f"文字中含有{what} U+{ord(char):04X}",
                               "请删除这个字符（常见于从网页或其他文档复制的文字）")


# Only the full-width ＊＊ is a placeholder: ASCII **x** is ordinary text staff may type.
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])[xX]{2,}(?![A-Za-z])|×{2,}|＊{2,}")


def _type_name(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, dict):
        return "映射（键: 值）"
    if isinstance(value, list | tuple):
        return "列表"
    if isinstance(value, dt.date):
        return "日期"
    return "其他类型"


def clean_text(value: Any) -> str:
    """Trim, fold full-width ASCII letters/digits, refuse blanks, controls and placeholders."""
    if not isinstance(value, str):
        if value is None:
            raise ValueFormatError("内容为空", "请填写文字，或删除这一项")
        raise ValueFormatError(f"应为文字，实际是{_type_name(value)}",
                               "请直接写文字，例如 纺织服装业")
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip().translate(_FOLD)
    if not text:
        raise ValueFormatError("内容为空", "请填写文字，或删除这一项")
    check_characters(text)
    if not any(ch.isalnum() for ch in text):
        raise ValueFormatError(f"{quote(text)}只有标点或符号", "请填写实际的文字")
    placeholder = _PLACEHOLDER.search(text)
    if placeholder:
        raise ValueFormatError(f"{quote(text)}含有占位符“{placeholder.group()}”",
                               "请填入实际的数字或文字")
    return text


def _refuse_placeholder(value: Any, text: str, hint: str) -> None:
    """A figure such as `xx亿元` or `20xx年` is a placeholder, not a badly written number."""
    placeholder = _PLACEHOLDER.search(text)
    if placeholder:
        raise ValueFormatError(f"{quote(value)}含有占位符“{placeholder.group()}”", hint)


# No figure of a county report comes near 18 digits; a longer one is a typo or an attack, and
# Decimal arithmetic past 28 digits fails.
MAX_INT_DIGITS = 18
MAX_DECIMALS = 8


def check_number_size(value: Any, number: str) -> None:
    """Refuse a number too long to be a figure (a located refusal, never an overflow)."""
    integer_part, _, decimals = number.partition(".")
    if len(integer_part.lstrip("+-").lstrip("0")) > MAX_INT_DIGITS:
        raise ValueFormatError(f"{quote(value)}的数字过大（整数部分超过 {MAX_INT_DIGITS} 位）",
                               "请检查这个数")
    if len(decimals) > MAX_DECIMALS:
        raise ValueFormatError(f"{quote(value)}的小数位数过多（超过 {MAX_DECIMALS} 位）",
                               "请保留合理的小数位数")


def _number_text(value: str) -> str:
    """A typed number folded to ASCII, after refusing characters no number may hold."""
    check_characters(value)
    return value.strip().translate(_NUMBER_FOLD)


def parse_int(value: Any) -> int:
    """A YAML integer or a string of (possibly full-width) digits; never a bool."""
    hint = "请写整数，例如 169"
    if isinstance(value, bool) or value is None:
        raise ValueFormatError(f"应为整数，实际是{_type_name(value)}", hint)
    if isinstance(value, int):
        check_number_size(value, str(value))
        return value
    if isinstance(value, float):
        # 3.0 is accepted as 3: YAML writes it as a float but nothing is lost.
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ValueFormatError(f"{quote(value)}不是整数", hint)
    if isinstance(value, str):
        text = _number_text(value)
        if re.fullmatch(r"[+-]?[0-9]{1,18}", text):
            return int(text)
        _refuse_placeholder(value, text, "请填入实际的整数")
        raise ValueFormatError(f"{quote(value)}不是整数", hint)
    raise ValueFormatError(f"应为整数，实际是{_type_name(value)}", hint)


def parse_non_neg_int(value: Any) -> int:
    number = parse_int(value)
    if number < 0:
        raise ValueFormatError(f"{quote(value)}是负数", "这里只能写 0 或正整数")
    return number


def parse_year(value: Any) -> int:
    year = parse_int(value)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueFormatError(f"年份 {year} 不在 {YEAR_MIN}–{YEAR_MAX} 之间",
                               "请写四位数的公历年份，例如 2024")
    return year


_UNITS = {"亿元": Decimal(100_000_000), "亿": Decimal(100_000_000),
          "万元": Decimal(10_000), "万": Decimal(10_000), "元": Decimal(1)}
_MONEY = re.compile(r"([+-]?)\s*([0-9]+(?:\.[0-9]+)?)\s*(亿\s*元|万\s*元|元|亿|万)")
_NUMBER_ONLY = re.compile(r"[+-]?\s*[0-9]+(?:\.[0-9]+)?")
_MONEY_HINT = "请写成 142亿元 或 7800万元 这样的形式"


def _whole(amount: Decimal) -> Decimal:
    # 14.7亿 is 1470000000.0 after multiplying; drop the useless fraction digits.
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


def parse_money(value: Any) -> Decimal:
    """An amount in 元 from `142亿元`, `7800万元`, `5000元`, `14.7 亿`, `１４２亿元`…"""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueFormatError(f"{quote(value)}缺少单位（数字不能判断是亿元还是万元）",
                               _MONEY_HINT)
    if not isinstance(value, str):
        raise ValueFormatError(f"应为带单位的金额，实际是{_type_name(value)}", _MONEY_HINT)
    text = _number_text(value)
    match = _MONEY.fullmatch(text)
    if not match:
        if _NUMBER_ONLY.fullmatch(text):
            raise ValueFormatError(f"{quote(value)}缺少单位", _MONEY_HINT)
        _refuse_placeholder(value, text, "请填入实际的金额，例如 142亿元")
        raise ValueFormatError(f"{quote(value)}不是可识别的金额", _MONEY_HINT)
    sign, number, unit = match.groups()
    check_number_size(value, number)
    if sign == "-" and Decimal(number) != 0:
        raise ValueFormatError(f"{quote(value)}是负数", "金额不能为负")
    return _whole(Decimal(number) * _UNITS[re.sub(r"\s", "", unit)])


_PERCENT = re.compile(r"([+-]?)\s*([0-9]+(?:\.[0-9]+)?)\s*%")


def parse_percent(value: Any) -> Decimal:
    """A percentage from `33.6%`, `33.6％`, `-5.2%`; 33.6 means 33.6%."""
    hint = "请写成 33.6% 这样的形式，下降写成 -5.2%"
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueFormatError(f"{quote(value)}缺少百分号", hint)
    if not isinstance(value, str):
        raise ValueFormatError(f"应为百分数，实际是{_type_name(value)}", hint)
    text = _number_text(value)
    match = _PERCENT.fullmatch(text)
    if not match:
        if _NUMBER_ONLY.fullmatch(text):
            raise ValueFormatError(f"{quote(value)}缺少百分号", hint)
        _refuse_placeholder(value, text, "请填入实际的百分数，例如 33.6%")
        raise ValueFormatError(f"{quote(value)}不是可识别的百分数", hint)
    sign, number = match.groups()
    check_number_size(value, number)
    try:
        amount = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex only lets digits through
        raise ValueFormatError(f"{quote(value)}不是可识别的百分数", hint) from exc
    return -amount if sign == "-" else amount


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_CN_DATE = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")


def parse_date(value: Any) -> dt.date:
    """A YAML date, `2025-03-15` or `2025年3月15日` (full-width digits too); a real date."""
    hint = "请写成 2025-03-15 或 2025年3月15日"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueFormatError(f"应为日期，实际是{_type_name(value)}", hint)
    text = _number_text(value)
    match = _ISO_DATE.fullmatch(text) or _CN_DATE.fullmatch(text)
    if not match:
        _refuse_placeholder(value, text, "请填入实际的日期，例如 2025年3月15日")
        raise ValueFormatError(f"{quote(value)}不是可识别的日期", hint)
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueFormatError(f"{quote(value)}不是真实存在的日期",
                               "请检查月份和日期（例如 2 月没有 30 日）") from exc


# --- pydantic types ----------------------------------------------------------------------

def _pydantic(parse: Any) -> Any:
    """Wrap a parse function so its Chinese message survives pydantic's error handling."""

    def validate(value: Any) -> Any:
        try:
            return parse(value)
        except ValueFormatError as exc:
            raise PydanticCustomError(PYDANTIC_ERROR_TYPE, "{text}", {"text": exc.text}) from exc

    return PlainValidator(validate)


def _as_list(value: Any) -> Any:
    # A plain string must not be taken as a list of its characters (pydantic would not,
    # but the message would be English); YAML only gives lists, so anything else is wrong.
    if isinstance(value, list | tuple):
        return value
    raise PydanticCustomError(
        PYDANTIC_ERROR_TYPE, "{text}",
        {"text": f"应为列表，实际是{_type_name(value) if not isinstance(value, str) else '文字'}"
                 "；请每项单独写一行，以“- ”开头"})


def _text_or_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else _as_list(value)


Text = Annotated[str, _pydantic(clean_text)]
Int = Annotated[int, _pydantic(parse_int)]
NonNegInt = Annotated[int, _pydantic(parse_non_neg_int)]
Year = Annotated[int, _pydantic(parse_year)]
Money = Annotated[Decimal, _pydantic(parse_money)]
Percent = Annotated[Decimal, _pydantic(parse_percent)]
Date = Annotated[dt.date, _pydantic(parse_date)]
TextList = Annotated[tuple[Text, ...], BeforeValidator(_as_list)]
TextOrTextList = Annotated[tuple[Text, ...], BeforeValidator(_text_or_list)]
