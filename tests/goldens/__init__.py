"""Golden files: each sample survey's document tree as reviewed JSON.

Regenerate on purpose (after reviewing the diff) with `inv goldens` or `make goldens`,
which run `python -m tests.goldens`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "inputs"


def golden_path(survey_path: Path) -> Path:
    return HERE / f"{survey_path.stem}.json"


def sample_inputs() -> list[Path]:
    return sorted(INPUTS.glob("*.yaml"))


def render_json(survey_path: Path) -> str:
    from reportgen.build import render_document
    from reportgen.survey import load_survey

    return render_document(load_survey(survey_path)).to_json()
