"""Server-side charts: ReportLab drawings rendered inline as SVG on pages, or placed as-is in a PDF.

Every chart is a `Drawing` (a platypus flowable), so the dashboards and the partner review PDF
draw the same picture. Charts are readable without colour: each series also has its own marker
shape and dash pattern, repeated in the legend, and every value carries a tooltip with its number.
Pages show each chart's numbers as a table below it as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

from django.utils.safestring import SafeString, mark_safe
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isString
from reportlab.pdfbase.pdfmetrics import stringWidth

WIDTH, HEIGHT = 560, 280
FONT, BOLD = "Helvetica", "Helvetica-Bold"
NO_DATA = "No data yet"

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = [
    colors.HexColor(c) for c in ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
]
MARKERS = ["FilledCircle", "FilledSquare", "FilledTriangle", "FilledDiamond", "Circle", "Square", "Triangle"]
DASHES = [None, (6, 3), (2, 2), (8, 3, 2, 3), (1, 3), (10, 2), (4, 1, 1, 1)]
INK = colors.HexColor("#1F2933")
GRID = colors.HexColor("#D9DEE3")


@dataclass(frozen=True)
class Series:
    label: str
    values: list  # numbers or Decimal; None where there is no value


class ChartDrawing(Drawing):
    """A Drawing that remembers its title and summary, for the SVG's accessible name."""

    _attrMap = AttrMap(
        BASE=Drawing,
        chart_title=AttrMapValue(isString, desc="Accessible name"),
        chart_desc=AttrMapValue(isString, desc="Accessible description"),
    )


class _Tagged(Group):
    """A group the SVG renderer writes with a class and a <title> (a tooltip); PDF ignores both."""

    _attrMap = AttrMap(
        BASE=Group,
        svg_class=AttrMapValue(isString, desc="class of the <g>"),
        svg_title=AttrMapValue(isString, desc="<title> of the <g>"),
    )


def _style(i: int) -> tuple:
    return PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)], DASHES[i % len(DASHES)]


