"""Bulk upserts of the CRM mirror: accounts, opportunities and account mapping, keyed the way the
CRM and partners name them. Shared by the CSV import (one chunk at a time) and the API bulk
endpoints (one call at a time).

The rules every upsert keeps:
- Each row stands alone: a row that fails validation is rejected with its row number, column and
  reason, and the other rows are written all the same.
- Keys: accounts by CRM id (`external_id`) when the row has one, else by domain; opportunities by
  CRM id; a partner's mapping by the account's domain. Within one batch the first row with a key
  wins and a later row with the same key is rejected, naming the first (`rows.duplicate_rows`).
- A row whose values equal what is stored is "unchanged": nothing is written for it (no
  `updated_at`, no audit event, no stage history). Sending the same rows twice changes nothing the
  second time.
- A fixed number of queries per batch, whatever its size: lookups and the existing rows are
  loaded in one query each, new rows are inserted with one bulk INSERT, changed ones with one bulk
  UPDATE, account stages refreshed with one UPDATE.
- One audit event per batch with the counts (none when nothing changed), not one per row.
- Batches of one kind in one tenant run one at a time (a transaction-level advisory lock), so two
  imports cannot both insert the same key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from accounts.importing.options import ReadOptions
from accounts.models import AccountMapping, Opportunity, OpportunityStageChange, TargetAccount
from accounts.rows import (
    AccountRow,
    MappingRow,
    NumberedRow,
    OpportunityRow,
    id_forms,
    id_key,
    rejection,
    validate_rows,
)
from accounts.services.accounts import account_stages_refresh, check_mapping_actor, opportunity_stage_change
from accounts.services.claim_matching import claims_match
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.selectors import vertical_list

# Keys of pg_advisory_xact_lock(tenant id, kind): one upsert of a kind per tenant at a time.
LOCK_KEYS = {"accounts": 31_001, "opportunities": 31_002, "mappings": 31_003, "vocabulary": 31_004}


@dataclass
class UpsertReport:
    """What a batch did: how many rows were created, updated, left unchanged, and each rejection as
    {row, column, reason} (a row with two bad columns is listed twice)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)
    # What the import's report mentions besides: {"default_currency:EUR": rows that took it}.
    notices: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return len({entry["row"] for entry in self.rejected})

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def counts(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected_rows,
        }

    def as_dict(self) -> dict:
        """The report as the API answers it: counts and each rejection."""
        return {**self.counts(), "rejected": self.rejected}


def numbered(rows: Sequence[Mapping], start: int = 0) -> list[NumberedRow]:
    """Rows numbered by their index (the API's numbering), or from `start`."""
    return list(enumerate(rows, start))


def lock_tenant(tenant: Tenant, kind: str) -> None:
    """Serialize writers of one kind in one tenant until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [tenant.id, LOCK_KEYS[kind]])


def _changes(instance: Model, values: dict) -> dict:
    """The fields whose new value differs from the stored one (foreign keys compared by id, without
    loading the object)."""
    return {
        name: value
        for name, value in values.items()
        if getattr(instance, instance._meta.get_field(name).attname)
        != (value.pk if isinstance(value, Model) else value)
    }


def _model_errors(number: int, exc: ValidationError, columns: dict[str, str]) -> list[dict]:
    errors = getattr(exc, "error_dict", {"": exc.error_list})
    return [
        rejection(
            number, columns.get(name, name), " ".join(message for error in errors_ for message in error)
        )
        for name, errors_ in errors.items()
    ]


def _checked(instance: Model, number: int, exclude: list[str], columns: dict[str, str]) -> list[dict]:
    """The model's own field rules (lengths, choices, ranges), without queries: belt and braces
    behind the row validator."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return _model_errors(number, exc, columns)
    return []


def _apply(
    instance: Model, changes: dict, number: int, exclude: list[str], columns: dict[str, str]
) -> list[dict]:
    """Set the changes on a stored row and check it (see `_checked`); a rejected row is left as it
    was."""
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    errors = _checked(instance, number, exclude, columns)
    if errors:
        for name, value in before.items():
            setattr(instance, name, value)
    return errors


