"""Matching a partner's claims to the vendor's target accounts by domain. Below the account and
claim services (both call it), so it imports nothing of theirs."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from accounts.models import AccountClaim, AccountMapping, TargetAccount
from partnerhub.tenancy.models import Tenant


def claims_match(*, tenant: Tenant, accounts: Iterable[TargetAccount]) -> int:
    """Claims waiting for these (new or re-domained) accounts: matched now. Returns how many."""
    domains = {account.domain for account in accounts if account.domain}
    if not domains:
        return 0
    waiting = list(AccountClaim.objects.filter(tenant=tenant, domain__in=domains, mapping__isnull=True))
    return match_claims(tenant, waiting)


def match_claims(tenant: Tenant, claims: list[AccountClaim]) -> int:
    """Each claim whose domain a target account has gets its mapping (made, or the partner's
    existing one, its relationship and notes refreshed)."""
    accounts = {
        account.domain: account
        for account in TargetAccount.objects.filter(
            tenant=tenant, domain__in={claim.domain for claim in claims}
        )
    }
    matched = 0
    now = timezone.now()
    for claim in claims:
        account = accounts.get(claim.domain)
        if account is None:
            continue
        mapping, created = AccountMapping.objects.get_or_create(
            tenant=tenant,
            partner_id=claim.partner_id,
            account=account,
            defaults={
                "relationship": claim.relationship,
                "notes": claim.notes,
                "source": AccountMapping.Source.PARTNER_UPLOAD,
                "created_at": now,
            },
        )
        if not created and (mapping.relationship, mapping.notes) != (claim.relationship, claim.notes):
            mapping.relationship, mapping.notes = claim.relationship, claim.notes
            mapping.save(update_fields=["relationship", "notes", "updated_at"])
        if claim.mapping_id != mapping.id:
            claim.mapping = mapping
            claim.save(update_fields=["mapping", "updated_at"])
        matched += 1
    return matched
