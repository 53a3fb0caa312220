"""What needs doing, for the vendor's staff on the home page: plans waiting on a decision,
checkpoints due this week, follow-ups due, SLA breaches, MDF requests and claims to review.

Each section is one query whatever the number of rows: its first rows carry the total as a window
count, so the page shows "12" and the first five without a second COUNT."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils import timezone

from accounts.models import Checkpoint, FollowUpCommitment, Plan
from leads.selectors.inbox import handoff_list
from mdf.models import IN_REVIEW, Claim, FundRequest
from mdf.models.claims import ClaimState
from partnerhub.tenancy.models import Membership, Tenant
from partnerhub.tenancy.roles import can

SHOWN = 5
# "This week": the next seven days in the tenant's time zone, today included.
WEEK = datetime.timedelta(days=7)


@dataclass
class TodoRow:
    label: str
    url: str
    detail: str = ""
    when: datetime.date | datetime.datetime | None = None
    late: bool = False


@dataclass
class TodoSection:
    key: str
    title: str
    empty: str
    all_url: str = ""
    total: int = 0
    rows: list[TodoRow] = field(default_factory=list)


def _first(queryset: QuerySet) -> tuple[list, int]:
    """The first rows of `queryset` and the total it matches, in one query."""
    rows = list(queryset.annotate(home_total=Window(Count("id")))[:SHOWN])
    return rows, (rows[0].home_total if rows else 0)


def _section(key, title, empty, queryset, row, all_url="") -> TodoSection:
    rows, total = _first(queryset)
    return TodoSection(
        key=key, title=title, empty=empty, all_url=all_url, total=total, rows=[row(r) for r in rows]
    )


def staff_todo(
    *, tenant: Tenant, membership: Membership, now: datetime.datetime | None = None
) -> list[TodoSection]:
    """The sections the member's role may act on or read, in the order of the plan's life."""
    now = now or timezone.now()
    today = tenant.local_date(now)
    slug = tenant.slug
    sections = []
    if can(membership.role, "plan.view"):
        sections.append(
            _section(
                "plans",
                "Plans waiting on a decision",
                "No plan is waiting to be launched.",
                Plan.objects.filter(tenant=tenant, status=Plan.Status.READY)
                .select_related("partner")
                .order_by("updated_at", "id"),
                lambda plan: TodoRow(
                    label=str(plan),
                    url=reverse("accounts:plan_detail", args=[slug, plan.id]),
                    detail=f"Ready to launch · {plan.partner or 'no partner'} · {plan.quarter_label}",
                ),
                reverse("accounts:plan_list", args=[slug]) + "?status=ready",
            )
        )
        sections.append(
            _section(
                "checkpoints",
                "Checkpoints due this week",
                "No checkpoint falls due in the next seven days.",
                Checkpoint.objects.filter(
                    tenant=tenant,
                    frozen_at__isnull=True,
                    plan__launched_at__isnull=False,
                    due_on__lt=today + WEEK,
                )
                .select_related("plan__partner")
                .order_by("due_on", "id"),
                lambda checkpoint: TodoRow(
                    label=f"{checkpoint.plan}: day {checkpoint.day}",
                    url=reverse("accounts:plan_detail", args=[slug, checkpoint.plan_id]),
                    detail=checkpoint.plan.partner.name if checkpoint.plan.partner else "",
                    when=checkpoint.due_on,
                    late=checkpoint.due_on < today,
                ),
                reverse("reporting:checkpoint_list", args=[slug]),
            )
        )
        sections.append(
            _section(
                "follow_ups",
                "Follow-ups due",
                "No sales follow-up is due in the next seven days.",
                FollowUpCommitment.objects.filter(
                    tenant=tenant,
                    done_at__isnull=True,
                    plan__launched_at__isnull=False,
                    plan__status=Plan.Status.LAUNCHED,
                    due_on__lt=today + WEEK,
                )
                .select_related("plan", "sales_owner")
                .order_by("due_on", "id"),
                lambda follow_up: TodoRow(
                    label=str(follow_up.plan),
                    url=reverse("accounts:plan_detail", args=[slug, follow_up.plan_id]),
                    detail=f"Owner: {follow_up.sales_owner.display_name}",
                    when=follow_up.due_on,
                    late=follow_up.due_on < today,
                ),
            )
        )
    if can(membership.role, "handoff.view"):
        sections.append(
            _section(
                "sla_breaches",
                "SLA breaches",
                "No handoff is past its SLA.",
                handoff_list(tenant=tenant).filter(deadline_at__lte=now),
                lambda handoff: TodoRow(
                    label=handoff.lead.full_name or handoff.lead.email,
                    url=reverse("leads:handoff_detail", args=[slug, handoff.id]),
                    detail=f"{handoff.partner.name} · {handoff.get_state_display()}",
                    when=handoff.deadline_at,
                    late=True,
                ),
                reverse("leads:handoff_list", args=[slug]) + "?sla=breached",
            )
        )
    if can(membership.role, "mdf.view"):
        sections.append(
            _section(
                "mdf_requests",
                "MDF requests to review",
                "No MDF request is waiting for review.",
                FundRequest.objects.filter(tenant=tenant, state__in=IN_REVIEW)
                .select_related("partner")
                .order_by("in_review_since", "id"),
                lambda request: TodoRow(
                    label=request.title,
                    url=reverse("mdf:request_detail", args=[slug, request.id]),
                    detail=f"{request.partner.name} · {request.get_state_display()}",
                    when=request.in_review_since,
                ),
                reverse("mdf:request_queue", args=[slug]),
            )
        )
        sections.append(
            _section(
                "mdf_claims",
                "MDF claims to review",
                "No claim is waiting for review.",
                Claim.objects.filter(tenant=tenant, state=ClaimState.SUBMITTED)
                .select_related("partner", "request")
                .order_by("submitted_at", "id"),
                lambda claim: TodoRow(
                    label=claim.request.title,
                    url=reverse("mdf:claim_detail", args=[slug, claim.id]),
                    detail=claim.partner.name,
                    when=claim.submitted_at,
                ),
                reverse("mdf:claim_queue", args=[slug]),
            )
        )
    return sections
