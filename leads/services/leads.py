"""Lead intake (every door: the API, bulk, later CSV, events and landing pages) and lead stages.

The rules the intake keeps:
- One lead per email per tenant (any case). A second arrival merges into the first: it fills the
  lead's empty fields and never overwrites one already set (a differing value is recorded as not
  applied, in the audit event and on the arrival's touch); it records its touch. Never a duplicate.
- Race-safe: the unique (tenant, email) index is the backstop. An arrival inserts in a savepoint;
  one that loses the race waits on the index, then locks the winner's row and merges into it.
- The company is matched to a target account by the given web domain, else the email's domain
  (and the domains above it); free-mail domains never match (leads.domains).
- The program is found by tracking code, else by UTM campaign.
- Every change is audited: a created lead, a merge (what it filled, what it did not apply), a stage
  change (who, before → after, the reason of a disqualification).
- Every arrival that changes the lead rescores it in the same transaction (leads.services.scoring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads import selectors
from leads.domains import company_domain
from leads.models import Lead, LeadSource, LeadStage, Touch, TouchKind
from leads.services.scoring import lead_rescore
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant

# The lead's own text fields an arrival sends.
TEXT_INPUTS = ["first_name", "last_name", "title", "phone", "country", "company_name", "external_id"]
# What an arrival may fill on a lead (when the lead has no value yet), besides its consent.
FILLABLE_FIELDS = [
    "first_name",
    "last_name",
    "title",
    "phone",
    "country",
    "company_name",
    "company_domain",
    "account",
    "program",
    "external_id",
]
CONSENT_FIELDS = ["consent", "consent_at", "consent_method"]
LEAD_FIELDS = ["email", *FILLABLE_FIELDS, *CONSENT_FIELDS, "source", "stage", "disqualified_reason"]

# The touch an arrival records when it names none, by its door.
DEFAULT_TOUCH_KINDS = {
    LeadSource.EVENT: TouchKind.EVENT_REGISTERED,
    LeadSource.LANDING_PAGE: TouchKind.LANDING_PAGE_VISIT,
}

# Where a lead's stage may move. Disqualified leads can be taken back into nurture.
STAGE_TRANSITIONS: dict[str, frozenset[str]] = {
    LeadStage.NEW: frozenset({LeadStage.NURTURE, LeadStage.MQL, LeadStage.SQL, LeadStage.DISQUALIFIED}),
    LeadStage.NURTURE: frozenset({LeadStage.MQL, LeadStage.SQL, LeadStage.DISQUALIFIED}),
    LeadStage.MQL: frozenset({LeadStage.NURTURE, LeadStage.SQL, LeadStage.DISQUALIFIED}),
    LeadStage.SQL: frozenset({LeadStage.NURTURE, LeadStage.OPPORTUNITY, LeadStage.DISQUALIFIED}),
    LeadStage.OPPORTUNITY: frozenset({LeadStage.DISQUALIFIED}),
    LeadStage.DISQUALIFIED: frozenset({LeadStage.NURTURE}),
}

EMAIL_CONSTRAINT = "lead_email_unique_per_tenant"
EXTERNAL_ID_CONSTRAINT = "lead_external_id_unique_per_tenant"


@dataclass
class Intake:
    """What an arrival did: the lead (created or merged into), its touch (None when it named
    none, or repeated one already recorded), the fields it filled and the values it did not apply
    because the lead already had others."""

    lead: Lead
    created: bool
    touch: Touch | None = None
    filled: list[str] = field(default_factory=list)
    not_applied: dict[str, object] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.filled) or self.touch is not None


class Lookups:
    """How an arrival finds its program and its account: one query each for one arrival. The bulk
    intake passes its own, loaded for a whole chunk (leads.services.bulk_intake)."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant

    def program(self, tracking_code: str, utm_campaign: str):
        return selectors.program_for(
            tenant=self.tenant, tracking_code=tracking_code, utm_campaign=utm_campaign
        )

    def account(self, domain: str):
        return selectors.account_for_domain(tenant=self.tenant, domain=domain)


def email_and_domain(data: Mapping) -> tuple[str, str]:
    """The arrival's email, normalized, and its company's domain (leads.domains)."""
    email = str(data.get("email") or "").strip().lower()
    try:
        return email, company_domain(email=email, web_domain=data.get("web_domain") or "")
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field="web_domain") from exc


