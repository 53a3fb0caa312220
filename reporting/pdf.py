"""The partner review's PDF pack (ReportLab platypus): a cover page naming the partner, the quarter
and the tenant, then one section per part of the review with its chart (a Drawing is a flowable)
and its numbers as a table; page numbers in the footer."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from reporting.review_charts import review_charts
from reporting.selectors.review import PartnerReview, review_rows

SECTIONS = [
    ("Results against targets", "results"),
    ("Lead quality and progression", "funnel"),
    ("Feedback", None),
    ("MDF and ROI", "mdf"),
    ("Deal registrations", None),
    ("Next quarter's plan", None),
]
TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#1F2933")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#D9DEE3")),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _footer(tenant_name: str, title: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#52606D"))
        canvas.drawString(doc.leftMargin, 12 * mm, f"{tenant_name} · {title}")
        canvas.drawRightString(A4[0] - doc.rightMargin, 12 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def _text(value) -> str:
    return "" if value is None else str(value)


def review_pdf(review: PartnerReview, *, tenant_name: str) -> bytes:
    """The review as a PDF document (bytes)."""
    styles = getSampleStyleSheet()
    title = f"Partner review: {review.partner.name}, {review.quarter}"
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author=tenant_name,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=22 * mm,
    )
    story = [
        Spacer(1, 60 * mm),
        Paragraph("Partner review", styles["Title"]),
        Paragraph(review.partner.name, styles["Heading1"]),
        Paragraph(str(review.quarter), styles["Heading2"]),
        Spacer(1, 8 * mm),
        Paragraph(f"Prepared by {tenant_name}", styles["Normal"]),
        Paragraph(
            f"Generated on {timezone.localdate().isoformat()}; amounts in {review.currency}.",
            styles["Normal"],
        ),
        PageBreak(),
    ]
    rows = review_rows(review)
    charts = review_charts(review)
    for heading, chart in SECTIONS:
        part = [Paragraph(heading, styles["Heading2"]), HRFlowable(width="100%", thickness=0.5, spaceAfter=4)]
        if chart:
            drawing = charts[chart]
            # Fit the chart to the frame's width.
            scale = min(1.0, doc.width / drawing.width)
            drawing.scale(scale, scale)
            drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
            part.append(drawing)
        figures = [(label, _text(value)) for section, label, value in rows if section == heading]
        if figures:
            table = Table(
                [
                    ("Figure", "Value"),
                    *[(Paragraph(label, styles["BodyText"]), value) for label, value in figures],
                ],
                colWidths=[doc.width * 0.72, doc.width * 0.28],
                repeatRows=1,
            )
            table.setStyle(TABLE_STYLE)
            part.append(table)
        else:
            part.append(Paragraph("Nothing this quarter.", styles["BodyText"]))
        story += [KeepTogether(part[:3]), *part[3:], Spacer(1, 6 * mm)]
    footer = _footer(tenant_name, title)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
