"""Reads of deal registrations: the lists (the vendor's review queue, a partner's own), the conflict
check (in SQL), the conflicting rows shown side by side, the review SLA's aging, and the open
opportunities an approval can link to."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import OPEN_OPPORTUNITY_STAGES, Opportunity
from leads.business_time import WorkCalendar, business_time_between
from leads.domains import parent_domains, prefix_range
from leads.models import ConflictKind, DealRegistration
from leads.models.registrations import domain_key
from leads.selectors.calendars import calendar_for
from leads.selectors.leads import accounts_for_domain
from partnerhub.tenancy.models import Tenant

HOUR = datetime.timedelta(hours=1)


def registration_list(*, tenant: Tenant) -> QuerySet[DealRegistration]:
    """Every registration of the tenant with what its rows show (partner scope is the caller's)."""
    return DealRegistration.objects.filter(tenant=tenant).select_related("partner")


def registration_detail(*, tenant: Tenant) -> QuerySet[DealRegistration]:
    return registration_list(tenant=tenant).select_related(
        "account", "opportunity", "created_by", "decided_by"
    )


def _same_domain(domain: str) -> Q:
    """Registrations on the same account: the domain itself, its subdomains and the domains above it
    (`eu.acme.com` and `acme.com` are one account, whichever was registered)."""
    low, high = prefix_range(domain_key(domain))
    parents = [domain_key(parent) for parent in parent_domains(domain)[1:]]
    return Q(domain_key__gte=low, domain_key__lt=high) | Q(domain_key__in=parents)


def open_opportunities_on(*, tenant: Tenant, domain: str) -> QuerySet[Opportunity]:
    """Open (not closed won or lost) opportunities on the registration's customer accounts."""
    return (
        Opportunity.objects.filter(
            tenant=tenant,
            stage__in=OPEN_OPPORTUNITY_STAGES,
            account__in=accounts_for_domain(tenant=tenant, domain=domain, subdomains=True).values("id"),
        )
        .select_related("account", "source_partner")
        .order_by("-created_at", "-id")
    )


def registration_conflicts_find(
    *, tenant: Tenant, registration: DealRegistration, now: datetime.datetime
) -> list[dict]:
    """What a submission conflicts with, in two queries: registrations of the same account by
    another partner that are pending (submitted, under review) or approved and not expired; open
    opportunities on the account sourced by another partner; open direct opportunities (no source
    partner). Each as {"kind": …, "id": …}."""
    domain = registration.customer_domain
    held = (
        DealRegistration.objects.filter(_same_domain(domain), tenant=tenant)
        .exclude(partner_id=registration.partner_id)
        .filter(
            Q(state__in=DealRegistration.PENDING_STATES)
            | Q(state=DealRegistration.State.APPROVED, protection_ends_at__gt=now)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    conflicts = [{"kind": ConflictKind.REGISTRATION.value, "id": pk} for pk in held]
    opportunities = (
        open_opportunities_on(tenant=tenant, domain=domain)
        .exclude(source_partner_id=registration.partner_id)
        .order_by("id")
        .values_list("id", "source_partner_id")
    )
    for pk, source in opportunities:
        kind = ConflictKind.PARTNER_OPPORTUNITY if source else ConflictKind.DIRECT_OPPORTUNITY
        conflicts.append({"kind": kind.value, "id": pk})
    return conflicts


@dataclass(frozen=True)
class ConflictRows:
    """The rows a registration conflicted with, for the side-by-side review (staff only)."""

    registrations: list[DealRegistration]
    opportunities: list[Opportunity]


def registration_conflict_rows(*, tenant: Tenant, registration: DealRegistration) -> ConflictRows:
    """The stored conflicts as rows (two queries), as they are now; a row deleted since is left out."""
    by_kind: dict[str, list[int]] = {}
    for conflict in registration.conflicts or []:
        by_kind.setdefault(conflict["kind"], []).append(conflict["id"])
    registrations = list(
        registration_list(tenant=tenant)
        .filter(id__in=by_kind.get(ConflictKind.REGISTRATION, []))
        .order_by("id")
    )
    opportunity_ids = by_kind.get(ConflictKind.PARTNER_OPPORTUNITY, []) + by_kind.get(
        ConflictKind.DIRECT_OPPORTUNITY, []
    )
    opportunities = list(
        Opportunity.objects.filter(tenant=tenant, id__in=opportunity_ids)
        .select_related("account", "source_partner")
        .order_by("id")
    )
    return ConflictRows(registrations=registrations, opportunities=opportunities)


def review_calendar(*, tenant: Tenant) -> WorkCalendar:
    """The calendar the vendor's review SLA runs on: the tenant's default business calendar, else the
    built-in week (one query)."""
    return calendar_for(tenant=tenant)


@dataclass(frozen=True)
class Aging:
    """How a registration under review stands against its review SLA."""

    overdue: bool
    business_hours: int  # overdue by (or, when not overdue, left), whole business hours
    business_days: int  # overdue by whole working days (closed working days after the due instant)

    @property
    def text(self) -> str:
        if not self.overdue:
            return f"due in {_plural(self.business_hours, 'business hour')}"
        if self.business_days:
            return f"overdue by {_plural(self.business_days, 'business day')}"
        return f"overdue by {_plural(self.business_hours, 'business hour')}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def review_aging(
    *, registration: DealRegistration, calendar: WorkCalendar, now: datetime.datetime
) -> Aging | None:
    """Aging of a registration under review, in business time on `calendar` (no query): overdue by
    N business days once whole working days have closed past the due instant, else by N business
    hours (rounded down; due in N business hours while not overdue). None when not under review."""
    due = registration.review_due_at
    if registration.state != DealRegistration.State.UNDER_REVIEW or due is None:
        return None
    if now <= due:
        return Aging(False, int(business_time_between(now, due, calendar) / HOUR), 0)
    hours = int(business_time_between(due, now, calendar) / HOUR)
    days, day = 0, due.astimezone(calendar.zone).date()
    last = now.astimezone(calendar.zone).date()
    while day <= last:
        intervals = list(calendar.day_intervals(day))
        if intervals and due < intervals[-1][1] <= now:
            days += 1
        day += datetime.timedelta(days=1)
    return Aging(True, hours, days)
