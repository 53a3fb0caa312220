"""Writes of the tenancy core: tenant settings, partners, invitations, memberships, API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import ApiKey, Heartbeat, Invitation, Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import PARTNER_ROLES, Role, invitable_roles

TENANT_FIELDS = ["name", "timezone", "default_sla_hours", "require_mfa_for_staff"]
PARTNER_FIELDS = [
    "name",
    "website",
    "tier",
    "status",
    "verticals",
    "regions",
    "certifications",
    "has_marketing_automation",
    "description",
    "account_manager",
]


def _check_account_manager(tenant: Tenant, fields: dict) -> None:
    manager = fields.get("account_manager")
    if manager is None:
        return
    staff = Membership.objects.filter(tenant=tenant, user=manager).exclude(role__in=PARTNER_ROLES)
    if not staff.exists():
        raise ServiceError(
            "The account manager must be a vendor staff member of this tenant.", field="account_manager"
        )


def _save_validated(instance, *, update_fields: list[str] | None = None) -> None:
    """Validate like a form would (field rules and constraints), then save.

    A concurrent insert can still trip a unique constraint between check and save; it is reported
    as the same validation error rather than a 500.
    """
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise ValidationError("This conflicts with an existing record; reload and try again.") from exc


# --- Tenant -------------------------------------------------------------------------------------


@transaction.atomic
def tenant_update(*, tenant: Tenant, actor: Actor, **fields) -> Tenant:
    """Change the tenant's name, time zone, default SLA or MFA rule (tenant admins only)."""
    tenant = Tenant.objects.select_for_update().get(id=tenant.id)
    before = snapshot(tenant, TENANT_FIELDS)
    for name, value in fields.items():
        if name not in TENANT_FIELDS:
            raise ServiceError(f"{name} cannot be changed here.")
        setattr(tenant, name, value)
    _save_validated(tenant, update_fields=list(fields))
    audit(
        tenant=tenant,
        actor=actor,
        action="tenant.updated",
        target=tenant,
        before=before,
        after=snapshot(tenant, TENANT_FIELDS),
    )
    return tenant


# --- Partners -----------------------------------------------------------------------------------


@transaction.atomic
def partner_create(*, tenant: Tenant, actor: Actor, **fields) -> Partner:
    """Add a partner company. Names are unique in a tenant, whatever their case."""
    _check_account_manager(tenant, fields)
    partner = Partner(tenant=tenant, **fields)
    _save_validated(partner)
    audit(
        tenant=tenant,
        actor=actor,
        action="partner.created",
        target=partner,
        after=snapshot(partner, PARTNER_FIELDS),
    )
    return partner


@transaction.atomic
def partner_update(*, tenant: Tenant, actor: Actor, partner_id: int, **fields) -> Partner:
    """Change a partner's profile; the audit event keeps the values before and after."""
    partner = Partner.objects.select_for_update().get(tenant=tenant, id=partner_id)
    _check_account_manager(tenant, fields)
    before = snapshot(partner, PARTNER_FIELDS)
    for name, value in fields.items():
        if name not in PARTNER_FIELDS:
            raise ServiceError(f"{name} cannot be changed here.")
        setattr(partner, name, value)
    _save_validated(partner, update_fields=[*fields, "updated_at"])
    after = snapshot(partner, PARTNER_FIELDS)
    if after != before:
        audit(
            tenant=tenant, actor=actor, action="partner.updated", target=partner, before=before, after=after
        )
    return partner


@transaction.atomic
def partner_delete(*, tenant: Tenant, actor: Actor, partner_id: int) -> None:
    """Delete a partner that nobody logs in for; a partner with users is set inactive instead."""
    partner = Partner.objects.select_for_update().get(tenant=tenant, id=partner_id)
    if Membership.objects.filter(tenant=tenant, partner=partner).exists():
        raise ServiceError(
            f"{partner.name} still has users. Remove them first, "
            "or set the partner inactive to keep its history."
        )
    before = snapshot(partner, PARTNER_FIELDS)
    audit(tenant=tenant, actor=actor, action="partner.deleted", target=partner, before=before)
    partner.delete()


# --- Invitations --------------------------------------------------------------------------------

INVITATION_SALT = "partnerhub.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The secret in the invitation link: signed with SECRET_KEY, bound to the current nonce."""
    return signing.dumps({"id": invitation.id, "nonce": invitation.nonce}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation a link points to, or None for a forged, stale, used or expired link."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    # Called before any tenant is known: the token itself says which invitation (and tenant).
    invitation = Invitation.unscoped.select_related("tenant", "partner").filter(id=data.get("id")).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("nonce", ""))):
        return None
    if invitation.status != Invitation.Status.PENDING:
        return None
    return invitation


