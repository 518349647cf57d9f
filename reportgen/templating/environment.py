"""Rendering a template set with a survey: sandboxed Jinja2 with autoescape and a time limit.

Templates are edited by office staff, so they run in Jinja's sandbox (no attribute tricks to
reach Python internals), StrictUndefined (a misspelt variable is an error, never a silent
blank) and HTML autoescape (survey text such as <b> or {{ x }} is printed literally).
On top of the sandbox:

- the loader serves only files inside the set's folder (no ../, absolute paths, or symlinks
  leading out), so {% include %} / {% import %} cannot read other files;
- every loop and macro body checks a render deadline, so a runaway {% for %} (nested loops,
  recursive macros) stops with a TemplateError naming the time limit instead of hanging a
  build or the preview;
- `*` and `**` refuse results that would swamp memory ("x" * 10**9, 10**10**10).

Every Jinja error becomes a TemplateError naming the template file and line, in Chinese.
HTML the document parser refuses is traced back the same way (locate_document_error): the
survey is rendered again with invisible marks saying which template file and line wrote each
piece of output, so the mistake is reported at the template line, never at a line of
generated HTML staff do not see.
"""

from __future__ import annotations

import bisect
import functools
import io
import math
import os
import re
import time
import types
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from reportgen import formatting
from reportgen.errors import DocumentError, TemplateError
from reportgen.survey.model import Cluster, Survey
from reportgen.templating import explain, helpers, phrases
from reportgen.templating.context import CONTEXT_NAMES, build_context
from reportgen.templating.templateset import ENTRY, TemplateSet

# Seconds one rendering may take; a normal report renders in well under a second.
RENDER_TIME_LIMIT = 5.0
TIME_LIMIT_ENV = "REPORTGEN_RENDER_TIME_LIMIT"
MAX_REPEAT_LENGTH = 100_000  # longest str / list a template may build with *
MAX_EXPONENT = 100
MAX_INT_BITS = 4096  # no figure needs more; 10**100 is 333 bits, a 10**100**100 tower is not
MAX_WIDTH = 10_000  # the widest padding or indent a format, center or indent may ask for
MAX_OUTPUT = 10 * 1024 * 1024  # characters one rendering may produce (a report is ~100 KB)
# A width, precision or fill count written in a format: %0999999999d, {:>999999999}, {:.1e9f}
_FORMAT_NUMBER = re.compile(r"[0-9]+")

# Helpers bound to the survey per rendering (see _bound_helpers).
BOUND_HELPERS: tuple[str, ...] = ("chart", "table", "can_draw_pie", "can_draw_bar",
                                   "staff_table")


def render_time_limit() -> float:
    """The time limit in seconds: $REPORTGEN_RENDER_TIME_LIMIT, else RENDER_TIME_LIMIT."""
    raw = os.environ.get(TIME_LIMIT_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return RENDER_TIME_LIMIT
    return value if value > 0 else RENDER_TIME_LIMIT


class RenderTimeLimit(Exception):
    """Raised inside the template when the deadline has passed (located, then reworded)."""

    def __init__(self, limit: float) -> None:
        super().__init__(f"render time limit {limit:g} s exceeded")
        self.limit = limit


class OutsideSet(jinja2.TemplateNotFound):
    """An {% include %} / {% import %} of a file that is not inside the template set."""


class SetLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses whatever resolves outside the set's folder."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self.root = root.resolve()

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Any]:
        if template.startswith(("/", "\\")) or ":" in template:
            raise OutsideSet(template, f"绝对路径“{template}”不在模板集文件夹内")
        if ".." in template.replace("\\", "/").split("/"):
            raise OutsideSet(template, f"“{template}”指向模板集文件夹之外")
        pieces = split_template_path(template)
        # resolve() follows symlinks: a link inside the set pointing elsewhere is refused
        # before anything is read through it.
        if not self.root.joinpath(*pieces).resolve().is_relative_to(self.root):
            raise OutsideSet(template, f"“{template}”指向模板集文件夹之外")
        return super().get_source(environment, template)