def _num(value) -> float | None:
    return None if value is None else float(value)


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal) or (isinstance(value, float) and not value.is_integer()):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _short(value: float) -> str:
    """Axis labels: 12k, 1.5M rather than 12000.00."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:g}"


def _drawing(title: str, desc: str, height: int = HEIGHT) -> ChartDrawing:
    d = ChartDrawing(WIDTH, height)
    d.chart_title, d.chart_desc = title, desc
    d.add(String(10, height - 20, title, fontName=BOLD, fontSize=12, fillColor=INK))
    return d


def _empty(title: str) -> ChartDrawing:
    d = _drawing(title, NO_DATA, height=120)
    d.add(Rect(10, 10, WIDTH - 20, 80, fillColor=colors.HexColor("#F5F7F9"), strokeColor=GRID))
    d.add(String(WIDTH / 2, 45, NO_DATA, fontName=FONT, fontSize=12, fillColor=INK, textAnchor="middle"))
    return d


def _has_values(series: list[Series]) -> bool:
    return any(v is not None for s in series for v in s.values)


def _marker(i: int, x: float, y: float, tooltip: str) -> _Tagged:
    colour, kind, _ = _style(i)
    m = makeMarker(kind, x=x, y=y, size=7, fillColor=colour, strokeColor=colour, strokeWidth=1.2)
    g = _Tagged(m)
    g.svg_class, g.svg_title = "chart-marker", tooltip
    return g


def _legend(d: Drawing, series: list[Series], *, lines: bool, y: float = 12) -> None:
    """One row (wrapping) under the plot: the dash sample, the marker and the label."""
    x = 60
    for i, s in enumerate(series):
        colour, kind, dash = _style(i)
        width = 34 + stringWidth(s.label, FONT, 9) + 16
        if x + width > WIDTH - 10:
            x, y = 60, y - 14
        if lines:
            d.add(Line(x, y + 3, x + 24, y + 3, strokeColor=colour, strokeWidth=1.5, strokeDashArray=dash))
        item = _Tagged(makeMarker(kind, x=x + 12, y=y + 3, size=7, fillColor=colour, strokeColor=colour))
        item.svg_class, item.svg_title = "chart-legend", s.label
        d.add(item)
        d.add(String(x + 30, y, s.label, fontName=FONT, fontSize=9, fillColor=INK))
        x += width


def _axes(chart, categories: list[str], unit: str) -> None:
    chart.x, chart.y, chart.width, chart.height = 60, 70, WIDTH - 80, HEIGHT - 110
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    if len(categories) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dy = -2
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = _short
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.forceZero = 1


def _unit_label(d: Drawing, unit: str) -> None:
    if unit:
        label = String(0, 0, unit, fontName=FONT, fontSize=9, fillColor=INK, textAnchor="middle")
        d.add(Group(label, transform=(0, 1, -1, 0, 14, 70 + (HEIGHT - 110) / 2)))


def trend_chart(*, title: str, categories: list[str], series: list[Series], unit: str = "") -> Drawing:
    """Lines over time (months or weeks); a gap where a value is None."""
    if not categories or not _has_values(series):
        return _empty(title)
    d = _drawing(title, f"Line chart of {', '.join(s.label for s in series)} by period")
    chart = HorizontalLineChart()
    _axes(chart, categories, unit)
    chart.data = [tuple(_num(v) for v in s.values) for s in series]
    chart.joinedLines = 1
    for i in range(len(series)):
        colour, _, dash = _style(i)
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.8
        chart.lines[i].strokeDashArray = dash
    d.add(chart.draw())
    # The chart lists positions of the values it drew, in order, skipping None.
    for i, s in enumerate(series):
        points = iter(chart._positions[i])
        for category, value in zip(categories, s.values, strict=False):
            if value is not None:
                x, y = next(points)
                d.add(_marker(i, x, y, f"{s.label}, {category}: {_fmt(value)} {unit}".rstrip()))
    _unit_label(d, unit)
    _legend(d, series, lines=True)
    return d


def bar_chart(
    *, title: str, categories: list[str], series: list[Series], unit: str = "", stacked: bool = False
) -> Drawing:
    """Grouped (or stacked) bars; each bar carries its series' marker so it reads without colour."""
    if not categories or not _has_values(series):
        return _empty(title)
    d = _drawing(title, f"Bar chart of {', '.join(s.label for s in series)} by period")
    chart = VerticalBarChart()
    _axes(chart, categories, unit)
    chart.data = [tuple(_num(v) for v in s.values) for s in series]
    chart.barSpacing, chart.groupSpacing = 1, 6
    if stacked:
        chart.categoryAxis.style = "stacked"
    for i in range(len(series)):
        colour, _, dash = _style(i)
        chart.bars[i].fillColor = colour.clone(alpha=0.75)
        chart.bars[i].strokeColor = INK
        chart.bars[i].strokeWidth = 0.6
        chart.bars[i].strokeDashArray = dash
    d.add(chart.draw())
    for i, s in enumerate(series):
        for category, value, (x, y, w, h) in zip(categories, s.values, chart._barPositions[i], strict=False):
            if value is not None:
                top = y + (h or 0) / 2 if stacked else y + (h or 0) + 6
                d.add(_marker(i, x + w / 2, top, f"{s.label}, {category}: {_fmt(value)} {unit}".rstrip()))
    _unit_label(d, unit)
    _legend(d, series, lines=False)
    return d


def funnel_chart(*, title: str, stages: list[tuple[str, int]]) -> Drawing:
    """Centred bars narrowing by count, each with its count and its share of the previous stage."""
    if not stages or not any(count for _, count in stages):
        return _empty(title)
    row, top = 34, 40
    d = _drawing(
        title, "Funnel: " + ", ".join(f"{label} {count}" for label, count in stages), top + row * len(stages)
    )
    widest = max(count for _, count in stages) or 1
    span, centre = WIDTH - 300, 130 + (WIDTH - 300) / 2
    previous = None
    for i, (label, count) in enumerate(stages):
        y = d.height - top - row * (i + 1) + 6
        w = max(2.0, span * count / widest)
        rate = f"  ({count / previous:.0%} of previous)" if previous else ""
        tooltip = f"{label}: {count:,}{rate}"
        g = _Tagged(
            Rect(
                centre - w / 2,
                y,
                w,
                row - 8,
                fillColor=PALETTE[0].clone(alpha=0.25 + 0.75 * count / widest),
                strokeColor=INK,
                strokeWidth=0.6,
            )
        )
        g.svg_class, g.svg_title = "chart-marker", tooltip
        d.add(g)
        d.add(String(120, y + 9, label, fontName=FONT, fontSize=10, fillColor=INK, textAnchor="end"))
        d.add(String(WIDTH - 160, y + 9, f"{count:,}{rate}", fontName=FONT, fontSize=10, fillColor=INK))
        previous = count
    return d


