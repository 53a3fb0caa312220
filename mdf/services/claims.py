"""Claims on approved fund requests (docs/mdf.md, "Claims").

The rules kept here:
- A partner's users claim for their own company's approved request, after its activity ended and
  within the fund's claim window (the activity's last day plus `claim_window_days`, in the tenant's
  time zone). A claim never exceeds the approved amount times the fund's maximum reimbursement
  percentage (rounded down to the cent). One claim of a request is live at a time: a rejected one
  may be followed by another while the window is open.
- Proof of performance: the program's activation package says which files are required (its
  proof-of-performance component names them: invoice, attendee list, photos or screenshots, results
  report); with no program, an invoice. A claim is submitted once each required kind has a file
  that is not rejected; it is approved once each has an accepted one and no file waits for review.
  A rejected file is replaced by a new upload naming it, filed with the same claim.
- The vendor's fund managers ("mdf.change") approve in full, partially (less, with the reason) or
  reject (with the reason). Approval turns the approved amount from reserved into claimed, and
  releases what the request still holds reserved: one claim settles its request. Payment (a
  reference and a date) turns it into paid. Each movement goes through the ledger, under the fund's
  row lock, so it is never more than is there.
- Every transition is audited (before → after) and told: submitted to the partner managers,
  decided and paid to the partner's users.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from mdf.models import (
    APPROVED_CLAIM,
    Claim,
    ClaimProof,
    ClaimState,
    FundRequest,
    FundTranche,
    ProofFile,
    ProofKind,
    RequestState,
    ReviewState,
)
from mdf.selectors.claims import claim_files
from mdf.services.ledger import ledger_claim_approved, ledger_pay, ledger_release, money, require_fund_manager
from mdf.services.notices import tell_partner_managers, tell_partner_users
from mdf.services.proofs import proof_upload
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.services.common import membership_of, user_of

CENT = Decimal("0.01")
NOT_FOUND = "No such claim."
# Words of the package's proof-of-performance component that name each kind of file.
PROOF_WORDS = {
    ProofKind.INVOICE: ("invoice",),
    ProofKind.ATTENDEE_LIST: ("attendee list", "attendee-list", "list of attendees"),
    ProofKind.PHOTOS: ("photo", "screenshot"),
    ProofKind.RESULTS_REPORT: ("results report", "result report"),
}
DEFAULT_REQUIRED = (ProofKind.INVOICE,)


# --- what a claim must meet ----------------------------------------------------------------------


def required_proof_kinds(request: FundRequest) -> list[str]:
    """The kinds of file a claim on this request must bring: those the program's proof-of-performance
    component names (its "Evidence:" part when it has one), else an invoice."""
    program = request.program
    if program is None and request.plan_id is not None:
        program = getattr(request.plan, "program", None)
    text = ""
    if program is not None and isinstance(program.components, dict):
        text = str(program.components.get("proof_of_performance") or "")
    lowered = text.lower()
    if "evidence:" in lowered:
        lowered = lowered.split("evidence:", 1)[1]
    found = [kind for kind, words in PROOF_WORDS.items() if any(word in lowered for word in words)]
    return found or list(DEFAULT_REQUIRED)


def claim_ceiling(request: FundRequest) -> Decimal:
    """The most a claim on the request may ask: the approved amount times the fund's maximum
    reimbursement percentage, rounded down to the cent."""
    if request.amount_approved is None:  # not approved (or no longer): nothing to claim
        return Decimal("0.00")
    share = request.amount_approved * request.fund.max_reimbursement_percent / Decimal(100)
    return share.quantize(CENT, rounding=ROUND_DOWN)


def claim_deadline(request: FundRequest) -> datetime.date:
    """The last day a claim on the request may be made or submitted."""
    return request.ends_on + datetime.timedelta(days=request.fund.claim_window_days)


def _today(tenant: Tenant, now: datetime.datetime | None) -> datetime.date:
    return (now or timezone.now()).astimezone(tenant.zone).date()


def _check_window(tenant: Tenant, request: FundRequest, now) -> None:
    today = _today(tenant, now)
    if today <= request.ends_on:
        raise ServiceError(
            f"The activity ends on {request.ends_on:%Y-%m-%d}: claim it once it has taken place."
        )
    deadline = claim_deadline(request)
    if today > deadline:
        raise ServiceError(
            f"The claim window closed on {deadline:%Y-%m-%d} ({request.fund.claim_window_days} days after "
            f"the activity ended): this request can no longer be claimed."
        )


def _check_amount(request: FundRequest, amount: Decimal) -> Decimal:
    amount = money(amount, field="amount_claimed")
    ceiling = claim_ceiling(request)
    if amount > ceiling:
        percent = f"{request.fund.max_reimbursement_percent.normalize():f}"
        raise ServiceError(
            f"At most {ceiling} {request.currency} can be claimed: {percent} % of the "
            f"{request.amount_approved} {request.currency} approved.",
            field="amount_claimed",
        )
    return amount


def current_proofs(tenant: Tenant, claim: Claim) -> list[ProofFile]:
    """The claim's files that count: every file filed with it but those replaced by a newer one."""
    return [row.proof for row in claim_files(tenant=tenant, claim=claim) if not row.replaced]