def _summary_audit(*, tenant: Tenant, actor: Actor, action: str, report: UpsertReport, target=None) -> None:
    if report.changed:
        audit(tenant=tenant, actor=actor, action=action, target=target, after=report.counts())


# --- Accounts -----------------------------------------------------------------------------------

# Row column → model field, where they differ.
ACCOUNT_COLUMN_FIELDS = {"stage": "manual_stage"}
ACCOUNT_FIELD_COLUMNS = {value: key for key, value in ACCOUNT_COLUMN_FIELDS.items()}
ACCOUNT_FK_FIELDS = ["owner", "tenant"]


def _account_values(data: dict) -> dict:
    return {ACCOUNT_COLUMN_FIELDS.get(column, column): value for column, value in data.items()}


@transaction.atomic
def accounts_upsert(
    *,
    tenant: Tenant,
    actor: Actor,
    rows: Sequence[NumberedRow],
    summary_audit: bool = True,
    options: ReadOptions | None = None,
) -> UpsertReport:
    """Create or update target accounts from rows (see `rows.AccountRow`).

    A row with a CRM id updates the account with that id; one whose id is new takes over the
    account with its domain if that account has no CRM id yet, and is rejected if it has another
    one. A row without a CRM id updates the account with its domain. A domain may not move onto
    another account's domain. A new account needs a name. The stage column sets the manual stage,
    which shows while the account has no opportunities. Salesforce's 15- and 18-character forms of
    an id find the same account. With `options.replace_external_ids`, an account found by domain
    whose CRM id differs takes the row's id instead of rejecting the row.
    """
    options = options or ReadOptions()
    lock_tenant(tenant, "accounts")
    valid, rejected = validate_rows(AccountRow, tenant=tenant, rows=rows, options=options)
    report = UpsertReport(rejected=rejected)
    external_ids = id_forms(data["external_id"] for _, data in valid if data.get("external_id"))
    domains = {data["domain"] for _, data in valid}
    existing = list(
        TargetAccount.objects.select_for_update()
        .filter(tenant=tenant)
        .filter(Q(external_id__in=external_ids) | Q(domain__in=domains))
    )
    by_external_id = {id_key(account.external_id): account for account in existing if account.external_id}
    by_domain = {account.domain: account for account in existing}
    archived = set(
        vertical_list(tenant=tenant).filter(archived_at__isnull=False).values_list("value", flat=True)
    )
    now = timezone.now()
    new, changed, fields, restage, claimed = [], [], set(), set(), {}

    for number, data in valid:
        values = _account_values(data)
        external_id, domain = values.get("external_id"), values["domain"]
        account = by_external_id.get(id_key(external_id)) if external_id else None
        if account is None:
            holder = by_domain.get(domain)
            if holder is not None and external_id and holder.external_id and not options.replace_external_ids:
                report.rejected.append(
                    rejection(
                        number,
                        "external_id",
                        f"The account on {domain} has the CRM id {holder.external_id}, not {external_id}. "
                        "If the file's id is the right one, import again choosing “Replace the CRM id of "
                        "accounts found by domain”; otherwise correct the row or leave it out.",
                    )
                )
                continue
            account = holder
        elif external_id and id_key(account.external_id) == id_key(external_id):
            values["external_id"] = account.external_id  # the same id in its other form: no change
        if account is not None and account.pk in claimed:
            report.rejected.append(
                rejection(number, "domain", f"Row {claimed[account.pk]} already changes this account.")
            )
            continue
        industry = values.get("industry")
        if industry in archived and (account is None or account.industry != industry):
            report.rejected.append(
                rejection(
                    number,
                    "industry",
                    f"“{industry}” is an archived vertical: only the accounts that have it keep it.",
                )
            )
            continue
        if account is None:
            if not values.get("name"):
                report.rejected.append(rejection(number, "name", "A new account needs a name."))
                continue
            account = TargetAccount(tenant=tenant, created_at=now, updated_at=now, **values)
            account.stage = account.manual_stage
            errors = _checked(account, number, ACCOUNT_FK_FIELDS, ACCOUNT_FIELD_COLUMNS)
            if errors:
                report.rejected.extend(errors)
                continue
            new.append(account)
            continue
        claimed[account.pk] = number
        changes = _changes(account, values)
        if not changes:
            report.unchanged += 1
            continue
        holder = by_domain.get(changes.get("domain"))
        if holder is not None and holder.pk != account.pk:
            report.rejected.append(rejection(number, "domain", f"Another account has the domain {domain}."))
            continue
        errors = _apply(account, changes, number, ACCOUNT_FK_FIELDS, ACCOUNT_FIELD_COLUMNS)
        if errors:
            report.rejected.extend(errors)
            continue
        account.updated_at = now
        changed.append(account)
        fields.update(changes)
        if "manual_stage" in changes:
            restage.add(account.pk)

    TargetAccount.objects.bulk_create(new)
    if changed:
        TargetAccount.objects.bulk_update(changed, [*sorted(fields), "updated_at"])
    claims_match(tenant=tenant, accounts=[*new, *changed])  # partners that already said they know them
    if restage:
        account_stages_refresh(tenant=tenant, account_ids=restage)
    report.created, report.updated = len(new), len(changed)
    report.rejected.sort(key=lambda entry: entry["row"])
    if summary_audit:
        _summary_audit(tenant=tenant, actor=actor, action="account.upserted", report=report)
    return report


