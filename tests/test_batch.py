"""Batches as staff run them: the real command, worker processes, crashes, locks, output.

Real reports are built as DOCX only (PDF is the point of other tests) and few of them;
`quick_work` (tests/test_stamps.py) stands in for the renderer where only the batch
machinery is under test.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from reportgen.build import stamps
from reportgen.build.batch import Job, Outcome, build_batch
from reportgen.build.lock import LOCK_FILE
from reportgen.cli.progress import PlainReporter
from tests.conftest import ROOT, SAMPLES, run_cli
from tests.test_stamps import quick_work

ANSI = re.compile(r"\x1b\[")
HEAVY = ("jinja2", "lxml", "matplotlib", "weasyprint", "docx", "ruamel", "pydantic", "rich",
         "fontTools")


def two_surveys(folder: Path) -> list[Path]:
    folder.mkdir()
    text = (SAMPLES / "lingxi.yaml").read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    (folder / "b.yaml").write_text(text.replace("灵溪县", "乙县", 1), encoding="utf-8")
    return [folder / "a.yaml", folder / "b.yaml"]


def heavy_modules_after_build(*args: str, cwd: Path) -> tuple[int, list[str]]:
    """Run `reportgen build ARGS` in a fresh interpreter; its exit code and heavy imports."""
    code = ("import sys\nfrom reportgen.cli import main\n"
            f"try:\n    main({list(args)!r})\nexcept SystemExit as exc:\n    code = exc.code\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
            "sys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                            text=True, timeout=120)
    return result.returncode, eval(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_incremental_builds_through_the_command_line(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    a, b = two_surveys(inputs)
    (inputs / "bad.yaml").write_text("schema: 1\nregion:\n  name: 坏县\n  kind: 市辖区县\n",
                                     encoding="utf-8")
    out = tmp_path / "out"
    first = run_cli("build", str(inputs), "--out", str(out), "-f", "docx", "--jobs", "2")
    assert first.returncode == 1, first.stderr
    assert f"已生成 {out / 'a.docx'}" in first.stdout
    assert f"已生成 {out / 'b.docx'}" in first.stdout
    assert f"{inputs / 'bad.yaml'}:" in first.stderr and "Traceback" not in first.stderr
    assert "已生成 2 / 无需更新 0 / 失败 1" in first.stderr
    assert not ANSI.search(first.stdout + first.stderr), "no colours when not a terminal"
    assert docx.Document(str(out / "a.docx")).paragraphs

    again = run_cli("build", str(inputs), "--out", str(out), "-f", "docx")
    assert again.returncode == 1  # the bad survey is tried again, the others are not
    assert "已生成 0 / 无需更新 2 / 失败 1" in again.stderr and "已生成 /" not in again.stdout

    (inputs / "bad.yaml").unlink()
    code, heavy = heavy_modules_after_build("build", str(inputs), "--out", str(out), "-f",
                                            "docx", cwd=tmp_path)
    assert code == 0
    assert heavy == [], "deciding that nothing needs building must not import these"

    with open(a, "a", encoding="utf-8") as stream:
        stream.write("# 核对过\n")
    edited = run_cli("build", str(inputs), "--out", str(out), "-f", "docx")
    assert edited.returncode == 0, edited.stderr
    assert edited.stdout.splitlines() == [f"已生成 {out / 'a.docx'}",
                                          edited.stdout.splitlines()[-1]]
    assert edited.stdout.splitlines()[-1].startswith("已生成 1 / 无需更新 1 / 失败 0，用时 ")

    verbose = run_cli("build", str(inputs), "--out", str(out), "-f", "docx", "-v")
    assert f"无需更新：{a}" in verbose.stdout and f"无需更新：{b}" in verbose.stdout

    forced = run_cli("build", str(inputs), "--out", str(out), "-f", "docx", "--force", "-q")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[0].startswith("已生成 2 / 无需更新 0 / 失败 0")
    assert len(forced.stdout.splitlines()) == 1 and forced.stderr == ""


def crashing_work(job: Job, out_dir: Path) -> Outcome:
    if job.stem == "crash":
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    return quick_work(job, out_dir)


def test_a_worker_crash_fails_only_its_survey(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(ROOT / "templates"))
    inputs = tmp_path / "inputs"
    two_surveys(inputs)
    text = (inputs / "a.yaml").read_text(encoding="utf-8")
    for stem in ("c", "crash", "d"):
        (inputs / f"{stem}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    summary = build_batch(sorted(inputs.glob("*.yaml")), out, PlainReporter(quiet=True),
                          jobs=2, work=crashing_work, prepare=None)
    assert sorted(o.source.stem for o in summary.built) == ["a", "b", "c", "d"]
    assert [o.source.stem for o in summary.failed] == ["crash"]
    assert "工作进程意外退出" in (summary.failed[0].error or "")
    assert not (out / "crash.pdf").exists()
    assert set(stamps.StampBook.load(out).entries) == {"a", "b", "c", "d"}


def interrupting_work(job: Job, out_dir: Path) -> Outcome:
    if job.stem == "c":
        raise KeyboardInterrupt
    return quick_work(job, out_dir)


def test_an_interrupted_batch_keeps_the_stamps_of_what_it_finished(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(ROOT / "templates"))
    inputs = tmp_path / "inputs"
    two_surveys(inputs)
    shutil.copy(inputs / "a.yaml", inputs / "c.yaml")
    shutil.copy(inputs / "a.yaml", inputs / "d.yaml")
    out = tmp_path / "out"
    surveys = sorted(inputs.glob("*.yaml"))
    summary = build_batch(surveys, out, PlainReporter(quiet=True), jobs=1,
                          work=interrupting_work, prepare=None)
    assert summary.interrupted and not summary.ok
    assert sorted(o.source.stem for o in summary.built) == ["a", "b"]
    assert set(stamps.StampBook.load(out).entries) == {"a", "b"}
    resumed = build_batch(surveys, out, PlainReporter(quiet=True), jobs=1, work=quick_work,
                          prepare=None)
    assert sorted(o.source.stem for o in resumed.built) == ["c", "d"]


def test_slow_pdf_warning_only_when_pdfs_are_built(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import reportgen.fonts

    monkeypatch.setattr(reportgen.fonts, "has_harfbuzz_subset", lambda: False)
    inputs = tmp_path / "inputs"
    surveys = two_surveys(inputs)
    notices: list[str] = []
    reporter = PlainReporter(quiet=True)
    reporter.notice = notices.append  # type: ignore[method-assign]
    out = tmp_path / "out"
    build_batch(surveys, out, reporter, formats=("docx",), work=quick_work, prepare=None)
    assert notices == []
    build_batch(surveys, out, reporter, formats=("pdf",), work=quick_work, prepare=None)
    assert len(notices) == 1 and "libharfbuzz-subset0" in notices[0] and "20" in notices[0]
    build_batch(surveys, out, reporter, formats=("pdf",), work=quick_work, prepare=None)
    assert len(notices) == 1, "nothing to build, nothing to warn about"


def _lock_is_held(lock: Path) -> bool:
    """Whether some process holds a flock on `lock`, read from /proc/locks (passively)."""
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and fields[-3].split(":")[-1] == str(inode):
            return True
    return False


@pytest.mark.slow
def test_two_builds_of_one_folder_take_turns(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    two_surveys(inputs)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "reportgen", "build", str(inputs), "--out", str(out),
            "-f", "docx", "--jobs", "1"]
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.monotonic() + 60
    while not _lock_is_held(out / LOCK_FILE):
        assert first.poll() is None and time.monotonic() < deadline, "first build never locked"
        time.sleep(0.01)
    second = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert f"另一个 reportgen 正在生成到 {out}/，等待其完成…" in err2
    assert out1.splitlines()[-1].startswith("已生成 2 / 无需更新 0")
    # The second build waited for the first, then found everything it had built current.
    assert out2.splitlines()[-1].startswith("已生成 0 / 无需更新 2")
    book = stamps.StampBook.load(out)
    assert book.problem is None and set(book.entries) == {"a", "b"}
    for stem in "ab":
        assert docx.Document(str(out / f"{stem}.docx")).paragraphs
    assert sorted(p.name for p in out.iterdir()) == [
        stamps.STAMP_FILE, LOCK_FILE, "a.docx", "b.docx"]


def test_lock_is_released_when_its_holder_dies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom pathlib import Path\nfrom reportgen.build.lock import output_lock\n"
        f"with output_lock(Path({str(out)!r})):\n    print('held', flush=True)\n"
        "    time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    fd = os.open(out / LOCK_FILE, os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again: no stale lock to clear
    finally:
        os.close(fd)


def test_unwritable_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    two_surveys(inputs)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("build", str(inputs), "--out", str(blocker / "out"), "-f", "docx")
    assert result.returncode == 1
    assert "无法写入输出文件夹" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    two_surveys(inputs)
    (inputs / "b.yaml").unlink()
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "build", str(inputs), "--out", str(tmp_path / "o"),
         "-f", "docx"], cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout, _ = process.communicate(timeout=120)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 0, shown
    assert ANSI.search(shown), "a terminal gets colours and the bar"
    assert "已生成" in shown and "已生成 1 / 无需更新 0 / 失败 0" in shown
    assert stdout == b""  # on a terminal everything is drawn on stderr


@pytest.mark.slow
def test_a_killed_build_leaves_no_workers_and_no_lock(tmp_path: Path) -> None:
    import psutil

    inputs = tmp_path / "inputs"
    two_surveys(inputs)
    for stem in "cd":
        shutil.copy(inputs / "a.yaml", inputs / f"{stem}.yaml")
    out = tmp_path / "out"
    build = subprocess.Popen([sys.executable, "-m", "reportgen", "build", str(inputs), "--out",
                              str(out), "-f", "docx", "--jobs", "2"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(build.pid)
    deadline = time.monotonic() + 60
    while len(workers := parent.children()) < 2:
        assert build.poll() is None and time.monotonic() < deadline, "no worker pool started"
        time.sleep(0.02)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=10)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == [], "workers must not outlive a killed build"
    assert not _lock_is_held(out / LOCK_FILE)
    again = run_cli("build", str(inputs), "--out", str(out), "-f", "docx")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        f"{stem}.docx" for stem in "abcd"]
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []
