"""Where the template sets are, and which exist: a leaf every stage may ask.

The survey validator checks that `report.template` names an existing set (so `check` finds a
typo, not only `build`), and the renderer loads the set; both ask here, so the survey stage
does not depend on the templating stage.
"""

from __future__ import annotations

import os
from pathlib import Path

ENTRY = "report.html"
CSS = "print.css"
REFERENCE_DOCX = "reference.docx"
INFO = "set.yaml"
DEFAULT_SET = "default"


TEMPLATES_ENV = "REPORTGEN_TEMPLATES"


def templates_root() -> Path:
    """The folder of the template sets, the first of:

    1. $REPORTGEN_TEMPLATES: an office keeps its own sets outside the toolkit (tests work
       on a copy);
    2. the repository's top-level templates/, where staff find and edit them, when
       reportgen runs from a checkout (`make demo`'s editable install, `python -m` there);
    3. the sets shipped inside the installed package (reportgen/templates/, copied from
       templates/ into the wheel, see pyproject.toml), after `pip install .` elsewhere.
    """
    chosen = os.environ.get(TEMPLATES_ENV)
    if chosen:
        return Path(chosen).resolve()
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "templates").is_dir():
        return checkout / "templates"
    return package / "templates"


def available_sets(root: Path | None = None) -> list[str]:
    base = root or templates_root()
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / ENTRY).is_file())
