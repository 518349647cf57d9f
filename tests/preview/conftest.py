"""A preview server on port 0 in a thread, over a copy of the template sets and one survey."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reportgen.preview.server import PreviewServer
from reportgen.preview.state import PreviewState
from tests.conftest import ROOT, SAMPLES

SURVEY = "lingxi"  # the shortest sample (5 pages): renders fastest


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Preview:
    server: PreviewServer
    templates: Path  # the copy of templates/
    survey: Path  # the copy of the survey

    @property
    def template(self) -> Path:
        return self.templates / "default" / "report.html"

    def get(self, path: str, method: str = "GET", host: str | None = None) -> Reply:
        """A raw request: the path goes on the wire exactly as given (no normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            headers = {"Host": host} if host is not None else {}
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def content(self, query: str = "") -> dict[str, Any]:
        reply = self.get("/content" + (f"?{query}" if query else ""))
        assert reply.status == 200, reply.text
        return reply.json()


def copy_workspace(tmp_path: Path) -> tuple[Path, Path]:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    survey = inputs / f"{SURVEY}.yaml"
    shutil.copy(SAMPLES / f"{SURVEY}.yaml", survey)
    return templates, survey


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    templates, survey = copy_workspace(tmp_path)
    state = PreviewState(survey.parent, survey, None, root=templates)
    server = PreviewServer(state, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield Preview(server, templates, survey)
    finally:
        server.state.stop()
        server.shutdown()
        server.close()
        thread.join(timeout=5)


class PreviewProcess:
    """`reportgen preview --no-browser …` as a real process, as staff start it."""

    def __init__(self, *args: str, cwd: Path, templates: Path) -> None:
        env = dict(os.environ, REPORTGEN_TEMPLATES=str(templates), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reportgen", "preview", "--no-browser", *args], cwd=cwd,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def address(self, timeout: float = 30) -> str:
        """The URL from the line 预览地址：http://127.0.0.1:PORT/ 按 Ctrl-C 停止."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            match = re.fullmatch(r"预览地址：(http://127\.0\.0\.1:\d+/) 按 Ctrl-C 停止\n", line)
            if match:
                return match.group(1)
        self.stop()
        raise AssertionError(f"no address printed: {''.join(self.output)}")

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and everything printed (stdout and stderr)."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        self._close()  # the reader thread has drained the last lines
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return code, "".join(self.output)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        """Let the reader reach the end of the output, then close the pipe (no leak)."""
        self._reader.join(timeout=10)
        if self.process.stdout is not None and not self._reader.is_alive():
            self.process.stdout.close()
