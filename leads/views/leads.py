"""Lead pages: the list (filters, sort, CSV export) and a lead's page with its touches timeline."""

from django.urls import path
from django.views.generic import DetailView

from leads.filters import LeadFilter
from leads.selectors import lead_list, lead_touches
from leads.selectors.inbox import handoff_list
from leads.selectors.routing import handoff_feedback_list, lead_routing_decisions
from partnerhub.tenancy.portal import TenantListView, TenantView
from partnerhub.tenancy.selectors import audit_history_for


class LeadListView(TenantListView):
    permission = "lead.view"
    queryset_selector = lead_list
    filterset_class = LeadFilter
    template_name = "leads/lead_list.html"
    partial_template_name = "leads/partials/_lead_table.html"
    csv_name = "leads"
    csv_columns = [
        ("Email", "email"),
        ("First name", "first_name"),
        ("Last name", "last_name"),
        ("Title", "title"),
        ("Phone", "phone"),
        ("Country", "country"),
        ("Company", "company_name"),
        ("Company domain", "company_domain"),
        ("Target account", "account.name"),
        ("Program", "program.tracking_code"),
        ("Source", "get_source_display"),
        ("Stage", "get_stage_display"),
        ("Score", "score"),
        ("Score from actions", "action_score"),
        ("Ready", lambda lead: "yes" if lead.ready else "no"),
        ("Ready since", "ready_at"),
        ("Disqualified because", "disqualified_reason"),
        ("Consent", lambda lead: "yes" if lead.consent else "no"),
        ("Consent given at", "consent_at"),
        ("Consent given how", "consent_method"),
        ("CRM id", "external_id"),
        ("Created", "created_at"),
    ]


class LeadDetailView(TenantView, DetailView):
    permission = "lead.view"
    queryset_selector = lead_list
    object_kwarg = "lead_id"
    template_name = "leads/lead_detail.html"
    context_object_name = "lead"

    # A lead can gather hundreds of touches; the page shows the latest, the API pages them all.
    shown = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        touches = lead_touches(tenant=self.tenant, lead=self.object)
        context["touches"] = touches[: self.shown]
        context["touch_count"] = touches.count()
        context["history"] = audit_history_for(tenant=self.tenant, target=self.object)
        context["handoffs"] = handoff_list(tenant=self.tenant).filter(lead=self.object)
        context["routing_decisions"] = lead_routing_decisions(tenant=self.tenant, lead=self.object)[:10]
        context["reports"] = handoff_feedback_list(tenant=self.tenant).filter(handoff__lead=self.object)[:20]
        return context


urlpatterns = [
    path("leads/", LeadListView.as_view(), name="lead_list"),
    path("leads/<int:lead_id>/", LeadDetailView.as_view(), name="lead_detail"),
]