# --- Opportunities ------------------------------------------------------------------------------

OPPORTUNITY_VALUE_FIELDS = ["account", "name", "stage", "amount", "currency", "close_date", "source_partner"]
OPPORTUNITY_FIELD_COLUMNS = {"account": "account_external_id"}
OPPORTUNITY_FK_FIELDS = ["account", "source_partner", "tenant"]


@transaction.atomic
def opportunities_upsert(
    *,
    tenant: Tenant,
    actor: Actor,
    rows: Sequence[NumberedRow],
    summary_audit: bool = True,
    options: ReadOptions | None = None,
) -> UpsertReport:
    """Create or update opportunities by CRM id (see `rows.OpportunityRow`).

    A new opportunity needs a name, an amount and its account; without a currency (given, or
    written with the amount) it takes the import's or else the tenant's default currency, and the
    report counts the rows that did (`notices`). A new stage is kept in the stage history with its
    time: the row's `stage_changed_at` (the CRM's time), else now; a new opportunity's history
    opens at `stage_changed_at`, else at the CRM's `created_date`, else now. The stages of the
    accounts concerned are refreshed once for the batch.
    """
    lock_tenant(tenant, "opportunities")
    valid, rejected = validate_rows(OpportunityRow, tenant=tenant, rows=rows, options=options)
    report = UpsertReport(rejected=rejected)
    existing = {
        id_key(opportunity.external_id): opportunity
        for opportunity in Opportunity.objects.select_for_update().filter(
            tenant=tenant, external_id__in=id_forms(data["external_id"] for _, data in valid)
        )
    }
    now = timezone.now()
    new, changed, fields, history, accounts = [], [], set(), [], set()

    for number, data in valid:
        values = {name: data[name] for name in OPPORTUNITY_VALUE_FIELDS if name in data}
        changed_at = data.get("stage_changed_at") or now
        opportunity = existing.get(id_key(data["external_id"]))
        if opportunity is None:
            changed_at = data.get("stage_changed_at") or data.get("created_date") or now
            if "currency" not in values:
                values["currency"] = data["default_currency"]
                notice = f"default_currency:{values['currency']}"
                report.notices[notice] = report.notices.get(notice, 0) + 1
            missing = [
                rejection(number, column, f"A new opportunity needs {what}.")
                for name, column, what in (
                    ("name", "name", "a name"),
                    ("amount", "amount", "an amount"),
                    ("account", "account_external_id", "its account (account_external_id or account_domain)"),
                )
                if name not in values
            ]
            if missing:
                report.rejected.extend(missing)
                continue
            opportunity = Opportunity(
                tenant=tenant,
                external_id=data["external_id"],
                stage_changed_at=changed_at,
                created_at=data.get("created_date") or now,
                updated_at=now,
                **values,
            )
            errors = _checked(opportunity, number, OPPORTUNITY_FK_FIELDS, OPPORTUNITY_FIELD_COLUMNS)
            if errors:
                report.rejected.extend(errors)
                continue
            new.append(opportunity)
            accounts.add(opportunity.account_id)
            continue
        changes = _changes(opportunity, values)
        if not changes:
            report.unchanged += 1
            continue
        old_stage, old_account = opportunity.stage, opportunity.account_id
        errors = _apply(opportunity, changes, number, OPPORTUNITY_FK_FIELDS, OPPORTUNITY_FIELD_COLUMNS)
        if errors:
            report.rejected.extend(errors)
            continue
        if "stage" in changes:
            opportunity.stage_changed_at = changed_at
            fields.add("stage_changed_at")
            history.append(
                opportunity_stage_change(
                    tenant=tenant, opportunity=opportunity, from_stage=old_stage, at=changed_at
                )
            )
        opportunity.updated_at = now
        changed.append(opportunity)
        fields.update(changes)
        accounts.update({old_account, opportunity.account_id})

    Opportunity.objects.bulk_create(new)
    if changed:
        Opportunity.objects.bulk_update(changed, [*sorted(fields), "updated_at"])
    history.extend(
        opportunity_stage_change(
            tenant=tenant, opportunity=opportunity, from_stage="", at=opportunity.stage_changed_at
        )
        for opportunity in new
    )
    OpportunityStageChange.objects.bulk_create(history)
    if accounts:
        account_stages_refresh(tenant=tenant, account_ids=accounts)
    report.created, report.updated = len(new), len(changed)
    report.rejected.sort(key=lambda entry: entry["row"])
    if summary_audit:
        _summary_audit(tenant=tenant, actor=actor, action="opportunity.upserted", report=report)
    return report


