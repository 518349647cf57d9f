"""Inputs that are not survey files: pipes, devices, looping or broken links, huge files.

Each is named for what it is (never "not found", never silently skipped in a folder), and
deciding what to rebuild never reads one whole (a pipe would block, /dev/zero never ends).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportgen.build import stamps
from reportgen.build.batch import plan_builds
from reportgen.build.inputs import MAX_SURVEY_BYTES, expand_paths
from reportgen.survey import check_survey
from reportgen.survey.loader import MAX_BYTES
from tests.conftest import SAMPLES, run_cli


@pytest.fixture
def odd(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    pipe = folder / "pipe.yaml"
    os.mkfifo(pipe)
    zero = folder / "zero.yaml"
    zero.symlink_to("/dev/zero")
    loop = folder / "loop.yaml"
    loop.symlink_to("loop.yaml")
    broken = folder / "broken.yaml"
    broken.symlink_to("nothing.yaml")
    return {"pipe": pipe, "zero": zero, "loop": loop, "broken": broken}


@pytest.mark.parametrize(("name", "says"), [
    ("pipe", "命名管道"), ("zero", "字符设备"), ("loop", "循环"), ("broken", "指向的文件不存在")])
def test_each_is_named_for_what_it_is(odd: dict[str, Path], name: str, says: str) -> None:
    (problem,) = check_survey(odd[name])
    assert says in problem.message and "文件不存在；请检查文件名" not in problem.message


def test_a_folder_lists_them_instead_of_skipping_them(odd: dict[str, Path]) -> None:
    folder = odd["pipe"].parent
    (folder / "good.yaml").write_bytes((SAMPLES / "lingxi.yaml").read_bytes())
    assert {p.name for p in expand_paths([folder])} == {
        "pipe.yaml", "zero.yaml", "loop.yaml", "broken.yaml", "good.yaml"}
    result = run_cli("check", str(folder))
    assert result.returncode == 1
    for says in ("命名管道", "字符设备", "循环", "指向的文件不存在"):
        assert says in result.stderr
    assert "good.yaml：检查通过" in result.stdout


def test_planning_never_reads_a_pipe_a_device_or_a_huge_file(
        odd: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as out:
        out.truncate(MAX_SURVEY_BYTES + 1)
    read: list[Path] = []
    real = stamps.file_digest
    monkeypatch.setattr(stamps, "file_digest", lambda p: read.append(p) or real(p))
    plan = plan_builds([*odd.values(), huge], tmp_path / "out", ("docx",),
                       stamps.StampBook.load(tmp_path / "out"))
    assert read == []
    assert {job.source for job in plan.jobs} == {*odd.values(), huge}


def test_the_planning_limit_is_the_loaders() -> None:
    assert MAX_SURVEY_BYTES == MAX_BYTES
