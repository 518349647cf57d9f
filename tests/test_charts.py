"""Tests for reportgen.charts: valid, deterministic PNGs with Chinese text and no missing glyphs."""

from __future__ import annotations

import logging
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest

from reportgen import charts
from reportgen.charts import png_size, register_fonts, render_png
from reportgen.document.model import ChartSpec

ROOT = Path(__file__).resolve().parent.parent

BAR = ChartSpec(
    chart="bar",
    title="2024年各产业集群工业总产值",
    categories=["纺织服装业", "机械装备制造业", "食品加工业", "镕堃喆犇电子信息产业集群"],
    series=[("工业总产值", [149.79, 142.0, 14.7, 0.78])],
    unit="亿元",
)
BAR_NEGATIVE = ChartSpec(
    chart="bar",
    title="各集群利润增减",
    categories=["纺织", "机械", "食品"],
    series=[("2023年", [5.2, -3.1, 0.4]), ("2024年", [6.1, -1.25, -0.5])],
    unit="亿元",
)
PIE = ChartSpec(
    chart="pie",
    title="2024年工业总产值构成",
    categories=["纺织服装业", "机械装备制造业", "食品加工业", "其他"],
    series=[("工业总产值", [149.79, 142.0, 14.7, 120.4])],
    unit="亿元",
)
LINE = ChartSpec(
    chart="line",
    title="2020—2024年主要集群产值变化",
    categories=["2020", "2021", "2022", "2023", "2024"],
    series=[("纺织服装业", [98.5, 110.2, 121.0, 135.6, 149.79]),
            ("机械装备制造业", [80.1, 95.3, 104.0, 120.5, 142.0])],
    unit="亿元",
)
ALL = {"bar": BAR, "bar_negative": BAR_NEGATIVE, "pie": PIE, "line": LINE}


def _chunks(png: bytes) -> dict[bytes, list[bytes]]:
    """The PNG's chunks by type, checking every CRC on the way."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, found = 8, {}
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        data = png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + data) == crc
        found.setdefault(kind, []).append(data)
        pos += 12 + length
    assert kind == b"IEND"
    return found


def _dpi(png: bytes) -> float:
    (phys,) = _chunks(png)[b"pHYs"]
    x_ppm, y_ppm, unit = struct.unpack(">IIB", phys)
    assert unit == 1 and x_ppm == y_ppm
    return x_ppm * 0.0254


@pytest.fixture
def font_warnings_fail(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Turn matplotlib's missing-glyph warnings and findfont fallbacks into failures."""
    caplog.set_level(logging.WARNING, logger="matplotlib")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield caplog
    bad = [r.getMessage() for r in caplog.records
           if "findfont" in r.getMessage() or "Glyph" in r.getMessage()]
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(ALL))
def test_renders_valid_png(name: str, font_warnings_fail: pytest.LogCaptureFixture) -> None:
    png = render_png(ALL[name])
    chunks = _chunks(png)
    assert b"IDAT" in chunks
    width, height = png_size(png)
    expected_width = 15.0 / 2.54 * charts.DPI
    assert abs(width - expected_width) <= 1
    assert abs(height - expected_width * charts.ASPECT) <= 1
    assert round(_dpi(png)) == 180


def test_width_follows_width_cm() -> None:
    width, _ = png_size(render_png(BAR, width_cm=8.0))
    assert abs(width - 8.0 / 2.54 * 180) <= 1


@pytest.mark.parametrize("name", sorted(ALL))
def test_deterministic_bytes(name: str) -> None:
    assert render_png(ALL[name]) == render_png(ALL[name])


def test_no_software_or_time_metadata() -> None:
    chunks = _chunks(render_png(BAR))
    assert b"tIME" not in chunks
    texts = b"".join(chunks.get(b"tEXt", []) + chunks.get(b"iTXt", []))
    assert b"Software" not in texts and b"matplotlib" not in texts.lower()


def test_different_specs_differ() -> None:
    assert render_png(BAR) != render_png(BAR_NEGATIVE)


