"""Deal registrations (docs/leads.md, "Deal registration").

The rules kept here:
- A partner's own users register, edit (while a draft), submit and withdraw (before a decision) its
  registrations and request one extension; the vendor's reviewers (the roles with
  "registration.review"; API keys act as revops) approve, reject and decide extensions. Who acts for
  which partner is decided in one place, `acting_as`, from the actor's membership (or key).
- Submission runs the conflict check in SQL and always routes to review: submitted → under review,
  with the review due in REVIEW_SLA_BUSINESS_DAYS on the tenant's default calendar. The conflict
  flag and detail are stored for the vendor only; the partner's answer is the same either way.
- Approval links the registration to an open opportunity on the account (the reviewer's choice) or
  creates one (on the account the domain matches, creating the target account if there is none),
  with the registering partner as its source; protection runs PROTECTION_DAYS from the approval.
- An approved registration expires when its protection ends (a daily sweep); one extension may be
  requested while it is protected, and is approved (the same period again, or a given number of
  days) or refused.
- Every state change is audited, before → after.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.domains import normalize_domain
from accounts.services import account_create, opportunity_create, opportunity_update
from leads.business_time import CalendarError, add_business_days
from leads.domains import is_free_mail
from leads.models import DealRegistration, RegistrationRejectReason
from leads.models.registrations import (
    MAX_EXTENSION_DAYS,
    PROTECTION_DAYS,
    REVIEW_SLA_BUSINESS_DAYS,
    domain_key,
)
from leads.selectors.handoffs import partner_managers, partner_users, partner_users_by_partner
from leads.selectors.leads import account_for_domain
from leads.selectors.registrations import open_opportunities_on, registration_conflicts_find, review_calendar
from leads.sweeps import sweep_tenants
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_many, audit_transition, audited, snapshot
from partnerhub.tenancy.bulk_sql import update_rows
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.services.common import membership_of, user_of
from partnerhub.tenancy.services.notifications import Notice, notifications_create_many
from partnerhub.tenancy.taxonomy import currency_code

logger = logging.getLogger(__name__)

State = DealRegistration.State
EDITABLE_FIELDS = [
    "customer_name",
    "customer_domain",
    "solution",
    "amount",
    "currency",
    "close_date",
    "description",
]
SWEEP_BATCH = 500
NOT_FOUND = "No such deal registration."


# --- Who acts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """Who an actor acts as: their role, and the partner company they act for (None: the vendor)."""

    role: str
    partner_id: int | None

    @property
    def reviews(self) -> bool:
        return may_review(self)


REVIEW = "registration.review"


def may_review(membership) -> bool:
    """Who reviews deal registrations (approves, rejects, decides extensions, sees the conflicts):
    the vendor's side in a role with "registration.review", never a partner's users or keys. The
    one home of the rule: the portal and the API ask it of the request's membership."""
    return membership.partner_id is None and can(membership.role, REVIEW)


def acting_as(*, tenant: Tenant, actor: Actor) -> Acting:
    """Whom an actor acts for, as membership_of judges users and API keys alike: a partner's users
    and partner keys for their partner, staff and the vendor's keys for the vendor."""
    if actor is None:
        raise ServiceError("Only members of this tenant can do this.")
    membership = membership_of(tenant=tenant, user=actor)
    return Acting(
        role=membership.role, partner_id=membership.partner_id if membership.is_partner_role else None
    )


def _locked(tenant: Tenant, registration_id: int) -> DealRegistration:
    registration = (
        DealRegistration.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(tenant=tenant, id=registration_id)
        .first()
    )
    if registration is None:
        raise ServiceError(NOT_FOUND, field="registration")
    return registration


def _partners_own(tenant: Tenant, actor: Actor, registration_id: int) -> DealRegistration:
    """The registration, for its own partner's users (a partner-scoped key alike). Another partner's
    is "no such registration", the answer for one that does not exist; staff are told it is the
    partner's to do."""
    acting = acting_as(tenant=tenant, actor=actor)
    if acting.partner_id is None or not can(acting.role, "registration.change"):
        raise ServiceError("Only the registering partner's users do this.")
    registration = _locked(tenant, registration_id)
    if registration.partner_id != acting.partner_id:
        raise ServiceError(NOT_FOUND, field="registration")
    return registration