class RenderBudget(Extension):
    """The deadline every loop and macro body checks (see ReportEnvironment._parse)."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.limit = math.inf
        self.deadline = math.inf

    def start(self, limit: float) -> None:
        self.limit = limit
        self.deadline = time.monotonic() + limit

    def tick(self) -> str:
        if time.monotonic() > self.deadline:
            raise RenderTimeLimit(self.limit)
        return ""


# Objects whose attributes templates may not touch at all: a survey's `source` is a Path,
# and Path.read_text() / write_text() would reach any file the user can.
_OPAQUE_TYPES: tuple[type, ...] = (PurePath, io.IOBase, types.ModuleType)


class ReportEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})
    trace: _Trace | None = None  # set for a traced rendering (see trace_output)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, _OPAQUE_TYPES) or isinstance(value, io.IOBase | types.ModuleType):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Any:
        """str.format / format_map, with their widths bounded and their mistakes located."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_format(template)
            try:
                return str(wrapped(*args, **kwargs))
            except (IndexError, KeyError, ValueError, TypeError) as exc:
                # An ordinary template mistake ('{0}'.format_map({})), not a bug of ours.
                raise jinja2.exceptions.TemplateRuntimeError(
                    f"格式化文字“{template[:40]}”出错（{type(exc).__name__}: {exc}）；"
                    "请检查 {} 中的序号、名称和格式") from exc

        return bounded

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        budget = self.extensions[RenderBudget.identifier]
        # The check is reached through the extension (compiled to a direct attribute of the
        # environment), not a template name, so no template can shadow or remove it.
        loop: nodes.For | nodes.Macro | nodes.CallBlock
        for loop in tree.find_all((nodes.For, nodes.Macro, nodes.CallBlock)):  # type: ignore[assignment]
            call = budget.call_method("tick", lineno=loop.lineno)
            loop.body.insert(0, nodes.ExprStmt(call, lineno=loop.lineno))
        if self.trace is not None:
            self.trace.mark(tree, filename or name or "")
        return tree

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise jinja2.exceptions.SecurityError(
                f"乘方的指数太大（{right}），最多 {MAX_EXPONENT}")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) \
                and right > 0 and abs(left).bit_length() * right > MAX_INT_BITS:
            # (((10**100)**100)**100) passes the exponent check at each step; the numbers
            # themselves would take minutes to compute.
            raise jinja2.exceptions.SecurityError("乘方的结果太大，报告中用不到这样的数")
        if operator == "*" and isinstance(left, int) and isinstance(right, int) \
                and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
            raise jinja2.exceptions.SecurityError("乘积太大，报告中用不到这样的数")
        if operator == "%" and isinstance(left, str):
            _check_format(left)
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple) and isinstance(count, int)
                        and len(seq) * count > MAX_REPEAT_LENGTH):
                    raise jinja2.exceptions.SecurityError(
                        f"重复得到的文字或列表太长（超过 {MAX_REPEAT_LENGTH} 项）")
        return super().call_binop(context, operator, left, right)


def _check_format(template: str) -> None:
    """Refuse a format string asking for a huge width or precision before it is used."""
    for number in _FORMAT_NUMBER.findall(template):
        if len(number) > 5 or int(number) > MAX_WIDTH:
            raise jinja2.exceptions.SecurityError(
                f"格式中的宽度或精度太大（{number[:12]}），最多 {MAX_WIDTH}")


def _bounded_filters() -> dict[str, Any]:
    """Jinja's filters that can grow a text without a loop, with their sizes bounded."""
    from jinja2 import filters

    def width(value: Any) -> None:
        if isinstance(value, int) and abs(value) > MAX_WIDTH:
            raise jinja2.exceptions.SecurityError(f"宽度太大（{value}），最多 {MAX_WIDTH}")

    def center(value: Any, width_: int = 80) -> str:
        width(width_)
        return str(value).center(width_)

    def indent(value: Any, width_: Any = 4, first: bool = False, blank: bool = False) -> Any:
        width(width_)
        if isinstance(width_, str) and len(width_) > MAX_WIDTH:
            raise jinja2.exceptions.SecurityError("缩进的文字太长")
        return filters.do_indent(value, width_, first, blank)

    def replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: Any = None) -> Any:
        text, old_text, new_text = str(value), str(old), str(new)
        times = text.count(old_text) if old_text else len(text) + 1
        if count is not None:
            times = min(times, int(count))
        if len(text) + times * max(len(new_text) - len(old_text), 0) > MAX_OUTPUT:
            raise jinja2.exceptions.SecurityError("替换后的文字太长")
        return filters.do_replace(eval_ctx, value, old, new, count)

    def join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        if len(items) > 1 and len(str(d)) * (len(items) - 1) > MAX_OUTPUT:
            raise jinja2.exceptions.SecurityError("连接后的文字太长")
        result = filters.sync_do_join(eval_ctx, items, d, attribute)
        if len(result) > MAX_OUTPUT:
            raise jinja2.exceptions.SecurityError("连接后的文字太长")
        return result

    def format_(value: Any, *args: Any, **kwargs: Any) -> str:
        _check_format(str(value))
        return filters.do_format(value, *args, **kwargs)

    replace_filter = jinja2.pass_eval_context(replace)
    join_filter = jinja2.pass_eval_context(join)
    return {"center": center, "indent": indent, "replace": replace_filter, "join": join_filter,
            "format": format_}


