"""What the preview shows: which surveys and template sets exist, and their current rendering.

A rendering is one pass of the real pipeline (survey → template → document tree → the PDF
writer's bytes), made on demand and cached under a fingerprint of its input files (sizes and
modification times of the survey and of every file under the templates root). A request after
a save therefore always sees the saved files, whether or not the file watcher noticed; the
watcher only tells open pages to ask again (`generation`, `wait_change`).

Page images, DOCX and PDF downloads all come from the same rendering, so what staff download is
exactly what they looked at.
"""

from __future__ import annotations

import hashlib
import logging
import stat as stat_module
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.build.inputs import expand_paths, is_editor_junk, is_survey_name
from reportgen.build.pipeline import ChartCache, render_document, render_figures, write_format
from reportgen.document.model import Document
from reportgen.errors import ReportgenError, internal_error
from reportgen.preview import poppler
from reportgen.survey.model import Survey
from reportgen.templating.templateset import (
    TemplateSet,
    available_sets,
    find_template_set,
    templates_root,
)

_KEEP = 6  # renderings kept (each holds a PDF and its page drawings: a few MB)


@dataclass(frozen=True)
class Choice:
    """A survey file and a template set; template None means the one the survey names."""

    survey: Path
    template: str | None = None


@dataclass
class Rendering:
    choice: Choice
    id: str  # content hash: unchanged output keeps its id, so the page is not redrawn
    made_at: float
    seconds: float
    error: Exception | None = None
    title: str = ""
    template: str | None = None  # the set actually used
    pdf: bytes = b""
    pages: list[poppler.PageInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # writer warnings, shown above the pages
    document: Document | None = None
    template_set: TemplateSet | None = None
    _docx: bytes | None = None
    _svgs: dict[int, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ok(self) -> bool:
        return self.error is None

    def page_svg(self, number: int) -> bytes | None:
        if not self.ok or not 1 <= number <= len(self.pages):
            return None
        svg = self._svgs.get(number)
        if svg is None:
            # Not under a lock: the browser asks for the pages on screen at once, and two
            # pages drawn in parallel arrive sooner; a page drawn twice is harmless.
            svg = self._svgs[number] = poppler.page_svg(self.pdf, number)
        return svg

    def docx(self) -> bytes:
        """The DOCX of this very rendering, written once on first download."""
        assert self.document is not None and self.template_set is not None
        with self._lock:
            if self._docx is None:
                self._docx = write_format(self.document, self.template_set, "docx")
            return self._docx


class _Notes(logging.Handler):
    """Collects the writers' warnings (font fallback, refused resources) for the page."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


class PreviewState:
    """Everything the server needs to answer a request; safe to use from many threads."""

    def __init__(self, survey_folder: Path, default_survey: Path, default_template: str | None,
                 root: Path | None = None) -> None:
        self.survey_folder = survey_folder.resolve()
        self.default_survey = default_survey.resolve()
        self.default_template = default_template
        self.templates_root = (root or templates_root()).resolve()
        self.generation = 0
        self.stopped = False
        self._changed = threading.Condition()
        self._render_lock = threading.Lock()  # one render at a time: WeasyPrint is CPU-bound
        self._cache: OrderedDict[Choice, tuple[tuple[object, ...], Rendering]] = OrderedDict()
        self._last_good: dict[Choice, Rendering] = {}
        self._by_id: dict[str, Rendering] = {}
        self._charts = ChartCache(disk=True)
        self._surveys: dict[Path, tuple[tuple[int, int], Survey]] = {}

    # ---- what can be chosen ----------------------------------------------------------

    def surveys(self) -> list[Path]:
        try:
            found = [p.resolve() for p in expand_paths([self.survey_folder])]
        except FileNotFoundError:
            found = []
        if self.default_survey not in found and self.default_survey.is_file():
            found.insert(0, self.default_survey)
        return found

    def template_sets(self) -> list[str]:
        return available_sets(self.templates_root)

    def choose(self, survey: str | None = None, template: str | None = None) -> Choice:
        """The choice named by query parameters; LookupError (Chinese) for unknown names.

        Missing parameters mean the command line's choice; template "" means the set the
        survey names. Only names listed by surveys()/template_sets() are accepted, never a
        path, so a request cannot make the preview read any other file.
        """
        if survey is None:
            path = self.default_survey
        else:
            matches = [p for p in self.surveys() if survey in (p.stem, p.name)]
            if not matches:
                raise LookupError(f"找不到调研数据“{survey}”；可选的调研数据文件在 "
                                  f"{self.survey_folder} 中")
            path = matches[0]
        if template is None:
            chosen = self.default_template
        elif template == "":
            chosen = None
        elif template in self.template_sets():
            chosen = template
        else:
            known = "、".join(self.template_sets()) or "（无）"
            raise LookupError(f"找不到模板集“{template}”；可用的模板集：{known}")
        return Choice(path, chosen)

    # ---- rendering -------------------------------------------------------------------

    def _fingerprint(self, choice: Choice) -> tuple[object, ...]:
        stamps: list[object] = []
        files = [choice.survey]
        if self.templates_root.is_dir():
            files += sorted(p for p in self.templates_root.rglob("*"))
        for path in files:
            try:
                stat = path.stat()
            except OSError:  # an editor's temporary file that is already gone
                continue
            if stat_module.S_ISREG(stat.st_mode):
                stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def rendering(self, choice: Choice) -> Rendering:
        """The rendering of the files as they are now (cached while they are unchanged)."""
        with self._render_lock:
            fingerprint = self._fingerprint(choice)
            cached = self._cache.get(choice)
            if cached is not None and cached[0] == fingerprint:
                self._cache.move_to_end(choice)
                return cached[1]
            rendering = self._render(choice)
            self._cache[choice] = (fingerprint, rendering)
            self._cache.move_to_end(choice)
            if rendering.ok:
                self._last_good[choice] = rendering
            while len(self._cache) > _KEEP:
                old, _ = self._cache.popitem(last=False)
                self._last_good.pop(old, None)
            kept = [r for _, r in self._cache.values()] + list(self._last_good.values())
            self._by_id = {r.id: r for r in kept if r.ok}
            return rendering

    def last_good(self, choice: Choice) -> Rendering | None:
        return self._last_good.get(choice)

    def by_id(self, rendering_id: str) -> Rendering | None:
        return self._by_id.get(rendering_id)

    def _render(self, choice: Choice) -> Rendering:
        start = time.perf_counter()
        notes = _Notes()
        logger = logging.getLogger("reportgen")
        logger.addHandler(notes)
        # Warnings go to the page instead of the terminal, where every save would repeat them.
        propagate, logger.propagate = logger.propagate, False
        try:
            survey = self._load_survey(choice.survey)
            template_set = find_template_set(choice.template or survey.report.template,
                                             self.templates_root)
            document = render_document(survey, template_set)
            # Charts change only with the survey: a template save reuses every PNG.
            render_figures(document, self._charts)
            pdf = write_format(document, template_set, "pdf")
            pages = poppler.page_layout(pdf)
        except Exception as exc:  # every failure becomes the page's error panel
            error = exc if isinstance(exc, ReportgenError) else internal_error(exc)
            key = repr(error) + repr(sorted(vars(error).items(), key=str))
            return Rendering(choice, _digest(key.encode()), time.time(),
                             time.perf_counter() - start, error=error)
        finally:
            logger.removeHandler(notes)
            logger.propagate = propagate
        return Rendering(choice, _digest(pdf), time.time(), time.perf_counter() - start,
                         title=survey.title, template=template_set.name, pdf=pdf, pages=pages,
                         notes=notes.messages, document=document, template_set=template_set)

    def _load_survey(self, path: Path) -> Survey:
        # Parsing YAML with positions is a fifth of a render; a template save reuses it.
        from reportgen import survey as survey_loader

        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (-1, -1)
        cached = self._surveys.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        survey = survey_loader.load_survey(path)  # SurveyError is never cached
        self._surveys[path] = (stamp, survey)
        return survey

    # ---- change notification -----------------------------------------------------------

    def notify_change(self) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()

    def wait_change(self, since: int, timeout: float) -> int:
        """The generation once it differs from `since` (or after `timeout` seconds)."""
        with self._changed:
            self._changed.wait_for(lambda: self.generation != since or self.stopped, timeout)
            return self.generation

    def stop(self) -> None:
        with self._changed:
            self.stopped = True
            self._changed.notify_all()

    def is_watched(self, path: Path) -> bool:
        """Whether a change to `path` can change what the preview shows."""
        if is_editor_junk(path.name):
            return False  # editors' backup and swap files
        if path.is_relative_to(self.templates_root):
            return True
        in_folder = path.parent == self.survey_folder
        return (in_folder and is_survey_name(path.name)) or path == self.default_survey