def _reviewed(tenant: Tenant, actor: Actor, registration_id: int) -> DealRegistration:
    if not acting_as(tenant=tenant, actor=actor).reviews:
        raise ServiceError("Your role cannot review deal registrations.")
    return _locked(tenant, registration_id)


def _require_state(registration: DealRegistration, *states: str) -> None:
    if registration.state not in states:
        raise ServiceError(
            f"This deal registration is {registration.get_state_display().lower()}.", field="registration"
        )


# --- Saving, the audit trail, notifications -------------------------------------------------------


def _save(registration: DealRegistration, fields: list[str]) -> None:
    registration.save(update_fields=[*fields, "updated_at"])


def _move(
    tenant: Tenant,
    actor: Actor,
    registration: DealRegistration,
    to_state: str,
    action: str,
    fields: list[str],
    also: dict | None = None,
) -> None:
    """Save a change of state with the `fields` it set beside it, and audit it, before → after."""
    before, registration.state = registration.state, to_state
    _save(registration, ["state", *fields])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action=action,
        target=registration,
        from_state=before,
        to_state=to_state,
        also=also,
    )


def _url(tenant: Tenant, registration: DealRegistration) -> str:
    return reverse(
        "leads:registration_detail",
        kwargs={"tenant_slug": tenant.slug, "deal_registration_id": registration.id},
    )


def _tell(tenant: Tenant, registration: DealRegistration, users, title: str, body: str) -> None:
    url = _url(tenant, registration)
    notifications_create_many(
        tenant=tenant, notices=[Notice(user=user, title=title, body=body, url=url) for user in users]
    )


def _tell_partner(tenant: Tenant, registration: DealRegistration, title: str, body: str = "") -> None:
    _tell(tenant, registration, partner_users(tenant=tenant, partner_id=registration.partner_id), title, body)


def _tell_managers(tenant: Tenant, registration: DealRegistration, title: str, body: str = "") -> None:
    _tell(tenant, registration, partner_managers(tenant=tenant, partner=registration.partner), title, body)


# --- Drafts -------------------------------------------------------------------------------------


