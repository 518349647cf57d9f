"""The PDF writer: the document tree → HTML (writers.html) → WeasyPrint with the set's print.css.

Resources are served by a closed fetcher (`ResourcePolicy`): only files inside the template
set folder and the charts held in memory. A template set is something staff pass around
and edit, so its CSS must not be able to pull in /etc/passwd, a file next to the toolkit or
anything from the network. A refused URL is logged, collected in `PdfWriter.refused` and the
resource is simply not loaded; the report is still built from what is allowed.

Reproducibility: the PDF's dates come from the survey (``document.meta['date']``), not the
clock, and its /ID is a hash of the content, so two builds of the same input with the same
WeasyPrint, fonts and libraries give identical bytes. The /ID is the MD5 of the written file
(with_identifier), added to the trailer afterwards: WeasyPrint's `pdf_identifier=True` makes
pydyf compress every stream a second time just to hash it.

Per process, not per report: the set's print.css is parsed once (`stylesheet`, keyed by
the file's path, mtime and size, so an edit in watch is seen) and one FontConfiguration is
shared; print.css is therefore given to WeasyPrint as a parsed stylesheet (user origin)
after SAFETY_CSS, instead of a <link> parsed again for every report.

Table headers break only before their unit (工业总产值 / （亿元）): the HTML keeps label and
unit each in one piece, and a table that this makes wider than the page is laid out again
with looser headers (`overflowing_tables`, html.HEADER_WRAP_CLASSES). Most reports are laid
out once; one with a very crowded table two or three times.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar
from urllib.parse import unquote, urlsplit

from reportgen.document.model import Document, Figure
from reportgen.errors import FontError, TemplateError
from reportgen.files import TooLarge, read_bounded
from reportgen.templating.templateset import TemplateSet
from reportgen.writers.html import HEADER_WRAP_CLASSES, document_to_html

if TYPE_CHECKING:
    import weasyprint
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)

# Figures are addressed as reportgen-figure:1, reportgen-figure:2 … (1-based position in
# document.figures()); a scheme of our own can never collide with a file in the set.
FIGURE_SCHEME = "reportgen-figure"
# The largest file of a template set the PDF may load (print.css, a logo, a font file).
RESOURCE_MAX_BYTES = 20 * 1024 * 1024

# Defaults every template set gets, as a *user* stylesheet: the set's print.css (author
# origin) overrides them where it says otherwise. A word longer than a line (a pasted URL,
# a long company name in Latin letters) breaks instead of running off the page.
SAFETY_CSS = "html { overflow-wrap: anywhere; }"

# Characters the page furniture prints besides the document text (— 12 —).
_PAGE_NUMBER_CHARS = "— 0123456789"

_MIME_OVERRIDES = {
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".ttc": "font/collection",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
}


# Charts reach the PDF as JPEG, quality 95 without chroma subsampling: WeasyPrint embeds a
# JPEG as it is (DCTDecode), while it decodes every PNG and compresses it again at zlib level
# 6 (~50 ms a chart, the largest single cost of a report's PDF after layout). At 180 dpi the
# two are indistinguishable in print, even magnified; the DOCX keeps the lossless PNG.
JPEG_QUALITY = 95
_JPEG_START = b"\xff\xd8\xff"
_print_images: dict[str, bytes] = {}  # PNG digest → JPEG, for the reports of this process
_PRINT_IMAGES_KEPT = 64


def print_image(png: bytes) -> bytes:
    """The chart `png` as the PDF embeds it (JPEG; same pixels, dpi kept); deterministic."""
    import io

    from PIL import Image

    key = hashlib.sha256(png).hexdigest()
    jpeg = _print_images.get(key)
    if jpeg is None:
        with Image.open(io.BytesIO(png)) as image:
            out = io.BytesIO()
            dpi = image.info.get("dpi")
            image.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=0,
                                      optimize=False, **({"dpi": dpi} if dpi else {}))
        jpeg = out.getvalue()
        if len(_print_images) >= _PRINT_IMAGES_KEPT:
            _print_images.pop(next(iter(_print_images)))
        _print_images[key] = jpeg
    return jpeg


def figure_url(index: int) -> str:
    """The URL under which the index-th figure (1-based) is served to WeasyPrint."""
    return f"{FIGURE_SCHEME}:{index}"


class ResourceRefused(ValueError):
    """A URL outside what a report may load (template set folder, in-memory figures)."""


@dataclass
class ResourcePolicy:
    """Decides what a rendering may load; pure Python so it is testable without WeasyPrint."""

    root: Path
    figures: dict[str, bytes] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()

    def base_url(self) -> str:
        # The trailing slash makes relative URLs (print.css, fonts/x.otf) resolve inside it.
        return self.root.as_uri() + "/"

    def load(self, url: str) -> tuple[bytes, str, str]:
        """(content, MIME type, final URL) for `url`; ResourceRefused for anything else."""
        try:
            return self._load(url)
        except ResourceRefused as exc:
            self.refused.append(url)
            log.warning("已拒绝加载资源：%s（%s；只加载模板集文件夹内大小正常的文件）", url, exc)
            raise

    def _load(self, url: str) -> tuple[bytes, str, str]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == FIGURE_SCHEME:
            data = self.figures.get(url)
            if data is None:
                raise ResourceRefused(f"没有这张图：{url}")
            return data, "image/jpeg" if data.startswith(_JPEG_START) else "image/png", url
        if scheme != "file":
            raise ResourceRefused(f"不允许的协议“{scheme or '（无）'}”")
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused("不允许访问其他主机上的文件")
        raw = Path(unquote(parts.path))
        if not raw.is_absolute():
            raise ResourceRefused("不是绝对路径")
        try:
            # resolve() follows symlinks and folds "..", so a link or a ../ that leads out
            # of the set ends up outside root and is refused below.
            path = raw.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise ResourceRefused(f"文件不存在：{raw}") from exc
        if not path.is_relative_to(self.root):
            raise ResourceRefused("文件不在模板集文件夹内")
        if not path.is_file():
            raise ResourceRefused("不是普通文件")
        mime = _MIME_OVERRIDES.get(path.suffix.lower())
        if mime is None:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            data = read_bounded(path, RESOURCE_MAX_BYTES)
        except TooLarge as exc:
            raise ResourceRefused(f"{path.name} {exc}") from exc
        return data, mime, path.as_uri()


def make_url_fetcher(policy: ResourcePolicy) -> URLFetcher:
    """A WeasyPrint URL fetcher that serves only what `policy` allows (imports WeasyPrint)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _PolicyFetcher(URLFetcher):
        def __init__(self) -> None:
            # No protocol at all for the inherited urllib machinery: everything goes
            # through fetch() below, and nothing may fall back to urllib.
            super().__init__(allowed_protocols=(), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            data, mime, final_url = policy.load(url)
            content_type = f"{mime}; charset=utf-8" if mime == "text/css" else mime
            return URLFetcherResponse(final_url, data, {"Content-Type": content_type})

    return _PolicyFetcher()


class _ChineseWeasyPrintMessages(logging.Filter):
    """WeasyPrint's own warnings, as staff read them: in Chinese, without duplicates.

    A URL the policy refused has been reported already (in Chinese, with the reason), so
    WeasyPrint's English "Failed to load … ResourceRefused" line about it is dropped.
    """

    _WHY: ClassVar[dict[str, str]] = {
        "unknown property": "不认识的属性", "invalid value": "取值无效",
        "unsupported value": "不支持的取值", "invalid or unsupported value": "取值无效或不支持",
    }
    _WHAT: ClassVar[dict[str, str]] = {
        "Failed to load image at %r: %s": "图片",
        "Failed to load stylesheet at %s: %s": "样式表",
        "Failed to load stylesheet at %s : %s": "样式表",
    }

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        what = self._WHAT.get(str(record.msg))
        if what is not None and len(args) == 2:
            reason = str(args[1])
            if ResourceRefused.__name__ in reason:
                return False
            record.msg = f"{what}无法加载：%s（%s）"
            record.args = (args[0], reason or "文件格式错误")
        elif record.msg == "Font-face %r cannot be loaded" and len(args) == 1:
            record.msg = "@font-face 定义的字体“%s”无法加载，改用后面列出的字体"
        elif record.msg == "Failed to load inline SVG: %s":
            record.msg = "SVG 图形无法加载：%s"
        elif record.msg == "Ignored `%s:%s` at %d:%d, %s." and len(args) == 5:
            # A mistake in print.css, as staff wrote it: where, what, why.
            name, value, line, column, why = args
            record.msg = "样式表第 %d 行第 %d 列：已忽略“%s:%s”（%s）"
            record.args = (line, column, name, value, self._WHY.get(str(why), str(why)))
        elif str(record.msg).startswith("Invalid or unsupported selector") and args:
            record.msg = "样式表中有不支持的选择器 %s，这条规则已忽略"
            record.args = (str(args[0]).strip("'\""),)
        elif not any("\u4e00" <= ch <= "\u9fff" for ch in str(record.msg)):
            # Any other English notice of WeasyPrint: say in Chinese what it concerns.
            record.msg = "PDF 排版提示（WeasyPrint）：%s"
            record.args = (record.getMessage(),)
        return True


class _RepeatedMessages(logging.Filter):
    """Drops a warning given already: a page laid out again logs the same things again."""

    def __init__(self) -> None:
        super().__init__()
        self.repeating = False
        self._seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.getMessage())
        if self.repeating and key in self._seen:
            return False
        self._seen.add(key)
        return True


