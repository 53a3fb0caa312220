"""Feedback and routing pages: Settings → Status mapping (the tenant's reading of partners' words),
the partner's feedback form for one of its handoffs, and the lead figures of every partner."""

from __future__ import annotations

from django.urls import path, reverse

from leads.filters import PartnerFiguresFilter
from leads.forms.routing import HandoffFeedbackForm, StatusMappingForm
from leads.models import FeedbackStatus
from leads.selectors.routing import (
    feedback_handoffs,
    handoff_feedback_list,
    partner_lead_figures,
    status_mapping_list,
)
from leads.services import feedback as services
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView, TenantView

CHANGE = "lead.change"


def mapping_list_url(tenant) -> str:
    return reverse("leads:status_mapping_list", kwargs={"tenant_slug": tenant.slug})


class StatusMappingView(TenantView):
    permission = "lead.view"
    queryset_selector = status_mapping_list


class StatusMappingListView(StatusMappingView, TenantListView):
    template_name = "leads/status_mapping_list.html"
    partial_template_name = "leads/partials/_status_mapping_table.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(can_change=self.can(CHANGE), statuses=FeedbackStatus.choices)
        return context


class StatusMappingCreateView(StatusMappingView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/status_mapping_form.html"
    form_class = StatusMappingForm

    def save(self, data):
        return services.status_mapping_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, mapping) -> str:
        return f"“{mapping.partner_status}” now means {mapping.get_status_display()}."

    def saved_url(self, mapping) -> str:
        return mapping_list_url(self.tenant)


class StatusMappingUpdateView(StatusMappingCreateView):
    object_kwarg = "status_mapping_id"

    def get_initial(self):
        return {"partner_status": self.object.partner_status, "status": self.object.status}

    def save(self, data):
        return services.status_mapping_update(
            tenant=self.tenant, actor=self.request.user, status_mapping_id=self.object.id, **data
        )


class StatusMappingDeleteView(StatusMappingView, TenantConfirmView):
    permission = CHANGE
    object_kwarg = "status_mapping_id"
    confirm_label = "Delete mapping"

    @property
    def title(self):
        return f"Delete the mapping of “{self.object.partner_status}”?"

    def message(self):
        return (
            f"Reports saying “{self.object.partner_status}” from now on are kept unmapped; reports made "
            f"already keep their status ({self.object.get_status_display()})."
        )

    def perform(self):
        services.status_mapping_delete(
            tenant=self.tenant, actor=self.request.user, status_mapping_id=self.object.id
        )
        return f"“{self.object.partner_status}” is no longer mapped."

    def success_url(self):
        return mapping_list_url(self.tenant)


class HandoffFeedbackView(ServiceFormView):
    """The partner's report on one of its handoffs, with the reports made so far. Another
    partner's handoff is a 404 (scope), staff get a 403: only the partner reports."""

    permission = "feedback.report"
    queryset_selector = feedback_handoffs
    object_kwarg = "handoff_id"
    template_name = "leads/handoff_feedback.html"
    form_class = HandoffFeedbackForm
    shown = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = handoff_feedback_list(tenant=self.tenant).filter(handoff=self.object)
        context.update(handoff=self.object, reports=reports[: self.shown])
        return context

    def save(self, data):
        return services.handoff_feedback(
            tenant=self.tenant, actor=self.request.user, handoff_id=self.object.id, **data
        )

    def success_message(self, feedback) -> str:
        meaning = feedback.get_status_display() if feedback.status else "not mapped yet: the vendor reads it"
        return f"Thank you: “{feedback.words}” is recorded ({meaning})."

    def saved_url(self, feedback) -> str:
        return self.request.path


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.0%}"


class PartnerFiguresView(TenantListView):
    """Every partner with its lead figures, sortable, with a CSV export."""

    permission = "lead.view"
    queryset_selector = partner_lead_figures
    filterset_class = PartnerFiguresFilter
    template_name = "leads/partner_figures.html"
    partial_template_name = "leads/partials/_partner_figures_table.html"
    paginate_by = 50
    csv_name = "partner-lead-figures"
    csv_columns = [
        ("Partner", "name"),
        ("Accepted", "accepted"),
        ("Declined", "declined"),
        ("Expired", "expired"),
        ("Pick rate", lambda partner: _percent(partner.pick_rate)),
        ("Median hours to accept", "hours_to_accept"),  # rounded in SQL, as the page shows it
        ("Feedback rate", lambda partner: _percent(partner.feedback_rate)),
        ("Median hours to first feedback", "hours_to_feedback"),
        ("Silent now", "silent_now"),
    ]


urlpatterns = [
    path("settings/status-mappings/", StatusMappingListView.as_view(), name="status_mapping_list"),
    path("settings/status-mappings/new/", StatusMappingCreateView.as_view(), name="status_mapping_create"),
    path(
        "settings/status-mappings/<int:status_mapping_id>/edit/",
        StatusMappingUpdateView.as_view(),
        name="status_mapping_update",
    ),
    path(
        "settings/status-mappings/<int:status_mapping_id>/delete/",
        StatusMappingDeleteView.as_view(),
        name="status_mapping_delete",
    ),
    path("handoffs/<int:handoff_id>/feedback/", HandoffFeedbackView.as_view(), name="handoff_feedback"),
    path("leads/partners/", PartnerFiguresView.as_view(), name="partner_figures"),
]