def _arrival(data: Mapping, lookups: Lookups) -> dict:
    """The lead's values an arrival carries, normalized and matched (account, program)."""
    email, domain = email_and_domain(data)
    tracking_code = data.get("tracking_code") or ""
    program = lookups.program(tracking_code, data.get("utm_campaign") or "")
    if tracking_code and program is None:
        raise ServiceError(f"No program has the tracking code “{tracking_code}”.", field="tracking_code")
    values = {name: str(data.get(name) or "").strip() for name in TEXT_INPUTS}
    values.update(email=email, company_domain=domain, account=lookups.account(domain), program=program)
    if data.get("consent"):
        values.update(
            consent=True,
            consent_at=data.get("consent_at") or timezone.now(),
            consent_method=data.get("consent_method") or "",
        )
    return values


def _needs_email(values: dict) -> ServiceError:
    return ServiceError(
        f"No lead has the CRM id “{values['external_id']}”: a new lead needs its email.", field="email"
    )


def _clean(lead: Lead, exclude: list[str] | None = None) -> None:
    # The fields only: uniqueness is the database's to judge (see _insert), with no racy pre-check
    # query, and a lead has no cross-field rule of its own.
    lead.clean_fields(exclude=exclude)


def _insert(tenant: Tenant, values: dict, source: str) -> tuple[Lead, bool]:
    """Insert the lead, or, when a concurrent arrival of the same email committed first, lock and
    return that one (False: not created)."""
    lead = Lead(tenant=tenant, source=source, **values)
    _clean(lead)
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if constraint == EMAIL_CONSTRAINT:
            return selectors.lead_for_key(tenant=tenant, email=values["email"], lock=True), False
        if constraint == EXTERNAL_ID_CONSTRAINT:
            raise ServiceError("Another lead has this CRM id.", field="external_id") from exc
        raise
    return lead, True


def _merge(lead: Lead, values: dict) -> tuple[list[str], dict]:
    """Fill the lead's empty fields from `values`; a value differing from one set is not applied."""
    filled, not_applied = [], {}
    for name, value in values.items():
        if name == "email" or value in ("", None):
            continue
        current = getattr(lead, name)
        if name == "consent":
            current = current or None  # no consent yet is empty: a consent given now fills it
        if name in ("consent_at", "consent_method") and "consent" not in filled:
            continue  # when and how belong to the consent that filled them
        if current in ("", None):
            setattr(lead, name, value)
            filled.append(name)
        elif current != value and name not in ("account", "program", "company_domain"):
            not_applied[name] = value
    if values["email"] and values["email"] != lead.email:
        not_applied["email"] = values["email"]
    return filled, not_applied


def touch_kind(data: Mapping, source: str) -> str:
    """The kind of the arrival's touch: the one it names, else its door's default ("": none)."""
    return data.get("touch_kind") or DEFAULT_TOUCH_KINDS.get(source) or ""


def _touch(tenant: Tenant, lead: Lead, data: Mapping, source: str, program, details: dict) -> Touch | None:
    """The arrival's touch; None when it names none, or repeats one recorded at the same time."""
    kind = touch_kind(data, source)
    if not kind:
        return None
    occurred_at = data.get("occurred_at")
    if (
        occurred_at
        and Touch.objects.filter(tenant=tenant, lead=lead, kind=kind, occurred_at=occurred_at).exists()
    ):
        return None  # a re-sent arrival (the lead row is locked: no concurrent duplicate)
    return Touch.objects.create(
        tenant=tenant,
        lead=lead,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        program=program,
        source=source,
        details=details,
    )


def _touch_details(data: Mapping, not_applied: dict) -> dict:
    details = dict(data.get("details") or {})
    details.update({name: data[name] for name in ("tracking_code", "utm_campaign") if data.get(name)})
    if not_applied:
        details["not_applied"] = {name: _plain(value) for name, value in not_applied.items()}
    return details


