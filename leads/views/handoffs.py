"""Handoff pages: the partner's lead inbox (the vendor's handoff list, the same page for staff),
a handoff's page with its context first, its clocks counting down, and the partner's answers
(accept, decline with a reason, first contact, qualification), and the vendor's offer and recall."""

from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import DetailView

from leads.filters import HandoffFilter
from leads.forms.handoffs import HandoffOfferForm, HandoffQualificationForm, HandoffRejectForm
from leads.selectors import handoff_lead_for_partner, lead_list, lead_touches, policy_for, routing_queue
from leads.selectors.inbox import handoff_clocks, handoff_context, handoff_list, sla_state
from leads.selectors.routing import handoff_feedback_list
from leads.services import (
    handoff_accept,
    handoff_offer,
    handoff_recall,
    handoff_record_contact,
    handoff_record_qualification,
    handoff_reject,
    lead_route,
)
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantActionView,
    TenantConfirmView,
    TenantListView,
    TenantView,
)
from partnerhub.tenancy.selectors import audit_history_for


class HandoffListView(TenantListView):
    """A partner's users see their own company's handoffs (the scope); staff see every partner's."""

    permission = "handoff.view"
    queryset_selector = handoff_list
    filterset_class = HandoffFilter
    template_name = "leads/handoff_list.html"
    partial_template_name = "leads/partials/_handoff_table.html"
    csv_name = "handoffs"
    csv_columns = [
        ("Handoff", "id"),
        ("Partner", "partner.name"),
        ("Person", lambda handoff: handoff.lead.full_name),
        ("Title", "lead.title"),
        ("Company", "lead.company_name"),
        ("State", "get_state_display"),
        ("Offered", "offered_at"),
        ("Next deadline", "deadline"),
        ("Accepted", "accepted_at"),
        ("First contact", "first_contact_at"),
        ("Qualification", "get_qualification_display"),
        ("Declined because", "get_reject_reason_display"),
        ("Closed", "closed_at"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["now"] = now
        context["rows"] = [(handoff, sla_state(handoff, now)) for handoff in context["rows"]]
        context["is_partner"] = self.membership.is_partner_role
        return context


class HandoffMixin(TenantView):
    queryset_selector = handoff_list
    object_kwarg = "handoff_id"

    def detail_url(self) -> str:
        return reverse(
            "leads:handoff_detail", kwargs={"tenant_slug": self.tenant.slug, "handoff_id": self.object.id}
        )

    success_url = failure_url = detail_url


class HandoffDetailView(HandoffMixin, DetailView):
    permission = "handoff.view"
    template_name = "leads/handoff_detail.html"
    context_object_name = "handoff"
    shown_touches = 50
    shown_reports = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        handoff = self.object
        touches = list(lead_touches(tenant=self.tenant, lead=handoff.lead)[: self.shown_touches])
        now = timezone.now()
        context.update(
            now=now,
            is_partner=self.membership.is_partner_role,
            person=handoff_lead_for_partner(tenant=self.tenant, handoff=handoff, membership=self.membership),
            context=handoff_context(tenant=self.tenant, handoff=handoff, touches=touches),
            clocks=[(clock, clock.state(now)) for clock in handoff_clocks(handoff)],
            policy=policy_for(
                tenant=self.tenant, partner=handoff.partner, program_id=handoff.lead.program_id
            ),
            reject_form=HandoffRejectForm(),
            qualification_form=HandoffQualificationForm(),
            history=audit_history_for(tenant=self.tenant, target=handoff),
            reports=handoff_feedback_list(tenant=self.tenant).filter(handoff=handoff)[: self.shown_reports],
        )
        return context


class HandoffAcceptView(HandoffMixin, TenantActionView):
    permission = "handoff.answer"

    def perform(self) -> str:
        handoff_accept(tenant=self.tenant, actor=self.request.user, handoff_id=self.object.id)
        return "Accepted: the contact details are shown, and the first-contact clock runs."


class HandoffContactView(HandoffMixin, TenantActionView):
    permission = "handoff.answer"

    def perform(self) -> str:
        handoff_record_contact(tenant=self.tenant, actor=self.request.user, handoff_id=self.object.id)
        return "First contact recorded: its clock has stopped."


class HandoffRejectView(HandoffMixin, ServiceFormView):
    """The decline dialog of the handoff page posts here; without script this page is the dialog."""

    permission = "handoff.answer"
    form_class = HandoffRejectForm
    template_name = "leads/handoff_reject.html"

    def save(self, data):
        return handoff_reject(
            tenant=self.tenant,
            actor=self.request.user,
            handoff_id=self.object.id,
            reason=data["reason"],
            text=data["text"],
        )

    def success_message(self, saved) -> str:
        return "Declined: the lead goes back to the vendor, and is not offered to you again."

    def saved_url(self, saved) -> str:
        return reverse("leads:handoff_list", kwargs={"tenant_slug": self.tenant.slug})


class HandoffQualificationView(HandoffMixin, ServiceFormView):
    permission = "handoff.answer"
    form_class = HandoffQualificationForm
    template_name = "leads/handoff_qualification.html"

    def save(self, data):
        return handoff_record_qualification(
            tenant=self.tenant,
            actor=self.request.user,
            handoff_id=self.object.id,
            outcome=data["outcome"],
            note=data["note"],
        )

    def success_message(self, saved) -> str:
        return f"Qualification recorded: {saved.get_qualification_display().lower()}."

    def saved_url(self, saved) -> str:
        return self.detail_url()


class HandoffRecallView(HandoffMixin, TenantConfirmView):
    permission = "lead.change"
    title = "Recall this handoff?"
    confirm_label = "Recall"

    def message(self) -> str:
        handoff = self.object
        return (
            f"{handoff.partner.name} loses {handoff.lead} and its clocks stop. The lead waits in the "
            "vendor's queue to be offered again; the handoff stays in its history."
        )

    def refusal(self) -> str:
        return "" if self.object.is_open else f"This handoff is {self.object.get_state_display().lower()}."

    def perform(self) -> str:
        handoff_recall(tenant=self.tenant, actor=self.request.user, handoff_id=self.object.id)
        return "Recalled: the lead is back in the vendor's queue."


class HandoffOfferView(ServiceFormView):
    """Staff offer a lead to a partner they pick (routing picks one itself)."""

    permission = "lead.change"
    form_class = HandoffOfferForm
    template_name = "leads/handoff_offer.html"
    queryset_selector = lead_list
    object_kwarg = "lead_id"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant}

    def save(self, data):
        return handoff_offer(
            tenant=self.tenant, actor=self.request.user, lead_id=self.object.id, partner_id=data["partner"].id
        )

    def success_message(self, saved) -> str:
        return f"Offered to {saved.partner.name}: the accept clock runs."

    def saved_url(self, saved) -> str:
        kwargs = {"tenant_slug": self.tenant.slug, "handoff_id": saved.id}
        return reverse("leads:handoff_detail", kwargs=kwargs)


class LeadRouteView(TenantActionView):
    """Staff route a lead by the rules (the program's partner, the account's, the best fit): the
    decision and its reason are kept whether a partner takes it or it stays in the queue."""

    permission = "lead.change"
    queryset_selector = lead_list
    object_kwarg = "lead_id"

    def perform(self) -> str:
        decision = lead_route(tenant=self.tenant, actor=self.request.user, lead_id=self.object.id)
        return decision.reason

    def success_url(self) -> str:
        return reverse(
            "leads:lead_detail", kwargs={"tenant_slug": self.tenant.slug, "lead_id": self.object.id}
        )


class RoutingQueueView(TenantListView):
    """The vendor's queue: ready leads with no open handoff, the longest waiting first."""

    permission = "lead.view"
    queryset_selector = routing_queue
    template_name = "leads/routing_queue.html"
    partial_template_name = "leads/partials/_routing_queue_table.html"
    csv_name = "routing-queue"
    csv_columns = [
        ("Email", "email"),
        ("Name", "full_name"),
        ("Company", "company_name"),
        ("Target account", "account.name"),
        ("Program", "program.tracking_code"),
        ("Score", "score"),
        ("Waiting since", "waiting_since"),
    ]


urlpatterns = [
    path("leads/queue/", RoutingQueueView.as_view(), name="routing_queue"),
    path("leads/<int:lead_id>/route/", LeadRouteView.as_view(), name="lead_route"),
    path("handoffs/", HandoffListView.as_view(), name="handoff_list"),
    path("handoffs/<int:handoff_id>/", HandoffDetailView.as_view(), name="handoff_detail"),
    path("handoffs/<int:handoff_id>/accept/", HandoffAcceptView.as_view(), name="handoff_accept"),
    path("handoffs/<int:handoff_id>/decline/", HandoffRejectView.as_view(), name="handoff_reject"),
    path("handoffs/<int:handoff_id>/contact/", HandoffContactView.as_view(), name="handoff_contact"),
    path(
        "handoffs/<int:handoff_id>/qualification/",
        HandoffQualificationView.as_view(),
        name="handoff_qualification",
    ),
    path("handoffs/<int:handoff_id>/recall/", HandoffRecallView.as_view(), name="handoff_recall"),
    path("leads/<int:lead_id>/offer/", HandoffOfferView.as_view(), name="handoff_offer"),
]
