"""`reportgen templates check`: everything that can be wrong with a template set, at once.

    source      syntax, unknown variables / functions / filters, HTML outside the subset
                (checks.sources: the template text, every branch, no survey needed)
    assets      reference.docx styles, print.css fonts and URLs, set.yaml (checks.assets)
    render      the set rendered with every sample survey under the time limit, and its HTML
                read as a build reads it (pipeline.parse_rendered): HTML outside the
                subset is reported at the template line that wrote it, the same place
                build, watch and the preview name

Each problem names the template file and line and says, in Chinese, what to do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.checks.assets import check_css, check_info, check_styles
from reportgen.checks.problems import CheckProblem
from reportgen.checks.sources import check_sources
from reportgen.errors import DocumentError, SurveyError, TemplateError, describe
from reportgen.templating.environment import display_path, make_environment, render_html
from reportgen.templating.templateset import ENTRY, TemplateSet

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
    from reportgen.build.pipeline import parse_rendered
    from reportgen.survey import load_survey

    try:
        survey = load_survey(path)
    except SurveyError as exc:
        report.add(CheckProblem("survey", display_path(str(path)), None,
                                "这份调研数据本身有错误，没能用它检查模板；请先运行 "
                                f"reportgen check {path}：\n{exc}"))
        return
    started = time.monotonic()
    try:
        html = render_html(survey, template_set)
    except TemplateError as exc:
        report.add(CheckProblem("render", exc.file, exc.line,
                                f"{exc.message}（用 {path.name} 渲染时）", exc.source_line))
        return
    elapsed = time.monotonic() - started
    if elapsed > RENDER_BUDGET:
        report.notes.append(f"用 {path.name} 渲染用了 {elapsed:.1f} 秒（一般不到 1 秒）；"
                            "模板里可能有很长的循环")
    # Read as a build reads it: HTML outside the subset comes back at its template line.
    try:
        parse_rendered(html, survey, template_set)
    except TemplateError as exc:
        report.add(CheckProblem("html", exc.file, exc.line,
                                f"{exc.message}（用 {path.name} 渲染时）", exc.source_line))
    except DocumentError as exc:  # not traced to a template line: what the parser said
        report.add(CheckProblem("html", display_path(str(template_set.root / ENTRY)), None,
                                f"{describe(exc)}（用 {path.name} 渲染时）"))