def matrix_chart(*, title: str, rows: list[str], columns: list[str], cells: dict) -> Drawing:
    """A heat matrix: darker is more, and the number is printed in every cell (- where none)."""
    values = [cells.get((r, c)) for r in rows for c in columns]
    if not rows or not columns or all(v is None for v in values):
        return _empty(title)
    label_w, head, cell_h = 150, 40, 24
    d = _drawing(
        title, f"Matrix of {len(rows)} rows by {len(columns)} columns", head + 20 + cell_h * len(rows)
    )
    cell_w = (WIDTH - label_w - 10) / len(columns)
    highest = max((float(v) for v in values if v is not None), default=0) or 1
    for j, column in enumerate(columns):
        d.add(
            String(
                label_w + cell_w * (j + 0.5),
                d.height - head + 4,
                column,
                fontName=BOLD,
                fontSize=9,
                fillColor=INK,
                textAnchor="middle",
            )
        )
    for i, row in enumerate(rows):
        y = d.height - head - cell_h * (i + 1)
        d.add(String(label_w - 6, y + 8, row, fontName=FONT, fontSize=9, fillColor=INK, textAnchor="end"))
        for j, column in enumerate(columns):
            value = cells.get((row, column))
            share = 0 if value is None else float(value) / highest
            fill = (
                colors.HexColor("#F5F7F9")
                if value is None
                else colors.linearlyInterpolatedColor(
                    colors.HexColor("#EAF2FA"), colors.HexColor("#08306B"), 0, 1, share
                )
            )
            g = _Tagged(
                Rect(label_w + cell_w * j, y, cell_w, cell_h, fillColor=fill, strokeColor=colors.white)
            )
            g.svg_class, g.svg_title = "chart-marker", f"{row}, {column}: {_fmt(value)}"
            d.add(g)
            ink = colors.white if share > 0.55 else INK
            d.add(
                String(
                    label_w + cell_w * (j + 0.5),
                    y + 8,
                    _fmt(value),
                    fontName=FONT,
                    fontSize=9,
                    fillColor=ink,
                    textAnchor="middle",
                )
            )
    return d


class _Renderer(renderSVG._SVGRenderer):
    def drawGroup(self, group):
        title = getattr(group, "svg_title", None)
        attrs = {"transform": ""}
        if getattr(group, "svg_class", None):
            attrs["class"] = group.svg_class
        current = self._canvas.startGroup(attrs)
        if title:
            node = self._canvas.doc.createElement("title")
            node.appendChild(self._canvas.doc.createTextNode(title))
            self._canvas.currGroup.appendChild(node)
        a, b, c, d, e, f = self._tracker.getState()["transform"]
        for child in group.getContents():
            self.drawNode(child.provideNode() if isinstance(child, renderSVG.UserNode) else child)
        self._canvas.transform(a, b, c, d, e, f)
        self._canvas.endGroup(current)


def svg(drawing: Drawing) -> SafeString:
    """Inline SVG markup (no XML prolog), named for assistive technology by the chart's title."""
    title = getattr(drawing, "chart_title", "") or "Chart"
    desc = getattr(drawing, "chart_desc", "") or title
    drawing = renderSVG.renderScaledDrawing(drawing)
    canvas = renderSVG.SVGCanvas(
        (drawing.width, drawing.height),
        useClip=True,  # no id="clip": several charts share one page
        fontHacks={
            BOLD: {"family": "Helvetica, Arial, sans-serif", "weight": "bold"},
            FONT: {"family": "Helvetica, Arial, sans-serif"},
        },
        svgAttrs={"role": "img", "aria-label": title, "class": "chart"},
    )
    # Fluid width: the viewBox keeps the aspect ratio.
    canvas.svg.removeAttribute("width")
    canvas.svg.removeAttribute("height")
    _Renderer().draw(drawing, canvas, 0, 0, showBoundary=False)
    canvas.groupTree.removeAttribute("id")
    canvas.svg.getElementsByTagName("title")[0].firstChild.data = title
    canvas.svg.getElementsByTagName("desc")[0].firstChild.data = desc
    out = StringIO()
    canvas.svg.writexml(out)
    return mark_safe(out.getvalue())  # minidom escaped every text and attribute
