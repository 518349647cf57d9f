"""Checks on a set's other files: reference.docx styles, print.css fonts and URLs, set.yaml."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reportgen.checks.problems import CheckProblem
from reportgen.templating.environment import display_path
from reportgen.templating.templateset import TemplateSet, read_info

_KIND_WORDS = {"PARAGRAPH": "段落样式", "CHARACTER": "字符样式", "TABLE": "表格样式"}


def check_styles(template_set: TemplateSet) -> list[CheckProblem]:
    """Styles the DOCX writer needs that reference.docx lacks (or has as the wrong kind)."""
    import docx

    from reportgen.writers.reference_docx import STYLE_SPECS
    from reportgen.writers.styles import STYLE_LABELS

    path = template_set.reference_docx
    shown = display_path(str(path))
    if not path.is_file():
        return [CheckProblem("style", shown, None,
                             "缺少参考文档 reference.docx；请从 default 模板集复制一份")]
    from reportgen.files import TooLarge, check_zip
    from reportgen.writers.docx_writer import (
        REFERENCE_MAX_BYTES,
        REFERENCE_MAX_RATIO,
        REFERENCE_MAX_UNPACKED,
    )

    try:
        check_zip(path, REFERENCE_MAX_BYTES, REFERENCE_MAX_UNPACKED, REFERENCE_MAX_RATIO)
    except TooLarge as exc:
        return [CheckProblem("style", shown, None,
                             f"参考文档{exc}；请用 Word 另存一份正常的 .docx")]
    except Exception:  # not a zip at all: python-docx below says so in its words
        pass
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # zip, XML or content-type errors from a hand-edited file
        return [CheckProblem("style", shown, None,
                             f"参考文档无法打开（需要 Word 的 .docx 格式）：{exc}；"
                             "在 Word 里请用“另存为 → Word 文档 (*.docx)”")]
    have = {(s.name, s.type) for s in document.styles if s.name is not None}
    names = {name for name, _ in have}
    problems = []
    for spec in STYLE_SPECS:
        label = STYLE_LABELS.get(spec.name, "")
        kind = _KIND_WORDS.get(spec.kind.name, "样式")
        if (spec.name, spec.kind) in have:
            continue
        if spec.name in names:
            message = (f"样式“{spec.name}”（{label}）的类型不对：应该是{kind}；请删掉它，"
                       f"再从 default 模板集的 reference.docx 导入同名样式")
        else:
            message = (f"参考文档缺少样式“{spec.name}”（{label}，{kind}）；请在 Word 的"
                       "“管理样式 → 导入/导出”中从 default 模板集的 reference.docx 复制，"
                       "不要删除或改名这些样式")
        problems.append(CheckProblem("style", shown, None, message))
    return problems


# ----------------------------------------------------------------------------- print.css

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S | re.I)
_FONT_FAMILY = re.compile(r"(?<![\w-])font-family\s*:\s*([^;{}]+)", re.I)
_FONT_SHORTHAND = re.compile(
    r"(?<![\w-])font\s*:\s*[^;{}]*?\d[\w.%]*(?:\s*/\s*[\w.%]+)?\s+([^;{}]+)", re.I)
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import\s+(['\"])(.*?)\3", re.I | re.S)
GENERIC_FAMILIES = frozenset({
    "serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji",
    "fangsong", "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "inherit",
    "initial", "unset", "revert", "revert-layer",
})


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _families(value: str) -> list[str]:
    names = []
    for part in value.split(","):
        name = part.strip().strip("'\"").strip()
        name = re.sub(r"\s*!important$", "", name)
        if name:
            names.append(name)
    return names


@functools.cache
def _fc_family(pattern: str) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                             text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def font_installed(family: str) -> bool:
    """Installed under that name, or a fontconfig alias of an installed face (仿宋_GB2312)."""
    from reportgen.fonts import find_font_face

    if find_font_face(family, "") is not None:
        return True
    # fc-match always answers; an alias answers differently from a name it does not know.
    resolved = _fc_family(family)
    return resolved is not None and resolved != _fc_family("reportgen-no-such-font-family")


def check_css(template_set: TemplateSet) -> list[CheckProblem]:
    """Fonts named in print.css that are not installed; url()s that would not load."""
    path = template_set.css
    shown = display_path(str(path))
    if not path.is_file():
        return [CheckProblem("set", shown, None,
                             "缺少 print.css（PDF 的版式）；请从 default 模板集复制一份")]
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [CheckProblem("set", shown, None, f"print.css 无法读取（需要 UTF-8 文本）：{exc}")]
    lines = raw.splitlines()
    text = _CSS_COMMENT.sub(_blank, raw)
    declared = {name.casefold() for face in _FONT_FACE.findall(text)
                for m in _FONT_FAMILY.finditer(face) for name in _families(m.group(1))}
    usages = _FONT_FACE.sub(_blank, text)
    problems: list[CheckProblem] = []
    seen: set[str] = set()
    for pattern in (_FONT_FAMILY, _FONT_SHORTHAND):
        for match in pattern.finditer(usages):
            line = _line(usages, match.start())
            for family in _families(match.group(1)):
                key = family.casefold()
                if key in GENERIC_FAMILIES or key in declared or key in seen:
                    continue
                seen.add(key)
                if not font_installed(family):
                    problems.append(CheckProblem(
                        "font", shown, line,
                        f"字体“{family}”没有安装，PDF 会改用后面列出的字体或默认字体；"
                        "请安装该字体，或改用已安装的字体（终端运行 fc-list : family "
                        "可查看字体名），例如 FandolFang、FandolHei、FandolKai、FandolSong",
                        lines[line - 1] if line <= len(lines) else None))
    for match in _URL.finditer(text):
        url = (match.group(2) or match.group(4) or "").strip()
        line = _line(text, match.start())
        reason = _url_problem(url, template_set.root)
        if reason:
            problems.append(CheckProblem(
                "resource", shown, line,
                f"“{url}”不会被加载：{reason}；字体、图片等文件请放在模板集文件夹里，"
                "用相对路径引用（如 url(fonts/x.otf)）",
                lines[line - 1] if line <= len(lines) else None))
    return problems


def _url_problem(url: str, root: Path) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme and parts.scheme.lower() != "file":
        return f"不允许“{parts.scheme}:”开头的地址（只允许模板集文件夹里的文件）"
    if parts.scheme or url.startswith("/"):
        return "不能用绝对路径"
    target = (root / unquote(parts.path)).resolve()
    if not target.is_relative_to(root.resolve()):
        return "它在模板集文件夹之外"
    if not target.is_file():
        return "文件不存在"
    return None


# ----------------------------------------------------------------------------- set.yaml

INFO_KEYS = ("title", "description")


def check_info(template_set: TemplateSet) -> list[CheckProblem]:
    from reportgen.errors import TemplateError

    path = template_set.info_file
    shown = display_path(str(path))
    try:
        data = read_info(path)
    except TemplateError as exc:
        return [CheckProblem("set", shown, exc.line, exc.message)]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [CheckProblem("set", shown, None,
                             "set.yaml 应该是“键: 值”的形式，例如 title: 简报")]
    unknown = [str(k) for k in data if k not in INFO_KEYS]
    if unknown:
        return [CheckProblem("set", shown, None,
                             f"set.yaml 中不认识的项：{'、'.join(unknown)}；"
                             f"可用的项：{'、'.join(INFO_KEYS)}")]
    return []
