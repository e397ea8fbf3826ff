"""Report charts: matplotlib ``Figure`` (never pyplot) → accessible inline SVG with its data.

Each chart comes back as a :class:`Chart`: one SVG per :class:`Layout` it is shown at, a
title, a one-sentence text alternative and the data table shown beside it.  Callers pass
already-localised labels and gated figures; this module only draws.

Why one drawing per width.  An SVG scales its text with its box: a chart drawn for a desktop
column and squeezed onto a 390 px phone shows 5 px axis labels.  So every chart is drawn for
the width it is shown at, with one user unit per CSS pixel, and never scaled up past that
width: the text sizes in :data:`NARROW` and :data:`WIDE` are the pixel sizes a reader sees.
The page shows the narrow drawing below :data:`BREAKPOINT_PX` and the wide one above it
(``static/report.css``); the PDF gets only the wide one.

Text stays text (``svg.fonttype = 'none'``), so it can be selected, found, read aloud and
zoomed, and the page stays small.  Layout is measured with the IPAexGothic face that ships
with ``matplotlib_fontja``; the SVG names it first in a font stack of common Japanese faces,
and WeasyPrint embeds it from the package for the PDF (``reports.quarterly.page.font_face_css``).
Colours are the Okabe–Ito palette (Okabe & Ito 2008), safe for colour-blind readers.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib_fontja
import numpy as np
from markupsafe import Markup
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.typing import RcKeyType

FONT_FAMILY = "IPAexGothic"
FONT_FILE = matplotlib_fontja.get_font_ttf_path()
#: What the browser sets chart text in: the face the layout was measured with, then the
#: Japanese faces of common phones and desktops (their widths are close to IPAexGothic's).
FONT_STACK = ("'IPAexGothic', 'Hiragino Sans', 'Noto Sans CJK JP', 'Noto Sans JP', "
              "'Yu Gothic', Meiryo, sans-serif")

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: Answer 1..5 after reversing: negative (left, warm), neutral (grey), positive (right, blue).
LIKERT_COLOURS = ("#D55E00", "#E69F00", "#BDBDBD", "#56B4E9", "#0072B2")
INK, MUTED, GRID = "#1b1f24", "#4a5360", "#d9dde3"
#: Below this viewport width the page shows the narrow drawings (``static/report.css``).
BREAKPOINT_PX = 800


@dataclass(frozen=True)
class Layout:
    """A display width a chart is drawn for: CSS pixels wide, body text in CSS pixels."""

    name: str
    width: float
    text: float


#: A phone: the card's inner width on a 390 px screen is about 328 px.
NARROW = Layout("narrow", 320, 12)
#: A desktop card (A4 in the PDF); a trend chart sits in half a card, see ``trend_chart``.
WIDE = Layout("wide", 720, 13)
#: A4 less its margins; trend charts sit two abreast on paper, see ``trend_chart``.
PRINT = Layout("wide", 700, 12)
#: Which layouts to draw (the PDF sets ``(PRINT,)``: paper has one width).
LAYOUTS: ContextVar[tuple[Layout, ...]] = ContextVar("layouts", default=(NARROW, WIDE))

_RC: dict[RcKeyType, Any] = {
    "font.family": FONT_FAMILY, "svg.fonttype": "none",
    "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": MUTED,
    "ytick.color": MUTED, "axes.spines.top": False, "axes.spines.right": False,
    # Labels are data (wave labels, principle titles, actions): "$x^$" is text, not mathtext.
    "text.parse_math": False,
}
_MEASURE = TextToPath()


@dataclass(frozen=True)
class Chart:
    """A drawn chart: one inline SVG per layout, its title, text alternative and data table."""

    id: str
    title: str
    alt: str
    svgs: tuple[Markup, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TrendSeries:
    """Points of one measure: (date, wave label, estimate, low, high) or a suppression note."""

    dates: tuple[dt.date, ...]
    waves: tuple[str, ...]
    values: tuple[float | None, ...]
    lows: tuple[float | None, ...]
    highs: tuple[float | None, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Marker:
    """A dated intervention drawn on a trend chart."""

    on: dt.date
    label: str


#: Drawn charts kept per process (each about 30-60 kB of SVG per layout).
CHART_CACHE_SIZE = 256
_CACHES: list[Any] = []


def _hashable(value: Any) -> Any:
    """Lists (and lists inside tuples) as tuples, so chart arguments can key a cache."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    return value


