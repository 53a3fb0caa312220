"""Fund request pages (docs/mdf.md, "Requests").

Partner users: "my fund requests", a new request from the catalog (a few clicks: the item, the fund,
the dates), from a proposal template or as a strategic budget line (one-to-one partners), edit while
it is theirs to fix, submit, resubmit, cancel. The vendor: every request, the review queue (aging
first), a request beside the plan and accounts it serves, and the decisions: approve (partially
with a smaller amount), ask for information, reject, decline."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.db.models import F
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from mdf import services
from mdf.filters_requests import FundRequestFilter
from mdf.forms.requests import ApproveForm, NoteForm, RequestForm
from mdf.models import EDITABLE, IN_REVIEW, CatalogItem, FundRequest, ProposalTemplate, RequestState
from mdf.selectors import catalog_offer, request_accounts, request_detail, request_tranches, template_offer
from mdf.selectors.claims import live_claim_of
from mdf.selectors.request_choices import fund_choices, partner_plans, plan_account_groups
from mdf.views.common import REVIEW, DecisionPage, MdfView
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView
from partnerhub.tenancy.selectors import audit_history_for, partner_choices

Kind = FundRequest.Kind
VIEW, ASK = "mdf_request.view", "mdf_request.change"


def detail_url(tenant, fund_request) -> str:
    return reverse(
        "mdf:request_detail", kwargs={"tenant_slug": tenant.slug, "fund_request_id": fund_request.id}
    )


class RequestView(MdfView):
    permission = VIEW
    partner_permission = ASK
    queryset_selector = request_detail


CSV_COLUMNS = [
    ("Title", "title"),
    ("Kind", "get_kind_display"),
    ("Fund", "fund.name"),
    ("Activity", "get_activity_type_display"),
    ("Starts", "starts_on"),
    ("Ends", "ends_on"),
    ("Asked", "amount_requested"),
    ("Approved", "amount_approved"),
    ("Currency", "currency"),
    ("State", "get_state_display"),
    ("In review since", "in_review_since"),
    ("Decided", "decided_at"),
]


class RequestListView(RequestView, TenantListView):
    """My fund requests (a partner user's company's); the vendor's staff see every partner's."""

    template_name = "mdf/requests/request_list.html"
    partial_template_name = "mdf/requests/_request_table.html"
    csv_name = "fund-requests"

    filterset_class = FundRequestFilter

    @property
    def csv_columns(self):
        if self.partner:
            return CSV_COLUMNS
        return [
            ("Partner", "partner.name"),
            *CSV_COLUMNS,
            ("Aging", lambda row: "yes" if row.is_aging else "no"),
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_ask=self.can(ASK) and self.partner is not None,
            can_add_line=self.reviewer,
            staff=self.partner is None,
            queue=False,
            **kwargs,
        )


class RequestQueueView(RequestListView):
    """The review queue: requests waiting for a decision (another state when one is picked), the
    longest waiting first."""

    permission = REVIEW
    template_name = "mdf/requests/request_queue.html"
    csv_name = "fund-request-queue"

    def allowed(self):
        return self.partner is None

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.GET.get("state"):
            queryset = queryset.filter(state__in=IN_REVIEW)
        return queryset.order_by(F("in_review_since").asc(nulls_last=True), "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["queue"] = True
        return context


class RequestDetailView(RequestView, TemplateView):
    object_kwarg = "fund_request_id"
    template_name = "mdf/requests/request_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund_request = self.object
        own = self.partner is not None and self.can(ASK)
        claim = live_claim_of(tenant=self.tenant, request=fund_request)
        tranches = request_tranches(tenant=self.tenant, request=fund_request)
        context.update(
            fund_request=fund_request,
            accounts=request_accounts(tenant=self.tenant, request=fund_request),
            missing=services.request_missing(fund_request),
            reviewer=self.reviewer,
            own=own,
            editable=fund_request.state in EDITABLE and (own or self.reviewer),
            in_review=fund_request.state in IN_REVIEW,
            cancellable=fund_request.state not in (RequestState.DECLINED, RequestState.CANCELLED)
            and claim is None
            and not tranches
            and (own or self.reviewer),
            rules=services.request_rules(tenant=self.tenant),
            claim=claim,
            tranches=tranches,
            can_schedule=self.reviewer
            and fund_request.state == RequestState.APPROVED
            and claim is None
            and not tranches
            and (fund_request.plan_id is not None or fund_request.program_id is not None),
        )
        if self.partner is None:
            context["history"] = audit_history_for(tenant=self.tenant, target=fund_request)
        return context


class RequestChooseView(RequestView, TemplateView):
    """How to ask: an item of the catalog, a proposal template, or a strategic budget line."""

    permission = ASK
    template_name = "mdf/requests/request_choose.html"

    def allowed(self):
        return self.partner is not None

    def get_context_data(self, **kwargs):
        partner = self.partner
        return super().get_context_data(
            partner=partner,
            items=catalog_offer(tenant=self.tenant, partner=partner),
            templates=template_offer(tenant=self.tenant),
            strategic=partner.tier == Partner.Tier.ONE_TO_ONE,
            **kwargs,
        )


class RequestFormMixin:
    """What a request form offers: the partner's plans and their accounts, the template's questions."""

    def form_partner(self) -> Partner | None:
        raise NotImplementedError

    def form_kind(self) -> str:
        raise NotImplementedError

    def form_questions(self) -> list[str]:
        return []

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        partner = self.form_partner()
        kwargs.update(
            kind=self.form_kind(),
            questions=self.form_questions(),
            plans=partner_plans(tenant=self.tenant, partner=partner),
        )
        if partner is not None:  # the vendor picks a line's accounts once its partner is known
            kwargs["account_groups"] = plan_account_groups(tenant=self.tenant, partner=partner)
        return kwargs

    def get_form(self, form_class=None):
        return RequestForm(**self.get_form_kwargs())

    def saved_url(self, fund_request) -> str:
        return detail_url(self.tenant, fund_request)


class RequestCreateView(RequestFormMixin, RequestView, ServiceFormView):
    """A new draft of one kind: `catalog/<item>`, `proposal/<template>` or `strategic`. Partner users
    ask for their company; the vendor's fund managers add a strategic line for a partner."""

    permission = None
    template_name = "mdf/requests/request_form.html"
    kind: ClassVar[str]

    def allowed(self):
        return self.own_or_reviewer and (self.partner is not None or self.kind == Kind.STRATEGIC)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.source = None

    def dispatch(self, request, *args, **kwargs):
        self.source = self.get_source()  # 404 for an item or template not offered, before any role check
        return super().dispatch(request, *args, **kwargs)

    def get_source(self):
        return None

    def form_partner(self):
        return self.partner

    def form_kind(self):
        return self.kind

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        today = timezone.localdate()
        kwargs["funds"] = fund_choices(tenant=self.tenant, partner=self.partner, kind=self.kind, today=today)
        if self.partner is None:
            kwargs["partners"] = partner_choices(tenant=self.tenant).filter(tier=Partner.Tier.ONE_TO_ONE)
        return kwargs

    def get_initial(self):
        initial = {}
        if isinstance(self.source, CatalogItem):
            initial.update(title=self.source.name, activity_type=self.source.activity_type)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind=self.kind, source=self.source, **kwargs)

    def save(self, data):
        fields = dict(data)
        return services.request_create(
            tenant=self.tenant,
            actor=self.request.user,
            fund_id=fields.pop("fund"),
            partner_id=fields.pop("partner", None),
            kind=self.kind,
            catalog_item_id=self.source.id if isinstance(self.source, CatalogItem) else None,
            template_id=self.source.id if isinstance(self.source, ProposalTemplate) else None,
            **fields,
        )

    def success_message(self, fund_request) -> str:
        return f"Draft saved: {fund_request}. Submit it when it is ready for the vendor's review."