def overflowing_tables(page: weasyprint.HTML, rendered: weasyprint.Document) -> list[int]:
    """Positions (in document order, 0-based) of the table.data tables wider than their block.

    The automatic table layout never makes a table narrower than the sum of its columns'
    smallest widths, and a header kept whole sets that width; such a table runs off the page.
    """
    from weasyprint.formatting_structure import boxes

    tables = [el for el in page.etree_element.iter("table")
              if "data" in (el.get("class") or "").split()]
    wide: set[int] = set()

    def visit(box: boxes.Box, right: float) -> None:
        for child in getattr(box, "children", ()):
            # 0.5 px: rounding in the layout, not a table off the page.
            if (isinstance(child, boxes.TableBox)
                    and child.position_x + child.margin_width() > right + 0.5):
                wide.add(id(child.element))
            inner = right
            # A table's wrapper is as wide as the table: not the block the table must fit.
            if isinstance(child, boxes.BlockContainerBox) and not child.is_table_wrapper:
                inner = child.content_box_x() + child.width
            visit(child, inner)

    for rendered_page in rendered.pages:
        page_box = rendered_page._page_box
        visit(page_box, page_box.content_box_x() + page_box.width)
    return [i for i, el in enumerate(tables) if id(el) in wide]


def check_font_coverage(text: str) -> None:
    """Warn about characters drawn from Noto CJK; FontError if some have no font at all."""
    from reportgen.fonts import NOTO_SERIF, coverage_report, find_font_face

    fallback, missing = coverage_report(text)
    if missing:
        chars = "".join(sorted(missing))
        if find_font_face(NOTO_SERIF, "") is None:
            hint = "请安装 fonts-noto-cjk（sudo apt-get install fonts-noto-cjk）"
        else:  # the fallback fonts are there: these characters have no glyph anywhere
            hint = "表情符号、组合符号和部分生僻字无法打印，请删除或改用常用字"
        raise FontError(f"以下字符没有任何已安装的字体能显示，PDF 中会成为方框：{chars}；{hint}")
    if fallback:
        log.warning(
            "以下字符 Fandol 字体没有，改用 Noto CJK 字体显示：%s", "".join(sorted(fallback))
        )


