"""Building reports: survey file → document tree → DOCX and PDF, written atomically.

    render_document(survey)          one rendering of the template: the numbered tree
    build_file(path, out_dir)        both outputs of one survey, or an error for it
    build_paths(paths, out_dir)      many surveys; a failing one never stops the others

Batches (skipping up-to-date reports, worker processes, progress) live in reportgen.batch;
the stamps that decide what is up to date in reportgen.stamps.

Outputs go to a temporary file in the output folder and are renamed into place only when
every format of that survey has been written, so a failed or interrupted build never leaves
a half-written report and never replaces a good one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import InternalError, OutputError, ReportgenError, os_reason
from reportgen.templating.templateset import DEFAULT_SET, TemplateSet, find_template_set

# The survey loader (ruamel, pydantic), Jinja and lxml are imported where they are used:
# `reportgen build` imports this module just to find its inputs, and deciding that every
# report is up to date must not pay for them (see reportgen.batch).
if TYPE_CHECKING:
    from reportgen.document.model import Document
    from reportgen.survey.model import Survey

SURVEY_SUFFIXES = (".yaml", ".yml")
DEFAULT_FORMATS = ("docx", "pdf")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the survey files of folders (sorted); FileNotFoundError if absent."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in SURVEY_SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(str(path))
    return found


def template_set_for(survey: Survey, templates_root: Path | None = None) -> TemplateSet:
    return find_template_set(survey.report.template, templates_root)


def render_document(survey: Survey, template_set: TemplateSet | None = None) -> Document:
    """The one rendering both writers share: template → HTML → numbered tree."""
    from reportgen.document.html_parser import parse_html
    from reportgen.document.numbering import number_document
    from reportgen.templating.environment import render_html

    chosen = template_set or template_set_for(survey)
    document = number_document(parse_html(render_html(survey, chosen)))
    document.title = survey.title
    document.meta = {
        "author": survey.report.author,
        "date": survey.report.date.isoformat(),
        "region": survey.region.name,
        "year": str(survey.report.year),
        "template": chosen.name,
    }
    return document


def render_figures(document: Document) -> None:
    """Draw every chart once; both writers embed the same PNG bytes."""
    from reportgen.charts import render_png  # matplotlib is slow to import: only when drawing

    for figure in document.figures():
        if figure.image is None:
            figure.image = render_png(figure.spec)


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


@contextlib.contextmanager
def _temporary_output(target: Path) -> Iterator[tuple[Path, object]]:
    """A temporary file beside `target`; removed unless the caller renames it."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield tmp, stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; reports are ordinary shared files
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_outputs(document: Document, template_set: TemplateSet, out_dir: Path, stem: str,
                  formats: Sequence[str] = DEFAULT_FORMATS) -> list[Path]:
    """Write every format to temporary files, then rename all into place together."""
    from reportgen.writers import get_writer

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {out_dir}：{os_reason(exc)}") from exc
    done: list[tuple[Path, Path]] = []
    try:
        for name in formats:
            writer = get_writer(name)
            target = out_dir / f"{stem}{writer.suffix}"
            try:
                with _temporary_output(target) as (tmp, stream):
                    writer.write(document, template_set, stream)  # type: ignore[arg-type]
            except OSError as exc:
                raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from exc
            done.append((tmp, target))
        for tmp, target in done:
            os.replace(tmp, target)
    finally:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
    return [target for _, target in done]


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


def build_survey(survey: Survey, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS,
                 stem: str | None = None) -> list[Path]:
    template_set = template_set_for(survey)
    document = render_document(survey, template_set)
    render_figures(document)
    return write_outputs(document, template_set, out_dir, stem or survey.stem, formats)


def build_file(path: Path, out_dir: Path,
               formats: Sequence[str] = DEFAULT_FORMATS) -> BuildResult:
    """Build one survey file; its error (if any) is returned, never raised."""
    from reportgen.stamps import template_set_digest
    from reportgen.survey import load_survey

    result = BuildResult(path)
    try:
        survey = load_survey(path)
        result.template_set = survey.report.template or DEFAULT_SET
        template_set = template_set_for(survey)
        result.template_digest = template_set_digest(template_set.root)
        document = render_document(survey, template_set)
        render_figures(document)
        result.outputs = write_outputs(document, template_set, out_dir, path.stem, formats)
    except ReportgenError as exc:
        result.error = exc
    except Exception as exc:  # a bug must not stop the other counties of a batch
        error = InternalError(
            f"{path}: 内部错误 {type(exc).__name__}: {exc}；请把此信息报告给维护人员")
        error.__cause__ = exc
        result.error = error
    return result


def build_paths(paths: Sequence[Path], out_dir: Path,
                formats: Sequence[str] = DEFAULT_FORMATS) -> list[BuildResult]:
    return [build_file(path, out_dir, formats) for path in paths]