def offered(rows, value):
    """The row of `rows` whose id is the query's `value`, or a 404 (a malformed id alike)."""
    row = rows.filter(id=int(value)).first() if str(value or "").isdigit() else None
    if row is None:
        raise Http404("Not offered.")
    return row


class CatalogRequestCreateView(RequestCreateView):
    """`?item=<id>`: the catalog is the tenant's offer to the tiers, not a partner's rows, so the item
    travels in the query and is looked up in what this partner's tier is offered."""

    kind = Kind.CATALOG

    def get_source(self):
        return offered(catalog_offer(tenant=self.tenant, partner=self.partner), self.request.GET.get("item"))


class ProposalRequestCreateView(RequestCreateView):
    """`?template=<id>`: an active proposal template (published to every partner)."""

    kind = Kind.PROPOSAL

    def get_source(self):
        return offered(template_offer(tenant=self.tenant), self.request.GET.get("template"))

    def form_questions(self):
        return self.source.questions


class StrategicRequestCreateView(RequestCreateView):
    kind = Kind.STRATEGIC


class RequestObjectView(RequestView):
    object_kwarg = "fund_request_id"

    def success_url(self) -> str:
        return detail_url(self.tenant, self.object)

    def saved_url(self, fund_request) -> str:
        return detail_url(self.tenant, fund_request)


