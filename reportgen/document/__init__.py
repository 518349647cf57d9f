"""The document tree and the passes over it (HTML parsing, numbering)."""

from reportgen.document.model import (
    Block,
    Cell,
    ChartSpec,
    Document,
    Figure,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Run,
    RunIn,
    Signature,
    Table,
    Title,
)

__all__ = [
    "Block", "Cell", "ChartSpec", "Document", "Figure", "Heading", "ListBlock", "ListItem",
    "Paragraph", "Run", "RunIn", "Signature", "Table", "Title",
]
