"""Template HTML → document tree. Only a small, documented subset of HTML is accepted.

    <h1>                    report title
    <h2> <h3> <h4> <h5>     headings of levels 1-4 (一、 （一） 1. （1）); numbers are added later
    <p>                     body paragraph; class="plain" (no indent), "center", "right"
    <p class="runin">       run-in heading: the first <strong>/<b> is the heading, the rest text
    <strong>/<b>, <em>/<i>, <span>   inline bold, italic, plain
    <table>                 <caption>, <thead>/<tbody>/<tfoot> (tfoot rows are 合计 rows),
                            <tr>, <th>/<td> with colspan and class align-left/center/right
    <p class="note">        right after a </table>: the line under that table (Table.note);
                            anywhere else an ordinary paragraph
    <figure class="chart" data-chart="{json}">  a chart, with <figcaption>
    <ol>/<ul> with <li>     numbered sub-points (1. 2. 3.)

    data-level="2|3|4"      on <p class="runin"> and <ol>/<ul>: the numbering level, for items
                            nested below other run-ins (a finding's items 1. under （一）,
                            their items （1）); without it a run-in takes the level below the
                            last heading and a list the level below the last numbered block
    <div class="signature"> 落款: one <p> per line
    <section>, <div>, <article>, <main>, <body>   transparent containers

Anything else (img, a, script, style, link, br …) is refused with a DocumentError that says
which tag and what to use instead; its fields `html_line` and `html_text` say where in the
rendered HTML, so the build can name the template line that wrote it (build.pipeline).
"""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html
from lxml import etree

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
from reportgen.document.subset import tag_advice
from reportgen.errors import DocumentError

_CONTAINERS = {"section", "div", "article", "main", "body", "html", "header", "footer"}
_HEADINGS = {"h2": 1, "h3": 2, "h4": 3, "h5": 4}
_BOLD = {"strong", "b"}
_ITALIC = {"em", "i"}

# CJK ideographs, CJK/full-width punctuation: whitespace next to these is dropped, as a
# template line break between two Chinese sentences must not become a space.
_CJK = r"\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d\u2026"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def normalize_space(text: str) -> str:
    return _SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", text))


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def _refuse(el: Any, where: str) -> DocumentError:
    tag = _tag(el)
    hint = tag_advice(tag)
    return DocumentError(f"{where}中不支持 <{tag}> 标签；{hint}", el.sourceline, f"<{tag}")


def _level(el: Any) -> int:
    """The data-level attribute (0 when absent: numbering decides)."""
    raw = el.get("data-level")
    if raw is None:
        return 0
    if raw.strip() not in ("1", "2", "3", "4"):
        raise DocumentError(f"data-level=\"{raw}\" 应为 1 到 4 的数字"
                            "（编号层级：一、（一）1.（1））", el.sourceline, "data-level")
    return int(raw)


def _follows_table(el: Any) -> bool:
    """The element comes right after a <table> (only white space between)."""
    previous = el.getprevious()
    while previous is not None and not _tag(previous):  # skip comments
        previous = previous.getprevious()
    return previous is not None and _tag(previous) == "table" and not (previous.tail or "").strip()


def _stray_text(el: Any, text: str) -> DocumentError:
    shown = text.strip()
    return DocumentError(f"文字“{shown[:20]}”不在任何 <p> 段落中；请用 <p>…</p> 包起来",
                         el.sourceline, shown.splitlines()[0][:20])


