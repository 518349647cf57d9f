"""`reportgen watch`: what each change rebuilds, a session driven by real file events, and the
real command (edit a survey, see the PDF change, break it, see file:line, Ctrl-C)."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reportgen.build.batch import Summary
from reportgen.build.watch import WatchSession
from reportgen.cli.progress import PlainReporter
from tests.conftest import ROOT, SAMPLES
from tests.test_stamps import Workspace, quick_work


class Recorder(PlainReporter):
    """A quiet reporter that hands each batch's summary to the test."""

    def __init__(self, summaries: queue.Queue[Summary]) -> None:
        super().__init__(quiet=True)
        self.summaries = summaries

    def finish(self, summary: Summary) -> None:
        self.summaries.put(summary)


def session_for(ws: Workspace, summaries: queue.Queue[Summary],
                said: queue.Queue[str] | None = None) -> WatchSession:
    return WatchSession([ws.inputs], ws.out, ("docx", "pdf"), jobs=1,
                        make_reporter=lambda: Recorder(summaries),
                        templates_root=ws.templates,
                        say=(said.put if said is not None else lambda text: None),
                        work=quick_work, prepare=None)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace(tmp_path)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(workspace.templates))
    return workspace


def test_what_each_change_rebuilds(ws: Workspace) -> None:
    summaries: queue.Queue[Summary] = queue.Queue()
    session = session_for(ws, summaries)
    first = session.rebuild(session.surveys())
    assert sorted(o.source.stem for o in first.built) == ["a", "b", "c"]
    a, b, c = (ws.inputs / f"{s}.yaml" for s in "abc")
    inputs = ws.inputs.resolve()
    templates = ws.templates.resolve()

    assert session.affected([inputs / "b.yaml"]) == ([b], [])
    assert session.affected([templates / "other" / "print.css"]) == ([c], [])
    assert session.affected([templates / "default" / "partials" / "x.html"]) == ([a, b], [])
    assert session.affected([templates / "default" / "report.html",
                             inputs / "c.yaml"]) == ([a, b, c], [])
    (ws.inputs / "d.yaml").write_text(a.read_text(encoding="utf-8"), encoding="utf-8")
    assert session.affected([inputs / "d.yaml"]) == ([ws.inputs / "d.yaml"], [])
    b.unlink()
    assert session.affected([inputs / "b.yaml"]) == ([], [b])
    nothing = [
        templates / "default" / ".report.html.swp",  # editor swap file
        templates / "default" / "report.html~",  # editor backup
        templates / "README.txt",  # beside the sets, not in one
        inputs / "notes.txt",  # not a survey
        inputs / ".a.yaml.swp",
        ws.out.resolve() / "a.pdf",  # our own outputs
        ws.root.resolve() / "elsewhere" / "a.yaml",
    ]
    assert session.affected(nothing) == ([], [])


def test_single_file_paths_are_watched_through_their_folder(ws: Workspace) -> None:
    a = ws.inputs / "a.yaml"
    session = WatchSession([a], ws.out, templates_root=ws.templates, work=quick_work,
                           prepare=None)
    assert session.roots() == sorted([ws.inputs.resolve(), ws.templates.resolve()])
    assert session.surveys() == [a]
    assert session.affected([ws.inputs.resolve() / "a.yaml"]) == ([a], [])
    assert session.affected([ws.inputs.resolve() / "b.yaml"]) == ([], [])


def _next(summaries: queue.Queue[Summary], what: str) -> Summary:
    try:
        return summaries.get(timeout=20)
    except queue.Empty:
        pytest.fail(f"no rebuild after {what}")


def _edit(path: Path, extra: str) -> None:
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(extra)


def test_a_session_follows_real_file_events(ws: Workspace) -> None:
    summaries: queue.Queue[Summary] = queue.Queue()
    said: queue.Queue[str] = queue.Queue()
    session = session_for(ws, summaries, said)
    stop = threading.Event()
    thread = threading.Thread(target=session.run, args=(stop,), daemon=True)
    thread.start()
    try:
        first = _next(summaries, "starting")
        assert sorted(o.source.stem for o in first.built) == ["a", "b", "c"]

        def built(summary: Summary) -> list[str]:
            return sorted(o.source.stem for o in summary.built)

        _edit(ws.inputs / "b.yaml", "# 改\n")
        assert built(_next(summaries, "editing b")) == ["b"]
        _edit(ws.templates / "other" / "print.css", "/* 改 */\n")
        assert built(_next(summaries, "editing set other")) == ["c"]
        (ws.inputs / "d.yaml").write_bytes((ws.inputs / "a.yaml").read_bytes())
        assert built(_next(summaries, "adding d")) == ["d"]
        (ws.inputs / "a.yaml").write_text("schema: 1\nregion: [\n", encoding="utf-8")
        broken = _next(summaries, "breaking a")
        assert [o.source.stem for o in broken.failed] == ["a"]
        assert f"{ws.inputs / 'a.yaml'}:" in (broken.failed[0].error or "")
        assert thread.is_alive(), "a failed build must not end the watch"
        (ws.inputs / "d.yaml").unlink()
        deadline = time.monotonic() + 20
        while not any("已删除" in m and "d.yaml" in m for m in list(said.queue)):
            assert time.monotonic() < deadline, list(said.queue)
            time.sleep(0.05)
        assert summaries.empty(), "deleting a survey builds nothing"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert any("正在监视" in m for m in list(said.queue))


