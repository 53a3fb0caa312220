"""A partner's own account list (AccountClaim): recorded as the partner names it, matched to the
vendor's target accounts by domain out of the partner's sight.

The rule these functions keep: what a partner is told never depends on whether the vendor holds
a domain. A matched claim records (or refreshes) the AccountMapping that ranks the partner; an
unmatched one waits, and matches when the vendor adds the account later (`claims_match`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from accounts.models import AccountClaim, AccountMapping
from accounts.rows import ClaimRow, NumberedRow, validate_rows
from accounts.services.accounts import acting_partner_id, mapping_partner_check
from accounts.services.claim_matching import claims_match, match_claims
from accounts.services.upserts import UpsertReport
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import user_of

CLAIM_FIELDS = ("company_name", "relationship", "notes")


def claims_record(
    *, tenant: Tenant, actor: Actor, partner: Partner, rows: Sequence[NumberedRow]
) -> UpsertReport:
    """Record the companies a partner works with, one row each (see `rows.ClaimRow`), keyed by
    domain: a new domain is a new claim, a known one updates its name, relationship and notes.
    Only malformed rows are rejected; the report counts claims, never matches."""
    return _record(tenant=tenant, actor=actor, partner=partner, rows=rows)[0]


@transaction.atomic
def _record(*, tenant, actor, partner, rows) -> tuple[UpsertReport, list[AccountClaim]]:
    mapping_partner_check(tenant=tenant, actor=actor, partner=partner)
    valid, rejected = validate_rows(ClaimRow, tenant=tenant, rows=rows)
    report = UpsertReport(rejected=rejected)
    existing = {
        claim.domain: claim
        for claim in AccountClaim.objects.select_for_update().filter(
            tenant=tenant, partner=partner, domain__in=[data["domain"] for _, data in valid]
        )
    }
    touched = []
    for _, data in valid:
        values = {
            "company_name": data.get("company", ""),
            "relationship": data.get("relationship") or AccountMapping.Relationship.RELATIONSHIP,
            "notes": data.get("notes", ""),
        }
        claim = existing.get(data["domain"])
        if claim is None:
            claim = AccountClaim.objects.create(
                tenant=tenant, partner=partner, domain=data["domain"], created_by=user_of(actor), **values
            )
            existing[claim.domain] = claim
            report.created += 1
        elif any(getattr(claim, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(claim, name, value)
            claim.save(update_fields=[*CLAIM_FIELDS, "updated_at"])
            report.updated += 1
        else:
            report.unchanged += 1
        touched.append(claim)
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


def claim_create(*, tenant: Tenant, actor: Actor, partner: Partner, **fields) -> AccountClaim:
    """One company, as the portal form and the API send it."""
    row = {"domain": fields.get("domain", ""), "company": fields.get("company_name", "")}
    row.update({name: fields[name] for name in ("relationship", "notes") if name in fields})
    with transaction.atomic():
        report, touched = _record(tenant=tenant, actor=actor, partner=partner, rows=[(1, row)])
    if report.rejected:
        first = report.rejected[0]
        raise ServiceError(
            first["reason"], field={"company": "company_name"}.get(first["column"], first["column"])
        )
    return touched[0]


@transaction.atomic
def claim_delete(*, tenant: Tenant, actor: Actor, claim_id: int) -> None:
    """The partner no longer works with the company: the claim goes, and the mapping it made."""
    claim = AccountClaim.objects.select_for_update().get(tenant=tenant, id=claim_id)
    own = acting_partner_id(tenant=tenant, actor=actor)
    if own is not None and claim.partner_id != own:
        raise AccountClaim.DoesNotExist
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


__all__ = ["claim_create", "claim_delete", "claims_match", "claims_record"]