_safety: weasyprint.CSS | None = None


def _safety_css() -> weasyprint.CSS:
    global _safety
    if _safety is None:
        import weasyprint

        _safety = weasyprint.CSS(string=SAFETY_CSS, font_config=font_config())
    return _safety


def _warn_if_slow_subsetting() -> None:
    # Ask WeasyPrint itself whether it loaded the library: that is what decides the speed.
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        log.warning(
            "未找到 libharfbuzz-subset，字体子集化会改用 fontTools，生成 PDF 约慢 20 倍；"
            "请安装 libharfbuzz-subset0"
        )


_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """One FontConfiguration per process, shared by every report (and its cached CSS)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


@dataclass
class _ParsedCss:
    css: weasyprint.CSS
    refused: list[str]  # URLs print.css asked for and the policy refused
    messages: list[logging.LogRecord]  # what WeasyPrint said while parsing it


# print.css's path, with (name, mtime_ns, size) of every stylesheet of the set (an @import
# of another file counts) → the parsed print.css; a set edited in watch gets a new entry.
_stylesheets: dict[tuple[object, ...], _ParsedCss] = {}
_STYLESHEETS_KEPT = 8


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def stylesheet(template_set: TemplateSet) -> tuple[_ParsedCss, bool]:
    """The set's print.css, parsed once per process; (parsed, True) if it came from the cache.

    Parsed with a fetcher that serves only the set's folder, and with the shared
    FontConfiguration (its @font-face rules are registered there, once). What the parse
    refused or warned about is kept with it and said again for each report that uses it.
    """
    import weasyprint

    path = template_set.css.resolve()
    key: tuple[object, ...] = (str(path), *(
        (str(css), info.st_mtime_ns, info.st_size)
        for css in sorted(template_set.root.rglob("*.css"))
        if css.is_file() and (info := css.stat())))
    cached = _stylesheets.get(key)
    if cached is not None:
        for url in cached.refused:
            log.warning("已拒绝加载资源：%s（只加载模板集文件夹内大小正常的文件）", url)
        for record in cached.messages:
            logging.getLogger(record.name).handle(record)
        return cached, True
    policy = ResourcePolicy(root=template_set.root)
    keep = _Keep()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(keep)
    try:
        css = weasyprint.CSS(filename=str(path), url_fetcher=make_url_fetcher(policy),
                             font_config=font_config())
    finally:
        weasy_log.removeHandler(keep)
    if len(_stylesheets) >= _STYLESHEETS_KEPT:
        _stylesheets.pop(next(iter(_stylesheets)))
    parsed = _ParsedCss(css, list(policy.refused), keep.records)
    _stylesheets[key] = parsed
    return parsed, False


@contextlib.contextmanager
def _unheard(*loggers: logging.Logger) -> Iterator[None]:
    """Records of `loggers` reach only their own handlers (stylesheet() keeps them to say
    at the report they concern), not the root's: a parse ahead of time says nothing."""
    saved = [logger.propagate for logger in loggers]
    # A logger that neither propagates nor has a handler would print through logging's
    # last-resort handler (a bare line on stderr): give each one that swallows the record.
    quiet = logging.NullHandler()
    for logger in loggers:
        logger.propagate = False
        logger.addHandler(quiet)
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, saved, strict=True):
            logger.propagate = propagate
            logger.removeHandler(quiet)