class _Parser:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    # inline ---------------------------------------------------------------------------
    def runs(self, el: Any, bold: bool = False, italic: bool = False,
             skip_first_strong: bool = False) -> list[Run]:
        out: list[Run] = []
        if el.text:
            out.append(Run(el.text, bold, italic))
        skipped = not skip_first_strong
        for child in el:
            tag = _tag(child)
            if not tag:  # comment or processing instruction
                pass
            elif tag in _BOLD and not skipped:
                skipped = True
            elif tag in _BOLD | _ITALIC | {"span"}:
                out += self.runs(child, bold or tag in _BOLD, italic or tag in _ITALIC)
            else:
                raise _refuse(child, "段落")
            if child.tail:
                out.append(Run(child.tail, bold, italic))
        return out

    @staticmethod
    def tidy(runs: list[Run]) -> list[Run]:
        """Normalize white space across runs, merge neighbours of one format, trim ends."""
        merged: list[Run] = []
        for run in runs:
            if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
                merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
            else:
                merged.append(Run(run.text, run.bold, run.italic))
        for run in merged:
            run.text = normalize_space(run.text)
        if merged:
            merged[0].text = merged[0].text.lstrip()
            merged[-1].text = merged[-1].text.rstrip()
        return [r for r in merged if r.text]

    def text(self, el: Any) -> str:
        return "".join(r.text for r in self.tidy(self.runs(el)))

    # blocks ---------------------------------------------------------------------------
    def block(self, el: Any) -> None:
        tag = _tag(el)
        if not tag:
            return
        classes = _classes(el)
        if tag == "h1":
            self.blocks.append(Title(self.text(el)))
        elif tag in _HEADINGS:
            self.blocks.append(Heading(_HEADINGS[tag], self.text(el)))
        elif tag == "p":
            self.paragraph(el, classes)
        elif tag == "table":
            self.blocks.append(self.table(el))
        elif tag == "figure":
            self.blocks.append(self.figure(el))
        elif tag in ("ol", "ul"):
            items = []
            for li in el:
                if not _tag(li):
                    continue
                if _tag(li) != "li":
                    raise _refuse(li, "列表")
                items.append(ListItem(self.tidy(self.runs(li))))
            self.blocks.append(ListBlock(items, level=_level(el)))
        elif tag == "div" and "signature" in classes:
            lines = [self.text(p) for p in el if _tag(p) == "p"]
            self.blocks.append(Signature([line for line in lines if line]))
        elif tag in _CONTAINERS:
            for child in el:
                self.block(child)
        else:
            raise _refuse(el, "正文")
        # Text directly inside a container, outside any <p>, would be lost: refuse it.
        if tag in _CONTAINERS and (el.text or "").strip():
            raise _stray_text(el, el.text)
        if (el.tail or "").strip() and el.getparent() is not None:
            raise _stray_text(el, el.tail)

    def paragraph(self, el: Any, classes: set[str]) -> None:
        if "runin" in classes:
            first = next((c for c in el if _tag(c) in _BOLD), None)
            heading = self.text(first) if first is not None else ""
            runs = self.tidy(self.runs(el, skip_first_strong=first is not None))
            self.blocks.append(RunIn(level=_level(el), heading=heading, runs=runs))
            return
        if "note" in classes and self.blocks and isinstance(self.blocks[-1], Table) \
                and not self.blocks[-1].note and _follows_table(el):
            self.blocks[-1].note = self.text(el)
            return
        style = "body"
        for candidate in ("plain", "center", "right"):
            if candidate in classes:
                style = candidate
        runs = self.tidy(self.runs(el))
        if runs:
            self.blocks.append(Paragraph(runs, style))  # type: ignore[arg-type]

    def row(self, tr: Any) -> list[Cell]:
        cells = []
        for td in tr:
            tag = _tag(td)
            if not tag:
                continue
            if tag not in ("td", "th"):
                raise _refuse(td, "表格行")
            align = "left"
            for candidate in ("left", "center", "right"):
                if f"align-{candidate}" in _classes(td):
                    align = candidate
            span = int(td.get("colspan") or 1)
            cells.append(Cell(self.text(td), align, span))  # type: ignore[arg-type]
        return cells

    def table(self, el: Any) -> Table:
        caption, header, body, total = "", [], [], []
        for part in el:
            tag = _tag(part)
            if tag == "caption":
                caption = self.text(part)
            elif tag == "thead":
                header += [self.row(tr) for tr in part if _tag(tr) == "tr"]
            elif tag == "tbody":
                body += [self.row(tr) for tr in part if _tag(tr) == "tr"]
            elif tag == "tfoot":
                total += [self.row(tr) for tr in part if _tag(tr) == "tr"]
            elif tag == "tr":
                body.append(self.row(part))
            elif tag:
                raise _refuse(part, "表格")
        return Table(caption=caption, header=header, body=body, total=total)

    def figure(self, el: Any) -> Figure:
        raw = el.get("data-chart")
        if raw is None:
            raise DocumentError("<figure> 只能放图表；请用 chart('bar'|'pie'|'trend', '图题') 生成",
                                el.sourceline, "<figure")
        try:
            data = json.loads(raw)
            spec = ChartSpec(
                chart=data["chart"], title=data.get("title", ""),
                categories=[str(c) for c in data["categories"]],
                series=[(str(name), list(values)) for name, values in data["series"]],
                unit=data.get("unit", ""), x_label=data.get("x_label", ""),
                y_label=data.get("y_label", ""),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DocumentError("<figure> 中的图表数据无法读取；图请用 chart('bar'|'pie'|'trend', "
                                "'图题') 生成，不要手写 <figure>", el.sourceline,
                                "<figure") from exc
        caption = ""
        for child in el:
            if _tag(child) == "figcaption":
                caption = self.text(child)
        return Figure(caption=caption, spec=spec)


def parse_html(html: str) -> Document:
    """Parse rendered template HTML into an (unnumbered) Document."""
    if not html.strip():
        raise DocumentError("模板没有生成任何内容")
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise DocumentError(f"模板生成的 HTML 无法解析：{exc}") from exc
    parser = _Parser()
    head = root.find("head")
    if head is not None:
        root.remove(head)
    body = root.find("body")
    parser.block(body if body is not None else root)
    title = next((b.text for b in parser.blocks if isinstance(b, Title)), "")
    return Document(blocks=parser.blocks, title=title, lang=root.get("lang") or "zh-CN")
