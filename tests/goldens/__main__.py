"""Rewrite every golden file from the current code. Review `git diff tests/goldens` after."""

from __future__ import annotations

from tests.goldens import golden_path, render_json, sample_inputs

for survey_path in sample_inputs():
    target = golden_path(survey_path)
    target.write_text(render_json(survey_path), encoding="utf-8")
    print(f"wrote {target}")
