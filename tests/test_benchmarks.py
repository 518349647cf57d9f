"""The benchmark's own parts: generated surveys, the docxtpl peer, the memory sampler, tasks.py.

Speeds are never asserted here (the issue: goals for the benchmark, not timed tests); these
tests make sure the benchmark measures what it says it measures.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from benchmarks.generate import MAX_CLUSTERS, MIN_CLUSTERS, generate, survey_data, survey_text
from benchmarks.measure import timed
from benchmarks.run import edit_survey
from reportgen.survey import load_survey
from tests.conftest import ROOT, need, run_cli

TASKS = ["bench", "build", "check", "clean", "goldens", "lint", "test", "watch"]


@pytest.fixture(scope="module")
def surveys(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("surveys"), n=4)


def test_generated_surveys_pass_check_and_have_the_stated_shape(surveys: list[Path]) -> None:
    result = run_cli("check", str(surveys[0].parent))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("检查通过") == len(surveys) == 4
    for path in surveys:
        survey = load_survey(path)
        assert MIN_CLUSTERS <= len(survey.clusters) <= MAX_CLUSTERS
        assert max(len(c.history) for c in survey.clusters) >= 3  # several years of history
        for finding in (*survey.problems, *survey.causes, *survey.suggestions):
            assert (finding.detail or "").count("。") >= 2, path  # paragraphs, not one-liners
    longest = max(len(f.detail or "") for p in surveys for f in load_survey(p).problems)
    assert longest >= 120  # a paragraph of several sentences


def test_generator_is_deterministic_and_covers_the_ranges() -> None:
    assert survey_text(7, 3) == survey_text(7, 3)
    assert survey_text(7, 3) != survey_text(7, 4) != survey_text(8, 3)
    sample = [survey_data(2025, i) for i in range(60)]
    counts = {len(d["clusters"]) for d in sample}
    assert min(counts) == MIN_CLUSTERS and max(counts) == MAX_CLUSTERS
    assert any(c.get("group") for d in sample for c in d["clusters"])  # grouped tables
    assert any("causes" in d for d in sample) and any("causes" not in d for d in sample)
    assert any("totals" in d for d in sample)


def test_generate_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    first = generate(tmp_path, n=2)
    stamp = first[0].stat().st_mtime_ns
    generate(tmp_path, n=2)  # a watcher must not see a "change" when nothing changed
    assert first[0].stat().st_mtime_ns == stamp


def test_edit_survey_changes_one_figure_and_keeps_the_file_valid(tmp_path: Path) -> None:
    path = generate(tmp_path, n=1)[0]
    before = load_survey(path).clusters[0].output
    edit_survey(path, 3)
    result = run_cli("check", str(path))
    assert result.returncode == 0, result.stderr
    assert load_survey(path).clusters[0].output > before


@pytest.mark.slow
def test_a_generated_report_has_6_to_10_pages_and_the_peer_writes_the_same_text(
        surveys: list[Path], tmp_path: Path) -> None:
    from benchmarks.peer import build_template, render_docx

    survey = surveys[1]
    out = tmp_path / "reportgen"
    result = run_cli("build", str(survey), "--out", str(out), "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    info = subprocess.run([need("pdfinfo"), str(out / f"{survey.stem}.pdf")],
                          capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert 6 <= pages <= 10

    template = build_template(tmp_path / "peer_template.docx")
    peer = docx.Document(str(render_docx(survey, template, tmp_path)))
    ours = docx.Document(str(out / f"{survey.stem}.docx"))

    def texts(document: docx.document.Document) -> list[str]:
        return [p.text for p in document.paragraphs if p.text.strip()]

    # Same headings, paragraphs, captions, run-in numbers and signature, in the same order.
    assert texts(peer) == texts(ours)
    assert len(peer.inline_shapes) == len(ours.inline_shapes) == 3  # bar, pie, trend
    assert len(peer.tables) == len(ours.tables)
    for theirs, mine in zip(peer.tables, ours.tables, strict=True):
        # Our headers may break before their unit (企业数 / （家）): the same words.
        assert [c.text for c in theirs.rows[0].cells] == [
            c.text.replace("\n", "") for c in mine.rows[0].cells]
        assert [c.text for c in theirs.rows[-1].cells] == [c.text for c in mine.rows[-1].cells]
        assert len(theirs.rows) == len(mine.rows)


def test_memory_sampler_sees_child_processes() -> None:
    code = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
            "'import time; b = bytearray(80 * 1024 * 1024); time.sleep(1.0)'])")
    result = timed([sys.executable, "-c", code], sample=True)
    assert result.returncode == 0
    assert result.seconds >= 1.0
    peak = result.peak_mb("worker")
    assert peak is not None and peak >= 80


def test_inv_list_shows_every_task_with_a_one_line_docstring() -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "inv"), "--list"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^  (\w+)\s{2,}(\S.*)$", line)
        if match:
            listed[match.group(1)] = match.group(2)
    assert sorted(listed) == TASKS
    import tasks

    for name in TASKS:
        doc = getattr(tasks, name).__doc__
        assert doc and "\n" not in doc.strip(), name  # one line
        assert listed[name] in doc