def replaceable_proofs(files: list) -> list[ProofFile]:
    """Of a claim's files (`claim_files`), the rejected ones not replaced yet: what an upload may replace."""
    return [row.proof for row in files if row.proof.review_state == ReviewState.REJECTED and not row.replaced]


def claim_missing(tenant: Tenant, claim: Claim, proofs: list[ProofFile] | None = None) -> list[str]:
    """What the claim lacks before it can be submitted, in words (empty: nothing). `proofs`: its
    current files when the caller has read them already."""
    proofs = current_proofs(tenant, claim) if proofs is None else proofs
    have = {proof.kind for proof in proofs if proof.review_state != ReviewState.REJECTED}
    return [
        f"A file of kind “{ProofKind(kind).label.lower()}”."
        for kind in required_proof_kinds(claim.request)
        if kind not in have
    ]


def _review_blockers(tenant: Tenant, claim: Claim) -> list[str]:
    proofs = current_proofs(tenant, claim)
    waiting = [proof for proof in proofs if proof.review_state == ReviewState.PENDING]
    accepted = {proof.kind for proof in proofs if proof.review_state == ReviewState.ACCEPTED}
    blockers = [f"“{proof.original_name}” waits for review." for proof in waiting]
    blockers += [
        f"No accepted file of kind “{ProofKind(kind).label.lower()}”."
        for kind in required_proof_kinds(claim.request)
        if kind not in accepted
    ]
    return blockers


# --- who acts ------------------------------------------------------------------------------------


def _partner_of(tenant: Tenant, actor: Actor) -> int | None:
    if actor is None:
        return None
    membership = membership_of(tenant=tenant, user=actor)
    return membership.partner_id if membership.is_partner_role else None


def _require_partner(tenant: Tenant, actor: Actor) -> int:
    partner_id = _partner_of(tenant, actor)
    if partner_id is None:
        raise ServiceError("A partner's users make and submit its claims.")
    return partner_id


def _require_reviewer(tenant: Tenant, actor: Actor) -> None:
    if _partner_of(tenant, actor) is not None:
        raise ServiceError("Only the vendor's staff decide on claims.")
    require_fund_manager(tenant=tenant, actor=actor)


def _locked_claim(tenant: Tenant, claim_id: int, *, partner_id: int | None = None) -> Claim:
    claims = Claim.objects.select_for_update(of=("self",)).select_related(
        "request", "request__fund", "request__program", "request__plan", "fund", "partner"
    )
    claim = claims.filter(tenant=tenant, id=claim_id).first()
    if claim is None or (partner_id is not None and claim.partner_id != partner_id):
        raise ServiceError(NOT_FOUND)
    return claim


def _url(tenant: Tenant, claim: Claim) -> str:
    return f"/t/{tenant.slug}/mdf/claims/{claim.id}/"


def _move(tenant: Tenant, actor: Actor, claim: Claim, to_state: str, **changes) -> None:
    from_state = claim.state
    claim.state = to_state
    for name, value in changes.items():
        setattr(claim, name, value)
    claim.save(update_fields=["state", *changes, "updated_at"])
    shown = {
        name: str(value) if isinstance(value, (Decimal, datetime.date)) else getattr(value, "pk", value)
        for name, value in changes.items()
    }
    audit_transition(
        tenant=tenant,
        actor=actor,
        action=f"mdf.claim.{to_state}",
        target=claim,
        from_state=from_state,
        to_state=to_state,
        also=shown,
    )


# --- the partner's steps -------------------------------------------------------------------------


