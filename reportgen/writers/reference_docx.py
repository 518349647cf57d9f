"""Build the default reference .docx: page setup, footers and every style the DOCX writer uses.

    python -m reportgen.writers.reference_docx [PATH]    # default: templates/default/reference.docx

The reference document is what staff edit in Word to restyle the DOCX (styles only); the writer
keeps its styles, page setup and footers and replaces the body. This module is the source of
the default one, so the layout rules of the spec (GB/T 9704-2012) live here in code:

- A4, margins 37/35/28/26 mm (top/bottom/left/right): a 156 × 225 mm text block;
- body 仿宋_GB2312 三号 (16 pt), exact line pitch 28.95 pt (22 lines a page), first-line
  indent of two characters, letter spacing tightened so 28 characters fill a line;
- page number `— 1 —` in 四号 (14 pt) 宋体, right on odd pages and left on even pages, each
  one character in from the edge of the text block (单页码居右空一字，双页码居左空一字).

Chinese fonts in Word only apply through the East Asian slot (w:eastAsia), which python-docx's
`font.name` does not set, so every style here writes its rFonts itself. 方正小标宋简体 is not on
every computer: the font table names 宋体 as its alternative (w:altName), which Word uses when
the face is missing.

Everything is deterministic (fixed core-property dates, fixed zip timestamps), so running this
twice gives the same bytes and the committed file only changes when the code does.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

LATIN_FONT = "Times New Roman"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
TITLE_FONT = "方正小标宋简体"

# Word substitutes a missing face by w:altName from the font table; charset 86 is GB2312.
FONT_TABLE: tuple[tuple[str, str, str], ...] = (
    # (name, alternative, family)
    (FANGSONG, "仿宋", "modern"),
    ("仿宋", "FangSong", "modern"),
    (KAITI, "楷体", "script"),
    ("楷体", "KaiTi", "script"),
    (HEITI, "SimHei", "modern"),
    (SONGTI, "SimSun", "auto"),
    (TITLE_FONT, SONGTI, "script"),
)

# Page geometry (GB/T 9704-2012 §5.2).
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
HEADER_DISTANCE_MM = 15
# The page number's dash should sit 7 mm below the text block (35 mm from the bottom edge),
# i.e. 28 mm up. A single-spaced 14 pt line is about 6.5 mm high with the dash at its middle,
# so the footer's bottom edge goes about 3 mm lower: 25 mm from the page edge.
FOOTER_DISTANCE_MM = 25

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
CAPTION_PT = 14  # 四号
TABLE_PT = 12  # 小四
PAGE_NUMBER_PT = 14  # 四号
LINE_PITCH_TWIPS = 579  # 28.95 pt: 22 lines in the 225 mm text block
# 28 characters of 16 pt are 448 pt against a 442.2 pt line; -0.25 pt each (w:spacing is in
# twentieths of a point) brings 28 characters to 441 pt, so a full line really holds 28.
BODY_LETTER_SPACING = -5

FIXED_DATE = datetime(2025, 1, 1, tzinfo=UTC)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class StyleSpec:
    """One named style, written out in full (nothing is left to the python-docx template)."""

    name: str
    kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH
    based_on: str | None = "Normal"
    next_style: str | None = None
    east_asia: str = FANGSONG
    size_pt: float | None = BODY_PT
    bold: bool = False
    align: str | None = None  # w:jc value: left, center, right, both
    first_line_chars: int | None = None  # hundredths of a character; 200 = 2 characters
    line_exact: bool = False  # exact 28.95 pt pitch, else single spacing
    space_before: int = 0  # twips
    space_after: int = 0
    keep_next: bool = False
    widow_control: bool | None = None  # None: inherit
    outline_level: int | None = None
    letter_spacing: int | None = None
    right_chars: int | None = None
    left_chars: int | None = None


def _body_like(name: str, **kw: object) -> StyleSpec:
    base: dict[str, object] = {"based_on": "Body Text", "next_style": "Body Text",
                               "line_exact": True}
    base.update(kw)
    return StyleSpec(name, **base)  # type: ignore[arg-type]


STYLE_SPECS: tuple[StyleSpec, ...] = (
    # Widow control off, as in 公文: it would leave pages a line short of the 22-line grid.
    StyleSpec("Normal", based_on=None, align="both", widow_control=False),
    StyleSpec("Body Text", next_style="Body Text", align="both", first_line_chars=200,
              line_exact=True, letter_spacing=BODY_LETTER_SPACING),
    _body_like("Body Text No Indent", first_line_chars=0),
    _body_like("Body Text Center", first_line_chars=0, align="center"),
    _body_like("Body Text Right", first_line_chars=0, align="right"),
    StyleSpec("Title", next_style="Body Text", east_asia=TITLE_FONT, size_pt=TITLE_PT,
              align="center", first_line_chars=0, line_exact=True,
              space_after=LINE_PITCH_TWIPS, outline_level=None),
    _body_like("Heading 1", east_asia=HEITI, keep_next=True, outline_level=0),
    _body_like("Heading 2", east_asia=KAITI, keep_next=True, outline_level=1),
    _body_like("Heading 3", bold=True, keep_next=True, outline_level=2),
    _body_like("Heading 4", keep_next=True, outline_level=3),
    StyleSpec("Run-in Heading 2", kind=WD_STYLE_TYPE.CHARACTER, based_on=None,
              east_asia=KAITI, size_pt=None),
    StyleSpec("Run-in Heading 3", kind=WD_STYLE_TYPE.CHARACTER, based_on=None,
              bold=True, size_pt=None),
    StyleSpec("Run-in Heading 4", kind=WD_STYLE_TYPE.CHARACTER, based_on=None, size_pt=None),
    _body_like("List Number"),
    StyleSpec("Table Caption", next_style="Table Text", east_asia=HEITI, size_pt=CAPTION_PT,
              align="center", first_line_chars=0, space_before=120, space_after=60,
              keep_next=True),
    StyleSpec("Table Header", next_style="Table Text", east_asia=HEITI, size_pt=TABLE_PT,
              align="center", first_line_chars=0),
    StyleSpec("Table Text", next_style="Table Text", size_pt=TABLE_PT, align="left",
              first_line_chars=0),
    StyleSpec("Table Note", next_style="Body Text", size_pt=TABLE_PT, align="left",
              first_line_chars=0, space_before=60, space_after=120),
    StyleSpec("Report Table", kind=WD_STYLE_TYPE.TABLE, based_on="Normal Table",
              size_pt=TABLE_PT),
    # The picture's own paragraph: single spacing, or an exact pitch would clip the image.
    StyleSpec("Figure", next_style="Image Caption", align="center", first_line_chars=0,
              space_before=120, keep_next=True),
    StyleSpec("Image Caption", next_style="Body Text", size_pt=CAPTION_PT, align="center",
              first_line_chars=0, space_after=120),
    _body_like("Signature", first_line_chars=0, align="right"),
    StyleSpec("Footer", east_asia=SONGTI, size_pt=PAGE_NUMBER_PT, first_line_chars=0),
    StyleSpec("Page Number", kind=WD_STYLE_TYPE.CHARACTER, based_on=None, east_asia=SONGTI,
              size_pt=PAGE_NUMBER_PT),
)

# Styles of the python-docx template we keep; the dozens of coloured table styles go, which
# keeps the committed file small and Word's style list short.
_KEEP_TABLE_STYLES = {"Normal Table", "Table Grid", "Report Table"}


def w_element(tag: str, **attrs: str) -> etree._Element:
    """A WordprocessingML element, e.g. w_element("w:jc", val="center")."""
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def rfonts(east_asia: str, latin: str = LATIN_FONT) -> etree._Element:
    """w:rFonts naming every slot explicitly; theme fonts would override the names otherwise."""
    return w_element("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin)


def _ppr(spec: StyleSpec) -> etree._Element | None:
    if spec.kind == WD_STYLE_TYPE.CHARACTER:
        return None
    ppr = w_element("w:pPr")
    # Children in schema order (CT_PPrBase): keepNext … spacing, ind, jc, outlineLvl.
    if spec.keep_next:
        ppr.append(w_element("w:keepNext"))
    if spec.widow_control is not None:
        ppr.append(w_element("w:widowControl", val="1" if spec.widow_control else "0"))
    line, rule = (str(LINE_PITCH_TWIPS), "exact") if spec.line_exact else ("240", "auto")
    ppr.append(w_element("w:spacing", before=str(spec.space_before),
                         after=str(spec.space_after), line=line, lineRule=rule))
    if spec.first_line_chars is not None or spec.left_chars or spec.right_chars:
        ind = w_element("w:ind")
        if spec.left_chars:
            ind.set(qn("w:leftChars"), str(spec.left_chars))
        if spec.right_chars:
            ind.set(qn("w:rightChars"), str(spec.right_chars))
        chars = spec.first_line_chars or 0
        size = spec.size_pt or BODY_PT
        # firstLine in twips as well, for programs that ignore the *Chars attributes.
        ind.set(qn("w:firstLine"), str(round(chars / 100 * size * 20)))
        ind.set(qn("w:firstLineChars"), str(chars))
        ppr.append(ind)
    if spec.align:
        ppr.append(w_element("w:jc", val=spec.align))
    if spec.outline_level is not None:
        ppr.append(w_element("w:outlineLvl", val=str(spec.outline_level)))
    return ppr


def _rpr(spec: StyleSpec) -> etree._Element:
    rpr = w_element("w:rPr")
    rpr.append(rfonts(spec.east_asia))
    # Explicit off as well as on: a heading based on a bold style must not inherit the bold.
    rpr.append(w_element("w:b", val="1" if spec.bold else "0"))
    rpr.append(w_element("w:bCs", val="1" if spec.bold else "0"))
    rpr.append(w_element("w:color", val="000000"))
    if spec.letter_spacing is not None:
        rpr.append(w_element("w:spacing", val=str(spec.letter_spacing)))
    if spec.size_pt is not None:
        half_points = str(round(spec.size_pt * 2))
        rpr.append(w_element("w:sz", val=half_points))
        rpr.append(w_element("w:szCs", val=half_points))
    return rpr


def _table_pr() -> etree._Element:
    """All borders single 0.5 pt (w:sz is in eighths of a point), small cell margins."""
    tbl_pr = w_element("w:tblPr")
    tbl_pr.append(w_element("w:jc", val="center"))
    borders = w_element("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(w_element(f"w:{edge}", val="single", sz="4", space="0", color="000000"))
    tbl_pr.append(borders)
    margins = w_element("w:tblCellMar")
    for edge, width in (("top", "28"), ("left", "85"), ("bottom", "28"), ("right", "85")):
        margins.append(w_element(f"w:{edge}", w=width, type="dxa"))
    tbl_pr.append(margins)
    return tbl_pr


def _apply_spec(doc: docx.document.Document, spec: StyleSpec) -> None:
    styles = doc.styles
    style = styles[spec.name]
    element = style.element
    # Start from a clean slate: the python-docx template's styles carry theme fonts, colours,
    # numbering (List Number) and linked character styles that would fight ours.
    for tag in ("w:pPr", "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr", "w:link"):
        for child in element.findall(qn(tag)):
            element.remove(child)
    style.base_style = styles[spec.based_on] if spec.based_on else None
    if spec.next_style and spec.kind == WD_STYLE_TYPE.PARAGRAPH:
        style.next_paragraph_style = styles[spec.next_style]
    style.hidden = False
    style.unhide_when_used = False
    style.quick_style = spec.kind != WD_STYLE_TYPE.TABLE
    ppr = _ppr(spec) if spec.kind == WD_STYLE_TYPE.PARAGRAPH else None
    if spec.kind == WD_STYLE_TYPE.TABLE:
        # Cell paragraphs take 'Table Text'; the table style itself only draws the grid.
        ppr = w_element("w:pPr")
        ppr.append(w_element("w:spacing", before="0", after="0", line="240", lineRule="auto"))
    if ppr is not None:
        element.append(ppr)
    element.append(_rpr(spec))
    if spec.kind == WD_STYLE_TYPE.TABLE:
        element.append(_table_pr())
        tc_pr = w_element("w:tcPr")
        tc_pr.append(w_element("w:vAlign", val="center"))
        element.append(tc_pr)


def _drop_orphan_links(doc: docx.document.Document, rebuilt: set[str]) -> None:
    """Remove the 'X Char' styles linked to styles we rebuilt; their old theme fonts and
    colours would come back whenever Word applies a linked style to part of a paragraph."""
    styles_el = doc.styles.element
    for style in list(styles_el.findall(qn("w:style"))):
        link = style.find(qn("w:link"))
        if link is not None and link.get(qn("w:val")) in rebuilt:
            styles_el.remove(style)


def _set_doc_defaults(doc: docx.document.Document) -> None:
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = w_element("w:docDefaults")
        styles_el.insert(0, defaults)
    for child in list(defaults):
        defaults.remove(child)
    rpr_default = w_element("w:rPrDefault")
    rpr = w_element("w:rPr")
    rpr.append(rfonts(FANGSONG))
    rpr.append(w_element("w:kern", val="2"))
    rpr.append(w_element("w:sz", val=str(BODY_PT * 2)))
    rpr.append(w_element("w:szCs", val=str(BODY_PT * 2)))
    rpr.append(w_element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
    rpr_default.append(rpr)
    defaults.append(rpr_default)
    ppr_default = w_element("w:pPrDefault")
    ppr = w_element("w:pPr")
    ppr.append(w_element("w:spacing", after="0", line="240", lineRule="auto"))
    ppr_default.append(ppr)
    defaults.append(ppr_default)


def _drop_unused_styles(doc: docx.document.Document) -> None:
    styles_el = doc.styles.element
    for style in list(styles_el.findall(qn("w:style"))):
        name_el = style.find(qn("w:name"))
        name = name_el.get(qn("w:val")) if name_el is not None else ""
        if style.get(qn("w:type")) == "table" and name not in _KEEP_TABLE_STYLES:
            styles_el.remove(style)


_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _drop_parts(doc: docx.document.Document) -> None:
    """Drop the template's stale thumbnail, custom XML and Word 2010 stylesWithEffects copy."""
    for rels, reltypes in (
        (doc.part.rels, {_STYLES_WITH_EFFECTS, RT.CUSTOM_XML}),
        (doc.part.package.rels, {RT.THUMBNAIL}),
    ):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in reltypes]:
            del rels[rid]


