"""`reportgen templates check`: a template set's mistakes, each with its file and line.

A tool downstream of every stage it checks (it renders templates, parses their HTML with the
document stage's subset and reads reference.docx against the writers' style map), so no stage
of the pipeline imports it.

    template_set  the whole check of one set (render against sample surveys, then the rest)
    sources       the template text itself, every branch, no survey needed
    assets        reference.docx styles, print.css fonts and URLs, set.yaml
    problems      what one problem is
"""

from reportgen.checks.problems import CheckProblem
from reportgen.checks.template_set import check_template_set

__all__ = ["CheckProblem", "check_template_set"]
