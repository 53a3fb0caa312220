"""The dashboards' charts: inline SVG a screen reader can name, readable without colour, and the
same drawing placed in a PDF."""

from decimal import Decimal
from io import BytesIO
from xml.dom.minidom import parseString

from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from reporting.charts import Series, bar_chart, funnel_chart, matrix_chart, svg, trend_chart

MONTHS = ["2026-01", "2026-02", "2026-03"]


def _markers(markup: str, cls: str = "chart-marker") -> list[str]:
    """Tooltips of the chart's value markers (each is a <g class=...><title>...)."""
    doc = parseString(markup)
    return [
        g.getElementsByTagName("title")[0].firstChild.data
        for g in doc.getElementsByTagName("g")
        if g.getAttribute("class") == cls
    ]


def test_trend_chart_names_itself_and_marks_every_value():
    drawing = trend_chart(
        title="Sourced pipeline by month",
        categories=MONTHS,
        series=[
            Series("Sourced", [Decimal("1200.50"), None, Decimal("900")]),
            Series("Influenced", [100, 200, 300]),
        ],
        unit="USD",
    )

    markup = svg(drawing)

    assert markup.startswith("<svg")  # no XML prolog or doctype inside a page
    root = parseString(markup).documentElement
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("aria-label") == "Sourced pipeline by month"
    assert root.getElementsByTagName("title")[0].firstChild.data == "Sourced pipeline by month"
    # One marker per value, none for the missing February value.
    assert _markers(markup) == [
        "Sourced, 2026-01: 1,200.50 USD",
        "Sourced, 2026-03: 900.00 USD",
        "Influenced, 2026-01: 100 USD",
        "Influenced, 2026-02: 200 USD",
        "Influenced, 2026-03: 300 USD",
    ]
    # The legend names each series beside its own marker shape.
    assert _markers(markup, "chart-legend") == ["Sourced", "Influenced"]
    assert "USD" in markup  # the value axis says its unit


def test_series_differ_by_marker_shape_and_dash_not_only_colour():
    drawing = trend_chart(
        title="Two lines", categories=MONTHS, series=[Series("A", [1, 2, 3]), Series("B", [3, 2, 1])]
    )

    markup = svg(drawing)

    doc = parseString(markup)
    legend = [g for g in doc.getElementsByTagName("g") if g.getAttribute("class") == "chart-legend"]
    shapes = [g.toxml().split(">", 2)[2].split(" ", 1)[0] for g in legend]  # first element after <title>
    assert shapes[0] != shapes[1]
    assert "stroke-dasharray" in markup


def test_empty_or_all_missing_data_says_no_data_yet():
    empty = svg(trend_chart(title="Nothing", categories=[], series=[]))
    missing = svg(bar_chart(title="Blank", categories=MONTHS, series=[Series("A", [None, None, None])]))
    no_flow = svg(funnel_chart(title="Flow", stages=[("Lead", 0), ("MQL", 0)]))
    no_cells = svg(matrix_chart(title="Grid", rows=["a"], columns=["b"], cells={}))

    for markup, title in ((empty, "Nothing"), (missing, "Blank"), (no_flow, "Flow"), (no_cells, "Grid")):
        assert "No data yet" in markup
        assert f'aria-label="{title}"' in markup
        assert _markers(markup) == []


def test_bar_chart_grouped_and_stacked_mark_each_bar():
    series = [
        Series("MDF paid", [Decimal("500.00"), Decimal("0"), None]),
        Series("Pipeline", [1000, 2000, 3000]),
    ]

    grouped = svg(bar_chart(title="MDF ROI", categories=MONTHS, series=series, unit="EUR"))
    stacked = svg(bar_chart(title="MDF ROI", categories=MONTHS, series=series, stacked=True))

    assert len(_markers(grouped)) == 5
    assert "MDF paid, 2026-01: 500.00 EUR" in _markers(grouped)
    assert len(_markers(stacked)) == 5


def test_funnel_prints_counts_and_conversion():
    markup = svg(funnel_chart(title="Lead flow", stages=[("Lead", 200), ("MQL", 50), ("SQL", 10)]))

    assert _markers(markup) == ["Lead: 200", "MQL: 50  (25% of previous)", "SQL: 10  (20% of previous)"]
    assert ">200<" in markup


def test_matrix_prints_the_number_in_every_cell():
    markup = svg(
        matrix_chart(
            title="Checkpoints",
            rows=["Met", "Missed"],
            columns=["Day 30", "Day 60"],
            cells={("Met", "Day 30"): 4, ("Missed", "Day 60"): 2},
        )
    )

    assert _markers(markup) == ["Met, Day 30: 4", "Met, Day 60: -", "Missed, Day 30: -", "Missed, Day 60: 2"]
    assert ">4<" in markup and ">2<" in markup


def test_special_characters_in_labels_are_escaped():
    markup = svg(trend_chart(title='Q&A <"partners">', categories=["<x>"], series=[Series("A&B", [1])]))

    root = parseString(markup).documentElement  # still well-formed
    assert root.getAttribute("aria-label") == 'Q&A <"partners">'
    assert "<x>" not in markup


def test_the_same_drawing_goes_into_a_pdf():
    drawing = trend_chart(
        title="Pipeline in the PDF", categories=MONTHS, series=[Series("Sourced", [1, 2, 3])]
    )
    out = BytesIO()

    SimpleDocTemplate(out).build([drawing, funnel_chart(title="Flow", stages=[("Lead", 3)])])

    text = PdfReader(BytesIO(out.getvalue())).pages[0].extract_text()
    assert "Pipeline in the PDF" in text
    assert "Sourced" in text
