"""A template set: one folder holding a report's templates, print CSS and reference .docx.

    templates/<name>/
        report.html        the Jinja2 entry template (HTML subset, see docs)
        print.css          the PDF's page layout and styles (WeasyPrint)
        reference.docx     the DOCX's styles, page setup and footer (edit in Word)
        *.html             partials the entry template includes
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import TemplateError

ENTRY = "report.html"
CSS = "print.css"
REFERENCE_DOCX = "reference.docx"
DEFAULT_SET = "default"


TEMPLATES_ENV = "REPORTGEN_TEMPLATES"


def templates_root() -> Path:
    """The folder of the template sets: $REPORTGEN_TEMPLATES, else the toolkit's templates/.

    The variable lets an office keep its own sets outside the toolkit (and tests work on a
    copy); the default is the folder next to the package.
    """
    chosen = os.environ.get(TEMPLATES_ENV)
    if chosen:
        return Path(chosen).resolve()
    return Path(__file__).resolve().parent.parent.parent / "templates"


@dataclass(frozen=True)
class TemplateSet:
    name: str
    root: Path

    @property
    def entry(self) -> Path:
        return self.root / ENTRY

    @property
    def css(self) -> Path:
        return self.root / CSS

    @property
    def reference_docx(self) -> Path:
        return self.root / REFERENCE_DOCX

    def files(self) -> list[Path]:
        """Every file of the set, sorted: what a rebuild depends on."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    def contains(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        return True


def available_sets(root: Path | None = None) -> list[str]:
    base = root or templates_root()
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / ENTRY).is_file())


def find_template_set(name: str | None = None, root: Path | None = None) -> TemplateSet:
    """The set called `name` (default: the default set); TemplateError if there is none."""
    base = root or templates_root()
    chosen = name or DEFAULT_SET
    folder = base / chosen
    if "/" in chosen or "\\" in chosen or chosen.startswith(".") or not (folder / ENTRY).is_file():
        known = "、".join(available_sets(base)) or "（无）"
        raise TemplateError(f"找不到模板集“{chosen}”；可用的模板集：{known}")
    return TemplateSet(name=chosen, root=folder)
