"""The preview's HTML: the page shell (toolbar, picker, downloads), the printed pages with their
text layer, and the error panel that says in Chinese which file and line to fix.

Every piece of text that comes from a file (survey text, template source, error messages, file
names) goes through `_e`, so nothing typed into a survey or template can become markup here.
"""

from __future__ import annotations

import time
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from reportgen.errors import (
    DocumentError,
    FontError,
    InternalError,
    OutputError,
    Problem,
    SurveyError,
    TemplateError,
    describe,
)
from reportgen.preview.poppler import PageInfo
from reportgen.preview.state import Choice, PreviewState, Rendering

_EAGER_PAGES = 2  # the first pages load at once; the rest when scrolled near
_MAX_PROBLEMS = 20
_CONTEXT_LINES = 2  # lines of template source shown around the faulty one
_PX_PER_PT = 96 / 72


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def query(choice: Choice) -> str:
    """The query string that names `choice` (template "" = the one the survey names)."""
    return urlencode({"survey": choice.survey.stem, "template": choice.template or ""})


def status(rendering: Rendering) -> tuple[str, str]:
    """(text, kind) of the status badge; kind is ok or error."""
    clock = time.strftime("%H:%M:%S", time.localtime(rendering.made_at))
    if rendering.ok:
        return f"已更新 {clock}（用时 {rendering.seconds:.1f} 秒）", "ok"
    return f"有错误 {clock}", "error"


# ---- pages ---------------------------------------------------------------------------------


def _text_layer(page: PageInfo) -> str:
    if page.width <= 0 or page.height <= 0:
        return ""
    spans = []
    for line in page.lines:
        left = line.x0 / page.width * 100
        top = line.y0 / page.height * 100
        size = max(line.y1 - line.y0, 1.0) / page.width * 100  # cqw: 1% of the sheet's width
        width = (line.x1 - line.x0) / page.width * 100
        spans.append(f'<span style="left:{left:.3f}%;top:{top:.3f}%;font-size:{size:.3f}cqw" '
                     f'data-width="{width:.3f}">{_e(line.text)}</span>')
    return '<div class="text-layer">' + "\n".join(spans) + "</div>"


def pages_html(rendering: Rendering) -> str:
    total = len(rendering.pages)
    out = []
    for number, page in enumerate(rendering.pages, start=1):
        width = page.width * _PX_PER_PT
        loading = "eager" if number <= _EAGER_PAGES else "lazy"
        out.append(
            f'<section class="sheet" id="page-{number}" data-page="{number}" '
            f'style="width:{width:.1f}px;aspect-ratio:{page.width:.2f}/{page.height:.2f}">'
            f'<img src="/pages/{rendering.id}/{number}.svg" alt="第 {number} 页" '
            f'loading="{loading}" decoding="async" draggable="false">'
            f"{_text_layer(page)}</section>"
            f'<p class="page-number">第 {number} 页 / 共 {total} 页</p>'
        )
    return '<div class="pages">' + "\n".join(out) + "</div>"


def _notes(rendering: Rendering) -> str:
    if not rendering.notes:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in rendering.notes)
    return f'<aside class="notes"><strong>提示</strong><ul>{items}</ul></aside>'


def _doc_meta(rendering: Rendering) -> str:
    return (f'<p class="doc-meta"><span class="doc-title">{_e(rendering.title)}</span>'
            f"<span>模板集：{_e(rendering.template or '')}</span>"
            f"<span>共 {len(rendering.pages)} 页</span>"
            "<span>与生成的 PDF 完全相同</span></p>")


def content_html(state: PreviewState, rendering: Rendering) -> str:
    """What goes in <main>: the pages, or the error panel over the last good pages."""
    if rendering.ok:
        return _doc_meta(rendering) + _notes(rendering) + pages_html(rendering)
    panel = error_panel(state, rendering.error)
    previous = state.last_good(rendering.choice)
    if previous is None:
        return panel
    clock = time.strftime("%H:%M:%S", time.localtime(previous.made_at))
    return (panel + f'<p class="stale-note">下面是上一次成功生成的预览（{clock}），'
            "改正错误并保存后会自动更新。</p>"
            f'<div class="stale">{pages_html(previous)}</div>')


