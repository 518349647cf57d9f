"""Shared fixtures: sample surveys and one real build of them, made once per test session.

No test may log a warning it did not expect (the model is WeasyPrint's `assert_no_logs`).
The autouse fixture `no_unexpected_warnings` listens on the root logger while each test
runs (with its function-scoped fixtures' set-up and tear-down) and fails the test if any logger
(reportgen, weasyprint, fontTools, matplotlib …) logs a WARNING, ERROR or CRITICAL record
the test did not declare. A test that provokes a warning on purpose declares it:

    @pytest.mark.expected_warnings("已拒绝加载资源")                  # regex, re.search
    @pytest.mark.expected_warnings("Noto", "堃", logger="reportgen")  # only from reportgen.*

Each argument is a regular expression searched in the formatted message; `logger=` limits
the marker to that logger and its children. Any one pattern matching lets a record pass;
the marker may be repeated and may sit on a class or a module (`pytestmark`). It only
permits: a test that needs the warning to happen still checks for it (with `caplog`, which
sees the same records). Asking for `caplog` does not by itself excuse a warning.

Not seen: records that never reach the root logger (loggers with propagate=False; the
builds that collect their warnings for the report's outcome, build/batch.py, or for the
preview page, preview/state.py, which show them to staff on purpose), records of module-
and session-scoped fixtures, and what child processes (`run_cli`, Popen) log to their
stderr: the tests that start them check their output.

Python `warnings` fail too: in this process through pyproject.toml's `filterwarnings`
(every category but ResourceWarning; a test expecting one uses `pytest.warns`), and in the
Python processes the tests start (`reportgen build` …, forked workers) through
PYTHONWARNINGS=error set below, so a warning there is a traceback and a failed exit status
instead of a line on stderr.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "goldens" / "inputs"

# Python warnings in child processes (reportgen commands, forked workers) are errors too.
os.environ.setdefault("PYTHONWARNINGS", "error")

# The user's cache (charts, font tables) is never touched by tests: the session gets its own,
# and each test a fresh one (`fresh_cache` below), so no test sees a chart another drew.
os.environ["REPORTGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="reportgen-test-cache-")


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


class _Records(logging.Handler):
    """Every WARNING+ record of one test; `checked` of them have been judged already."""

    def __init__(self, allowed: list[tuple[re.Pattern[str], str | None]]) -> None:
        super().__init__(logging.WARNING)
        self.allowed = allowed
        self.records: list[logging.LogRecord] = []
        self.checked = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def fail_on_unexpected(self, when: str) -> None:
        new, self.checked = self.records[self.checked:], len(self.records)
        unexpected = [r for r in new if not any(_allows(a, r) for a in self.allowed)]
        if unexpected:
            lines = "\n".join(f"  {r.levelname} {r.name} ({r.pathname}:{r.lineno}): "
                              f"{_message(r)}" for r in unexpected)
            pytest.fail(f"{len(unexpected)} unexpected warning(s) logged {when}; fix the cause,"
                        " or declare them with @pytest.mark.expected_warnings(...):\n" + lines,
                        pytrace=False)


_RECORDS = pytest.StashKey[_Records]()


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad %-format in the caller: show the raw parts
        return f"{record.msg!r} % {record.args!r}"


def _expected(item: pytest.Item) -> list[tuple[re.Pattern[str], str | None]]:
    allowed = []
    for marker in item.iter_markers("expected_warnings"):
        if not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: expected_warnings needs a pattern")
        logger = marker.kwargs.get("logger")
        allowed += [(re.compile(pattern), logger) for pattern in marker.args]
    return allowed


def _allows(rule: tuple[re.Pattern[str], str | None], record: logging.LogRecord) -> bool:
    pattern, logger = rule
    if logger and record.name != logger and not record.name.startswith(logger + "."):
        return False
    return pattern.search(_message(record)) is not None


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path_factory: pytest.TempPathFactory,
                monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty reportgen cache for every test (and the commands it starts)."""
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def no_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test if it logs a warning (or worse) that it did not declare; see above.

    Set up before the test's other function-scoped fixtures and torn down after them, so
    their warnings count too. Those of set-up and the test itself fail the test (pytest_runtest_call
    below); those of tear-down give an error at tear-down.
    """
    handler = _Records(_expected(request.node))
    request.node.stash[_RECORDS] = handler
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    handler.fail_on_unexpected("during tear-down")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    handler = item.stash.get(_RECORDS, None)
    try:
        result = yield
    except BaseException:
        if handler is not None:  # the test failed already; its log shows the warnings
            handler.checked = len(handler.records)
        raise
    if handler is not None:
        handler.fail_on_unexpected("by the test")
    return result


# A survey whose only mistake is an output without its unit (clusters[0].output, line 10):
# the bad input the command-line tests feed.
BARE_OUTPUT_SURVEY = """\
schema: 1
region:
  name: 坏数据县
report:
  author: 某局
  date: 2025-03-15
  year: 2024
clusters:
- name: 纺织业
  output: 142
problems: [问题]
suggestions: [建议]
"""