def _memoised(draw: Callable[..., Chart]) -> Callable[..., Chart]:
    """Keep drawn charts keyed by every argument and the layouts drawn for.

    A chart is a pure function of its arguments (figures, labels, markers, wording in the
    request's language) and :data:`LAYOUTS`; nothing else feeds it.  A closed wave's figures
    never change, so its report's charts are drawn once per process and served from here;
    any change (a wave closing, new thresholds, a new action marker, another language or
    width) changes the key.  Least recently used charts go first; nothing expires by time.
    """
    @functools.lru_cache(maxsize=CHART_CACHE_SIZE)
    def drawn(args: tuple, kwargs: tuple, _layouts: tuple[Layout, ...]) -> Chart:
        return draw(*args, **dict(kwargs))

    @functools.wraps(draw)
    def cached(*args: Any, **kwargs: Any) -> Chart:
        return drawn(_hashable(args), _hashable(tuple(sorted(kwargs.items()))), LAYOUTS.get())

    _CACHES.append(drawn)
    return cached


def clear_chart_cache() -> None:
    """Forget every drawn chart (tests that compare drawings; fonts changed on disk)."""
    for cache in _CACHES:
        cache.cache_clear()


def chart_cache_hits() -> int:
    """How many chart requests were served from the cache in this process."""
    return sum(cache.cache_info().hits for cache in _CACHES)


@functools.lru_cache(maxsize=4096)
def text_width(text: str, size: float) -> float:
    """Width in pixels of ``text`` set in IPAexGothic at ``size`` pixels (labels repeat)."""
    prop = FontProperties(family=FONT_FAMILY, size=size)
    return _MEASURE.get_text_width_height_descent(text, prop, ismath=False)[0]


def fit(text: str, size: float, room: float) -> str:
    """``text`` shortened with an ellipsis until it is at most ``room`` pixels wide.

    The longest prefix that fits is found by bisection: a measurement costs a glyph layout.
    """
    if text_width(text, size) <= room:
        return text
    low, high = 0, len(text)  # text[:low] + "…" fits (or low is 0); text[:high] + "…" does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if text_width(text[:middle] + "…", size) <= room \
            else (low, middle)
    return text[:low].rstrip() + "…"


def _figure(layout: Layout, height: float, left: float, bottom: float, top: float,
            right: float) -> Figure:
    """A figure ``layout.width`` × ``height`` pixels with fixed margins in pixels."""
    width = layout.width
    fig = Figure(figsize=(width / 72, height / 72))
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height)
    return fig


def _draw(chart_id: str, title: str, alt: str, draw: Callable[[Layout], Figure],
          layouts: Sequence[Layout] | None = None) -> tuple[Markup, ...]:
    """One SVG per layout from ``draw(layout)``."""
    out = []
    for layout in layouts or LAYOUTS.get():
        with matplotlib.rc_context(_RC):
            fig = draw(layout)
            out.append(to_svg(fig, f"{chart_id}-{layout.name}", title, alt, layout))
    return tuple(out)


