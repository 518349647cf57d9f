"""Table header text as label + unit: 工业总产值（亿元） → 工业总产值 | （亿元）.

Word, LibreOffice and Pango break Chinese text between any two characters, so a header in a
narrow column comes out as 工业总产/值（亿/元）. A printed statistical table breaks it before
the unit instead, keeping 工业总产值 and （亿元） whole. Both writers ask `split_unit` where
that break goes, so the DOCX and the PDF agree on what the unit of a header is; the tree
itself is not changed (the golden JSON stays as it is).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# The unit is a bracketed tail: full-width （亿元） or ASCII (万亩), either kind of bracket at
# either end (staff mix them when typing), nothing bracketed inside it, at least one character
# between the brackets.
_UNIT = re.compile(r"[（(][^（()）]+[）)]\s*$")


class HeaderParts(NamedTuple):
    """A header split where a line may break: `label` then `unit` (empty: no unit)."""

    label: str
    unit: str


def split_unit(text: str) -> HeaderParts:
    """The header's label and its bracketed unit; ("", "") for empty text.

    Returns the whole text as the label when there is no unit, when the text is all unit
    (（亿元） alone has nothing to break before) or when the text already has line breaks of
    its own (staff chose where it breaks). The label keeps any space typed before the unit,
    so label + unit is always the original text.
    """
    if "\n" in text:
        return HeaderParts(text, "")
    match = _UNIT.search(text)
    if match is None or not text[: match.start()].strip():
        return HeaderParts(text, "")
    return HeaderParts(text[: match.start()], text[match.start():])
