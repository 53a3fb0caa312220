"""Fund requests, the catalog and proposal templates (docs/mdf.md, "Requests").

The rules kept here:
- The catalog and the proposal templates are the vendor's: staff with "mdf.change" write them; a
  deactivated item or template is no longer offered, the requests made from it keep it.
- A partner's users make requests for their own company; vendor staff with "mdf.change" may make
  one for a partner (a strategic line agreed in planning). A request draws on a fund serving the
  partner's tier: from the partner's own allocation, or (catalog) from the tier's pool; its amount
  is in the fund's currency. The plan it serves is the partner's, and the target accounts it names
  are the plan's.
- Partner users submit, resubmit and cancel their own; vendor staff with "mdf.change" ask for
  information, approve (for the amount asked or less), reject (the partner may fix and resubmit) or
  decline (final); they may also cancel.
- Approval reserves the approved amount from the request's allocation in the same transaction: the
  ledger's lock and constraints refuse overspend, with the money that is there. Above the tenant's
  threshold (`RequestRules.second_approval_above`) a first approval only records step 1; a second,
  different approver reserves. Cancelling an approved request releases what it reserved.
- A catalog request is approved on submit, by the system, while the tier's pool and the partner's
  per-quarter limit allow it; otherwise it waits for review, with the reason as its review note.
- Every transition is audited (before → after) and notified through the outbox: submitted to the
  tenant's partner managers, information requested and decisions to the partner's users.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Plan, PlanAccount, Program
from mdf.models import (
    EDITABLE,
    IN_REVIEW,
    ActivityType,
    Allocation,
    CatalogItem,
    Claim,
    ClaimState,
    Fund,
    FundRequest,
    FundTranche,
    ProposalTemplate,
    RequestAccount,
    RequestRules,
    RequestState,
)
from mdf.selectors.requests import catalog_offer
from mdf.services.ledger import CENT, ledger_release, ledger_reserve, locked_fund, require_fund_manager
from mdf.services.ledger import money as _money
from mdf.services.notices import tell_partner_managers, tell_partner_users
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_transition
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.services.common import membership_of, user_of
from partnerhub.tenancy.taxonomy import currency_code
from plays.models import Play

SYSTEM = None  # the actor of automatic approvals
CATALOG_FIELDS = ["name", "description", "activity_type", "amount", "currency", "tiers", "limit_per_quarter"]
TEMPLATE_FIELDS = ["play", "name", "description", "questions"]
REQUEST_FIELDS = [
    "title",
    "description",
    "activity_type",
    "starts_on",
    "ends_on",
    "format",
    "plan",
    "program",
    "target_accounts",
    "expected_accounts_in_room",
    "expected_meetings",
    "expected_pipeline",
    "partner_contribution",
    "amount_requested",
    "answers",
]


def money(value, *, field: str = "amount") -> Decimal:
    """A positive amount in cents (the ledger's rule), written with its two decimals."""
    return _money(value, field=field).quantize(CENT)


# --- who may do what ------------------------------------------------------------------------------


def _acting_partner(tenant: Tenant, actor: Actor) -> int | None:
    """The partner company of a partner user (None: vendor staff or the system)."""
    if actor is None:
        return None
    membership = membership_of(tenant=tenant, user=actor)
    return membership.partner_id if membership.is_partner_role else None


def _require_own(tenant: Tenant, actor: Actor, request: FundRequest) -> None:
    """Partner users act on their own company's requests; vendor staff need "mdf.change"."""
    partner_id = _acting_partner(tenant, actor)
    if partner_id is None:
        require_fund_manager(tenant=tenant, actor=actor)
    elif partner_id != request.partner_id:
        raise ServiceError("No such request.")


def _require_reviewer(tenant: Tenant, actor: Actor) -> None:
    if actor is not None and _acting_partner(tenant, actor) is not None:
        raise ServiceError("Only the vendor's staff decide on fund requests.")
    require_fund_manager(tenant=tenant, actor=actor)


# --- catalog and templates ------------------------------------------------------------------------


def _clean_catalog(tenant: Tenant, fields: dict) -> dict:
    _known(fields, CATALOG_FIELDS, "a catalog item")
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise ServiceError("This field is required.", field="name")
    if "activity_type" in cleaned and cleaned["activity_type"] not in ActivityType.values:
        raise ServiceError("Choose a valid activity type.", field="activity_type")
    if "amount" in cleaned:
        cleaned["amount"] = money(cleaned["amount"])
    if "currency" in cleaned or "amount" in cleaned:
        code = currency_code(cleaned.get("currency") or tenant.default_currency)
        if code is None:
            raise ServiceError(
                f"“{cleaned['currency']}” is not an active ISO 4217 currency.", field="currency"
            )
        cleaned["currency"] = code
    if "tiers" in cleaned:
        cleaned["tiers"] = _tiers(cleaned["tiers"])
    limit = cleaned.get("limit_per_quarter")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ServiceError("The limit is a whole number of at least 1, or empty.", field="limit_per_quarter")
    return cleaned


def _tiers(tiers) -> list[str]:
    tiers = list(tiers or Partner.Tier.values)
    if not set(tiers) <= set(Partner.Tier.values):
        raise ServiceError("Choose tiers among one-to-one, one-to-few and one-to-many.", field="tiers")
    return [tier for tier in Partner.Tier.values if tier in tiers]


def _known(fields: dict, allowed: list[str], what: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(f"{', '.join(sorted(unknown))} cannot be set on {what}.")


def _name_free(model, tenant: Tenant, instance, **lookup) -> None:
    taken = model.objects.filter(tenant=tenant, **lookup).exclude(pk=instance.pk).exists()
    if taken:
        raise ServiceError("This name is already taken.", field="name")


def _values(instance, names: list[str]) -> dict:
    found = {}
    for name in names:
        value = getattr(instance, f"{name}_id" if name == "play" else name)
        found[name] = str(value) if isinstance(value, Decimal) else value
    return found


@transaction.atomic
def catalog_item_create(*, tenant: Tenant, actor: Actor, **fields) -> CatalogItem:
    require_fund_manager(tenant=tenant, actor=actor)
    for required in ("name", "activity_type", "amount"):
        if fields.get(required) in (None, ""):
            raise ServiceError("This field is required.", field=required)
    fields.setdefault("tiers", [])
    item = CatalogItem(tenant=tenant, created_by=user_of(actor), **_clean_catalog(tenant, fields))
    _name_free(CatalogItem, tenant, item, name__iexact=item.name)
    item.save(force_insert=True)
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.catalog_item.created",
        target=item,
        after=_values(item, CATALOG_FIELDS),
    )
    return item


@transaction.atomic
def catalog_item_update(*, tenant: Tenant, actor: Actor, item_id: int, **fields) -> CatalogItem:
    """Change an item; requests already made keep the amount they were made for."""
    require_fund_manager(tenant=tenant, actor=actor)
    item = CatalogItem.objects.select_for_update().filter(tenant=tenant, id=item_id).first()
    if item is None:
        raise ServiceError("No such catalog item.")
    before = _values(item, CATALOG_FIELDS)
    for name, value in _clean_catalog(tenant, fields).items():
        setattr(item, name, value)
    _name_free(CatalogItem, tenant, item, name__iexact=item.name)
    item.save()
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.catalog_item.updated",
        target=item,
        before=before,
        after=_values(item, CATALOG_FIELDS),
    )
    return item


