"""The benchmark's own parts: generated surveys, the docxtpl peer, the memory sampler, tasks.py.

Speeds are never asserted here (the issue: goals for the benchmark, not timed tests); these
tests make sure the benchmark measures what it says it measures.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import pytest

from benchmarks.generate import MAX_CLUSTERS, MIN_CLUSTERS, generate, survey_data, survey_text
from benchmarks.measure import RunResult, timed, tree_cpu_seconds
from benchmarks.run import (
    CACHE_ENV,
    GOALS,
    REPORTGEN,
    Bench,
    edit_survey,
    edit_template,
    goals,
    paired,
    parse_args,
    single_survey_folder,
    table,
)
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


# -- the driver: goals, verdicts, folders, environment (nothing heavy is run or timed) --------

FEATURES = {"jobs": True, "force": True, "quiet": True, "watch": True}


def _build(seconds: float, cpu: float, n: int = 10) -> dict[str, Any]:
    return {"seconds": seconds, "per_report": round(seconds / n, 3),
            "cpu_per_report": round(cpu / n, 3),
            "rounds": [{"seconds": seconds, "cpu_seconds": cpu, "others_cores": 0.1,
                        "load_before": 0.0}]}


def _repeated(*seconds: float) -> dict[str, Any]:
    return {"seconds_median": sorted(seconds)[len(seconds) // 2],
            "cpu_seconds_median": sorted(seconds)[len(seconds) // 2],
            "seconds": list(seconds), "cpu_seconds": list(seconds),
            "others_cores": [0.0] * len(seconds)}


def _steps_meeting_every_goal() -> dict[str, Any]:
    """A fabricated run of 10 surveys in which every goal is just met."""
    rebuild = _build(1.0, 1.5)
    return {
        "full_build": {**_build(4.0, 6.0), "worker_peak_mb": 250.0, "main_peak_mb": 130.0,
                       "pdf": {"count": 10, "size_kb_mean": 500, "pages_min": 7,
                               "pages_max": 10}},
        "peer_batched": {**_build(4.8, 9.0), "worker_peak_mb": 140.0,
                         "soffice_peak_mb": 230.0,
                         "pdf": {"count": 10, "size_kb_mean": 600, "pages_min": 7,
                                 "pages_max": 10}},
        "subset": {name: _build(2.0, 3.0, 4) for name in
                   ("reportgen", "peer_per_report", "peer_one_worker")},
        "noop": {**_repeated(0.3, 0.31, 0.32), "rebuilt": 0},
        "one_survey": {**_repeated(1.4, 1.5, 1.6), "outputs_rebuilt": [2, 2, 2]},
        "check": _repeated(0.2, 0.21, 0.22),
        "template_change": {**rebuild, "outputs_rebuilt": 20, "vs_peer_full_build": 4.8,
                            "cpu_vs_peer_full_build": 6.0},
        "one_report": {"pairs": 3, "reportgen": _repeated(1.2, 1.3, 1.4),
                       "peer": _repeated(1.6, 1.7, 1.8), "ratio_median": 1.25,
                       "cpu_ratio_median": 1.3},
        "watch": {"data_edit": _repeated(0.6, 0.7, 0.8),
                  "template_edit": _repeated(0.4, 0.5, 0.6), "exit_on_ctrl_c": 0,
                  "ctrl_c_to_exit_seconds": 0.4},
        "soak": {"n": 20, **_build(8.0, 12.0, 20), "worker_peak_mb": 260.0,
                 "flatness": {"first_fifth_mb": 250.0, "last_fifth_mb": 260.0}},
    }


def test_goals_give_a_verdict_for_every_row_of_the_issue() -> None:
    verdicts = goals(_steps_meeting_every_goal(), n=10)
    assert list(verdicts) == [g.key for g in GOALS]
    assert {key: v["met"] for key, v in verdicts.items()} == dict.fromkeys(verdicts, True)
    v = verdicts["full_build_vs_batched_peer"]
    assert (v["value"], v["cpu"], v["goal"], v["op"]) == (1.2, 1.5, 1.2, ">=")
    # The print.css rebuild is compared with the PEER's full build, per report.
    v = verdicts["print_css_rebuild_vs_peer_full_build"]
    assert (v["value"], v["cpu"], v["goal"]) == (4.8, 6.0, 2.0)
    assert verdicts["one_report_seconds"]["value"] == 1.3
    assert verdicts["one_report_vs_peer"]["value"] == 1.25
    assert verdicts["one_report_vs_peer"]["cpu"] == 1.3
    assert verdicts["watch_template_edit_seconds"]["value"] == 0.5
    assert verdicts["watch_data_edit_seconds"]["value"] == 0.7
    assert verdicts["one_survey_seconds"]["value"] == 1.5
    assert "measured on 10 surveys" in verdicts["one_survey_seconds"]["note"]
    assert verdicts["worker_peak_mb"]["value"] == 260.0  # the larger of full build and soak
    assert verdicts["worker_memory_flat"]["value"] == round(260 / 250, 3)


def test_goals_not_met_and_not_measured() -> None:
    steps = copy.deepcopy(_steps_meeting_every_goal())
    steps["peer_batched"].update(per_report=0.3, cpu_per_report=0.5)  # slower than the peer
    steps["one_report"].update(ratio_median=0.98)
    steps["one_report"]["reportgen"]["seconds_median"] = 1.51
    steps["template_change"]["per_report"] = 0.2  # 0.3 / 0.2 = 1.5×, goal 2×
    steps["check"]["seconds_median"] = 0.3  # "keep < 0.3 s": equal is not met
    steps["full_build"]["worker_peak_mb"] = 400.0
    steps["watch"] = {"data_edit": _repeated(0.9, 1.0, 1.1),
                      "error": "no new PDF 60 s after a template edit"}
    del steps["soak"]
    verdicts = goals(steps)
    met = {key: v["met"] for key, v in verdicts.items()}
    assert met == {
        "full_build_vs_batched_peer": False, "print_css_rebuild_vs_peer_full_build": False,
        "one_report_seconds": False, "one_report_vs_peer": False,
        "watch_template_edit_seconds": None, "watch_data_edit_seconds": False,
        "one_survey_seconds": True, "noop_seconds": True, "check_seconds": False,
        "worker_peak_mb": False, "worker_memory_flat": None}
    assert verdicts["print_css_rebuild_vs_peer_full_build"]["value"] == 1.5
    assert "no new PDF" in verdicts["watch_template_edit_seconds"]["note"]
    assert verdicts["worker_memory_flat"]["note"] == "not measured: no soak"


def test_table_shows_every_goal_with_its_verdict() -> None:
    steps = _steps_meeting_every_goal()
    steps["watch"] = {"error": "not measured: feature missing"}
    results = {"n": 10, "subset": 4, "jobs": 2, "steps": steps, "goals": goals(steps, 10)}
    text = table(results)
    goal_rows = text.split("| goal | measured |")[1].strip().splitlines()[2:]
    assert len(goal_rows) == len(GOALS)
    for goal, row in zip(GOALS, goal_rows, strict=True):
        assert row.startswith(f"| {goal.scenario} |")
        assert row.split(" | ")[4] in ("met", "NOT met", "not measured")
    assert "| ≥ 1.2× | met |" in goal_rows[0]
    assert "not measured" in goal_rows[4] and "feature missing" in goal_rows[4]
    # Every measured row keeps its CPU time and the disturbance beside the wall time.
    assert "others 0.1 cores" in text and "| 1.3 s |" in text


def test_single_survey_folder_holds_a_copy_of_one_survey_and_an_empty_output(
        tmp_path: Path) -> None:
    sources = generate(tmp_path / "surveys", n=3)
    survey, out = single_survey_folder(tmp_path, "watch", sources[2])
    assert survey == tmp_path / "watch" / sources[2].name
    assert survey.read_bytes() == sources[2].read_bytes()
    assert not out.exists() and out == tmp_path / "watch-out"
    (out).mkdir()
    (out / "old.pdf").write_bytes(b"%PDF")
    edit_survey(survey, 1)  # the copy is edited, never the benchmark's surveys
    survey, out = single_survey_folder(tmp_path, "watch", sources[0])
    assert list(survey.parent.iterdir()) == [survey] and not out.exists()
    assert [p.read_bytes() for p in sorted((tmp_path / "surveys").iterdir())] == [
        p.read_bytes() for p in sources]


def test_edit_template_appends_a_rule_that_parses(tmp_path: Path) -> None:
    import tinycss2

    css = tmp_path / "print.css"
    css.write_text("p { margin: 0; }\n", encoding="utf-8")
    edit_template(css, 1)
    edit_template(css, 2)
    text = css.read_text(encoding="utf-8")
    assert text.startswith("p { margin: 0; }\n")
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    assert [r.type for r in rules] == ["qualified-rule"] * 3


def test_every_command_gets_the_benchmark_cache(tmp_path: Path) -> None:
    bench = Bench(tmp_path, 2, FEATURES)
    assert bench.env[CACHE_ENV] == str(tmp_path / "cache")
    assert bench.environ()[CACHE_ENV] == str(tmp_path / "cache")
    assert bench.environ({CACHE_ENV: ""})[CACHE_ENV] == ""  # step 9: cache off
    bench.log.write_text("", encoding="utf-8")
    code = (f"import os, sys; sys.exit(0 if os.environ['{CACHE_ENV}'] == sys.argv[1] and "
            "os.environ['REPORTGEN_TEMPLATES'] == sys.argv[2] else 3)")
    bench.run([sys.executable, "-c", code, str(tmp_path / "cache"), str(bench.templates)])
    other = tmp_path / "subset-cache"
    bench.run([sys.executable, "-c", code, str(other), str(bench.templates)],
              env={CACHE_ENV: str(other)})
    (tmp_path / "cache" / "charts").mkdir(parents=True)
    bench.clear_cache()
    assert not (tmp_path / "cache").exists()
    bench.clear_cache()  # already gone: fine


def test_one_report_command_is_what_staff_type(tmp_path: Path) -> None:
    bench = Bench(tmp_path, 2, FEATURES)
    one = tmp_path / "one" / "x.yaml"
    command = bench.build_command(one, tmp_path / "out", force=True, default_jobs=True)
    assert command == [REPORTGEN, "build", str(one), "--out", str(tmp_path / "out"),
                       "--force", "--quiet"]
    assert "--jobs" in bench.build_command(one, tmp_path / "out")


def test_paired_gives_both_medians_and_the_median_of_the_pair_ratios() -> None:
    def run(seconds: float, cpu: float) -> RunResult:
        result = RunResult([], seconds, 0)
        result.cpu_seconds = cpu
        return result

    ours = [run(1.0, 1.0), run(2.0, 2.0), run(1.0, 1.0)]
    theirs = [run(1.5, 1.0), run(2.0, 4.0), run(3.0, 1.5)]
    summary = paired(ours, theirs)
    assert summary["pairs"] == 3
    assert summary["reportgen"]["seconds_median"] == 1.0
    assert summary["peer"]["seconds_median"] == 2.0
    assert summary["ratio_median"] == 1.5  # ratios 1.5, 1.0, 3.0
    assert summary["cpu_ratio_median"] == 1.5  # ratios 1.0, 2.0, 1.5


def test_quick_keeps_the_run_small() -> None:
    quick = parse_args(["--quick"])
    assert (quick.n, quick.subset, quick.soak, quick.rounds, quick.repeats) == (10, 4, 0, 1, 3)
    full = parse_args(["--n", "200", "--jobs", "2", "--soak", "500"])
    assert (full.n, full.subset, full.soak, full.rounds, full.repeats) == (200, 20, 500, 2, 5)


def test_tree_cpu_counts_running_and_reaped_descendants() -> None:
    # A child lets a grandchild do some work and reaps it, works itself, says what its own
    # clock says (os.times: its time and its reaped children's), then waits.
    work = "sum(i * i for i in range(1_000_000))"
    code = (f"import os, subprocess, sys; subprocess.run([sys.executable, '-c', '{work}']); "
            f"{work}; t = os.times(); "
            "print(t.user + t.system, t.children_user + t.children_system, flush=True); "
            "sys.stdin.read()")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        own, reaped = map(float, proc.stdout.readline().split())
        assert reaped > 0  # the grandchild's time is in the child's children_* times
        # The same clock ticks, read from outside: nothing lost, whatever the machine's load.
        assert tree_cpu_seconds(proc.pid) >= own + reaped - 0.011
    finally:
        proc.communicate("")
    assert tree_cpu_seconds(proc.pid) == 0.0  # gone
