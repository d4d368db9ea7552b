"""The inline SVG charts: well-formed, escaped, scaled, and sane without data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from suivi_projections.web.pages.charts import Bar, Point, bar_chart, column_chart, line_chart

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quotes"'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_bars_are_scaled_to_the_largest_value_or_marker() -> None:
    svg = parse(bar_chart("Per carrier", [Bar("ups", 2.0, "2 d", 4.0), Bar("dhl", 1.0, "1 d")]))
    widths = [float(r.get("width", "")) for r in svg.iter(f"{NS}rect")]
    # The largest is ups's marker (4): ups's bar spans half the plot, dhl's a quarter.
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    marker = next(svg.iter(f"{NS}line"))
    assert float(marker.get("x1", "")) - 150 == pytest.approx(2 * widths[0], abs=0.2)
    labels = [t.text for t in svg.iter(f"{NS}text")]
    assert labels == ["ups", "2 d", "dhl", "1 d"]


def test_every_text_is_escaped() -> None:
    charts = [
        bar_chart(HOSTILE, [Bar(HOSTILE, 1.0, HOSTILE, 2.0)]),
        column_chart(HOSTILE, [Point(HOSTILE, 1.0), Point(HOSTILE, 2.0)], unit=HOSTILE),
        line_chart(HOSTILE, [Point(HOSTILE, 1.0), Point(HOSTILE, 2.0)], unit=HOSTILE),
    ]
    for chart in charts:
        assert "<script" not in chart and '"x"' not in chart
        svg = parse(chart)  # still well-formed: nothing broke out of an attribute or element
        assert svg.get("aria-label") == HOSTILE
        texts = [t.text for t in svg.iter() if t.text and "script" in t.text]
        assert texts and all(HOSTILE in t for t in texts)


@pytest.mark.parametrize(
    "chart",
    [
        bar_chart("Nothing", []),
        column_chart("Nothing", []),
        line_chart("Nothing", []),
        line_chart("Nothing", [Point("2025-03-01", None), Point("2025-03-02", None)]),
    ],
)
def test_no_data_says_so(chart: str) -> None:
    svg = parse(chart)
    assert [t.text for t in svg.iter(f"{NS}text")] == ["No data"]
    assert svg.find(f"{NS}title") is not None


def test_the_line_breaks_where_a_value_is_missing() -> None:
    points = [Point("d1", 1.0), Point("d2", 2.0), Point("d3", None), Point("d4", 3.0),
              Point("d5", 1.5)]  # fmt: skip
    svg = parse(line_chart("Median", points, unit=" d"))
    lines = list(svg.iter(f"{NS}polyline"))
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    assert len(list(svg.iter(f"{NS}circle"))) == 4
    tips = [t.text for t in svg.iter(f"{NS}title")]
    assert "d4: 3 d" in tips and "d5: 1.5 d" in tips
    ys = [float(c.get("cy", "")) for c in svg.iter(f"{NS}circle")]
    assert ys[2] == min(ys)  # the largest value is the highest point


def test_columns_only_for_days_with_a_value_and_all_zero_is_not_a_division() -> None:
    svg = parse(column_chart("Per day", [Point("d1", 0.0), Point("d2", 0.0)]))
    heights = [float(r.get("height", "")) for r in svg.iter(f"{NS}rect")]
    assert heights == [0.0, 0.0]
    svg = parse(column_chart("Per day", [Point("d1", 2.0), Point("d2", None), Point("d3", 4.0)]))
    heights = [float(r.get("height", "")) for r in svg.iter(f"{NS}rect")]
    assert len(heights) == 2 and heights[1] == pytest.approx(2 * heights[0])


def test_no_inline_style_for_the_content_security_policy() -> None:
    chart = bar_chart("x", [Bar("a", 1.0, "1")]) + line_chart("y", [Point("a", 1.0)])
    assert not re.search(r"\sstyle=", chart)
