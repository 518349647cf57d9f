"""Jinja's English error messages, said in Chinese for the staff who edit templates.

Every message says what is wrong and what to do. Syntax errors about blocks are relocated:
Jinja reports an unclosed {% if %} at the end of the file, but staff need the line where the
block was opened, so the template's tags are matched here to find it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable

import jinja2

# Block tags and their end tags; `set` is a block only in its {% set x %}…{% endset %} form.
BLOCK_TAGS = {
    "if": "endif", "for": "endfor", "macro": "endmacro", "call": "endcall",
    "filter": "endfilter", "set": "endset", "with": "endwith", "block": "endblock",
    "autoescape": "endautoescape", "trans": "endtrans", "raw": "endraw",
}
# Jinja's own filters worth listing to staff (the rest are still accepted).
COMMON_JINJA_FILTERS = ("length", "join", "first", "last", "sort", "default", "round")
_KNOWN_TAGS = ("if、elif、else、for、set、macro、call、import、from、include、with、filter、"
               "block、extends")


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, if one is close enough."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: Iterable[str], what: str = "",
                 listed: Iterable[str] | None = None) -> str:
    """'，是不是要写“x”？' or '；可用的…：a、b、c' (empty when there are no candidates).

    `listed` are the names to list when nothing is close (default: all candidates).
    """
    names = sorted(set(candidates))
    guess = suggest(name, names)
    if guess:
        return f"，是不是要写“{guess}”？"
    shown = sorted(set(listed)) if listed is not None else names
    if shown and what:
        return f"；可用的{what}：{'、'.join(shown)}"
    return ""


# ----------------------------------------------------------------------------- attributes


def _attribute_table() -> dict[str, tuple[str, list[str]]]:
    """Jinja's type name of each object templates see → (Chinese label, its attributes)."""
    from reportgen.survey import model
    from reportgen.templating import context

    labelled: list[tuple[type, str]] = [
        (model.Region, "region（地区）"),
        (model.ReportInfo, "report（报告信息）"),
        (model.Totals, "totals（全域总量）"),
        (model.Cluster, "集群（clusters 中的一项）"),
        (model.Finding, "问题、原因或建议（problems、causes、suggestions 中的一项）"),
        (model.Survey, "survey（整份调研数据）"),
        (context.Summary, "summary（概况）"),
        (context.ClusterGroup, "分组（groups 中的一项）"),
    ]
    table: dict[str, tuple[str, list[str]]] = {}
    for cls, label in labelled:
        if dataclasses.is_dataclass(cls):
            names = [f.name for f in dataclasses.fields(cls)]
        else:
            names = [n.rstrip("_") for n in cls.model_fields if n != "source"]  # type: ignore[attr-defined]
        names += [n for n, v in vars(cls).items() if isinstance(v, property)]
        table[f"{cls.__module__}.{cls.__name__} object"] = (label, names)
    return table


_PLAIN_KINDS = {
    "str object": "文字", "int object": "数字", "decimal.Decimal object": "数字",
    "float object": "数字", "dict object": "字典", "tuple object": "列表",
    "list object": "列表", "datetime.date object": "日期",
}
_NO_ATTRIBUTE = re.compile(r"^'?(.+? object|None)'? has no (?:attribute|element) '?(.*?)'?$")
_IS_UNDEFINED = re.compile(r"^'(.+)' is undefined$")


def explain_undefined(message: str, source_line: str | None, variables: Iterable[str],
                      functions: Iterable[str]) -> str:
    """A StrictUndefined message in Chinese, with the likely intended name."""
    found = _IS_UNDEFINED.match(message)
    if found:
        name = found.group(1)
        if source_line and re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", source_line):
            return f"不认识的函数“{name}”" + did_you_mean(name, functions, "函数")
        return f"变量“{name}”不存在" + did_you_mean(name, variables, "变量")
    found = _NO_ATTRIBUTE.match(message)
    if found:
        kind, attribute = found.group(1), found.group(2)
        if kind == "None":
            return (f"这一项在调研数据中没有填写（是空值），不能再取“{attribute}”；"
                    "请先用 {% if … %} 判断它是否填写")
        known = _attribute_table().get(kind)
        if known:
            label, names = known
            return f"{label}没有“{attribute}”这一项" + did_you_mean(attribute, names, "项")
        if attribute.isdigit():
            return f"列表中没有第 {int(attribute) + 1} 项（序号从 0 开始）；请先判断列表长度"
        plain = _PLAIN_KINDS.get(kind, "这个值")
        return f"{plain}没有“{attribute}”这一项；请检查拼写，或看前面的名字是否写错"
    return f"模板用到了不存在的变量或属性：{message}；请检查拼写"


