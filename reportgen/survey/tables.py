"""Staff-made tables (survey format 2): what kind each column is, what a number cell is.

One definition serves both sides: the survey rules import `column_kind` and `parse_cell` to
refuse bad cells, and the template helper (`templating.tables.staff_table`) uses them to
align cells and add the 合计 row. Rules of survey-format-2.md, "Staff tables":

- a number column's header ends in （unit） or (unit), the unit being a listed or declared
  unit (optionally with 万/亿 in front), % or ‰;
- a percentage column has % or ‰; a rank column has 排名/名次/位次 in its header; a year
  column's header is or ends in 年份/年度 or has （年）; a year inside the label
  (2024年营业收入（万元）) does not make a year column;
- a number cell is digits with an optional decimal part and at most one qualifier, no unit,
  no separators, and prints exactly as typed; empty or — is no value;
- a column whose header names no known unit is text, whatever its words: cells print as
  written and are never summed.
- the 合计 row sums number columns only (not percentage, rank or year columns), with the
  decimals of the most precise cell, trailing zeros kept, 约 in front when a summed cell
  is approximate.

API used by `survey.rules2`: `column_kind(header, units)` → ColumnKind (`.kind` is "text" for
a text column, `.unit` the header's unit); `parse_cell(text)` → None when the text is not a
number (a cell with no value, empty or —, is a NumberCell whose `number` is None).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from reportgen.quantities import (
    KNOWN_UNITS,
    QUALIFIERS_AFTER,
    QUALIFIERS_BEFORE,
    QUALIFIERS_INSIDE,
)

Kind = Literal["text", "number", "percent", "rank", "year"]

# Cells that mean "no value".
EMPTY_CELLS = ("", "—", "——", "-", "－")
PERCENT_UNITS = ("%", "‰", "％")
_RANK_WORDS = ("排名", "名次", "位次")
# （unit） or (unit) at the very end of a header; full-width and ASCII brackets may mix.
_HEADER_UNIT = re.compile(r"[（(](?P<unit>[^（）()]+)[）)]\s*$")
_YEAR_END = re.compile(r"(年份|年度)\s*$")
_YEAR_UNIT = re.compile(r"[（(]\s*年\s*[）)]")

_BEFORE = "|".join(QUALIFIERS_BEFORE)
_INSIDE = "|".join(QUALIFIERS_INSIDE)
_AFTER = "|".join(QUALIFIERS_AFTER)
_CELL = re.compile(rf"(?P<before>{_BEFORE})?(?P<number>[0-9]+(?:\.(?P<decimals>[0-9]+))?)"
                   rf"(?P<inside>{_INSIDE})?(?P<after>{_AFTER})?")


@dataclass(frozen=True)
class ColumnKind:
    """What a column holds. `unit` is set for a column of numbers (the header's unit)."""

    kind: Kind
    unit: str | None = None

    @property
    def numeric(self) -> bool:
        """Its cells must be numbers (the header names a unit, % or ‰)."""
        return self.unit is not None

    @property
    def summed(self) -> bool:
        """The 合计 row adds it up (percentage, rank and year columns stay empty)."""
        return self.kind == "number"


def header_unit(header: str, declared_units: Iterable[str] = ()) -> str | None:
    """The unit at the end of a header (营业收入（亿元） → 亿元), if it is one we know."""
    match = _HEADER_UNIT.search(header.strip())
    if not match:
        return None
    unit = match["unit"].strip()
    if unit in PERCENT_UNITS:
        return "%" if unit == "％" else unit
    known = set(KNOWN_UNITS) | set(declared_units)
    bare = unit[1:] if unit[:1] in ("万", "亿") and len(unit) > 1 else unit
    return unit if unit in known or bare in known else None


def column_kind(header: str, declared_units: Iterable[str] = ()) -> ColumnKind:
    """The kind of a staff-table column, from its header alone."""
    text = header.strip()
    unit = header_unit(text, declared_units)
    if unit is None:
        return ColumnKind("text")
    if unit in ("%", "‰"):
        return ColumnKind("percent", unit)
    if any(word in text for word in _RANK_WORDS):
        return ColumnKind("rank", unit)
    # 年份 / 建成年度 / 投产时间（年）; but not 2024年营业收入（万元）, whose 年 is a label.
    if text in ("年份", "年度") or _YEAR_END.search(text) or _YEAR_UNIT.search(text):
        return ColumnKind("year", unit)
    return ColumnKind("number", unit)


@dataclass(frozen=True)
class NumberCell:
    """A number cell as typed: `近200` → number 200, qualifier 近, decimals 0.

    A cell with no value (empty, —) has `number` None.
    """

    written: str
    number: Decimal | None
    qualifier: str = ""
    decimals: int = 0

    @property
    def empty(self) -> bool:
        return self.number is None

    @property
    def approximate(self) -> bool:
        return bool(self.qualifier)


def is_empty_cell(text: str) -> bool:
    return text.strip() in EMPTY_CELLS


def parse_cell(text: str) -> NumberCell | None:
    """A number cell as typed, or None when the text is not a number.

    The text is taken as typed (the loader has folded full-width digits already):
    `1.50`, `近200`, `35以上`, `3300多`; empty or — is a cell with no value. A unit, a
    sign, a separator (1,200) or two qualifiers make it not a number.
    """
    stripped = text.strip()
    if stripped in EMPTY_CELLS:
        return NumberCell(written=stripped, number=None)
    match = _CELL.fullmatch(stripped)
    if not match:
        return None
    qualifiers = [q for q in (match["before"], match["inside"], match["after"]) if q]
    if len(qualifiers) > 1:
        return None
    return NumberCell(written=stripped, number=Decimal(match["number"]),
                      qualifier=qualifiers[0] if qualifiers else "",
                      decimals=len(match["decimals"] or ""))


def column_total(cells: Sequence[str]) -> str:
    """The 合计 of a number column: '' when no cell has a value.

    Digits only (no separators), the decimals of the most precise cell with trailing zeros
    kept (1.50 + 2 → 3.50), and 约 in front when any summed cell is approximate.
    """
    parsed = [p for p in (parse_cell(c) for c in cells) if p is not None and p.number is not None]
    if not parsed:
        return ""
    decimals = max(p.decimals for p in parsed)
    total = sum((p.number for p in parsed if p.number is not None), Decimal(0))
    text = format(total, f".{decimals}f")
    return ("约" if any(p.approximate for p in parsed) else "") + text


__all__ = [
    "ColumnKind",
    "NumberCell",
    "column_kind",
    "column_total",
    "header_unit",
    "is_empty_cell",
    "parse_cell",
]
