"""Writers turn the document tree into files. Every writer has the same signature.

    writer = get_writer("docx")
    writer.write(document, template_set, stream)
    writer.prepare(template_set)      # optional: the first write's set-up, done ahead

The writers are registered as data (pandoc's list of writers is the model): the command
line's format choices, the stamps, the names of leftover temporary files and the default
formats all come from WRITERS, so adding a format is one entry here and its module.

A writer writes to an open binary stream; the build step owns files (temporary file, then an
atomic rename), so a writer never leaves a half-written report behind.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from reportgen.document.model import Document
from reportgen.errors import ReportgenError
from reportgen.templating.templateset import TemplateSet


class Writer(Protocol):
    name: str  # "docx", "pdf"
    suffix: str  # ".docx", ".pdf"

    def write(self, document: Document, template_set: TemplateSet, out: BinaryIO) -> None:
        """Write `document` (numbered, figures rendered) styled by `template_set` to `out`."""
        ...

    def prepare(self, template_set: TemplateSet) -> None:
        """Do now the once-per-process set-up a first write() would pay (libraries, fonts,
        stylesheets), e.g. while another process draws the charts. Optional to call, never
        raises: whatever fails here fails again in write(), against the report."""
        ...


@dataclass(frozen=True)
class WriterEntry:
    """One output format: its name, file suffix and where its writer lives."""

    name: str
    suffix: str
    module: str  # imported only when the format is written: `check` never pays for it
    class_name: str
    label: str  # what staff call it
    # Files of a template set this format never reads (glob patterns on the path inside the
    # set): editing them leaves this format's reports current (build.stamps), e.g. a
    # print.css edit rebuilds the PDFs only.
    unread: tuple[str, ...] = ()


WRITERS: dict[str, WriterEntry] = {entry.name: entry for entry in (
    # The DOCX is styled by reference.docx alone: print.css and the fonts it loads are the PDF's.
    WriterEntry("docx", ".docx", "reportgen.writers.docx_writer", "DocxWriter", "Word 文档",
                unread=("*.css", "*.otf", "*.ttf", "*.ttc", "*.woff", "*.woff2")),
    WriterEntry("pdf", ".pdf", "reportgen.writers.pdf_writer", "PdfWriter", "PDF 文件",
                unread=("reference.docx",)),
)}
FORMATS: tuple[str, ...] = tuple(WRITERS)
DEFAULT_FORMATS: tuple[str, ...] = FORMATS  # every format, unless the command line chooses


def get_writer(name: str) -> Writer:
    """The writer registered under `name`."""
    entry = WRITERS.get(name)
    if entry is None:
        raise ReportgenError(f"未知的输出格式“{name}”；可用：{'、'.join(FORMATS)}")
    writer: Writer = getattr(importlib.import_module(entry.module), entry.class_name)()
    return writer


def suffix_of(name: str) -> str:
    return WRITERS[name].suffix
