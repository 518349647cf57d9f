"""Interrupted and failing builds: nothing lost, nothing half-written, the next build completes.

A good build of a survey is in the output folder; staff edit the survey and build again,
and that build is stopped the hardest ways there are:

- SIGKILL to the whole process group (as a power cut or an OOM killer would) at 20 points:
  three when the folder shows the build reaching a phase (DOCX temp file created, PDF temp
  file created, first report replaced) and the rest after delays spread over the measured
  length of a build (startup, charts, DOCX, PDF, renames, stamps). No hook in the toolkit:
  the harness only watches the folder and the clock;
- a full disk (a small tmpfs, when this machine lets us mount one; and RLIMIT_FSIZE, which
  works anywhere), failing in the DOCX and in the PDF;
- an output folder that cannot be written (chmod 555, with root's permission override
  dropped by setpriv; and a read-only mount).

After every kill, each report is byte-identical to the earlier good one or to a complete new
one (the build is reproducible, so "complete" means exactly the bytes of an undisturbed
build); no other visible file exists; hidden leftovers are only the temporary files
`.<name>.<random>.tmp` and the stamps/lock files, and the stamps file is valid JSON. The
next build removes the leftovers (under the folder's lock: reportgen.build.outputs.remove_leftovers)
and writes the new reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from tests.conftest import ROOT, SAMPLES, need

STEM = "yongan"
REPORTS = (f"{STEM}.docx", f"{STEM}.pdf")
HIDDEN = {".reportgen.lock", ".reportgen-stamps.json"}
LEFTOVER = re.compile(rf"\.(?:{STEM}\.(?:docx|pdf)|\.reportgen-stamps\.json)\.\w{{8}}\.tmp")
DELAY_KILLS = 17


@dataclass
class Versions:
    """The same survey before and after an edit, and the reports each builds to."""

    source: Path  # holds the edited text
    old: dict[str, bytes]
    new: dict[str, bytes]
    old_folder: Path  # a good build of the old text: reports, stamps and lock


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reportgen", *args]


def build(source: Path, out: Path, preexec_fn: Callable[[], None] | None = None,
          *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli("build", str(source), "--out", str(out), "-q", *options), cwd=ROOT,
                          capture_output=True, text=True, timeout=600, preexec_fn=preexec_fn)


def reports(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in REPORTS}


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory, built: Path) -> Versions:
    base = tmp_path_factory.mktemp("versions")
    source = base / f"{STEM}.yaml"
    old_text = (SAMPLES / f"{STEM}.yaml").read_text(encoding="utf-8")
    # An edit that changes both reports everywhere (dates in metadata and the 落款).
    new_text = old_text.replace("date: 2026-02-10", "date: 2026-02-11")
    assert new_text != old_text
    old_folder = base / "old"  # the session's good build of the samples, this one only
    old_folder.mkdir()
    for name in (*REPORTS, *HIDDEN):
        if (built / name).exists():  # the stamps and lock of the incremental build too
            shutil.copy2(built / name, old_folder / name)
    source.write_text(new_text, encoding="utf-8")
    new_folder = base / "new"
    assert build(source, new_folder).returncode == 0
    old, new = reports(old_folder), reports(new_folder)
    assert all(old[name] != new[name] for name in REPORTS)
    # The new reports are complete documents: this is what "complete" is compared with.
    docx.Document(str(new_folder / REPORTS[0]))
    subprocess.run([need("pdfinfo"), str(new_folder / REPORTS[1])], check=True,
                   capture_output=True)
    return Versions(source, old, new, old_folder)


def restore(versions: Versions, out: Path) -> None:
    """The output folder as the earlier good build left it."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(versions.old_folder, out)


def state(versions: Versions, out: Path) -> tuple[str, str, int]:
    """('old'|'new', 'old'|'new', leftovers) after asserting nothing is lost or partial."""
    names = sorted(os.listdir(out))
    visible = [n for n in names if not n.startswith(".")]
    assert visible == sorted(REPORTS), names
    hidden = [n for n in names if n.startswith(".")]
    leftovers = [n for n in hidden if LEFTOVER.fullmatch(n)]
    assert set(hidden) - set(leftovers) <= HIDDEN, names
    stamps = out / ".reportgen-stamps.json"
    if stamps.exists():
        json.loads(stamps.read_text(encoding="utf-8"))  # never half-written
    found = []
    for name in REPORTS:
        data = (out / name).read_bytes()
        assert data in (versions.old[name], versions.new[name]), f"{name} is neither"
        found.append("old" if data == versions.old[name] else "new")
    return found[0], found[1], len(leftovers)