def to_svg(fig: Figure, svg_id: str, title: str, alt: str, layout: Layout) -> Markup:
    """Serialise a figure as inline SVG: ``role="img"``, a <title>, unique ids, text as text."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC | {"svg.hashsalt": svg_id}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r'id="([^"]+)"', rf'id="{svg_id}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{svg_id}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{svg_id}-\1)", svg)
    svg = re.sub(r"font-family: [^;\"]+", f"font-family: {FONT_STACK}", svg)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]+" height="[^"]+"',
                 rf'<svg \1class="chart-svg chart-{layout.name}" role="img" '
                 rf'style="max-width: {layout.width:.0f}px" aria-labelledby="{svg_id}-title"',
                 svg, count=1)
    head_end = svg.index(">") + 1
    svg = (svg[:head_end] + f'<title id="{svg_id}-title">{escape(title)}. {escape(alt)}</title>'
           + svg[head_end:])
    return Markup(svg)


def _floats(values: Sequence[float | None], shown: Sequence[int]) -> np.ndarray:
    """The values at ``shown`` (none of them missing) as a float array for matplotlib."""
    return np.array([values[i] for i in shown], dtype=float)


def _fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _style_axes(ax: Axes, layout: Layout, grid_axis: Literal["x", "y"]) -> None:
    ax.tick_params(labelsize=layout.text, length=3)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _date_ticks(ax: Axes, dates: Sequence[dt.date], layout: Layout, room: float) -> None:
    """Every date that fits side by side in ``room`` pixels, newest always kept."""
    if not dates:
        return
    label = text_width("2026-08", layout.text) + layout.text
    step = max(1, math.ceil(len(dates) / max(1, int(room // label))))
    shown = list(dates)[::-1][::step][::-1]
    ax.set_xticks(mdates.date2num(shown))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))


def _markers(ax: Axes, markers: Sequence[Marker], layout: Layout, room: float,
             span: tuple[float, float]) -> None:
    """Dashed lines for logged actions, labelled on the side with more room, cut to fit."""
    low, high = span
    for marker in markers:
        x = mdates.date2num(marker.on)
        ax.axvline(x, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1)
        share = (x - low) / (high - low) if high > low else 0.0
        right = share <= 0.5
        space = room * ((1 - share) if right else share) - 6
        ax.annotate(fit(marker.label, layout.text, space), (x, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3 if right else -3, -2),
                    textcoords="offset points", va="top", ha="left" if right else "right",
                    fontsize=layout.text, color="#a84300")


@_memoised
def trend_chart(chart_id: str, title: str, alt: str, series: TrendSeries,
                markers: Sequence[Marker], columns: tuple[str, ...],
                y_label: str, y_range: tuple[float, float] = (0, 100)) -> Chart:
    """Score per closed wave with its 95% interval band and dated intervention markers.

    Two trend charts share a desktop card (at 1000 px and wider) and sit two abreast on paper,
    so their wide drawing is drawn for that column, not for the whole card.
    """
    def draw(layout: Layout) -> Figure:
        left = text_width("-100", layout.text) + 2.2 * layout.text
        right = text_width("2026-08", layout.text) / 2 + 4
        height = max(layout.width * 0.42, 16 * layout.text)
        fig = _figure(layout, height, left=left, bottom=2.2 * layout.text,
                      top=1.8 * layout.text, right=right)
        ax = fig.add_subplot()
        shown = [i for i, v in enumerate(series.values) if v is not None]
        xs = mdates.date2num([series.dates[i] for i in shown])
        ax.fill_between(xs, _floats(series.lows, shown), _floats(series.highs, shown),
                        color=OKABE_ITO["sky"], alpha=0.35, linewidth=0)
        ax.plot(xs, _floats(series.values, shown), color=OKABE_ITO["blue"], marker="o",
                markersize=4, linewidth=1.8)
        ax.set_ylim(*y_range)
        ax.set_ylabel(y_label, fontsize=layout.text)
        _style_axes(ax, layout, "y")
        room = layout.width - left - right
        _date_ticks(ax, series.dates, layout, room)
        if series.dates:
            ax.set_xlim(mdates.date2num(series.dates[0]) - 20,
                        mdates.date2num(series.dates[-1]) + 20)
        _markers(ax, markers, layout, room, ax.get_xlim())
        return fig

    column = {WIDE.width: 520, PRINT.width: PRINT.width / 2 - 12}
    svgs = _draw(chart_id, title, alt, draw,
                 [Layout(lay.name, column.get(lay.width, lay.width), lay.text)
                  for lay in LAYOUTS.get()])
    rows = tuple(
        (wave, date.isoformat(), _fmt(v), f"{_fmt(lo)}–{_fmt(hi)}" if v is not None else "", note)
        for wave, date, v, lo, hi, note in zip(series.waves, series.dates, series.values,
                                              series.lows, series.highs, series.notes,
                                              strict=True))
    return Chart(chart_id, title, alt, svgs, columns, rows)


@_memoised
def participation_chart(chart_id: str, title: str, alt: str, waves: Sequence[str],
                        rates: Sequence[float | None],
                        counts: Sequence[tuple[int | None, int | None]],
                        columns: tuple[str, ...], y_label: str,
                        notes: Sequence[str] | None = None) -> Chart:
    """Response rate per wave as horizontal bars: a long wave label gets a row of its own.

    ``notes`` say why a wave has no rate (still open, too few answers so far); the bar's
    end shows the note instead of a bare dash.
    """
    notes = list(notes or [""] * len(waves))
    values = [_fmt(100 * r) + "%" if r is not None else (note or "—")
              for r, note in zip(rates, notes, strict=True)]

    def draw(layout: Layout) -> Figure:
        size = layout.text
        label_room = min(layout.width * 0.34,
                         max((text_width(w, size) for w in waves), default=0) + 8)
        value_room = max((text_width(v, size) for v in values), default=0) + 8
        row = 2.1 * size
        fig = _figure(layout, row * len(waves) + 4.2 * size, left=label_room,
                      bottom=3.4 * size, top=0.5 * size, right=value_room)
        ax = fig.add_subplot()
        ys = list(range(len(waves)))[::-1]
        heights = [100 * r if r is not None else 0 for r in rates]
        bars = ax.barh(ys, heights, color=OKABE_ITO["blue"], height=0.62)
        ax.bar_label(bars, labels=values, fontsize=size, padding=3, color=INK)
        ax.set_yticks(ys, [fit(w, size, label_room - 8) for w in waves])
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 50, 100] if layout is NARROW else [0, 25, 50, 75, 100])
        ax.set_xlabel(y_label, fontsize=size)
        ax.set_ylim(-0.6, len(waves) - 0.4)
        _style_axes(ax, layout, "x")
        ax.tick_params(axis="y", length=0)
        return fig

    svgs = _draw(chart_id, title, alt, draw)
    rows = tuple((w, "—" if responded is None else str(responded),
                  "—" if invited is None else str(invited), value)
                 for w, (responded, invited), value in zip(waves, counts, values, strict=True))
    return Chart(chart_id, title, alt, svgs, columns, rows)


ItemRow = tuple[str, Sequence[int] | None, str]


@_memoised
def distribution_chart(chart_id: str, title: str, alt: str,
                       groups: Sequence[tuple[str, Sequence[ItemRow]]],
                       legend: Sequence[str], columns: tuple[str, ...]) -> Chart:
    """Diverging stacked bars per item: 1–2 left of zero, 3 centred on zero, 4–5 right.

    ``groups`` is (heading, [(item label, counts 1..5 or None, note)]) per principle; an item
    without counts (suppressed) gets an empty bar and its note in the label.  Each label sits
    on its own line above its bar, so it can use the chart's whole width on a phone.
    """
    lines: list[tuple[str, tuple[float, ...] | None, bool]] = []
    for heading, items in groups:
        lines.append((heading, None, True))
        for label, counts, note in items:
            lines.append((label + (f"（{note}）" if note else ""), _shares(counts), False))

    def draw(layout: Layout) -> Figure:
        size = layout.text
        row = 3.3 * size
        legend_rows = 3 if layout is NARROW else 1
        fig = _figure(layout, row * len(lines) + (legend_rows * 1.8 + 2.6) * size,
                      left=size, bottom=2.4 * size, top=legend_rows * 1.8 * size + size,
                      right=1.6 * size)
        ax = fig.add_subplot()
        ys = [-i for i in range(len(lines))]
        for level in range(5):
            lefts = [(-(sh[0] + sh[1] + sh[2] / 2) + sum(sh[:level])) if sh else 0.0
                     for _t, sh, _h in lines]
            widths = [sh[level] if sh else 0.0 for _t, sh, _h in lines]
            ax.barh([y - 0.3 for y in ys], widths, left=lefts, color=LIKERT_COLOURS[level],
                    height=0.42, label=legend[level], edgecolor="white", linewidth=0.5)
        room = layout.width - 2.6 * size
        for y, (text, _sh, heading) in zip(ys, lines, strict=True):
            ax.text(-100, y - 0.03, fit(text, size, room), fontsize=size + heading, va="bottom",
                    color=INK if heading else MUTED,
                    zorder=4, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.axvline(0, color=INK, linewidth=0.8, zorder=1.5)
        ax.set_yticks([])
        ax.set_ylim(ys[-1] - 0.6, 0.4)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
        _style_axes(ax, layout, "x")
        ax.spines["left"].set_visible(False)
        fig.legend(ncols=2 if layout is NARROW else 5, loc="upper left", frameon=False,
                   bbox_to_anchor=(0, 1.0), fontsize=size, handlelength=1.0,
                   columnspacing=0.8, handletextpad=0.4)
        return fig

    svgs = _draw(chart_id, title, alt, draw)
    rows = tuple(
        (f"{heading}: {label}", *(str(x) for x in c), str(sum(c))) if c
        else (f"{heading}: {label}", *(["—"] * 5), note)
        for heading, items in groups for label, c, note in items)
    return Chart(chart_id, title, alt, svgs, columns, rows)


def _shares(counts: Sequence[int] | None) -> tuple[float, ...] | None:
    if not counts or sum(counts) == 0:
        return None
    total = sum(counts)
    return tuple(100 * c / total for c in counts)