def _fix_font_table(doc: docx.document.Document) -> None:
    font_part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(font_part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt, family in FONT_TABLE:
        if name in existing:
            continue
        font = w_element("w:font", name=name)
        font.append(w_element("w:altName", val=alt))
        font.append(w_element("w:charset", val="86"))
        font.append(w_element("w:family", val=family))
        font.append(w_element("w:pitch", val="variable"))
        root.append(font)
    # A plain Part keeps its bytes in _blob; python-docx has no font-table API.
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                     standalone=True)


def _fix_settings(doc: docx.document.Document) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    for tag in ("w:rsids", "w:savePreviewPicture"):
        for child in settings.findall(qn(tag)):
            settings.remove(child)


def page_number_runs(paragraph_el: etree._Element, style_id: str) -> None:
    """Append `— PAGE —` to a paragraph: a real PAGE field (begin/instr/separate/end)."""

    def run(*children: etree._Element) -> None:
        r = w_element("w:r")
        rpr = w_element("w:rPr")
        rpr.append(w_element("w:rStyle", val=style_id))
        r.append(rpr)
        for child in children:
            r.append(child)
        paragraph_el.append(r)

    def text(value: str) -> etree._Element:
        t = w_element("w:t")
        t.text = value
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return t

    run(text("— "))
    run(w_element("w:fldChar", fldCharType="begin"))
    instr = w_element("w:instrText")
    instr.text = " PAGE "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run(instr)
    run(w_element("w:fldChar", fldCharType="separate"))
    run(text("1"))
    run(w_element("w:fldChar", fldCharType="end"))
    run(text(" —"))


