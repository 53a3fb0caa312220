"""Reads of accounts, opportunities and account mapping. Each selector owns its joins and
aggregates, so a page runs the same number of queries whatever the number of rows."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import (
    OPEN_OPPORTUNITY_STAGES,
    AccountClaim,
    AccountMapping,
    Opportunity,
    OpportunityInfluence,
    OpportunityStageChange,
    Plan,
    PlanAccount,
    TargetAccount,
)
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.scoping import built_once_per_tenant
from partnerhub.tenancy.selectors import vertical_label_of


def _per_account(queryset: QuerySet, **aggregate) -> Subquery:
    """One aggregate of `queryset` (rows of an account) per outer account, as a correlated subquery:
    counting two different relations with joins would multiply the rows of one by the other."""
    [(name, expression)] = aggregate.items()
    grouped = queryset.filter(account=OuterRef("pk")).order_by().values("account")
    return Subquery(grouped.annotate(**{name: expression}).values(name)[:1])


@built_once_per_tenant  # five correlated subqueries: building them cost more than a page's SQL
def account_list(*, tenant: Tenant) -> QuerySet[TargetAccount]:
    """Accounts with their owner and, in SQL: how many opportunities they have (open ones apart),
    the open pipeline (its amount only when every open opportunity is in one currency, since
    amounts are never converted) and how many partners know them."""
    opportunities = Opportunity.objects.filter(tenant=tenant)
    open_ones = opportunities.filter(stage__in=OPEN_OPPORTUNITY_STAGES)
    mappings = AccountMapping.objects.filter(tenant=tenant)
    single_currency = (
        open_ones.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(currencies=Count("currency", distinct=True), currency_code=Min("currency"))
        .filter(currencies=1)
        .values("currency_code")[:1]
    )
    zero = Value(0, output_field=IntegerField())
    return (
        TargetAccount.objects.filter(tenant=tenant)
        .select_related("owner")
        .annotate(
            opportunity_count=Coalesce(_per_account(opportunities, n=Count("pk")), zero),
            open_opportunity_count=Coalesce(_per_account(open_ones, n=Count("pk")), zero),
            open_pipeline_amount=_per_account(open_ones, total=Sum("amount")),
            open_pipeline_currency=Subquery(single_currency),
            partner_count=Coalesce(_per_account(mappings, n=Count("partner", distinct=True)), zero),
        )
        .order_by("name", "id")
    )


def account_get(*, tenant: Tenant, account_id: int) -> TargetAccount:
    return TargetAccount.objects.get(tenant=tenant, id=account_id)


def account_choices(*, tenant: Tenant) -> QuerySet[TargetAccount]:
    """Accounts to pick from (forms, filters, API input), by name."""
    return TargetAccount.objects.filter(tenant=tenant).order_by("name", "id")


def account_by_domain(*, tenant: Tenant, domain: str) -> TargetAccount | None:
    """The account with this (already normalized) web domain, if the tenant has one."""
    return TargetAccount.objects.filter(tenant=tenant, domain=domain).first()


def account_clashes(
    *, tenant: Tenant, account_id: int | None = None, domain: str = "", external_id: str = ""
) -> dict[str, str]:
    """The fields whose value another account of the tenant already has, each with the message of
    the constraint it would break. Saving refuses them anyway, as a whole-record error; this lets a
    form or the API name the field at fault."""
    messages = {
        constraint.name: constraint.violation_error_message for constraint in TargetAccount._meta.constraints
    }
    others = TargetAccount.objects.filter(tenant=tenant).exclude(id=account_id)
    clashes = {}
    if domain and others.filter(domain=domain).exists():
        clashes["domain"] = messages["account_domain_unique_per_tenant"]
    if external_id and others.filter(external_id=external_id).exists():
        clashes["external_id"] = messages["account_external_id_unique_per_tenant"]
    return clashes


def account_suggestions(*, tenant: Tenant, query: str, limit: int = 20) -> QuerySet[TargetAccount]:
    """Accounts whose name or domain contains `query`, for a search-as-you-type field."""
    return account_choices(tenant=tenant).filter(Q(name__icontains=query) | Q(domain__icontains=query))[
        :limit
    ]


# An opportunity's influencing partners are listed by name; its stage history newest change first.
INFLUENCER_ORDER = ("name", "id")


@built_once_per_tenant
def stage_history(*, tenant: Tenant) -> QuerySet[OpportunityStageChange]:
    """Stage changes, newest first: the order an opportunity's history is always shown in."""
    return OpportunityStageChange.objects.filter(tenant=tenant).order_by("-changed_at", "-id")


def opportunity_rows(*, tenant: Tenant) -> QuerySet[Opportunity]:
    """Opportunities without their relations, newest first: what a list of plain rows reads (it
    fetches influencers and stage histories for its page: `opportunity_influencer_ids`,
    `opportunity_stage_histories`)."""
    # Rows are only ever created with created_at = now, so the id orders them as created, and
    # walking the primary key spares sorting a large tenant's whole table.
    return Opportunity.objects.filter(tenant=tenant).order_by("-id")


