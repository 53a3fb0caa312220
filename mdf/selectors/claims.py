"""Reads of claims (docs/mdf.md, "Claims"): the lists shared by the review queue, a partner's own
claims and the API; a claim's files; the claim of a request."""

from __future__ import annotations

from django.db.models import QuerySet

from mdf.models import Claim, ClaimProof, ClaimState, FundRequest
from partnerhub.tenancy.models import Tenant


def claim_list(*, tenant: Tenant) -> QuerySet[Claim]:
    """Every claim of the tenant with what its rows show (partner scope is the caller's)."""
    return Claim.objects.filter(tenant=tenant).select_related(
        "request", "request__fund", "request__program", "request__plan__program", "partner", "fund"
    )


def claim_detail(*, tenant: Tenant) -> QuerySet[Claim]:
    return claim_list(tenant=tenant).select_related(
        "request__program", "request__plan__program", "request__fund", "decided_by", "created_by"
    )


def claim_files(*, tenant: Tenant, claim: Claim) -> list[ClaimProof]:
    """The claim's files, oldest first, each with `replaced` (a newer file replaces it)."""
    rows = list(
        ClaimProof.objects.filter(tenant=tenant, claim=claim)
        .select_related("proof", "proof__reviewed_by")
        .order_by("attached_at", "id")
    )
    replaced = {row.proof.replaces_id for row in rows if row.proof.replaces_id}
    for row in rows:
        row.replaced = row.proof_id in replaced
    return rows


def live_claim_of(*, tenant: Tenant, request: FundRequest) -> Claim | None:
    """The request's claim that is not rejected (at most one), if any."""
    return Claim.objects.filter(tenant=tenant, request=request).exclude(state=ClaimState.REJECTED).first()
