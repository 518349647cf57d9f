"""Numbering on the document tree: section marks, run-in levels, list levels, 表n and 图n.

Numbers are never typed in templates. Headings count per level and reset the deeper levels;
a run-in heading takes the level below the last heading; a list takes the level below the
last numbered block, restarting at 1. Tables and figures are counted through the document.

Nested items carry their level from the template (data-level, see html_parser): a finding's
items are run-ins of level 3 under its level-2 run-in, their items level 4; a cluster's parts
and topics level 3, a part's topics level 4. An explicit level counts like any other (the
next level-2 run-in resets levels 3 and 4), so numbering stays consecutive on four levels:
一、（一）1.（1）.
"""

from __future__ import annotations

from reportgen.document.model import Document, Figure, Heading, ListBlock, RunIn, Table
from reportgen.formatting import heading_number

MAX_LEVEL = 4


def number_document(document: Document) -> Document:
    counters = [0] * (MAX_LEVEL + 1)
    heading_level = 0  # level of the last heading
    numbered_level = 0  # level of the last heading or run-in
    tables = figures = 0

    def count(level: int) -> str:
        counters[level] += 1
        for deeper in range(level + 1, MAX_LEVEL + 1):
            counters[deeper] = 0
        return heading_number(level, counters[level])

    for block in document.blocks:
        if isinstance(block, Heading):
            block.level = min(max(block.level, 1), MAX_LEVEL)
            block.number = count(block.level)
            heading_level = numbered_level = block.level
        elif isinstance(block, RunIn):
            if not block.level:
                block.level = min(heading_level + 1, MAX_LEVEL)
            block.number = count(block.level)
            numbered_level = block.level
        elif isinstance(block, ListBlock):
            if not block.level:
                block.level = min(numbered_level + 1, MAX_LEVEL)
            for i, item in enumerate(block.items, start=1):
                item.number = heading_number(block.level, i)
        elif isinstance(block, Table):
            tables += 1
            block.number = tables
        elif isinstance(block, Figure):
            figures += 1
            block.number = figures
    return document