# --- Account mapping ----------------------------------------------------------------------------


@transaction.atomic
def mappings_upsert(
    *,
    tenant: Tenant,
    actor: Actor,
    partner: Partner,
    rows: Sequence[NumberedRow],
    source: str = AccountMapping.Source.STAFF,
    summary_audit: bool = True,
    options: ReadOptions | None = None,
) -> UpsertReport:
    """Record which target accounts a partner works with, matched by domain (see `rows.MappingRow`).

    A domain no target account has is rejected; partner users do not map (see
    `check_mapping_actor`). A row changes the relationship and notes of an existing mapping; who
    entered it first (its source) stays.
    """
    check_mapping_actor(tenant=tenant, actor=actor, partner=partner)
    lock_tenant(tenant, "mappings")
    valid, rejected = validate_rows(MappingRow, tenant=tenant, rows=rows, options=options)
    report = UpsertReport(rejected=rejected)
    existing = {
        mapping.account_id: mapping
        for mapping in AccountMapping.objects.select_for_update().filter(
            tenant=tenant, partner=partner, account__in=[data["account"].id for _, data in valid]
        )
    }
    now = timezone.now()
    new, changed, fields = [], [], set()
    for number, data in valid:
        values = {name: data[name] for name in ("relationship", "notes") if name in data}
        mapping = existing.get(data["account"].id)
        if mapping is None:
            mapping = AccountMapping(
                tenant=tenant,
                partner=partner,
                account=data["account"],
                source=source,
                created_at=now,
                updated_at=now,
                **values,
            )
            errors = _checked(mapping, number, ["partner", "account", "tenant"], {})
            if errors:
                report.rejected.extend(errors)
                continue
            new.append(mapping)
            continue
        changes = _changes(mapping, values)
        if not changes:
            report.unchanged += 1
            continue
        for name, value in changes.items():
            setattr(mapping, name, value)
        mapping.updated_at = now
        changed.append(mapping)
        fields.update(changes)

    AccountMapping.objects.bulk_create(new)
    if changed:
        AccountMapping.objects.bulk_update(changed, [*sorted(fields), "updated_at"])
    report.created, report.updated = len(new), len(changed)
    report.rejected.sort(key=lambda entry: entry["row"])
    if summary_audit:
        _summary_audit(tenant=tenant, actor=actor, action="mapping.upserted", report=report, target=partner)
    return report
