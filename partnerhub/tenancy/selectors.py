"""Reads of the tenancy core. Each selector owns its joins so pages run a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet
from django.utils import timezone

from partnerhub.tenancy.models import (
    ApiKey,
    AuditEvent,
    Heartbeat,
    Invitation,
    Membership,
    Partner,
    Tenant,
    User,
)


def partner_list(*, tenant: Tenant) -> QuerySet[Partner]:
    # Meta.ordering is dropped from GROUP BY queries, so order explicitly.
    return (
        Partner.objects.filter(tenant=tenant)
        .annotate(user_count=Count("members", distinct=True))
        .order_by("name", "id")
    )


def membership_list(*, tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user", "partner")


def invitation_list(*, tenant: Tenant) -> QuerySet[Invitation]:
    return Invitation.objects.filter(tenant=tenant).select_related("partner", "invited_by")


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).select_related("created_by", "revoked_by")


def audit_event_list(*, tenant: Tenant) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(tenant=tenant).select_related("actor", "api_key", "target_type")


def audit_events_for(*, tenant: Tenant, target) -> QuerySet[AuditEvent]:
    """The trail of one object, newest first (indexed on tenant, target type, target id)."""
    return audit_event_list(tenant=tenant).filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    )


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """Every tenant a user belongs to (the tenant switcher): cross-tenant by nature, one user's rows."""
    if not user.is_authenticated:
        return Membership.unscoped.none()
    return Membership.unscoped.filter(user=user).select_related("tenant", "partner").order_by("tenant__name")


def user_membership(*, user: User, tenant_slug: str) -> Membership | None:
    """The user's membership in the tenant with this slug; None when either does not exist."""
    return (
        Membership.unscoped.select_related("tenant", "partner")
        .filter(user=user, tenant__slug=tenant_slug)
        .first()
    )


def heartbeat_status() -> dict:
    """Is the Celery worker (and the beat that schedules the heartbeat) alive?"""
    heartbeat = Heartbeat.objects.filter(name="celery").first()
    if heartbeat is None:
        return {"alive": False, "last_run_at": None, "age_seconds": None, "hostname": "", "runs": 0}
    age = timezone.now() - heartbeat.last_run_at
    return {
        "alive": age <= timedelta(seconds=settings.PARTNERHUB_HEARTBEAT_STALE_SECONDS),
        "last_run_at": heartbeat.last_run_at,
        "age_seconds": int(age.total_seconds()),
        "hostname": heartbeat.worker_hostname,
        "runs": heartbeat.run_count,
    }
