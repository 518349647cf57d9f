"""Writers turn the document tree into files. Every writer has the same signature.

    writer = get_writer("docx")
    writer.write(document, template_set, stream)

A writer writes to an open binary stream; the build step owns files (temporary file, then an
atomic rename), so a writer never leaves a half-written report behind.
"""

from __future__ import annotations

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


def get_writer(name: str) -> Writer:
    """The writer registered under `name`; imported lazily so `check` stays fast."""
    if name == "docx":
        from reportgen.writers.docx_writer import DocxWriter

        return DocxWriter()
    if name == "pdf":
        from reportgen.writers.pdf_writer import PdfWriter

        return PdfWriter()
    raise ReportgenError(f"未知的输出格式“{name}”；可用：docx、pdf")


WRITER_NAMES = ("docx", "pdf")
