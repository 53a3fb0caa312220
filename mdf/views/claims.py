"""Claim pages (docs/mdf.md, "Claims").

Partner users: "my claims", a claim on an approved request (from the request's page), its files
(upload, replace a rejected one) and what is missing, submit. The vendor: every claim, the review
queue (the longest waiting first), each file reviewed on its own, then the decision (approve in
full or partially, reject) and the payment."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from mdf import services
from mdf.forms.claims import (
    ClaimApproveForm,
    ClaimFilter,
    ClaimForm,
    ClaimPayForm,
    ClaimRejectForm,
    PartnerClaimFilter,
    ProofReviewForm,
    ProofUploadForm,
)
from mdf.models import APPROVED_CLAIM, ClaimState, ProofKind
from mdf.selectors import request_detail
from mdf.selectors.claims import claim_detail, claim_files
from mdf.services.claims import (
    claim_ceiling,
    claim_deadline,
    claim_missing,
    replaceable_proofs,
    required_proof_kinds,
)
from mdf.views.common import REVIEW, DecisionPage, MdfView
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView
from partnerhub.tenancy.selectors import audit_history_for

VIEW, CLAIM = "mdf_request.view", "mdf_request.change"


def claim_url(tenant, claim) -> str:
    return reverse("mdf:claim_detail", kwargs={"tenant_slug": tenant.slug, "claim_id": claim.id})


class ClaimView(MdfView):
    permission = VIEW
    partner_permission = CLAIM
    queryset_selector = claim_detail


CSV_COLUMNS = [
    ("Request", "request.title"),
    ("Fund", "fund.name"),
    ("Claimed", "amount_claimed"),
    ("Approved", "amount_approved"),
    ("Currency", "currency"),
    ("State", "get_state_display"),
    ("Submitted", "submitted_at"),
    ("Decided", "decided_at"),
    ("Payment reference", "payment_reference"),
    ("Paid on", "paid_on"),
]


class ClaimListView(ClaimView, TenantListView):
    """My claims (a partner user's company's); the vendor's staff see every partner's."""

    template_name = "mdf/claims/claim_list.html"
    partial_template_name = "mdf/claims/_claim_table.html"
    csv_name = "mdf-claims"

    @property
    def filterset_class(self):
        return PartnerClaimFilter if self.partner else ClaimFilter

    @property
    def csv_columns(self):
        return CSV_COLUMNS if self.partner else [("Partner", "partner.name"), *CSV_COLUMNS]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            staff=self.partner is None, queue=False, reviewer=self.reviewer, **kwargs
        )


class ClaimQueueView(ClaimListView):
    """Submitted claims waiting for a decision (another state when one is picked), oldest first."""

    permission = REVIEW
    template_name = "mdf/claims/claim_queue.html"
    csv_name = "mdf-claim-queue"

    def allowed(self):
        return self.partner is None

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.GET.get("state"):
            queryset = queryset.filter(state=ClaimState.SUBMITTED)
        return queryset.order_by("submitted_at", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["queue"] = True
        return context


class ClaimCreateView(MdfView, ServiceFormView):
    """A claim on the partner's approved request (the request's own page links here)."""

    permission = CLAIM
    partner_permission = CLAIM
    queryset_selector = request_detail
    object_kwarg = "fund_request_id"
    template_name = "mdf/claims/claim_form.html"
    form_class = ClaimForm

    def allowed(self):
        return self.partner is not None

    def get_initial(self):
        request = self.object
        return {"amount_claimed": claim_ceiling(request)} if request.amount_approved else {}

    def get_context_data(self, **kwargs):
        request = self.object
        context = super().get_context_data(fund_request=request, **kwargs)
        if request.amount_approved:
            context.update(
                ceiling=claim_ceiling(request),
                deadline=claim_deadline(request),
                required=required_labels(request),
            )
        return context

    def save(self, data):
        return services.claim_create(
            tenant=self.tenant, actor=self.request.user, request_id=self.object.id, **data
        )

    def success_message(self, claim) -> str:
        return "Draft claim saved: add its proof of performance, then submit it."

    def saved_url(self, claim) -> str:
        return claim_url(self.tenant, claim)


def required_labels(request) -> list[str]:
    return [ProofKind(kind).label for kind in required_proof_kinds(request)]


class ClaimDetailView(ClaimView, TemplateView):
    object_kwarg = "claim_id"
    template_name = "mdf/claims/claim_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        files = claim_files(tenant=self.tenant, claim=claim)
        own = self.partner is not None and self.can(CLAIM)
        open_for_files = claim.state in (ClaimState.DRAFT, ClaimState.SUBMITTED)
        context.update(
            claim=claim,
            files=files,
            own=own,
            reviewer=self.reviewer,
            ceiling=claim_ceiling(claim.request),
            deadline=claim_deadline(claim.request),
            required=required_labels(claim.request),
            missing=claim_missing(self.tenant, claim, [row.proof for row in files if not row.replaced])
            if claim.state == ClaimState.DRAFT
            else [],
            upload_form=ProofUploadForm(rejected=replaceable_proofs(files))
            if own and open_for_files
            else None,
            review_form=ProofReviewForm() if self.reviewer and claim.state == ClaimState.SUBMITTED else None,
        )
        if self.partner is None:
            context["history"] = audit_history_for(tenant=self.tenant, target=claim)
        return context


class ClaimObjectView(ClaimView):
    object_kwarg = "claim_id"

    def success_url(self) -> str:
        return claim_url(self.tenant, self.object)

    def saved_url(self, claim) -> str:
        return claim_url(self.tenant, self.object)


class ClaimUpdateView(ClaimObjectView, ServiceFormView):
    permission = CLAIM
    template_name = "mdf/claims/claim_form.html"
    form_class = ClaimForm

    def allowed(self):
        return self.partner is not None

    def get_initial(self):
        return {"amount_claimed": self.object.amount_claimed, "note": self.object.note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(fund_request=self.object.request, claim=self.object, **kwargs)

    def save(self, data):
        return services.claim_update(
            tenant=self.tenant, actor=self.request.user, claim_id=self.object.id, **data
        )

    def success_message(self, claim) -> str:
        return "Saved."


class ProofUploadView(ClaimObjectView):
    """POST a file (multipart) to the claim; the answer is the claim's page saying how it went."""

    permission = CLAIM

    def allowed(self):
        return self.partner is not None

    def post(self, request, *args, **kwargs):
        rejected = replaceable_proofs(claim_files(tenant=self.tenant, claim=self.object))
        form = ProofUploadForm(request.POST, request.FILES, rejected=rejected)
        if not form.is_valid():
            errors = "; ".join(f"{error}" for field_errors in form.errors.values() for error in field_errors)
            messages.error(request, f"The file was not added: {errors}")
            return HttpResponseRedirect(self.success_url())
        try:
            proof = services.claim_upload_proof(
                tenant=self.tenant,
                actor=request.user,
                claim_id=self.object.id,
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                replaces_id=form.cleaned_data.get("replaces"),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{proof.original_name} is filed with the claim.")
        return HttpResponseRedirect(self.success_url())


class ClaimSubmitView(ClaimObjectView, TenantConfirmView):
    permission = CLAIM
    title = "Submit this claim?"
    confirm_label = "Submit"
    danger = False

    def allowed(self):
        return self.partner is not None

    def message(self):
        return "The vendor reviews each file, then approves the claim (in full or partially) or rejects it."

    def refusal(self):
        if self.object.state != ClaimState.DRAFT:
            return "Only a draft claim is submitted."
        missing = claim_missing(self.tenant, self.object)
        return ("Before it is sent: " + " ".join(missing)) if missing else ""

    def perform(self):
        services.claim_submit(tenant=self.tenant, actor=self.request.user, claim_id=self.object.id)
        return "Submitted: the vendor reviews it and lets you know."


class ProofReviewView(ClaimObjectView, ServiceFormView):
    """Accept or reject one file of a claim in review (a POST from the claim's page)."""

    permission = REVIEW
    form_class = ProofReviewForm
    template_name = "mdf/claims/proof_review.html"

    def allowed(self):
        # The file is looked up among the claim's own, after the claim was found in scope: 404 first.
        files = claim_files(tenant=self.tenant, claim=self.object)
        self.proof = next((row.proof for row in files if row.proof_id == self.kwargs["proof_file_id"]), None)
        if self.proof is None:
            raise Http404("No such file of this claim.")
        return self.partner is None

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.object, proof=self.proof, **kwargs)

    def save(self, data):
        if data["decision"] == "accept":
            return services.proof_accept(tenant=self.tenant, actor=self.request.user, proof_id=self.proof.id)
        return services.proof_reject(
            tenant=self.tenant, actor=self.request.user, proof_id=self.proof.id, reason=data["reason"]
        )

    def success_message(self, proof) -> str:
        return f"{proof.original_name}: {proof.get_review_state_display().lower()}."


