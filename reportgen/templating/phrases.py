"""Phrases of survey format 2: ranks, indicators, targets, market shares, shares, paragraphs.

Each function turns model values into one piece of report text by the "Exact rules" of
survey-format-2.md, so every template words them the same way:

    rank          居全省第五位 (place in Chinese numerals)
    indicator     [2023年]名称值[（note）][，同比增长x%|，同比下降x%|，与上年持平][，居…第N位]
    indicators    the indicators of one owner joined by ；
    target(s)     到2027年，产值达到300亿元 (达到 left out before a qualifier: 超过300亿元);
                  the targets of one owner in year order, joined by ；
    market_shares 造纸机械产品占全国市场的50%以上，占全省市场的70%以上 (主要产品 when no product)
    share_of      占全市工业总产值的66.2% / 约占… when the share is approximate
    paragraphs    a text field's paragraphs (survey format 2 separates them by a blank line)

They are Jinja filters (FILTERS); the returned text is plain (autoescape escapes it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import jinja2

from reportgen import formatting
from reportgen.quantities import QUALIFIERS_BEFORE, Count, Quantity, is_approximate

PARAGRAPH_BREAK = "\n\n"
# Where the subject of a market share is not given, the format-1 wording's subject.
DEFAULT_PRODUCT = "主要产品"


def is_percent(value: Any) -> bool:
    """A measure that is a percentage (written with %), not money.

    Indicator and target values are money, percent, quantity or count; money and percent
    both arrive as Decimals, and only a percentage carries its % in `written`.
    """
    return "%" in str(getattr(value, "written", "") or "") or \
        getattr(value, "unit", None) in ("%", "‰")


def measure(value: Any) -> str:
    """An indicator or target value as printed: quantities and counts as written, money by
    the money rule, percentages by the percent rule."""
    if value is None:
        return ""
    if isinstance(value, Quantity | Count):
        return value.written
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return formatting.integer(value)
    if is_percent(value):
        return formatting.percent(value)
    return formatting.money(value)


def rank(value: Any) -> str:
    """居全省第五位: scope as written, place in Chinese numerals; '' for None."""
    if value is None:
        return ""
    return f"居{value.scope}第{formatting.chinese_number(int(value.place))}位"


def join_paragraphs(text: str | None) -> str:
    """A paragraph text as one run of text, for use inside a sentence (a note, a target's
    text): paragraphs are joined without a break, with a space between Latin letters."""
    parts = [p for p in (text or "").split(PARAGRAPH_BREAK) if p.strip()]
    out = ""
    for part in parts:
        part = part.strip()
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii():
            out += " "
        out += part
    return out


def indicator(item: Any, year: int | None = None) -> str:
    """[2023年]名称值[（note）][，同比增长x%][，居…第N位]; the year only when it is not `year`
    (the report's year)."""
    text = f"{item.year}年" if item.year is not None and item.year != year else ""
    text += f"{item.name}{measure(item.value)}"
    if item.note:
        text += f"（{join_paragraphs(item.note)}）"
    if item.growth is not None:
        text += f"，{formatting.growth(item.growth)}"
    if item.rank is not None:
        text += f"，{rank(item.rank)}"
    return text


def indicators(items: Iterable[Any], year: int | None = None) -> str:
    """The indicators of one owner, in file order, joined by ；(no closing 。)."""
    return "；".join(indicator(item, year) for item in items or ())


def _starts_with_qualifier(text: str) -> bool:
    return text.startswith(QUALIFIERS_BEFORE)


def target(item: Any, default_name: str = "") -> str:
    """到2027年，产值达到300亿元[，text]; 达到 is left out when the value begins with a
    qualifier (到2027年，产值超过300亿元)."""
    value = measure(item.value)
    verb = "" if _starts_with_qualifier(value) else "达到"
    text = f"到{item.year}年，{item.name or default_name}{verb}{value}"
    extra = join_paragraphs(item.text).rstrip("。；，")
    if extra:
        text += extra if extra[0] in "，；：（" else f"，{extra}"
    return text


def targets(items: Iterable[Any], default_name: str = "") -> str:
    """The targets of one owner in year order (file order within a year), joined by ；."""
    ordered = sorted(items or (), key=lambda t: t.year)
    return "；".join(target(item, default_name) for item in ordered)


def market_shares(items: Iterable[Any]) -> str:
    """〈product〉占〈scope〉市场的〈value〉, joined by ，; a product equal to the previous one is
    not repeated; no product → 主要产品."""
    parts = []
    previous = None
    for item in items or ():
        product = item.product or DEFAULT_PRODUCT
        subject = "" if product == previous else product
        parts.append(f"{subject}占{item.scope}市场的{formatting.percent(item.value)}")
        previous = product
    return "，".join(parts)


def share_of(value: Any, whole: str) -> str:
    """占全市工业总产值的66.2%; 约占… for a share computed from approximate figures."""
    if value is None:
        return ""
    if is_approximate(value):
        return f"{value.qualifier}占{whole}的{formatting.percent(Decimal(value))}"
    return f"占{whole}的{formatting.percent(value)}"


def split_paragraphs(text: str | None, schema: int = 2) -> list[str]:
    """The paragraphs of a text field; format 1 has no paragraphs (one, as before)."""
    if not text:
        return []
    if schema < 2:
        return [text]
    return [p.strip() for p in text.split(PARAGRAPH_BREAK) if p.strip()]


@jinja2.pass_context
def paragraphs(context: jinja2.runtime.Context, text: str | None) -> list[str]:
    """`{% for p in f.detail|paragraphs %}<p>{{ p }}</p>{% endfor %}`: a format-2 text field
    split at its blank lines; a format-1 text is one paragraph, whatever it holds."""
    survey = context.get("survey")
    return split_paragraphs(text, getattr(survey, "schema_", 2))


FILTERS: dict[str, Callable[..., Any]] = {
    "measure": measure,
    "rank": rank,
    "indicator": indicator,
    "indicators": indicators,
    "target": target,
    "targets": targets,
    "market_shares": market_shares,
    "share_of": share_of,
    "paragraphs": paragraphs,
}
