"""Charts for the report: a ChartSpec in, a deterministic PNG out.

Uses matplotlib's object API (Figure + FigureCanvasAgg) and never pyplot, so no global figure
state or GUI backend is involved and rendering is safe in any process. The charts use the
same free faces as the PDF (FandolHei, Noto Sans CJK SC for rare characters), registered once
per process by register_fonts().

Same spec, same bytes: the PNG carries no software/version/time metadata, so goldens and
caches can compare images byte for byte.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import math
import struct
import warnings
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reportgen import fonts
from reportgen.document.model import ChartSpec
from reportgen.formatting import number, percent

log = logging.getLogger(__name__)

DPI = 180
ASPECT = 0.62  # height / width: leaves room for wrapped category names under a 15 cm chart

# Restrained official-report palette: deep blue, deep red, slate grey, then quieter tones.
PALETTE: tuple[str, ...] = (
    "#1F4E79",  # deep blue
    "#A23B2A",  # deep red
    "#6B7B8C",  # slate grey
    "#4A7DB5",  # mid blue
    "#C08A3E",  # muted ochre
    "#3E7D6E",  # muted green
    "#7A5C8E",  # muted purple
    "#9DB3CC",  # pale blue
)
OTHER_COLOUR = "#C8C8C8"  # 其他 is always light grey so it reads as "the rest"
OTHER_LABEL = "其他"
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#D9D9D9"

# CJK first: matplotlib falls back through this list glyph by glyph, so rare characters
# missing from FandolHei (镕堃喆犇) come from Noto instead of drawing boxes.
FONT_FAMILIES: list[str] = ["FandolHei", fonts.NOTO_SANS, "DejaVu Sans"]

_RC: Any = {  # matplotlib types rcParams keys as literals; these are checked at run time
    "font.family": FONT_FAMILIES,
    "font.size": 9,
    # Fandol has no U+2212; the ASCII hyphen-minus matches how the report text writes it.
    "axes.unicode_minus": False,
    "axes.edgecolor": "#7F7F7F",
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "text.color": TEXT_COLOUR,
    "svg.hashsalt": "reportgen",
    "path.simplify": True,
}

_registered = False


def register_fonts() -> None:
    """Make the CJK faces known to matplotlib and put them first; safe to call repeatedly."""
    global _registered
    if _registered:
        return
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    bold_files: set[str] = set()
    for family, style in (
        ("FandolHei", "Regular"),
        ("FandolHei", "Bold"),
        ("FandolFang", "Regular"),
        (fonts.NOTO_SANS, "Regular"),
        (fonts.NOTO_SANS, "Bold"),
    ):
        path = fonts.find_font_file(family, style)
        if path is None:
            continue
        if style == "Bold":
            bold_files.add(str(path))
        if str(path) not in known:
            manager.addfont(path)
            known.add(str(path))
    # FandolHei-Bold.otf declares weight 400 (usWeightClass), so matplotlib would see two
    # "regular" FandolHei faces and pick either for bold text; mark the Bold file as 700.
    for i, entry in enumerate(manager.ttflist):
        if entry.fname in bold_files and entry.weight != 700:
            manager.ttflist[i] = dataclasses.replace(entry, weight=700)
    cache_clear = getattr(getattr(manager, "_findfont_cached", None), "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
    matplotlib.rcParams.update(_RC)
    _registered = True


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("不是 PNG 图片")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _number(v: float) -> str:
    """A value label: at most two decimals, half-up and trailing zeros dropped, like the text."""
    return number(float(v), 2)


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


MAX_LABEL_CHARS = 20
# A year axis with more labels than this shows every second (third …) year.
MAX_YEAR_LABELS = 12


def _short(label: str) -> str:
    """A name as the chart shows it: past MAX_LABEL_CHARS characters, shortened with …"""
    return label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 1] + "…"


def _wrap_labels(labels: Sequence[str], axes_width_pt: float, fontsize: float) -> tuple[
    list[str], float
]:
    """Wrap long Chinese names into lines that fit under their bar; rotate if still too tall.

    Chinese has no spaces, so names are cut into equal pieces (机械装备/制造业, not
    机械装备制造/业); a name needing more than three lines is rotated instead.
    """
    # A name of 60 characters would push the chart off its figure: the table beside the
    # chart has it whole, the axis a shortened form.
    labels = [_short(label) for label in labels]
    n = max(len(labels), 1)
    per_line = max(2, int(axes_width_pt / n / (fontsize * 1.05)))
    longest = max((len(s) for s in labels), default=0)
    if longest <= per_line:
        return list(labels), 0.0
    if -(-longest // per_line) > 3:
        return list(labels), 35.0
    wrapped = []
    for label in labels:
        lines = -(-len(label) // per_line)
        size = -(-len(label) // lines)
        wrapped.append("\n".join(label[i:i + size] for i in range(0, len(label), size)))
    return wrapped, 0.0


def _style_axes(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(length=3, width=0.6)
    ax.set_axisbelow(True)


def _unit_label(ax: Axes, spec: ChartSpec) -> None:
    """Put the unit horizontally above the value axis: vertical CJK text reads sideways."""
    text = f"{spec.y_label}（{spec.unit}）" if spec.y_label and spec.unit else (
        spec.y_label or spec.unit)
    if text:
        ax.set_ylabel(text, rotation=0, ha="left", va="bottom", fontsize=9)
        ax.yaxis.set_label_coords(-0.01, 1.03)


def _given(value: float | None) -> float:
    """A value a bar or pie chart needs; such charts are only made of given values."""
    if value is None:
        raise ValueError("柱状图和饼图的每一项都必须有数值")
    return value


def _draw_bar(fig: Figure, ax: Axes, spec: ChartSpec) -> None:
    n_series = max(len(spec.series), 1)
    group = 0.72
    width = group / n_series
    xs = list(range(len(spec.categories)))
    # A bar chart has a value for every category (helpers draw exact values only).
    all_values = [_given(v) for _, vals in spec.series for v in vals]
    for i, (name, series_values) in enumerate(spec.series):
        values = [_given(v) for v in series_values]
        offsets = [x - group / 2 + width * (i + 0.5) for x in xs]
        bars = ax.bar(offsets, values, width=width * 0.92, color=_colour(i), label=name,
                      zorder=2)
        ax.bar_label(bars, labels=[_number(v) for v in values], padding=2, fontsize=8)
    ax.axhline(0, color="#7F7F7F", linewidth=0.6, zorder=1)
    ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v)))
    # Headroom so value labels above the tallest bar (or below the lowest) are not clipped.
    top = max([0.0, *all_values])
    bottom = min([0.0, *all_values])
    span = (top - bottom) or 1.0
    ax.set_ylim(bottom - (0.1 * span if bottom < 0 else 0), top + 0.12 * span)
    ax.set_xticks(xs)
    width_pt = fig.get_figwidth() * 72 * 0.85
    labels, rotation = _wrap_labels(spec.categories, width_pt, 9)
    ax.set_xticklabels(labels, rotation=rotation, ha="right" if rotation else "center",
                       rotation_mode="anchor" if rotation else "default")
    ax.set_xlim(-0.6, len(xs) - 0.4)
    _unit_label(ax, spec)
    if spec.x_label:
        ax.set_xlabel(spec.x_label)
    if len(spec.series) > 1:
        ax.legend(frameon=False, fontsize=8, ncols=min(len(spec.series), 4), loc="upper right")
    _style_axes(ax)


def _draw_line(fig: Figure, ax: Axes, spec: ChartSpec) -> None:
    xs = list(range(len(spec.categories)))
    markers = ("o", "s", "^", "D", "v", "P", "X", "*")
    for i, (name, values) in enumerate(spec.series):
        # A year a cluster has no figure for (None) is skipped; the line joins its neighbours.
        known = [(x, v) for x, v in zip(xs, values, strict=False) if v is not None]
        ax.plot([x for x, _ in known], [v for _, v in known], color=_colour(i),
                marker=markers[i % len(markers)], markersize=4.5, linewidth=1.6,
                label=_short(name), zorder=3)
    if len(spec.series) <= 4 and len(xs) <= 10:
        _label_points(ax, spec)
    ax.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(v)))
    ax.margins(x=0.06, y=0.15)
    step = -(-len(xs) // MAX_YEAR_LABELS)  # 31 years: every third year is labelled
    shown = xs[::-1][::step][::-1]  # always label the latest year
    ax.set_xticks(shown)
    ax.set_xticklabels([spec.categories[x] for x in shown])
    _unit_label(ax, spec)
    if spec.x_label:
        ax.set_xlabel(spec.x_label)
    if len(spec.series) > 1:
        ax.legend(frameon=False, fontsize=8, loc="best")
    _style_axes(ax)


def _label_points(ax: Axes, spec: ChartSpec) -> None:
    """Value labels on line points, moved below or left out where series run close together."""
    values_all = [v for _, vals in spec.series for v in vals if v is not None]
    span = (max(values_all) - min(values_all)) if values_all else 0.0
    near = span * 0.08 or 1.0  # about the height of a label in data units at this size
    for x in range(len(spec.categories)):
        points = sorted(
            ((value, i) for i, (_, vals) in enumerate(spec.series)
             if x < len(vals) and (value := vals[x]) is not None),
            reverse=True,
        )
        for rank, (v, i) in enumerate(points):
            gap_above = points[rank - 1][0] - v if rank > 0 else float("inf")
            gap_below = v - points[rank + 1][0] if rank + 1 < len(points) else float("inf")
            if gap_above >= near:
                offset, va = 6, "bottom"
            elif gap_below >= near * 1.6:
                offset, va = -7, "top"
            else:
                continue
            ax.annotate(_number(v), (x, v), textcoords="offset points", xytext=(0, offset),
                        ha="center", va=va, fontsize=7.5, color=_colour(i))


def _draw_pie(fig: Figure, ax: Axes, spec: ChartSpec) -> None:
    values = [_given(v) for v in spec.series[0][1]] if spec.series else []
    if any(v < 0 for v in values):
        raise ValueError(f"饼图不能包含负值：{spec.title}")
    total = sum(values)
    if not total:
        raise ValueError(f"饼图的数值之和为零，无法绘制：{spec.title}")
    colours: list[str] = []
    palette_i = 0
    for name in spec.categories:
        # 其他 is grey wherever it sits, and does not use up a palette colour.
        if name == OTHER_LABEL:
            colours.append(OTHER_COLOUR)
        else:
            colours.append(_colour(palette_i))
            palette_i += 1
    shares = [
        Decimal(repr(float(v))) * 100 / Decimal(repr(float(total))) if total else Decimal(0)
        for v in values
    ]
    wedges, _texts = ax.pie(
        values, colors=colours, startangle=90, counterclock=False,
        wedgeprops={"linewidth": 1.0, "edgecolor": "white"},
    )
    # Percent inside big slices only; every slice's percent is in the legend anyway.
    for wedge, s in zip(wedges, shares, strict=False):
        if s < 6:
            continue
        angle = math.radians((wedge.theta1 + wedge.theta2) / 2)
        r = 0.68
        colour = TEXT_COLOUR if wedge.get_facecolor()[0] > 0.7 else "white"
        ax.text(r * math.cos(angle), r * math.sin(angle), percent(s), ha="center",
                va="center", fontsize=8.5, color=colour)
    legend_labels = [f"{_short(name)}  {percent(s)}" for name, s in zip(spec.categories, shares,
                                                                strict=False)]
    ax.legend(wedges, legend_labels, frameon=False, loc="center left",
              bbox_to_anchor=(1.02, 0.5), fontsize=8.5, handlelength=1.0, handleheight=1.0)
    ax.set_aspect("equal")


def render_png(spec: ChartSpec, width_cm: float = 15.0) -> bytes:
    """Draw `spec` as a PNG `width_cm` wide at 180 dpi; the same spec gives the same bytes.

    matplotlib's own warnings would reach staff as English lines of Python source: they are
    said once, in Chinese, through logging (the build prints them beside the report).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = _render_png(spec, width_cm)
    for message in dict.fromkeys(str(w.message) for w in caught):
        log.warning("图表“%s”排版时的提示（matplotlib）：%s", spec.title, message)
    return png


