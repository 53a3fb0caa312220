"""A meeting with someone at a target account, logged in the portal by sales: the person's lead
(created or merged by email, like any arrival) gains a touch of kind meeting on that account, which
the plan checkpoints and scorecards count."""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts.models import TargetAccount
from leads.models import LeadSource, Touch, TouchKind
from leads.services.leads import lead_intake
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant


@transaction.atomic
def meeting_log(
    *,
    tenant: Tenant,
    actor: Actor,
    target_account_id: int,
    email: str,
    occurred_at: datetime.datetime,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    note: str = "",
) -> Touch:
    """Log a meeting with `email` of the account. The lead is matched to the account through the
    account's own domain, so the meeting counts for it whatever the address's domain."""
    account = TargetAccount.objects.filter(tenant=tenant, id=target_account_id).first()
    if account is None:
        raise ServiceError("Select a target account.", field="target_account")
    if not account.domain:
        raise ServiceError(
            f"{account.name} has no web domain: add one to log meetings.", field="target_account"
        )
    data = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "title": title,
        "company_name": account.name,
        "web_domain": account.domain,
        "touch_kind": TouchKind.MEETING,
        "occurred_at": occurred_at,
        "details": {"note": note} if note else {},
    }
    intake = lead_intake(tenant=tenant, actor=actor, data=data, source=LeadSource.SALES)
    if intake.touch is None:
        raise ServiceError("This meeting is already logged.", field="occurred_at")
    if intake.lead.account_id != account.id:
        raise ServiceError(
            f"{email} belongs to another account's lead: log the meeting there.", field="email"
        )
    return intake.touch