@transaction.atomic
def claim_create(
    *,
    tenant: Tenant,
    actor: Actor,
    request_id: int,
    amount_claimed: Decimal,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Claim:
    """A draft claim on the partner's approved request (the rules in the module docstring)."""
    partner_id = _require_partner(tenant, actor)
    request = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("fund", "program", "plan")
        .filter(tenant=tenant, id=request_id, partner_id=partner_id)
        .first()
    )
    if request is None:
        raise ServiceError("No such request.", field="request")
    if request.state != RequestState.APPROVED:
        raise ServiceError("Only an approved request is claimed.", field="request")
    if Claim.objects.filter(tenant=tenant, request=request).exclude(state=ClaimState.REJECTED).exists():
        raise ServiceError("This request has a claim already: open it.", field="request")
    if FundTranche.objects.filter(tenant=tenant, request=request).exists():
        raise ServiceError(
            "This request is paid in tranches tied to its plan's checkpoints: it is not claimed.",
            field="request",
        )
    _check_window(tenant, request, now)
    amount = _check_amount(request, amount_claimed)
    claim = Claim.objects.create(
        tenant=tenant,
        request=request,
        partner_id=partner_id,
        fund_id=request.fund_id,
        allocation_id=request.allocation_id,
        amount_claimed=amount,
        currency=request.currency,
        note=(note or "").strip()[:5000],
        created_by=user_of(actor),
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.claim.created",
        target=claim,
        after={"request": request.id, "amount_claimed": str(amount), "currency": claim.currency},
    )
    return claim


@transaction.atomic
def claim_update(
    *, tenant: Tenant, actor: Actor, claim_id: int, amount_claimed: Decimal, note: str = ""
) -> Claim:
    """Change a draft's amount or note."""
    claim = _locked_claim(tenant, claim_id, partner_id=_require_partner(tenant, actor))
    if claim.state != ClaimState.DRAFT:
        raise ServiceError(f"A claim that is {claim.get_state_display().lower()} cannot be changed.")
    amount = _check_amount(claim.request, amount_claimed)
    before = {"amount_claimed": str(claim.amount_claimed), "note": claim.note}
    claim.amount_claimed, claim.note = amount, (note or "").strip()[:5000]
    claim.save(update_fields=["amount_claimed", "note", "updated_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.claim.updated",
        target=claim,
        before=before,
        after={"amount_claimed": str(amount), "note": claim.note},
    )
    return claim


@transaction.atomic
def claim_upload_proof(
    *,
    tenant: Tenant,
    actor: Actor,
    claim_id: int,
    file,
    kind: str | None = None,
    replaces_id: int | None = None,
) -> ProofFile:
    """Upload a proof file and file it with the claim (a draft, or one in review: a rejected file is
    replaced while the vendor reviews). A replacement replaces a file of this claim."""
    claim = _locked_claim(tenant, claim_id, partner_id=_require_partner(tenant, actor))
    if claim.state not in (ClaimState.DRAFT, ClaimState.SUBMITTED):
        raise ServiceError(f"A claim that is {claim.get_state_display().lower()} takes no more files.")
    if (
        replaces_id is not None
        and not ClaimProof.objects.filter(tenant=tenant, claim=claim, proof_id=replaces_id).exists()
    ):
        raise ServiceError("No such proof file of this claim.", field="replaces")
    proof = proof_upload(tenant=tenant, actor=actor, file=file, kind=kind, replaces_id=replaces_id)
    ClaimProof.objects.create(tenant=tenant, claim=claim, proof=proof)
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.claim.proof_filed",
        target=claim,
        after={"proof": proof.id, "kind": proof.kind, "replaces": replaces_id},
    )
    if claim.state == ClaimState.SUBMITTED and replaces_id is not None:
        tell_partner_managers(
            tenant=tenant,
            partner=claim.partner,
            title=f"Proof replaced on a claim of {claim.partner.name}",
            body=f"{proof} replaces a rejected file.",
            url=_url(tenant, claim),
        )
    return proof


@transaction.atomic
def claim_submit(
    *, tenant: Tenant, actor: Actor, claim_id: int, now: datetime.datetime | None = None
) -> Claim:
    """Send a draft for review: within the window, with a file of each required kind."""
    claim = _locked_claim(tenant, claim_id, partner_id=_require_partner(tenant, actor))
    if claim.state != ClaimState.DRAFT:
        raise ServiceError("Only a draft claim is submitted.")
    _check_window(tenant, claim.request, now)
    _check_amount(claim.request, claim.amount_claimed)
    missing = claim_missing(tenant, claim)
    if missing:
        raise ServiceError("Before it is sent: " + " ".join(missing))
    _move(tenant, actor, claim, ClaimState.SUBMITTED, submitted_at=now or timezone.now())
    tell_partner_managers(
        tenant=tenant,
        partner=claim.partner,
        title=f"Claim from {claim.partner.name}: {claim.request.title}",
        body=f"{claim.amount_claimed} {claim.currency} claimed.",
        url=_url(tenant, claim),
    )
    return claim


# --- the vendor's decisions ----------------------------------------------------------------------


