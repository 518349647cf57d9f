"""Value types of survey format 2: quantities, approximate figures, ranks, paragraphs.

Format 2 is a superset of format 1, so the same model serves both; what a value may look like
depends on the file's `schema`. The loader sets it (and the units the file declares) in
context variables for the time of one validation, and the parse functions here read them:
in a format-1 file `3300多` is still refused as an integer, in a format-2 file it is a Count.

Grammar of a quantity (survey-format-2.md):

    [qualifier] number [多|余] [万|亿] [多|余] unit [以上|以下|左右]

with at most one qualifier. Full-width digits and the full-width point are folded; spaces
between the parts are allowed, as format 1 allows them in money.
"""

from __future__ import annotations

import contextvars
import difflib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

from reportgen.quantities import (
    COUNT_UNITS,
    KNOWN_UNITS,
    QUALIFIERS_AFTER,
    QUALIFIERS_BEFORE,
    QUALIFIERS_INSIDE,
    SCALES,
    Amount,
    Count,
    Quantity,
)
from reportgen.survey.values import (
    _NUMBER_FOLD,
    ValueFormatError,
    _as_list,
    _number_text,
    _pydantic,
    _refuse_placeholder,
    _text_or_list,
    _type_name,
    check_number_size,
    clean_text,
    parse_money,
    parse_non_neg_int,
    parse_percent,
    quote,
)

SCHEMA: contextvars.ContextVar[int] = contextvars.ContextVar("survey_schema", default=1)
DECLARED_UNITS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "survey_units", default=())



@contextmanager
def survey_context(schema: int, units: tuple[str, ...] = ()) -> Iterator[None]:
    """Parse values as format `schema` with the file's declared units, within the block."""
    schema_token = SCHEMA.set(schema)
    units_token = DECLARED_UNITS.set(units)
    try:
        yield
    finally:
        SCHEMA.reset(schema_token)
        DECLARED_UNITS.reset(units_token)


def is_v2() -> bool:
    return SCHEMA.get() >= 2


_BEFORE = "|".join(QUALIFIERS_BEFORE)
_INSIDE = "|".join(QUALIFIERS_INSIDE)
_AFTER = "|".join(QUALIFIERS_AFTER)
_QUANTITY = re.compile(
    rf"(?P<before>{_BEFORE})?\s*(?P<sign>[+-])?\s*(?P<number>[0-9]+(?:\.[0-9]+)?)\s*"
    rf"(?P<mid1>{_INSIDE})?\s*(?P<scale>[万亿])?\s*(?P<mid2>{_INSIDE})?\s*"
    rf"(?P<unit>[^\s0-9]*?)\s*(?P<after>{_AFTER})?")


class Parsed:
    """The parts of a written figure."""

    def __init__(self, match: re.Match[str]) -> None:
        self.before = match["before"] or ""
        self.sign = match["sign"] or ""
        self.number_text = match["number"]
        self.inside = match["mid1"] or match["mid2"] or ""
        self.inside_after_scale = bool(match["mid2"])
        self.scale = match["scale"] or ""
        self.unit = match["unit"] or ""
        self.after = match["after"] or ""
        qualifiers = [q for q in (self.before, match["mid1"], match["mid2"], self.after) if q]
        self.qualifier_count = len(qualifiers)
        self.qualifier = qualifiers[0] if qualifiers else ""

    @property
    def number(self) -> Decimal:
        return Decimal(self.number_text)

    @property
    def value(self) -> Decimal:
        return self.number * SCALES.get(self.scale, Decimal(1))

    def written(self, unit: str | None = None) -> str:
        """The figure as typed (spaces dropped, digits folded), with `unit` in place."""
        unit = self.unit if unit is None else unit
        mid1 = self.inside if self.inside and not self.inside_after_scale else ""
        mid2 = self.inside if self.inside_after_scale else ""
        return (f"{self.before}{self.sign}{self.number_text}{mid1}{self.scale}{mid2}{unit}"
                f"{self.after}")


