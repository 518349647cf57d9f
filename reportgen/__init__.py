"""reportgen: survey YAML → standard Chinese investigation reports (DOCX and PDF).

The public API is small on purpose:

    survey = load_survey("inputs/zhucheng.yaml")      # SurveyError lists every problem
    document = render_document(survey)                # the one rendering both writers use
    build_file(Path("inputs/zhucheng.yaml"), Path("outputs"))

Names are imported on first use, so `reportgen check` does not pay for Jinja, lxml,
matplotlib or WeasyPrint.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "BuildResult": "reportgen.build",
    "build_file": "reportgen.build",
    "render_document": "reportgen.build",
    "check_survey": "reportgen.survey",
    "load_survey": "reportgen.survey",
    "DocumentError": "reportgen.errors",
    "FontError": "reportgen.errors",
    "InternalError": "reportgen.errors",
    "OutputError": "reportgen.errors",
    "Problem": "reportgen.errors",
    "ReportgenError": "reportgen.errors",
    "SurveyError": "reportgen.errors",
    "TemplateError": "reportgen.errors",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'reportgen' has no attribute {name!r}")