def make_environment(template_set: TemplateSet,
                     trace: _Trace | None = None) -> ReportEnvironment:
    env = ReportEnvironment(
        loader=SetLoader(template_set.root),
        autoescape=jinja2.select_autoescape(["html", "htm", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[RenderBudget],
    )
    env.filters.update(_bounded_filters())
    env.filters.update(formatting.FILTERS)
    env.filters.update(helpers.FILTERS)
    env.globals.update(helpers.HELPERS)
    env.trace = trace
    return env


def known_names(env: jinja2.Environment) -> tuple[set[str], set[str]]:
    """(variables, functions) a template can use by name without defining them."""
    functions = {name for name, value in env.globals.items() if callable(value)}
    functions |= set(BOUND_HELPERS)
    variables = set(CONTEXT_NAMES) | (set(env.globals) - functions)
    return variables, functions


def _bound_helpers(survey: Survey) -> dict[str, Any]:
    """Helpers that need the whole survey, bound to it so templates call them briefly."""

    def chart(kind: str, caption: str, clusters: Any = None, title: str = "") -> Markup:
        if kind == "bar":
            return helpers.output_bar_chart(clusters or survey.clusters, caption, title)
        if kind == "pie":
            return helpers.output_pie_chart(survey, caption, title)
        if kind in ("trend", "line"):
            return helpers.trend_chart(survey, caption, title)
        raise TemplateError(f"chart() 不认识图表类型“{kind}”；"
                            "可用：bar（柱状图）、pie（饼图）、trend（趋势图）")

    def table(clusters: Any = None, caption: str = "", note: str = "") -> Markup:
        rows: list[Cluster] = list(clusters if clusters is not None else survey.clusters)
        return helpers.cluster_table(rows, caption, note)

    def staff_table(table: Any) -> Markup:
        # The survey's declared units make number columns too (产量（罗）).
        return helpers.staff_table(table, survey.units)

    bound = {
        "chart": chart,
        "table": table,
        "can_draw_pie": functools.partial(helpers.can_draw_pie, survey),
        "can_draw_bar": functools.partial(helpers.can_draw_bar, survey),
        "staff_table": staff_table,
    }
    assert tuple(bound) == BOUND_HELPERS
    return bound


def _template_location(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """The innermost template frame of a traceback: (file, line)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name, exc.lineno
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    prefixes = (str(root) + os.sep, str(root.resolve()) + os.sep)
    while tb is not None:
        frame_file = tb.tb_frame.f_code.co_filename
        if frame_file.startswith(prefixes):
            found = (frame_file, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _read_source(file: str | None) -> str | None:
    if not file:
        return None
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _source_line(file: str | None, line: int | None) -> str | None:
    source = _read_source(file)
    if source is None or not line:
        return None
    lines = source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


def template_error(exc: BaseException, template_set: TemplateSet,
                   env: jinja2.Environment) -> TemplateError:
    """A Jinja (or Python) exception from rendering → TemplateError with file, line, Chinese."""
    file, line = _template_location(exc, template_set.root)
    if file and not Path(file).is_absolute():
        file = str(template_set.root / file)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        message, line = explain.explain_syntax(exc, _read_source(file), env)
    elif isinstance(exc, OutsideSet):
        message = (f"不能引用模板集文件夹之外的文件“{exc.name}”：include 和 import "
                   "只能引用本模板集文件夹里的文件")
    elif isinstance(exc, RenderTimeLimit):
        message = (f"模板渲染超过时间限制（{exc.limit:g} 秒），已停止：多半是循环次数太多，"
                   "例如 {% for %} 里又套了 {% for %}，或宏调用了自己；请检查这一行开始的循环")
    elif isinstance(exc, jinja2.UndefinedError):
        variables, functions = known_names(env)
        message = explain.explain_undefined(exc.message or str(exc), _source_line(file, line),
                                            variables, functions)
    else:
        message = explain.explain_runtime(exc, env)
    return TemplateError(message, display_path(file), line, _source_line(file, line))


def render_html(survey: Survey, template_set: TemplateSet, entry: str = ENTRY,
                time_limit: float | None = None) -> str:
    """Render the set's entry template with the survey; TemplateError with file:line."""
    return _render_html(survey, template_set, entry, time_limit, None)


def _render_html(survey: Survey, template_set: TemplateSet, entry: str,
                 time_limit: float | None, trace: _Trace | None) -> str:
    env = make_environment(template_set, trace)
    budget = env.extensions[RenderBudget.identifier]
    budget.start(time_limit or render_time_limit())  # type: ignore[attr-defined]
    bound = _bound_helpers(survey)
    # Macros in an {% import %}ed file see globals, not the render context: the bound
    # helpers (staff_table in cluster.html) are globals of this one rendering's environment.
    env.globals.update(bound)
    # A format-1 text is one paragraph whatever it holds (the same document as before).
    env.filters["paragraphs"] = functools.partial(phrases.split_paragraphs,
                                                  schema=survey.schema_)
    context = build_context(survey) | bound
    try:
        html = env.get_template(entry).render(context)
    except TemplateError as exc:
        if exc.file is None:  # raised by a helper (chart kind): say where it was called
            located = template_error(exc, template_set, env)
            raise TemplateError(exc.message, located.file, located.line,
                                located.source_line) from exc
        raise
    except (jinja2.TemplateError, RenderTimeLimit, TypeError, ValueError, AttributeError,
            LookupError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise template_error(exc, template_set, env) from exc
    if len(html) > MAX_OUTPUT:  # a report is about 100 KB; the writers would choke on this
        raise TemplateError(f"模板生成的内容过多（{len(html) // (1024 * 1024)} MB 文字，上限 "
                            f"{MAX_OUTPUT // (1024 * 1024)} MB）；请检查模板中的循环和重复",
                            display_path(str(template_set.root / entry)))
    return html


# ----------------------------------------------------------------------------- tracing
#
# To say which template line wrote a piece of HTML, the survey is rendered a second time
# with a mark before every piece of output: each line of template text and each {{ }}.
# The marks travel with the text through macro calls, includes and imports, so the final
# output says, at every offset, which file and line wrote it. They are made of Unicode
# noncharacters, which survey and template text have no use for (should one contain them,
# the traced output no longer matches and nothing is located). Done only after the parser
# refused something: errors are rare, and a traced render costs about as much as a render.

_MARK_START, _MARK_END = "\ufdd0", "\ufdd1"
_MARK_DIGITS = "".join(chr(0xFDE0 + d) for d in range(16))  # hexadecimal digits
_MARKS = re.compile("\ufdd0([\ufde0-\ufdef]+)\ufdd1")

# (offset in the output, template file, line): from that offset on, that line wrote it.
Origin = tuple[int, str, int]


@dataclass
class _Trace:
    """Marks to put into the templates as they are compiled, and the places they stand for.

    With `everywhere` False, only output printed straight into the report is marked: not
    macro bodies (their whole output is placed at the line that called the macro), nor what
    a template computes with ({% set x %}…{% endset %}, {% filter %}).
    """

    everywhere: bool
    places: list[tuple[str, int]] = field(default_factory=list)

    def _mark(self, file: str, line: int) -> nodes.TemplateData:
        digits = "".join(_MARK_DIGITS[int(d, 16)] for d in f"{len(self.places):x}")
        self.places.append((file, line))
        return nodes.TemplateData(_MARK_START + digits + _MARK_END, lineno=line)

    def mark(self, tree: nodes.Template, file: str) -> None:
        skip = set()
        if not self.everywhere:
            skip = {id(output) for block in tree.find_all(
                        (nodes.Macro, nodes.CallBlock, nodes.AssignBlock, nodes.FilterBlock))
                    for output in block.find_all(nodes.Output)}
        for output in tree.find_all(nodes.Output):
            if id(output) in skip:
                continue
            marked: list[nodes.Expr] = []
            for child in output.nodes:
                if isinstance(child, nodes.TemplateData):
                    # One mark per line of template text: a line of it is found exactly.
                    lines = child.data.split("\n")
                    for i, text in enumerate(lines):
                        text += "\n" if i < len(lines) - 1 else ""
                        if text:
                            line = child.lineno + i
                            marked += [self._mark(file, line),
                                       nodes.TemplateData(text, lineno=line)]
                else:
                    marked += [self._mark(file, child.lineno), child]
            output.nodes = marked

    def unmark(self, traced: str) -> tuple[str, list[Origin]]:
        """The output without its marks, and where each part of it came from."""
        parts: list[str] = []
        origins: list[Origin] = []
        offset = last = 0
        for found in _MARKS.finditer(traced):
            parts.append(traced[last:found.start()])
            offset += found.start() - last
            last = found.end()
            index = int("".join(f"{ord(c) - 0xFDE0:x}" for c in found.group(1)), 16)
            if index < len(self.places):
                origins.append((offset, *self.places[index]))
        parts.append(traced[last:])
        return "".join(parts), origins


def trace_output(survey: Survey, template_set: TemplateSet, html: str,
                 entry: str = ENTRY) -> list[Origin] | None:
    """Where each part of `html` (this survey's rendering) came from, sorted by offset.

    The marks are checked, not trusted: a template that computes with marked output
    (`{% if parts.x()|trim %}`, `{{ x|truncate(9) }}`) renders differently. Then only what
    is printed straight into the report is marked (macro output placed at the line calling
    the macro); if even that renders differently, None.
    """
    for everywhere in (True, False):
        trace = _Trace(everywhere)
        try:
            traced = _render_html(survey, template_set, entry, None, trace)
        except Exception:  # the marks made the template fail: try with fewer
            continue
        clean, origins = trace.unmark(traced)
        if clean == html:
            return origins
    return None


def _offset_of(html: str, line: int, text: str | None) -> int | None:
    """Where on (or nearest to) line `line` of `html` the refused `text` stands."""
    start = 0
    for _ in range(line - 1):
        start = html.find("\n", start) + 1
        if start == 0:
            return None
    end = html.find("\n", start)
    end = len(html) if end < 0 else end
    if not text:
        return start
    best: tuple[int, int] | None = None
    for found in _needle(text).finditer(html):
        at = found.start()
        distance = start - at if at < start else max(at - end, 0)
        if best is None or distance < best[0]:
            best = (distance, at)
        if at > end:
            break
    return best[1] if best is not None else start


def _needle(text: str) -> re.Pattern[str]:
    """`text` as it may stand in HTML: tags in any case, "<b" not matching "<body"."""
    name = re.fullmatch(r"<?[A-Za-z][A-Za-z0-9-]*", text)
    pattern = re.escape(text) + (r"(?![A-Za-z0-9-])" if name else "")
    return re.compile(pattern, re.IGNORECASE)


def locate_document_error(error: DocumentError, survey: Survey, template_set: TemplateSet,
                          html: str, entry: str = ENTRY) -> TemplateError | None:
    """The parser's complaint about `html` as a TemplateError at the template line that
    wrote the refused markup or text (None when that cannot be traced)."""
    if not error.html_line:
        return None
    offset = _offset_of(html, error.html_line, error.html_text)
    origins = trace_output(survey, template_set, html, entry) if offset is not None else None
    if offset is None or not origins:
        return None
    index = bisect.bisect_right([origin[0] for origin in origins], offset) - 1
    if index < 0:
        return None
    _, file, line = origins[index]
    source_line = _source_line(file, line)
    column = None
    if source_line is not None and error.html_text:
        found = _needle(error.html_text).search(source_line)
        column = found.start() + 1 if found else None
    return TemplateError(error.message, display_path(file), line, source_line, column)


def display_path(file: str | None) -> str | None:
    """A path as staff see it: relative to the working folder when inside it."""
    if not file:
        return None
    try:
        return str(Path(file).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return file
