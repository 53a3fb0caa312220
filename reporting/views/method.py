"""The method's own views (docs/reporting.md, "Method views"): play by segment outcomes, the year as
four quarters, the scalability metrics; one year at a time (`?year=2026`), with a CSV of the matrix."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from partnerhub.tenancy.portal import TenantView, csv_response
from reporting.charts import matrix_chart, svg
from reporting.selectors.method import (
    NOT_MEASURED,
    QUARTERS,
    play_segment_matrix,
    scalability,
    year_in_quarters,
)
from reporting.selectors.money import reporting_currency

MATRIX_CSV = [
    ("Play", lambda row: row[0]),
    ("Segment", lambda row: row[1]),
    ("Programs", lambda row: row[2]["programs"]),
    ("Checkpoints met", lambda row: row[2]["met"]),
    ("Checkpoints missed", lambda row: row[2]["missed"]),
    ("Pipeline", lambda row: row[2]["pipeline"]),
    ("Pipeline per program", lambda row: row[2]["pipeline_per_program"]),
]


def _year(value: str | None, default: int) -> int:
    return (
        int(value)
        if value and value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100
        else default
    )


class MethodView(TenantView, TemplateView):
    permission = "report.view"
    template_name = "reporting/method.html"

    def get(self, request, *args, **kwargs):
        year = _year(request.GET.get("year"), self.tenant.local_date(timezone.now()).year)
        currency = reporting_currency(self.tenant)
        matrix = play_segment_matrix(tenant=self.tenant, year=year, currency=currency)
        if request.GET.get("export") == "csv":
            rows = [(play, segment, cell) for (play, segment), cell in sorted(matrix.cells.items())]
            name = f"{self.tenant.slug}-method-{year}.csv"
            return csv_response(rows, MATRIX_CSV, name, tz=self.tenant.zone)
        quarters = year_in_quarters(tenant=self.tenant, year=year, currency=currency)
        return self.render_to_response(
            self.get_context_data(
                year=year,
                currency=currency,
                matrix=matrix,
                matrix_table=matrix.table(),
                matrix_svg=svg(
                    matrix_chart(
                        title="Checkpoints met, by play and segment (share)",
                        rows=matrix.rows,
                        columns=matrix.columns,
                        cells={
                            where: (rate * 100 if rate is not None else None)
                            for where, rate in matrix.chart_cells("met_rate").items()
                        },
                    )
                ),
                quarters=QUARTERS,
                year_quarters=quarters,
                lead_rows=list(zip(QUARTERS, quarters.leads, quarters.pipeline, strict=True)),
                carry_rows=[
                    (q, [quarters.carry.get((q, opened), 0) for opened in QUARTERS]) for q in QUARTERS
                ],
                carry_svg=svg(
                    matrix_chart(
                        title=f"Opportunities opened in {year}: quarter of first touch by quarter opened",
                        rows=QUARTERS,
                        columns=QUARTERS,
                        cells=quarters.carry,
                    )
                ),
                metrics=scalability(tenant=self.tenant, year=year, currency=currency),
                not_measured=NOT_MEASURED,
            )
        )


urlpatterns = [
    path("reporting/method/", MethodView.as_view(), name="method"),
]
