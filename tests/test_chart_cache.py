"""The chart cache on disk: a chart drawn once is not drawn again by the next process.

Every test has its own empty cache (conftest.fresh_cache sets REPORTGEN_CACHE_DIR).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen import cache, charts, fonts
from reportgen.build import chart_cache, pipeline
from reportgen.build.chart_cache import ChartCache, drawing_digest

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "tests" / "goldens" / "inputs" / "zhucheng.yaml"
CHARTS = 2  # the charts of SURVEY


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The title of every chart really drawn (by this process) from now on."""
    titles: list[str] = []
    real: Callable[..., bytes] = charts.render_png

    def counting(spec: charts.ChartSpec, width_cm: float = 15.0) -> bytes:
        titles.append(spec.title)
        return real(spec, width_cm)

    monkeypatch.setattr(charts, "render_png", counting)
    return titles


def chart_files() -> list[Path]:
    folder = cache.cache_folder(chart_cache.CACHE_KIND)
    assert folder is not None
    return sorted(folder.glob("*.png"))


def test_a_new_process_reuses_the_charts_drawn_before(tmp_path: Path, drawn: list[str]) -> None:
    first = pipeline.build_file(SURVEY, tmp_path / "a", cache=ChartCache(disk=True))
    assert first.ok and len(drawn) == CHARTS and len(chart_files()) == CHARTS
    # A new ChartCache stands for a new process: its memory is empty, the disk is not.
    second = pipeline.build_file(SURVEY, tmp_path / "b", cache=ChartCache(disk=True))
    assert second.ok and len(drawn) == CHARTS  # nothing drawn again
    for name in ("zhucheng.docx", "zhucheng.pdf"):  # and the same bytes as when drawn
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_second_build_command_never_imports_matplotlib(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from reportgen.cli import main\n"
        "try:\n"
        f"    main(['build', {str(SURVEY)!r}, '--out', sys.argv[1], '--jobs', '1', '-q'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('matplotlib' in sys.modules)\n"
    )

    def build(out: Path) -> str:
        done = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True,
                              text=True, timeout=300, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()[-1]

    assert build(tmp_path / "first") == "True"  # drew the charts
    assert build(tmp_path / "second") == "False"  # took every one from the cache


def test_a_damaged_entry_is_drawn_again(tmp_path: Path, drawn: list[str]) -> None:
    pipeline.build_file(SURVEY, tmp_path / "a", ("docx",), cache=ChartCache(disk=True))
    damaged = chart_files()[0]
    good = damaged.read_bytes()
    damaged.write_bytes(good[: len(good) // 2])  # e.g. the machine lost power mid-write
    result = pipeline.build_file(SURVEY, tmp_path / "b", ("docx",), cache=ChartCache(disk=True))
    assert result.ok and len(drawn) == CHARTS + 1  # only the damaged one again
    assert damaged.read_bytes() == good
    assert (tmp_path / "a" / "zhucheng.docx").read_bytes() == (
        tmp_path / "b" / "zhucheng.docx").read_bytes()


def test_caching_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   drawn: list[str]) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "")
    for out in ("a", "b"):
        assert pipeline.build_file(SURVEY, tmp_path / out, ("docx",),
                                   cache=ChartCache(disk=True)).ok
    assert len(drawn) == 2 * CHARTS


def test_an_unwritable_cache_costs_only_the_drawing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    drawn: list[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker))  # mkdir fails under a file
    assert pipeline.build_file(SURVEY, tmp_path / "out", ("docx",),
                               cache=ChartCache(disk=True)).ok
    assert len(drawn) == CHARTS


def test_the_key_holds_the_font_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reinstalled font (same family, another file or date) never reuses old pictures."""
    font = tmp_path / "FandolHei-Regular.otf"
    font.write_bytes(b"font")
    face = fonts.FontFace(font)
    monkeypatch.setattr(fonts, "find_font_face", lambda family, style="Regular": face)
    drawing_digest.cache_clear()
    before = drawing_digest()
    os.utime(font, ns=(1, 1))
    drawing_digest.cache_clear()
    assert drawing_digest() != before
    drawing_digest.cache_clear()


def test_the_key_holds_the_chart_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "reportgen"
    for name in chart_cache._CODE:
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_bytes((ROOT / "reportgen" / name).read_bytes())
    monkeypatch.setattr(chart_cache, "_PACKAGE", package)
    drawing_digest.cache_clear()
    before = drawing_digest()
    with (package / "charts.py").open("a", encoding="utf-8") as stream:
        stream.write("\nDPI = 200\n")
    drawing_digest.cache_clear()
    assert drawing_digest() != before
    drawing_digest.cache_clear()


def test_prune_keeps_the_most_recently_used(tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    folder.mkdir()
    for k in range(5):
        cache.write_entry(folder, f"{k}.png", b"x")
        os.utime(folder / f"{k}.png", (1000 + k, 1000 + k))
    assert cache.read_entry(folder, "0.png") == b"x"  # used just now: kept
    assert cache.prune(folder, 2) == 3
    assert sorted(p.name for p in folder.iterdir()) == ["0.png", "4.png"]


def test_a_batch_keeps_the_disk_cache_bounded(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_cache, "DISK_ENTRIES", 1)
    done = subprocess.run([sys.executable, "-m", "reportgen", "build", str(SURVEY), "--out",
                           str(tmp_path / "out"), "-q"], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert len(chart_files()) == CHARTS  # the command's own process: its default bound
    from reportgen.build.batch import build_batch
    from reportgen.cli.progress import make_reporter

    summary = build_batch([SURVEY], tmp_path / "again", make_reporter(True, False), jobs=1,
                          formats=("docx",))
    assert summary.ok and len(chart_files()) == 1
