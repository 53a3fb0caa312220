"""Tranche pages (docs/mdf.md, "Tranches"): a fund manager sets an approved request's schedule
(its own page), the held tranches (their checkpoint missed) wait in one list, each released or
cancelled after a confirmation. The request's page shows its schedule, to its partner too."""

from __future__ import annotations

from django import forms
from django.urls import path, reverse

from mdf import services
from mdf.models import TrancheState
from mdf.selectors import request_detail, tranche_list
from mdf.views.common import REVIEW, MdfView
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView

PERCENT = {"max_digits": 6, "decimal_places": 3, "required": False}


class TrancheScheduleForm(forms.Form):
    """Percentages of the approved amount; the service checks they add up to 100."""

    on_approval = forms.DecimalField(
        label="On approval (%)", help_text="Paid when the schedule is set.", **PERCENT
    )
    day30 = forms.DecimalField(label="Day 30 met (%)", help_text="Operational checkpoint.", **PERCENT)
    day60 = forms.DecimalField(label="Day 60 met (%)", help_text="Engagement checkpoint.", **PERCENT)
    day90 = forms.DecimalField(label="Day 90 met (%)", help_text="Pipeline checkpoint.", **PERCENT)


def request_url(tenant, fund_request_id: int) -> str:
    return reverse(
        "mdf:request_detail", kwargs={"tenant_slug": tenant.slug, "fund_request_id": fund_request_id}
    )


class StaffOnly(MdfView):
    permission = REVIEW

    def allowed(self):
        return self.partner is None


class TrancheScheduleView(StaffOnly, ServiceFormView):
    """Pay an approved request for a launched plan in tranches tied to its checkpoints."""

    object_kwarg = "fund_request_id"
    queryset_selector = request_detail
    template_name = "mdf/tranches/schedule_form.html"
    form_class = TrancheScheduleForm

    def get_initial(self):
        return {"on_approval": 50, "day60": 25, "day90": 25}

    def get_context_data(self, **kwargs):
        return super().get_context_data(fund_request=self.object, **kwargs)

    def save(self, data):
        return services.tranche_schedule_set(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, percents=data
        )

    def success_message(self, saved) -> str:
        paid = [t for t in saved if t.state == TrancheState.PAID]
        if paid:
            return f"Tranches set: {paid[0].amount} {paid[0].currency} paid now, the rest at the checkpoints."
        return "Tranches set: each is paid when its checkpoint meets its target."

    def saved_url(self, saved) -> str:
        return request_url(self.tenant, self.object.id)


HELD_CSV = [
    ("Request", "request.title"),
    ("Partner", "request.partner.name"),
    ("Plan", "plan"),
    ("Checkpoint day", "day"),
    ("Percent", "percent"),
    ("Amount", "amount"),
    ("Currency", "currency"),
    ("Held since", "settled_at"),
]


class HeldTrancheListView(StaffOnly, TenantListView):
    """Tranches whose checkpoint missed, the oldest first: each waits for release or cancel."""

    queryset_selector = tranche_list
    template_name = "mdf/tranches/held_list.html"
    partial_template_name = "mdf/tranches/_held_table.html"
    csv_columns = HELD_CSV
    csv_name = "held-tranches"

    def get_queryset(self):
        return super().get_queryset().filter(state=TrancheState.HELD).order_by("settled_at", "id")


class TrancheDecisionView(StaffOnly, TenantConfirmView):
    object_kwarg = "fund_tranche_id"
    queryset_selector = tranche_list
    danger = False

    def success_url(self) -> str:
        return reverse("mdf:tranche_held", kwargs={"tenant_slug": self.tenant.slug})

    def refusal(self) -> str:
        if self.object.state != TrancheState.HELD:
            return f"This tranche is {self.object.get_state_display().lower()}: it is not held."
        return ""

    def figure(self) -> str:
        tranche, request = self.object, self.object.request
        return f"{tranche.amount} {tranche.currency} of “{request.title}” ({request.partner.name})"


class TrancheReleaseView(TrancheDecisionView):
    title = "Release this tranche?"
    confirm_label = "Release and pay"

    def message(self):
        return (
            f"The day {self.object.day} checkpoint missed its target. Releasing pays {self.figure()} "
            "through the ledger all the same."
        )

    def perform(self):
        tranche = services.tranche_release(
            tenant=self.tenant, actor=self.request.user, tranche_id=self.object.id
        )
        return f"Released: {tranche.amount} {tranche.currency} paid."


class TrancheCancelView(TrancheDecisionView):
    title = "Cancel this tranche?"
    confirm_label = "Cancel the tranche"
    danger = True

    def message(self):
        return (
            f"{self.figure()} will not be paid: the money goes back to the allocation. This cannot be undone."
        )

    def perform(self):
        tranche = services.tranche_cancel(
            tenant=self.tenant, actor=self.request.user, tranche_id=self.object.id
        )
        return f"Cancelled: {tranche.amount} {tranche.currency} back in the allocation."


TRANCHE = "mdf/tranches/<int:fund_tranche_id>/"

urlpatterns = [
    path(
        "mdf/requests/<int:fund_request_id>/tranches/", TrancheScheduleView.as_view(), name="tranche_schedule"
    ),
    path("mdf/tranches/held/", HeldTrancheListView.as_view(), name="tranche_held"),
    path(f"{TRANCHE}release/", TrancheReleaseView.as_view(), name="tranche_release"),
    path(f"{TRANCHE}cancel/", TrancheCancelView.as_view(), name="tranche_cancel"),
]
