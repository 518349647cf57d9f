"""What libraries say while a report is built reaches staff in Chinese, never as English lines
of Python source (matplotlib's UserWarning, WeasyPrint's CSS notices)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from reportgen import charts
from reportgen.document.model import ChartSpec
from tests.conftest import ROOT, SAMPLES


@pytest.mark.expected_warnings("排版时的提示")
def test_a_matplotlib_warning_becomes_one_chinese_log_line(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    real = charts._render_png

    def noisy(spec: ChartSpec, width_cm: float) -> bytes:
        warnings.warn("constrained_layout not applied", UserWarning, stacklevel=1)
        warnings.warn("constrained_layout not applied", UserWarning, stacklevel=1)
        return real(spec, width_cm)

    monkeypatch.setattr(charts, "_render_png", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape as a Python warning
        with caplog.at_level(logging.WARNING, logger="reportgen"):
            charts.render_png(ChartSpec("bar", "产值", ["甲", "乙"], [("产值", [1.0, 2.0])]))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "图表“产值”排版时的提示" in lines[0]


def test_print_css_mistakes_are_reported_in_chinese(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    css = root / "default" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\np { colr: red; }\ndiv::weird { }\n",
                   encoding="utf-8")
    line = css.read_text(encoding="utf-8").count("\n") - 1
    survey = tmp_path / "s.yaml"
    survey.write_bytes((SAMPLES / "lingxi.yaml").read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "reportgen", "build", str(survey), "--out", str(tmp_path / "out"),
         "-f", "pdf"], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "REPORTGEN_TEMPLATES": str(root)})
    assert result.returncode == 0, result.stderr
    assert f"样式表第 {line} 行第 5 列：已忽略“colr: red”（不认识的属性）" in result.stderr
    assert "不支持的选择器 div::weird" in result.stderr
    assert not re.search(r"Ignored|unknown property|Traceback|UserWarning", result.stderr)