def _set_active(model, tenant: Tenant, actor: Actor, object_id: int, active: bool, action: str):
    require_fund_manager(tenant=tenant, actor=actor)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(tenant=tenant, id=object_id).first()
        if row is None:
            raise ServiceError(f"No such {model._meta.verbose_name}.")
        if row.is_active != active:
            row.is_active = active
            row.save(update_fields=["is_active", "updated_at"])
            audit(
                tenant=tenant,
                actor=actor,
                action=action,
                target=row,
                before={"is_active": not active},
                after={"is_active": active},
            )
    return row


def catalog_item_set_active(*, tenant: Tenant, actor: Actor, item_id: int, active: bool) -> CatalogItem:
    """Offer an item again, or no more (deactivated: no new requests from it)."""
    return _set_active(
        CatalogItem,
        tenant,
        actor,
        item_id,
        active,
        "mdf.catalog_item.activated" if active else "mdf.catalog_item.deactivated",
    )


def _clean_template(tenant: Tenant, fields: dict) -> dict:
    _known(fields, TEMPLATE_FIELDS, "a proposal template")
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise ServiceError("This field is required.", field="name")
    if "play" in cleaned:
        play = cleaned["play"]
        play_id = play.id if isinstance(play, Play) else play
        cleaned["play"] = Play.objects.filter(tenant=tenant, id=play_id).first()
        if cleaned["play"] is None:
            raise ServiceError("Select a valid play.", field="play")
    if "questions" in cleaned:
        questions = [str(question).strip() for question in cleaned["questions"] or []]
        if not all(questions) or not questions:
            raise ServiceError(
                "A template asks at least one question, none of them empty.", field="questions"
            )
        cleaned["questions"] = questions
    return cleaned


