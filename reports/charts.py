"""Report charts: matplotlib ``Figure`` (never pyplot) → accessible inline SVG with its data.

Each chart comes back as a :class:`Chart`: the SVG (text kept as glyph paths in the Japanese
font that ships with ``matplotlib_fontja``, so neither the browser nor WeasyPrint needs a
system font), a title, a one-sentence text alternative and the data table shown beside it.
Callers pass already-localised labels and gated figures; this module only draws.
Colours are the Okabe–Ito palette (Okabe & Ito 2008), safe for colour-blind readers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")

import matplotlib_fontja
from markupsafe import Markup
from matplotlib import dates as mdates
from matplotlib.figure import Figure

FONT_FAMILY = "IPAexGothic"
FONT_FILE = matplotlib_fontja.get_font_ttf_path()

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: Answer 1..5 after reversing: negative (left, warm), neutral (grey), positive (right, blue).
LIKERT_COLOURS = ("#D55E00", "#E69F00", "#BDBDBD", "#56B4E9", "#0072B2")
INK, MUTED, GRID = "#1b1f24", "#4a5360", "#d9dde3"

#: "path" draws glyphs as outlines (web: no font needed); "none" keeps <text> elements, which
#: WeasyPrint sets in the embedded IPAexGothic face — about ten times fewer nodes to draw.
SVG_TEXT: ContextVar[str] = ContextVar("svg_text", default="path")

_RC = {
    "font.family": FONT_FAMILY, "font.size": 9, "svg.fonttype": "path",
    "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": MUTED,
    "ytick.color": MUTED, "axes.spines.top": False, "axes.spines.right": False,
    # Labels are data (wave labels, principle titles, actions): "$x^$" is text, not mathtext.
    "text.parse_math": False,
}


@dataclass(frozen=True)
class Chart:
    """A drawn chart: inline SVG, its title, text alternative and data table (strings)."""

    id: str
    title: str
    alt: str
    svg: Markup
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


def _figure(width: float, height: float, left: float = 0.6, bottom: float = 0.4,
            top: float = 0.15, right: float = 0.15) -> Figure:
    """A figure with fixed margins in inches (twice as fast as a layout engine)."""
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height)
    return fig


def to_svg(fig: Figure, chart_id: str, title: str, alt: str) -> Markup:
    """Serialise a figure as inline SVG with ``role="img"``, a <title> and unique ids."""
    buffer = io.StringIO()
    settings = {**_RC, "svg.hashsalt": chart_id, "svg.fonttype": SVG_TEXT.get()}
    with matplotlib.rc_context(settings):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{chart_id}-\2"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]+" height="[^"]+"',
                 rf'<svg \1class="chart-svg" role="img" aria-labelledby="{chart_id}-title"',
                 svg, count=1)
    head_end = svg.index(">") + 1
    svg = (svg[:head_end] + f'<title id="{chart_id}-title">{escape(title)}. {escape(alt)}</title>'
           + svg[head_end:])
    return Markup(svg)


def _fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def trend_chart(chart_id: str, title: str, alt: str, series: TrendSeries,
                markers: Sequence[Marker], columns: tuple[str, ...],
                y_label: str, y_range: tuple[float, float] = (0, 100)) -> Chart:
    """Score per closed wave with its 95% interval band and dated intervention markers."""
    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 2.5, left=0.65, top=0.3)
        ax = fig.add_subplot()
        shown = [i for i, v in enumerate(series.values) if v is not None]
        xs = [series.dates[i] for i in shown]
        ax.fill_between(xs, [series.lows[i] for i in shown], [series.highs[i] for i in shown],
                        color=OKABE_ITO["sky"], alpha=0.35, linewidth=0)
        ax.plot(xs, [series.values[i] for i in shown], color=OKABE_ITO["blue"], marker="o",
                markersize=4, linewidth=1.8)
        for marker in markers:
            ax.axvline(marker.on, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1)
            ax.annotate(marker.label, (mdates.date2num(marker.on), 1.0),
                        xycoords=("data", "axes fraction"), xytext=(3, -2),
                        textcoords="offset points", va="top", fontsize=8,
                        color=OKABE_ITO["vermillion"])
        ax.set_ylim(*y_range)
        ax.set_ylabel(y_label)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        if series.dates:
            ax.set_xticks(list(series.dates))
        ax.tick_params(axis="x", labelrotation=0, labelsize=7.5)
        svg = to_svg(fig, chart_id, title, alt)
    rows = tuple(
        (wave, date.isoformat(), _fmt(v), f"{_fmt(lo)}–{_fmt(hi)}" if v is not None else "", note)
        for wave, date, v, lo, hi, note in zip(series.waves, series.dates, series.values,
                                              series.lows, series.highs, series.notes,
                                              strict=True))
    return Chart(chart_id, title, alt, svg, columns, rows)


def participation_chart(chart_id: str, title: str, alt: str, waves: Sequence[str],
                        rates: Sequence[float | None],
                        counts: Sequence[tuple[int | None, int | None]],
                        columns: tuple[str, ...], y_label: str) -> Chart:
    """Response rate per wave (bars, percent)."""
    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 2.2, left=0.65)
        ax = fig.add_subplot()
        heights = [100 * r if r is not None else 0 for r in rates]
        bars = ax.bar(range(len(waves)), heights, color=OKABE_ITO["blue"], width=0.6)
        ax.bar_label(bars, labels=[_fmt(h) + "%" if r is not None else "—"
                                   for h, r in zip(heights, rates, strict=True)],
                     fontsize=7.5, padding=2)
        ax.set_xticks(range(len(waves)), [w.removesuffix(" pulse") for w in waves],
                      fontsize=7.5)
        ax.set_ylim(0, 110)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_ylabel(y_label)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        svg = to_svg(fig, chart_id, title, alt)
    rows = tuple((w, "—" if responded is None else str(responded),
                  "—" if invited is None else str(invited),
                  _fmt(100 * r) + "%" if r is not None else "—")
                 for w, r, (responded, invited) in zip(waves, rates, counts, strict=True))
    return Chart(chart_id, title, alt, svg, columns, rows)


ItemRow = tuple[str, Sequence[int] | None, str]


def distribution_chart(chart_id: str, title: str, alt: str,
                       groups: Sequence[tuple[str, Sequence[ItemRow]]],
                       legend: Sequence[str], columns: tuple[str, ...]) -> Chart:
    """Diverging stacked bars per item: 1–2 left of zero, 3 centred on zero, 4–5 right.

    ``groups`` is (heading, [(item label, counts 1..5 or None, note)]) per principle; an item
    without counts (suppressed) gets an empty bar and its note in the label.
    """
    labels, shares, bold = [], [], []
    for heading, items in groups:
        labels.append(heading)
        shares.append(None)
        bold.append(True)
        for label, counts, note in items:
            labels.append("  " + _short(label) + (f"（{note}）" if note else ""))
            shares.append(_shares(counts))
            bold.append(False)
    with matplotlib.rc_context(_RC):
        fig = _figure(7.4, 0.27 * len(labels) + 0.9, left=3.2, top=0.5, bottom=0.3)
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        for level in range(5):
            lefts = [(-(sh[0] + sh[1] + sh[2] / 2) + sum(sh[:level])) if sh else 0.0
                     for sh in shares]
            widths = [sh[level] if sh else 0.0 for sh in shares]
            ax.barh(ys, widths, left=lefts, color=LIKERT_COLOURS[level], height=0.7,
                    label=legend[level], edgecolor="white", linewidth=0.5)
        ax.axvline(0, color=INK, linewidth=0.8)
        ax.set_yticks(ys, labels, fontsize=8)
        for tick, is_heading in zip(ax.get_yticklabels(), bold, strict=True):
            tick.set_color(INK if is_heading else MUTED)
            tick.set_fontsize(8.5 if is_heading else 7.5)
            tick.set_horizontalalignment("left")
        ax.tick_params(axis="y", length=0, pad=3.1 * 72)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100%", "50%", "0", "50%", "100%"])
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        fig.legend(ncols=5, loc="upper center", bbox_to_anchor=(0.5, 1.0), frameon=False,
                   fontsize=7.5, handlelength=1.2)
        svg = to_svg(fig, chart_id, title, alt)
    rows = tuple(
        (f"{heading}: {label}", *(str(x) for x in c), str(sum(c))) if c
        else (f"{heading}: {label}", *(["—"] * 5), note)
        for heading, items in groups for label, c, note in items)
    return Chart(chart_id, title, alt, svg, columns, rows)


def _shares(counts: Sequence[int] | None) -> tuple[float, ...] | None:
    if not counts or sum(counts) == 0:
        return None
    total = sum(counts)
    return tuple(100 * c / total for c in counts)


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
