"""One report on two cores: a forked assistant draws the charts and writes the other formats
while this process sets up and writes the PDF.

A single report from a fresh process (`reportgen build one.yaml`, and `watch` after a save)
is otherwise serial with one core idle: matplotlib's import and the charts, then
WeasyPrint's import, font tables and stylesheet, then the PDF, then the DOCX. The assistant
is forked before the survey is read, so it imports matplotlib (and python-docx) while this
process loads the survey and renders the template; it then draws the charts this process
did not find in the chart cache while this process prepares the PDF writer, and writes the
DOCX while this process lays out the PDF.

    assistant = Assistant.start(formats)          # fork now
    assistant.hand_over(document, template_set, ("docx",))
    images = assistant.charts()                   # the PNGs, in document.figures() order
    docx = assistant.written("docx")              # bytes
    assistant.close()

The assistant never decides anything: whatever goes wrong in it (an exception, a Python
warning turned error, a crash, something that does not pickle) makes it answer None, and
this process then does that part itself, so errors and warnings reach staff exactly as
without it. Warnings it logged along a successful answer come home with the answer and are
logged here, under their own logger.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from reportgen.build.children import Said, become_child, collected_warnings

if TYPE_CHECKING:
    from multiprocessing.context import ForkProcess

    from reportgen.document.model import Document
    from reportgen.templating.templateset import TemplateSet

ANSWER_TIMEOUT = 600.0  # seconds; a hung assistant must not hang the build (we then redo it)


def _serve(conn: Connection, parent: int, formats: Sequence[str]) -> None:
    """The assistant's whole life: import, wait for the document, answer, exit."""
    become_child(parent)
    with contextlib.suppress(Exception):  # what fails here fails again, reported, below
        from reportgen import charts

        charts.register_fonts()
        for fmt in formats:
            if fmt != "pdf":
                from reportgen.writers import get_writer

                get_writer(fmt)  # imports its module (python-docx)
    try:
        message = conn.recv()
    except (EOFError, OSError):
        return
    if message is None:  # the survey did not load: nothing to do
        return
    document, template_set, delegated = message
    _answer(conn, "charts", lambda: _draw(document))
    for fmt in delegated:
        _answer(conn, fmt, lambda fmt=fmt: _write(document, template_set, fmt))


def _draw(document: Document) -> list[bytes]:
    from reportgen.build.chart_cache import process_chart_cache
    from reportgen.build.pipeline import render_figures

    render_figures(document, process_chart_cache())  # also stores new charts on disk
    return [figure.image or b"" for figure in document.figures()]


def _write(document: Document, template_set: TemplateSet, fmt: str) -> bytes:
    from reportgen.build.pipeline import write_format

    return write_format(document, template_set, fmt)


def _answer(conn: Connection, what: str, work: Any) -> None:
    with collected_warnings() as said:
        try:
            result = work()
        except BaseException:  # the parent redoes it and reports the error
            result = None
    with contextlib.suppress(Exception):
        conn.send((what, result, said if result is not None else []))


class Assistant:
    """The forked helper of one report; see the module docstring."""

    def __init__(self, process: ForkProcess, conn: Connection) -> None:
        self._process = process
        self._conn = conn
        self._answers: dict[str, Any] = {}
        self._broken = False
        self._handed_over = False

    @classmethod
    def start(cls, formats: Sequence[str]) -> Assistant | None:
        """Fork the assistant now; None where processes cannot be forked."""
        if not hasattr(os, "fork"):
            return None
        try:
            context = multiprocessing.get_context("fork")
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, os.getpid(), tuple(formats)),
                                      daemon=True, name="reportgen-assistant")
            process.start()
        except (OSError, ValueError):
            return None
        theirs.close()
        return cls(process, mine)

    def hand_over(self, document: Document, template_set: TemplateSet,
                  delegated: Sequence[str]) -> None:
        """Give it the rendered document: it draws the missing charts, then writes `delegated`."""
        try:
            self._conn.send((document, template_set, tuple(delegated)))
            self._handed_over = True
        except Exception:  # unpicklable, or it died: we do it all
            self._broken = True

    def charts(self) -> list[bytes] | None:
        """The chart PNGs in document.figures() order, or None (draw them yourself)."""
        images = self._wait("charts")
        return images if isinstance(images, list) and all(images) else None

    def written(self, fmt: str) -> bytes | None:
        """The bytes of a delegated format, or None (write it yourself)."""
        data = self._wait(fmt)
        return data if isinstance(data, bytes) and data else None

    def _wait(self, what: str) -> Any:
        while what not in self._answers and self._handed_over and not self._broken:
            try:
                if not self._conn.poll(ANSWER_TIMEOUT):
                    raise TimeoutError
                name, result, said = self._conn.recv()
            except (EOFError, OSError, TimeoutError, ValueError, TypeError):
                self._broken = True  # it died or hung: whatever is missing is done here
                break
            for warning in said:
                if isinstance(warning, Said):
                    warning.say_again()
            self._answers[name] = result
        return self._answers.pop(what, None)

    def close(self) -> None:
        """Let it go: told to stop if it never got the document, killed if it hangs."""
        with contextlib.suppress(Exception):
            if not self._handed_over:
                self._conn.send(None)
        with contextlib.suppress(Exception):
            self._conn.close()
        with contextlib.suppress(Exception):
            self._process.join(timeout=0.05 if self._handed_over else 0)
            if self._process.is_alive():
                # It is still importing (a survey that did not load) or hung: not worth a wait.
                self._process.kill()
                self._process.join(timeout=5)
