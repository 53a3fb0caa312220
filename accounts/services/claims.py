"""A partner's own account list (AccountClaim): recorded as the partner names it, matched to the
vendor's target accounts by domain out of the partner's sight.

The rules these functions keep: only a partner user keeps its company's list (staff map accounts
themselves), and what a partner is told never depends on whether the vendor holds a domain. A
matched claim records (or refreshes) the AccountMapping that ranks the partner; an unmatched one
waits, and matches when the vendor adds the account later (`claim_matching.claims_match`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import AccountClaim, AccountMapping
from accounts.rows import ClaimRow, NumberedRow, validate_rows
from accounts.services.claim_matching import match_claims
from accounts.services.upserts import UpsertReport
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import membership_of, user_of

CLAIM_FIELDS = ("company_name", "relationship", "notes")
NOT_A_PARTNER = (
    "A partner's list of accounts is its own: staff map accounts on the account mapping pages "
    "and at /api/v1/account-mappings/."
)


def acting_partner(*, tenant: Tenant, actor: Actor) -> Partner:
    """The company whose list the actor keeps (a partner's user or partner key); refused for staff,
    the vendor's API keys and the system."""
    if actor is None:
        raise PermissionDenied(NOT_A_PARTNER)
    membership = membership_of(tenant=tenant, user=actor)
    if not membership.is_partner_role:
        raise PermissionDenied(NOT_A_PARTNER)
    return membership.partner


def claims_record(*, tenant: Tenant, actor: Actor, rows: Sequence[NumberedRow]) -> UpsertReport:
    """Record the companies the actor's partner works with, one row each (see `rows.ClaimRow`),
    keyed by domain: a new domain is a new claim, a known one updates its name, relationship and
    notes. Only malformed rows are rejected; the report counts claims, never matches."""
    return _record(tenant=tenant, actor=actor, rows=rows)[0]


@transaction.atomic
def _record(*, tenant, actor, rows) -> tuple[UpsertReport, list[AccountClaim]]:
    partner = acting_partner(tenant=tenant, actor=actor)
    valid, rejected = validate_rows(ClaimRow, tenant=tenant, rows=rows)
    report = UpsertReport(rejected=rejected)
    existing = {
        claim.domain: claim
        for claim in AccountClaim.objects.select_for_update().filter(
            tenant=tenant, partner=partner, domain__in=[data["domain"] for _, data in valid]
        )
    }
    now, creator = timezone.now(), user_of(actor)
    new, changed, touched = [], [], []
    for _, data in valid:
        values = {
            "company_name": data.get("company", ""),
            "relationship": data.get("relationship") or AccountMapping.Relationship.RELATIONSHIP,
            "notes": data.get("notes", ""),
        }
        claim = existing.get(data["domain"])
        if claim is None:
            claim = AccountClaim(
                tenant=tenant,
                partner=partner,
                domain=data["domain"],
                created_by=creator,
                created_at=now,
                updated_at=now,
                **values,
            )
            new.append(claim)
        elif any(getattr(claim, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(claim, name, value)
            claim.updated_at = now
            changed.append(claim)
        else:
            report.unchanged += 1
        touched.append(claim)
    AccountClaim.objects.bulk_create(new)
    if changed:
        AccountClaim.objects.bulk_update(changed, [*CLAIM_FIELDS, "updated_at"])
    report.created, report.updated = len(new), len(changed)
    match_claims(tenant, touched)
    if report.created or report.updated:
        audit(
            tenant=tenant,
            actor=actor,
            action="claim.recorded",
            target=partner,
            after={"created": report.created, "updated": report.updated, "rejected": report.rejected_rows},
        )
    return report, touched


def claim_create(*, tenant: Tenant, actor: Actor, **fields) -> AccountClaim:
    """One company, as the portal form and the API send it."""
    row = {"domain": fields.get("domain", ""), "company": fields.get("company_name", "")}
    row.update({name: fields[name] for name in ("relationship", "notes") if name in fields})
    report, touched = _record(tenant=tenant, actor=actor, rows=[(1, row)])
    if report.rejected:
        first = report.rejected[0]
        raise ServiceError(
            first["reason"], field={"company": "company_name"}.get(first["column"], first["column"])
        )
    return touched[0]


@transaction.atomic
def claim_delete(*, tenant: Tenant, actor: Actor, claim_id: int) -> None:
    """The partner no longer works with the company: the claim goes, and the mapping it made."""
    partner = acting_partner(tenant=tenant, actor=actor)
    claim = AccountClaim.objects.select_for_update().get(tenant=tenant, partner=partner, id=claim_id)
    audit(
        tenant=tenant,
        actor=actor,
        action="claim.deleted",
        target=claim,
        before={"domain": claim.domain, "company_name": claim.company_name},
    )
    mapping_id = claim.mapping_id
    claim.delete()
    if mapping_id is not None:
        AccountMapping.objects.filter(
            tenant=tenant, id=mapping_id, source=AccountMapping.Source.PARTNER_UPLOAD
        ).delete()
