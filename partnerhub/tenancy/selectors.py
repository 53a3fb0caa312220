"""Reads of the tenancy core. Each selector owns its joins so pages run a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from partnerhub.tenancy.history import HistoryEntry, history_present
from partnerhub.tenancy.models import (
    INVITATION_OPEN,
    ApiKey,
    AuditEvent,
    Heartbeat,
    Invitation,
    Membership,
    Notification,
    Partner,
    Tenant,
    TenantVertical,
    User,
)
from partnerhub.tenancy.roles import OWNER_ROLES, STAFF_ROLES, invitable_roles
from partnerhub.tenancy.scoping import scope_for


def partner_list(*, tenant: Tenant) -> QuerySet[Partner]:
    # Meta.ordering is dropped from GROUP BY queries, so order explicitly.
    return (
        Partner.objects.filter(tenant=tenant)
        .select_related("account_manager")
        .annotate(user_count=Count("members", distinct=True))
        .order_by("name", "id")
    )


def partner_choices(*, tenant: Tenant) -> QuerySet[Partner]:
    """Partners to pick from in a form, by name."""
    return Partner.objects.filter(tenant=tenant).order_by("name")


def partner_get(*, tenant: Tenant, partner_id: int) -> Partner:
    return Partner.objects.get(tenant=tenant, id=partner_id)


def partner_counts(*, tenant: Tenant) -> dict[str, int]:
    """Partners in total, active, and per tier: one aggregate query."""
    return Partner.objects.filter(tenant=tenant).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=Partner.Status.ACTIVE)),
        one_to_one=Count("id", filter=Q(tier=Partner.Tier.ONE_TO_ONE)),
        one_to_few=Count("id", filter=Q(tier=Partner.Tier.ONE_TO_FEW)),
        one_to_many=Count("id", filter=Q(tier=Partner.Tier.ONE_TO_MANY)),
    )


def vertical_list(*, tenant: Tenant) -> QuerySet[TenantVertical]:
    """The tenant's verticals in their order, archived ones included (the settings page, the API)."""
    return TenantVertical.objects.filter(tenant=tenant).order_by("position", "id")


def vertical_choices(
    *, tenant: Tenant, keep: Iterable[str] = (), archived: bool = False
) -> list[tuple[str, str]]:
    """(value, label) of the verticals a picker offers and input may name: the active ones, in
    order. An archived one only where the row holds it already (`keep`): it keeps it, marked. A
    filter offers every one (`archived`): rows still hold the archived ones."""
    rows = vertical_list(tenant=tenant)
    if not archived:
        rows = rows.filter(Q(archived_at__isnull=True) | Q(value__in=[value for value in keep if value]))
    return [
        (value, f"{label} (archived)" if archived_at else label)
        for value, label, archived_at in rows.values_list("value", "label", "archived_at")
    ]


def vertical_labels(*, tenant: Tenant) -> dict[str, str]:
    """{value: label} of every vertical of the tenant, archived ones too: what rows show. One
    query for a whole page; a value the tenant has no vertical for shows as itself."""
    return dict(vertical_list(tenant=tenant).values_list("value", "label"))


def vertical_label_of(field: str) -> Subquery:
    """For `annotate()`: the label of the tenant's vertical that a row's `field` holds (NULL when
    the tenant has none by that value), read with the rows in the same query."""
    return Subquery(
        TenantVertical.objects.filter(tenant=OuterRef("tenant"), value=OuterRef(field)).values("label")[:1]
    )


def request_vertical_labels(request) -> dict[str, str]:
    """`vertical_labels` of the request's tenant, read once per request however many rows and
    templates show a vertical."""
    labels = getattr(request, "_vertical_labels", None)
    if labels is None:
        labels = request._vertical_labels = vertical_labels(tenant=request.tenant)
    return labels


def staff_users(*, tenant: Tenant) -> QuerySet[User]:
    """Vendor staff of the tenant (account managers are chosen among them)."""
    # One filter() call: both conditions hold on the same membership row.
    return User.objects.filter(memberships__tenant=tenant, memberships__role__in=STAFF_ROLES).order_by(
        "email"
    )


