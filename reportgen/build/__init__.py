"""Building reports, the journey in modules:

    inputs     which files are surveys (and which are an editor's leftovers)
    pipeline   survey → document tree → charts → formats, owned once
    chart_cache  chart pictures by what they show, in memory and in the user's cache
    assistant  one report on two cores: a forked process draws charts, writes the DOCX
    children   what every forked process of a build does first
    outputs    a report's files, written together or not at all
    stamps     what each output was built from (incremental builds)
    lock       one build at a time per output folder
    batch      many surveys, in worker processes, with progress
    watch      rebuild what a saved file affects

The names most callers need are re-exported here.
"""

from reportgen.build.inputs import SURVEY_SUFFIXES, expand_paths, is_editor_junk
from reportgen.build.pipeline import (
    BuildResult,
    ChartCache,
    build_file,
    render_document,
    render_figures,
    template_set_for,
    write_format,
)

__all__ = [
    "SURVEY_SUFFIXES",
    "BuildResult",
    "ChartCache",
    "build_file",
    "expand_paths",
    "is_editor_junk",
    "render_document",
    "render_figures",
    "template_set_for",
    "write_format",
]
