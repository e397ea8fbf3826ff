"""Charts: valid inline SVG with a text alternative and a data table (no app, no database)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def _check(chart: charts.Chart) -> ET.Element:
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and chart.alt in title.text
    assert root.get("aria-labelledby") == title.get("id")
    assert all(chart.id in (e.get("id") or chart.id) for e in root.iter())  # ids are prefixed
    assert chart.rows and all(len(row) == len(chart.columns) for row in chart.rows)
    return root


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
    ids = lambda c: {e.get("id") for e in ET.fromstring(str(c.svg)).iter() if e.get("id")}  # noqa: E731
    assert not ids(one) & ids(two)


def test_text_with_math_markup_is_drawn_literally() -> None:
    """A wave label such as ``2026-12 $x^$`` is text, not matplotlib mathtext (a 500 before)."""
    label = "2026-12 $x^$"
    charts.SVG_TEXT.set("none")  # keep <text> elements so the drawn text can be read back
    try:
        chart = charts.participation_chart("m", "t", "a", [label, r"$\frac{1}{0}$"], [0.5, 0.6],
                                           [(5, 10), (6, 10)], ("a",) * 4, "%")
        series = charts.TrendSeries((dt.date(2026, 12, 14),), (label,), (50.0,), (45.0,),
                                    (55.0,), ("n = 10",))
        trend = charts.trend_chart("u", "$5 and $6", "1 round", series,
                                   [charts.Marker(dt.date(2026, 12, 1), "cost $x^$")],
                                   ("a",) * 5, "$")
    finally:
        charts.SVG_TEXT.set("path")
    _check(chart)
    _check(trend)
    assert label in str(chart.svg)