def test_a_watched_folder_deleted_and_made_again_is_watched_again(ws: Workspace) -> None:
    import shutil

    summaries: queue.Queue[Summary] = queue.Queue()
    said: queue.Queue[str] = queue.Queue()
    session = session_for(ws, summaries, said)
    stop = threading.Event()
    thread = threading.Thread(target=session.run, args=(stop,), daemon=True)
    thread.start()
    try:
        _next(summaries, "starting")
        saved = {p.name: p.read_bytes() for p in ws.inputs.iterdir()}
        shutil.rmtree(ws.inputs)
        deadline = time.monotonic() + 20
        while not any("已被删除" in m for m in list(said.queue)):
            assert time.monotonic() < deadline, list(said.queue)
            time.sleep(0.05)
        # The folder comes back whole (made aside, then renamed into place), as a restore
        # from a backup or a copied folder would.
        staging = ws.inputs.with_name("staging")
        staging.mkdir()
        for name, data in saved.items():
            (staging / name).write_bytes(data)
        staging.rename(ws.inputs)
        _next(summaries, "the folder coming back")  # stamps decide what it rebuilds
        while True:  # events of the rename itself may cause one more (empty) check
            try:
                summaries.get(timeout=1.5)
            except queue.Empty:
                break
        _edit(ws.inputs / "b.yaml", "# 改\n")
        assert [o.source.stem for o in _next(summaries, "editing b again").built] == ["b"]
        assert any("重新出现" in m for m in list(said.queue))
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _reader(stream: object, tag: str, lines: queue.Queue[tuple[str, str]]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put((tag, line.rstrip("\n")))


def _wait_for(lines: queue.Queue[tuple[str, str]], seen: list[tuple[str, str]],
              predicate: object, what: str, timeout: float = 60) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            item = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(item)
        if predicate(*item):  # type: ignore[operator]
            return item
    pytest.fail(f"watch never showed {what}; it printed:\n" + "\n".join(text for _, text in seen))


@pytest.mark.slow
def test_the_watch_command(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    survey = inputs / "lingxi.yaml"
    good = (SAMPLES / "lingxi.yaml").read_text(encoding="utf-8")
    survey.write_text(good, encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "watch", str(inputs), "--out", str(out), "-f", "pdf"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[tuple[str, str]] = queue.Queue()
    seen: list[tuple[str, str]] = []
    readers = [threading.Thread(target=_reader, args=(stream, tag, lines), daemon=True)
               for stream, tag in ((process.stdout, "out"), (process.stderr, "err"))]
    for reader in readers:
        reader.start()
    try:
        _wait_for(lines, seen, lambda tag, line: "正在监视" in line, "that it is watching")
        pdf = out / "lingxi.pdf"
        first = pdf.read_bytes()
        saved = time.monotonic()
        survey.write_text(good.replace("回收有效问卷186份", "回收有效问卷187份"), encoding="utf-8")
        _wait_for(lines, seen, lambda tag, line: line.startswith(f"已生成 {pdf}"),
                  "the rebuilt PDF")
        print(f"save → new PDF: {time.monotonic() - saved:.2f} s")
        assert pdf.read_bytes() != first

        survey.write_text(good.replace("year: 2025", "year: 明年"), encoding="utf-8")
        _wait_for(lines, seen, lambda tag, line: tag == "err" and line.startswith(f"{survey}:"),
                  "the error with file:line")
        assert process.poll() is None, "a failed build must not end the watch"
        time.sleep(0.3)  # let the summary of the failed build through before Ctrl-C
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
    for reader in readers:  # they end at the end of the output; then the pipes close
        reader.join(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    while not lines.empty():
        seen.append(lines.get())
    errors = "\n".join(line for tag, line in seen if tag == "err")
    assert process.returncode == 0, errors
    assert "已停止监视" in errors and "Traceback" not in errors