def split_figure(value: Any, hint: str) -> Parsed:
    """Parse a written figure into its parts; refuse what is not one."""
    if isinstance(value, bool) or value is None:
        raise ValueFormatError(f"应为数字，实际是{_type_name(value)}", hint)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
        if "e" in text or "inf" in text or "nan" in text:
            raise ValueFormatError(f"{quote(value)}不是可识别的数字", hint)
    elif isinstance(value, str):
        text = _number_text(value)
    else:
        raise ValueFormatError(f"应为数字，实际是{_type_name(value)}", hint)
    match = _QUANTITY.fullmatch(text)
    if not match:
        _refuse_placeholder(value, text, "请填入实际的数字")
        raise ValueFormatError(f"{quote(value)}不是可识别的数字", hint)
    parsed = Parsed(match)
    if parsed.qualifier_count > 1:
        raise ValueFormatError(f"{quote(value)}用了不止一个表示约数的词",
                               "每个数只能用一个：约、近、超过、多、余、以上、左右 等")
    check_number_size(value, parsed.number_text)
    if parsed.sign == "-" and parsed.number != 0:
        raise ValueFormatError(f"{quote(value)}是负数", "这里不能写负数")
    parsed.sign = ""
    _refuse_placeholder(value, text, "请填入实际的数字")
    return parsed


def known_units() -> tuple[str, ...]:
    return KNOWN_UNITS + DECLARED_UNITS.get()


def _unknown_unit(unit: str, value: Any) -> ValueFormatError:
    close = difflib.get_close_matches(unit, known_units(), n=3, cutoff=0.3)
    # A one-character typo (顿 for 吨) shares no character with the unit meant: list the
    # units staff use most instead.
    near = (f"相近的单位有：{'、'.join(close)}；" if close
            else "常用单位有：吨、亩、台、件、家、人、万元、亿元；")
    return ValueFormatError(
        f"{quote(value)}中的“{unit}”是未知单位",
        f"{near}请改用已知单位，或在文件顶层声明 units: [{unit}]")


# --- money -------------------------------------------------------------------------------

_MONEY_HINT = "请写成 142亿元、7800万元 或 约1800亿元 这样的形式"


def parse_money2(value: Any) -> Decimal:
    """Money in 元 as format 2 writes it: exact (a Decimal) or approximate (an Amount)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueFormatError(f"{quote(value)}缺少单位（数字不能判断是亿元还是万元）",
                               _MONEY_HINT)
    parsed = split_figure(value, _MONEY_HINT)
    unit = parsed.unit
    if unit == "":
        if not parsed.scale:
            raise ValueFormatError(f"{quote(value)}缺少单位", _MONEY_HINT)
        unit = "元"  # 20多亿 is 20多亿元, as format 1 reads 14.7亿
    if unit in ("美元",):
        raise ValueFormatError(f"{quote(value)}是美元金额，这一项只能写人民币金额（元）",
                               "美元金额请写在 indicators 中，例如 出口创汇: 12亿美元")
    if unit != "元":
        raise ValueFormatError(f"{quote(value)}不是金额（单位应为元、万元或亿元）", _MONEY_HINT)
    amount = parsed.value
    amount = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount
    if parsed.qualifier:
        return Amount(amount, qualifier=parsed.qualifier, written=parsed.written("元"))
    return amount


# --- percent -----------------------------------------------------------------------------

_PERCENT = re.compile(rf"(?P<before>{_BEFORE})?\s*(?P<sign>[+-])?\s*"
                      rf"(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<mid>{_INSIDE})?\s*%\s*"
                      rf"(?P<after>{_AFTER})?")
_PERCENT_HINT = "请写成 33.6% 或 35%以上 这样的形式，下降写成 -5.2%"


def parse_percent2(value: Any) -> Decimal:
    """A percentage, exact or with a qualifier (约40%, 70%以上)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueFormatError(f"{quote(value)}缺少百分号", _PERCENT_HINT)
    if not isinstance(value, str):
        raise ValueFormatError(f"应为百分数，实际是{_type_name(value)}", _PERCENT_HINT)
    text = _number_text(value)
    match = _PERCENT.fullmatch(text)
    if not match:
        _refuse_placeholder(value, text, "请填入实际的百分数，例如 33.6%")
        raise ValueFormatError(f"{quote(value)}不是可识别的百分数", _PERCENT_HINT)
    qualifiers = [q for q in (match["before"], match["mid"], match["after"]) if q]
    if len(qualifiers) > 1:
        raise ValueFormatError(f"{quote(value)}用了不止一个表示约数的词",
                               "每个数只能用一个：约、近、超过、多、以上 等")
    check_number_size(value, match["number"])
    amount = Decimal(match["number"])
    if match["sign"] == "-":
        amount = -amount
    if qualifiers:
        written = (f"{match['before'] or ''}{match['number']}{match['mid'] or ''}%"
                   f"{match['after'] or ''}")
        return Amount(amount, qualifier=qualifiers[0], written=written)
    return amount


# --- counts ------------------------------------------------------------------------------

