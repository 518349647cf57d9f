"""Any valid survey builds to both formats, not only the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.build import build_file
from reportgen.survey import check_survey
from tests.random_surveys import random_survey


@pytest.mark.parametrize("seed", range(8))
def test_random_valid_survey_builds(tmp_path: Path, seed: int) -> None:
    source = tmp_path / f"r{seed}.yaml"
    source.write_text(random_survey(seed), encoding="utf-8")
    assert check_survey(source) == []
    result = build_file(source, tmp_path / "out")
    assert result.ok, result.error
    assert {p.suffix for p in result.outputs} == {".docx", ".pdf"}
