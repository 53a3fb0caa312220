"""Reads of leads and their touches, and the lookups the intake matches arrivals with. Each list
selector owns its joins, so a page runs the same number of queries whatever its number of rows."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from accounts.models import Program, TargetAccount
from leads.domains import parent_domains, prefix_range
from leads.models import Lead, Touch
from partnerhub.tenancy.models import Tenant


def lead_list(*, tenant: Tenant) -> QuerySet[Lead]:
    return Lead.objects.filter(tenant=tenant).select_related("account", "program")


def lead_touches(*, tenant: Tenant, lead: Lead) -> QuerySet[Touch]:
    """A lead's engagement history, newest first."""
    return (
        Touch.objects.filter(tenant=tenant, lead=lead)
        .select_related("program")
        .order_by("-occurred_at", "-id")
    )


def lead_program_choices(*, tenant: Tenant) -> QuerySet[Program]:
    """Programs a lead list can be filtered by (filters, API input)."""
    return Program.objects.filter(tenant=tenant).order_by("-launched_at", "-id")


def accounts_for_domain(*, tenant: Tenant, domain: str, subdomains: bool = False) -> QuerySet[TargetAccount]:
    """The one domain matcher of target accounts: the account of `domain` itself and those of the
    domains above it (`eu.acme.com` → `acme.com`), with `subdomains` those below it too
    (`acme.com` → `eu.acme.com`). Both halves use an index: the exact names the (tenant, domain)
    unique index, the subdomains a range of the stored reversed domain (account_domain_reversed_idx)."""
    match = Q(domain__in=parent_domains(domain))
    if subdomains and domain:
        low, high = prefix_range(f".{domain}"[::-1])
        match |= Q(reversed_domain__gte=low, reversed_domain__lt=high)
    return TargetAccount.objects.filter(match, tenant=tenant)


def account_for_domain(*, tenant: Tenant, domain: str) -> TargetAccount | None:
    """The target account of a company domain: the account with that domain, else with the nearest
    domain above it (`eu.acme.com` → `acme.com`); None for "" or no account."""
    if not domain:
        return None
    return accounts_for_domain(tenant=tenant, domain=domain).order_by(Length("domain").desc()).first()


def program_for(*, tenant: Tenant, tracking_code: str = "", utm_campaign: str = "") -> Program | None:
    """The program an arrival came through: by its tracking code (any case), else by its UTM
    campaign when exactly one program of the tenant has that campaign (UTM is free text: a
    campaign shared by two programs names neither)."""
    if tracking_code:
        return Program.objects.filter(tenant=tenant, tracking_code__iexact=tracking_code).first()
    if utm_campaign:
        matches = list(Program.objects.filter(tenant=tenant, utm_campaign__iexact=utm_campaign)[:2])
        return matches[0] if len(matches) == 1 else None
    return None


def lead_for_key(*, tenant: Tenant, email: str, external_id: str = "", lock: bool = False) -> Lead | None:
    """The lead an arrival is about: by CRM id when it has one that a lead holds, else by email
    (None without one)."""
    leads = Lead.objects.filter(tenant=tenant)
    if lock:
        leads = leads.select_for_update(of=("self",))
    if external_id:
        lead = leads.filter(external_id=external_id).first()
        if lead is not None:
            return lead
    return leads.filter(email=email).first() if email else None