# ----------------------------------------------------------------------------- syntax


@dataclasses.dataclass(frozen=True)
class _Tag:
    name: str
    line: int


def _block_mistake(source: str, env: jinja2.Environment) -> tuple[str, int] | None:
    """(message, line) for an unclosed, stray or crossed block tag; None if all pair up."""
    try:
        tokens = [t for t in env.lex(source) if t[1] != "whitespace"]
    except jinja2.TemplateSyntaxError:
        return None
    stack: list[_Tag] = []
    i = 0
    while i < len(tokens):
        line, kind, _ = tokens[i]
        if kind != "block_begin" or i + 1 >= len(tokens) or tokens[i + 1][1] != "name":
            i += 1
            continue
        tag = tokens[i + 1][2]
        j = i + 2
        assigns = False
        while j < len(tokens) and tokens[j][1] != "block_end":
            assigns = assigns or tokens[j][1:] == ("operator", "=")
            j += 1
        if tag in BLOCK_TAGS and not (tag == "set" and assigns):
            stack.append(_Tag(tag, line))
        elif tag.startswith("end") and tag != "end":
            opened = tag[3:]
            if stack and stack[-1].name == opened:
                stack.pop()
            elif stack:
                top = stack[-1]
                end = BLOCK_TAGS[top.name]
                return (f"这里的 {{% {tag} %}} 与第 {top.line} 行的 {{% {top.name} %}} 不配对："
                        f"第 {top.line} 行的 {{% {top.name} %}} 要先用 {{% {end} %}} 结束，"
                        f"再写 {{% {tag} %}}", line)
            else:
                return (f"多余的 {{% {tag} %}}：前面没有与它对应的 {{% {opened} %}}；"
                        "请删掉它，或补上开头的标签", line)
        i = j + 1
    if stack:
        top = stack[-1]
        return (f"这一行的 {{% {top.name} %}} 没有结束：请在它管的内容之后加上 "
                f"{{% {BLOCK_TAGS[top.name]} %}}", top.line)
    return None


_SYNTAX_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"unexpected end of template, expected 'end of print statement'"),
     "{{{{ 没有用 }}}} 结束；请补上 }}}}"),
    (re.compile(r"unexpected end of template, expected 'end of statement block'"),
     "{{% 没有用 %}} 结束；请补上 %}}"),
    (re.compile(r"Encountered unknown tag '(else|elif)'"),
     "这里的 {{% {0} %}} 不在 {{% if %}} 之内，或在同一个 if 里重复了；请检查 if 的写法"),
    (re.compile(r"Encountered unknown tag '(\w+)'"),
     "不认识的标签 {{% {0} %}}；可用的标签有 " + _KNOWN_TAGS),
    (re.compile(r"unexpected char '?(.)'? at"),
     "这里有多余的符号“{0}”，或引号没有成对；文字要用成对的英文引号 \"…\" 括起来"),
    (re.compile(r"unexpected '(.)', expected '(.)'"),
     "括号没有成对：这里需要“{1}”，却遇到了“{0}”"),
    (re.compile(r"unexpected '(.)'"), "这里多了“{0}”，或前面的括号没有成对"),
    (re.compile(r"expected token 'end of print statement', got '(.+)'"),
     "{{{{ }}}} 里在“{0}”处写错了：两个名字之间缺少点（.）、竖线（|）或逗号？"
     "也可能少写了 }}}}"),
    (re.compile(r"expected token 'end of statement block', got '(.+)'"),
     "{{% %}} 里在“{0}”处写错了，或少写了 %}}"),
    (re.compile(r"expected token 'name', got '(.+)'"),
     "这里缺少名字（在“{0}”之前）：例如竖线 | 后面要写过滤器名"),
    (re.compile(r"Expected an expression, got '(.+)'"),
     "这里缺少内容（变量或值），在“{0}”之前"),
)