class RequestUpdateView(RequestFormMixin, RequestObjectView, ServiceFormView):
    """Change a request while it is the partner's to fix (a draft, one asked for information, one
    rejected); the vendor's fund managers may change one too."""

    permission = None
    template_name = "mdf/requests/request_form.html"

    def allowed(self):
        return self.own_or_reviewer

    def form_partner(self):
        return self.object.partner

    def form_kind(self):
        return self.object.kind

    def form_questions(self):
        return self.object.template.questions if self.object.template_id else []

    def get_initial(self):
        return RequestForm.initial_for(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind=self.object.kind, fund_request=self.object, **kwargs)

    def save(self, data):
        return services.request_update(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, **data
        )

    def success_message(self, fund_request) -> str:
        return "Saved."


class StepView(RequestObjectView, TenantConfirmView):
    """A step of the partner's (or the fund manager's), after a confirmation: `service` does it."""

    permission = None
    danger = False
    service: ClassVar[Callable]

    def allowed(self):
        return self.own_or_reviewer

    def perform(self):
        done = type(self).service(tenant=self.tenant, actor=self.request.user, request_id=self.object.id)
        return self.done(done)

    def done(self, fund_request) -> str:
        raise NotImplementedError


def _sent(fund_request) -> str:
    if fund_request.state == RequestState.APPROVED:
        amount = f"{fund_request.amount_approved} {fund_request.currency}"
        return f"Approved at once from the catalog: {amount} reserved."
    if fund_request.review_note:
        return f"Sent for review. {fund_request.review_note}"
    return "Sent for review: the vendor decides and lets you know."


class RequestSubmitView(StepView):
    title = "Submit this fund request?"
    confirm_label = "Submit"
    service = staticmethod(services.request_submit)

    def message(self):
        if self.object.kind == Kind.CATALOG:
            return "A catalog request is approved at once while the pool and your quarterly limit allow it."
        return "The vendor reviews it; it cannot be changed while it is in review."

    def refusal(self):
        if self.object.state != RequestState.DRAFT:
            return "Only a draft is submitted."
        missing = services.request_missing(self.object)
        return ("Before it is sent: " + " ".join(missing)) if missing else ""

    def done(self, fund_request):
        return _sent(fund_request)


class RequestResubmitView(RequestSubmitView):
    title = "Send this request back for review?"
    confirm_label = "Resubmit"
    service = staticmethod(services.request_resubmit)

    def message(self):
        return "Send it once you have added what the vendor asked for or fixed what it rejected."

    def refusal(self):
        if self.object.state not in (RequestState.INFO_REQUESTED, RequestState.REJECTED):
            return "Only a request asked for information, or a rejected one, is resubmitted."
        missing = services.request_missing(self.object)
        return ("Before it is sent: " + " ".join(missing)) if missing else ""


