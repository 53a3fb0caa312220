"""Target accounts, their opportunities (with stage history) and which partners know them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, ProtectedError, Value, When
from django.utils import timezone

from accounts.domains import normalize_domain
from accounts.models import (
    OPEN_OPPORTUNITY_STAGES,
    STALLED_AFTER_DAYS,
    AccountMapping,
    AccountStage,
    Opportunity,
    OpportunityInfluence,
    OpportunityStage,
    OpportunityStageChange,
    TargetAccount,
)
from accounts.selectors.accounts import account_delete_refusal
from accounts.services.claim_matching import claims_match
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audited, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.selectors import staff_users
from partnerhub.tenancy.services.common import (
    check_partner_in_tenant,
    membership_of,
    save_changes,
    save_validated,
)
from partnerhub.tenancy.services.verticals import verticals_check

ACCOUNT_FIELDS = [
    "name",
    "domain",
    "industry",
    "region",
    "segment",
    "manual_stage",
    "senior_buyers_engaged",
    "owner",
    "external_id",
]
OPPORTUNITY_FIELDS = [
    "account",
    "name",
    "stage",
    "amount",
    "currency",
    "close_date",
    "external_id",
    "source_partner",
]
MAPPING_FIELDS = ["partner", "account", "relationship", "source", "notes"]


def _check_unknown(fields: dict, allowed: list[str], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set on {what}.")


def _clean_account_fields(tenant: Tenant, fields: dict, account: TargetAccount | None = None) -> dict:
    _check_unknown(fields, ACCOUNT_FIELDS, "an account")
    held = [account.industry] if account is not None else []
    verticals_check(tenant=tenant, values=[fields.get("industry", "")], field="industry", held=held)
    if "domain" in fields:
        try:
            fields["domain"] = normalize_domain(fields["domain"])
        except ValidationError as exc:
            raise ServiceError(exc.messages[0], field="domain") from exc
    owner = fields.get("owner")
    if owner is not None and not staff_users(tenant=tenant).filter(pk=owner.pk).exists():
        raise ServiceError("The owner must be a vendor staff member of this tenant.", field="owner")
    return fields


# --- Accounts -----------------------------------------------------------------------------------


@transaction.atomic
def account_create(*, tenant: Tenant, actor: Actor, **fields) -> TargetAccount:
    """Add a target account; its domain is normalized and unique in the tenant."""
    fields = _clean_account_fields(tenant, fields)
    account = TargetAccount(tenant=tenant, **fields)
    account.stage = account.manual_stage
    save_validated(account)
    claims_match(tenant=tenant, accounts=[account])  # partners that already said they know it
    audit(
        tenant=tenant,
        actor=actor,
        action="account.created",
        target=account,
        after=snapshot(account, ACCOUNT_FIELDS),
    )
    return account


@transaction.atomic
def account_update(*, tenant: Tenant, actor: Actor, account_id: int, **fields) -> TargetAccount:
    """Change an account. A stage set by hand only shows while the account has no opportunities."""
    account = TargetAccount.objects.select_for_update().get(tenant=tenant, id=account_id)
    fields = _clean_account_fields(tenant, fields, account)
    watched = [*ACCOUNT_FIELDS, "stage"]
    with audited(tenant=tenant, actor=actor, target=account, fields=watched, action="account.updated"):
        save_changes(account, fields)
        if "manual_stage" in fields:
            account_stages_refresh(tenant=tenant, account_ids=[account.id])
            account.refresh_from_db(fields=["stage"])
    if "domain" in fields:
        claims_match(tenant=tenant, accounts=[account])
    return account


@transaction.atomic
def account_delete(*, tenant: Tenant, actor: Actor, account_id: int) -> None:
    """Delete an account with its opportunities and mappings; an account named in a plan stays
    (`account_delete_refusal`)."""
    account = TargetAccount.objects.select_for_update().get(tenant=tenant, id=account_id)
    refusal = account_delete_refusal(tenant=tenant, account=account)
    if refusal:
        raise ServiceError(refusal)
    before = snapshot(account, ACCOUNT_FIELDS)
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError as exc:  # a row that came to need the account since the check
        raise ServiceError(f"{account.name} is still in use and cannot be deleted.") from exc
    audit(tenant=tenant, actor=actor, action="account.deleted", target=account, before=before)


def account_stages_refresh(*, tenant: Tenant, account_ids: Iterable[int] | None = None) -> int:
    """Derive each account's stage from its opportunities, in one UPDATE.

    An open opportunity makes it "open opportunity", or "stalled" when no open one moved stage in
    STALLED_AFTER_DAYS; else a won one makes it an existing customer; an account whose only
    opportunities were lost is net new; an account without opportunities keeps its manual stage.
    Returns how many accounts changed stage.
    """
    moved_since = timezone.now() - timedelta(days=STALLED_AFTER_DAYS)
    opportunities = Opportunity.objects.filter(tenant=tenant, account=OuterRef("pk"))
    open_ones = opportunities.filter(stage__in=OPEN_OPPORTUNITY_STAGES)
    derived = Case(
        When(
            Exists(open_ones.filter(stage_changed_at__gte=moved_since)),
            then=Value(AccountStage.OPEN_OPPORTUNITY),
        ),
        When(Exists(open_ones), then=Value(AccountStage.STALLED_OPPORTUNITY)),
        When(
            Exists(opportunities.filter(stage=OpportunityStage.CLOSED_WON)),
            then=Value(AccountStage.EXISTING_CUSTOMER),
        ),
        When(Exists(opportunities), then=Value(AccountStage.NET_NEW)),
        default=F("manual_stage"),
    )
    accounts = TargetAccount.objects.filter(tenant=tenant)
    if account_ids is not None:
        accounts = accounts.filter(id__in=list(account_ids))
    stale = accounts.annotate(derived=derived).exclude(stage=F("derived")).values("id")
    return TargetAccount.objects.filter(tenant=tenant, id__in=stale).update(stage=derived)


# --- Opportunities ------------------------------------------------------------------------------


def _clean_opportunity_fields(tenant: Tenant, fields: dict) -> dict:
    _check_unknown(fields, [*OPPORTUNITY_FIELDS, "stage_changed_at"], "an opportunity")
    account = fields.get("account")
    if account is not None and account.tenant_id != tenant.id:
        raise ServiceError("Select a valid account.", field="account")
    source = fields.get("source_partner")
    if source is not None:
        try:
            check_partner_in_tenant(tenant, source)
        except ServiceError as exc:
            raise ServiceError(exc.message, field="source_partner") from exc
    return fields


def _set_influencers(tenant: Tenant, opportunity: Opportunity, partners: Iterable[Partner]) -> None:
    partners = list(partners)
    for partner in partners:
        check_partner_in_tenant(tenant, partner)
    wanted = {partner.id for partner in partners}
    existing = set(
        OpportunityInfluence.objects.filter(tenant=tenant, opportunity=opportunity).values_list(
            "partner_id", flat=True
        )
    )
    OpportunityInfluence.objects.filter(
        tenant=tenant, opportunity=opportunity, partner_id__in=existing - wanted
    ).delete()
    OpportunityInfluence.objects.bulk_create(
        [
            OpportunityInfluence(tenant=tenant, opportunity=opportunity, partner_id=pid)
            for pid in wanted - existing
        ]
    )


def opportunity_stage_change(
    *, tenant: Tenant, opportunity: Opportunity, from_stage: str, at: datetime | None = None
) -> OpportunityStageChange:
    """The history row of a stage change to the opportunity's current stage, unsaved (a batch
    bulk-inserts them)."""
    return OpportunityStageChange(
        tenant=tenant,
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=opportunity.stage,
        changed_at=at or timezone.now(),
    )


def opportunity_stage_record(
    *, tenant: Tenant, opportunity: Opportunity, from_stage: str, at: datetime | None = None
) -> None:
    """Keep a stage change in the history (the caller has saved the new stage)."""
    opportunity_stage_change(tenant=tenant, opportunity=opportunity, from_stage=from_stage, at=at).save()


@transaction.atomic
def opportunity_create(
    *, tenant: Tenant, actor: Actor, influencing_partners: Iterable[Partner] = (), **fields
) -> Opportunity:
    """Add an opportunity; its first stage opens the history, and the account's stage follows."""
    fields = _clean_opportunity_fields(tenant, fields)
    opportunity = Opportunity(tenant=tenant, **fields)
    if "stage_changed_at" not in fields:
        opportunity.stage_changed_at = timezone.now()
    save_validated(opportunity)
    opportunity_stage_record(
        tenant=tenant, opportunity=opportunity, from_stage="", at=opportunity.stage_changed_at
    )
    _set_influencers(tenant, opportunity, influencing_partners)
    account_stages_refresh(tenant=tenant, account_ids=[opportunity.account_id])
    audit(
        tenant=tenant,
        actor=actor,
        action="opportunity.created",
        target=opportunity,
        after=snapshot(opportunity, OPPORTUNITY_FIELDS),
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    tenant: Tenant,
    actor: Actor,
    opportunity_id: int,
    influencing_partners: Iterable[Partner] | None = None,
    **fields,
) -> Opportunity:
    """Change an opportunity. A new stage is kept in the history with its time (the CRM's time
    when the sync sends `stage_changed_at`), and the account's stage follows."""
    opportunity = Opportunity.objects.select_for_update().get(tenant=tenant, id=opportunity_id)
    fields = _clean_opportunity_fields(tenant, fields)
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    old_stage, old_account = opportunity.stage, opportunity.account_id
    changed_at = fields.pop("stage_changed_at", None) or timezone.now()
    for name, value in fields.items():
        setattr(opportunity, name, value)
    update_fields = [*fields, "updated_at"]
    if opportunity.stage != old_stage:
        opportunity.stage_changed_at = changed_at
        update_fields.append("stage_changed_at")
    save_validated(opportunity, update_fields=update_fields)
    if opportunity.stage != old_stage:
        opportunity_stage_record(tenant=tenant, opportunity=opportunity, from_stage=old_stage, at=changed_at)
    if influencing_partners is not None:
        _set_influencers(tenant, opportunity, influencing_partners)
    account_stages_refresh(tenant=tenant, account_ids={old_account, opportunity.account_id})
    after = snapshot(opportunity, OPPORTUNITY_FIELDS)
    if after != before:
        audit(
            tenant=tenant,
            actor=actor,
            action="opportunity.updated",
            target=opportunity,
            before=before,
            after=after,
        )
    return opportunity


