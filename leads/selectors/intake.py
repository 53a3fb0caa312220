"""The lookups of the bulk intake, for a whole chunk of arrivals at once: the same matches as
`program_for`, `account_for_domain` and `lead_for_key` (leads.selectors.leads) give one arrival,
in one query each whatever the number of rows."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db.models import Q
from django.db.models.functions import Upper

from accounts.models import Program, TargetAccount
from leads.domains import parent_domains
from leads.models import Lead, Touch
from partnerhub.tenancy.models import Tenant


def _matching_any_case(field: str, words: Collection[str]):
    """The tenant's programs whose `field` is any of `words` in any case (what `__iexact` matches,
    UPPER = UPPER), as one IN list rather than an OR per word."""
    return Program.objects.alias(matched=Upper(field)).filter(matched__in={word.upper() for word in words})


def programs_by_code(*, tenant: Tenant, tracking_codes: Collection[str]) -> dict[str, Program]:
    """{tracking code in upper case: the program}, matched in any case as `program_for` does."""
    if not tracking_codes:
        return {}
    found: dict[str, Program] = {}
    for program in _matching_any_case("tracking_code", tracking_codes).filter(tenant=tenant):
        found.setdefault(program.tracking_code.upper(), program)  # in the model's order: first() wins
    return found


def programs_by_campaign(*, tenant: Tenant, utm_campaigns: Collection[str]) -> dict[str, Program]:
    """{UTM campaign in upper case: the program}, for the campaigns exactly one program has."""
    if not utm_campaigns:
        return {}
    matches: dict[str, list[Program]] = {}
    for program in _matching_any_case("utm_campaign", utm_campaigns).filter(tenant=tenant):
        matches.setdefault(program.utm_campaign.upper(), []).append(program)
    return {campaign: programs[0] for campaign, programs in matches.items() if len(programs) == 1}


def accounts_by_domain(*, tenant: Tenant, domains: Collection[str]) -> dict[str, TargetAccount]:
    """{company domain: its target account}: the account with the domain, else with the nearest
    domain above it, as `account_for_domain` matches one."""
    candidates = {candidate for domain in domains for candidate in parent_domains(domain)}
    if not candidates:
        return {}
    accounts = {
        account.domain: account
        for account in TargetAccount.objects.filter(tenant=tenant, domain__in=candidates)
    }
    found = {}
    for domain in domains:
        account = next((accounts[name] for name in parent_domains(domain) if name in accounts), None)
        if account is not None:
            found[domain] = account
    return found


def leads_for_keys(
    *, tenant: Tenant, emails: Collection[str], external_ids: Collection[str], lock: bool = False
) -> list[Lead]:
    """The leads that hold any of `emails` or CRM ids, with their account and program."""
    if not emails and not external_ids:
        return []
    leads = Lead.objects.filter(Q(email__in=emails) | Q(external_id__in=external_ids), tenant=tenant)
    if lock:
        leads = leads.select_for_update(of=("self",))
    return list(leads.select_related("account", "program").order_by("id"))


def touch_keys(
    *, tenant: Tenant, lead_ids: Collection[int], times: Collection[datetime.datetime]
) -> set[tuple[int, str, datetime.datetime]]:
    """(lead id, kind, occurred_at) of the leads' touches at any of `times`: what a re-sent arrival
    would repeat."""
    if not lead_ids or not times:
        return set()
    return set(
        Touch.objects.filter(tenant=tenant, lead_id__in=lead_ids, occurred_at__in=times).values_list(
            "lead_id", "kind", "occurred_at"
        )
    )
