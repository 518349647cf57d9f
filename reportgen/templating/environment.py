"""Rendering a template set with a survey: sandboxed Jinja2 with autoescape.

Templates are edited by office staff, so they run in Jinja's sandbox (no attribute tricks to
reach Python internals), StrictUndefined (a misspelt variable is an error, never a silent
blank) and HTML autoescape (survey text such as <b> or {{ x }} is printed literally).
Every Jinja error is turned into a TemplateError naming the template file and line.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from reportgen import formatting
from reportgen.errors import TemplateError
from reportgen.survey.model import Cluster, Survey
from reportgen.templating import helpers
from reportgen.templating.context import build_context
from reportgen.templating.templateset import ENTRY, TemplateSet


def make_environment(template_set: TemplateSet) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(template_set.root)),
        autoescape=jinja2.select_autoescape(["html", "htm", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(formatting.FILTERS)
    env.globals.update(helpers.HELPERS)
    return env


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

    return {
        "chart": chart,
        "table": table,
        "can_draw_pie": functools.partial(helpers.can_draw_pie, survey),
    }


def _template_location(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """The innermost template frame of a traceback: (file, line)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename or exc.name, exc.lineno
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        frame_file = tb.tb_frame.f_code.co_filename
        if frame_file.startswith(str(root)):
            found = (frame_file, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _source_line(file: str | None, line: int | None) -> str | None:
    if not file or not line:
        return None
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def _explain(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"模板用到了不存在的变量或属性：{exc.message}；请检查拼写"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"模板语法错误：{exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"找不到模板文件“{exc.name}”"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"模板中不允许的操作：{exc}"
    return f"模板运行出错：{type(exc).__name__}: {exc}"


def render_html(survey: Survey, template_set: TemplateSet, entry: str = ENTRY) -> str:
    """Render the set's entry template with the survey; TemplateError with file:line."""
    env = make_environment(template_set)
    context = build_context(survey) | _bound_helpers(survey)
    try:
        return env.get_template(entry).render(context)
    except TemplateError:
        raise
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError,
            ArithmeticError) as exc:
        file, line = _template_location(exc, template_set.root)
        if file and not Path(file).is_absolute():
            file = str(template_set.root / file)
        raise TemplateError(_explain(exc), display_path(file), line,
                            _source_line(file, line)) from exc


def display_path(file: str | None) -> str | None:
    """A path as staff see it: relative to the working folder when inside it."""
    if not file:
        return None
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file