def _check_invitation(*, tenant: Tenant, inviter: Membership, email: str, role: str, partner: Partner | None):
    if role not in invitable_roles(inviter.role):
        raise ServiceError("Your role cannot invite people with this role.", field="role")
    if inviter.is_partner_role and partner is not None and partner.id != inviter.partner_id:
        raise ServiceError("You can invite people of your own company only.", field="partner")
    if role in PARTNER_ROLES and partner is None:
        raise ServiceError("Choose the partner company this person works for.", field="partner")
    if role not in PARTNER_ROLES and partner is not None:
        raise ServiceError("Vendor staff do not belong to a partner company.", field="partner")
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of {tenant.name}.", field="email")


@transaction.atomic
def invitation_create(
    *, tenant: Tenant, actor: User, email: str, role: str, partner: Partner | None = None
) -> Invitation:
    """Invite someone by email. Tenant admins invite anyone; partner managers and channel invite
    partner users; a partner admin invites colleagues of their own company. The inviter's role is
    read from their membership, never taken from the caller.

    The email is sent by a task after commit; if the broker is down the invitation stays unsent
    and the periodic sweep sends it later.
    """
    inviter = Membership.objects.filter(tenant=tenant, user=actor).select_related("partner").first()
    if inviter is None:
        raise ServiceError("Only members of this tenant can invite.")
    if inviter.is_partner_role and partner is None:
        partner = inviter.partner
    email = email.strip().lower()
    _check_invitation(tenant=tenant, inviter=inviter, email=email, role=role, partner=partner)
    open_invitation = (
        Invitation.objects.select_for_update()
        .filter(tenant=tenant, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if open_invitation is not None and open_invitation.status == Invitation.Status.PENDING:
        raise ServiceError(f"{email} already has a pending invitation; resend it instead.", field="email")
    if open_invitation is not None:  # expired: retire it so the new one can take its place
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
    invitation = Invitation.objects.create(
        tenant=tenant,
        email=email,
        role=role,
        partner=partner,
        invited_by=actor,
        nonce=secrets.token_hex(16),
        expires_at=timezone.now() + timedelta(days=settings.PARTNERHUB_INVITATION_DAYS),
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="invitation.created",
        target=invitation,
        after={"email": email, "role": role, "partner": partner.id if partner else None},
    )
    _send_invitation_after_commit(invitation)
    return invitation


def _send_invitation_after_commit(invitation: Invitation) -> None:
    from partnerhub.tenancy.tasking import enqueue_on_commit
    from partnerhub.tenancy.tasks import send_invitation_task

    enqueue_on_commit(send_invitation_task, tenant_id=invitation.tenant_id, invitation_id=invitation.id)


@transaction.atomic
def invitation_resend(*, tenant: Tenant, actor: User, invitation_id: int) -> Invitation:
    """Send a fresh link with a new expiry; the old link stops working."""
    invitation = Invitation.objects.select_for_update().get(tenant=tenant, id=invitation_id)
    if invitation.accepted_at or invitation.revoked_at:
        raise ServiceError("Only open invitations can be resent.")
    invitation.nonce = secrets.token_hex(16)
    invitation.expires_at = timezone.now() + timedelta(days=settings.PARTNERHUB_INVITATION_DAYS)
    invitation.email_sent_at = None
    invitation.save(update_fields=["nonce", "expires_at", "email_sent_at"])
    audit(tenant=tenant, actor=actor, action="invitation.resent", target=invitation)
    _send_invitation_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor: User, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(tenant=tenant, id=invitation_id)
    if invitation.accepted_at or invitation.revoked_at:
        raise ServiceError("This invitation is already closed.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        before={"status": "pending"},
        after={"status": "revoked"},
    )
    return invitation


@transaction.atomic
def invitation_send(*, tenant: Tenant, invitation_id: int) -> bool:
    """Email the invitation link once. Returns False when there is nothing (left) to send."""
    from partnerhub.tenancy.emails import send_invitation_email

    invitation = (
        Invitation.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("tenant", "partner", "invited_by")
        .filter(tenant=tenant, id=invitation_id, email_sent_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return False
    send_invitation_email(invitation, invitation_token(invitation))
    invitation.email_sent_at = timezone.now()
    invitation.save(update_fields=["email_sent_at"])
    return True


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the invitation's tenant with its role. The user proved they read the invited address,
    so that address counts as verified."""
    from allauth.account.models import EmailAddress

    tenant = invitation.tenant
    invitation = Invitation.unscoped.select_for_update().get(id=invitation.id, tenant=tenant)
    if invitation.status != Invitation.Status.PENDING:
        raise ServiceError("This invitation is no longer valid. Ask for a new one.")
    if user.email.lower() != invitation.email.lower():
        raise ServiceError(f"This invitation is for {invitation.email}. Sign out and open the link again.")
    if Membership.unscoped.filter(tenant=tenant, user=user).exists():
        raise ServiceError(f"You are already a member of {tenant.name}.")
    membership = Membership.unscoped.create(
        tenant=tenant, user=user, role=invitation.role, partner=invitation.partner
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    audit(
        tenant=tenant,
        actor=user,
        action="membership.created",
        target=membership,
        after={"user": user.email, "role": membership.role, "partner": membership.partner_id},
    )
    return membership


def user_create_for_invitation(*, invitation: Invitation, full_name: str, password: str) -> User:
    """The account of someone who had none: created with the invited address, already verified."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ServiceError("An account with this email exists: sign in to accept the invitation.")
    return User.objects.create_user(email=invitation.email, password=password, full_name=full_name.strip())


# --- Memberships --------------------------------------------------------------------------------


def _tenant_admin_count(tenant: Tenant) -> int:
    """Counted under lock: two admins demoting each other at once must not leave none."""
    admins = Membership.objects.select_for_update().filter(tenant=tenant, role=Role.TENANT_ADMIN)
    return len(admins.values_list("id", flat=True))


@transaction.atomic
def membership_change_role(
    *, tenant: Tenant, actor: Actor, membership_id: int, role: str, partner: Partner | None = None
) -> Membership:
    """Give a member another role. A tenant always keeps at least one tenant admin."""
    membership = Membership.objects.select_for_update().get(tenant=tenant, id=membership_id)
    if role in PARTNER_ROLES and partner is None:
        raise ServiceError("Choose the partner company for a partner role.", field="partner")
    if role not in PARTNER_ROLES:
        partner = None
    if (
        membership.role == Role.TENANT_ADMIN
        and role != Role.TENANT_ADMIN
        and _tenant_admin_count(tenant) == 1
    ):
        raise ServiceError("This is the last tenant admin; make someone else admin first.", field="role")
    before = snapshot(membership, ["role", "partner"])
    membership.role, membership.partner = role, partner
    membership.save(update_fields=["role", "partner"])
    audit(
        tenant=tenant,
        actor=actor,
        action="membership.role_changed",
        target=membership,
        before=before,
        after=snapshot(membership, ["role", "partner"]),
    )
    return membership


@transaction.atomic
def membership_remove(*, tenant: Tenant, actor: Actor, membership_id: int) -> None:
    """Remove someone from the tenant (their user account and other tenants are untouched)."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(tenant=tenant, id=membership_id)
    )
    if membership.role == Role.TENANT_ADMIN and _tenant_admin_count(tenant) == 1:
        raise ServiceError("This is the last tenant admin; make someone else admin first.")
    audit(
        tenant=tenant,
        actor=actor,
        action="membership.removed",
        target=membership,
        before={"user": membership.user.email, "role": membership.role, "partner": membership.partner_id},
    )
    membership.delete()


# --- API keys -----------------------------------------------------------------------------------

API_KEY_PREFIX = "phk"


def hash_api_key(raw_key: str) -> str:
    # Keys are 256 random bits: a fast hash is enough (there is nothing to brute-force).
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, tenant: Tenant, actor: Actor, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError("Name the key after what uses it, e.g. “Salesforce sync”.", field="name")
    scopes = sorted(set(scopes))
    if not scopes or not set(scopes) <= set(ApiKey.Scope.values):
        raise ServiceError("Choose read, or read and write.", field="scopes")
    if ApiKey.Scope.WRITE in scopes:
        scopes = sorted({*scopes, ApiKey.Scope.READ})
    prefix = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name,
        prefix=prefix,
        key_hash=hash_api_key(raw_key),
        scopes=scopes,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="apikey.created",
        target=key,
        after={"name": name, "scopes": scopes},
    )
    return key, raw_key


@transaction.atomic
def api_key_revoke(*, tenant: Tenant, actor: Actor, api_key_id: int) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(tenant=tenant, id=api_key_id)
    if key.revoked_at is not None:
        raise ServiceError("This key is already revoked.")
    key.revoked_at = timezone.now()
    key.revoked_by = actor if isinstance(actor, User) else None
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        tenant=tenant,
        actor=actor,
        action="apikey.revoked",
        target=key,
        before={"status": "active"},
        after={"status": "revoked"},
    )
    return key


def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Records when it was last used (at most once
    a minute, so a busy integration does not turn every read into a write)."""
    parts = raw_key.split("_")
    if len(parts) < 3 or parts[0] != API_KEY_PREFIX:
        return None
    # The key is what tells us the tenant, so this lookup is necessarily cross-tenant.
    key = ApiKey.unscoped.select_related("tenant").filter(prefix=parts[1]).first()
    if key is None or not secrets.compare_digest(key.key_hash, hash_api_key(raw_key)):
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.unscoped.filter(id=key.id).update(last_used_at=now)
        key.last_used_at = now
    return key


# --- System -------------------------------------------------------------------------------------


def heartbeat_record(*, hostname: str) -> Heartbeat:
    """Stamp the heartbeat row: the task came from beat and ran on `hostname`."""
    heartbeat, _ = Heartbeat.objects.get_or_create(name="celery", defaults={"last_run_at": timezone.now()})
    Heartbeat.objects.filter(id=heartbeat.id).update(
        last_run_at=timezone.now(), worker_hostname=hostname[:200], run_count=F("run_count") + 1
    )
    heartbeat.refresh_from_db()
    return heartbeat
