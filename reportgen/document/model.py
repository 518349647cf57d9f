"""The document tree: the one structure between templates and writers.

A template renders HTML; `document.html_parser` turns it into this tree; `document.numbering`
fills in section numbers (一、（一）1.（1）) and 表n/图n; every writer reads only this tree.
Its JSON form (`to_json`) is what golden tests compare.

Blocks (a closed set, like pandoc's):
    Title          the report title, centred
    Heading        a numbered section heading, level 1-4
    Paragraph      body text made of Runs; style "body" (indented), "plain" (no indent),
                   "center" or "right"
    RunIn          a numbered run-in heading followed by body text in the same paragraph,
                   e.g. （一）纺织服装业。共有169家企业……
    Table          caption, header rows, body rows, total (合计) rows
    Figure         a chart (ChartSpec) with its caption; `image` holds the rendered PNG
    ListBlock      numbered items (1. 2. 3. or （1）（2）)
    Signature      落款: lines right-aligned at the end (author, date)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ParagraphStyle = Literal["body", "plain", "center", "right"]
Align = Literal["left", "center", "right"]
ChartKind = Literal["bar", "pie", "line"]


@dataclass
class Run:
    """A piece of inline text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Title:
    text: str
    kind: Literal["title"] = "title"


@dataclass
class Heading:
    level: int  # 1..4
    text: str
    number: str = ""  # set by numbering: "一、", "（一）", "1.", "（1）"
    kind: Literal["heading"] = "heading"


@dataclass
class Paragraph:
    runs: list[Run]
    style: ParagraphStyle = "body"
    kind: Literal["paragraph"] = "paragraph"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class RunIn:
    level: int  # the level its number takes; set by the parser from the preceding heading
    heading: str  # e.g. "纺织服装业。"
    runs: list[Run]
    number: str = ""
    kind: Literal["runin"] = "runin"

    @property
    def text(self) -> str:
        return self.number + self.heading + "".join(r.text for r in self.runs)


@dataclass
class Cell:
    text: str
    align: Align = "left"
    colspan: int = 1


@dataclass
class Table:
    caption: str
    header: list[list[Cell]]
    body: list[list[Cell]]
    total: list[list[Cell]] = field(default_factory=list)
    number: int = 0  # set by numbering: 表1, 表2 …
    note: str = ""  # a line under the table, e.g. 资料来源 or units
    kind: Literal["table"] = "table"

    @property
    def label(self) -> str:
        return f"表{self.number}" if self.number else ""


@dataclass
class ChartSpec:
    """What to draw; `charts.render_png` turns it into a PNG. Values are plain floats."""

    chart: ChartKind
    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]  # (name, one value per category; None = gap)
    unit: str = ""  # axis unit, e.g. 亿元
    x_label: str = ""
    y_label: str = ""


@dataclass
class Figure:
    caption: str
    spec: ChartSpec
    number: int = 0  # set by numbering: 图1, 图2 …
    image: bytes | None = field(default=None, repr=False, compare=False)  # PNG, not in JSON
    kind: Literal["figure"] = "figure"

    @property
    def label(self) -> str:
        return f"图{self.number}" if self.number else ""


@dataclass
class ListItem:
    runs: list[Run]
    number: str = ""  # set by numbering: "1." or "（1）"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class ListBlock:
    items: list[ListItem]
    level: int = 3  # numbering level of the items: 3 → 1. 2.; 4 → （1）（2）
    kind: Literal["list"] = "list"


@dataclass
class Signature:
    lines: list[str]  # author, then date (already formatted: 2025年3月15日)
    kind: Literal["signature"] = "signature"


Block = Title | Heading | Paragraph | RunIn | Table | Figure | ListBlock | Signature


@dataclass
class Document:
    blocks: list[Block]
    title: str = ""
    lang: str = "zh-CN"
    meta: dict[str, str] = field(default_factory=dict)  # author, date (ISO), region …

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def to_dict(self) -> dict[str, Any]:
        blocks = []
        for block in self.blocks:
            data = asdict(block)
            data.pop("image", None)
            blocks.append(data)
        return {"title": self.title, "lang": self.lang, "meta": self.meta, "blocks": blocks}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def plain_text(self) -> str:
        """The text a reader sees, block by block; used by tests and font coverage checks."""
        lines: list[str] = []
        for b in self.blocks:
            if isinstance(b, Title):
                lines.append(b.text)
            elif isinstance(b, Heading):
                lines.append(b.number + b.text)
            elif isinstance(b, (Paragraph, RunIn)):
                lines.append(b.text)
            elif isinstance(b, Table):
                lines.append(f"{b.label}　{b.caption}".strip())
                for row in b.header + b.body + b.total:
                    lines.append("\t".join(c.text for c in row))
                if b.note:
                    lines.append(b.note)
            elif isinstance(b, Figure):
                lines.append(f"{b.label}　{b.caption}".strip())
                lines.append(b.spec.title)
                lines.extend(b.spec.categories)
            elif isinstance(b, ListBlock):
                lines.extend(i.number + i.text for i in b.items)
            elif isinstance(b, Signature):
                lines.extend(b.lines)
        return "\n".join(lines)
