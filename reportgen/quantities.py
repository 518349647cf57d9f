"""Figures as staff write them: exact or approximate, with a unit, and their sums.

Survey format 2 lets staff write `3300多家`, `近23万人`, `约1800亿元`, `23100吨`. Such a value
must print as written, must never be checked where an exact figure is needed, and makes every
sum it is part of approximate (printed with 约). This module is a leaf: the survey loader
builds these values, formatting and templates print and add them.

The value classes subclass int and Decimal so that every format-1 template expression
(`c.enterprises`, `summary.output|money`, comparisons) keeps working; the extra attributes say
how the value was written. Exact values written without a unit stay plain int / Decimal.

    Count(int)        a count: 3300多 → Count(3300, qualifier="多", written="3300多")
    Amount(Decimal)   money in 元 or a percent, approximate: 约1800亿元
    Quantity          any other measured value, printed exactly as written: 23100吨, 20万锭
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Qualifiers, by where they stand (spec: [qualifier] number [多|余] [万|亿] [多|余] unit
# [以上|以下|左右]); longer ones first so 超过 is not read as 超.
QUALIFIERS_BEFORE: tuple[str, ...] = ("超过", "不到", "不足", "约", "近", "超", "逾")
QUALIFIERS_INSIDE: tuple[str, ...] = ("多", "余")
QUALIFIERS_AFTER: tuple[str, ...] = ("以上", "以下", "左右")
SCALES: dict[str, Decimal] = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}

# The closed unit list of survey format 2 (files may declare more with `units:`).
MONEY_UNITS: tuple[str, ...] = ("元", "美元")
COUNT_UNITS: tuple[str, ...] = (
    "家", "个", "户", "人", "名", "项", "件", "枚", "台", "套", "株", "双", "头", "只", "辆", "艘",
    "座", "条", "所", "处", "批", "次", "人次", "粒", "副", "张", "部")
MEASURE_UNITS: tuple[str, ...] = (
    "吨", "千克", "公斤", "克", "亩", "公顷", "平方米", "平方公里", "立方米", "方", "米", "千米",
    "公里", "千瓦", "千瓦时", "度", "千伏", "千伏安", "锭", "标箱")
KNOWN_UNITS: tuple[str, ...] = MONEY_UNITS + COUNT_UNITS + MEASURE_UNITS


class Count(int):
    """A count written with a qualifier or a unit (3300多, 近23万人, 169家)."""

    qualifier: str
    written: str  # as typed, folded: "3300多", "近23万人"
    unit: str  # the unit it was written with ("" when none: the field's unit is used)
    scaled: bool  # written with 万/亿
    number: Decimal  # the written number before scaling (23 for 近23万人)

    def __new__(cls, value: int, *, qualifier: str = "", written: str = "", unit: str = "",
                scaled: bool = False, number: Decimal | None = None) -> Count:
        self = super().__new__(cls, value)
        self.qualifier = qualifier
        self.written = written or str(value)
        self.unit = unit
        self.scaled = scaled
        self.number = Decimal(value) if number is None else number
        return self

    @property
    def approximate(self) -> bool:
        return bool(self.qualifier)

    def __reduce__(self) -> Any:  # pickling across worker processes keeps the attributes
        return (_count, (int(self), self.qualifier, self.written, self.unit, self.scaled,
                         self.number))

    def __repr__(self) -> str:
        return f"Count({self.written!r})"

    def __str__(self) -> str:
        """The count as written without its unit (3300多, 近23万), so `{{ n }}家` reads right."""
        written = self.written
        if self.unit and written.endswith(self.unit):
            written = written[: -len(self.unit)]
        return written


def _count(value: int, qualifier: str, written: str, unit: str, scaled: bool,
           number: Decimal) -> Count:
    return Count(value, qualifier=qualifier, written=written, unit=unit, scaled=scaled,
                 number=number)


class Amount(Decimal):
    """An approximate amount of money (in 元) or percent: 约1800亿元, 35%以上, 20多亿元.

    `written` is the text to print ('' for a computed sum, which prints as 约 + the sum).
    """

    qualifier: str
    written: str

    def __new__(cls, value: Any, *, qualifier: str = "约", written: str = "") -> Amount:
        self = super().__new__(cls, value)
        self.qualifier = qualifier
        self.written = written
        return self

    @property
    def approximate(self) -> bool:
        return bool(self.qualifier)

    def __reduce__(self) -> Any:
        return (_amount, (str(Decimal(self)), self.qualifier, self.written))

    def __repr__(self) -> str:
        return f"Amount({self.written or str(Decimal(self))!r}, {self.qualifier!r})"


def _amount(value: str, qualifier: str, written: str) -> Amount:
    return Amount(value, qualifier=qualifier, written=written)


@dataclass(frozen=True)
class Quantity:
    """A measured value in a unit other than 元: prints exactly as written (23100吨)."""

    written: str  # as typed, folded: "7.2万亩", "近200家", "12亿美元"
    number: Decimal  # the written number (7.2)
    scale: str  # "", "万" or "亿"
    unit: str  # "亩"
    qualifier: str = ""

    @property
    def value(self) -> Decimal:
        """The amount in the unit (72000 for 7.2万亩)."""
        return self.number * SCALES.get(self.scale, Decimal(1))

    @property
    def approximate(self) -> bool:
        return bool(self.qualifier)

    def __str__(self) -> str:
        return self.written


def is_approximate(value: Any) -> bool:
    """True for a value written with a qualifier (or a sum of such values)."""
    return bool(getattr(value, "qualifier", ""))


def any_approximate(values: Iterable[Any]) -> bool:
    return any(is_approximate(v) for v in values)


def add_money(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum of the given amounts; approximate (an Amount with 约) when any addend is.

    The sum is of the numbers as written: 20多亿元 counts as 20亿元.
    """
    given = [v for v in values if v is not None]
    if not given:
        return None
    total = sum((Decimal(v) for v in given), Decimal(0))
    return Amount(total) if any_approximate(given) else total


def add_counts(values: Iterable[int | None]) -> int | None:
    """Sum of the given counts; a Count with 约 when an addend is approximate.

    Written in 万 (约23万人) when an addend was written with 万: the sum keeps the scale
    staff used, with at most two decimals.
    """
    given = [v for v in values if v is not None]
    if not given:
        return None
    total = sum(int(v) for v in given)
    approximate = any_approximate(given)
    scaled = any(getattr(v, "scaled", False) for v in given)
    if not approximate and not scaled:
        return total
    qualifier = "约" if approximate else ""
    if scaled:
        in_wan = (Decimal(total) / SCALES["万"]).quantize(Decimal("0.01"))
        number = in_wan.normalize() if in_wan == in_wan.to_integral_value() else in_wan
        text = format(number, "f").rstrip("0").rstrip(".") if "." in format(number, "f") \
            else format(number, "f")
        return Count(total, qualifier=qualifier, written=f"{qualifier}{text}万", scaled=True,
                     number=Decimal(text))
    return Count(total, qualifier=qualifier, written=f"{qualifier}{total}")
