"""The scorecard page (per plan, partner or quarter) and the checkpoint list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from partnerhub.tenancy.portal import TenantListView, TenantView, csv_response
from reporting.filters_checkpoints import CheckpointFilter
from reporting.filters_scorecards import ScorecardFilter
from reporting.selectors.checkpoints import checkpoint_list, checkpoints_live
from reporting.selectors.money import reporting_currency
from reporting.selectors.scorecard import SCORECARD_GROUPS, scorecard, scored_plans

PLANS_PER_PAGE = 50

# (header, accessor on a ScorecardRow): the score first, then the signals.
SCORE_COLUMNS = [
    ("Named accounts", "figures.named_accounts"),
    ("Accounts attended", "figures.accounts_attended"),
    ("Attendance rate", "figures.attendance_rate"),
    ("Meetings", "figures.meetings"),
    ("Accounts engaged", "figures.accounts_engaged"),
    ("Opportunities progressed", "figures.opportunities_progressed"),
    ("Pipeline progressed", "figures.pipeline_progressed"),
    ("Pipeline on accounts in the room", "figures.pipeline_in_room"),
    ("Expansion pipeline", "figures.expansion_pipeline"),
    ("Handoffs accepted in SLA", "figures.handoffs_accepted_in_sla"),
    ("Handoffs", "figures.handoffs"),
    ("Content reuse", "figures.content_reuse"),
    ("Cost per account engagement", "figures.cost_per_engagement"),
]
SIGNAL_COLUMNS = [
    ("Registrations (signal)", "figures.registrations"),
    ("Attendees (signal)", "figures.attendees"),
    ("Leads (signal)", "figures.leads"),
    ("MDF paid (signal)", "figures.mdf_paid"),
]


class ScorecardView(TenantView, TemplateView):
    permission = "report.view"
    template_name = "reporting/scorecard.html"
    partial_template_name = "reporting/partials/_scorecard_table.html"

    def get(self, request, *args, **kwargs):
        plans = scored_plans(tenant=self.tenant)
        self.filterset = ScorecardFilter(request.GET or None, queryset=plans, request=request)
        plans, by = self.filterset.qs, self.filterset.group
        currency = reporting_currency(self.tenant)
        page = None
        if by == "plan" and request.GET.get("export") != "csv":
            page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
            plans = page.object_list
        rows = scorecard(tenant=self.tenant, plans=plans, by=by, currency=currency, now=timezone.now())
        if request.GET.get("export") == "csv":
            columns = [
                (SCORECARD_GROUPS[by], "label"),
                ("Plans", "plans"),
                *SCORE_COLUMNS,
                *SIGNAL_COLUMNS,
                ("Currency", "figures.currency"),
                ("Amounts without an FX rate", "figures.amounts_without_rate"),
            ]
            name = f"{self.tenant.slug}-scorecard-{by}-{timezone.localdate().isoformat()}.csv"
            return csv_response(rows, columns, name, tz=self.tenant.zone)
        context = self.get_context_data(
            rows=rows,
            page=page,
            filter=self.filterset,
            group_label=SCORECARD_GROUPS[by],
            currency=currency,
            without_rate=sum(row.figures.amounts_without_rate for row in rows),
        )
        template = self.template_name
        if request.htmx and not request.htmx.boosted:
            template = self.partial_template_name
        response = TemplateResponse(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class CheckpointListView(TenantListView):
    """Checkpoints of launched plans: due dates, results, and live figures beside the frozen ones."""

    permission = "checkpoint.view"
    queryset_selector = checkpoint_list
    filterset_class = CheckpointFilter
    template_name = "reporting/checkpoint_list.html"
    partial_template_name = "reporting/partials/_checkpoint_table.html"
    csv_name = "checkpoints"
    csv_columns = [
        ("Plan", "plan"),
        ("Partner", "plan.partner"),
        ("Day", "day"),
        ("Due on", "due_on"),
        ("Frozen at", "frozen_at"),
        ("Met", lambda checkpoint: (checkpoint.snapshot or {}).get("met")),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["views"] = checkpoints_live(tenant=self.tenant, checkpoints=context["rows"])
        return context


urlpatterns = [
    path("reporting/scorecard/", ScorecardView.as_view(), name="scorecard"),
    path("reporting/checkpoints/", CheckpointListView.as_view(), name="checkpoint_list"),
]
