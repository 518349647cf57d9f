"""The styles the DOCX writer uses: the one list (pandoc's StyleMap is the model).

A template set's reference.docx must define each of them; staff restyle them in Word. The
reference document generator (reference_docx.STYLE_SPECS) gives each its default formatting,
`reportgen templates check` reports a missing one with its label, and the staff guide lists
them (a test keeps the guide in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocxStyle:
    name: str  # the style's name in Word
    label: str  # what it formats, as staff read it


STYLES: tuple[DocxStyle, ...] = (
    DocxStyle("Normal", "所有样式的基础（一般不用改）"),
    DocxStyle("Title", "报告标题"),
    DocxStyle("Heading 1", "一级标题“一、”"),
    DocxStyle("Heading 2", "二级标题“（一）”"),
    DocxStyle("Heading 3", "三级标题“1.”"),
    DocxStyle("Heading 4", "四级标题“（1）”"),
    DocxStyle("Body Text", "正文段落（首行缩进两字）"),
    DocxStyle("Body Text No Indent", "不缩进的段落（class=\"plain\"）"),
    DocxStyle("Body Text Center", "居中的段落（class=\"center\"）"),
    DocxStyle("Body Text Right", "右对齐的段落（class=\"right\"）"),
    DocxStyle("Run-in Heading 2", "段首标题“（一）……。”（字符样式）"),
    DocxStyle("Run-in Heading 3", "段首标题“1. ……。”（字符样式）"),
    DocxStyle("Run-in Heading 4", "段首标题“（1）……。”（字符样式）"),
    DocxStyle("List Number", "编号条目（对策建议下的 1. 2. 3.）"),
    DocxStyle("Table Caption", "表题（表1　……）"),
    DocxStyle("Table Header", "表头单元格"),
    DocxStyle("Table Text", "表格内的文字"),
    DocxStyle("Table Note", "表下注（资料来源、单位）"),
    DocxStyle("Report Table", "表格边框和单元格边距（表格样式）"),
    DocxStyle("Figure", "图片所在的段落"),
    DocxStyle("Image Caption", "图题（图1　……）"),
    DocxStyle("Signature", "落款（单位和日期）"),
    DocxStyle("Footer", "页脚段落"),
    DocxStyle("Page Number", "页码“— 1 —”（字符样式）"),
)
STYLE_NAMES: tuple[str, ...] = tuple(style.name for style in STYLES)
STYLE_LABELS: dict[str, str] = {style.name: style.label for style in STYLES}
