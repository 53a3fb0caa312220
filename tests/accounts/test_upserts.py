"""Bulk upserts of accounts, opportunities and account mapping (the services behind CSV import and
the API bulk endpoints): per-row rejection, keys, "unchanged" means no write, stage history, a fixed
number of queries per batch."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccountMapping, Opportunity, OpportunityStageChange, TargetAccount
from accounts.services import accounts_upsert, mappings_upsert, opportunities_upsert
from accounts.services.upserts import numbered
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import (
    AccountMappingFactory,
    OpportunityFactory,
    PartnerFactory,
    TargetAccountFactory,
    TenantFactory,
)

pytestmark = pytest.mark.usefixtures("in_tenant")


def account_rows(count: int, start: int = 0) -> list[dict]:
    return [
        {
            "name": f"Company {n}",
            "domain": f"company{n}.example",
            "industry": "Healthcare",
            "external_id": f"A-{n}",
        }
        for n in range(start, start + count)
    ]


def reasons(report) -> list[tuple[int, str]]:
    return [(entry["row"], entry["column"]) for entry in report.rejected]


# --- Accounts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_rows_are_kept_and_each_bad_row_is_reported_by_row_and_column(tenant, manager_user):
    rows = [
        {"name": "Acme", "domain": "https://www.Acme.com/about", "segment": "Mid-market"},
        {"name": "No domain", "domain": ""},
        {"name": "Bad segment", "domain": "bad.example", "segment": "galactic"},
        {
            "name": "Globex",
            "domain": "globex.example",
            "senior_buyers_engaged": "YES",
            "stage": "Existing customer",
        },
        {"name": "Bad owner", "domain": "owner.example", "owner_email": "nobody@example.com"},
    ]

    report = accounts_upsert(tenant=tenant, actor=manager_user, rows=numbered(rows, start=2))

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert reasons(report) == [(3, "domain"), (4, "segment"), (6, "owner")]
    assert "nobody@example.com" in report.rejected[2]["reason"]
    acme = TargetAccount.objects.get(domain="acme.com")
    assert acme.segment == "mid_market"
    globex = TargetAccount.objects.get(domain="globex.example")
    assert globex.senior_buyers_engaged is True
    assert globex.stage == globex.manual_stage == "existing_customer"
    assert TargetAccount.objects.count() == 2


@pytest.mark.django_db
def test_the_same_rows_twice_change_nothing_the_second_time(tenant, manager_user):
    owner = make_member(tenant, Role.SALES, email="sales@northwind.example")
    rows = [{**row, "owner_email": "Sales@Northwind.example"} for row in account_rows(3)]
    accounts_upsert(tenant=tenant, actor=manager_user, rows=numbered(rows))
    before = fingerprint()

    report = accounts_upsert(tenant=tenant, actor=manager_user, rows=numbered(rows))

    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert changed_tables(before, fingerprint()) == []
    assert set(TargetAccount.objects.values_list("owner", flat=True)) == {owner.id}


@pytest.mark.django_db
def test_one_summary_audit_event_per_batch(tenant, manager_user):
    accounts_upsert(tenant=tenant, actor=manager_user, rows=numbered(account_rows(4)))

    events = AuditEvent.objects.filter(tenant=tenant)
    assert [(event.action, event.after) for event in events] == [
        ("account.upserted", {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0})
    ]


@pytest.mark.django_db
def test_a_row_updates_the_account_with_its_crm_id_else_the_one_with_its_domain(tenant, manager_user):
    by_id = TargetAccountFactory(tenant=tenant, name="Old name", domain="one.example", external_id="A-1")
    by_domain = TargetAccountFactory(tenant=tenant, name="Two", domain="two.example", industry="")
    untouched_at = by_domain.updated_at

    report = accounts_upsert(
        tenant=tenant,
        actor=manager_user,
        rows=numbered(
            [
                {"external_id": "A-1", "name": "New name", "domain": "one-renamed.example"},
                {"domain": "www.two.example", "industry": "retail"},
                {"domain": "two.example", "name": "Two"},
            ]
        ),
    )

    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    assert reasons(report) == [(2, "domain")]  # the same account twice: the first row wins
    by_id.refresh_from_db()
    assert (by_id.name, by_id.domain) == ("New name", "one-renamed.example")
    by_domain.refresh_from_db()
    assert (by_domain.name, by_domain.industry, by_domain.external_id) == ("Two", "retail", "")
    assert by_domain.updated_at > untouched_at


@pytest.mark.django_db
def test_a_new_crm_id_takes_over_the_account_with_its_domain_only_if_it_has_none(tenant, manager_user):
    unlinked = TargetAccountFactory(tenant=tenant, domain="unlinked.example", external_id="")
    TargetAccountFactory(tenant=tenant, domain="linked.example", external_id="A-9")

    report = accounts_upsert(
        tenant=tenant,
        actor=manager_user,
        rows=numbered(
            [
                {"external_id": "A-1", "name": "Unlinked", "domain": "unlinked.example"},
                {"external_id": "A-2", "name": "Linked", "domain": "linked.example"},
                {"external_id": "A-3", "name": "Moves", "domain": "unlinked.example"},
            ]
        ),
    )

    assert report.updated == 1
    assert report.rejected == [
        {
            "row": 1,
            "column": "external_id",
            "reason": "The account on linked.example has the CRM id A-9, not A-2. If the file's id is the "
            "right one, import again choosing “Replace the CRM id of accounts found by domain”; otherwise "
            "correct the row or leave it out.",
        },
        {
            "row": 2,
            "column": "domain",
            "reason": "Row 0 has the same domain (unlinked.example); only the first row with it is imported.",
        },
    ]
    unlinked.refresh_from_db()
    assert unlinked.external_id == "A-1"


@pytest.mark.django_db
def test_a_domain_cannot_move_onto_another_accounts_domain(tenant, manager_user):
    TargetAccountFactory(tenant=tenant, domain="taken.example")
    mine = TargetAccountFactory(tenant=tenant, domain="mine.example", external_id="A-1")

    report = accounts_upsert(
        tenant=tenant, actor=manager_user, rows=numbered([{"external_id": "A-1", "domain": "taken.example"}])
    )

    assert report.rejected == [
        {"row": 0, "column": "domain", "reason": "Another account has the domain taken.example."}
    ]
    mine.refresh_from_db()
    assert mine.domain == "mine.example"


@pytest.mark.django_db
def test_duplicate_keys_in_one_batch_the_first_row_wins(tenant, manager_user):
    rows = [
        {"external_id": "A-1", "name": "First", "domain": "first.example"},
        {"external_id": "A-1", "name": "Second", "domain": "second.example"},
        {"name": "Same domain", "domain": "WWW.FIRST.example"},
    ]

    report = accounts_upsert(tenant=tenant, actor=manager_user, rows=numbered(rows, start=2))

    assert report.created == 1
    assert reasons(report) == [(3, "external_id"), (4, "domain")]
    assert "Row 2 has the same external_id (A-1)" in report.rejected[0]["reason"]
    assert list(TargetAccount.objects.values_list("name", flat=True)) == ["First"]


@pytest.mark.django_db
def test_a_new_account_needs_a_name(tenant, manager_user):
    report = accounts_upsert(
        tenant=tenant, actor=manager_user, rows=numbered([{"domain": "nameless.example"}])
    )

    assert report.rejected == [{"row": 0, "column": "name", "reason": "A new account needs a name."}]


@pytest.mark.django_db
def test_another_tenants_staff_cannot_own_an_account(tenant, manager_user):
    make_member(TenantFactory(slug="globex"), Role.SALES, email="sales@globex.example")

    report = accounts_upsert(
        tenant=tenant,
        actor=manager_user,
        rows=numbered([{"name": "Acme", "domain": "acme.com", "owner_email": "sales@globex.example"}]),
    )

    assert reasons(report) == [(0, "owner")]
    assert not TargetAccount.objects.exists()


@pytest.mark.django_db
def test_account_upserts_take_the_same_number_of_queries_for_5_and_50_rows(tenant, manager_user):
    make_member(tenant, Role.SALES, email="sales@northwind.example")

    def queries(rows) -> int:
        rows = [{**row, "owner_email": "sales@northwind.example"} for row in rows]
        with CaptureQueriesContext(connection) as captured:
            accounts_upsert(tenant=tenant, actor=manager_user, rows=numbered(rows))
        return len(captured)

    creating = queries(account_rows(5)), queries(account_rows(50, start=100))
    updating = (
        queries([{**row, "name": "Renamed"} for row in account_rows(5)]),
        queries([{**row, "stage": "existing_customer"} for row in account_rows(50, start=100)]),
    )

    assert creating[0] == creating[1]
    assert updating[0] + 1 == updating[1]  # the second also refreshes the stages: one UPDATE


# --- Opportunities ------------------------------------------------------------------------------


@pytest.fixture
def account(tenant):
    return TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com", external_id="A-1")


@pytest.mark.django_db
def test_new_opportunities_open_their_stage_history_and_move_the_account_stage(tenant, manager_user, account):
    partner = PartnerFactory(tenant=tenant, name="Contoso Consulting")
    rows = [
        {
            "external_id": "O-1",
            "name": "Acme renewal",
            "account_external_id": "A-1",
            "stage": "Qualification",
            "amount": "25,000.00",
            "currency": "eur",
            "close_date": "2026-03-31",
            "source_partner": "contoso consulting",
        },
        {"external_id": "O-2", "name": "Bad amount", "account_domain": "acme.com", "amount": "12,3,4"},
        {"external_id": "O-3", "name": "No account", "account_domain": "nowhere.example", "amount": "1"},
        {"external_id": "O-4", "name": "No amount", "account_domain": "acme.com"},
    ]

    report = opportunities_upsert(tenant=tenant, actor=manager_user, rows=numbered(rows))

    assert report.created == 1
    assert reasons(report) == [(1, "amount"), (2, "account_domain"), (3, "amount")]
    opportunity = Opportunity.objects.get(external_id="O-1")
    assert (opportunity.amount, opportunity.currency, opportunity.source_partner) == (
        Decimal("25000.00"),
        "EUR",
        partner,
    )
    assert opportunity.close_date == datetime.date(2026, 3, 31)
    assert [(c.from_stage, c.to_stage) for c in opportunity.stage_changes.all()] == [("", "qualification")]
    account.refresh_from_db()
    assert account.stage == "open_opportunity"


@pytest.mark.django_db
def test_a_stage_change_lands_in_the_history_at_the_crms_time(tenant, manager_user, account):
    tenant.timezone = "Europe/Berlin"
    tenant.save()
    opportunity = OpportunityFactory(
        tenant=tenant, account=account, external_id="O-1", name="Deal", stage="proposal", amount=Decimal(100)
    )
    row = {"external_id": "O-1", "stage": "closed_won", "stage_changed_at": "2026-02-01 09:30"}

    report = opportunities_upsert(tenant=tenant, actor=manager_user, rows=numbered([row]))

    assert report.updated == 1
    change = OpportunityStageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage) == ("proposal", "closed_won")
    assert change.changed_at == datetime.datetime(2026, 2, 1, 8, 30, tzinfo=datetime.UTC)
    opportunity.refresh_from_db()
    assert opportunity.stage_changed_at == change.changed_at
    account.refresh_from_db()
    assert account.stage == "existing_customer"
    # The same row again: the stage did not change, so no history and no write.
    before = fingerprint()
    again = opportunities_upsert(tenant=tenant, actor=manager_user, rows=numbered([row]))
    assert again.unchanged == 1
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_an_opportunity_moves_to_another_account_and_both_stages_follow(tenant, manager_user, account):
    other = TargetAccountFactory(tenant=tenant, domain="other.example")
    OpportunityFactory(tenant=tenant, account=account, external_id="O-1", stage="prospecting")
    TargetAccount.objects.filter(id=account.id).update(stage="open_opportunity")

    opportunities_upsert(
        tenant=tenant,
        actor=manager_user,
        rows=numbered([{"external_id": "O-1", "account_domain": "other.example"}]),
    )

    account.refresh_from_db()
    other.refresh_from_db()
    assert (account.stage, other.stage) == ("net_new", "open_opportunity")


@pytest.mark.django_db
def test_opportunity_upserts_take_the_same_number_of_queries_for_5_and_50_rows(tenant, manager_user, account):
    PartnerFactory(tenant=tenant, name="Contoso")

    def rows(count, start, stage):
        return [
            {
                "external_id": f"O-{n}",
                "name": f"Deal {n}",
                "account_external_id": "A-1",
                "amount": "1000",
                "stage": stage,
                "source_partner": "Contoso",
            }
            for n in range(start, start + count)
        ]

    def queries(batch) -> int:
        with CaptureQueriesContext(connection) as captured:
            opportunities_upsert(tenant=tenant, actor=manager_user, rows=numbered(batch))
        return len(captured)

    assert queries(rows(5, 0, "prospecting")) == queries(rows(50, 100, "prospecting"))
    assert queries(rows(5, 0, "proposal")) == queries(rows(50, 100, "proposal"))


# --- Account mapping ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mapping_row_matches_a_target_account_by_domain(tenant, manager_user, partner, account):
    rows = [
        {"company": "Acme", "website": "https://acme.com", "relationship": "Customer"},
        {"company": "Initech", "domain": "initech.example"},
    ]

    report = mappings_upsert(tenant=tenant, actor=manager_user, partner=partner, rows=numbered(rows, start=2))

    assert report.created == 1
    assert report.rejected == [
        {
            "row": 3,
            "column": "domain",
            "reason": "No target account has the domain initech.example (Initech).",
        }
    ]
    mapping = AccountMapping.objects.get(partner=partner, account=account)
    assert (mapping.relationship, mapping.source) == ("customer", "staff")
    again = mappings_upsert(tenant=tenant, actor=manager_user, partner=partner, rows=numbered(rows, start=2))
    assert (again.created, again.unchanged) == (0, 1)


@pytest.mark.django_db
def test_a_partner_user_uploads_no_mappings(tenant, partner, partner_user, account):
    rows = numbered([{"domain": "acme.com", "relationship": "active project"}])
    with pytest.raises(ServiceError, match="Account mapping is kept by the vendor"):
        mappings_upsert(tenant=tenant, actor=partner_user, partner=partner, rows=rows)
    assert not AccountMapping.objects.exists()


@pytest.mark.django_db
def test_a_mapping_row_changes_the_relationship_but_not_who_entered_it(
    tenant, partner, manager_user, account
):
    mapping = AccountMappingFactory(tenant=tenant, partner=partner, account=account, source="api")

    report = mappings_upsert(
        tenant=tenant,
        actor=manager_user,
        partner=partner,
        rows=numbered([{"domain": "acme.com", "relationship": "customer", "notes": "Since 2019"}]),
    )

    assert report.updated == 1
    mapping.refresh_from_db()
    assert (mapping.relationship, mapping.notes, mapping.source) == ("customer", "Since 2019", "api")
