"""The report pipeline, owned once: survey file → document tree → charts → DOCX and PDF.

    render_document(survey)          one rendering of the template: the numbered tree
    parse_rendered(html, survey, set) rendered HTML → tree; its mistakes at the template line
    render_figures(document)         draw every chart once (reusing a ChartCache if given;
                                     build.chart_cache)
    write_format(document, set, fmt) one format's bytes, for the preview's downloads
    build_file(path, out_dir)        both outputs of one survey, or an error for it

`reportgen build` (build.batch), `reportgen watch` (build.watch) and `reportgen preview` all
go through these; the outputs are written by build.outputs.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.build.chart_cache import ChartCache, process_chart_cache
from reportgen.errors import DocumentError, ReportgenError, internal_error
from reportgen.templating.templateset import DEFAULT_SET, TemplateSet, find_template_set
from reportgen.writers import DEFAULT_FORMATS

# The survey loader (ruamel, pydantic), Jinja and lxml are imported where they are used:
# `reportgen build` imports this module just to find its inputs, and deciding that every
# report is up to date must not pay for them (see build.batch).
if TYPE_CHECKING:
    from reportgen.build.assistant import Assistant
    from reportgen.build.outputs import Written
    from reportgen.build.stamps import SetDigest
    from reportgen.document.model import Document
    from reportgen.survey.model import Survey


def template_set_for(survey: Survey, templates_root: Path | None = None) -> TemplateSet:
    return find_template_set(survey.report.template, templates_root)


def render_document(survey: Survey, template_set: TemplateSet | None = None) -> Document:
    """The one rendering both writers share: template → HTML → numbered tree."""
    from reportgen.document.numbering import number_document
    from reportgen.templating.environment import render_html

    chosen = template_set or template_set_for(survey)
    document = number_document(parse_rendered(render_html(survey, chosen), survey, chosen))
    document.title = survey.title
    document.meta = {
        "author": survey.report.author,
        "date": survey.report.date.isoformat(),
        "region": survey.region.name,
        "year": str(survey.report.year),
        "template": chosen.name,
    }
    return document


def parse_rendered(html: str, survey: Survey, template_set: TemplateSet) -> Document:
    """The (unnumbered) tree of the HTML this survey rendered to.

    HTML outside the subset is a mistake in the template: it is raised as a TemplateError at
    the template file and line that wrote it (environment.locate_document_error); only what
    cannot be traced stays a DocumentError about the generated HTML. `build`, `watch`, the
    preview and `templates check` all read rendered HTML here.
    """
    from reportgen.document.html_parser import parse_html
    from reportgen.templating.environment import locate_document_error

    try:
        return parse_html(html)
    except DocumentError as exc:
        located = locate_document_error(exc, survey, template_set, html)
        if located is None:
            raise
        raise located from exc


def render_figures(document: Document, cache: ChartCache | None = None) -> None:
    """Draw every chart not in `cache`; both writers embed the same PNG bytes."""
    for figure in document.figures():
        if figure.image is None and cache is not None:
            figure.image = cache.get(figure)
        if figure.image is None:
            # matplotlib takes ~0.5 s to import: only once a chart is really drawn
            from reportgen.charts import render_png

            figure.image = render_png(figure.spec)
            if cache is not None:
                cache.put(figure, figure.image)


def write_format(document: Document, template_set: TemplateSet, fmt: str) -> bytes:
    """One format of a rendered document, in memory (the preview shows and offers these)."""
    from reportgen.writers import get_writer

    out = io.BytesIO()
    get_writer(fmt).write(document, template_set, out)
    return out.getvalue()


@dataclass
class BuildResult:
    source: Path
    outputs: list[Path] = field(default_factory=list)
    error: ReportgenError | None = None
    # The set the survey asked for (known once the survey loaded, even if the set is missing)
    # and the digest of its files taken *before* rendering: a template edited during the
    # build then makes the stamp look older than the output, never newer (see stamps.py).
    template_set: str | None = None
    template_digest: SetDigest | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def build_file(path: Path, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS,
               cache: ChartCache | None = None,
               assistant: Assistant | None = None) -> BuildResult:
    """Build one survey file; its error (if any) is returned, never raised.

    Charts come from `cache`, by default this process's (process_chart_cache): a watch that
    rebuilds after a template or wording edit draws no chart again. With an `assistant`
    (build.assistant, forked by the caller before this), the charts and every format but
    the PDF are made by it while this process prepares and writes the PDF.
    """
    from reportgen.build.outputs import write_outputs
    from reportgen.build.stamps import template_set_digest
    from reportgen.survey import load_survey

    result = BuildResult(path)
    try:
        survey = load_survey(path)
        result.template_set = survey.report.template or DEFAULT_SET
        template_set = template_set_for(survey)
        result.template_digest = template_set_digest(template_set.root)
        document = render_document(survey, template_set)
        charts = cache if cache is not None else process_chart_cache()
        written = None
        if assistant is not None:
            written = _share_with(assistant, document, template_set, formats, charts)
        render_figures(document, charts)  # what the assistant could not do, done here
        result.outputs = write_outputs(document, template_set, out_dir, path.stem, formats,
                                       written)
    except ReportgenError as exc:
        result.error = exc
    except Exception as exc:  # a bug must not stop the other counties of a batch
        result.error = internal_error(exc, path)
    finally:
        if assistant is not None:
            assistant.close()
    return result


def _share_with(assistant: Assistant, document: Document, template_set: TemplateSet,
                formats: Sequence[str], charts: ChartCache) -> dict[str, Written]:
    """Hand the charts and the other formats to `assistant`; prepare our own meanwhile.

    This process keeps the PDF (the slowest to write) or, without one, the first format.
    """
    from reportgen.writers import get_writer

    for figure in document.figures():  # charts already drawn once need no assistant
        figure.image = charts.get(figure)
    kept = "pdf" if "pdf" in formats else formats[0]
    delegated = [fmt for fmt in formats if fmt != kept]
    assistant.hand_over(document, template_set, delegated)
    get_writer(kept).prepare(template_set)
    images = assistant.charts()
    figures = document.figures()
    if images is not None and len(images) == len(figures):
        for figure, image in zip(figures, images, strict=True):
            figure.image = image
    return {fmt: functools.partial(assistant.written, fmt) for fmt in delegated}
