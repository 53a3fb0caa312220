"""The partner review (QBR): /t/<tenant>/reporting/partners/<partner_id>/review/, with its CSV
(`?export=csv`) and PDF pack (`?export=pdf`). Staff open any partner's; a partner's users open
only their own company's (another partner is a 404, as the rest of the portal answers)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import path
from django.views.generic import TemplateView

from mdf.selectors.funds import Quarter, current_quarter, quarter_choices
from partnerhub.tenancy.portal import TenantView, csv_response
from partnerhub.tenancy.selectors import partner_list
from reporting.charts import svg
from reporting.pdf import review_pdf
from reporting.review_charts import review_charts
from reporting.selectors.review import partner_review, review_rows


class PartnerReviewView(TenantView, TemplateView):
    # Every role: staff read every partner's review, partner users their own (the scope above).
    permission = "checkpoint.view"
    queryset_selector = partner_list
    object_kwarg = "partner_id"
    template_name = "reporting/partner_review.html"

    def quarter(self) -> Quarter:
        text = self.request.GET.get("quarter")
        if not text:
            return current_quarter(tenant=self.tenant)
        quarter = Quarter.parse(text)
        if quarter is None:
            raise Http404("No such quarter.")
        return quarter

    def get(self, request, *args, **kwargs):
        quarter = self.quarter()
        review = partner_review(tenant=self.tenant, partner=self.object, quarter=quarter)
        stem = f"{self.tenant.slug}-partner-review-{self.object.id}-{quarter.key}"
        export = request.GET.get("export")
        if export == "csv":
            rows = review_rows(review)
            columns = [("Section", "section"), ("Figure", "figure"), ("Value", "value")]
            return csv_response(rows, columns, f"{stem}.csv", tz=self.tenant.zone)
        if export == "pdf":
            response = HttpResponse(
                review_pdf(review, tenant_name=self.tenant.name), content_type="application/pdf"
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
            return response
        context = self.get_context_data(
            review=review,
            charts={key: svg(drawing) for key, drawing in review_charts(review).items()},
            rows=review_rows(review),
            quarter=quarter,
            quarters=quarter_choices(tenant=self.tenant, around=current_quarter(tenant=self.tenant)),
            previous_quarter=quarter.shifted(-1),
            next_quarter=quarter.shifted(1),
        )
        return self.render_to_response(context)


urlpatterns = [
    path("reporting/partners/<int:partner_id>/review/", PartnerReviewView.as_view(), name="partner_review"),
]
