"""One report on two cores (build.assistant): the same files, the same errors and warnings.

A single report with a second core free is built with a forked assistant that draws the
charts and writes the DOCX while this process writes the PDF. Whatever happens to the
assistant, the report must come out exactly as a one-process build makes it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen import cache, charts
from reportgen.build import assistant as assistant_module
from reportgen.build import chart_cache
from reportgen.build.batch import Job, build_job, run_jobs

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "tests" / "goldens" / "inputs" / "zhucheng.yaml"
CHARTS = 2  # the charts of SURVEY
FORMATS = ("docx", "pdf")


@pytest.fixture(autouse=True)
def no_charts_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts like a new process: no chart known (the disk cache is new too)."""
    monkeypatch.setattr(chart_cache, "_process_cache", None)


def job(source: Path = SURVEY) -> Job:
    return Job(source, FORMATS, None, "test")


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.suffix in (".docx", ".pdf")}


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The report built by one process, without an assistant."""
    out = tmp_path_factory.mktemp("alone")
    outcome = build_job(job(), out)
    assert outcome.ok, outcome.error
    return outputs(out)


def test_the_command_line_gives_the_same_files_with_and_without(tmp_path: Path) -> None:
    def build(out: Path, *options: str) -> dict[str, bytes]:
        done = subprocess.run([sys.executable, "-m", "reportgen", "build", str(SURVEY),
                               "--out", str(out), "-q", *options], capture_output=True,
                              text=True, timeout=300, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return outputs(out)

    assisted = build(tmp_path / "two")  # default --jobs: the cores of this machine (2)
    assert assisted == build(tmp_path / "one", "--jobs", "1")
    assert set(assisted) == {"zhucheng.docx", "zhucheng.pdf"}


def test_the_assistant_draws_and_writes_the_docx(tmp_path: Path, alone: dict[str, bytes],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Here nothing may be drawn and no DOCX written: the assistant did both."""
    here = os.getpid()
    real_png: Callable[..., bytes] = charts.render_png
    drawn_here: list[str] = []

    def drawing(spec: charts.ChartSpec, width_cm: float = 15.0) -> bytes:
        if os.getpid() == here:
            drawn_here.append(spec.title)
        return real_png(spec, width_cm)

    monkeypatch.setattr(charts, "render_png", drawing)
    from reportgen.writers import docx_writer

    real_write = docx_writer.DocxWriter.write
    written_here: list[int] = []

    def writing(self: docx_writer.DocxWriter, *args: object) -> None:
        if os.getpid() == here:
            written_here.append(1)
        real_write(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(docx_writer.DocxWriter, "write", writing)
    outcome = build_job(job(), tmp_path, assisted=True)
    assert outcome.ok, outcome.error
    assert drawn_here == [] and written_here == []
    folder = cache.cache_folder(chart_cache.CACHE_KIND)
    assert folder is not None and len(list(folder.glob("*.png"))) == CHARTS  # it drew them
    assert outputs(tmp_path) == alone


def _die(*args: object) -> None:
    os._exit(3)


def test_a_dead_assistant_changes_nothing(tmp_path: Path, alone: dict[str, bytes],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assistant_module, "_serve", _die)
    outcome = build_job(job(), tmp_path, assisted=True)
    assert outcome.ok, outcome.error
    assert outputs(tmp_path) == alone


def test_an_assistant_that_fails_leaves_the_error_to_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(spec: charts.ChartSpec, width_cm: float = 15.0) -> bytes:
        raise RuntimeError("chart code broken")

    monkeypatch.setattr(charts, "render_png", broken)
    assisted = build_job(job(), tmp_path / "two", assisted=True)
    single = build_job(job(), tmp_path / "one")
    assert not assisted.ok and assisted.error == single.error
    assert "chart code broken" in (assisted.error or "")
    assert not (tmp_path / "two" / "zhucheng.docx").exists()


def test_warnings_in_the_assistant_are_said_once(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real: Callable[..., bytes] = charts.render_png

    def noisy(spec: charts.ChartSpec, width_cm: float = 15.0) -> bytes:
        logging.getLogger("reportgen.charts").warning("图表“%s”的提示", spec.title)
        return real(spec, width_cm)

    monkeypatch.setattr(charts, "render_png", noisy)
    outcome = build_job(job(), tmp_path, assisted=True)
    assert outcome.ok, outcome.error
    notes = [w for w in outcome.warnings if w.endswith("的提示")]
    assert len(notes) == CHARTS and len(set(notes)) == CHARTS


def test_a_survey_that_does_not_load_leaves_no_assistant(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\nregion: [\n", encoding="utf-8")
    outcome = build_job(job(bad), tmp_path / "out", assisted=True)
    assert not outcome.ok and "bad.yaml" in (outcome.error or "")
    assert multiprocessing.active_children() == []


def test_only_a_single_report_with_a_free_core_is_assisted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[str, ...]] = []
    real = assistant_module.Assistant.start

    def counting(formats: tuple[str, ...]) -> assistant_module.Assistant | None:
        started.append(tuple(formats))
        return real(formats)

    monkeypatch.setattr(assistant_module.Assistant, "start", staticmethod(counting))
    results: list[bool] = []
    run_jobs([job()], tmp_path / "a", 1, lambda o: results.append(o.ok), assist=False)
    assert started == []
    run_jobs([job()], tmp_path / "b", 1, lambda o: results.append(o.ok), assist=True)
    assert started == [FORMATS] and results == [True, True]
