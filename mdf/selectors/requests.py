"""Reads of fund requests, the catalog and the proposal templates (docs/mdf.md, "Requests"): the
lists shared by the review queue, a partner's own requests and the API, with their aging computed
in SQL, and what a partner is offered to request from.

Aging: a request in review (submitted or resubmitted) longer than the tenant's
`RequestRules.aging_business_days` working days (Monday to Friday, in the tenant's time zone) is
aging. The cut-off is one instant computed once, so the flag is a column the queue filters and
sorts on, whatever the number of rows."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from mdf.models import (
    DEFAULT_AGING_BUSINESS_DAYS,
    IN_REVIEW,
    CatalogItem,
    FundRequest,
    ProposalTemplate,
    RequestAccount,
    RequestRules,
)
from partnerhub.tenancy.models import Partner, Tenant

DAY = datetime.timedelta(days=1)


def aging_business_days(*, tenant: Tenant) -> int:
    rules = RequestRules.objects.filter(tenant=tenant).only("aging_business_days").first()
    return rules.aging_business_days if rules else DEFAULT_AGING_BUSINESS_DAYS


def aging_cutoff(*, tenant: Tenant, days: int, now: datetime.datetime | None = None) -> datetime.datetime:
    """The instant `days` working days (Monday to Friday) before `now` in the tenant's time zone: a
    request in review since before it is aging. A weekend counts for nothing, so a request sent on
    Friday afternoon has aged one working day on Monday afternoon."""
    zone = zoneinfo.ZoneInfo(tenant.timezone)
    moment = (now or timezone.now()).astimezone(zone)
    while moment.weekday() >= 5:  # from a weekend, count from the Friday's end
        moment = datetime.datetime.combine(moment.date(), datetime.time.min, zone) - datetime.timedelta(
            microseconds=1
        )
    left = days
    while left:
        moment -= DAY
        if moment.weekday() < 5:
            left -= 1
    return moment  # aware arithmetic in one zone keeps the wall-clock time across a DST change


def request_list(*, tenant: Tenant, now: datetime.datetime | None = None) -> QuerySet[FundRequest]:
    """Every request of the tenant with what its rows show and `is_aging` (partner scope is the
    caller's: scope_for or a partner filter)."""
    cutoff = aging_cutoff(tenant=tenant, days=aging_business_days(tenant=tenant), now=now)
    return (
        FundRequest.objects.filter(tenant=tenant)
        .select_related("partner", "fund", "allocation", "catalog_item", "template", "plan", "program")
        .annotate(
            is_aging=ExpressionWrapper(
                Q(state__in=IN_REVIEW, in_review_since__lt=cutoff), output_field=BooleanField()
            )
        )
    )


def request_detail(*, tenant: Tenant, now: datetime.datetime | None = None) -> QuerySet[FundRequest]:
    """Requests with who made and who first approved them (the detail page and the API's retrieve)."""
    return request_list(tenant=tenant, now=now).select_related("created_by", "first_approved_by")


def request_accounts(*, tenant: Tenant, request: FundRequest) -> QuerySet[RequestAccount]:
    """The target accounts a request names, by name."""
    return (
        RequestAccount.objects.filter(tenant=tenant, request=request)
        .select_related("account")
        .order_by("account__name", "account_id")
    )


def catalog_offer(*, tenant: Tenant, partner: Partner | None = None) -> QuerySet[CatalogItem]:
    """The active catalog items, those serving the partner's tier when one is given."""
    items = CatalogItem.objects.filter(tenant=tenant, is_active=True)
    if partner is not None:
        items = items.filter(tiers__contains=[partner.tier])
    return items


def template_offer(*, tenant: Tenant) -> QuerySet[ProposalTemplate]:
    """The active proposal templates, with their play."""
    return ProposalTemplate.objects.filter(tenant=tenant, is_active=True).select_related("play")


def catalog_list(*, tenant: Tenant) -> QuerySet[CatalogItem]:
    """The whole catalog, active or not (the vendor's editor and API)."""
    return CatalogItem.objects.filter(tenant=tenant)


def template_list(*, tenant: Tenant) -> QuerySet[ProposalTemplate]:
    """Every proposal template, active or not, with its play (the vendor's editor and API)."""
    return ProposalTemplate.objects.filter(tenant=tenant).select_related("play")
