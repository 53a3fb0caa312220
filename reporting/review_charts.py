"""The partner review's charts, shared by its page (as SVG) and its PDF pack (as Drawings)."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing

from reporting.charts import Series, bar_chart, funnel_chart
from reporting.selectors.review import PartnerReview

STATES = [("met", "Met"), ("missed", "Missed"), ("open", "Open"), ("no_target", "No target")]


def review_charts(review: PartnerReview) -> dict[str, Drawing]:
    """One chart per part that has one: results, lead progression, MDF and pipeline."""
    tally = review.checkpoint_tally
    days = sorted(tally)
    return {
        "results": bar_chart(
            title=f"Checkpoints due in {review.quarter}",
            categories=[f"Day {day}" for day in days],
            series=[Series(label, [tally[day].get(state, 0) for day in days]) for state, label in STATES],
            stacked=True,
        ),
        "funnel": funnel_chart(title="Leads handed and how far they got", stages=review.funnel),
        "mdf": bar_chart(
            title=f"MDF paid and pipeline, {review.currency}",
            categories=["MDF paid", "Pipeline sourced", "Pipeline influenced"],
            series=[
                Series(
                    review.currency,
                    [review.mdf_paid, review.pipeline.sourced, review.pipeline.influenced],
                )
            ],
            unit=review.currency,
        ),
    }
