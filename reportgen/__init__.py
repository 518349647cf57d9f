"""reportgen: survey YAML → standard Chinese investigation reports (DOCX and PDF).

The public API is small on purpose:

    survey = load_survey("inputs/zhucheng.yaml")      # SurveyError lists every problem
    document = render_document(survey)                # the one rendering both writers use
    build_file(Path("inputs/zhucheng.yaml"), Path("outputs"))
"""

from reportgen.build import BuildResult, build_file, build_paths, render_document
from reportgen.errors import (
    DocumentError,
    FontError,
    InternalError,
    OutputError,
    Problem,
    ReportgenError,
    SurveyError,
    TemplateError,
)
from reportgen.survey import check_survey, load_survey

__version__ = "0.1.0"

__all__ = [
    "BuildResult",
    "DocumentError",
    "FontError",
    "InternalError",
    "OutputError",
    "Problem",
    "ReportgenError",
    "SurveyError",
    "TemplateError",
    "__version__",
    "build_file",
    "build_paths",
    "check_survey",
    "load_survey",
    "render_document",
]
