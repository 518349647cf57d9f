"""The printed PDF as the browser shows it: page sizes, a text layer, and each page as SVG.

The preview shows the real PDF (the bytes `reportgen build` writes), not an imitation of it in
the browser's own layout: poppler draws each page as vector SVG (crisp at any zoom, about
0.05 s a page) and reports where every line of text sits, so the page can lay an invisible,
selectable text layer over the drawing (Ctrl-F finds text; copying works).

Both tools read the PDF from stdin and write to stdout: nothing touches the disk.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from lxml import etree

from reportgen.errors import ReportgenError

_TIMEOUT = 60  # seconds; a page takes well under one
_INSTALL_HINT = "请安装 poppler-utils（sudo apt-get install poppler-utils）"


@dataclass(frozen=True)
class TextLine:
    """One line of text on a page, in PDF points from the top-left corner."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class PageInfo:
    width: float  # points
    height: float
    lines: tuple[TextLine, ...]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ReportgenError(f"预览需要 {name}，但没有找到；{_INSTALL_HINT}")
    return path


def _run(args: list[str], pdf: bytes) -> bytes:
    try:
        done = subprocess.run(args, input=pdf, capture_output=True, timeout=_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ReportgenError(f"{args[0]} 处理 PDF 超时（{_TIMEOUT} 秒）") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise ReportgenError(f"{args[0]} 无法读取生成的 PDF：{detail or done.returncode}")
    return done.stdout


def _float(element: etree._Element, name: str) -> float:
    try:
        return float(element.get(name, "0"))
    except ValueError:
        return 0.0


def page_layout(pdf: bytes) -> list[PageInfo]:
    """Every page's size and its lines of text (pdftotext -bbox-layout)."""
    xml = _run([_tool("pdftotext"), "-bbox-layout", "-enc", "UTF-8", "-", "-"], pdf)
    # recover=True: a stray control character in a survey must not break the preview.
    root = etree.fromstring(xml, parser=etree.XMLParser(recover=True, resolve_entities=False,
                                                        no_network=True))
    pages: list[PageInfo] = []
    if root is None:
        return pages
    for page in root.iter("{*}page"):
        lines = []
        for line in page.iter("{*}line"):
            words = [w.text or "" for w in line.iter("{*}word")]
            text = " ".join(w for w in words if w)
            if text:
                lines.append(TextLine(_float(line, "xMin"), _float(line, "yMin"),
                                      _float(line, "xMax"), _float(line, "yMax"), text))
        pages.append(PageInfo(_float(page, "width"), _float(page, "height"), tuple(lines)))
    return pages


def page_svg(pdf: bytes, number: int) -> bytes:
    """Page `number` (1-based) drawn as SVG, text as glyph outlines (pdftocairo -svg)."""
    page = str(int(number))
    return _run([_tool("pdftocairo"), "-svg", "-f", page, "-l", page, "-", "-"], pdf)