def parse_count2(value: Any, units: tuple[str, ...]) -> int:
    """A count ≥ 0, with an optional qualifier, 万, and one of `units` (家 户 个 …)."""
    shown_units = "、".join(units)
    example = f"169{units[0]}" if units else "169"
    hint = f"请写整数，例如 169、{example} 或 3300多"
    if isinstance(value, int) and not isinstance(value, bool):
        check_number_size(value, str(value))
        if value < 0:
            raise ValueFormatError(f"{quote(value)}是负数", "这里只能写 0 或正整数")
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    parsed = split_figure(value, hint)
    if parsed.unit and parsed.unit not in units:
        if parsed.unit in known_units():
            raise ValueFormatError(f"{quote(value)}的单位“{parsed.unit}”不适合这一项",
                                   f"这一项可用的单位：{shown_units}；也可以不写单位")
        raise _unknown_unit(parsed.unit, value)
    amount = parsed.value
    if amount != amount.to_integral_value():
        raise ValueFormatError(f"{quote(value)}不是整数", hint)
    plain = not parsed.qualifier and not parsed.unit and not parsed.scale
    if plain:
        return int(amount)
    return Count(int(amount), qualifier=parsed.qualifier, written=parsed.written(),
                 unit=parsed.unit, scaled=bool(parsed.scale), number=parsed.number)


# --- quantities (indicators, targets) ----------------------------------------------------

_QUANTITY_HINT = "请写成 23100吨、7.2万亩、近200家、约1800亿元 或 35% 这样的形式"


def parse_measure(value: Any, allow_int: bool = True) -> Any:
    """An indicator or target value: money (Decimal/Amount), percent, quantity or count."""
    if isinstance(value, str) and value.strip().translate(_NUMBER_FOLD).replace(" ", "") \
            .rstrip("以上下左右").endswith("%"):
        percent = parse_percent2(value)
        if isinstance(percent, Amount):
            return percent
        # Money and percent are both Decimals; in an indicator or target, where either may
        # stand, an exact percentage keeps its written form so it prints as a percentage.
        return Amount(percent, qualifier="", written=f"{format(percent, 'f')}%")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not allow_int:
            raise ValueFormatError(f"{quote(value)}缺少单位", _QUANTITY_HINT)
        return parse_count2(value, ())
    parsed = split_figure(value, _QUANTITY_HINT)
    unit = parsed.unit
    if unit == "" and parsed.scale and not allow_int:
        unit = "元"
    if unit in ("元",):
        return parse_money2(value if parsed.unit else f"{value}元")
    if unit == "":
        if not allow_int:
            raise ValueFormatError(f"{quote(value)}缺少单位", _QUANTITY_HINT)
        return parse_count2(value, ())
    if unit not in known_units():
        raise _unknown_unit(unit, value)
    return Quantity(written=parsed.written(), number=parsed.number, scale=parsed.scale,
                    unit=unit, qualifier=parsed.qualifier)


def parse_target_value(value: Any) -> Any:
    return parse_measure(value, allow_int=False)


# --- units declared by a file ------------------------------------------------------------

def parse_unit_name(value: Any) -> str:
    """An entry of `units:`: a bare unit, no digits, no 万/亿 in front, no qualifier."""
    text = clean_text(value)
    hint = "units 中每项只写单位本身，例如 units: [罗, 平米]"
    if re.search(r"[0-9]", text) or re.search(r"\s", text):
        raise ValueFormatError(f"{quote(text)}不是单位（不能含数字或空格）", hint)
    if text[0] in "万亿" and len(text) > 1:
        raise ValueFormatError(f"{quote(text)}前面带了“{text[0]}”", f"请只写“{text[1:]}”；"
                               "万、亿可以在数字后直接使用")
    for qualifier in (*QUALIFIERS_BEFORE, *QUALIFIERS_AFTER):
        if text.startswith(qualifier) or text.endswith(qualifier):
            raise ValueFormatError(f"{quote(text)}带有表示约数的词“{qualifier}”", hint)
    if text in "%‰":
        raise ValueFormatError(f"{quote(text)}不需要声明", "百分号可以直接使用")
    return text


# --- ranks -------------------------------------------------------------------------------

_CN_NUMERAL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_RANK = re.compile(r"(?P<scope>.+?)第(?P<place>[0-9]+|[零〇一二两三四五六七八九十百千]+)"
                   r"(?:位|名)?")
RANK_HINT = ("请写成 全省第5位 或 {scope: 全省, place: 5}；"
             "“前列”“之一”这类说法请写在 note 或 description 中")


