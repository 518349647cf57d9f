"""Number, date and numbering formatting for report text, following report-format.md.

Money values are amounts in 元; percents are in percent units (33.6 means 33.6%). Every
rounding here is half-up (四舍五入): Chinese statistics are rounded that way, and Python's
round() / Decimal's default (banker's rounding) would print 0.2% for 0.15 in some cases and
0.1% in others. Floats are accepted for template convenience but go through their shortest
repr, so 2.675 is treated as the decimal 2.675 the author typed, not 2.67499999….

Survey format 2 values may be approximate (`quantities.Amount` / `quantities.Count`, which
carry `.qualifier` and `.written`): money prints as written (元 added when left out), a
percent keeps its qualifier and rounds its number by the percent rule, a count prints as
written; a computed sum (qualifier 约, no written text) prints 约 + the usual rule.

`FILTERS` exposes the text-producing helpers to Jinja under short names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reportgen.quantities import QUALIFIERS_AFTER, Count, Quantity

Number = Decimal | int | float | str

# Scales of the money units, largest first.
_MONEY_UNITS: tuple[tuple[str, Decimal], ...] = (
    ("亿元", Decimal(100_000_000)),
    ("万元", Decimal(10_000)),
    ("元", Decimal(1)),
)
_UNIT_SCALE: dict[str, Decimal] = dict(_MONEY_UNITS)
_NEXT_UNIT_AT = Decimal(10_000)  # 10000万元 is 1亿元, 10000元 is 1万元

_CN_DIGITS = "零一二三四五六七八九"


def to_decimal(x: Number) -> Decimal:
    """Turn a number into a Decimal without binary float noise (2.675 stays 2.675)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("布尔值不能作为数字格式化")
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        # repr gives the shortest string that round-trips, i.e. what was typed.
        return Decimal(repr(float(x)))  # float() also unwraps numpy scalars
    return Decimal(str(x).strip())