class RequestCancelView(StepView):
    title = "Cancel this fund request?"
    confirm_label = "Cancel the request"
    danger = True
    service = staticmethod(services.request_cancel)

    def message(self):
        if self.object.state == RequestState.APPROVED:
            return (
                f"It is approved: the {self.object.amount_approved} {self.object.currency} it reserved "
                "go back to its allocation. This cannot be undone."
            )
        return "The vendor will not decide on it. This cannot be undone."

    def refusal(self):
        if self.object.state in (RequestState.DECLINED, RequestState.CANCELLED):
            return f"It is {self.object.get_state_display().lower()} already."
        return ""

    def done(self, fund_request):
        return "Cancelled."


class DecisionView(RequestObjectView, DecisionPage):
    permission = REVIEW  # before RequestView's in the MRO
    template_name = "mdf/requests/request_decision.html"
    form_class = NoteForm
    waiting_states = IN_REVIEW

    def get_context_data(self, **kwargs):
        return super().get_context_data(fund_request=self.object, **kwargs)


class RequestApproveView(DecisionView):
    form_class = ApproveForm
    title = "Approve this fund request?"
    confirm_label = "Approve"
    explanation = "The amount approved is reserved from the request's allocation at once."

    def get_initial(self):
        return {"amount": self.object.first_approved_amount or self.object.amount_requested}

    def save(self, data):
        return services.request_approve(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, amount=data.get("amount")
        )

    def success_message(self, fund_request) -> str:
        if fund_request.state != RequestState.APPROVED:
            return (
                f"First approval recorded for {fund_request.first_approved_amount} {fund_request.currency}: "
                "a second, different approver decides."
            )
        return f"Approved: {fund_request.amount_approved} {fund_request.currency} reserved."


class RequestInfoView(DecisionView):
    title = "Ask the partner for information"
    confirm_label = "Ask"
    explanation = "The partner is told what you ask; it fixes the request and resubmits it."

    def save(self, data):
        return services.request_info(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, note=data["note"]
        )

    def success_message(self, fund_request) -> str:
        return "Information requested: the partner is told."


class RequestRejectView(DecisionView):
    title = "Reject this fund request?"
    confirm_label = "Reject"
    explanation = "The partner is told why; it may fix the request and resubmit it."
    danger = True

    def save(self, data):
        return services.request_reject(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, note=data["note"]
        )

    def success_message(self, fund_request) -> str:
        return "Rejected: the partner is told why."


class RequestDeclineView(DecisionView):
    title = "Decline this fund request?"
    confirm_label = "Decline"
    explanation = "Declining is final: the partner is told why and cannot resubmit it."
    danger = True

    def save(self, data):
        return services.request_decline(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, note=data["note"]
        )

    def success_message(self, fund_request) -> str:
        return "Declined."


REQUEST = "mdf/requests/<int:fund_request_id>/"

urlpatterns = [
    path("mdf/requests/", RequestListView.as_view(), name="request_list"),
    path("mdf/requests/review/", RequestQueueView.as_view(), name="request_queue"),
    path("mdf/requests/new/", RequestChooseView.as_view(), name="request_choose"),
    path("mdf/requests/new/catalog/", CatalogRequestCreateView.as_view(), name="request_create_catalog"),
    path("mdf/requests/new/proposal/", ProposalRequestCreateView.as_view(), name="request_create_proposal"),
    path(
        "mdf/requests/new/strategic/", StrategicRequestCreateView.as_view(), name="request_create_strategic"
    ),
    path(REQUEST, RequestDetailView.as_view(), name="request_detail"),
    path(f"{REQUEST}edit/", RequestUpdateView.as_view(), name="request_update"),
    path(f"{REQUEST}submit/", RequestSubmitView.as_view(), name="request_submit"),
    path(f"{REQUEST}resubmit/", RequestResubmitView.as_view(), name="request_resubmit"),
    path(f"{REQUEST}cancel/", RequestCancelView.as_view(), name="request_cancel"),
    path(f"{REQUEST}approve/", RequestApproveView.as_view(), name="request_approve"),
    path(f"{REQUEST}request-info/", RequestInfoView.as_view(), name="request_info"),
    path(f"{REQUEST}reject/", RequestRejectView.as_view(), name="request_reject"),
    path(f"{REQUEST}decline/", RequestDeclineView.as_view(), name="request_decline"),
]