def _plain(value):
    """A value as JSON holds it: an object by its id, a time in ISO 8601."""
    if hasattr(value, "pk"):
        return value.pk
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def lead_intake(*, tenant: Tenant, actor: Actor, data: Mapping, source: str) -> Intake:
    """One arrival of a person: creates their lead, or merges into the lead of their email (or CRM
    id) as a new touch. `data`: `email` and any of the lead's fields, `web_domain`, `tracking_code`,
    `utm_campaign`, `consent` (with `consent_at`, `consent_method`), and the touch: `touch_kind`
    (by default the door's own, for events and landing pages), `occurred_at`, `details`."""
    values = _arrival(data, Lookups(tenant))
    lead = selectors.lead_for_key(
        tenant=tenant, email=values["email"], external_id=values.get("external_id", ""), lock=True
    )
    if lead is None and not values["email"]:
        raise _needs_email(values)
    if lead is None:
        lead, created = _insert(tenant, values, source)
    else:
        created = False
    intake = Intake(lead=lead, created=created)
    if not created:
        before = snapshot(lead, FILLABLE_FIELDS + CONSENT_FIELDS)
        intake.filled, intake.not_applied = _merge(lead, values)
        if intake.filled:
            _save_filled(lead, intake.filled)
    intake.touch = _touch(
        tenant, lead, data, source, values["program"], _touch_details(data, intake.not_applied)
    )
    if created:
        audit(tenant=tenant, actor=actor, action="lead.created", target=lead, after=created_audit(lead))
    elif intake.changed or intake.not_applied:
        audit(tenant=tenant, actor=actor, action="lead.merged", target=lead, **merged_audit(intake, before))
    if intake.changed:  # a touch, or a filled title or account: scored in this same transaction
        lead_rescore(tenant=tenant, actor=actor, lead=lead)
    return intake


def created_audit(lead: Lead) -> dict:
    """The `after` of a lead.created event: the lead's values."""
    return snapshot(lead, LEAD_FIELDS)


def merged_audit(intake: Intake, before: dict) -> dict:
    """The before and after of a lead.merged event: the fields the arrival filled, the values it did
    not apply and the kind of the touch it recorded."""
    after = snapshot(intake.lead, intake.filled)
    after.update({f"{name}_not_applied": _plain(value) for name, value in intake.not_applied.items()})
    if intake.touch is not None:
        after["touch_kind"] = intake.touch.kind
    return {"before": {name: before[name] for name in intake.filled}, "after": after}


def _save_filled(lead: Lead, filled: list[str]) -> None:
    _clean(lead)
    try:
        with transaction.atomic():
            lead.save(update_fields=[*filled, "updated_at"])
    except IntegrityError as exc:  # a CRM id another lead took meanwhile
        raise ServiceError("Another lead has this CRM id.", field="external_id") from exc


@transaction.atomic
def lead_stage_change(*, tenant: Tenant, actor: Actor, lead_id: int, stage: str, reason: str = "") -> Lead:
    """Move a lead along its lifecycle (STAGE_TRANSITIONS); disqualifying needs a reason, which is
    cleared when the lead is taken back into nurture."""
    lead = Lead.objects.select_for_update().get(tenant=tenant, id=lead_id)
    if stage not in LeadStage.values:
        raise ServiceError(f"“{stage}” is not a lead stage.", field="stage")
    if stage == lead.stage:
        raise ServiceError(f"The lead is already {lead.get_stage_display()}.", field="stage")
    if stage not in STAGE_TRANSITIONS[lead.stage]:
        allowed = ", ".join(
            LeadStage(next_stage).label for next_stage in sorted(STAGE_TRANSITIONS[lead.stage])
        )
        raise ServiceError(
            f"A lead in {lead.get_stage_display()} cannot move to {LeadStage(stage).label}; it can move to: "
            f"{allowed}.",
            field="stage",
        )
    reason = reason.strip()
    if stage == LeadStage.DISQUALIFIED and not reason:
        raise ServiceError("Say why the lead is disqualified.", field="reason")
    before = {"status": lead.stage, "disqualified_reason": lead.disqualified_reason}
    lead.stage = stage
    lead.disqualified_reason = reason if stage == LeadStage.DISQUALIFIED else ""
    lead.stage_changed_at = timezone.now()
    lead.save(update_fields=["stage", "disqualified_reason", "stage_changed_at", "updated_at"])
    # The one before → after shape of state changes (audit_transition's), with the reason beside.
    audit(
        tenant=tenant,
        actor=actor,
        action="lead.stage_changed",
        target=lead,
        before=before,
        after={"status": lead.stage, "disqualified_reason": lead.disqualified_reason},
    )
    return lead
