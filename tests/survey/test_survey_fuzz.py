"""Property: loading never raises anything but SurveyError, whatever the input."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from survey_helpers import BASE

from reportgen.errors import SurveyError
from reportgen.survey import check_survey, load_survey, parse_survey_text

_YAMLISH = st.lists(st.sampled_from([
    "a", "region", "clusters", "name", ":", ": ", "- ", "\n", "  ", "&x ", "*x", "[", "]",
    "{", "}", ",", "'", '"', "#", "!!str ", "<<: ", "142亿元", "xx", "null", "~", "010",
    "2025-02-30", "\t", "? ", "|", ">", "%", "@", "\ufeff", "\x01", "---\n", "...\n",
]), max_size=40).map("".join)


def _parse(text: str) -> None:
    try:
        parse_survey_text(text, "fuzz.yaml")
    except SurveyError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == "fuzz.yaml" and problem.line >= 1 and problem.col >= 1


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _YAMLISH))
def test_text_never_crashes(text: str) -> None:
    _parse(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(BASE)), st.integers(0, 40), st.text(max_size=20))
def test_edited_survey_never_crashes(at: int, cut: int, insert: str) -> None:
    _parse(BASE[:at] + insert + BASE[at + cut:])


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_bytes_never_crash(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(raw)
    with contextlib.suppress(SurveyError):
        load_survey(path)
    assert isinstance(check_survey(path), list)
