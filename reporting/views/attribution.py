"""Attribution (Reporting → Attribution): sourced and influenced pipeline, and the rule that put
each opportunity in it. Staff only ("report.view"), like the figures it explains."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from accounts.models import Opportunity
from partnerhub.tenancy.portal import TenantView, csv_response
from reporting.filters_attribution import AttributionFilter
from reporting.selectors.attribution import (
    AttributionPage,
    attributions,
    pipeline_split,
)

PER_PAGE = 50
CSV_COLUMNS = [
    ("Opportunity", "opportunity_name"),
    ("Account", "account_name"),
    ("Created", "created_at"),
    ("Stage", "stage"),
    ("Amount", "amount"),
    ("Currency", "currency"),
    ("Amount in the reporting currency", "amount_reporting"),
    ("Partner", "partner_name"),
    ("Pipeline", "kind"),
    ("Rules", lambda row: "; ".join(row.rule_labels)),
]


class AttributionView(TenantView, TemplateView):
    permission = "report.view"
    template_name = "reporting/attribution.html"
    partial_template_name = "reporting/partials/_attribution_table.html"

    def get(self, request, *args, **kwargs):
        # Always bound: no parameters is a valid request for this quarter. A refused parameter is
        # said on the filter bar and left out (its valid neighbours still apply).
        self.filterset = AttributionFilter(request.GET, queryset=Opportunity.objects.none(), request=request)
        self.filterset.is_valid()
        selection = self.filterset.selection()
        now = timezone.now()
        if request.GET.get("export") == "csv":
            rows = attributions(self.tenant, now=now, **selection)
            name = f"{self.tenant.slug}-attribution-{timezone.localdate().isoformat()}.csv"
            return csv_response(rows, CSV_COLUMNS, name, tz=self.tenant.zone)
        page = Paginator(AttributionPage(self.tenant, now=now, **selection), PER_PAGE).get_page(
            request.GET.get("page")
        )
        split = pipeline_split(
            self.tenant,
            selection["period"],
            partner_id=selection["partner_id"],
            now=now,
            window_days=selection["window_days"],
        )
        context = self.get_context_data(
            rows=page.object_list,
            page=page,
            filter=self.filterset,
            split=split,
            one_partner=selection.get("partner_id") is not None,
            quarter_shown=self.filterset.quarter(),
            window_days=selection["window_days"],
        )
        template = self.template_name
        if request.htmx and not request.htmx.boosted:
            template = self.partial_template_name
        response = TemplateResponse(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


urlpatterns = [
    path("reporting/attribution/", AttributionView.as_view(), name="attribution"),
]
