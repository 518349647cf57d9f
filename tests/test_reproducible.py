"""Reproducible outputs: the same inputs give byte-identical DOCX and PDF on any day.

A report is archived and a rebuild is compared with it byte for byte, so nothing in the
files may depend on when, where or how the build ran. The same survey is built by the real
CLI three times, each differing in everything but the inputs:

- the clock: a sitecustomize (put first on PYTHONPATH for the child only) moves time.time,
  time.localtime/gmtime/strftime and datetime's now/today by hundreds of days either way;
- SOURCE_DATE_EPOCH unset, 0 and 2000000000: the report's dates come from the survey's
  report.date, which wins over SOURCE_DATE_EPOCH (the toolkit does not read the variable);
- the time zone, PYTHONHASHSEED, the working folder, the output folder and the folder the
  template set lives in (a copy in REPORTGEN_TEMPLATES).

All three outputs must be identical, and the dates inside them must be the survey's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import ROOT, SAMPLES, need

SAMPLE = SAMPLES / "zhucheng.yaml"  # nine clusters, bar and pie charts, two tables
DAY = 86_400

CLOCK = '''\
"""Test-only: shift the clock of this Python process by $FAKE_CLOCK_SHIFT seconds."""
import datetime as _dt
import os
import time as _time

_shift = float(os.environ.get("FAKE_CLOCK_SHIFT", "0"))
if _shift:
    _real_time, _real_ns = _time.time, _time.time_ns
    _lt, _gm, _st = _time.localtime, _time.gmtime, _time.strftime
    _time.time = lambda: _real_time() + _shift
    _time.time_ns = lambda: _real_ns() + int(_shift * 1e9)
    _time.localtime = lambda secs=None: _lt(_time.time() if secs is None else secs)
    _time.gmtime = lambda secs=None: _gm(_time.time() if secs is None else secs)
    _time.strftime = lambda fmt, t=None: _st(fmt, _time.localtime() if t is None else t)

    class _DateTime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls.fromtimestamp(_time.time(), tz)

        @classmethod
        def utcnow(cls):
            return cls.utcfromtimestamp(_time.time())

        @classmethod
        def today(cls):
            return cls.fromtimestamp(_time.time())

    class _Date(_dt.date):
        @classmethod
        def today(cls):
            return cls.fromtimestamp(_time.time())

    _dt.datetime = _DateTime
    _dt.date = _Date
'''

PROBE = ("import datetime, time; print(datetime.date.today().isoformat(), "
         "time.strftime('%Y-%m-%d'), datetime.datetime.now().date().isoformat())")


def _env(clock: Path, shift_days: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "TZ", "REPORTGEN_TEMPLATES")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(clock), env.get("PYTHONPATH")]))
    env["FAKE_CLOCK_SHIFT"] = str(shift_days * DAY)
    env.update(extra)
    return env


def _run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def clock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clock")
    (folder / "sitecustomize.py").write_text(CLOCK, encoding="utf-8")
    return folder


def test_the_fake_clock_really_moves_the_child_clock(clock: Path, tmp_path: Path) -> None:
    today = _run(_env(clock, 0), tmp_path, "-c", PROBE).stdout.split()
    later = _run(_env(clock, 400), tmp_path, "-c", PROBE).stdout.split()
    earlier = _run(_env(clock, -1000), tmp_path, "-c", PROBE).stdout.split()
    assert len(set(today)) == len(set(later)) == len(set(earlier)) == 1, (today, later, earlier)
    assert later[0] > today[0] > earlier[0]
    assert int(later[0][:4]) - int(earlier[0][:4]) >= 3


@pytest.fixture(scope="module")
def three_builds(tmp_path_factory: pytest.TempPathFactory, clock: Path) -> list[Path]:
    """The sample built three times under different clocks, zones, seeds and folders."""
    base = tmp_path_factory.mktemp("reproducible")
    copied = base / "elsewhere" / "templates"
    shutil.copytree(ROOT / "templates", copied)
    runs = [
        (400, {"TZ": "Asia/Shanghai", "PYTHONHASHSEED": "1"}),
        (-1000, {"TZ": "America/New_York", "PYTHONHASHSEED": "2", "SOURCE_DATE_EPOCH": "0",
                 "REPORTGEN_TEMPLATES": str(copied)}),
        (0, {"TZ": "UTC", "PYTHONHASHSEED": "3", "SOURCE_DATE_EPOCH": "2000000000"}),
    ]
    outs = []
    for i, (shift, extra) in enumerate(runs):
        cwd = base / f"run{i}"
        cwd.mkdir()
        out = cwd / "deeper" / f"out{i}"
        result = _run(_env(clock, shift, **extra), cwd, "-m", "reportgen", "build",
                      str(SAMPLE), "--out", str(out))
        assert result.returncode == 0, result.stderr
        outs.append(out)
    return outs


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_rebuilds_on_other_days_are_byte_identical(three_builds: list[Path],
                                                   suffix: str) -> None:
    files = [out / f"{SAMPLE.stem}{suffix}" for out in three_builds]
    first = files[0].read_bytes()
    for other in files[1:]:
        assert other.read_bytes() == first, f"{other} differs from {files[0]}"


@pytest.mark.slow
def test_pdf_dates_and_identifier_come_from_the_survey(three_builds: list[Path]) -> None:
    pdf = three_builds[0] / f"{SAMPLE.stem}.pdf"
    info = subprocess.run([need("pdfinfo"), "-isodates", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    # zhucheng.yaml: date: 2025年3月15日
    assert re.search(r"CreationDate:\s+2025-03-15T00:00:00", info), info
    assert re.search(r"ModDate:\s+2025-03-15T00:00:00", info), info
    raw = pdf.read_bytes()
    ids = re.findall(rb"/ID\s*\[\s*<([0-9a-fA-F]+)>", raw) or re.findall(rb"/ID\s*\[\s*\(", raw)
    assert ids, "the PDF has a file identifier"
    for path in (ROOT, three_builds[0]):
        assert str(path).encode() not in raw  # no folder of the build machine inside


@pytest.mark.slow
def test_docx_dates_entries_and_charts_are_fixed(three_builds: list[Path]) -> None:
    path = three_builds[1] / f"{SAMPLE.stem}.docx"
    core = docx.Document(str(path)).core_properties
    assert core.created is not None and core.created.date().isoformat() == "2025-03-15"
    assert core.modified == core.created and core.revision == 1
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
        assert len({info.date_time for info in infos}) == 1  # one fixed timestamp for all
        assert infos[0].filename == "[Content_Types].xml"
        names = [info.filename for info in infos]
        pngs = [package.read(n) for n in names if n.endswith(".png")]
        xml = b"".join(package.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert len(pngs) >= 2  # bar and pie charts
    for png in pngs:
        # Only image chunks: no tIME/tEXt (software, creation time) that would vary.
        chunks = re.findall(rb"(?s)\x00\x00..([A-Za-z]{4})", png[8:])
        assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(chunks)
    for path_text in (str(ROOT), str(three_builds[1])):
        assert path_text.encode() not in xml