def start(versions: Versions, out: Path) -> subprocess.Popen[bytes]:
    # A session of its own: the kill reaches the batch's worker processes too.
    return subprocess.Popen(cli("build", str(versions.source), "--out", str(out), "-q"),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def events(out: Path) -> dict[str, bool]:
    names = os.listdir(out)
    inodes = {name: (out / name).stat().st_ino for name in REPORTS if name in names}
    return {
        "docx_tmp": any(n.startswith(f".{STEM}.docx.") for n in names),
        "pdf_tmp": any(n.startswith(f".{STEM}.pdf.") for n in names),
        "inodes": inodes,  # type: ignore[dict-item]
    }


def watch(versions: Versions, out: Path, until: str | None) -> tuple[dict[str, float], bool]:
    """Run a build, noting when each phase shows; kill it at phase `until` (None: never)."""
    restore(versions, out)
    before = events(out)["inodes"]
    seen: dict[str, float] = {}
    started = time.monotonic()
    process = start(versions, out)
    killed = False
    while process.poll() is None:
        now = events(out)
        for name in ("docx_tmp", "pdf_tmp"):
            if now[name] and name not in seen:
                seen[name] = time.monotonic() - started
        if now["inodes"] != before and "replaced" not in seen:
            seen["replaced"] = time.monotonic() - started
        if until is not None and until in seen:
            kill(process)
            killed = True
            break
        time.sleep(0.002)
    seen["exit"] = time.monotonic() - started
    return seen, killed


def kill_after(versions: Versions, out: Path, delays: list[float]) -> list[tuple[str, str, int]]:
    """One lane of kills: restore, build, SIGKILL after each delay, check the folder."""
    found = []
    for delay in delays:
        restore(versions, out)
        process = start(versions, out)
        time.sleep(delay)
        kill(process)
        found.append(state(versions, out))
    return found


@pytest.mark.slow
def test_killed_builds_lose_nothing_and_the_next_build_completes(
        versions: Versions, tmp_path: Path) -> None:
    out = tmp_path / "out"
    phases, killed = watch(versions, out, None)  # calibration: an undisturbed build
    # With a second core the DOCX comes from the assistant (build.assistant) and is written
    # after the PDF in an instant: its temporary file may show too briefly to be seen.
    assert not killed and {"pdf_tmp", "replaced"} <= set(phases), phases
    assert state(versions, out) == ("new", "new", 0)
    outcomes: Counter[tuple[str, str, int]] = Counter()
    # Kills after delays spread from late startup (loading, charts) to the stamps, in two
    # lanes at once: the checks do not depend on timing, so the lanes only save time.
    first_write = min(phases[name] for name in ("docx_tmp", "pdf_tmp") if name in phases)
    first, total = first_write * 0.5, phases["exit"] * 1.05
    delays = [first + (total - first) * i / (DELAY_KILLS - 1) for i in range(DELAY_KILLS)]
    with ThreadPoolExecutor(max_workers=2) as lanes:
        results = lanes.map(kill_after, [versions] * 2, [tmp_path / "a", tmp_path / "b"],
                            [delays[0::2], delays[1::2]])
        for lane in results:
            outcomes.update(lane)
    # Kills at the moment each phase becomes visible; the PDF one last, as it is sure to
    # leave a temporary file behind for the next build to clean up.
    watched = [phase for phase in ("replaced", "docx_tmp", "pdf_tmp") if phase in phases]
    for phase in watched:
        _, killed = watch(versions, out, phase)
        found = state(versions, out)
        outcomes[found] += 1
    if killed:
        # Mid-write: nothing replaced yet, a temporary file left over.
        assert found[:2] == ("old", "old") and found[2] >= 1, found
    result = build(versions.source, out)
    assert result.returncode == 0, result.stderr
    assert state(versions, out) == ("new", "new", 0)  # leftovers gone, reports new
    print("kill outcomes (docx, pdf, leftovers):", dict(outcomes), "phases:", phases)
    assert sum(outcomes.values()) == DELAY_KILLS + len(watched)
    # The kills did land inside builds, not only before or after them.
    assert any(found[:2] == ("old", "old") and found[2] for found in outcomes)


# --- full disk --------------------------------------------------------------------------------

@contextlib.contextmanager
def tmpfs(path: Path, kilobytes: int) -> Iterator[Path]:
    """A small tmpfs at `path`; skips the test where this machine cannot mount one."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (the RLIMIT_FSIZE test covers full disks)")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k,mode=0755",
                              "tmpfs", str(path)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of `folder` until only about `leave` bytes are free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    filler = folder / "filler.bin"  # visible on purpose: staff would see it too
    with filler.open("wb") as stream:
        stream.write(b"\0" * max(free - leave, 0))
    return filler


@pytest.mark.slow
@pytest.mark.parametrize("fails_in", ["docx", "pdf"])
def test_full_disk_gives_a_clear_error_and_keeps_the_reports(
        versions: Versions, tmp_path: Path, fails_in: str) -> None:
    with tmpfs(tmp_path / "disk", 1600) as disk:
        out = disk / "out"
        shutil.copytree(versions.old_folder, out)
        docx_size = len(versions.new[REPORTS[0]])
        filler = fill(disk, 16_384 if fails_in == "docx" else docx_size + 64_000)
        # One process writes the DOCX first, so it is the one that meets the full disk; with
        # a second core the PDF is written first (the assistant's DOCX comes after it).
        result = build(versions.source, out, None, *(["--jobs", "1"] if fails_in == "docx"
                                                      else []))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert f"无法写入 {out / f'{STEM}.{fails_in}'}：磁盘空间已满" in result.stderr, \
            result.stderr
        assert reports(out) == versions.old  # the earlier reports are untouched
        assert not [n for n in os.listdir(out) if n.endswith(".tmp")]  # cleaned on failure
        if fails_in == "pdf":  # the DOCX was complete when the PDF failed: it went too
            filler.unlink()
            result = build(versions.source, out)
            assert result.returncode == 0, result.stderr
            assert reports(out) == versions.new


def _limit_file_size(limit: int) -> None:
    # SIGXFSZ would kill the build; ignored, the write fails with EFBIG instead, as on a
    # quota or a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.slow
def test_file_size_limit_fails_cleanly_in_the_pdf(versions: Versions, tmp_path: Path) -> None:
    out = tmp_path / "out"
    restore(versions, out)
    limit = len(versions.new[REPORTS[0]]) + 4096  # the DOCX fits, the PDF does not
    assert limit < len(versions.new[REPORTS[1]])
    result = build(versions.source, out, preexec_fn=lambda: _limit_file_size(limit))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"无法写入 {out / f'{STEM}.pdf'}：文件超过了允许的大小" in result.stderr, result.stderr
    assert reports(out) == versions.old
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


# --- unwritable output folder ------------------------------------------------------------------

def _without_permission_override() -> list[str]:
    """A command prefix under which permissions apply (root ignores them otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root ignores chmod, and setpriv (util-linux) is not installed")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


@pytest.mark.slow
@pytest.mark.parametrize("lock_exists", [True, False])
def test_unwritable_output_folder_gives_a_clear_error(versions: Versions, tmp_path: Path,
                                                      lock_exists: bool) -> None:
    out = tmp_path / "out"
    restore(versions, out)
    if not lock_exists:  # reports from before the toolkit kept stamps and a lock file
        for name in HIDDEN:
            (out / name).unlink(missing_ok=True)
    else:
        (out / ".reportgen.lock").touch()
    out.chmod(0o555)
    try:
        result = subprocess.run(
            [*_without_permission_override(), *cli("build", str(versions.source), "--out",
                                                    str(out), "-q")],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        out.chmod(0o755)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "无法写入" in result.stderr and str(out) in result.stderr, result.stderr
    assert reports(out) == versions.old
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]


@pytest.mark.slow
def test_read_only_mount_gives_a_clear_error(versions: Versions, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 2048) as disk:
        out = disk / "out"
        shutil.copytree(versions.old_folder, out)
        remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True,
                                 text=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
        result = build(versions.source, out)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "无法写入" in result.stderr and str(out) in result.stderr, result.stderr
        assert reports(out) == versions.old


def test_a_report_whose_pdf_cannot_be_put_in_place_keeps_both_old_files(tmp_path: Path) -> None:
    """The DOCX is renamed into place first; if the PDF then fails, the DOCX goes back."""
    from reportgen.build import build_file

    source = tmp_path / "county.yaml"
    source.write_text((SAMPLES / "lingxi.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "county.docx").write_bytes(b"old docx")
    blocker = out / "county.pdf"  # a folder where the PDF goes: the rename must fail
    blocker.mkdir()
    (blocker / "keep").write_text("x", encoding="utf-8")
    result = build_file(source, out)
    assert result.error is not None
    message = str(result.error)
    assert "county.pdf" in message and "保持原样" in message and "内部错误" not in message
    assert (out / "county.docx").read_bytes() == b"old docx"
    assert sorted(p.name for p in out.iterdir()) == ["county.docx", "county.pdf"]


def test_sigterm_stops_a_build_like_ctrl_c(versions: Versions, tmp_path: Path) -> None:
    """`kill` during a build: the same clean stop as Ctrl-C, not exit 143 with .tmp files."""
    import signal
    import time

    out = tmp_path / "out"
    restore(versions, out)
    process = subprocess.Popen(cli("build", str(versions.source), "--out", str(out),
                                   "--jobs", "1"), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    # Wait until the report is being written (a temporary file appears), then kill.
    while not any(p.name.endswith(".tmp") for p in out.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "build ended too soon"
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "已中断" in stderr
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []
    now = reports(out)
    for name in REPORTS:  # each report is the old one or the complete new one
        assert now[name] in (versions.old[name], versions.new[name])