@transaction.atomic
def proposal_template_create(*, tenant: Tenant, actor: Actor, **fields) -> ProposalTemplate:
    require_fund_manager(tenant=tenant, actor=actor)
    for required in ("play", "name", "questions"):
        if not fields.get(required):
            raise ServiceError("This field is required.", field=required)
    template = ProposalTemplate(tenant=tenant, created_by=user_of(actor), **_clean_template(tenant, fields))
    _name_free(ProposalTemplate, tenant, template, play=template.play, name__iexact=template.name)
    template.save(force_insert=True)
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.proposal_template.created",
        target=template,
        after=_values(template, TEMPLATE_FIELDS),
    )
    return template


@transaction.atomic
def proposal_template_update(*, tenant: Tenant, actor: Actor, template_id: int, **fields) -> ProposalTemplate:
    require_fund_manager(tenant=tenant, actor=actor)
    template = ProposalTemplate.objects.select_for_update().filter(tenant=tenant, id=template_id).first()
    if template is None:
        raise ServiceError("No such proposal template.")
    before = _values(template, TEMPLATE_FIELDS)
    for name, value in _clean_template(tenant, fields).items():
        setattr(template, name, value)
    _name_free(ProposalTemplate, tenant, template, play=template.play, name__iexact=template.name)
    template.save()
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.proposal_template.updated",
        target=template,
        before=before,
        after=_values(template, TEMPLATE_FIELDS),
    )
    return template


def proposal_template_set_active(
    *, tenant: Tenant, actor: Actor, template_id: int, active: bool
) -> ProposalTemplate:
    return _set_active(
        ProposalTemplate,
        tenant,
        actor,
        template_id,
        active,
        "mdf.proposal_template.activated" if active else "mdf.proposal_template.deactivated",
    )


def request_rules(*, tenant: Tenant) -> RequestRules:
    """The tenant's approval rules (unsaved defaults when it has set none)."""
    return RequestRules.objects.filter(tenant=tenant).first() or RequestRules(tenant=tenant)


@transaction.atomic
def request_rules_set(
    *, tenant: Tenant, actor: Actor, second_approval_above: Decimal | None, aging_business_days: int
) -> RequestRules:
    require_fund_manager(tenant=tenant, actor=actor)
    if second_approval_above is not None and (
        not isinstance(second_approval_above, Decimal) or second_approval_above < 0
    ):
        raise ServiceError(
            "The threshold is an amount of at least 0, or empty.", field="second_approval_above"
        )
    if not isinstance(aging_business_days, int) or not 1 <= aging_business_days <= 60:
        raise ServiceError("Between 1 and 60 business days.", field="aging_business_days")
    rules, _ = RequestRules.objects.select_for_update().get_or_create(tenant=tenant)
    before = {
        "second_approval_above": str(rules.second_approval_above),
        "aging_business_days": rules.aging_business_days,
    }
    rules.second_approval_above = second_approval_above
    rules.aging_business_days = aging_business_days
    rules.save()
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.request_rules.updated",
        target=rules,
        before=before,
        after={
            "second_approval_above": str(second_approval_above),
            "aging_business_days": aging_business_days,
        },
    )
    return rules


# --- making a request -----------------------------------------------------------------------------


