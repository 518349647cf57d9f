"""Property tests for survey format 2: random surveys build, random edits are refused cleanly.

Random valid format-2 surveys (tests/random_surveys2.py) use every construct of the format;
each must be accepted and render; a random edit of one (values replaced by format-2 traps,
keys deleted, subtrees added) must give a survey that renders or problems that are located,
never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reportgen.survey import check_survey, parse_survey_text
from tests.random_surveys2 import random_survey2
from tests.test_properties import _dump, _edit, _outcome, _paths, trees

FILE = "inputs/test.yaml"

# Values a staff member might type into a format-2 file, right or wrong.
_TRAPS2 = [
    "3300多", "近23万人", "约1800亿元", "20多亿", "1800亿元左右", "35万吨以上", "12亿美元",
    "7亿多双", "约300多吨", "超过", "多", "近", "300罗", "20万锭", "41.5万人次", "全省第5位",
    "全国第一", "居全省第五位", "三大基地之一", "35%以上", "约40%", "-5%以上", "１６９家",
    "169人", "一、理解", "（一）", "导语", "现状", "前言", "万吨", "亿亿元", "1e3万元",
    "0.000001亿元", "9" * 30 + "亿元", "", "—", "近200", "1.50", "a\nb", "第\n二", "xx万元",
    "20xx年",
]
traps2 = st.one_of(st.sampled_from(_TRAPS2), trees)


def _data(seed: int) -> Any:
    return YAML(typ="safe", pure=True).load(random_survey2(seed))


def _render(text: str) -> None:
    from reportgen.build import render_document

    survey = parse_survey_text(text, FILE)
    assert render_document(survey).blocks


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6))
def test_random_format2_survey_is_valid_and_renders(seed: int) -> None:
    _render(random_survey2(seed))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6),
       st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["replace", "delete", "add"]),
                          traps2), min_size=1, max_size=3),
       st.booleans())
def test_edited_format2_survey_gives_a_survey_or_located_problems(
        seed: int, edits: list[tuple[int, str, Any]], flow: bool) -> None:
    from reportgen.build import render_document

    data: Any = _data(seed % 50)
    for index, how, value in edits:
        paths = _paths(data)
        data = _edit(data, paths[index % len(paths)], how, value)
    try:
        text = _dump(data, flow)
    except Exception:  # a tree ruamel itself cannot write is not an input to test
        assume(False)
    survey = _outcome(text)
    event("accepted" if survey is not None else "refused")
    if survey is not None:
        assert render_document(survey).blocks


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 7, 23, 42])
def test_random_format2_survey_builds_to_both_formats(tmp_path: Path, seed: int) -> None:
    from reportgen.build import build_file

    source = tmp_path / f"r{seed}.yaml"
    source.write_text(random_survey2(seed), encoding="utf-8")
    assert check_survey(source) == []
    result = build_file(source, tmp_path / "out")
    assert result.ok, result.error
    assert {p.suffix for p in result.outputs} == {".docx", ".pdf"}
