"""The HTML subset templates may produce, and what to use instead of anything else.

One declaration: the parser (document.html_parser) refuses a tag outside it with this advice,
and `reportgen templates check` (checks.sources) finds such tags in a template's text.
"""

from __future__ import annotations

# What document.html_parser reads (see its docstring); head/title/meta are dropped by the
# parser, so they are harmless.
SUPPORTED_TAGS = frozenset({
    "html", "head", "title", "meta", "body", "section", "div", "article", "main", "header",
    "footer", "h1", "h2", "h3", "h4", "h5", "p", "strong", "b", "em", "i", "span", "table",
    "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "ol", "ul", "li",
})

_STYLE_ADVICE = "样式请写在模板集的 print.css（PDF）和 reference.docx（Word）中"
_DROP = "报告中不支持，请删掉"
TAG_ADVICE: dict[str, str] = {
    "img": "图片不能直接插入；图表请用 {{ chart(\"bar\", caption=\"图题\") }} 生成",
    "figure": "图请用 {{ chart(...) }} 生成，不要手写 <figure>",
    "figcaption": "图题是 chart(...) 的 caption 参数，不要手写 <figcaption>",
    "br": "换行请另起一段：用新的 <p>…</p>",
    "a": "报告中不支持链接，请直接写文字",
    "script": "模板中不能运行脚本，请删掉",
    "style": _STYLE_ADVICE,
    "link": _STYLE_ADVICE,
    "font": "字体请在 print.css 和 reference.docx 中设置",
    "center": "居中请用 <p class=\"center\">…</p>",
    "h6": "标题最多四级：<h2>～<h5>（<h1> 是报告标题）",
    "hr": "不支持分隔线；请用标题分隔内容",
    "u": "不支持下划线；强调请用 <strong>",
    "s": "不支持删除线，请删掉",
    "sup": "不支持上标，请直接写文字（如“平方米”）",
    "sub": "不支持下标，请直接写文字",
    "blockquote": "请用普通段落 <p>",
    "pre": "请用普通段落 <p>",
    "code": "请用普通文字",
    "dl": "请用 <ol> 或 <ul> 和 <li>",
    "dt": "请用 <ol> 或 <ul> 和 <li>",
    "dd": "请用 <ol> 或 <ul> 和 <li>",
    "nav": "请用 <section> 或 <div>",
    "aside": "请用 <section> 或 <div>",
}
for _tag in ("iframe", "object", "embed", "video", "audio", "canvas", "svg", "form", "input",
             "button", "select", "textarea", "noscript", "base"):
    TAG_ADVICE[_tag] = _DROP

SUPPORTED_LIST = "h1～h5、p、strong、em、span、table、ol、ul、li、div、section"


def tag_advice(tag: str) -> str:
    return TAG_ADVICE.get(tag, f"可用的标签：{SUPPORTED_LIST}（见《模板编辑指南》）")