def explain_syntax(exc: jinja2.TemplateSyntaxError, source: str | None,
                   env: jinja2.Environment) -> tuple[str, int | None]:
    """(Chinese message, line) for a syntax error; the line of the opening tag for blocks."""
    message = exc.message or ""
    if isinstance(exc, jinja2.TemplateAssertionError):
        found = re.match(r"No (filter|test) named '(.+)'", message)
        if found:
            return explain_unknown_filter(found.group(1), found.group(2), env), exc.lineno
    blocky = ("Unexpected end of template" in message or "Encountered unknown tag 'end" in message
              or "You probably made a nesting mistake" in message)
    if blocky and source is not None:
        mistake = _block_mistake(source, env)
        if mistake:
            return f"模板语法错误：{mistake[0]}", mistake[1]
    for pattern, template in _SYNTAX_PATTERNS:
        found = pattern.search(message)
        if found:
            return "模板语法错误：" + template.format(*found.groups()), exc.lineno
    return f"模板语法错误：{message}", exc.lineno


def explain_unknown_filter(kind: str, name: str, env: jinja2.Environment) -> str:
    if kind == "test":
        return f"不认识的判断“is {name}”" + did_you_mean(name, env.tests, "判断")
    from reportgen import formatting
    from reportgen.templating import helpers

    ours = [*formatting.FILTERS, *helpers.FILTERS]
    return (f"不认识的过滤器“{name}”"
            + did_you_mean(name, env.filters, "过滤器", listed=[*ours, *COMMON_JINJA_FILTERS]))


# ----------------------------------------------------------------------------- runtime


def explain_runtime(exc: BaseException, env: jinja2.Environment) -> str:
    """Errors raised while the template runs (not undefined names, not syntax)."""
    text = str(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        return (f"找不到模板文件“{exc.name}”；include 和 import 只能引用本模板集文件夹里的文件，"
                "请检查文件名")
    if isinstance(exc, jinja2.exceptions.SecurityError):
        found = re.search(r"access to attribute '(.+?)'", text)
        if found and found.group(1).startswith("_"):
            return (f"模板中不允许访问“{found.group(1)}”：以下划线开头的内部属性和方法"
                    "不能在模板中使用")
        if found:
            return (f"模板中不允许访问“{found.group(1)}”：模板不能读写文件，"
                    "也不能使用程序内部的功能")
        return f"模板中不允许的操作：{text}"
    if isinstance(exc, jinja2.TemplateRuntimeError):
        found = re.match(r"No (filter|test) named '(.+)' found", text)
        if found:
            return explain_unknown_filter(found.group(1), found.group(2), env)
    if isinstance(exc, OverflowError) and "MAX_RANGE" in text:
        return "range() 最多只能生成 100000 个数；模板里不需要这么长的循环"
    if isinstance(exc, RecursionError):
        return "宏调用了自己太多层（无限递归），已停止；请检查宏是否在自己里面调用了自己"
    if isinstance(exc, ZeroDivisionError):
        return "除数为零；请先用 {% if … %} 判断除数不为零"
    if isinstance(exc, TypeError):
        found = re.match(r"'(\w+)' object is not callable", text)
        if found:
            return f"这里把一个值当成函数调用了（{found.group(1)} 不能加括号调用）；请去掉括号"
        found = re.match(r"(?:[\w.<>]+\.)?(\w+)\(\) got an unexpected keyword argument '(\w+)'",
                         text)
        if found:
            return f"函数 {found.group(1)}() 没有名为“{found.group(2)}”的参数；请检查拼写"
        found = re.match(r"(?:[\w.<>]+\.)?(\w+)\(\) missing \d+ required positional "
                         r"arguments?: (.+)", text)
        if found:
            return f"函数 {found.group(1)}() 缺少参数：{found.group(2)}"
        found = re.match(r"'(\w+)' object is not iterable", text)
        if found:
            return "{% for %} 只能遍历列表，这里的值不是列表"
        return f"模板中的值类型不对：{text}"
    return f"模板运行出错：{type(exc).__name__}: {text}"
