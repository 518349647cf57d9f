"""Shared fixtures: sample surveys and one real build of them, made once per test session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "goldens" / "inputs"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as staff do."""
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.yaml"))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, samples: list[Path]) -> Path:
    """Every sample built to DOCX and PDF by `reportgen build`; returns the output folder."""
    out = tmp_path_factory.mktemp("outputs")
    result = run_cli("build", str(SAMPLES), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed; run `make test`, which installs it")
    return path