_XREF_DICT = re.compile(rb"\d+ 0 obj\s*<<")


def with_identifier(pdf: bytes) -> bytes:
    """`pdf` (written without /ID) with /ID [<md5> <md5>] of its bytes in the trailer.

    pydyf ends the file with a cross-reference stream object (or a classic trailer) and
    `startxref`; the /ID goes into that last dictionary, after its `<<`, so every offset in
    the file (all before that point, or the object's own start) stays right.
    """
    digest = hashlib.md5(pdf, usedforsecurity=False).hexdigest().encode()
    entry = b"/ID [<" + digest + b"> <" + digest + b">]"
    start = pdf.rindex(b"startxref")
    trailer = pdf.rfind(b"trailer", 0, start)
    if trailer != -1:  # classic xref table: `trailer <<…>>`
        at = pdf.index(b"<<", trailer) + 2
    else:  # cross-reference stream: `startxref N` points at its object
        offset = int(pdf[start + len(b"startxref"):].split()[0])
        match = _XREF_DICT.match(pdf, offset)
        if match is None:
            raise ValueError("PDF 结尾的交叉引用表无法识别")
        at = match.end()
    return pdf[:at] + entry + pdf[at:]


class PdfWriter:
    name = "pdf"
    suffix = ".pdf"

    def __init__(self) -> None:
        # URLs the last write() refused to load, for the build to report.
        self.refused: list[str] = []

    def prepare(self, template_set: TemplateSet) -> None:
        """WeasyPrint's import, the font tables and the parsed print.css, before the first
        write (~1.3 s of a fresh process), e.g. while a forked process draws the charts."""
        try:
            from reportgen.fonts import coverage_report, require_pdf_fonts

            require_pdf_fonts()
            coverage_report("调研报告")  # reads (and caches) each face's character map
            _safety_css()
            if template_set.css.is_file():
                # Kept with the parse: its warnings are said again at the report's write().
                with _unheard(logging.getLogger("weasyprint"), log):
                    stylesheet(template_set)
        except Exception:  # write() meets the same problem and reports it
            log.debug("preparing the PDF writer failed", exc_info=True)

    def write(self, document: Document, template_set: TemplateSet, out: BinaryIO) -> None:
        from reportgen.fonts import require_pdf_fonts

        require_pdf_fonts()
        check_font_coverage(document.plain_text() + _PAGE_NUMBER_CHARS)
        if not template_set.css.is_file():
            raise TemplateError(f"模板集“{template_set.name}”缺少 {template_set.css.name}")

        figures = document.figures()
        urls = {id(fig): figure_url(i) for i, fig in enumerate(figures, start=1)}
        policy = ResourcePolicy(
            root=template_set.root,
            figures={urls[id(f)]: print_image(f.image) for f in figures if f.image is not None},
        )

        def image_src(fig: Figure) -> str:
            return urls.get(id(fig), "")

        # Imported here: loading WeasyPrint (Pango, HarfBuzz) takes about a second, and
        # `reportgen check` never needs it.
        import weasyprint

        _warn_if_slow_subsetting()
        options: dict[str, Any] = {
            "uncompressed_pdf": False,
            "full_fonts": False,  # subset fonts: a few hundred kB instead of 40 MB
            # /ID from a content hash, not random (stable bytes), added by with_identifier:
            # pydyf's own would compress every stream a second time to hash it.
            "pdf_identifier": False,
            "optimize_images": False,
        }
        messages = _ChineseWeasyPrintMessages()
        repeats = _RepeatedMessages()
        loggers = [logging.getLogger("weasyprint"), log]
        logging.getLogger("weasyprint").addFilter(messages)
        for logger in loggers:
            logger.addFilter(repeats)
        try:
            parsed_css, _ = stylesheet(template_set)
            policy.refused.extend(parsed_css.refused)
            print_css = parsed_css.css
            # Table headers are kept whole (label, unit) as long as the table fits the page;
            # a table they push off the page is laid out again with looser headers
            # (html.HEADER_WRAP_CLASSES). Most reports are laid out once.
            header_wrap: dict[int, int] = {}
            while True:
                html = document_to_html(document, css_href=None, image_src=image_src,
                                        header_wrap=header_wrap)
                page = weasyprint.HTML(string=html, base_url=policy.base_url(),
                                       url_fetcher=make_url_fetcher(policy))
                # SAFETY_CSS first: print.css, later in the same (user) origin, overrides it.
                rendered = page.render(stylesheets=[_safety_css(), print_css],
                                       font_config=font_config(), **options)
                looser = [i for i in overflowing_tables(page, rendered)
                          if header_wrap.get(i, 0) < len(HEADER_WRAP_CLASSES) - 1]
                if not looser:
                    break
                for index in looser:
                    header_wrap[index] = header_wrap.get(index, 0) + 1
                repeats.repeating = True  # warnings of the next pass were given already
            out.write(with_identifier(rendered.write_pdf(**options)))
        finally:
            logging.getLogger("weasyprint").removeFilter(messages)
            for logger in loggers:
                logger.removeFilter(repeats)
            self.refused = list(dict.fromkeys(policy.refused))