def _render_png(spec: ChartSpec, width_cm: float) -> bytes:
    register_fonts()
    width_in = width_cm / 2.54
    with matplotlib.rc_context(_RC):
        # No layout engine: constrained layout runs its own passes over every text before
        # savefig draws again. The margins are set once from the measured extents of the
        # labels (_fit_margins) and the figure is drawn once.
        fig = Figure(figsize=(width_in, width_in * ASPECT), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if spec.chart == "bar":
            _draw_bar(fig, ax, spec)
        elif spec.chart == "line":
            _draw_line(fig, ax, spec)
        elif spec.chart == "pie":
            _draw_pie(fig, ax, spec)
        else:
            raise ValueError(f"不支持的图表类型：{spec.chart}")
        title = fig.suptitle(spec.title, fontsize=11, fontweight="bold") if spec.title else None
        _fit_margins(fig, ax, canvas, title)
        canvas.draw()
        return _encode_png(canvas)


PAD_IN = 0.09  # white space between the outermost label and the edge of the picture


def _fit_margins(fig: Figure, ax: Axes, canvas: FigureCanvasAgg, title: Any) -> None:
    """Place the axes so every label, the legend and the title fit inside the figure.

    Text extents are measured (no pixels drawn) and the axes placed inside what hangs out
    of them. For bars and lines that is one measurement: the ticks do not depend on the
    axes' size (fixed nbins, one label per category) and the tick labels hang out by the
    same amount wherever the axes are. A pie (its square and the legend beside it) and
    rotated category names (the first one hangs further left as the axes narrow) are
    measured again after the move, and a third time if something still sticks out.
    """
    renderer = canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    pad = PAD_IN * fig.dpi
    title_h = 0.0
    if title is not None:
        title.set_y(1 - pad / height)
        title.set_va("top")
        title_h = title.get_window_extent(renderer).height + pad * 0.6
    fig.subplots_adjust(left=0.1, right=0.95, bottom=0.15, top=0.85)
    rotated = any(label.get_rotation() for label in ax.get_xticklabels())
    passes = 3 if ax.get_aspect() == 1.0 or rotated else 1
    for attempt in range(passes):
        box = ax.get_position().transformed(fig.transFigure)
        if ax.get_aspect() == 1.0:  # a pie: the square drawn inside the position
            ax.apply_aspect()
            box = ax.get_position(original=False).transformed(fig.transFigure)
        tight = ax.get_tightbbox(renderer)
        if tight is None:
            return
        out_left = max(box.x0 - tight.x0, 0.0)
        out_right = max(tight.x1 - box.x1, 0.0)
        out_bottom = max(box.y0 - tight.y0, 0.0)
        out_top = max(tight.y1 - box.y1, 0.0)
        fits = (tight.x0 >= pad * 0.5 and tight.x1 <= width - pad * 0.5
                and tight.y0 >= pad * 0.5 and tight.y1 <= height - pad - title_h + 1)
        if fits and attempt > 0:
            return
        left = (out_left + pad) / width
        right = 1 - (out_right + pad) / width
        bottom = (out_bottom + pad) / height
        top = 1 - (out_top + pad + title_h) / height
        if ax.get_aspect() == 1.0:
            # The pie's square keeps its place in the middle of the position; centre the
            # whole (pie and legend) instead, then let the square take the height.
            # A long legend leaves the pie less than the full height.
            outside = (out_right + out_left) / width
            pie_w = min((top - bottom) * height / width, 1 - 2 * pad / width - outside)
            whole = pie_w + outside
            start = max((1 - whole) / 2, pad / width) + out_left / width
            left, right = start, start + pie_w
        fig.subplots_adjust(left=left, right=max(right, left + 0.2),
                            bottom=bottom, top=max(top, bottom + 0.2))


def _encode_png(canvas: FigureCanvasAgg) -> bytes:
    """The drawn figure as an RGB PNG, zlib level 1, its dpi recorded, no metadata.

    RGB: the picture is opaque, and WeasyPrint would split an alpha channel into a second
    image. Level 1: a chart is flat colour and encodes fast; these RGB files came out smaller
    (0.93× over 15 sample charts) than the RGBA ones at level 6 matplotlib wrote before.
    Pillow writes no Software or time chunk, so the same figure gives the same bytes.
    """
    from PIL import Image

    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA",
                             0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1, dpi=(DPI, DPI))
    return buf.getvalue()
