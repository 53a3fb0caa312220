"""Services of target accounts, opportunities and account mapping: normalized unique domains, the
account stage derived from opportunities, stage history, and partner-scoped mapping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import (
    AccountMapping,
    AccountStage,
    Opportunity,
    OpportunityStage,
    OpportunityStageChange,
    TargetAccount,
)
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import AccountMappingFactory, PartnerFactory, PlanAccountFactory, TargetAccountFactory

pytestmark = pytest.mark.usefixtures("in_tenant")


def add_account(tenant, actor=None, **fields):
    return services.account_create(
        tenant=tenant, actor=actor, **{"name": "Acme", "domain": "acme.com", **fields}
    )


def add_opportunity(tenant, account, **fields):
    return services.opportunity_create(
        tenant=tenant, actor=None, account=account, **{"name": "Renewal", "amount": Decimal("1000"), **fields}
    )


def stage_of(account) -> str:
    return TargetAccount.unscoped.get(id=account.id).stage


# --- Domains ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["https://www.Acme.com/about", "ACME.com.", "sales@acme.com", "  acme.com  ", "www.acme.com:443"]
)
def test_a_domain_is_stored_in_its_normal_form(tenant, typed):
    account = add_account(tenant, domain=typed)
    assert TargetAccount.unscoped.get(id=account.id).domain == "acme.com"


@pytest.mark.django_db
def test_the_same_domain_written_differently_is_refused_as_a_duplicate(tenant):
    add_account(tenant, domain="acme.com")
    with pytest.raises(ValidationError) as refusal:
        add_account(tenant, name="Acme Corp", domain="https://WWW.ACME.COM/")
    assert refusal.value.messages == ["An account with this domain already exists."]
    assert TargetAccount.unscoped.filter(tenant=tenant).count() == 1


@pytest.mark.django_db
def test_another_tenant_may_have_the_same_domain(tenant, other_tenant):
    TargetAccountFactory(tenant=other_tenant, domain="acme.com")
    account = add_account(tenant, domain="acme.com")
    assert account.domain == "acme.com"


@pytest.mark.django_db
def test_something_that_is_not_a_domain_is_refused_on_the_domain_field(tenant):
    with pytest.raises(ServiceError) as refusal:
        add_account(tenant, domain="not a domain")
    assert refusal.value.field == "domain"
    assert "is not a web domain" in refusal.value.message
    assert not TargetAccount.unscoped.exists()


@pytest.mark.django_db
def test_the_owner_must_be_vendor_staff(tenant, partner, partner_user, manager_user):
    with pytest.raises(ServiceError) as refusal:
        add_account(tenant, owner=partner_user)
    assert refusal.value.field == "owner"
    account = add_account(tenant, owner=manager_user)
    assert account.owner == manager_user


@pytest.mark.django_db
def test_creating_and_updating_an_account_is_audited(tenant, manager_user):
    account = add_account(tenant, actor=manager_user)
    services.account_update(tenant=tenant, actor=manager_user, account_id=account.id, region="dach")
    created, updated = AuditEvent.unscoped.filter(tenant=tenant).order_by("id")
    assert (created.action, created.after["domain"]) == ("account.created", "acme.com")
    assert (updated.action, updated.before["region"], updated.after["region"]) == (
        "account.updated",
        "",
        "dach",
    )


# --- Stage derivation ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_opportunities_the_stage_is_the_one_set_by_hand(tenant):
    account = add_account(tenant, manual_stage=AccountStage.EXISTING_CUSTOMER)
    assert stage_of(account) == AccountStage.EXISTING_CUSTOMER
    services.account_update(
        tenant=tenant, actor=None, account_id=account.id, manual_stage=AccountStage.NET_NEW
    )
    assert stage_of(account) == AccountStage.NET_NEW


@pytest.mark.django_db
def test_an_open_opportunity_makes_an_open_opportunity_account(tenant):
    account = add_account(tenant, manual_stage=AccountStage.NET_NEW)
    add_opportunity(tenant, account, stage=OpportunityStage.QUALIFICATION)
    assert stage_of(account) == AccountStage.OPEN_OPPORTUNITY


@pytest.mark.django_db
def test_an_open_opportunity_without_a_stage_change_for_60_days_is_stalled(tenant):
    fresh, stale = add_account(tenant), add_account(tenant, name="Globex", domain="globex.com")
    add_opportunity(tenant, fresh, stage_changed_at=timezone.now() - timedelta(days=59))
    add_opportunity(tenant, stale, stage_changed_at=timezone.now() - timedelta(days=61))
    assert stage_of(fresh) == AccountStage.OPEN_OPPORTUNITY
    assert stage_of(stale) == AccountStage.STALLED_OPPORTUNITY


@pytest.mark.django_db
def test_moving_a_stalled_opportunity_makes_the_account_open_again(tenant):
    account = add_account(tenant)
    opportunity = add_opportunity(tenant, account, stage_changed_at=timezone.now() - timedelta(days=90))
    assert stage_of(account) == AccountStage.STALLED_OPPORTUNITY
    services.opportunity_update(
        tenant=tenant, actor=None, opportunity_id=opportunity.id, stage=OpportunityStage.PROPOSAL
    )
    assert stage_of(account) == AccountStage.OPEN_OPPORTUNITY


@pytest.mark.django_db
def test_a_won_opportunity_makes_an_existing_customer(tenant):
    account = add_account(tenant)
    add_opportunity(tenant, account, stage=OpportunityStage.CLOSED_WON)
    add_opportunity(tenant, account, name="Upsell", stage=OpportunityStage.CLOSED_LOST)
    assert stage_of(account) == AccountStage.EXISTING_CUSTOMER


@pytest.mark.django_db
def test_an_open_opportunity_outranks_a_won_one(tenant):
    account = add_account(tenant)
    add_opportunity(tenant, account, stage=OpportunityStage.CLOSED_WON)
    add_opportunity(tenant, account, name="Expansion", stage=OpportunityStage.NEGOTIATION)
    assert stage_of(account) == AccountStage.OPEN_OPPORTUNITY


@pytest.mark.django_db
def test_an_account_whose_opportunities_were_all_lost_is_net_new_whatever_was_set_by_hand(tenant):
    account = add_account(tenant, manual_stage=AccountStage.EXISTING_CUSTOMER)
    add_opportunity(tenant, account, stage=OpportunityStage.CLOSED_LOST)
    assert stage_of(account) == AccountStage.NET_NEW
    services.account_update(
        tenant=tenant, actor=None, account_id=account.id, manual_stage=AccountStage.OPEN_OPPORTUNITY
    )
    assert stage_of(account) == AccountStage.NET_NEW


@pytest.mark.django_db
def test_deleting_the_last_opportunity_brings_back_the_stage_set_by_hand(tenant):
    account = add_account(tenant, manual_stage=AccountStage.EXISTING_CUSTOMER)
    opportunity = add_opportunity(tenant, account)
    assert stage_of(account) == AccountStage.OPEN_OPPORTUNITY
    services.opportunity_delete(tenant=tenant, actor=None, opportunity_id=opportunity.id)
    assert stage_of(account) == AccountStage.EXISTING_CUSTOMER


@pytest.mark.django_db
def test_moving_an_opportunity_to_another_account_rederives_both(tenant):
    first, second = add_account(tenant), add_account(tenant, name="Globex", domain="globex.com")
    opportunity = add_opportunity(tenant, first)
    services.opportunity_update(tenant=tenant, actor=None, opportunity_id=opportunity.id, account=second)
    assert stage_of(first) == AccountStage.NET_NEW
    assert stage_of(second) == AccountStage.OPEN_OPPORTUNITY


# --- Stage history ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_stage_change_is_kept_with_its_time(tenant):
    account = add_account(tenant)
    opportunity = add_opportunity(
        tenant,
        account,
        stage=OpportunityStage.PROSPECTING,
        stage_changed_at=timezone.now() - timedelta(days=9),
    )
    crm_time = timezone.now() - timedelta(days=3)
    services.opportunity_update(
        tenant=tenant,
        actor=None,
        opportunity_id=opportunity.id,
        stage=OpportunityStage.PROPOSAL,
        stage_changed_at=crm_time,
    )
    services.opportunity_update(
        tenant=tenant, actor=None, opportunity_id=opportunity.id, stage=OpportunityStage.CLOSED_WON
    )
    history = list(
        OpportunityStageChange.unscoped.filter(opportunity=opportunity)
        .order_by("changed_at")
        .values_list("from_stage", "to_stage")
    )
    assert history == [("", "prospecting"), ("prospecting", "proposal"), ("proposal", "closed_won")]
    assert OpportunityStageChange.unscoped.get(to_stage="proposal").changed_at == crm_time
    assert stage_of(account) == AccountStage.EXISTING_CUSTOMER


@pytest.mark.django_db
def test_a_change_that_keeps_the_stage_adds_no_history(tenant):
    opportunity = add_opportunity(tenant, add_account(tenant))
    services.opportunity_update(
        tenant=tenant, actor=None, opportunity_id=opportunity.id, amount=Decimal("2000"), name="Renewal 2027"
    )
    assert OpportunityStageChange.unscoped.filter(opportunity=opportunity).count() == 1
    assert Opportunity.unscoped.get(id=opportunity.id).amount == Decimal("2000")


@pytest.mark.django_db
def test_influencing_partners_are_set_and_replaced(tenant, partner, other_partner):
    opportunity = add_opportunity(tenant, add_account(tenant), influencing_partners=[partner])
    assert list(opportunity.influencing_partners.all()) == [partner]
    services.opportunity_update(
        tenant=tenant, actor=None, opportunity_id=opportunity.id, influencing_partners=[other_partner]
    )
    assert list(Opportunity.unscoped.get(id=opportunity.id).influencing_partners.all()) == [other_partner]
    services.opportunity_update(tenant=tenant, actor=None, opportunity_id=opportunity.id, name="Kept")
    assert list(Opportunity.unscoped.get(id=opportunity.id).influencing_partners.all()) == [other_partner]


@pytest.mark.django_db
def test_another_tenants_partner_cannot_source_an_opportunity(tenant, other_tenant):
    stranger = PartnerFactory(tenant=other_tenant)
    with pytest.raises(ServiceError) as refusal:
        add_opportunity(tenant, add_account(tenant), source_partner=stranger)
    assert refusal.value.field == "source_partner"
    assert not Opportunity.unscoped.exists()


@pytest.mark.django_db
def test_another_tenants_partner_cannot_influence_an_opportunity(tenant, other_tenant, partner):
    stranger = PartnerFactory(tenant=other_tenant)
    opportunity = add_opportunity(tenant, add_account(tenant), influencing_partners=[partner])
    with pytest.raises(ServiceError):
        services.opportunity_update(
            tenant=tenant, actor=None, opportunity_id=opportunity.id, influencing_partners=[partner, stranger]
        )
    assert list(Opportunity.unscoped.get(id=opportunity.id).influencing_partners.all()) == [partner]


# --- Deleting accounts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_deleting_an_account_takes_its_opportunities_and_mapping(tenant, partner):
    account = add_account(tenant)
    add_opportunity(tenant, account)
    AccountMappingFactory(tenant=tenant, account=account, partner=partner)
    services.account_delete(tenant=tenant, actor=None, account_id=account.id)
    assert not TargetAccount.unscoped.exists()
    assert not Opportunity.unscoped.exists()
    assert not AccountMapping.unscoped.exists()


@pytest.mark.django_db
def test_an_account_named_in_a_plan_is_not_deleted(tenant):
    named = PlanAccountFactory(tenant=tenant, account__name="Acme")
    with pytest.raises(ServiceError) as refusal:
        services.account_delete(tenant=tenant, actor=None, account_id=named.account_id)
    assert (
        refusal.value.message
        == "Acme is named in a plan, so it cannot be deleted: take it out of the plan first."
    )
    assert TargetAccount.unscoped.filter(id=named.account_id).exists()


# --- Account mapping ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_map_any_partner_to_an_account(tenant, manager_user, partner):
    account = TargetAccountFactory(tenant=tenant)
    mapping = services.mapping_create(
        tenant=tenant,
        actor=manager_user,
        partner=partner,
        account=account,
        relationship=AccountMapping.Relationship.CUSTOMER,
    )
    assert (mapping.partner, mapping.account, mapping.source) == (
        partner,
        account,
        AccountMapping.Source.STAFF,
    )
    assert AuditEvent.unscoped.filter(tenant=tenant, action="mapping.created").count() == 1


@pytest.mark.django_db
def test_partner_users_do_not_map_accounts_not_even_for_their_own_company(
    tenant, partner, other_partner, partner_user
):
    account = TargetAccountFactory(tenant=tenant)
    for company in (partner, other_partner):
        with pytest.raises(ServiceError, match="Account mapping is kept by the vendor"):
            services.mapping_create(tenant=tenant, actor=partner_user, partner=company, account=account)
    assert not AccountMapping.unscoped.exists()
    own = AccountMappingFactory(tenant=tenant, partner=partner)
    with pytest.raises(ServiceError, match="Account mapping is kept by the vendor"):
        services.mapping_update(tenant=tenant, actor=partner_user, mapping_id=own.id, notes="mine now")
    with pytest.raises(ServiceError, match="Account mapping is kept by the vendor"):
        services.mapping_delete(tenant=tenant, actor=partner_user, mapping_id=own.id)
    assert AccountMapping.unscoped.get(id=own.id).notes == ""


@pytest.mark.django_db
def test_a_mappings_partner_and_account_never_change(tenant, manager_user, partner, other_partner):
    mapping = AccountMappingFactory(tenant=tenant, partner=partner)
    for change in ({"partner": other_partner}, {"account": TargetAccountFactory(tenant=tenant)}):
        with pytest.raises(ServiceError, match="do not change") as refusal:
            services.mapping_update(tenant=tenant, actor=manager_user, mapping_id=mapping.id, **change)
        assert refusal.value.field == next(iter(change))
    same = services.mapping_update(
        tenant=tenant, actor=manager_user, mapping_id=mapping.id, partner=partner, notes="Renewal in May"
    )
    assert (same.partner_id, same.notes) == (partner.id, "Renewal in May")


@pytest.mark.django_db
def test_the_same_partner_and_account_are_mapped_once(tenant, manager_user, partner):
    existing = AccountMappingFactory(tenant=tenant, partner=partner)
    with pytest.raises(ValidationError) as refusal:
        services.mapping_create(tenant=tenant, actor=manager_user, partner=partner, account=existing.account)
    assert refusal.value.messages == ["This partner is already mapped to this account."]


@pytest.mark.django_db
def test_a_partner_admin_does_not_map_either(tenant, partner):
    partner_admin = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)
    with pytest.raises(ServiceError, match="Account mapping is kept by the vendor"):
        services.mapping_create(
            tenant=tenant, actor=partner_admin, partner=partner, account=TargetAccountFactory(tenant=tenant)
        )
