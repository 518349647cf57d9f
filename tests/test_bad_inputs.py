"""The bad-input corpus: every file in tests/bad_inputs/surveys/ is refused as expected.

Each file breaks one rule of the survey format (or a few, to show that all problems of a
file are reported in one run); tests/bad_inputs/expected.yaml lists, per file, every problem
`reportgen check` must report: line, column, key path and a fragment of the message. The
file over 1 MiB is generated here rather than committed.

Besides the messages, every bad input is refused cleanly (no traceback, through the real
CLI too) and cheaply: a hard ceiling of 2 s and 500 MB per file, measured in a separate
process so that pytest's own memory does not count. The ceiling is a safety limit (a
billion-laughs file must not take minutes or gigabytes), not a speed goal.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reportgen.errors import Problem
from reportgen.survey import check_survey
from reportgen.survey.loader import MAX_BYTES
from tests.conftest import ROOT, run_cli

CORPUS = ROOT / "tests" / "bad_inputs"
SURVEYS = CORPUS / "surveys"
FILES = sorted(p.name for p in SURVEYS.iterdir())
SECONDS = 2.0
MEGABYTES = 500


def _expected() -> dict[str, list[dict[str, object]]]:
    return YAML(typ="safe", pure=True).load((CORPUS / "expected.yaml").read_text("utf-8"))


EXPECTED = _expected()


@pytest.fixture(scope="module")
def oversized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A survey just over 1 MiB: a valid file padded with a long comment."""
    path = tmp_path_factory.mktemp("big") / "over_1_mib.yaml"
    head = (ROOT / "tests" / "goldens" / "inputs" / "lingxi.yaml").read_bytes()
    path.write_bytes(head + b"# " + b"x" * (MAX_BYTES - len(head)) + b"\n")
    assert path.stat().st_size > MAX_BYTES
    return path


def test_corpus_is_large_and_fully_described() -> None:
    assert len(FILES) >= 40
    assert sorted(EXPECTED) == FILES  # no file without expectations, no stale entry
    assert all(EXPECTED[name] for name in FILES)  # every file is refused


def _matches(problem: Problem, expected: dict[str, object]) -> bool:
    return (problem.line == expected["line"]
            and problem.col == expected.get("col", problem.col)
            and problem.path == expected["path"]
            and str(expected["contains"]) in problem.message)


@pytest.mark.parametrize("name", FILES)
def test_bad_input_is_refused_with_its_messages(name: str) -> None:
    path = SURVEYS / name
    problems = check_survey(path)
    expected = EXPECTED[name]
    shown = "\n".join(map(str, problems))
    assert len(problems) == len(expected), shown
    for problem, wanted in zip(problems, expected, strict=True):
        assert _matches(problem, wanted), f"expected {wanted}\ngot {problem}"
        assert problem.file == str(path)
        # What is wrong；how to write it right.
        what, _, how = problem.message.partition("；")
        assert what and how, problem
        # A known key is named in Chinese too (an unknown top-level key has no name).
        if problem.path and not problem.message.startswith("未知的键"):
            assert problem.label, problem


def test_oversized_file_is_refused_before_parsing(oversized: Path) -> None:
    (problem,) = check_survey(oversized)
    assert (problem.line, problem.col, problem.path) == (1, 1, "")
    assert "文件过大" in problem.message and str(MAX_BYTES) in problem.message


_MEASURE = """
import json, sys, time
from reportgen.survey import check_survey
times = {}
for name in sys.argv[1:]:
    start = time.perf_counter()
    problems = check_survey(name)
    times[name] = (time.perf_counter() - start, len(problems))
# VmHWM, not ru_maxrss: the latter survives exec on Linux, so it would report the RSS of the
# (large) test process this one was forked from; VmHWM belongs to this program alone.
with open("/proc/self/status", encoding="ascii") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"times": times, "maxrss_mb": peak_kb / 1024}))
"""


def test_each_bad_input_takes_under_2_s_and_500_mb(oversized: Path) -> None:
    paths = [str(SURVEYS / name) for name in FILES] + [str(oversized)]
    result = subprocess.run([sys.executable, "-c", _MEASURE, *paths], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    slow = {name: t for name, (t, _) in report["times"].items() if t >= SECONDS}
    assert not slow, slow
    assert all(count >= 1 for _, count in report["times"].values())
    # The high-water mark of the whole process bounds every single file.
    assert report["maxrss_mb"] < MEGABYTES, report["maxrss_mb"]


def test_cli_check_lists_every_problem_without_traceback(oversized: Path) -> None:
    result = run_cli("check", str(SURVEYS), str(oversized))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "Warning" not in result.stderr  # e.g. ruamel's ReusedAnchorWarning
    assert f"共 {len(FILES) + 1} 个文件有错误" in result.stderr
    lines = set(result.stderr.splitlines())
    for name in FILES:
        for problem in check_survey(SURVEYS / name):
            assert str(problem) in lines, problem
    assert any(line.startswith(f"{oversized}:1:1: 文件过大") for line in lines)


SAMPLE = ["file_alias_bomb.yaml", "file_binary.yaml", "file_utf16.yaml", "key_duplicate_top.yaml",
          "placeholder_in_numbers.yaml", "rule_growth_disagrees.yaml", "type_money_bare.yaml"]


def test_cli_build_refuses_bad_inputs_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", *(str(SURVEYS / name) for name in SAMPLE), "--out", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for name in SAMPLE:
        first = EXPECTED[name][0]
        assert re.search(rf"{re.escape(str(SURVEYS / name))}:{first['line']}:\d+: ",
                         result.stderr), name
    assert not list(out.glob("*.docx")) + list(out.glob("*.pdf")) + list(out.glob(".*.tmp"))


def test_every_test_named_in_the_promises_exists() -> None:
    """docs/承诺.md links each promise to a test: each named test must be real."""
    text = (ROOT / "docs" / "承诺.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    # "`tests/x.py::a`、`::b`": b is in tests/x.py too.
    for file, rest in re.findall(r"`(tests/[\w/]+\.py)::\w+`((?:、`::\w+`)+)", text):
        named += [(file, name) for name in re.findall(r"::(\w+)", rest)]
    assert len(named) >= 30
    for file, name in named:
        source = (ROOT / file).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{file}::{name}"
    for sample in re.findall(r"样例 `(\w+\.yaml)`", text):
        assert sample in FILES, sample
