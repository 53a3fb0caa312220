"""Follow-up nudges: sales hears about a follow-up commitment when it is due soon and when it is
overdue, once per state and due date, however often the sweep runs (DESIGN.md "Background work").
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.models import FollowUpCommitment, FollowUpNudge, Plan
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Membership, Tenant
from partnerhub.tenancy.selectors import tenants_owning
from partnerhub.tenancy.services.notifications import notification_create

logger = logging.getLogger(__name__)

# "Due soon" starts this many days before the due date (and lasts until the day itself).
DUE_SOON_DAYS = 2
SWEEP_BATCH = 200
# Plans whose follow-up commitment is live: agreed (ready) or running (launched).
NUDGED_PLAN_STATUSES = [Plan.Status.READY, Plan.Status.LAUNCHED]
# The latest local date anywhere on Earth (UTC+14) is at most one day after the UTC date.
LATEST_UTC_OFFSET = datetime.timedelta(hours=14)

OPEN_COMMITMENT = Q(done_at__isnull=True, plan__status__in=NUDGED_PLAN_STATUSES)


def _owner_is_member() -> Exists:
    """The sales owner still belongs to the tenant: someone who left is not emailed tenant news."""
    return Exists(
        Membership.unscoped.filter(tenant_id=OuterRef("tenant_id"), user_id=OuterRef("sales_owner_id"))
    )


def _nudged(state) -> Exists:
    """A nudge exists for the commitment's current due date in `state` (a value or an expression)."""
    return Exists(
        FollowUpNudge.unscoped.filter(
            tenant_id=OuterRef("tenant_id"),
            commitment_id=OuterRef("pk"),
            due_on=OuterRef("due_on"),
            state=state,
        )
    )


def _tenants_with_due_commitments(*, now: datetime.datetime) -> list[Tenant]:
    """Tenants that may have a nudge to send (cross-tenant). Uses the partial index on open
    commitments by due date; a commitment already nudged as overdue for its due date is finished."""
    horizon = (now + LATEST_UTC_OFFSET).date() + datetime.timedelta(days=DUE_SOON_DAYS)
    return tenants_owning(
        FollowUpCommitment.unscoped.filter(OPEN_COMMITMENT, due_on__lte=horizon)
        .filter(_owner_is_member())
        .exclude(_nudged(FollowUpNudge.State.OVERDUE))
    )


def _plan_url(tenant: Tenant, plan: Plan) -> str:
    return reverse("accounts:plan_detail", kwargs={"tenant_slug": tenant.slug, "plan_id": plan.id})


def _message(commitment: FollowUpCommitment, state: str, today: datetime.date) -> tuple[str, str]:
    plan, due = commitment.plan, f"{commitment.due_on:%A} {commitment.due_on.day} {commitment.due_on:%B %Y}"
    if state == FollowUpNudge.State.OVERDUE:
        title = f"Follow-up overdue: {plan}"
        lead = f"The follow-up calls to the attendees of {plan} were due on {due}."
    else:
        days = (commitment.due_on - today).days
        when = {0: "due today", 1: "due tomorrow"}.get(days, f"due in {days} days")
        title = f"Follow-up {when}: {plan}"
        lead = f"The follow-up calls to the attendees of {plan} are due on {due}."
    body = (
        f"{lead}\n\nTalk track:\n{commitment.talk_track}\n\n"
        "Mark the follow-up done on the plan once the calls are made."
    )
    return title, body


def _nudge_tenant(*, tenant: Tenant, today: datetime.date, limit: int) -> int:
    """One tenant's due nudges, at most `limit`, in one transaction. Rows another sweep holds are
    skipped (it is sending them); commitments already nudged for their state and due date are
    excluded in SQL. The unique key is the backstop: a duplicate that slips in anyway rolls back
    that one nudge (its savepoint), and nothing is sent for it."""
    state = Case(
        When(due_on__lt=today, then=Value(FollowUpNudge.State.OVERDUE)),
        default=Value(FollowUpNudge.State.DUE_SOON),
        output_field=CharField(),
    )
    due = (
        FollowUpCommitment.objects.filter(
            OPEN_COMMITMENT, tenant=tenant, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )
        .filter(_owner_is_member())
        .annotate(state=state)
        .exclude(_nudged(OuterRef("state")))
        .select_related("plan", "sales_owner")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("due_on", "id")[:limit]
    )
    sent = 0
    for commitment in due:
        try:
            with transaction.atomic():  # a savepoint: a duplicate rolls back this nudge only
                nudge = FollowUpNudge.objects.create(
                    tenant=tenant, commitment=commitment, state=commitment.state, due_on=commitment.due_on
                )
        except IntegrityError:
            logger.info("Follow-up %s: %s nudge already sent.", commitment.id, commitment.state)
            continue
        title, body = _message(commitment, commitment.state, today)
        notification_create(
            tenant=tenant,
            user=commitment.sales_owner,
            title=title,
            body=body,
            url=_plan_url(tenant, commitment.plan),
        )
        audit(
            tenant=tenant,
            actor=None,
            action="plan.follow_up_nudged",
            target=commitment.plan,
            after={
                "state": nudge.state,
                "due_on": nudge.due_on.isoformat(),
                "sales_owner": commitment.sales_owner.email,
            },
        )
        sent += 1
    return sent


def follow_up_nudges_send(*, today_for: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Nudge sweep (cross-tenant). A follow-up commitment that is not done, on a plan that is ready
    or launched, whose due date is at most two days away (due soon) or past (overdue), gets one
    nudge for that state and due date: a notification to its sales owner, in the app and by email.
    Run twice, it sends nothing new; a moved due date gets nudges of its own.

    "Today" is each tenant's local date at the instant `today_for` (default: now). At most `batch`
    nudges per run; the rest go out on the next run. Returns how many were sent."""
    now = today_for or timezone.now()
    sent = 0
    for tenant in _tenants_with_due_commitments(now=now):
        if sent >= batch:
            break
        try:
            with tenant_context(tenant), transaction.atomic():
                sent += _nudge_tenant(tenant=tenant, today=tenant.local_date(now), limit=batch - sent)
        except Exception:  # one tenant's trouble must not hold up everyone else's nudges
            logger.exception("Follow-up nudges of tenant %s failed; retried on the next run.", tenant.id)
    return sent
