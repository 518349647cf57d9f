"""Style edits on a reference .docx in code: what staff do in Word's 修改样式 dialog.

Used to derive the 简报 set's reference.docx from the default one (so its looks are written
down, not hand-made), and by tests that restyle a copy and check the built DOCX follows.

    python -m reportgen.writers.restyle     # rebuild templates/brief/reference.docx
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

from reportgen.writers.reference_docx import deterministic_zip, w_element


def set_font(style: BaseStyle, size_pt: float | None = None, color: str | None = None,
             east_asia: str | None = None, bold: bool | None = None) -> None:
    """Font size (pt), colour ('C00000'), Chinese font name and bold of a style."""
    font = style.font  # type: ignore[attr-defined]
    if size_pt is not None:
        font.size = Pt(size_pt)
        rpr = style.element.get_or_add_rPr()
        sz_cs = rpr.find(qn("w:szCs"))
        if sz_cs is not None:
            sz_cs.set(qn("w:val"), str(round(size_pt * 2)))
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)
    if bold is not None:
        font.bold = bold
    if east_asia is not None:
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = w_element("w:rFonts")
            rpr.insert(0, rfonts)
        rfonts.set(qn("w:eastAsia"), east_asia)


def set_line(style: BaseStyle, line_pt: float, before_pt: float | None = None,
             after_pt: float | None = None) -> None:
    """An exact line pitch (and space before/after) for a paragraph style."""
    fmt = style.paragraph_format  # type: ignore[attr-defined]
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    if before_pt is not None:
        fmt.space_before = Pt(before_pt)
    if after_pt is not None:
        fmt.space_after = Pt(after_pt)


def set_bottom_border(style: BaseStyle, color: str, width_eighths: int = 16) -> None:
    """A rule under the paragraph (w:pBdr/w:bottom), e.g. the red line of a 简报 masthead."""
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:pBdr")):
        ppr.remove(old)
    border = w_element("w:pBdr")
    border.append(w_element("w:bottom", val="single", sz=str(width_eighths), space="4",
                            color=color))
    # Schema order: pBdr comes after keepNext…pageBreakBefore and before spacing / ind / jc.
    anchor = next((c for c in ppr if c.tag in {qn("w:shd"), qn("w:tabs"), qn("w:spacing"),
                                               qn("w:ind"), qn("w:jc")}), None)
    if anchor is not None:
        anchor.addprevious(border)
    else:
        ppr.append(border)


def _drop_letter_spacing(style: BaseStyle) -> None:
    rpr = style.element.rPr
    if rpr is not None:
        for spacing in rpr.findall(qn("w:spacing")):
            rpr.remove(spacing)


def build_brief_reference(source: Path, target: Path) -> None:
    """The 简报 look from the default reference: 四号 body on a 24 pt pitch, red masthead."""
    doc = docx.Document(str(source))
    styles = doc.styles
    paragraph_names = ["Body Text", "Body Text No Indent", "Body Text Center", "Body Text Right",
                       "Heading 1", "Heading 2", "Heading 3", "Heading 4", "List Number",
                       "Signature"]
    for name in paragraph_names:
        set_font(styles[name], size_pt=14)
        set_line(styles[name], 24)
        _drop_letter_spacing(styles[name])
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        set_line(styles[name], 24, before_pt=6)
    set_font(styles["Title"], size_pt=26, color="C00000", east_asia="方正小标宋简体")
    set_line(styles["Title"], 40, after_pt=6)
    masthead = styles["Body Text Center"]
    set_font(masthead, east_asia="楷体_GB2312")
    set_bottom_border(masthead, "C00000")
    set_line(masthead, 24, after_pt=12)
    set_font(styles["Table Caption"], size_pt=12)
    for name in ("Table Header", "Table Text", "Table Note", "Report Table"):
        set_font(styles[name], size_pt=10.5)
    set_font(styles["Image Caption"], size_pt=12)
    for name in ("Footer", "Page Number"):
        set_font(styles[name], size_pt=12)
    section = doc.sections[0]
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(25))
    section.footer_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.set(qn("w:linePitch"), "480")
    doc.core_properties.title = "简报参考样式"
    buffer = io.BytesIO()
    doc.save(buffer)
    target.write_bytes(deterministic_zip(buffer.getvalue()))


def main(argv: list[str] | None = None) -> int:
    from reportgen.templating.templateset import REFERENCE_DOCX, templates_root

    args = sys.argv[1:] if argv is None else argv
    root = templates_root()
    target = Path(args[0]) if args else root / "brief" / REFERENCE_DOCX
    build_brief_reference(root / "default" / REFERENCE_DOCX, target)
    print(f"已生成简报参考文档：{target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
