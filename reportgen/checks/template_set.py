"""`reportgen templates check`: everything that can be wrong with a template set, at once.

    source      syntax, unknown variables / functions / filters, HTML outside the subset
                (checks.sources: the template text, every branch, no survey needed)
    assets      reference.docx styles, print.css fonts and URLs, set.yaml (checks.assets)
    render      the set rendered with every sample survey under the time limit, and its HTML
                read by the document parser, as a build would; a problem there is traced
                back to the template line that wrote the offending output

Each problem names the template file and line and says, in Chinese, what to do.
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.checks.assets import check_css, check_info, check_styles
from reportgen.checks.problems import CheckProblem
from reportgen.checks.sources import check_sources
from reportgen.document.subset import tag_advice
from reportgen.errors import DocumentError, SurveyError, TemplateError
from reportgen.templating.environment import (
    Origin,
    display_path,
    make_environment,
    render_html,
)
from reportgen.templating.templateset import TemplateSet

# A render slower than this is mentioned (not counted as a problem); the hard limit that
# stops a render is environment.RENDER_TIME_LIMIT.
RENDER_BUDGET = 2.0


@dataclass
class CheckReport:
    template_set: TemplateSet
    surveys: list[Path] = field(default_factory=list)
    problems: list[CheckProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: CheckProblem) -> None:
        """Add unless already reported at that place (the same mistake seen statically and
        again in a render, or once per sample survey)."""
        for known in self.problems:
            if known == problem or (
                    known.file == problem.file and known.line == problem.line
                    and problem.line is not None and _same_family(known.kind, problem.kind)):
                return
        self.problems.append(problem)


def _same_family(a: str, b: str) -> bool:
    names = {"variable", "helper", "filter", "render", "syntax"}
    return a == b or (a in names and b in names)


def check_template_set(template_set: TemplateSet, surveys: list[Path]) -> CheckReport:
    report = CheckReport(template_set, list(surveys))
    env = make_environment(template_set)
    for problem in check_sources(template_set, env):
        report.add(problem)
    for problem in [*check_styles(template_set), *check_css(template_set),
                    *check_info(template_set)]:
        report.add(problem)
    # A file that does not parse would only repeat its syntax error once per survey.
    if not any(p.kind == "syntax" for p in report.problems):
        for path in surveys:
            _check_render(template_set, path, report)
    report.problems.sort(key=CheckProblem.sort_key)
    return report


def _check_render(template_set: TemplateSet, path: Path, report: CheckReport) -> None:
    from reportgen.document.html_parser import parse_html
    from reportgen.survey import load_survey

    try:
        survey = load_survey(path)
    except SurveyError as exc:
        report.add(CheckProblem("survey", display_path(str(path)), None,
                                "这份调研数据本身有错误，没能用它检查模板；请先运行 "
                                f"reportgen check {path}：\n{exc}"))
        return
    origins: list[Origin] = []
    started = time.monotonic()
    try:
        html = render_html(survey, template_set, origins=origins)
    except TemplateError as exc:
        report.add(CheckProblem("render", exc.file, exc.line,
                                f"{exc.message}（用 {path.name} 渲染时）", exc.source_line))
        return
    elapsed = time.monotonic() - started
    if elapsed > RENDER_BUDGET:
        report.notes.append(f"用 {path.name} 渲染用了 {elapsed:.1f} 秒（一般不到 1 秒）；"
                            "模板里可能有很长的循环")
    try:
        parse_html(html)
    except DocumentError as exc:
        report.add(_document_problem(str(exc), html, origins, path))


_RENDERED_LINE = re.compile(r"^模板生成的 HTML 第 (\d+) 行：")
_TAG = re.compile(r"<(\w+)>")
_STRAY = re.compile(r"文字“(.+?)”")


def _document_problem(message: str, html: str, origins: list[Origin],
                      survey: Path) -> CheckProblem:
    """A DocumentError about the rendered HTML, placed at the template line that wrote it."""
    found = _RENDERED_LINE.match(message)
    text = message[found.end():] if found else message
    file = line = None
    if found:
        offset = _offset_in_line(html, int(found.group(1)), message)
        tag = _TAG.search(text)
        file, line = locate(html, origins, offset, hint=f"<{tag.group(1)}" if tag else None)
    tag = _TAG.search(text)
    if tag and "可用的标签见" in text:  # the parser's generic hint: say what to use instead
        text = text[:text.index("可用的标签见")] + tag_advice(tag.group(1).lower())
    source_line = _line_of(file, line)
    return CheckProblem("html", display_path(file), line,
                        f"{text}（用 {survey.name} 渲染时，这一行生成的 HTML）", source_line)


def _offset_in_line(html: str, line: int, message: str) -> int:
    """Where in the HTML the parser's complaint points: the tag or stray text it names."""
    start = 0
    for _ in range(line - 1):
        start = html.find("\n", start) + 1
        if start == 0:
            return 0
    stray = _STRAY.search(message)
    if stray:
        at = html.find(stray.group(1), start)
        return at if at >= 0 else start
    tag = _TAG.search(message)
    if tag:
        at = html.lower().find(f"<{tag.group(1).lower()}", start)
        return at if at >= 0 else start
    return start


def locate(html: str, origins: list[Origin], offset: int,
           hint: str | None = None) -> tuple[str | None, int | None]:
    """The template file and line that wrote the output at `offset`.

    A chunk is either literal template text (Jinja folds constant expressions into it) or
    one {{ }} expression's value. Literal text is found again in the template near the
    chunk's first line (it may span lines), by the output text itself or by `hint` (such
    as "<u" for a tag); an expression's output is placed at the expression's line.
    """
    if not origins:
        return None, None
    index = max(bisect.bisect_right([o[0] for o in origins], offset) - 1, 0)
    start, file, line = origins[index]
    if file is None or line is None:
        return file, line
    end = html.find("\n", offset)
    needle = html[offset:end if end >= 0 else len(html)].strip()[:30]
    newlines = html.count("\n", start, offset)
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return file, line
    window = range(line, min(line + newlines + 3, len(lines)) + 1)
    for wanted in (needle, hint):
        if wanted:
            for candidate in window:
                if wanted in lines[candidate - 1]:
                    return file, candidate
    return file, line


def _line_of(file: str | None, line: int | None) -> str | None:
    if not file or not line:
        return None
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None