def round_half_up(x: Number, places: int) -> Decimal:
    """Round to `places` decimals, halves away from zero (四舍五入)."""
    return to_decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _plain(v: Decimal) -> str:
    """Fixed-point text with trailing zeros (and a bare '.') dropped; never '-0'."""
    text = format(v, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def _money_unit(amount: Decimal) -> str:
    """The unit money() prints a non-negative amount in, taking rounding into account.

    The unit follows the rounded value, not the raw one: 9999.995万元 rounds to 10000万元,
    which a reader expects to see as 1亿元.
    """
    for i, (unit, scale) in enumerate(_MONEY_UNITS):
        if amount >= scale:
            # A larger unit was skipped only if the amount was below it; rounding can still
            # carry it up to exactly the next unit.
            if i > 0 and round_half_up(amount / scale, 2) >= _NEXT_UNIT_AT:
                return _MONEY_UNITS[i - 1][0]
            return unit
    return "元"


def _qualifier(x: Any) -> str:
    return str(getattr(x, "qualifier", "") or "")


def _written(x: Any) -> str:
    return str(getattr(x, "written", "") or "")


def _with_yuan(written: str) -> str:
    """20多亿 → 20多亿元, 1800亿左右 → 1800亿元左右: money as written, 元 added if left out."""
    if "元" in written:
        return written
    for after in QUALIFIERS_AFTER:
        if written.endswith(after):
            return written[: -len(after)] + "元" + after
    return written + "元"


def money(x: Number) -> str:
    """142亿元, 149.79亿元, 7800万元, 5000元, -3.5亿元: ≤2 decimals, trailing zeros dropped.

    An approximate amount prints as written (15000多万元); a computed approximate sum prints
    约 and the rule (约20亿元).
    """
    qualifier = _qualifier(x)
    if qualifier:
        written = _written(x)
        return _with_yuan(written) if written else qualifier + money(Decimal(x))
    d = to_decimal(x)
    amount = abs(d)
    unit = _money_unit(amount)
    value = round_half_up(amount / _UNIT_SCALE[unit], 2)
    sign = "-" if d < 0 and value != 0 else ""
    return f"{sign}{_plain(value)}{unit}"


def money_unit_for(values: Iterable[Number | None]) -> str:
    """One unit for a whole table column, chosen by its largest absolute value."""
    amounts = [abs(to_decimal(v)) for v in values if v is not None]
    if not amounts:
        return "元"
    return _money_unit(max(amounts))


def money_in(x: Number, unit: str) -> str:
    """The number alone in the given unit: 7800万元 in 亿元 → '0.78'.

    An approximate amount keeps its qualifier (a table cell): written in the column's unit
    it is the written number (15000多万元 in 万元 → 15000多); in another unit the number is
    converted and marked 约, or keeps a 近/超过…/以上… qualifier where it stood (约0.3).
    """
    if unit not in _UNIT_SCALE:
        raise ValueError(f"未知的金额单位：{unit}（应为 亿元、万元 或 元）")
    qualifier = _qualifier(x)
    if qualifier:
        return _approximate_in(x, qualifier, unit)
    value = round_half_up(to_decimal(x) / _UNIT_SCALE[unit], 2)
    return _plain(value)


def _approximate_in(x: Any, qualifier: str, unit: str) -> str:
    match = _WRITTEN_MONEY.fullmatch(_with_yuan(_written(x))) if _written(x) else None
    if match and (match["scale"] or "") + "元" == unit:
        return "".join(match[k] or "" for k in ("before", "number", "mid1", "mid2", "after"))
    converted = _plain(round_half_up(Decimal(x) / _UNIT_SCALE[unit], 2))
    if qualifier in QUALIFIERS_AFTER:
        return converted + qualifier
    if qualifier in ("多", "余"):
        return "约" + converted  # 3000多万元 in 亿元: "0.3多" would read wrongly
    return qualifier + converted


# Money as parse_money2 writes it: 约1800亿元, 15000多万元, 20多亿元, 35万元以上.
_WRITTEN_MONEY = re.compile(
    r"(?P<before>[^0-9]*)(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<mid1>多|余)?(?P<scale>[万亿])?"
    r"(?P<mid2>多|余)?元(?P<after>.*)")


def number(x: Number, places: int = 2) -> str:
    """A bare number with at most `places` decimals, half-up, trailing zeros dropped."""
    return _plain(round_half_up(x, places))


def percent(x: Number) -> str:
    """33.6%, 16%, 100%: one decimal half-up, a trailing '.0' dropped, ASCII '%'.

    A percent written with a qualifier keeps it where it stood, its number rounded by the
    same rule (35%以上, 约52.7% for 约52.67%); a computed approximate share prints 约70.7%.
    """
    written = _written(x)
    if "%" in written:
        return _PERCENT_NUMBER.sub(lambda m: _plain(round_half_up(m.group(), 1)), written,
                                   count=1)
    qualifier = _qualifier(x)
    if qualifier:
        return qualifier + percent(Decimal(x))
    return f"{_plain(round_half_up(x, 1))}%"


_PERCENT_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def growth(rate: Number | None) -> str:
    """同比增长33.6% / 同比下降5.2% / 与上年持平 (when it rounds to zero); '' for None.

    An approximate rate (growth: 约10%) keeps its qualifier: 同比增长约10%.
    """
    if rate is None:
        return ""
    if _qualifier(rate) and to_decimal(rate) > 0:
        return f"同比增长{percent(rate)}"
    r = round_half_up(rate, 1)
    if r == 0:
        return "与上年持平"
    if r > 0:
        return f"同比增长{percent(r)}"
    return f"同比下降{percent(-r)}"


def growth_rate(now: Number | None, prev: Number | None) -> Decimal | None:
    """Change from prev to now in percent, unrounded; None when prev is missing or 0."""
    if now is None or prev is None:
        return None
    before = to_decimal(prev)
    if before == 0:
        return None
    return (to_decimal(now) - before) * 100 / before


def share(part: Number | None, whole: Number | None) -> Decimal | None:
    """part ÷ whole in percent, unrounded (format with percent()); None if it is undefined."""
    if part is None or whole is None:
        return None
    w = to_decimal(whole)
    if w == 0:
        return None
    return to_decimal(part) * 100 / w


def share_text(part: Number | None, whole: Number | None) -> str:
    """'66.2%', or '' when the share is undefined (no whole, or a whole of zero)."""
    s = share(part, whole)
    return "" if s is None else percent(s)


def date_cn(d: date | str) -> str:
    """2025年3月15日 (no zero padding); ISO strings are accepted for template convenience."""
    if isinstance(d, str):
        d = date.fromisoformat(d.strip())
    if isinstance(d, datetime):
        d = d.date()
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_below_10000(n: int) -> str:
    """0 < n < 10000 in full form: 一千零一, 一百一十, 一十 (the caller drops a leading 一十)."""
    out: list[str] = []
    pending_zero = False
    for value, mark in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_CN_DIGITS[digit] + mark)
    return "".join(out)