class DecisionView(ClaimObjectView, DecisionPage):
    permission = REVIEW  # before ClaimView's in the MRO
    template_name = "mdf/claims/claim_decision.html"
    waiting_states = (ClaimState.SUBMITTED,)

    def get_context_data(self, **kwargs):
        return super().get_context_data(claim=self.object, **kwargs)


class ClaimApproveView(DecisionView):
    form_class = ClaimApproveForm
    title = "Approve this claim?"
    confirm_label = "Approve"

    def get_initial(self):
        return {"amount": self.object.amount_claimed}

    def save(self, data):
        return services.claim_approve(
            tenant=self.tenant,
            actor=self.request.user,
            claim_id=self.object.id,
            amount=data.get("amount"),
            reason=data.get("reason", ""),
        )

    def success_message(self, claim) -> str:
        amount = f"{claim.amount_approved} {claim.currency}"
        return f"{claim.get_state_display()}: {amount}; the rest of the request is released."


class ClaimRejectView(DecisionView):
    form_class = ClaimRejectForm
    title = "Reject this claim?"
    confirm_label = "Reject"
    danger = True

    def save(self, data):
        return services.claim_reject(
            tenant=self.tenant, actor=self.request.user, claim_id=self.object.id, reason=data["reason"]
        )

    def success_message(self, claim) -> str:
        return "Rejected: the partner is told why and may claim again while the window is open."