def chinese_to_int(text: str) -> int | None:
    """一百零五 → 105, 十一 → 11; None if it is not a Chinese numeral."""
    total = 0
    digit = None
    for char in text:
        if char in _CN_NUMERAL:
            digit = _CN_NUMERAL[char]
        elif char in _CN_UNIT:
            total += (1 if digit is None else digit) * _CN_UNIT[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def parse_place(value: Any) -> int:
    hint = "名次请写正整数，例如 5"
    if isinstance(value, bool):
        raise ValueFormatError("应为名次（正整数），实际是true/false", hint)
    if isinstance(value, int):
        place = value
    elif isinstance(value, str):
        text = value.strip().translate(_NUMBER_FOLD)
        place_or_none = int(text) if text.isdigit() and len(text) < 7 else chinese_to_int(text)
        if place_or_none is None or not text:
            raise ValueFormatError(f"{quote(value)}不是名次", hint)
        place = place_or_none
    else:
        raise ValueFormatError(f"应为名次（正整数），实际是{_type_name(value)}", hint)
    if not 1 <= place <= 100_000:
        raise ValueFormatError(f"名次 {place} 不在 1–100000 之间", hint)
    return place


def parse_rank_text(value: Any) -> tuple[str, int]:
    """`全省第5位` / `全国第一` → (scope, place)."""
    if not isinstance(value, str):
        raise ValueFormatError(f"应为名次，实际是{_type_name(value)}", RANK_HINT)
    text = clean_text(value).translate(_NUMBER_FOLD)
    text = text.removeprefix("居")
    match = _RANK.fullmatch(text)
    if not match:
        raise ValueFormatError(f"{quote(value)}不是名次", RANK_HINT)
    return match["scope"], parse_place(match["place"])


# --- text --------------------------------------------------------------------------------

# The ideographic space U+3000 is white space here, not a character a break sits between.
_CJK = r"\u2e80-\u2fff\u3001-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026"
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def clean_line(value: Any) -> str:
    """Text of one line: in format 2 a name, title, caption, column or cell has no break."""
    text = clean_text(value)
    if is_v2() and "\n" in text:
        raise ValueFormatError("这里的文字不能换行", "请写在一行内（段落只能写在 intro、detail、"
                               "description 等说明文字中）")
    return text


def clean_paragraphs(value: Any) -> str:
    """Text that may hold paragraphs: in format 2 a blank line starts a new paragraph.

    The result has paragraphs separated by one blank line and no other line breaks: a single
    break is dropped between CJK characters and is a space otherwise.
    """
    text = clean_text(value)
    if not is_v2():
        return text
    paragraphs = []
    for part in _BLANK_LINE.split(text):
        joined = _BREAK_BETWEEN_CJK.sub("", part.strip())
        paragraphs.append(re.sub(r"[ \t]*\n[ \t]*", " ", joined))
    return "\n\n".join(p for p in paragraphs if p)


# --- pydantic types (the model's field types; they follow the file's schema) ----------

def _by_schema(v1: Any, v2: Any) -> Any:
    def parse(value: Any) -> Any:
        return v2(value) if is_v2() else v1(value)
    return parse


money_any = _by_schema(parse_money, parse_money2)
percent_any = _by_schema(parse_percent, parse_percent2)


def count_any(*units: str) -> Any:
    return _by_schema(parse_non_neg_int, lambda v: parse_count2(v, units))


def count_of(*units: str) -> Any:
    """The validator of a count field (≥ 0) whose value may carry one of `units` in format 2:
    `Annotated[int, count_of("家")]`."""
    return _pydantic(count_any(*units))


Line = Annotated[str, _pydantic(clean_line)]
Para = Annotated[str, _pydantic(clean_paragraphs)]
Money = Annotated[Decimal, _pydantic(money_any)]
Percent = Annotated[Decimal, _pydantic(percent_any)]
Measure = Annotated[Any, _pydantic(parse_measure)]
TargetValue = Annotated[Any, _pydantic(parse_target_value)]
UnitName = Annotated[str, _pydantic(parse_unit_name)]
Place = Annotated[int, _pydantic(parse_place)]
LineList = Annotated[tuple[Line, ...], BeforeValidator(_as_list)]
LineOrLineList = Annotated[tuple[Line, ...], BeforeValidator(_text_or_list)]


__all__ = [
    "COUNT_UNITS",
    "SCHEMA",
    "chinese_to_int",
    "clean_line",
    "clean_paragraphs",
    "is_v2",
    "parse_count2",
    "parse_measure",
    "parse_money2",
    "parse_percent2",
    "parse_place",
    "parse_rank_text",
    "parse_target_value",
    "parse_unit_name",
    "survey_context",
]