def test_missing_glyphs_would_be_noticed() -> None:
    """The checks above are only meaningful if a real tofu warning would be seen."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure()
        FigureCanvasAgg(fig)
        fig.text(0.5, 0.5, "诸暨", family="DejaVu Sans")
        fig.canvas.draw()
    assert any("Glyph" in str(w.message) for w in caught)


def test_negative_values_render_minus(font_warnings_fail: pytest.LogCaptureFixture) -> None:
    # Fandol has no U+2212: ticks and labels must use '-' and draw without warnings.
    png = render_png(BAR_NEGATIVE)
    assert png_size(png)[0] > 0
    assert charts._number(-1.25) == "-1.25"
    assert charts._number(-0.001) == "0"


def test_pie_rejects_negative() -> None:
    spec = ChartSpec("pie", "错", ["甲", "乙"], [("s", [1.0, -1.0])])
    with pytest.raises(ValueError, match="负值"):
        render_png(spec)


def test_pie_rejects_all_zero() -> None:
    spec = ChartSpec("pie", "错", ["甲", "乙"], [("s", [0.0, 0.0])])
    with pytest.raises(ValueError, match="之和为零"):
        render_png(spec)


def test_unknown_kind() -> None:
    spec = ChartSpec("radar", "错", ["甲"], [("s", [1.0])])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="不支持的图表类型"):
        render_png(spec)


def test_register_fonts_idempotent() -> None:
    from matplotlib import font_manager

    register_fonts()
    count = len(font_manager.fontManager.ttflist)
    register_fonts()
    assert len(font_manager.fontManager.ttflist) == count
    assert charts.FONT_FAMILIES[0] == "FandolHei"
    bold = font_manager.FontProperties(family="FandolHei", weight="bold")
    regular = font_manager.FontProperties(family="FandolHei")
    assert Path(font_manager.findfont(bold, fallback_to_default=False)).name == (
        "FandolHei-Bold.otf")
    assert Path(font_manager.findfont(regular, fallback_to_default=False)).name == (
        "FandolHei-Regular.otf")


def test_wrap_long_names() -> None:
    labels, rotation = charts._wrap_labels(["机械装备制造业", "纺织"], 120.0, 9)
    assert rotation == 0.0
    assert labels[0] == "机械装备\n制造业"  # balanced pieces, no lone 业
    assert labels[1] == "纺织"
    many, rotation = charts._wrap_labels(["很长很长很长很长很长很长很长的名字"] * 12, 400.0, 9)
    assert rotation > 0 and many[0] == "很长很长很长很长很长很长很长的名字"


def test_png_size_rejects_non_png() -> None:
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + b"\0" * 30)


_SUBPROCESS = """
import logging, sys, warnings
warnings.simplefilter("error")
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from reportgen.charts import render_png
from reportgen.document.model import ChartSpec
spec = ChartSpec("bar", "各集群产值镕堃", ["纺织服装业", "新材料"], [("产值", [1.5, -2.0])],
                 unit="亿元")
sys.stdout.buffer.write(render_png(spec))
"""


def test_fresh_process_registers_fonts() -> None:
    result = subprocess.run([sys.executable, "-c", _SUBPROCESS], capture_output=True,
                            cwd=ROOT, timeout=120, check=False)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    assert "findfont" not in stderr and "Glyph" not in stderr, stderr
    assert png_size(result.stdout)[0] > 0
    # Same spec in this process gives the same bytes: nothing depends on process state.
    spec = ChartSpec("bar", "各集群产值镕堃", ["纺织服装业", "新材料"], [("产值", [1.5, -2.0])],
                     unit="亿元")
    assert render_png(spec) == result.stdout


def test_line_chart_skips_years_a_series_has_no_figure_for() -> None:
    spec = ChartSpec(chart="line", title="产值变化", categories=["2020", "2021", "2022", "2024"],
                     series=[("甲", [1.0, None, 3.0, 4.0]), ("乙", [None, None, 2.0, 2.5])],
                     unit="亿元", y_label="产值")
    png = render_png(spec)
    assert png.startswith(b"\x89PNG")