def _source_allocation(
    tenant: Tenant, fund: Fund, partner: Partner, kind: str, *, by_partner: bool
) -> Allocation:
    """The partner's own allocation of the fund, or (catalog) its tier's pool. A partner's user
    reads no fund it draws nothing from: for them such a fund is one that does not exist."""
    if kind == FundRequest.Kind.CATALOG:
        allocation = Allocation.objects.filter(
            tenant=tenant, fund=fund, partner=None, tier=partner.tier
        ).first()
        missing = f"{fund.name} has no pool for {partner.get_tier_display().lower()} partners."
    else:
        allocation = Allocation.objects.filter(tenant=tenant, fund=fund, partner=partner).first()
        missing = f"{fund.name} has no allocation for {partner.name}."
    if allocation is None:
        raise ServiceError("Select a valid fund." if by_partner else missing, field="fund")
    if partner.tier not in fund.tiers:
        raise ServiceError(
            f"{fund.name} does not serve {partner.get_tier_display().lower()} partners.", field="fund"
        )
    return allocation


def _count(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ServiceError("A whole number of at least 0.", field=field)
    return value


def _amount_or_zero(value, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value != value.quantize(CENT):
        raise ServiceError("An amount of at least 0, with at most two decimal places.", field=field)
    return value.quantize(CENT)


def _apply_fields(tenant: Tenant, request: FundRequest, fields: dict) -> list | None:
    """Set the cleaned fields on the request; returns the target accounts to set (None: unchanged)."""
    _known(fields, REQUEST_FIELDS, "a request")
    accounts = fields.pop("target_accounts", None)
    for name in ("title", "description"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    for name, value in fields.items():
        if name in ("expected_accounts_in_room", "expected_meetings"):
            value = _count(value, name)
        elif name in ("expected_pipeline", "partner_contribution"):
            value = _amount_or_zero(value, name)
        elif name == "amount_requested":
            if request.kind == FundRequest.Kind.CATALOG:
                raise ServiceError("A catalog request is for the item's fixed amount.", field=name)
            value = money(value, field=name)
        elif name == "plan":
            value = _plan(tenant, request, value)
        elif name == "program":
            value = _program(tenant, request, value)
        elif name in ("starts_on", "ends_on") and not isinstance(value, datetime.date):
            raise ServiceError("Enter a valid date.", field=name)
        setattr(request, name, value)
    if not request.title:
        raise ServiceError("This field is required.", field="title")
    if request.activity_type not in ActivityType.values:
        raise ServiceError("Choose a valid activity type.", field="activity_type")
    if request.format not in FundRequest.Format.values:
        raise ServiceError("Choose in person or virtual.", field="format")
    if not request.starts_on or not request.ends_on:
        raise ServiceError(
            "This field is required.", field="starts_on" if not request.starts_on else "ends_on"
        )
    if request.ends_on < request.starts_on:
        raise ServiceError("The activity ends on or after the day it starts.", field="ends_on")
    if request.program_id and request.plan_id and request.program.plan_id != request.plan_id:
        raise ServiceError("This program is not the plan's.", field="program")
    if request.program_id and not request.plan_id:
        request.plan = request.program.plan
    if not isinstance(request.answers, dict):
        raise ServiceError("Answer each question of the template.", field="answers")
    if request.template_id:
        request.answers = {q: str(request.answers.get(q) or "").strip() for q in request.template.questions}
    if accounts is not None:
        return _plan_accounts(tenant, request, accounts)
    return None


def _plan(tenant: Tenant, request: FundRequest, value) -> Plan | None:
    if value in (None, ""):
        return None
    plan = Plan.objects.filter(
        tenant=tenant, id=getattr(value, "id", value), partner_id=request.partner_id
    ).first()
    if plan is None:
        raise ServiceError("Select a valid plan of this partner.", field="plan")
    return plan


def _program(tenant: Tenant, request: FundRequest, value) -> Program | None:
    if value in (None, ""):
        return None
    program = Program.objects.filter(
        tenant=tenant, id=getattr(value, "id", value), partner_id=request.partner_id
    ).first()
    if program is None:
        raise ServiceError("Select a valid program of this partner.", field="program")
    return program


def _plan_accounts(tenant: Tenant, request: FundRequest, accounts) -> list[int]:
    ids = {getattr(account, "id", account) for account in accounts}
    if not ids:
        return []
    if request.plan_id is None:
        raise ServiceError("Name the plan whose target accounts the request is meant to reach.", field="plan")
    found = set(
        PlanAccount.objects.filter(tenant=tenant, plan_id=request.plan_id, account_id__in=ids).values_list(
            "account_id", flat=True
        )
    )
    if found != ids:
        raise ServiceError("Choose target accounts of the request's plan.", field="target_accounts")
    return sorted(ids)


def _set_accounts(tenant: Tenant, request: FundRequest, account_ids: list[int] | None) -> None:
    if account_ids is None:
        return
    RequestAccount.objects.filter(tenant=tenant, request=request).exclude(account_id__in=account_ids).delete()
    have = set(
        RequestAccount.objects.filter(tenant=tenant, request=request).values_list("account_id", flat=True)
    )
    RequestAccount.objects.bulk_create(
        [
            RequestAccount(tenant=tenant, request=request, account_id=account_id)
            for account_id in account_ids
            if account_id not in have
        ]
    )


@transaction.atomic
def request_create(
    *,
    tenant: Tenant,
    actor: Actor,
    fund_id: int,
    kind: str,
    partner_id: int | None = None,
    catalog_item_id: int | None = None,
    template_id: int | None = None,
    **fields,
) -> FundRequest:
    """A draft request (the rules in the module docstring). A partner user's is their company's;
    a catalog request takes the item's name, activity type and fixed amount unless told otherwise."""
    own_partner = _acting_partner(tenant, actor)
    if own_partner is None:
        require_fund_manager(tenant=tenant, actor=actor)
    elif partner_id not in (None, own_partner):
        raise ServiceError("Select a valid partner.", field="partner")
    else:
        partner_id = own_partner
    partner = Partner.objects.filter(tenant=tenant, id=partner_id).first() if partner_id else None
    if partner is None:
        raise ServiceError("Select a valid partner.", field="partner")
    if kind not in FundRequest.Kind.values:
        raise ServiceError("Choose strategic, proposal or catalog.", field="kind")
    if (
        kind == FundRequest.Kind.STRATEGIC
        and own_partner is not None
        and partner.tier != Partner.Tier.ONE_TO_ONE
    ):
        raise ServiceError("Strategic budget lines are for one-to-one partners.", field="kind")
    fund = Fund.objects.filter(tenant=tenant, id=fund_id).first()
    if fund is None:
        raise ServiceError("Select a valid fund.", field="fund")
    request = FundRequest(
        tenant=tenant,
        partner=partner,
        fund=fund,
        kind=kind,
        currency=fund.currency,
        created_by=user_of(actor),
    )
    request.allocation = _source_allocation(tenant, fund, partner, kind, by_partner=own_partner is not None)
    if kind == FundRequest.Kind.CATALOG:
        # Only what the partner's tier is offered: another tier's item is "not in the catalog" too.
        item = catalog_offer(tenant=tenant, partner=partner).filter(id=catalog_item_id).first()
        if item is None:
            raise ServiceError("Select an item of the catalog.", field="catalog_item")
        if item.currency != fund.currency:
            raise ServiceError(
                f"{item.name} is in {item.currency}; {fund.name} is in {fund.currency}.", field="fund"
            )
        request.catalog_item = item
        request.amount_requested = item.amount
        fields.setdefault("title", item.name)
        fields.setdefault("activity_type", item.activity_type)
        fields.setdefault("description", item.description)
    elif catalog_item_id is not None:
        raise ServiceError("Only a catalog request names a catalog item.", field="catalog_item")
    if kind == FundRequest.Kind.PROPOSAL:
        template = ProposalTemplate.objects.filter(tenant=tenant, id=template_id, is_active=True).first()
        if template is None:
            raise ServiceError("Select a proposal template.", field="template")
        request.template = template
    elif template_id is not None:
        raise ServiceError("Only a proposal names a proposal template.", field="template")
    if kind != FundRequest.Kind.CATALOG and "amount_requested" not in fields:
        raise ServiceError("This field is required.", field="amount_requested")
    accounts = _apply_fields(tenant, request, fields)
    request.save(force_insert=True)
    _set_accounts(tenant, request, accounts)
    audit(
        tenant=tenant,
        actor=actor,
        action="mdf.request.created",
        target=request,
        after={
            "kind": kind,
            "partner": partner.id,
            "fund": fund.id,
            "amount_requested": str(request.amount_requested),
        },
    )
    return request


def _locked_request(tenant: Tenant, request_id: int) -> FundRequest:
    request = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("partner", "fund", "allocation", "catalog_item", "template")
        .filter(tenant=tenant, id=request_id)
        .first()
    )
    if request is None:
        raise ServiceError("No such request.")
    return request


@transaction.atomic
def request_update(*, tenant: Tenant, actor: Actor, request_id: int, **fields) -> FundRequest:
    """Change a request while it is the partner's to fix: a draft, one asked for information, or
    one rejected."""
    request = _locked_request(tenant, request_id)
    _require_own(tenant, actor, request)
    if request.state not in EDITABLE:
        raise ServiceError(f"A request that is {request.get_state_display().lower()} cannot be changed.")
    before = {name: _shown(getattr(request, name)) for name in REQUEST_FIELDS if name != "target_accounts"}
    accounts = _apply_fields(tenant, request, fields)
    request.save()
    _set_accounts(tenant, request, accounts)
    after = {name: _shown(getattr(request, name)) for name in REQUEST_FIELDS if name != "target_accounts"}
    changed = {name for name in after if after[name] != before[name]}
    if changed or accounts is not None:
        audit(
            tenant=tenant,
            actor=actor,
            action="mdf.request.updated",
            target=request,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed}
            | ({"target_accounts": accounts} if accounts is not None else {}),
        )
    return request


def _shown(value):
    if isinstance(value, (Decimal, datetime.date)):
        return str(value)
    return getattr(value, "pk", value)


def request_missing(request: FundRequest) -> list[str]:
    """What the request still lacks before it can be submitted, in words (empty: nothing)."""
    missing = []
    if request.template_id:
        answers = request.answers if isinstance(request.answers, dict) else {}
        missing += [
            f"An answer to “{q}”."
            for q in request.template.questions
            if not str(answers.get(q) or "").strip()
        ]
    if request.kind != FundRequest.Kind.CATALOG and not request.plan_id and not request.program_id:
        missing.append("The plan or program it serves.")
    return missing


# --- transitions ----------------------------------------------------------------------------------


def _move(
    tenant: Tenant, actor: Actor, request: FundRequest, to_state: str, *, also: dict | None = None, **changes
) -> None:
    from_state = request.state
    request.state = to_state
    for name, value in changes.items():
        setattr(request, name, value)
    request.save(update_fields=["state", *changes, "updated_at"])
    audit_transition(
        tenant=tenant,
        actor=actor,
        action=f"mdf.request.{to_state}",
        target=request,
        from_state=from_state,
        to_state=to_state,
        also={name: _shown(value) for name, value in changes.items()} | (also or {}),
    )


def _request_url(tenant: Tenant, request: FundRequest) -> str:
    return f"/t/{tenant.slug}/mdf/requests/{request.id}/"


def _tell_partner(tenant: Tenant, request: FundRequest, title: str, body: str = "") -> None:
    tell_partner_users(
        tenant=tenant,
        partner_id=request.partner_id,
        title=title,
        body=body,
        url=_request_url(tenant, request),
    )


def _tell_reviewers(
    tenant: Tenant, request: FundRequest, title: str, body: str = "", *, besides: int | None = None
) -> None:
    tell_partner_managers(
        tenant=tenant,
        title=title,
        body=body,
        url=_request_url(tenant, request),
        partner=request.partner,
        besides=besides,
    )


@transaction.atomic
def request_submit(
    *, tenant: Tenant, actor: Actor, request_id: int, now: datetime.datetime | None = None
) -> FundRequest:
    """Send a draft for review. A catalog request is approved at once while the pool and the
    partner's limit allow it; otherwise it waits for review with the reason."""
    return _send_for_review(tenant, actor, request_id, (RequestState.DRAFT,), RequestState.SUBMITTED, now)


@transaction.atomic
def request_resubmit(
    *, tenant: Tenant, actor: Actor, request_id: int, now: datetime.datetime | None = None
) -> FundRequest:
    """Send back a request asked for information, or a rejected one fixed."""
    return _send_for_review(
        tenant,
        actor,
        request_id,
        (RequestState.INFO_REQUESTED, RequestState.REJECTED),
        RequestState.RESUBMITTED,
        now,
    )


def _send_for_review(tenant, actor, request_id, from_states, to_state, now) -> FundRequest:
    request = _locked_request(tenant, request_id)
    _require_own(tenant, actor, request)
    if request.state not in from_states:
        raise ServiceError(f"A request that is {request.get_state_display().lower()} cannot be {to_state}.")
    missing = request_missing(request)
    if missing:
        raise ServiceError("Before it is sent: " + " ".join(missing))
    now = now or timezone.now()
    _move(
        tenant,
        actor,
        request,
        to_state,
        in_review_since=now,
        review_note="",
        first_approved_by=None,
        first_approved_amount=None,
    )
    detail = ""
    if request.kind == FundRequest.Kind.CATALOG:
        waits = _catalog_auto_approve(tenant, request, now)
        if waits is None:
            return request
        request.review_note, detail = waits
        request.save(update_fields=["review_note", "updated_at"])
    _tell_reviewers(
        tenant,
        request,
        f"Fund request from {request.partner.name}: {request.title}",
        f"{request.amount_requested} {request.currency} from {request.fund.name}."
        + (f" {detail}" if detail else ""),
    )
    return request


def _catalog_auto_approve(tenant: Tenant, request: FundRequest, now) -> tuple[str, str] | None:
    """Approve a catalog request as the system when the partner's limit and the pool allow it;
    otherwise why it waits for review: the partner's note, and the reviewers' detail. The pool is
    the vendor's, shared by the tier: what it still holds is said to the reviewers only."""
    item = request.catalog_item
    fund = locked_fund(tenant=tenant, fund_id=request.fund_id)  # one partner's limit is counted at a time
    if not item.is_active:
        note = f"{item.name} is no longer offered in the catalog: it waits for review."
        return note, note
    if item.limit_per_quarter is not None:
        approved = (
            FundRequest.objects.filter(
                tenant=tenant,
                partner_id=request.partner_id,
                catalog_item=item,
                state=RequestState.APPROVED,
                fund__year=fund.year,
                fund__quarter=fund.quarter,
            )
            .exclude(id=request.id)
            .count()
        )
        if approved >= item.limit_per_quarter:
            note = (
                f"{request.partner.name} already has {approved} of {item.name} approved in Q{fund.quarter} "
                f"{fund.year} (the limit is {item.limit_per_quarter}): it waits for review."
            )
            return note, note
    try:
        _reserve(tenant, SYSTEM, request, request.amount_requested, now)
    except ServiceError as exc:
        tier = request.partner.get_tier_display().lower()
        return f"The pool of {tier} partners cannot cover it now: it waits for review.", exc.message
    return None


def _reserve(tenant: Tenant, actor: Actor, request: FundRequest, amount: Decimal, now) -> None:
    ledger_reserve(
        tenant=tenant,
        actor=actor,
        fund_id=request.fund_id,
        allocation_id=request.allocation_id,
        amount=amount,
        concerns=request,
        note=f"Request {request.id}: {request.title}"[:500],
        now=now,
    )
    _move(tenant, actor, request, RequestState.APPROVED, amount_approved=amount, decided_at=now)
    _tell_partner(
        tenant,
        request,
        f"Fund request approved: {request.title}",
        f"{amount} {request.currency} approved"
        + (f" of the {request.amount_requested} asked." if amount < request.amount_requested else "."),
    )


def _in_review(tenant: Tenant, actor: Actor, request_id: int) -> FundRequest:
    _require_reviewer(tenant, actor)
    request = _locked_request(tenant, request_id)
    if request.state not in IN_REVIEW:
        raise ServiceError(
            f"This request is {request.get_state_display().lower()}: it is not waiting for a decision."
        )
    return request


@transaction.atomic
def request_approve(
    *,
    tenant: Tenant,
    actor: Actor,
    request_id: int,
    amount: Decimal | None = None,
    now: datetime.datetime | None = None,
) -> FundRequest:
    """Approve a request in review, for the amount asked or less (partial), reserving it from the
    request's allocation. Above the tenant's threshold the first approval is step 1 only; a second,
    different approver reserves (and may approve less than the first did, never more)."""
    request = _in_review(tenant, actor, request_id)
    ceiling = request.first_approved_amount or request.amount_requested
    amount = ceiling if amount is None else money(amount)
    if amount > ceiling:
        raise ServiceError(f"At most {ceiling} {request.currency} can be approved.", field="amount")
    now = now or timezone.now()
    threshold = request_rules(tenant=tenant).second_approval_above
    if threshold is not None and amount > threshold:
        if request.first_approved_amount is None:
            request.first_approved_by = user_of(actor)
            request.first_approved_amount = amount
            request.save(update_fields=["first_approved_by", "first_approved_amount", "updated_at"])
            audit(
                tenant=tenant,
                actor=actor,
                action="mdf.request.approval_step_1",
                target=request,
                after={"amount": str(amount), "step": 1},
            )
            _tell_reviewers(
                tenant,
                request,
                f"Second approval needed: {request.title}",
                f"{amount} {request.currency} approved in step 1.",
                besides=getattr(request.first_approved_by, "id", None),
            )
            return request
        if request.first_approved_by_id is None or request.first_approved_by_id == getattr(
            user_of(actor), "id", None
        ):
            raise ServiceError("Above the threshold a second, different person approves.")
    _reserve(tenant, actor, request, amount, now)
    return request


def _decide(tenant, actor, request_id, to_state, note, title) -> FundRequest:
    note = (note or "").strip()
    if not note:
        raise ServiceError("Say why, for the partner.", field="note")
    request = _in_review(tenant, actor, request_id)
    fields = {"review_note": note[:5000], "first_approved_by": None, "first_approved_amount": None}
    if to_state != RequestState.INFO_REQUESTED:
        fields["decided_at"] = timezone.now()
    _move(tenant, actor, request, to_state, **fields)
    _tell_partner(tenant, request, f"{title}: {request.title}", note)
    return request


@transaction.atomic
def request_info(*, tenant: Tenant, actor: Actor, request_id: int, note: str) -> FundRequest:
    """Ask the partner for information: they fix the request and resubmit it."""
    return _decide(tenant, actor, request_id, RequestState.INFO_REQUESTED, note, "Information requested")


@transaction.atomic
def request_reject(*, tenant: Tenant, actor: Actor, request_id: int, note: str) -> FundRequest:
    """Reject, with the reason: the partner may fix it and resubmit."""
    return _decide(tenant, actor, request_id, RequestState.REJECTED, note, "Fund request rejected")


@transaction.atomic
def request_decline(*, tenant: Tenant, actor: Actor, request_id: int, note: str) -> FundRequest:
    """Decline, with the reason: final."""
    return _decide(tenant, actor, request_id, RequestState.DECLINED, note, "Fund request declined")


@transaction.atomic
def request_cancel(
    *, tenant: Tenant, actor: Actor, request_id: int, now: datetime.datetime | None = None
) -> FundRequest:
    """Withdraw a request not yet decided, or an approved one (what it reserved is released)."""
    request = _locked_request(tenant, request_id)
    _require_own(tenant, actor, request)
    if request.state in (RequestState.DECLINED, RequestState.CANCELLED):
        raise ServiceError(f"This request is already {request.get_state_display().lower()}.")
    if Claim.objects.filter(tenant=tenant, request=request).exclude(state=ClaimState.REJECTED).exists():
        raise ServiceError("This request is claimed: it can no longer be cancelled.")
    if FundTranche.objects.filter(tenant=tenant, request=request).exists():
        raise ServiceError("This request is paid in tranches: a held tranche is cancelled on its own.")
    now = now or timezone.now()
    if request.state == RequestState.APPROVED:
        ledger_release(
            tenant=tenant,
            actor=actor,
            fund_id=request.fund_id,
            allocation_id=request.allocation_id,
            amount=request.amount_approved,
            concerns=request,
            note=f"Request {request.id} cancelled"[:500],
            now=now,
        )
    was_approved = request.state == RequestState.APPROVED
    _move(tenant, actor, request, RequestState.CANCELLED, decided_at=now)
    if was_approved or _acting_partner(tenant, actor) is None:
        _tell_partner(tenant, request, f"Fund request cancelled: {request.title}")
    return request


__all__ = [
    "catalog_item_create",
    "catalog_item_set_active",
    "catalog_item_update",
    "proposal_template_create",
    "proposal_template_set_active",
    "proposal_template_update",
    "request_approve",
    "request_cancel",
    "request_create",
    "request_decline",
    "request_info",
    "request_missing",
    "request_reject",
    "request_resubmit",
    "request_rules",
    "request_rules_set",
    "request_submit",
    "request_update",
]