def opportunity_list(*, tenant: Tenant) -> QuerySet[Opportunity]:
    """Opportunities with their account and source partner, and prefetched: influencing partners
    and the stage history, newest change first."""
    return (
        opportunity_rows(tenant=tenant)
        .select_related("account", "source_partner")
        # What lists and the API show of the account and the partners, not their every column.
        .only(*OPPORTUNITY_COLUMNS, "account__name", "account__domain", "source_partner__name")
        .prefetch_related(
            Prefetch(
                "influencing_partners",
                queryset=Partner.objects.filter(tenant=tenant)
                .only("id", "tenant_id", "name")
                .order_by(*INFLUENCER_ORDER),
            ),
            Prefetch("stage_changes", queryset=stage_history(tenant=tenant)),
        )
    )


@built_once_per_tenant
def _influencer_pairs(*, tenant: Tenant) -> QuerySet:
    order = (f"partner__{field}" for field in INFLUENCER_ORDER)
    pairs = OpportunityInfluence.objects.filter(tenant=tenant).order_by(*order)
    return pairs.values_list("opportunity_id", "partner_id")


@built_once_per_tenant
def _stage_history_rows(*, tenant: Tenant) -> QuerySet:
    return stage_history(tenant=tenant).values("opportunity_id", "from_stage", "to_stage", "changed_at")


def opportunity_influencer_ids(*, tenant: Tenant, opportunity_ids: list[int]) -> dict[int, list[int]]:
    """For a page of opportunities read as plain rows: each one's influencing partners' ids, in the
    order `opportunity_list` prefetches them. One query."""
    return _grouped(_influencer_pairs(tenant=tenant).filter(opportunity_id__in=opportunity_ids))


def opportunity_stage_histories(*, tenant: Tenant, opportunity_ids: list[int]) -> dict[int, list[dict]]:
    """For a page of opportunities read as plain rows: each one's stage history, newest change
    first, as rows of `opportunity_id`, `from_stage`, `to_stage`, `changed_at`. One query."""
    rows = _stage_history_rows(tenant=tenant).filter(opportunity_id__in=opportunity_ids)
    return _grouped((row["opportunity_id"], row) for row in rows)


def _grouped(pairs) -> dict[int, list]:
    groups: dict[int, list] = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups


def account_opportunities(*, tenant: Tenant, account: TargetAccount) -> QuerySet[Opportunity]:
    """An account's opportunities, open ones first, each with its stage history."""
    closed_last = Case(When(stage__in=OPEN_OPPORTUNITY_STAGES, then=Value(0)), default=Value(1))
    return (
        opportunity_list(tenant=tenant)
        .filter(account=account)
        .order_by(closed_last, "close_date", "-created_at", "-id")
    )


MAPPING_COLUMNS = [field.attname for field in AccountMapping._meta.concrete_fields]
OPPORTUNITY_COLUMNS = [field.attname for field in Opportunity._meta.concrete_fields]


def mapping_list(*, tenant: Tenant) -> QuerySet[AccountMapping]:
    """Which partners know which accounts (staff only: `AccountMapping.partner_scope` is None)."""
    return (
        AccountMapping.objects.filter(tenant=tenant)
        .select_related("partner", "account")
        # What lists and the API show of the two: a million-row list builds fewer columns per row.
        .only(*MAPPING_COLUMNS, "partner__name", "account__name", "account__domain")
        .order_by("account__name", "partner__name", "id")
    )


def account_mappings(*, tenant: Tenant, account: TargetAccount) -> QuerySet[AccountMapping]:
    """The partners that know an account, by partner name."""
    return mapping_list(tenant=tenant).filter(account=account).order_by("partner__name", "id")


def account_plans(*, tenant: Tenant, account: TargetAccount) -> QuerySet[Plan]:
    """Plans naming the account among their target accounts (which also keeps it from deletion)."""
    return (
        Plan.objects.filter(tenant=tenant, plan_accounts__tenant=tenant, plan_accounts__account=account)
        .select_related("partner")
        .annotate(market_vertical_label=vertical_label_of("market_value"))
        .order_by("-year", "-quarter", "name", "id")
    )


def account_delete_refusal(*, tenant: Tenant, account: TargetAccount) -> str:
    """Why the account cannot be deleted, or "" when it can: an account named in a plan stays (the
    plan's list of target accounts is its record). The service refuses with this reason, and the
    pages offer no Delete while there is one."""
    if PlanAccount.objects.filter(tenant=tenant, account=account).exists():
        return f"{account.name} is named in a plan, so it cannot be deleted: take it out of the plan first."
    return ""


def claim_list(*, tenant: Tenant) -> QuerySet[AccountClaim]:
    """The companies partners say they work with, as they named them (partner users: scope leaves
    their own company's). Nothing here says whether a claim matched a target account."""
    return AccountClaim.objects.filter(tenant=tenant).select_related("partner").order_by("domain", "id")


def claim_suggestions(*, tenant: Tenant) -> QuerySet[AccountClaim]:
    """Companies partners work with that are not target accounts (yet): staff only. Adding one
    as a target account matches every partner's claim of its domain."""
    return claim_list(tenant=tenant).filter(mapping__isnull=True)