def _submitted(tenant: Tenant, actor: Actor, claim_id: int) -> Claim:
    _require_reviewer(tenant, actor)
    claim = _locked_claim(tenant, claim_id)
    if claim.state != ClaimState.SUBMITTED:
        raise ServiceError(
            f"This claim is {claim.get_state_display().lower()}: it is not waiting for a decision."
        )
    return claim


@transaction.atomic
def claim_approve(
    *,
    tenant: Tenant,
    actor: Actor,
    claim_id: int,
    amount: Decimal | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Claim:
    """Approve a submitted claim in full, or partially (less than claimed, with the reason): the
    approved amount becomes claimed money, and what the request still holds reserved is released."""
    claim = _submitted(tenant, actor, claim_id)
    blockers = _review_blockers(tenant, claim)
    if blockers:
        raise ServiceError("Review its files first: " + " ".join(blockers))
    amount = claim.amount_claimed if amount is None else money(amount)
    if amount > claim.amount_claimed:
        raise ServiceError(
            f"At most the {claim.amount_claimed} {claim.currency} claimed can be approved.", field="amount"
        )
    reason = " ".join(str(reason or "").split())
    partial = amount < claim.amount_claimed
    if partial and not reason:
        raise ServiceError("Say why it is approved for less than claimed.", field="reason")
    now = now or timezone.now()
    request = claim.request
    movement = {
        "tenant": tenant,
        "actor": actor,
        "fund_id": claim.fund_id,
        "allocation_id": claim.allocation_id,
    }
    ledger_claim_approved(**movement, amount=amount, concerns=claim, note=f"Claim {claim.id}", now=now)
    left = request.amount_approved - amount
    if left > 0:
        ledger_release(
            **movement,
            amount=left,
            concerns=request,
            note=f"Request {request.id} settled by claim {claim.id}",
            now=now,
        )
    state = ClaimState.PARTIALLY_APPROVED if partial else ClaimState.APPROVED
    _move(
        tenant,
        actor,
        claim,
        state,
        amount_approved=amount,
        decision_reason=reason,
        decided_at=now,
        decided_by=user_of(actor),
    )
    tell_partner_users(
        tenant=tenant,
        partner_id=claim.partner_id,
        title=f"Claim {'partially ' if partial else ''}approved: {request.title}",
        body=f"{amount} {claim.currency} approved of the {claim.amount_claimed} claimed."
        + (f" {reason}" if reason else ""),
        url=_url(tenant, claim),
    )
    return claim


@transaction.atomic
def claim_reject(*, tenant: Tenant, actor: Actor, claim_id: int, reason: str) -> Claim:
    """Reject a submitted claim, saying why: nothing moves, and the partner may claim again while
    the window is open."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ServiceError("Say why, for the partner.", field="reason")
    claim = _submitted(tenant, actor, claim_id)
    _move(
        tenant,
        actor,
        claim,
        ClaimState.REJECTED,
        decision_reason=reason[:5000],
        decided_at=timezone.now(),
        decided_by=user_of(actor),
    )
    tell_partner_users(
        tenant=tenant,
        partner_id=claim.partner_id,
        title=f"Claim rejected: {claim.request.title}",
        body=reason,
        url=_url(tenant, claim),
    )
    return claim


@transaction.atomic
def claim_pay(
    *,
    tenant: Tenant,
    actor: Actor,
    claim_id: int,
    payment_reference: str,
    paid_on: datetime.date,
    now: datetime.datetime | None = None,
) -> Claim:
    """Record the payment of an approved claim: its claimed money becomes paid."""
    _require_reviewer(tenant, actor)
    claim = _locked_claim(tenant, claim_id)
    if claim.state not in APPROVED_CLAIM:
        raise ServiceError(
            f"This claim is {claim.get_state_display().lower()}: only an approved claim is paid."
        )
    reference = " ".join(str(payment_reference or "").split())[:100]
    if not reference:
        raise ServiceError("Give the payment's reference.", field="payment_reference")
    if not isinstance(paid_on, datetime.date) or paid_on > _today(tenant, now):
        raise ServiceError("The day it was paid: today or earlier.", field="paid_on")
    ledger_pay(
        tenant=tenant,
        actor=actor,
        fund_id=claim.fund_id,
        allocation_id=claim.allocation_id,
        amount=claim.amount_approved,
        concerns=claim,
        note=f"Claim {claim.id} paid: {reference}",
        now=now,
    )
    _move(tenant, actor, claim, ClaimState.PAID, payment_reference=reference, paid_on=paid_on)
    tell_partner_users(
        tenant=tenant,
        partner_id=claim.partner_id,
        title=f"Claim paid: {claim.request.title}",
        body=f"{claim.amount_approved} {claim.currency} paid on {paid_on:%Y-%m-%d}, reference {reference}.",
        url=_url(tenant, claim),
    )
    return claim
