"""Invitations: the only way into a tenant. A signed link, sent from an outbox, accepted once."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import INVITATION_OPEN, Invitation, Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import PARTNER_ROLES, Role, invitable_roles
from partnerhub.tenancy.selectors import invitation_manageable_list
from partnerhub.tenancy.services.common import check_partner_in_tenant, membership_of, save_validated

logger = logging.getLogger(__name__)

INVITATION_SALT = "partnerhub.invitation"
# After this many failed sends the sweep stops retrying; the invitation shows "not sent".
MAX_EMAIL_ATTEMPTS = 5
SWEEP_BATCH = 200


def invitation_token(invitation: Invitation) -> str:
    """The secret in the invitation link: signed with SECRET_KEY, bound to the current nonce."""
    return signing.dumps({"id": invitation.id, "nonce": invitation.nonce}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation a link points to, or None for a forged, stale, used or expired link."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    # Called before any tenant is known: the token itself says which invitation (and tenant).
    invitation = Invitation.unscoped.select_related("tenant", "partner").filter(id=data.get("id")).first()
    if invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("nonce", ""))):
        return None
    if invitation.status != Invitation.Status.PENDING:
        return None
    return invitation


def _refuse_conflict(
    inviter: Membership, *, owner_partner_id: int | None, message: str, tenant: Tenant, email: str
):
    """A partner inviter learns nothing about people outside their own company."""
    if inviter.is_partner_role and owner_partner_id != inviter.partner_id:
        raise ServiceError(
            f"{email} cannot be invited from here. Ask your contact at {tenant.name}.", field="email"
        )
    raise ServiceError(message, field="email")


def _check_invitation(*, tenant: Tenant, inviter: Membership, email: str, role: str, partner: Partner | None):
    if role not in Role.values:
        raise ServiceError("Choose a role.", field="role")
    if role not in invitable_roles(inviter.role):
        raise ServiceError("Your role cannot invite people with this role.", field="role")
    check_partner_in_tenant(tenant, partner)
    if inviter.is_partner_role and partner is not None and partner.id != inviter.partner_id:
        raise ServiceError("You can invite people of your own company only.", field="partner")
    if role in PARTNER_ROLES and partner is None:
        raise ServiceError("Choose the partner company for a partner role.", field="partner")
    if role not in PARTNER_ROLES and partner is not None:
        raise ServiceError("Vendor staff do not belong to a partner company.", field="partner")
    member = Membership.objects.filter(tenant=tenant, user__email__iexact=email).first()
    if member is not None:
        _refuse_conflict(
            inviter,
            owner_partner_id=member.partner_id,
            tenant=tenant,
            email=email,
            message=f"{email} is already a member of {tenant.name}.",
        )


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
    inviter = membership_of(tenant=tenant, user=actor)
    if inviter.is_partner_role and partner is None:
        partner = inviter.partner
    email = email.strip().lower()
    _check_invitation(tenant=tenant, inviter=inviter, email=email, role=role, partner=partner)
    open_invitation = (
        Invitation.objects.select_for_update()
        .filter(tenant=tenant, email__iexact=email, **INVITATION_OPEN)
        .first()
    )
    if open_invitation is not None and open_invitation.status == Invitation.Status.PENDING:
        _refuse_conflict(
            inviter,
            owner_partner_id=open_invitation.partner_id,
            tenant=tenant,
            email=email,
            message=f"{email} already has a pending invitation; resend it instead.",
        )
    if open_invitation is not None:  # expired: retire it so the new one can take its place
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
        audit_transition(
            tenant=tenant,
            actor=actor,
            action="invitation.replaced",
            target=open_invitation,
            from_state="expired",
            to_state="revoked",
        )
    invitation = Invitation(
        tenant=tenant,
        email=email,
        role=role,
        partner=partner,
        invited_by=actor,
        nonce=secrets.token_hex(16),
        expires_at=timezone.now() + timedelta(days=settings.PARTNERHUB_INVITATION_DAYS),
    )
    try:
        save_validated(invitation)
    except ValidationError as exc:  # e.g. a simultaneous invitation of the same address
        raise ServiceError("; ".join(exc.messages), field="email") from exc
    audit(
        tenant=tenant,
        actor=actor,
        action="invitation.created",
        target=invitation,
        after={"email": email, "role": role, "partner": partner.id if partner else None},
    )
    _send_after_commit(invitation)
    return invitation


def _send_after_commit(invitation: Invitation) -> None:
    from partnerhub.tenancy.tasking import enqueue_on_commit

    enqueue_on_commit("tenancy.send_invitation", tenant_id=invitation.tenant_id, invitation_id=invitation.id)


def _manageable_invitation(*, tenant: Tenant, actor: User, invitation_id: int) -> Invitation:
    """The open invitation, if the actor may manage it (see `invitation_manageable_list`)."""
    inviter = membership_of(tenant=tenant, user=actor)
    invitation = (
        invitation_manageable_list(tenant=tenant, membership=inviter)
        .select_for_update(of=("self",))
        .filter(id=invitation_id)
        .first()
    )
    if invitation is None:
        raise ServiceError("Your role cannot manage this invitation.")
    if invitation.accepted_at or invitation.revoked_at:
        raise ServiceError("This invitation is already closed.")
    return invitation


@transaction.atomic
def invitation_resend(*, tenant: Tenant, actor: User, invitation_id: int) -> Invitation:
    """Send a fresh link with a new expiry; the old link stops working."""
    invitation = _manageable_invitation(tenant=tenant, actor=actor, invitation_id=invitation_id)
    invitation.nonce = secrets.token_hex(16)
    invitation.expires_at = timezone.now() + timedelta(days=settings.PARTNERHUB_INVITATION_DAYS)
    invitation.email_sent_at, invitation.email_attempts = None, 0
    invitation.save(update_fields=["nonce", "expires_at", "email_sent_at", "email_attempts"])
    audit(tenant=tenant, actor=actor, action="invitation.resent", target=invitation)
    _send_after_commit(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor: User, invitation_id: int) -> Invitation:
    """Close an open invitation: its link stops working."""
    invitation = _manageable_invitation(tenant=tenant, actor=actor, invitation_id=invitation_id)
    from_state = invitation.status  # pending, or expired
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        from_state=from_state,
        to_state=Invitation.Status.REVOKED,
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


def invitation_send_pending(*, batch: int = SWEEP_BATCH) -> int:
    """Outbox sweep (cross-tenant): send open invitations whose email never went out, e.g. because
    the broker was down. A failing address is retried on later sweeps, at most MAX_EMAIL_ATTEMPTS
    times, and never blocks the others. Returns how many were sent."""
    pending = (
        Invitation.unscoped.select_related("tenant")
        .filter(
            email_sent_at__isnull=True,
            expires_at__gt=timezone.now(),
            **INVITATION_OPEN,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .order_by("email_attempts", "created_at")[:batch]
    )
    sent = 0
    for invitation in pending:
        with tenant_context(invitation.tenant):
            try:
                sent += invitation_send(tenant=invitation.tenant, invitation_id=invitation.id)
            except Exception:  # one bad address (or a mail server hiccup) must not stop the rest
                logger.warning("Invitation %s: email not sent, will retry.", invitation.id, exc_info=True)
                Invitation.unscoped.filter(id=invitation.id).update(email_attempts=F("email_attempts") + 1)
    return sent


@transaction.atomic
def invitation_accept(*, tenant: Tenant, actor: User, invitation_id: int) -> Membership:
    """Join the invitation's tenant with its role. The user proved they read the invited address,
    so that address counts as verified."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(tenant=tenant, id=invitation_id)
    if invitation.status != Invitation.Status.PENDING:
        raise ServiceError("This invitation is no longer valid. Ask for a new one.")
    if actor.email.lower() != invitation.email.lower():
        raise ServiceError(f"This invitation is for {invitation.email}. Sign out and open the link again.")
    if Membership.objects.filter(tenant=tenant, user=actor).exists():
        raise ServiceError(f"You are already a member of {tenant.name}.")
    membership = Membership.objects.create(
        tenant=tenant, user=actor, role=invitation.role, partner=invitation.partner
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    EmailAddress.objects.update_or_create(
        user=actor,
        email__iexact=actor.email,
        defaults={"email": actor.email, "verified": True, "primary": True},
    )
    audit_transition(
        tenant=tenant,
        actor=actor,
        action="invitation.accepted",
        target=invitation,
        from_state="pending",
        to_state="accepted",
    )
    audit(
        tenant=tenant,
        actor=actor,
        action="membership.created",
        target=membership,
        after={"user": actor.email, "role": membership.role, "partner": membership.partner_id},
    )
    return membership


def user_create_for_invitation(*, invitation: Invitation, full_name: str, password: str) -> User:
    """The account of someone who had none: created with the invited address."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ServiceError("An account with this email exists: sign in to accept the invitation.")
    return User.objects.create_user(email=invitation.email, password=password, full_name=full_name.strip())
