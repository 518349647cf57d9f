"""Each sample survey renders to exactly its reviewed document tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.goldens import golden_path, render_json, sample_inputs


@pytest.mark.parametrize("survey_path", sample_inputs(), ids=lambda p: p.stem)
def test_document_tree_matches_golden(survey_path: Path) -> None:
    expected = golden_path(survey_path).read_text(encoding="utf-8")
    actual = render_json(survey_path)
    assert actual == expected, (
        f"document tree of {survey_path.name} changed; if intended, run `inv goldens` "
        "and review the diff")


def test_every_sample_has_a_golden() -> None:
    assert sample_inputs(), "no sample surveys"
    for survey_path in sample_inputs():
        assert golden_path(survey_path).is_file(), survey_path
