"""Survey files (format 1): loading, validation and the typed model templates see.

    load_survey(path)               → Survey, or SurveyError listing every problem
    check_survey(path)              → list[Problem] (empty when valid)
    parse_survey_text(text, name)   → Survey, for tests and previews
"""

from reportgen.survey.loader import check_survey, load_survey, parse_survey_text
from reportgen.survey.model import Cluster, Finding, Region, ReportInfo, Survey, Totals

__all__ = [
    "Cluster",
    "Finding",
    "Region",
    "ReportInfo",
    "Survey",
    "Totals",
    "check_survey",
    "load_survey",
    "parse_survey_text",
]
