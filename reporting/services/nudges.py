"""Plan-keyed nudges: "3 of your 12 named accounts have had no touch in 14 days" (docs/reporting.md,
"Nudges"). A daily sweep looks at every launched plan at least that many days old; its owner and its
follow-up owner (`plan_owners`) are told once per state, the state being the set of untouched named
accounts. The same set the next day tells no one; a different set (an account touched, another gone
quiet) tells them again; an empty set tells no one and is remembered, so the same accounts going
quiet later count as a change.

Each plan is decided under its row's lock, so two sweeps at once send one nudge."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import Plan, PlanAccount
from leads.models import Touch
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.selectors import tenants_owning
from partnerhub.tenancy.services.notifications import notification_create
from reporting.models import PlanNudge
from reporting.services.checkpoints import plan_owners

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
NAMES_SHOWN = 20


def untouched_days() -> int:
    return int(getattr(settings, "PARTNERHUB_NUDGE_UNTOUCHED_DAYS", 14))


def untouched_accounts(*, tenant: Tenant, plan_ids: list[int], since: datetime.datetime) -> dict:
    """{plan id: [(account id, name), …]}: the plans' named accounts with no touch on any of their
    leads since `since`, by name. One query for all the plans."""
    touched = Touch.objects.filter(
        tenant=tenant, lead__account_id=OuterRef("account_id"), occurred_at__gte=since
    )
    rows = (
        PlanAccount.objects.filter(tenant=tenant, plan_id__in=plan_ids)
        .exclude(Exists(touched))
        .order_by("plan_id", "account__name", "account_id")
        .values_list("plan_id", "account_id", "account__name")
    )
    found: dict[int, list] = {plan_id: [] for plan_id in plan_ids}
    for plan_id, account_id, name in rows:
        found[plan_id].append((account_id, name))
    return found


def plans_nudged_untouched(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """The daily sweep (cross-tenant): nudge the owners of each launched plan whose untouched set
    changed. Returns how many plans' owners were told."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=untouched_days())
    due = Plan.unscoped.filter(status=Plan.Status.LAUNCHED, launched_at__lte=since)
    told = 0
    for tenant in tenants_owning(due):
        try:
            with tenant_context(tenant):
                told += _nudge_tenant(tenant=tenant, now=now, since=since, batch=batch)
        except Exception:  # one tenant's trouble must not hold up everyone else's nudges
            logger.exception("Nudges of tenant %s failed; retried on the next run.", tenant.id)
    return told


def _nudge_tenant(*, tenant: Tenant, now: datetime.datetime, since: datetime.datetime, batch: int) -> int:
    """Every due plan of the tenant, `batch` at a time (one query for their untouched accounts each)."""
    due = (
        Plan.objects.filter(tenant=tenant, status=Plan.Status.LAUNCHED, launched_at__lte=since)
        .select_related("owner_partner_marketing", "created_by", "follow_up__sales_owner")
        .annotate(named_count=Count("plan_accounts"))
        .order_by("id")
    )
    told, after = 0, 0
    while plans := list(due.filter(id__gt=after)[:batch]):
        untouched = untouched_accounts(tenant=tenant, plan_ids=[plan.id for plan in plans], since=since)
        for plan in plans:
            told += _nudge_plan(tenant, plan, untouched[plan.id], now)
        after = plans[-1].id
    return told


@transaction.atomic
def _nudge_plan(tenant: Tenant, plan: Plan, accounts: list, now: datetime.datetime) -> int:
    # The plan's row lock makes a second sweep wait here, then read the state the first one wrote.
    Plan.objects.select_for_update().filter(tenant=tenant, id=plan.id).first()
    state = sorted(account_id for account_id, _ in accounts)
    last = PlanNudge.objects.filter(tenant=tenant, plan_id=plan.id).first()
    if last is not None and sorted(last.account_ids) == state:
        return 0
    if last is None and not state:
        return 0  # nothing to tell and nothing told before
    last = last or PlanNudge(tenant=tenant, plan_id=plan.id)
    last.account_ids, last.named_count, last.updated_at = state, plan.named_count, now
    if state:
        last.nudged_at = now
    last.save()
    if not state:
        return 0
    _tell(tenant, plan, [name for _, name in accounts])
    return 1


def nudge_title(plan: Plan, untouched: int, named: int) -> str:
    verb = "has" if untouched == 1 else "have"
    return (
        f"{untouched} of your {named} named accounts {verb} had no touch in {untouched_days()} days: {plan}"
    )


def _tell(tenant: Tenant, plan: Plan, names: list[str]) -> None:
    shown = names[:NAMES_SHOWN]
    body = "\n".join(
        [
            f"No touch (a meeting, an email reply, an event, a download, a visit) on the leads of these "
            f"named accounts of {plan} in the last {untouched_days()} days:",
            "",
            *(f"- {name}" for name in shown),
            *([f"… and {len(names) - len(shown)} more."] if len(names) > len(shown) else []),
        ]
    )
    title = nudge_title(plan, len(names), plan.named_count)
    url = reverse("accounts:plan_detail", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.id})
    for user in plan_owners(plan):
        try:
            notification_create(tenant=tenant, user=user, title=title, body=body, url=url)
        except ServiceError:  # the owner has left the tenant
            logger.info("Plan %s: %s is no longer a member.", plan.id, user.email)
