"""Deal registration pages. Partner users: "my deal registrations" (list, new and edit a draft,
submit, withdraw, request the extension). The vendor: the review queue (filters, sort by age or due
date, CSV export) and a registration's page with its conflicts side by side and the decisions.

A registration's page shows the vendor's review (conflicts, account, aging, decisions, history)
only to reviewers; a partner user's page is the same for a conflicting registration as for any
other: "under review"."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.db.models import F
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from leads.forms.registrations import (
    ApproveForm,
    ExtensionDecisionForm,
    PartnerRegistrationFilter,
    RegistrationFilter,
    RegistrationForm,
    RejectForm,
)
from leads.models import DealRegistration
from leads.models.registrations import PROTECTION_DAYS, REVIEW_SLA_BUSINESS_DAYS
from leads.selectors import registration_conflict_rows, registration_detail, review_aging, review_calendar
from leads.selectors.registrations import open_opportunities_on
from leads.services import registrations as services
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView, TenantView
from partnerhub.tenancy.selectors import audit_history_for

State = DealRegistration.State
REVIEW = services.REVIEW
CHANGE = "registration.change"


def detail_url(tenant, registration) -> str:
    return reverse(
        "leads:registration_detail",
        kwargs={"tenant_slug": tenant.slug, "deal_registration_id": registration.id},
    )


def approval_choices(tenant, registration) -> list:
    """The open opportunities an approval may link (the approve page's and dialog's choices)."""
    return list(open_opportunities_on(tenant=tenant, domain=registration.customer_domain)[:50])


class RegistrationView(TenantView):
    permission = "registration.view"
    queryset_selector = registration_detail

    @property
    def reviewer(self) -> bool:
        return services.may_review(self.membership)


class RegistrationListView(RegistrationView, TenantListView):
    """My deal registrations (a partner user's company's; staff see every partner's here)."""

    template_name = "leads/registration_list.html"
    partial_template_name = "leads/partials/_registration_table.html"
    filterset_class = PartnerRegistrationFilter
    csv_name = "deal-registrations"
    csv_columns = [
        ("Customer", "customer_name"),
        ("Domain", "customer_domain"),
        ("Solution", "solution"),
        ("Expected amount", "amount"),
        ("Currency", "currency"),
        ("Expected close", "close_date"),
        ("State", "get_state_display"),
        ("Submitted", "submitted_at"),
        ("Protected until", "protection_ends_at"),
        ("Extension", "get_extension_display"),
    ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_register=self.can(CHANGE), **kwargs)


class RegistrationQueueView(RegistrationView, TenantListView):
    """The vendor's review queue: the registrations waiting for a decision (another state when one is
    picked), due first by default; aging in business time on the tenant's default calendar (read
    once per page)."""

    permission = REVIEW
    template_name = "leads/registration_queue.html"
    partial_template_name = "leads/partials/_registration_queue_table.html"
    filterset_class = RegistrationFilter
    csv_name = "deal-registration-queue"
    csv_columns = [
        ("Partner", "partner.name"),
        *RegistrationListView.csv_columns,
        ("Review due", "review_due_at"),
        ("Conflict", lambda row: "yes" if row.has_conflict else "no"),
        (
            "Overdue",
            lambda row: (
                "yes"
                if row.state == State.UNDER_REVIEW
                and row.review_due_at
                and row.review_due_at < timezone.now()
                else "no"
            ),
        ),
    ]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.GET.get("state"):  # what waits for a decision, unless a state is picked
            queryset = queryset.filter(state__in=DealRegistration.PENDING_STATES)
        return queryset.order_by(F("review_due_at").asc(nulls_last=True), "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        calendar, now = review_calendar(tenant=self.tenant), timezone.now()
        context["items"] = [
            (row, review_aging(registration=row, calendar=calendar, now=now)) for row in context["rows"]
        ]
        return context


class RegistrationDetailView(RegistrationView, TemplateView):
    object_kwarg = "deal_registration_id"
    template_name = "leads/registration_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration = self.object
        context.update(registration=registration, reviewer=self.reviewer, partner_side=self.can(CHANGE))
        context["protection_days"] = PROTECTION_DAYS
        if self.reviewer:
            calendar = review_calendar(tenant=self.tenant)
            context.update(
                conflict_rows=registration_conflict_rows(tenant=self.tenant, registration=registration),
                aging=review_aging(registration=registration, calendar=calendar, now=timezone.now()),
                history=audit_history_for(tenant=self.tenant, target=registration),
                review_days=REVIEW_SLA_BUSINESS_DAYS,
            )
            if registration.state == State.UNDER_REVIEW:  # the decisions' dialogs
                context.update(
                    approve_form=ApproveForm(opportunities=approval_choices(self.tenant, registration)),
                    reject_form=RejectForm(),
                )
        return context


class RegistrationCreateView(RegistrationView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/registration_form.html"
    form_class = RegistrationForm

    def get_initial(self):
        return {"currency": self.tenant.default_currency}

    def save(self, data):
        return services.registration_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, registration) -> str:
        return f"Draft saved: {registration}. Submit it when it is ready for the vendor's review."

    def saved_url(self, registration) -> str:
        return detail_url(self.tenant, registration)


class RegistrationObjectView(RegistrationView):
    object_kwarg = "deal_registration_id"

    def success_url(self) -> str:
        return detail_url(self.tenant, self.object)

    def saved_url(self, registration) -> str:
        return detail_url(self.tenant, registration)


class RegistrationUpdateView(RegistrationObjectView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/registration_form.html"
    form_class = RegistrationForm

    def get_initial(self):
        return RegistrationForm.initial_for(self.object)

    def save(self, data):
        return services.registration_update(
            tenant=self.tenant, actor=self.request.user, registration_id=self.object.id, **data
        )

    def success_message(self, registration) -> str:
        return "Draft saved."


class PartnerActionView(RegistrationObjectView, TenantConfirmView):
    """One of the partner's steps, after a confirmation: `service` does it, `done` says so."""

    permission = CHANGE
    danger = False
    service: ClassVar[Callable]
    done: ClassVar[str]

    def perform(self):
        type(self).service(tenant=self.tenant, actor=self.request.user, registration_id=self.object.id)
        return self.done


class RegistrationSubmitView(PartnerActionView):
    title = "Submit this deal registration?"
    confirm_label = "Submit"
    service = staticmethod(services.registration_submit)
    done = "Submitted: your deal registration is under review."

    def message(self):
        return (
            "The vendor reviews every registration. It is then under review and cannot be changed; "
            "you can still withdraw it until the vendor decides."
        )

    def refusal(self):
        return "" if self.object.state == State.DRAFT else "Only a draft is submitted."


class RegistrationWithdrawView(PartnerActionView):
    title = "Withdraw this deal registration?"
    confirm_label = "Withdraw"
    danger = True
    service = staticmethod(services.registration_withdraw)
    done = "Withdrawn."

    def message(self):
        return "The vendor will not decide on it, and it cannot be submitted again."

    def refusal(self):
        pending = self.object.state == State.DRAFT or self.object.is_pending
        return "" if pending else "It is decided already: it can no longer be withdrawn."


class RegistrationExtensionRequestView(PartnerActionView):
    title = "Request an extension of the protection?"
    confirm_label = "Request extension"
    service = staticmethod(services.registration_request_extension)
    done = "Extension requested: the partner manager decides."

    def message(self):
        return "An extension can be requested once; the partner manager approves or refuses it."


class ReviewFormView(RegistrationObjectView, ServiceFormView):
    """A reviewer's decision, on its own confirmation page (the form is the confirmation)."""

    permission = REVIEW
    template_name = "leads/registration_decision.html"
    title = ""
    confirm_label = "Confirm"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            registration=self.object, title=self.title, confirm_label=self.confirm_label, **kwargs
        )


class RegistrationApproveView(ReviewFormView):
    form_class = ApproveForm
    title = "Approve this deal registration?"
    confirm_label = "Approve"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "opportunities": approval_choices(self.tenant, self.object)}

    def save(self, data):
        return services.registration_approve(
            tenant=self.tenant,
            actor=self.request.user,
            registration_id=self.object.id,
            opportunity_id=data.get("opportunity"),
        )

    def success_message(self, registration) -> str:
        return f"Approved: protected until {registration.protection_ends_at:%Y-%m-%d}."


class RegistrationRejectView(ReviewFormView):
    form_class = RejectForm
    title = "Reject this deal registration?"
    confirm_label = "Reject"

    def save(self, data):
        return services.registration_reject(
            tenant=self.tenant,
            actor=self.request.user,
            registration_id=self.object.id,
            reason=data["reason"],
            text=data.get("text", ""),
        )

    def success_message(self, registration) -> str:
        return f"Rejected: {registration.get_reject_reason_display()}."


class RegistrationExtensionDecisionView(ReviewFormView):
    form_class = ExtensionDecisionForm
    title = "Decide on the extension"

    def save(self, data):
        return services.registration_decide_extension(
            tenant=self.tenant,
            actor=self.request.user,
            registration_id=self.object.id,
            approve=data["decision"] == "approve",
            days=data.get("days"),
        )

    def success_message(self, registration) -> str:
        return f"Extension {registration.get_extension_display().lower()}."


REGISTRATION = "deal-registrations/<int:deal_registration_id>/"

urlpatterns = [
    path("deal-registrations/", RegistrationListView.as_view(), name="registration_list"),
    path("deal-registrations/new/", RegistrationCreateView.as_view(), name="registration_create"),
    path("deal-registrations/review/", RegistrationQueueView.as_view(), name="registration_queue"),
    path(REGISTRATION, RegistrationDetailView.as_view(), name="registration_detail"),
    path(f"{REGISTRATION}edit/", RegistrationUpdateView.as_view(), name="registration_update"),
    path(f"{REGISTRATION}submit/", RegistrationSubmitView.as_view(), name="registration_submit"),
    path(f"{REGISTRATION}withdraw/", RegistrationWithdrawView.as_view(), name="registration_withdraw"),
    path(
        f"{REGISTRATION}request-extension/",
        RegistrationExtensionRequestView.as_view(),
        name="registration_request_extension",
    ),
    path(f"{REGISTRATION}approve/", RegistrationApproveView.as_view(), name="registration_approve"),
    path(f"{REGISTRATION}reject/", RegistrationRejectView.as_view(), name="registration_reject"),
    path(
        f"{REGISTRATION}decide-extension/",
        RegistrationExtensionDecisionView.as_view(),
        name="registration_decide_extension",
    ),
]