@transaction.atomic
def opportunity_delete(*, tenant: Tenant, actor: Actor, opportunity_id: int) -> None:
    opportunity = Opportunity.objects.select_for_update().get(tenant=tenant, id=opportunity_id)
    audit(
        tenant=tenant,
        actor=actor,
        action="opportunity.deleted",
        target=opportunity,
        before=snapshot(opportunity, OPPORTUNITY_FIELDS),
    )
    account_id = opportunity.account_id
    opportunity.delete()
    account_stages_refresh(tenant=tenant, account_ids=[account_id])


# --- Account mapping ----------------------------------------------------------------------------


def check_mapping_actor(*, tenant: Tenant, actor: Actor, partner: Partner) -> None:
    """Account mapping is the vendor's record of which partner works with which account: refuse a
    partner user (their own list is "My accounts", see services/claims.py) and a partner of
    another tenant."""
    if actor is not None and membership_of(tenant=tenant, user=actor).is_partner_role:
        raise ServiceError(
            "Account mapping is kept by the vendor. List the accounts you work with under My accounts."
        )
    check_partner_in_tenant(tenant, partner)


@transaction.atomic
def mapping_create(
    *,
    tenant: Tenant,
    actor: Actor,
    partner: Partner,
    account: TargetAccount,
    relationship: str = AccountMapping.Relationship.RELATIONSHIP,
    source: str = AccountMapping.Source.STAFF,
    notes: str = "",
) -> AccountMapping:
    """Record that a partner works with an account (vendor staff and API keys)."""
    check_mapping_actor(tenant=tenant, actor=actor, partner=partner)
    if account.tenant_id != tenant.id:
        raise ServiceError("Select a valid account.", field="account")
    mapping = AccountMapping(
        tenant=tenant, partner=partner, account=account, relationship=relationship, source=source, notes=notes
    )
    save_validated(mapping)
    audit(
        tenant=tenant,
        actor=actor,
        action="mapping.created",
        target=mapping,
        after=snapshot(mapping, MAPPING_FIELDS),
    )
    return mapping


