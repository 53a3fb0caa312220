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
    """Each claim whose domain a target account has gets its mapping: made, or the partner's
    existing one with its relationship and notes refreshed. A fixed number of queries, whatever
    the number of claims (a partner's upload holds thousands)."""
    accounts = {
        account.domain: account.id
        for account in TargetAccount.objects.filter(
            tenant=tenant, domain__in={claim.domain for claim in claims}
        ).only("id", "domain")
    }
    matched = [claim for claim in claims if claim.domain in accounts]
    if not matched:
        return 0
    existing = {
        (mapping.partner_id, mapping.account_id): mapping
        for mapping in AccountMapping.objects.filter(
            tenant=tenant,
            partner_id__in={claim.partner_id for claim in matched},
            account_id__in={accounts[claim.domain] for claim in matched},
        )
    }
    now = timezone.now()
    new, refreshed = {}, []
    for claim in matched:
        key = (claim.partner_id, accounts[claim.domain])
        mapping = existing.get(key) or new.get(key)
        if mapping is None:
            new[key] = AccountMapping(
                tenant=tenant,
                partner_id=claim.partner_id,
                account_id=key[1],
                relationship=claim.relationship,
                notes=claim.notes,
                source=AccountMapping.Source.PARTNER_UPLOAD,
                created_at=now,
                updated_at=now,
            )
        elif (mapping.relationship, mapping.notes) != (claim.relationship, claim.notes):
            mapping.relationship, mapping.notes, mapping.updated_at = claim.relationship, claim.notes, now
            refreshed.append(mapping)
    AccountMapping.objects.bulk_create(new.values())
    if refreshed:
        AccountMapping.objects.bulk_update(refreshed, ["relationship", "notes", "updated_at"])
    linked = []
    for claim in matched:
        key = (claim.partner_id, accounts[claim.domain])
        mapping = existing.get(key) or new[key]
        if claim.mapping_id != mapping.id:
            claim.mapping_id, claim.updated_at = mapping.id, now
            linked.append(claim)
    if linked:
        AccountClaim.objects.bulk_update(linked, ["mapping", "updated_at"])
    return len(matched)
