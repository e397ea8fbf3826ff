"""Charts: valid inline SVG with a text alternative and a data table (no app, no database).

Each chart is drawn once per layout (phone and wide); every drawing keeps its text as
``<text>`` set at no less than 11 px at the width it is drawn for.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"


MIN_TEXT_PX = 11


def _check(chart: charts.Chart) -> list[ET.Element]:
    roots = [ET.fromstring(str(svg)) for svg in chart.svgs]
    assert [r.get("class").split()[-1] for r in roots] == ["chart-narrow", "chart-wide"]
    for root in roots:
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        assert title is not None and chart.alt in title.text
        assert root.get("aria-labelledby") == title.get("id")
        assert all(chart.id in (e.get("id") or chart.id) for e in root.iter())  # ids prefixed
        _check_text(root)
    assert chart.rows and all(len(row) == len(chart.columns) for row in chart.rows)
    return roots


def _check_text(root: ET.Element) -> None:
    """Text is <text> (no glyph outlines) in the Japanese font stack, >= 11 px as drawn."""
    viewbox_width = float(root.get("viewBox").split()[2])
    drawn_width = float(re.search(r"max-width: (\d+)px", root.get("style")).group(1))
    assert abs(viewbox_width - drawn_width) < 1  # one user unit is one CSS pixel
    texts = list(root.iter(f"{SVG}text"))
    assert texts, "chart text drawn as outlines"
    glyphs = [e.get("id") for e in root.iter()
              if re.search(r"(Gothic|DejaVu|LastResort)\w*-[0-9a-f]+$", e.get("id") or "")]
    assert not glyphs, "glyph outlines"
    for text in texts:
        style = text.get("style")
        size = float(re.search(r"font-size: ([\d.]+)px", style).group(1))
        assert size >= MIN_TEXT_PX, (text.text, size)
        assert "IPAexGothic" in style and "Noto Sans CJK JP" in style


def test_long_labels_are_cut_to_fit_the_drawing() -> None:
    assert charts.fit("short", 12, 200) == "short"
    cut = charts.fit("a very long wave label that cannot fit a phone", 12, 120)
    assert cut.endswith("…") and charts.text_width(cut, 12) <= 120


def test_participation_chart_says_why_a_round_has_no_rate() -> None:
    chart = charts.participation_chart(
        "p", "Response rate", "2 rounds", ["2026-02 pulse", "2026年5月 全職員パルス（第2回）"],
        [0.7, None], [(70, 100), (None, None)], ("Round", "Resp", "Inv", "Rate"), "%",
        ["", "open"])
    narrow, _wide = _check(chart)
    assert chart.rows[1][-1] == "open"
    words = [t.text for t in narrow.iter(f"{SVG}text")]
    assert "open" in words and "70%" in words
    assert any(w and w.endswith("…") for w in words)  # the long label is cut, not overlapping


def test_pdf_draws_only_the_wide_layout() -> None:
    token = charts.LAYOUTS.set((charts.WIDE,))
    try:
        chart = charts.participation_chart("p", "t", "a", ["x"], [0.5], [(1, 2)], ("a",) * 4, "%")
    finally:
        charts.LAYOUTS.reset(token)
    assert len(chart.svgs) == 1 and "chart-wide" in chart.svgs[0]


def test_trend_chart_has_band_markers_and_table() -> None:
    series = charts.TrendSeries(
        (dt.date(2026, 2, 14), dt.date(2026, 5, 14), dt.date(2026, 8, 14)),
        ("2026-02", "2026-05", "2026-08"), (52.0, None, 61.5), (48.0, None, 57.0),
        (56.0, None, 66.0), ("n = 40", "suppressed", "n = 44"))
    chart = charts.trend_chart("t", "失敗を責めてはなりませぬ", "3 rounds", series,
                               [charts.Marker(dt.date(2026, 3, 1), "失敗共有会")],
                               ("Round", "Closed", "Score", "CI", "Note"), "スコア")
    _check(chart)
    assert chart.rows[0][2:4] == ("52", "48–56")
    assert chart.rows[1][2] == "—" and chart.rows[1][4] == "suppressed"


def test_participation_chart() -> None:
    chart = charts.participation_chart("p", "Response rate", "2 rounds", ["a", "b"],
                                       [0.7, None], [(70, 100), (0, 0)],
                                       ("Round", "Resp", "Inv", "Rate"), "%")
    _check(chart)
    assert chart.rows == (("a", "70", "100", "70%"), ("b", "0", "0", "—"))


def test_distribution_chart_diverges_and_keeps_suppressed_rows() -> None:
    groups = [("町民本位", [("Q1 item", (1, 2, 3, 4, 5), ""), ("Q2 item", None, "below k")])]
    chart = charts.distribution_chart("d", "Answers", "2 items", groups,
                                      ("1", "2", "3", "4", "5"),
                                      ("Item", "1", "2", "3", "4", "5", "n"))
    _check(chart)
    assert chart.rows[0] == ("町民本位: Q1 item", "1", "2", "3", "4", "5", "15")
    assert chart.rows[1][-1] == "below k"


def test_svg_ids_do_not_collide_between_charts() -> None:
    one = charts.participation_chart("one", "t", "a", ["x"], [0.5], [(1, 2)], ("a",) * 4, "%")
    two = charts.participation_chart("two", "t", "a", ["x"], [0.5], [(1, 2)], ("a",) * 4, "%")
    ids = lambda c: {e.get("id") for svg in c.svgs  # noqa: E731
                     for e in ET.fromstring(str(svg)).iter() if e.get("id")}
    assert not ids(one) & ids(two)


def test_text_with_math_markup_is_drawn_literally() -> None:
    """A wave label such as ``2026-12 $x^$`` is text, not matplotlib mathtext (a 500 before)."""
    label = "2026-12 $x^$"
    chart = charts.participation_chart("m", "t", "a", [label, r"$\frac{1}{0}$"], [0.5, 0.6],
                                       [(5, 10), (6, 10)], ("a",) * 4, "%")
    series = charts.TrendSeries((dt.date(2026, 12, 14),), (label,), (50.0,), (45.0,),
                                (55.0,), ("n = 10",))
    trend = charts.trend_chart("u", "$5 and $6", "1 round", series,
                               [charts.Marker(dt.date(2026, 12, 1), "cost $x^$")],
                               ("a",) * 5, "$")
    _check(chart)
    _check(trend)
    assert any(label in str(svg) for svg in chart.svgs)


def test_a_participation_chart_without_rounds_still_draws() -> None:
    chart = charts.participation_chart("p", "t", "a", [], [], [], ("a",) * 4, "%")
    assert len(chart.svgs) == 2 and chart.rows == ()


def _series(last: float) -> charts.TrendSeries:
    return charts.TrendSeries((dt.date(2026, 2, 14), dt.date(2026, 5, 14)), ("2026-02", "2026-05"),
                              (52.0, last), (48.0, last - 4), (56.0, last + 4), ("n", "n"))


def test_a_chart_is_drawn_once_and_redrawn_when_anything_it_shows_changes() -> None:
    """The cache is keyed by every input: same figures, same drawing (no redraw); another
    figure, marker, wording or width is drawn afresh."""
    charts.clear_chart_cache()
    args = ("c", "Trust", "2 rounds", _series(60.0), [charts.Marker(dt.date(2026, 3, 1), "m")],
            ("a",) * 5, "Score")
    first = charts.trend_chart(*args)
    hits = charts.chart_cache_hits()
    assert charts.trend_chart(*args) is first and charts.chart_cache_hits() == hits + 1
    changed = [
        charts.trend_chart("c", "Trust", "2 rounds", _series(61.0), *args[4:]),
        charts.trend_chart(*args[:4], [charts.Marker(dt.date(2026, 3, 2), "m")], *args[5:]),
        charts.trend_chart("c", "信頼", *args[2:]),
    ]
    token = charts.LAYOUTS.set((charts.PRINT,))
    try:
        changed.append(charts.trend_chart(*args))
    finally:
        charts.LAYOUTS.reset(token)
    assert charts.chart_cache_hits() == hits + 1
    assert all(chart.svgs != first.svgs for chart in changed)
    charts.clear_chart_cache()
    assert charts.trend_chart(*args).svgs == first.svgs  # drawn again, identically
