"""The claim-deadline notice (docs/mdf.md, "Claims"): daily from beat, across tenants, the users of
a partner whose approved request has not been claimed are told 7 days before its claim window
closes, once per request.

- Bounded: the due requests are read `batch` at a time; the deadline (the activity's last day plus
  the fund's claim window) is computed in SQL, so only due rows are read.
- Once: a ClaimReminder row per request, unique, written in the notice's transaction; a second run
  (or two at once) tells nobody again.
- A request with a live claim (a draft, or one submitted or approved) needs no notice."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef
from django.utils import timezone

from mdf.models import Claim, ClaimReminder, ClaimState, FundRequest, RequestState
from mdf.services.notices import tell_partner_users
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Tenant

NOTICE_DAYS = 7
SWEEP_BATCH = 500


def due_requests(*, today: datetime.date):
    """Approved requests (all tenants, `unscoped`) whose claim window closes within NOTICE_DAYS of
    `today`, not claimed, not told yet; the soonest deadline first."""
    live_claim = Claim.unscoped.filter(request_id=OuterRef("pk")).exclude(state=ClaimState.REJECTED)
    told = ClaimReminder.unscoped.filter(request_id=OuterRef("pk"))
    return (
        FundRequest.unscoped.filter(state=RequestState.APPROVED)
        .annotate(
            deadline=ExpressionWrapper(F("ends_on") + F("fund__claim_window_days"), output_field=DateField())
        )
        .filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=NOTICE_DAYS))
        .exclude(Exists(live_claim))
        .exclude(Exists(told))
        .order_by("deadline", "id")
    )


def _remind(tenant: Tenant, request: FundRequest, now: datetime.datetime) -> bool:
    try:
        with transaction.atomic():
            ClaimReminder.objects.create(tenant=tenant, request_id=request.id, sent_at=now)
            tell_partner_users(
                tenant=tenant,
                partner_id=request.partner_id,
                title=f"Claim by {request.deadline:%Y-%m-%d}: {request.title}",
                body=(
                    f"{request.amount_approved} {request.currency} approved; the claim window closes on "
                    f"{request.deadline:%Y-%m-%d}. Claim it with its proof of performance."
                ),
                url=f"/t/{tenant.slug}/mdf/requests/{request.id}/",
            )
    except IntegrityError:  # another run told them first
        return False
    return True


def claim_reminders_send(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """One run: the due requests, `batch` at a time, each told once. Returns how many were told."""
    now = now or timezone.now()
    today = now.date()
    told = 0
    while True:
        rows = list(
            due_requests(today=today).only(
                "id", "tenant_id", "partner_id", "title", "ends_on", "amount_approved", "currency"
            )[:batch]
        )
        if not rows:
            return told
        tenants = Tenant.objects.in_bulk({row.tenant_id for row in rows})
        sent = 0
        for row in rows:
            tenant = tenants[row.tenant_id]
            with tenant_context(tenant):
                sent += _remind(tenant, row, now)
        told += sent
        if len(rows) < batch or not sent:
            return told