# ---- error panel ---------------------------------------------------------------------------


def _shown(path: str) -> str:
    """A path as staff typed it: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return path


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _code(lines: list[tuple[int, str, bool]], mark_col: int | None = None) -> str:
    """Numbered source lines; the faulty one highlighted, its column marked when known."""
    out = []
    for number, text, hit in lines:
        body = _e(text) if text else " "
        if hit and mark_col is not None and text:
            i = min(max(mark_col - 1, 0), len(text) - 1)
            body = _e(text[:i]) + f"<mark>{_e(text[i])}</mark>" + _e(text[i + 1:])
        cls = "line hit" if hit else "line"
        out.append(f'<span class="{cls}"><span class="ln">{number}</span>{body}</span>')
    return '<pre class="source">' + "".join(out) + "</pre>"


def _template_file(state: PreviewState, name: str) -> Path | None:
    """The template file an error names, only if it lies inside the templates root."""
    path = Path(name)
    try:
        resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
    except OSError:
        return None
    return resolved if resolved.is_relative_to(state.templates_root) else None


def _template_panel(state: PreviewState, error: TemplateError) -> str:
    parts = ['<h2>模板有错误</h2>']
    if error.file:
        where = f"第 {error.line} 行" if error.line else ""
        parts.append(f'<p class="where">文件：<code class="file">{_e(error.file)}</code>'
                     f'<span class="line-no">{where}</span></p>')
    parts.append(f'<p class="message">{_e(error.message)}</p>')
    path = _template_file(state, error.file) if error.file else None
    lines = _read_lines(path) if path else []
    if error.line and 0 < error.line <= len(lines):
        first = max(error.line - _CONTEXT_LINES, 1)
        last = min(error.line + _CONTEXT_LINES, len(lines))
        parts.append(_code([(n, lines[n - 1], n == error.line) for n in range(first, last + 1)],
                           mark_col=error.column))
    elif error.source_line is not None and error.line:
        parts.append(_code([(error.line, error.source_line, True)], mark_col=error.column))
    return "".join(parts)


def _problem(problem: Problem, lines: list[str]) -> str:
    key = ""
    if problem.path:
        label = f"（{_e(problem.label)}）" if problem.label else ""
        key = f'<span class="key"><code>{_e(problem.path)}</code>{label}</span>'
    head = (f'<p class="where"><span class="line-no">第 {problem.line} 行，第 {problem.col} 列'
            f"</span>{key}</p>")
    body = f'<p class="message">{_e(problem.message)}</p>'
    if 0 < problem.line <= len(lines):
        body += _code([(problem.line, lines[problem.line - 1], True)], mark_col=problem.col)
    return f'<li class="problem">{head}{body}</li>'


def _survey_panel(state: PreviewState, error: SurveyError) -> str:
    path = Path(error.file).resolve()
    lines = _read_lines(path) if path in state.surveys() else []
    count = len(error.problems)
    shown = error.problems[:_MAX_PROBLEMS]
    items = "".join(_problem(p, lines) for p in shown)
    more = (f'<p class="more">还有 {count - len(shown)} 处问题没有列出；'
            "先改正上面的，保存后会显示其余的。</p>" if count > len(shown) else "")
    return (f"<h2>调研数据有错误（共 {count} 处）</h2>"
            f'<p class="where">文件：<code class="file">{_e(_shown(error.file))}</code></p>'
            f'<ol class="problems">{items}</ol>{more}')


_TITLES: list[tuple[type[Exception], str]] = [
    (DocumentError, "模板生成的内容有不支持的写法"),
    (FontError, "缺少字体"),
    (OutputError, "无法写出文件"),
    (InternalError, "内部错误"),
]


def error_panel(state: PreviewState, error: Exception | None) -> str:
    if isinstance(error, TemplateError):
        inner = _template_panel(state, error)
    elif isinstance(error, SurveyError):
        inner = _survey_panel(state, error)
    else:
        title = next((t for kind, t in _TITLES if isinstance(error, kind)), "无法生成预览")
        text = describe(error) if error is not None else ""
        inner = f'<h2>{title}</h2><p class="message">{_e(text)}</p>'
    hint = '<p class="hint">改正后保存文件，本页会自动刷新。</p>'
    return f'<section class="error-panel" role="alert">{inner}{hint}</section>'


# ---- the whole page -------------------------------------------------------------------------


def _options(values: list[tuple[str, str]], selected: str) -> str:
    return "".join(
        f'<option value="{_e(v)}"{" selected" if v == selected else ""}>{_e(label)}</option>'
        for v, label in values)


def picker(state: PreviewState, choice: Choice, rendering: Rendering | None) -> str:
    """The survey and template set menus; sent again with each refresh, so a survey or set
    added while the preview runs appears without reloading the page."""
    surveys = [(p.stem, p.name) for p in state.surveys()]
    own = rendering.template if rendering is not None and rendering.template else ""
    own_label = f"按调研数据指定（{own}）" if own and choice.template is None else "按调研数据指定"
    sets = [("", own_label)] + [(name, name) for name in state.template_sets()]
    return (
        '<form class="picker" method="get" action="/">'
        f'<label>调研数据<select name="survey">{_options(surveys, choice.survey.stem)}'
        "</select></label>"
        f'<label>模板集<select name="template">{_options(sets, choice.template or "")}'
        "</select></label>"
        '<noscript><button type="submit">切换</button></noscript>'
        "</form>"
    )


def _downloads(choice: Choice, enabled: bool) -> str:
    q = _e(query(choice))
    aria = "" if enabled else ' aria-disabled="true"'
    cls = "button" if enabled else "button disabled"
    return (f'<nav class="downloads">'
            f'<a class="{cls}" id="download-docx" href="/download/docx?{q}"{aria}>下载 Word</a>'
            f'<a class="{cls}" id="download-pdf" href="/download/pdf?{q}"{aria}>下载 PDF</a>'
            "</nav>")


def shell(state: PreviewState, choice: Choice | None, rendering: Rendering | None,
          main: str) -> str:
    """The full page; `main` is content_html() or a message when nothing can be shown."""
    if choice is None:  # an unknown survey or set was asked for: offer the defaults
        choice = state.choose()
    title = rendering.title if rendering is not None and rendering.title else "报告预览"
    text, kind = status(rendering) if rendering is not None else ("", "error")
    version = rendering.id if rendering is not None else ""
    ok = rendering is not None and rendering.ok
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>预览 · {_e(title)}</title>",
        '<link rel="stylesheet" href="/static/preview.css">',
        '<script src="/static/preview.js" defer></script>',
        "</head>",
        f'<body data-query="{_e(query(choice))}">',
        '<header class="toolbar">',
        '<span class="brand">报告预览</span>',
        picker(state, choice, rendering),
        f'<span class="status {kind}" id="status" role="status">{_e(text)}</span>',
        _downloads(choice, ok),
        "</header>",
        f'<main id="content" data-version="{_e(version)}">{main}</main>',
        "</body>",
        "</html>",
        "",
    ])


def message_page(title: str, message: str) -> str:
    """A small page for 404 and refused downloads."""
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title>"
            '<link rel="stylesheet" href="/static/preview.css"></head>'
            f'<body><main class="message-page"><section class="error-panel"><h2>{_e(title)}</h2>'
            f'<p class="message">{_e(message)}</p>'
            '<p class="hint"><a href="/">返回预览</a></p></section></main></body></html>\n')
