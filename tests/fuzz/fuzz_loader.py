"""Long fuzz campaign of the survey loader and validator (atheris / libFuzzer); not in the suite.

Every input is handed to the loader as the bytes of a survey file. The loader must return a
survey or a list of located problems, never raise, and stay within the limits the format
promises; libFuzzer's -timeout and -rss_limit_mb turn a slow or hungry input into a crash.

    nice -n 19 .venv/bin/python tests/fuzz/fuzz_loader.py \\
        -dict=tests/fuzz/survey.dict -max_len=4096 -timeout=10 -rss_limit_mb=1024 \\
        -max_total_time=1080 -print_final_stats=1 \\
        /tmp/fuzz-corpus tests/bad_inputs/surveys inputs

The first folder collects new interesting inputs; the others seed the campaign with the
bad-input corpus and the samples. The short version that runs in the suite is hypothesis
based (tests/test_properties.py, tests/survey/test_survey_fuzz.py). The last campaign's size
and result are recorded in docs/承诺.md.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["reportgen.survey", "ruamel.yaml"]):
    from reportgen.errors import Problem
    from reportgen.survey import loader
    from reportgen.survey.model import Survey

FILE = "fuzz.yaml"


def _check_problem(problem: Problem, lines: int) -> None:
    if problem.file != FILE or not problem.message.strip():
        raise AssertionError(f"problem without file or message: {problem!r}")
    if not (1 <= problem.line <= lines and problem.col >= 1):
        raise AssertionError(f"problem outside the file ({lines} lines): {problem!r}")


def test_one_input(data: bytes) -> None:
    # Only SurveyError-free results are allowed: _check returns problems, it never raises.
    survey, problems = loader._check(data, FILE)
    if (survey is None) == (not problems):
        raise AssertionError(f"survey={survey!r} with problems={problems!r}")
    if survey is not None and not isinstance(survey, Survey):
        raise AssertionError(f"not a Survey: {type(survey)}")
    lines = data.count(b"\n") + 1 + data.count(b"\r")
    for problem in problems:
        _check_problem(problem, lines)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
