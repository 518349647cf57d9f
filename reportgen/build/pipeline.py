"""The report pipeline, owned once: survey file → document tree → charts → DOCX and PDF.

    render_document(survey)          one rendering of the template: the numbered tree
    parse_rendered(html, survey, set) rendered HTML → tree; its mistakes at the template line
    render_figures(document)         draw every chart once (reusing a ChartCache if given)
    write_format(document, set, fmt) one format's bytes, for the preview's downloads
    build_file(path, out_dir)        both outputs of one survey, or an error for it

`reportgen build` (build.batch), `reportgen watch` (build.watch) and `reportgen preview` all
go through these; the outputs are written by build.outputs.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import DocumentError, ReportgenError, internal_error
from reportgen.templating.templateset import DEFAULT_SET, TemplateSet, find_template_set
from reportgen.writers import DEFAULT_FORMATS

# The survey loader (ruamel, pydantic), Jinja and lxml are imported where they are used:
# `reportgen build` imports this module just to find its inputs, and deciding that every
# report is up to date must not pay for them (see build.batch).
if TYPE_CHECKING:
    from reportgen.document.model import Document, Figure
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


class ChartCache:
    """Chart PNGs by what they show: a template or wording edit redraws no chart.

    The key is the chart's data and style (the ChartSpec: kind, title, categories, series,
    unit, axis labels), never the survey or the template, so two reports that draw the same
    chart share one PNG. The drawing code itself cannot change within a process, so an
    in-process cache needs no version in its key.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._images: OrderedDict[str, bytes] = OrderedDict()

    @staticmethod
    def key(figure: Figure) -> str:
        return repr(figure.spec)

    def __len__(self) -> int:
        return len(self._images)

    def get(self, figure: Figure) -> bytes | None:
        image = self._images.get(self.key(figure))
        if image is not None:
            self._images.move_to_end(self.key(figure))
        return image

    def put(self, figure: Figure, image: bytes) -> None:
        self._images[self.key(figure)] = image
        while len(self._images) > self.size:
            self._images.popitem(last=False)


_process_cache: ChartCache | None = None


def process_chart_cache() -> ChartCache:
    """The chart cache of this process: `build` and `watch` share it across reports.

    A forked worker starts with a copy of its parent's (copy-on-write) and fills its own;
    64 charts of ~50 kB each bound it to a few MB.
    """
    global _process_cache
    if _process_cache is None:
        _process_cache = ChartCache()
    return _process_cache


def render_figures(document: Document, cache: ChartCache | None = None) -> None:
    """Draw every chart once; both writers embed the same PNG bytes."""
    from reportgen.charts import render_png  # matplotlib is slow to import: only when drawing

    for figure in document.figures():
        if figure.image is None and cache is not None:
            figure.image = cache.get(figure)
        if figure.image is None:
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
    template_digest: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def build_file(path: Path, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS,
               cache: ChartCache | None = None) -> BuildResult:
    """Build one survey file; its error (if any) is returned, never raised.

    Charts come from `cache`, by default this process's (process_chart_cache): a watch that
    rebuilds after a template or wording edit draws no chart again.
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
        render_figures(document, cache if cache is not None else process_chart_cache())
        result.outputs = write_outputs(document, template_set, out_dir, path.stem, formats)
    except ReportgenError as exc:
        result.error = exc
    except Exception as exc:  # a bug must not stop the other counties of a batch
        result.error = internal_error(exc, path)
    return result