class ClaimPayView(DecisionView):
    form_class = ClaimPayForm
    title = "Record the payment"
    confirm_label = "Record payment"

    waiting_states = APPROVED_CLAIM

    def get_initial(self):
        return {"paid_on": timezone.localdate()}

    def save(self, data):
        return services.claim_pay(
            tenant=self.tenant, actor=self.request.user, claim_id=self.object.id, **data
        )

    def success_message(self, claim) -> str:
        return f"Paid: {claim.amount_approved} {claim.currency}, reference {claim.payment_reference}."


CLAIM_PATH = "mdf/claims/<int:claim_id>/"

urlpatterns = [
    path("mdf/claims/", ClaimListView.as_view(), name="claim_list"),
    path("mdf/claims/review/", ClaimQueueView.as_view(), name="claim_queue"),
    path("mdf/requests/<int:fund_request_id>/claim/", ClaimCreateView.as_view(), name="claim_create"),
    path(CLAIM_PATH, ClaimDetailView.as_view(), name="claim_detail"),
    path(f"{CLAIM_PATH}edit/", ClaimUpdateView.as_view(), name="claim_update"),
    path(f"{CLAIM_PATH}upload/", ProofUploadView.as_view(), name="claim_upload"),
    path(f"{CLAIM_PATH}submit/", ClaimSubmitView.as_view(), name="claim_submit"),
    path(
        f"{CLAIM_PATH}files/<int:proof_file_id>/review/", ProofReviewView.as_view(), name="claim_proof_review"
    ),
    path(f"{CLAIM_PATH}approve/", ClaimApproveView.as_view(), name="claim_approve"),
    path(f"{CLAIM_PATH}reject/", ClaimRejectView.as_view(), name="claim_reject"),
    path(f"{CLAIM_PATH}pay/", ClaimPayView.as_view(), name="claim_pay"),
]