def _write_footers(doc: docx.document.Document) -> None:
    section = doc.sections[0]
    footer_style = doc.styles["Footer"].style_id
    number_style = doc.styles["Page Number"].style_id
    for footer, align, indent in (
        (section.footer, "right", "rightChars"),
        (section.even_page_footer, "left", "leftChars"),
    ):
        footer.is_linked_to_previous = False
        root = footer._element
        for child in list(root):
            root.remove(child)
        p = w_element("w:p")
        ppr = w_element("w:pPr")
        ppr.append(w_element("w:pStyle", val=footer_style))
        # 空一字: one 14 pt character in from the text block's edge (280 twips).
        ppr.append(w_element("w:ind", **{indent: "100", indent.replace("Chars", ""): "280"}))
        ppr.append(w_element("w:jc", val=align))
        p.append(ppr)
        page_number_runs(p, number_style)
        root.append(p)


def _page_setup(doc: docx.document.Document) -> None:
    section = doc.sections[0]
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.gutter = Mm(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        # The pitch the body styles use; no grid type, so nothing snaps to it.
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def deterministic_zip(data: bytes) -> bytes:
    """The same package with fixed entry timestamps, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def build_reference_docx(path: Path) -> None:
    """Write the default reference document to `path`."""
    doc = docx.Document()
    _drop_parts(doc)
    _drop_unused_styles(doc)
    _set_doc_defaults(doc)
    # Create every style first: basedOn and next refer to styles defined later in the list.
    names = {s.name for s in doc.styles}
    for spec in STYLE_SPECS:
        if spec.name not in names:
            doc.styles.add_style(spec.name, spec.kind)
    rebuilt = {doc.styles[spec.name].style_id for spec in STYLE_SPECS}
    _drop_orphan_links(doc, rebuilt)
    for spec in STYLE_SPECS:
        _apply_spec(doc, spec)
    _fix_font_table(doc)
    _fix_settings(doc)
    _page_setup(doc)
    _write_footers(doc)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    # One sample line so the file opened in Word shows what the body style looks like.
    doc.add_paragraph("（参考文档：只有样式、页面设置和页脚会被使用，正文会被替换。）",
                      style="Body Text")
    core = doc.core_properties
    core.title = "调研报告参考样式"
    core.author = "reportgen"
    core.last_modified_by = "reportgen"
    core.created = FIXED_DATE
    core.modified = FIXED_DATE
    core.revision = 1
    core.language = "zh-CN"
    core.subject = ""
    core.keywords = ""
    core.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(deterministic_zip(buffer.getvalue()))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("用法：python -m reportgen.writers.reference_docx [输出路径]", file=sys.stderr)
        return 2
    if args:
        target = Path(args[0])
    else:
        from reportgen.templating.templateset import REFERENCE_DOCX, templates_root

        target = templates_root() / "default" / REFERENCE_DOCX
    build_reference_docx(target)
    print(f"已生成参考文档：{target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