@transaction.atomic
def mapping_update(*, tenant: Tenant, actor: Actor, mapping_id: int, **fields) -> AccountMapping:
    """Change the kind of relationship or the notes of a mapping. Its partner and account never
    change: naming them again is accepted only with the values it has."""
    # The partner and account name the mapping in the audit trail.
    mapping = (
        AccountMapping.objects.select_for_update(of=("self",))
        .select_related("partner", "account")
        .get(tenant=tenant, id=mapping_id)
    )
    check_mapping_actor(tenant=tenant, actor=actor, partner=mapping.partner)
    for name in ("partner", "account"):
        if name in fields and getattr(fields.pop(name), "pk", None) != getattr(mapping, f"{name}_id"):
            raise ServiceError(
                "The partner and account of a mapping do not change: delete it and map again.", field=name
            )
    _check_unknown(fields, ["relationship", "notes"], "a mapping")
    with audited(tenant=tenant, actor=actor, target=mapping, fields=MAPPING_FIELDS, action="mapping.updated"):
        save_changes(mapping, fields)
    return mapping


@transaction.atomic
def mapping_delete(*, tenant: Tenant, actor: Actor, mapping_id: int) -> None:
    # The partner and account name the mapping in the audit trail.
    mapping = (
        AccountMapping.objects.select_for_update(of=("self",))
        .select_related("partner", "account")
        .get(tenant=tenant, id=mapping_id)
    )
    check_mapping_actor(tenant=tenant, actor=actor, partner=mapping.partner)
    audit(
        tenant=tenant,
        actor=actor,
        action="mapping.deleted",
        target=mapping,
        before=snapshot(mapping, MAPPING_FIELDS),
    )
    mapping.delete()