def chinese_number(n: int) -> str:
    """Chinese numerals as used in headings: 一 … 十 十一 … 二十一 … 一百 一百零一 一百一十."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"中文数字只支持整数：{n!r}")
    if n < 0:
        return "负" + chinese_number(-n)
    if n == 0:
        return "零"
    groups: list[int] = []  # groups of four digits, lowest first
    rest = n
    while rest:
        groups.append(rest % 10_000)
        rest //= 10_000
    if len(groups) > 3:
        raise ValueError(f"数字过大，无法写成中文：{n}")
    marks = ("", "万", "亿")
    parts: list[str] = []
    need_zero = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            need_zero = bool(parts)
            continue
        # A group below 1000 after a higher group reads with 零: 一万零五百.
        if parts and (need_zero or g < 1000):
            parts.append("零")
        parts.append(_cn_below_10000(g) + marks[idx])
        need_zero = False
    text = "".join(parts)
    # 10-19 at the very start are read 十, 十一 … (十万 too), not 一十.
    if text.startswith("一十"):
        text = text[1:]
    return text


def heading_number(level: int, n: int) -> str:
    """The GB/T 9704 section mark: 1 '一、', 2 '（一）', 3 '1.', 4 '（1）'."""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"标题层级应为 1 到 4：{level}")


def integer(n: Number) -> str:
    """Plain digits, no thousands separators (reports write 6767); non-integers round half-up.

    An approximate count keeps its qualifier (3300多, 近23万): it is not a plain number.
    """
    if isinstance(n, Count) and n.qualifier:
        return count_number(n)
    return _plain(round_half_up(n, 0))


def count(value: Any, unit: str = "") -> str:
    """A count with its unit: 169家, 3300多家, 近23万人; '' for None.

    A count written with its own unit prints exactly as written (近23万人, 5枚); otherwise
    the number (with its qualifier, 万 kept) is followed by the field's unit.
    """
    if value is None:
        return ""
    if isinstance(value, Quantity):
        return value.written
    if isinstance(value, Count):
        return value.written if value.unit else value.written + unit
    return integer(value) + unit


def count_number(value: Any) -> str:
    """A count as a table cell, without its unit (the header has it): 3300多, 近23万."""
    if value is None:
        return ""
    if isinstance(value, Count):
        written = value.written
        if value.unit:
            # the unit's last occurrence: 200家以上 → 200以上
            index = written.rfind(value.unit)
            written = written[:index] + written[index + len(value.unit):]
        return written
    return integer(value)


def join_cn(items: Iterable[object]) -> str:
    """Join with the enumeration comma '、', skipping empty items."""
    return "、".join(str(i) for i in items if i is not None and str(i) != "")


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "percent": percent,
    "growth": growth,
    "date_cn": date_cn,
    "cn_number": chinese_number,
    "join_cn": join_cn,
    "share": share_text,
    "money_in": money_in,
    "integer": integer,
    "number": number,
    "count": count,
}
