"""Portal pages of accounts, opportunities and account mapping, as each role sees them."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import (
    AccountMapping,
    AccountStage,
    Opportunity,
    OpportunityInfluence,
    OpportunityStageChange,
    TargetAccount,
)
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import (
    AccountMappingFactory,
    OpportunityFactory,
    OpportunityInfluenceFactory,
    OpportunityStageChangeFactory,
    PartnerFactory,
    PlanAccountFactory,
    TargetAccountFactory,
)

T = "/t/northwind"


def listed(response) -> list[str]:
    return [str(row) for row in response.context["rows"]]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def influencers(opportunity) -> set[int]:
    return set(
        OpportunityInfluence.unscoped.filter(opportunity=opportunity).values_list("partner_id", flat=True)
    )


def followed_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def account_form(**changes) -> dict:
    data = {
        "name": "Litware Health",
        "domain": "https://www.Litware.example/about",
        "industry": "healthcare",
        "region": "dach",
        "segment": "enterprise",
        "manual_stage": AccountStage.NET_NEW,
        "owner": "",
        "external_id": "001-LIT",
    }
    data.update(changes)
    return data


def opportunity_form(**changes) -> dict:
    data = {
        "name": "Clinic rollout",
        "stage": "qualification",
        "amount": "48000.00",
        "currency": "EUR",
        "close_date": "2026-12-15",
        "source_partner": "",
        "external_id": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def book(tenant, manager_user, partner):
    """Three accounts that differ in every filterable way, with their opportunities."""
    contoso_health = TargetAccountFactory(
        tenant=tenant,
        name="Alpine Clinics",
        domain="alpine-clinics.example",
        industry="healthcare",
        region="dach",
        segment="enterprise",
        stage=AccountStage.OPEN_OPPORTUNITY,
        senior_buyers_engaged=True,
        owner=manager_user,
        external_id="001-ALP",
    )
    OpportunityFactory(tenant=tenant, account=contoso_health, amount=Decimal("25000"), currency="USD")
    OpportunityFactory(tenant=tenant, account=contoso_health, amount=Decimal("5000"), currency="USD")
    mixed = TargetAccountFactory(
        tenant=tenant,
        name="Borealis Retail",
        domain="borealis.example",
        industry="retail",
        region="nordics",
        segment="mid_market",
        stage=AccountStage.OPEN_OPPORTUNITY,
    )
    OpportunityFactory(tenant=tenant, account=mixed, amount=Decimal("1000"), currency="USD")
    OpportunityFactory(tenant=tenant, account=mixed, amount=Decimal("2000"), currency="EUR")
    customer = TargetAccountFactory(
        tenant=tenant,
        name="Cobalt Bank",
        domain="cobalt-bank.example",
        industry="financial_services",
        region="north_america",
        segment="enterprise",
        stage=AccountStage.EXISTING_CUSTOMER,
    )
    OpportunityFactory(tenant=tenant, account=customer, stage="closed_won")
    AccountMappingFactory(tenant=tenant, account=customer, partner=partner)
    return {"open": contoso_health, "mixed": mixed, "customer": customer}


# --- Account list -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=borealis", ["Borealis Retail"]),
        ("q=cobalt-bank.example", ["Cobalt Bank"]),  # the domain is searched
        ("q=001-ALP", ["Alpine Clinics"]),  # and the CRM id
        ("stage=existing_customer", ["Cobalt Bank"]),
        ("industry=retail", ["Borealis Retail"]),
        ("region=dach", ["Alpine Clinics"]),
        ("segment=enterprise", ["Alpine Clinics", "Cobalt Bank"]),
        ("senior_buyers_engaged=true", ["Alpine Clinics"]),
        ("segment=enterprise&stage=open_opportunity", ["Alpine Clinics"]),
        ("sort=-name", ["Cobalt Bank", "Borealis Retail", "Alpine Clinics"]),
        ("sort=-partners", ["Cobalt Bank", "Alpine Clinics", "Borealis Retail"]),
    ],
)
def test_account_list_search_filters_and_sorting(book, manager_user, query, expected):
    response = login(manager_user).get(f"{T}/accounts/?{query}")
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.django_db
def test_account_list_filters_by_owner(book, manager_user):
    response = login(manager_user).get(f"{T}/accounts/?owner={manager_user.email}")
    assert listed(response) == ["Alpine Clinics"]


@pytest.mark.django_db
def test_account_list_shows_open_pipeline_without_adding_currencies(book, manager_user):
    response = login(manager_user).get(f"{T}/accounts/")
    rows = {account.name: account for account in response.context["rows"]}
    html = response.content.decode()
    assert (rows["Alpine Clinics"].open_opportunity_count, rows["Alpine Clinics"].open_pipeline_amount) == (
        2,
        Decimal("30000.00"),
    )
    assert "$30,000.00" in html
    assert rows["Borealis Retail"].open_pipeline_currency is None
    assert "Several currencies" in html
    assert rows["Cobalt Bank"].open_opportunity_count == 0
    assert rows["Cobalt Bank"].partner_count == 1


@pytest.mark.django_db
def test_account_csv_has_the_filtered_rows(book, manager_user):
    response = login(manager_user).get(f"{T}/accounts/?segment=enterprise&export=csv")
    assert 'filename="northwind-accounts-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:6] == ["Name", "Domain", "Industry", "Region", "Segment", "Stage"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_name) == {"Alpine Clinics", "Cobalt Bank"}
    assert by_name["Alpine Clinics"]["Owner"] == "pm@northwind.example"
    assert by_name["Alpine Clinics"]["Open pipeline"] == "30000.00"
    assert by_name["Alpine Clinics"]["Open pipeline currency"] == "USD"
    assert by_name["Cobalt Bank"]["Stage"] == "Existing customer"
    assert by_name["Cobalt Bank"]["Partners"] == "1"


@pytest.mark.django_db
def test_account_list_htmx_request_gets_only_the_table(book, manager_user):
    response = login(manager_user).get(f"{T}/accounts/?q=cobalt", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Cobalt Bank" in html
    assert "Alpine Clinics" not in html


@pytest.mark.django_db
def test_account_list_empty_states_tell_no_accounts_from_no_match(tenant, manager_user):
    client = login(manager_user)
    assert "No target accounts yet" in client.get(f"{T}/accounts/").content.decode()
    TargetAccountFactory(tenant=tenant)
    no_match = client.get(f"{T}/accounts/?q=zebra").content.decode()
    assert "No account matches these filters" in no_match


# --- Account detail -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_account_detail_shows_opportunities_with_their_stage_history_partners_and_plans(
    tenant, manager_user, partner
):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics", stage=AccountStage.OPEN_OPPORTUNITY)
    opportunity = OpportunityFactory(
        tenant=tenant, account=account, name="Clinic rollout", stage="proposal", source_partner=partner
    )
    OpportunityStageChangeFactory(
        tenant=tenant,
        opportunity=opportunity,
        from_stage="",
        to_stage="prospecting",
        changed_at=timezone.now() - timedelta(days=20),
    )
    OpportunityStageChangeFactory(
        tenant=tenant, opportunity=opportunity, from_stage="prospecting", to_stage="proposal"
    )
    AccountMappingFactory(
        tenant=tenant,
        account=account,
        partner=partner,
        relationship=AccountMapping.Relationship.ACTIVE_PROJECT,
        source=AccountMapping.Source.PARTNER_UPLOAD,
    )
    PlanAccountFactory(tenant=tenant, account=account, plan__name="Q4 DACH healthcare")
    response = login(manager_user).get(f"{T}/accounts/{account.id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Clinic rollout" in html
    assert "Opened in Prospecting" in html
    assert "Prospecting → Proposal" in html
    assert "Sourced by" in html and "Contoso Consulting" in html
    assert "Active project" in html
    assert "Uploaded by the partner" in html
    assert "Q4 DACH healthcare" in html
    assert "Follows its 1 opportunity." in html


@pytest.mark.django_db
def test_account_detail_query_count_does_not_grow_with_opportunities(tenant, manager_user, partner):
    account = TargetAccountFactory(tenant=tenant)
    client = login(manager_user)

    def add(count):
        for _ in range(count):
            opportunity = OpportunityFactory(tenant=tenant, account=account, source_partner=partner)
            OpportunityStageChangeFactory(tenant=tenant, opportunity=opportunity)
            AccountMappingFactory(tenant=tenant, account=account)

    add(2)
    client.get(f"{T}/accounts/{account.id}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{T}/accounts/{account.id}/")
    add(20)
    with CaptureQueriesContext(connection) as many:
        client.get(f"{T}/accounts/{account.id}/")
    assert len(many) == len(few)


@pytest.mark.django_db
def test_an_account_with_many_opportunities_shows_the_open_ones_first_and_links_to_all(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    OpportunityFactory.create_batch(50, tenant=tenant, account=account, stage="closed_lost")
    OpportunityFactory(tenant=tenant, account=account, name="The open one", stage="negotiation")
    client = login(manager_user)
    response = client.get(f"{T}/accounts/{account.id}/")
    html = response.content.decode()
    assert response.context["opportunities"][0].name == "The open one"
    assert len(response.context["opportunities"]) == 50
    assert "The first 50 of 51 opportunities" in html
    link = f"{T}/opportunities/?account={account.id}"
    assert link in html
    full = client.get(link)
    assert full.context["page"].paginator.count == 51
    assert "Opportunities of" in full.content.decode()


# --- Account create, edit, delete ---------------------------------------------------------------


@pytest.mark.django_db
def test_creating_an_account_normalizes_its_domain_and_shows_it(tenant, manager_user):
    response = login(manager_user).post(
        f"{T}/accounts/new/", account_form(owner=manager_user.id, senior_buyers_engaged="on")
    )
    account = TargetAccount.unscoped.get(tenant=tenant, name="Litware Health")
    assert response.status_code == 302
    assert response["Location"] == f"{T}/accounts/{account.id}/"
    assert account.domain == "litware.example"
    assert account.owner == manager_user
    assert account.senior_buyers_engaged is True
    assert account.stage == AccountStage.NET_NEW
    assert (
        AuditEvent.unscoped.get(tenant=tenant, action="account.created").actor_label == "pm@northwind.example"
    )


@pytest.mark.django_db
def test_a_duplicate_domain_is_refused_on_the_form(tenant, manager_user):
    TargetAccountFactory(tenant=tenant, name="Litware", domain="litware.example")
    response = login(manager_user).post(f"{T}/accounts/new/", account_form(domain="LITWARE.example"))
    assert response.status_code == 200
    assert response.context["form"].errors["domain"] == ["An account with this domain already exists."]
    assert TargetAccount.unscoped.filter(tenant=tenant).count() == 1


@pytest.mark.django_db
def test_a_duplicate_crm_id_is_refused_on_its_field_but_an_account_keeps_its_own(tenant, manager_user):
    TargetAccountFactory(tenant=tenant, external_id="001-LIT")
    mine = TargetAccountFactory(tenant=tenant, name="Alpine", domain="alpine.example", external_id="001-ALP")
    client = login(manager_user)
    clash = client.post(f"{T}/accounts/new/", account_form())
    assert clash.context["form"].errors["external_id"] == ["An account with this CRM id already exists."]
    kept = client.post(
        f"{T}/accounts/{mine.id}/edit/",
        account_form(name="Alpine", domain="alpine.example", external_id="001-ALP"),
    )
    assert kept.status_code == 302


@pytest.mark.django_db
def test_a_domain_that_is_not_one_is_refused_on_its_field(tenant, manager_user):
    response = login(manager_user).post(f"{T}/accounts/new/", account_form(domain="litware"))
    assert response.context["form"].errors["domain"] == [
        "“litware” is not a web domain (for example acme.com)."
    ]
    assert not TargetAccount.unscoped.exists()


@pytest.mark.django_db
def test_only_staff_can_own_an_account(tenant, manager_user, partner_user):
    client = login(manager_user)
    form = client.get(f"{T}/accounts/new/").context["form"]
    with tenant_context(tenant):  # the page's choices, read as the page reads them
        assert list(form.fields["owner"].queryset) == [manager_user]
    response = client.post(f"{T}/accounts/new/", account_form(owner=partner_user.id))
    assert "Select a valid choice" in str(response.context["form"].errors["owner"])
    assert not TargetAccount.unscoped.exists()


@pytest.mark.django_db
def test_the_edit_form_explains_that_the_stage_follows_opportunities(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics", stage=AccountStage.OPEN_OPPORTUNITY)
    OpportunityFactory(tenant=tenant, account=account)
    bare = TargetAccountFactory(tenant=tenant, name="Borealis Retail")
    client = login(manager_user)
    with_opportunities = client.get(f"{T}/accounts/{account.id}/edit/").content.decode()
    without = client.get(f"{T}/accounts/{bare.id}/edit/").content.decode()
    assert "Open opportunity" in with_opportunities
    assert "It follows the account's 1 opportunity" in with_opportunities
    assert "The account has no opportunities, so the stage set here is the one shown." in without


@pytest.mark.django_db
def test_editing_the_manual_stage_of_an_account_without_opportunities_changes_its_stage(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, name="Litware Health", domain="litware.example")
    response = login(manager_user).post(
        f"{T}/accounts/{account.id}/edit/", account_form(manual_stage=AccountStage.EXISTING_CUSTOMER)
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.manual_stage, account.stage) == (
        AccountStage.EXISTING_CUSTOMER,
        AccountStage.EXISTING_CUSTOMER,
    )
    event = AuditEvent.unscoped.get(tenant=tenant, action="account.updated")
    assert (event.before["stage"], event.after["stage"]) == ("net_new", "existing_customer")


@pytest.mark.django_db
def test_a_rejected_edit_keeps_the_accounts_real_name_on_the_page(tenant, manager_user):
    TargetAccountFactory(tenant=tenant, domain="litware.example")
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics", domain="alpine.example")
    response = login(manager_user).post(f"{T}/accounts/{account.id}/edit/", account_form(name="Renamed"))
    html = response.content.decode()
    assert "An account with this domain already exists." in html
    assert "<h1>Edit Alpine Clinics</h1>" in html
    assert TargetAccount.unscoped.get(id=account.id).name == "Alpine Clinics"


@pytest.mark.django_db
def test_delete_asks_first_then_deletes_the_account(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    OpportunityFactory(tenant=tenant, account=account)
    client = login(manager_user)
    confirm = client.get(f"{T}/accounts/{account.id}/delete/").content.decode()
    assert "Delete Alpine Clinics?" in confirm
    response = client.post(f"{T}/accounts/{account.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/accounts/"
    assert "Alpine Clinics deleted." in followed_messages(response)
    assert not TargetAccount.unscoped.filter(id=account.id).exists()
    assert not Opportunity.unscoped.exists()


@pytest.mark.django_db
def test_an_account_named_in_a_plan_is_not_deleted(tenant, manager_user):
    named = PlanAccountFactory(tenant=tenant, account__name="Alpine Clinics")
    client = login(manager_user)
    confirm = client.get(f"{T}/accounts/{named.account_id}/delete/").content.decode()
    assert "is named in a plan, so it cannot be deleted" in confirm
    response = client.post(f"{T}/accounts/{named.account_id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/accounts/{named.account_id}/"
    assert followed_messages(response) == [
        "Alpine Clinics is named in a plan, so it cannot be deleted: take it out of the plan first."
    ]
    assert TargetAccount.unscoped.filter(id=named.account_id).exists()


# --- Opportunities ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_opportunity_form_offers_and_keeps_the_nordic_currencies(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    client = login(manager_user)
    form = client.get(f"{T}/accounts/{account.id}/opportunities/new/").content.decode()
    response = client.post(f"{T}/accounts/{account.id}/opportunities/new/", opportunity_form(currency="SEK"))

    assert all(f'<option value="{code}"' in form for code in ("NOK", "SEK", "DKK"))
    assert response.status_code == 302
    assert Opportunity.unscoped.get(tenant=tenant, name="Clinic rollout").currency == "SEK"


@pytest.mark.django_db
def test_adding_an_opportunity_with_partners_moves_the_accounts_stage(
    tenant, manager_user, partner, other_partner
):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    response = login(manager_user).post(
        f"{T}/accounts/{account.id}/opportunities/new/",
        opportunity_form(source_partner=partner.id, influencing_partners=[partner.id, other_partner.id]),
    )
    opportunity = Opportunity.unscoped.get(tenant=tenant, name="Clinic rollout")
    assert response.status_code == 302
    assert response["Location"] == f"{T}/accounts/{account.id}/#opportunity-{opportunity.id}"
    assert (opportunity.account, opportunity.amount, opportunity.currency) == (
        account,
        Decimal("48000"),
        "EUR",
    )
    assert opportunity.close_date == date(2026, 12, 15)
    assert opportunity.source_partner == partner
    assert influencers(opportunity) == {partner.id, other_partner.id}
    assert TargetAccount.unscoped.get(id=account.id).stage == AccountStage.OPEN_OPPORTUNITY
    assert OpportunityStageChange.unscoped.get(opportunity=opportunity).to_stage == "qualification"


@pytest.mark.django_db
def test_a_negative_amount_is_refused_on_the_opportunity_form(tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant)
    response = login(manager_user).post(
        f"{T}/accounts/{account.id}/opportunities/new/", opportunity_form(amount="-5")
    )
    assert "greater than or equal to 0" in str(response.context["form"].errors["amount"])
    assert not Opportunity.unscoped.exists()


@pytest.mark.django_db
def test_another_tenants_partner_cannot_influence_an_opportunity(tenant, other_tenant, manager_user):
    account = TargetAccountFactory(tenant=tenant)
    stranger = PartnerFactory(tenant=other_tenant)
    response = login(manager_user).post(
        f"{T}/accounts/{account.id}/opportunities/new/", opportunity_form(influencing_partners=[stranger.id])
    )
    assert "Select a valid choice" in str(response.context["form"].errors["influencing_partners"])
    assert not Opportunity.unscoped.exists()


@pytest.mark.django_db
def test_editing_an_opportunitys_stage_is_kept_in_its_history(tenant, manager_user, partner):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    opportunity = OpportunityFactory(
        tenant=tenant, account=account, name="Clinic rollout", stage="qualification"
    )
    OpportunityInfluenceFactory(tenant=tenant, opportunity=opportunity, partner=partner)
    client = login(manager_user)
    form = client.get(f"{T}/opportunities/{opportunity.id}/edit/").context["form"]
    assert form.initial["influencing_partners"] == [partner.id]
    response = client.post(
        f"{T}/opportunities/{opportunity.id}/edit/",
        opportunity_form(stage="closed_won", influencing_partners=[]),
    )
    assert response.status_code == 302
    change = OpportunityStageChange.unscoped.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage) == ("qualification", "closed_won")
    assert influencers(opportunity) == set()
    assert TargetAccount.unscoped.get(id=account.id).stage == AccountStage.EXISTING_CUSTOMER
    detail = client.get(f"{T}/accounts/{account.id}/").content.decode()
    assert "Qualification → Closed won" in detail


@pytest.mark.django_db
def test_deleting_an_opportunity_asks_then_rederives_the_stage(tenant, manager_user):
    account = TargetAccountFactory(
        tenant=tenant, manual_stage=AccountStage.EXISTING_CUSTOMER, stage=AccountStage.OPEN_OPPORTUNITY
    )
    opportunity = OpportunityFactory(tenant=tenant, account=account, name="Clinic rollout")
    client = login(manager_user)
    assert (
        "Delete Clinic rollout?" in client.get(f"{T}/opportunities/{opportunity.id}/delete/").content.decode()
    )
    response = client.post(f"{T}/opportunities/{opportunity.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/accounts/{account.id}/#opportunities"
    assert not Opportunity.unscoped.exists()
    assert TargetAccount.unscoped.get(id=account.id).stage == AccountStage.EXISTING_CUSTOMER


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=open&sort=name", ["Expansion", "Renewal"]),
        ("status=closed", ["Pilot"]),
        ("stage=closed_lost", ["Pilot"]),
        ("q=borealis", ["Expansion"]),
        ("close_after=2026-11-01&close_before=2026-12-31", ["Renewal"]),
        ("sort=-amount", ["Expansion", "Renewal", "Pilot"]),
        ("sort=account", ["Renewal", "Pilot", "Expansion"]),  # ties in creation order
    ],
)
def test_opportunity_list_filters(tenant, manager_user, query, expected):
    alpine = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    borealis = TargetAccountFactory(tenant=tenant, name="Borealis Retail")
    OpportunityFactory(
        tenant=tenant, account=alpine, name="Renewal", amount=Decimal("2000"), close_date=date(2026, 12, 1)
    )
    OpportunityFactory(
        tenant=tenant,
        account=alpine,
        name="Pilot",
        stage="closed_lost",
        amount=Decimal("10"),
        close_date=None,
    )
    OpportunityFactory(
        tenant=tenant, account=borealis, name="Expansion", amount=Decimal("9000"), close_date=date(2027, 3, 1)
    )
    response = login(manager_user).get(f"{T}/opportunities/?{query}")
    assert listed(response) == expected


@pytest.mark.django_db
def test_opportunity_list_filters_by_account_and_source_partner(tenant, manager_user, partner):
    alpine = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    OpportunityFactory(tenant=tenant, account=alpine, name="Renewal", source_partner=partner)
    OpportunityFactory(tenant=tenant, account=alpine, name="Pilot")
    OpportunityFactory(tenant=tenant, name="Elsewhere", source_partner=partner)
    client = login(manager_user)
    assert sorted(listed(client.get(f"{T}/opportunities/?account={alpine.id}"))) == ["Pilot", "Renewal"]
    assert sorted(listed(client.get(f"{T}/opportunities/?source_partner={partner.id}"))) == [
        "Elsewhere",
        "Renewal",
    ]


@pytest.mark.django_db
def test_opportunity_csv_lists_partners_by_name(tenant, manager_user, partner, other_partner):
    opportunity = OpportunityFactory(
        tenant=tenant, account__name="Alpine Clinics", name="Renewal", source_partner=partner, currency="GBP"
    )
    OpportunityInfluenceFactory(tenant=tenant, opportunity=opportunity, partner=other_partner)
    header, row = csv_rows(login(manager_user).get(f"{T}/opportunities/?export=csv"))
    values = dict(zip(header, row, strict=True))
    assert (values["Account"], values["Opportunity"], values["Currency"]) == (
        "Alpine Clinics",
        "Renewal",
        "GBP",
    )
    assert values["Source partner"] == "Contoso Consulting"
    assert values["Influencing partners"] == "Fabrikam Systems"


# --- Roles --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_product_marketing_reads_accounts_but_cannot_change_them(tenant):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics")
    opportunity = OpportunityFactory(tenant=tenant, account=account)
    client = login(make_member(tenant, Role.PRODUCT_MARKETING))
    assert listed(client.get(f"{T}/accounts/")) == ["Alpine Clinics"]
    assert client.get(f"{T}/accounts/{account.id}/").status_code == 200
    assert "Add opportunity" not in client.get(f"{T}/accounts/{account.id}/").content.decode()
    assert client.get(f"{T}/accounts/new/").status_code == 403
    assert client.post(f"{T}/accounts/new/", account_form()).status_code == 403
    assert client.post(f"{T}/accounts/{account.id}/edit/", account_form()).status_code == 403
    assert client.post(f"{T}/accounts/{account.id}/delete/").status_code == 403
    assert client.post(f"{T}/accounts/{account.id}/opportunities/new/", opportunity_form()).status_code == 403
    assert client.post(f"{T}/opportunities/{opportunity.id}/delete/").status_code == 403
    assert TargetAccount.unscoped.count() == 1
    assert Opportunity.unscoped.count() == 1


@pytest.mark.django_db
def test_partner_users_see_no_accounts_or_opportunities(tenant, partner, partner_user):
    account = TargetAccountFactory(tenant=tenant)
    AccountMappingFactory(tenant=tenant, account=account, partner=partner)
    client = login(partner_user)
    assert client.get(f"{T}/accounts/").status_code == 403
    assert client.get(f"{T}/opportunities/").status_code == 403
    assert client.get(f"{T}/accounts/suggest/?account=acc").status_code == 403
    # Even an account their company is mapped to: the vendor's account record is not theirs.
    assert client.get(f"{T}/accounts/{account.id}/").status_code == 404


# --- Account mapping ----------------------------------------------------------------------------


@pytest.fixture
def mapping(tenant, partner, other_partner):
    alpine = TargetAccountFactory(tenant=tenant, name="Alpine Clinics", domain="alpine.example")
    borealis = TargetAccountFactory(tenant=tenant, name="Borealis Retail", domain="borealis.example")
    return {
        "contoso_alpine": AccountMappingFactory(
            tenant=tenant, partner=partner, account=alpine, relationship=AccountMapping.Relationship.CUSTOMER
        ),
        "fabrikam_alpine": AccountMappingFactory(tenant=tenant, partner=other_partner, account=alpine),
        "fabrikam_borealis": AccountMappingFactory(
            tenant=tenant,
            partner=other_partner,
            account=borealis,
            source=AccountMapping.Source.API,
        ),
    }


def mapping_rows(response) -> list[tuple[str, str]]:
    return [(row.account.name, row.partner.name) for row in response.context["rows"]]


@pytest.mark.django_db
def test_staff_see_every_partners_mapping_and_filter_it(mapping, manager_user, other_partner):
    client = login(manager_user)
    assert mapping_rows(client.get(f"{T}/account-mapping/")) == [
        ("Alpine Clinics", "Contoso Consulting"),
        ("Alpine Clinics", "Fabrikam Systems"),
        ("Borealis Retail", "Fabrikam Systems"),
    ]
    assert mapping_rows(client.get(f"{T}/account-mapping/?partner={other_partner.id}&q=boreal")) == [
        ("Borealis Retail", "Fabrikam Systems")
    ]
    assert mapping_rows(client.get(f"{T}/account-mapping/?relationship=customer")) == [
        ("Alpine Clinics", "Contoso Consulting")
    ]
    assert mapping_rows(client.get(f"{T}/account-mapping/?source=api")) == [
        ("Borealis Retail", "Fabrikam Systems")
    ]


@pytest.mark.django_db
def test_mapping_csv_export(mapping, manager_user):
    header, *rows = csv_rows(
        login(manager_user).get(f"{T}/account-mapping/?export=csv&relationship=customer")
    )
    assert header == ["Account", "Domain", "Partner", "Relationship", "Source", "Notes", "Created"]
    assert [row[:5] for row in rows] == [
        [
            "Alpine Clinics",
            "alpine.example",
            "Contoso Consulting",
            "Customer of the partner",
            "Entered by staff",
        ]
    ]


@pytest.mark.django_db
def test_staff_add_a_mapping_from_the_account_page_and_return_to_it(tenant, manager_user, partner):
    account = TargetAccountFactory(tenant=tenant, name="Alpine Clinics", domain="alpine.example")
    client = login(manager_user)
    detail = client.get(f"{T}/accounts/{account.id}/").content.decode()
    link = f"{T}/account-mapping/new/?account=alpine.example&amp;next=account"
    assert link in detail
    form_page = client.get(link.replace("&amp;", "&"))
    assert form_page.context["form"]["account"].value() == "alpine.example"
    response = client.post(
        link.replace("&amp;", "&"),
        {"partner": partner.id, "account": "alpine.example", "relationship": "customer", "notes": ""},
    )
    assert response["Location"] == f"{T}/accounts/{account.id}/#partners"
    created = AccountMapping.unscoped.get(tenant=tenant)
    assert (created.partner, created.source) == (partner, AccountMapping.Source.STAFF)


@pytest.mark.django_db
def test_mapping_the_same_partner_twice_is_refused(mapping, manager_user, partner):
    response = login(manager_user).post(
        f"{T}/account-mapping/new/",
        {"partner": partner.id, "account": "alpine.example", "relationship": "customer", "notes": ""},
    )
    assert "This partner is already mapped to this account." in response.content.decode()
    assert AccountMapping.unscoped.count() == 3


@pytest.mark.django_db
def test_staff_search_accounts_while_typing(tenant, manager_user):
    TargetAccountFactory(tenant=tenant, name="Alpine Clinics", domain="alpine.example")
    TargetAccountFactory(tenant=tenant, name="Borealis Retail", domain="borealis.example")
    client = login(manager_user)
    form = client.get(f"{T}/account-mapping/new/")
    assert 'list="account-options"' in form.content.decode()
    options = client.get(f"{T}/accounts/suggest/?account=alp", HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="alpine.example">Alpine Clinics</option>' in options
    assert "borealis" not in options


@pytest.mark.django_db
def test_roles_without_mapping_change_cannot_add_mapping(tenant, mapping):
    client = login(make_member(tenant, Role.PRODUCT_MARKETING))
    assert client.get(f"{T}/account-mapping/").status_code == 200
    assert client.get(f"{T}/account-mapping/new/").status_code == 403
    assert client.post(f"{T}/account-mapping/{mapping['contoso_alpine'].id}/delete/").status_code == 403
    assert AccountMapping.unscoped.count() == 3