def _clean(tenant: Tenant, fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set on a deal registration.")
    cleaned = dict(fields)
    if "customer_domain" in cleaned:
        try:
            domain = normalize_domain(cleaned["customer_domain"])
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="customer_domain") from exc
        if is_free_mail(domain):
            raise ServiceError(
                f"{domain} is a free-mail provider: give the customer's own web domain.",
                field="customer_domain",
            )
        cleaned["customer_domain"] = domain
    if "currency" in cleaned:
        code = currency_code(cleaned["currency"] or tenant.default_currency)
        if code is None:
            raise ServiceError(
                f"“{cleaned['currency']}” is not an active ISO 4217 currency.", field="currency"
            )
        cleaned["currency"] = code
    if "amount" in cleaned:
        amount = cleaned["amount"]
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
            raise ServiceError("The expected amount is a number of at least 0.", field="amount")
    for name in ("customer_name", "solution"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            if not cleaned[name]:
                raise ServiceError("This field is required.", field=name)
    return cleaned


def _validated_save(registration: DealRegistration, fields: list[str] | None = None) -> None:
    registration.domain_key = domain_key(registration.customer_domain)
    try:
        registration.full_clean(exclude=["partner", "created_by", "account", "opportunity", "decided_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(messages[0], field=None if field == "__all__" else field) from exc
    registration.save(update_fields=[*fields, "domain_key", "updated_at"] if fields else None)


@transaction.atomic
def registration_create(
    *, tenant: Tenant, actor: Actor, now: datetime.datetime | None = None, **fields
) -> DealRegistration:
    """A partner's user registers an opportunity as a draft: the customer (name, web domain,
    normalized; a free-mail domain is refused), the solution, the expected amount (Decimal, in an
    ISO 4217 currency, the tenant's default when none is given) and close date, a description."""
    acting = acting_as(tenant=tenant, actor=actor)
    if acting.partner_id is None or not can(acting.role, "registration.change"):
        raise ServiceError("Deal registrations are made by partners' users.")
    missing = [
        name
        for name in ("customer_name", "customer_domain", "solution", "amount", "close_date")
        if fields.get(name) in (None, "")
    ]
    if missing:
        raise ServiceError("This field is required.", field=missing[0])
    fields.setdefault("currency", tenant.default_currency)
    cleaned = _clean(tenant, fields)
    now = now or timezone.now()
    registration = DealRegistration(
        tenant=tenant, partner_id=acting.partner_id, created_by=user_of(actor), created_at=now, **cleaned
    )
    _validated_save(registration)
    audit(
        tenant=tenant,
        actor=actor,
        action="registration.created",
        target=registration,
        after={
            "status": registration.state,
            **snapshot(registration, EDITABLE_FIELDS),
        },
    )
    return registration


@transaction.atomic
def registration_update(*, tenant: Tenant, actor: Actor, registration_id: int, **fields) -> DealRegistration:
    """Change a draft (the partner's own users): once submitted, a registration is the vendor's to
    decide and stays as it was sent."""
    registration = _partners_own(tenant, actor, registration_id)
    _require_state(registration, State.DRAFT)
    cleaned = _clean(tenant, fields)
    with audited(
        tenant=tenant, actor=actor, target=registration, fields=list(cleaned), action="registration.updated"
    ):
        for name, value in cleaned.items():
            setattr(registration, name, value)
        _validated_save(registration, list(cleaned))
    return registration


# --- Submission and review ------------------------------------------------------------------------


@transaction.atomic
def registration_submit(
    *, tenant: Tenant, actor: Actor, registration_id: int, now: datetime.datetime | None = None
) -> DealRegistration:
    """Submit a draft: submitted, then at once under review, the vendor deciding every registration.
    The conflict check (same account, subdomains both ways, registered by another partner and
    pending or protected; an open opportunity sourced by another partner; an open direct
    opportunity) is stored for the reviewers; the partner is told the same "under review" whatever
    it found. The review is due in REVIEW_SLA_BUSINESS_DAYS business days on the tenant's default
    calendar."""
    registration = _partners_own(tenant, actor, registration_id)
    _require_state(registration, State.DRAFT)
    now = now or timezone.now()
    try:
        due = add_business_days(now, REVIEW_SLA_BUSINESS_DAYS, review_calendar(tenant=tenant))
    except CalendarError as exc:
        raise ServiceError(f"The tenant's business calendar cannot give a review date: {exc}") from exc
    registration.submitted_at = now
    _move(tenant, actor, registration, State.SUBMITTED, "registration.submitted", ["submitted_at"])
    conflicts = registration_conflicts_find(tenant=tenant, registration=registration, now=now)
    account = account_for_domain(tenant=tenant, domain=registration.customer_domain)
    registration.review_due_at = due
    registration.has_conflict, registration.conflicts = bool(conflicts), conflicts
    registration.account = account
    _move(
        tenant,
        None,
        registration,
        State.UNDER_REVIEW,
        "registration.review_started",
        ["review_due_at", "has_conflict", "conflicts", "account"],
        also={"review_due_at": due, "has_conflict": bool(conflicts)},
    )
    title = f"Deal registration to review: {registration.partner.name}, {registration.customer_name}"
    conflict_note = "It conflicts with earlier claims on the account. " if conflicts else ""
    body = f"{conflict_note}Review it by {due:%Y-%m-%d %H:%M %Z}."
    _tell_managers(tenant, registration, title, body)
    return registration


@transaction.atomic
def registration_withdraw(*, tenant: Tenant, actor: Actor, registration_id: int) -> DealRegistration:
    """The partner takes its registration back, before a decision (a draft, or under review)."""
    registration = _partners_own(tenant, actor, registration_id)
    _require_state(registration, State.DRAFT, *DealRegistration.PENDING_STATES)
    registration.closed_at = timezone.now()
    _move(tenant, actor, registration, State.WITHDRAWN, "registration.withdrawn", ["closed_at"])
    return registration


def _approval_opportunity(tenant: Tenant, actor: Actor, registration: DealRegistration, opportunity_id):
    """The opportunity an approval links: the reviewer's pick among the open opportunities on the
    account, with the registering partner made its source; else a new one on the account the domain
    matches (a new target account when none does)."""
    if opportunity_id is not None:
        chosen = open_opportunities_on(tenant=tenant, domain=registration.customer_domain).filter(
            id=opportunity_id
        )
        opportunity = chosen.first()
        if opportunity is None:
            raise ServiceError(
                "Pick an open opportunity on this registration's account, or none to create one.",
                field="opportunity",
            )
        if opportunity.source_partner_id != registration.partner_id:
            opportunity = opportunity_update(
                tenant=tenant, actor=actor, opportunity_id=opportunity.id, source_partner=registration.partner
            )
        return opportunity
    account = registration.account or account_for_domain(tenant=tenant, domain=registration.customer_domain)
    if account is None:
        account = account_create(
            tenant=tenant, actor=actor, name=registration.customer_name, domain=registration.customer_domain
        )
    return opportunity_create(
        tenant=tenant,
        actor=actor,
        account=account,
        name=f"{registration.customer_name}: {registration.solution}"[:200],
        amount=registration.amount,
        currency=registration.currency,
        close_date=registration.close_date,
        source_partner=registration.partner,
    )


@transaction.atomic
def registration_approve(
    *,
    tenant: Tenant,
    actor: Actor,
    registration_id: int,
    opportunity_id: int | None = None,
    now: datetime.datetime | None = None,
) -> DealRegistration:
    """A reviewer approves: the registration links to (or creates) the opportunity, sourced by the
    registering partner, and is protected for PROTECTION_DAYS from now."""
    registration = _reviewed(tenant, actor, registration_id)
    _require_state(registration, State.UNDER_REVIEW)
    now = now or timezone.now()
    opportunity = _approval_opportunity(tenant, actor, registration, opportunity_id)
    registration.opportunity, registration.account_id = opportunity, opportunity.account_id
    registration.decided_at, registration.decided_by = now, user_of(actor)
    registration.protection_ends_at = now + datetime.timedelta(days=PROTECTION_DAYS)
    _move(
        tenant,
        actor,
        registration,
        State.APPROVED,
        "registration.approved",
        ["opportunity", "account", "decided_at", "decided_by", "protection_ends_at"],
        also={"opportunity": opportunity.id, "protection_ends_at": registration.protection_ends_at},
    )
    _tell_partner(
        tenant,
        registration,
        f"Deal registration approved: {registration.customer_name}",
        f"Protected until {registration.protection_ends_at:%Y-%m-%d}.",
    )
    return registration


@transaction.atomic
def registration_reject(
    *, tenant: Tenant, actor: Actor, registration_id: int, reason: str, text: str = ""
) -> DealRegistration:
    """A reviewer rejects with a coded reason (duplicate, existing customer, direct deal active,
    outside territory, missing information) and words of their own."""
    registration = _reviewed(tenant, actor, registration_id)
    _require_state(registration, State.UNDER_REVIEW)
    if reason not in RegistrationRejectReason.values:
        choices = ", ".join(RegistrationRejectReason.values)
        raise ServiceError(f"“{reason}” is not a reason to reject; give one of: {choices}.", field="reason")
    registration.reject_reason, registration.reject_text = reason, text.strip()
    registration.decided_at = registration.closed_at = timezone.now()
    registration.decided_by = user_of(actor)
    _move(
        tenant,
        actor,
        registration,
        State.REJECTED,
        "registration.rejected",
        ["reject_reason", "reject_text", "decided_at", "closed_at", "decided_by"],
        also={"reason": reason},
    )
    _tell_partner(
        tenant,
        registration,
        f"Deal registration rejected: {registration.customer_name}",
        registration.get_reject_reason_display()
        + (f": {registration.reject_text}" if registration.reject_text else "."),
    )
    return registration


# --- Extension and expiry -----------------------------------------------------------------------


@transaction.atomic
def registration_request_extension(
    *, tenant: Tenant, actor: Actor, registration_id: int, now: datetime.datetime | None = None
) -> DealRegistration:
    """The partner asks, once, for more protection: while approved and not expired."""
    registration = _partners_own(tenant, actor, registration_id)
    _require_state(registration, State.APPROVED)
    now = now or timezone.now()
    if registration.protection_ends_at <= now:
        raise ServiceError("The protection has ended: it can no longer be extended.", field="registration")
    if registration.extension:
        raise ServiceError("An extension can be requested once, and it was.", field="registration")
    registration.extension, registration.extension_requested_at = DealRegistration.Extension.REQUESTED, now
    _save(registration, ["extension", "extension_requested_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="registration.extension_requested",
        target=registration,
        before={"extension": ""},
        after={"extension": registration.extension},
    )
    _tell_managers(
        tenant,
        registration,
        f"Extension requested: {registration.partner.name}, {registration.customer_name}",
        f"Protected until {registration.protection_ends_at:%Y-%m-%d}.",
    )
    return registration


@transaction.atomic
def registration_decide_extension(
    *,
    tenant: Tenant,
    actor: Actor,
    registration_id: int,
    approve: bool,
    days: int | None = None,
    now: datetime.datetime | None = None,
) -> DealRegistration:
    """A reviewer approves a requested extension (the protection runs PROTECTION_DAYS longer, or
    `days`) or refuses it. Either way no second extension can be asked for."""
    registration = _reviewed(tenant, actor, registration_id)
    _require_state(registration, State.APPROVED)
    if registration.extension != DealRegistration.Extension.REQUESTED:
        raise ServiceError("No extension is waiting for a decision.", field="registration")
    if days is not None and not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ServiceError(f"An extension is 1 to {MAX_EXTENSION_DAYS} days.", field="days")
    decided = ["extension", "protection_ends_at"]
    before = snapshot(registration, decided)
    registration.extension_decided_at = now or timezone.now()
    if approve:
        registration.extension = DealRegistration.Extension.APPROVED
        registration.protection_ends_at += datetime.timedelta(days=days or PROTECTION_DAYS)
    else:
        registration.extension = DealRegistration.Extension.REFUSED
    _save(registration, ["extension", "extension_decided_at", "protection_ends_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="registration.extension_decided",
        target=registration,
        before=before,
        after=snapshot(registration, decided),
    )
    verdict = "approved" if approve else "refused"
    _tell_partner(
        tenant,
        registration,
        f"Extension {verdict}: {registration.customer_name}",
        f"Protected until {registration.protection_ends_at:%Y-%m-%d}.",
    )
    return registration


def _expire_tenant(*, tenant: Tenant, registration_ids: list[int], now: datetime.datetime) -> int:
    """One tenant's share of a sweep, in a constant number of queries whatever its size: lock the
    rows, one UPDATE, one read of the partners' users, one insert of notifications, one of events."""
    registrations = list(
        DealRegistration.objects.filter(
            tenant=tenant, id__in=registration_ids, state=State.APPROVED, protection_ends_at__lte=now
        )
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("protection_ends_at", "id")
    )
    for registration in registrations:
        registration.state, registration.closed_at, registration.updated_at = State.EXPIRED, now, now
    update_rows(registrations, ["state", "closed_at", "updated_at"])
    users = partner_users_by_partner(
        tenant=tenant, partner_ids={registration.partner_id for registration in registrations}
    )
    notifications_create_many(
        tenant=tenant,
        notices=[
            Notice(
                user=user,
                title=f"Deal registration expired: {registration.customer_name}",
                body="Its protection period has ended.",
                url=_url(tenant, registration),
            )
            for registration in registrations
            for user in users.get(registration.partner_id, [])
        ],
    )
    audit_many(
        tenant=tenant,
        actor=None,
        events=[
            ("registration.expired", registration, {"status": State.APPROVED}, {"status": State.EXPIRED})
            for registration in registrations
        ],
    )
    return len(registrations)


def registrations_expire(*, now: datetime.datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Expiry sweep (cross-tenant, daily from beat): approved registrations whose protection has
    ended, read through the partial index on approved rows, tenant by tenant, rows locked with SKIP
    LOCKED (a second sweep at once leaves them to the first). Returns how many expired."""
    now = now or timezone.now()
    due = DealRegistration.unscoped.filter(state=State.APPROVED, protection_ends_at__lte=now).order_by(
        "protection_ends_at", "id"
    )
    return sweep_tenants(
        due,
        batch=batch,
        work=lambda tenant, ids: _expire_tenant(tenant=tenant, registration_ids=ids, now=now),
        what="Deal registration expiry",
    )


def registrations_expire_all(*, now: datetime.datetime | None = None, rounds: int = 100) -> int:
    """The daily run: sweep batch after batch until a batch comes back short (at most `rounds`)."""
    now = now or timezone.now()
    total = 0
    for _ in range(rounds):
        expired = registrations_expire(now=now)
        total += expired
        if expired < SWEEP_BATCH:
            break
    return total