def owner_choices(*, tenant: Tenant, function: str, current_id: int | None = None) -> QuerySet[User]:
    """The people an owner picker offers, by name: staff members whose role does that work
    (`OWNER_ROLES`), all staff while nobody has such a role, and whoever owns it now."""
    members = Membership.objects.filter(tenant=tenant, role__in=STAFF_ROLES)
    fitting = members.filter(role__in=OWNER_ROLES[function])
    # One query: the fitting staff, or all staff while there are none (not a separate exists()).
    offered = Q(memberships__in=fitting) | (~Exists(fitting) & Q(memberships__in=members))
    if current_id is not None:
        offered |= Q(id=current_id, memberships__in=members)
    return (
        User.objects.filter(offered)
        .annotate(
            sort_name=Lower(Coalesce(NullIf("full_name", Value("")), "email", output_field=CharField()))
        )
        .order_by("sort_name", "id")
        .distinct()
    )


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def tenant_get(*, tenant_id: int) -> Tenant:
    return Tenant.objects.get(id=tenant_id)


def membership_list(*, tenant: Tenant) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=tenant).select_related("user", "partner")


def invitation_list(*, tenant: Tenant) -> QuerySet[Invitation]:
    return Invitation.objects.filter(tenant=tenant).select_related("partner", "invited_by")


def invitation_open_list(*, tenant: Tenant) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked (pending or expired), newest first."""
    return invitation_list(tenant=tenant).filter(**INVITATION_OPEN)


def invitation_manageable_list(*, tenant: Tenant, membership: Membership) -> QuerySet[Invitation]:
    """Invitations this member may resend or revoke: of roles they may invite, and for a partner
    admin only their own company's (the same rule as for sending one)."""
    invitations = scope_for(invitation_list(tenant=tenant), tenant=tenant, membership=membership)
    return invitations.filter(role__in=invitable_roles(membership.role))


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(tenant=tenant).select_related("created_by", "revoked_by", "partner")


def audit_event_list(*, tenant: Tenant) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(tenant=tenant).select_related("actor", "api_key", "target_type")


def audit_events_for(*, tenant: Tenant, target) -> QuerySet[AuditEvent]:
    """The trail of one object, newest first (indexed on tenant, target type, target id)."""
    return audit_event_list(tenant=tenant).filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    )


def audit_history_for(*, tenant: Tenant, target, limit: int = 10) -> list[HistoryEntry]:
    """The object's latest changes as people read them (the history card of its page)."""
    return history_present(tenant=tenant, events=audit_events_for(tenant=tenant, target=target)[:limit])


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """Every tenant a user belongs to (the tenant switcher): cross-tenant by nature, one user's rows."""
    if not user.is_authenticated:
        return Membership.unscoped.none()
    return (
        Membership.unscoped.across_tenants()
        .filter(user=user)
        .select_related("tenant", "partner")
        .order_by("tenant__name")
    )


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


def notification_list(*, tenant: Tenant, user: User) -> QuerySet[Notification]:
    """One member's own notifications, newest first (indexed on tenant, user, created_at). Never
    anyone else's, whatever the reader's role."""
    return Notification.objects.filter(tenant=tenant, user=user).order_by("-created_at", "-id")


def notification_unread_count(*, tenant: Tenant, user: User, membership: Membership) -> int:
    """The badge beside "Notifications": one COUNT query over the rows the page lists."""
    notifications = notification_list(tenant=tenant, user=user)
    return scope_for(notifications, tenant=tenant, membership=membership).filter(read_at__isnull=True).count()


def tenants_owning(rows: QuerySet) -> list[Tenant]:
    """The tenants owning the rows of a cross-tenant read (an `unscoped` queryset), in id order: how
    a sweep starts before it works tenant by tenant. The read runs as a statement of its own; as a
    subquery of the tenant query the database wall would hide its rows."""
    tenant_ids = list(rows.order_by().values_list("tenant_id", flat=True).distinct())
    return list(Tenant.objects.filter(id__in=tenant_ids).order_by("id"))
