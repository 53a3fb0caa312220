"""History cards and the audit trail read as words: action labels, field names, the names of the
objects an event points at, choices by their label; never internals such as `owner: 3`."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts import services as account_services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import AuditEventFactory, PlanFactory, TargetAccountFactory
from tests.test_query_counts import queries_for

T = "/t/northwind"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_an_account_history_names_fields_choices_and_people(tenant, admin_user):
    sales = make_member(tenant, Role.SALES, full_name="Sam Sales")
    with tenant_context(tenant):
        account = account_services.account_create(
            tenant=tenant, actor=admin_user, name="Mercy General", domain="mercy.example", owner=sales
        )
        account_services.account_update(
            tenant=tenant, actor=admin_user, account_id=account.id, manual_stage="existing_customer"
        )

    page = text(login(admin_user).get(f"{T}/accounts/{account.id}/").content.decode())

    assert "Account added" in page and "Account changed" in page
    assert "Owner : Sam Sales" in page
    assert "Stage without opportunities : Net new → Existing customer" in page
    for internal in ("account.created", "manual_stage", "net_new", f"owner : {sales.id}"):
        assert internal not in page


@pytest.mark.django_db
def test_the_plan_history_says_what_each_step_decided(tenant, manager_user):
    plan = PlanFactory(tenant=tenant, name="Hospitals Q4")
    accounts = [TargetAccountFactory(tenant=tenant, name=f"Clinic {n}") for n in range(5)]
    event_on(
        plan,
        "plan.step_2",
        before={"accounts": []},
        after={"accounts": [account.id for account in accounts], "review_steps": []},
    )

    page = text(login(manager_user).get(f"{T}/plans/{plan.id}/").content.decode())

    assert "Target accounts named" in page
    assert "Accounts : Clinic 0, Clinic 1, Clinic 2, Clinic 3, Clinic 4" in page
    assert "plan.step_2" not in page and "[" not in page.split("History", 1)[1]


@pytest.mark.django_db
def test_a_market_value_reads_as_its_label_and_a_free_text_value_as_written(tenant, manager_user):
    plan = PlanFactory(tenant=tenant, name="Retail push")
    event_on(
        plan, "plan.step_1", before={}, after={"market_kind": "vertical", "market_value": "public_sector"}
    )
    event_on(plan, "plan.renamed", before={"name": "Retail push"}, after={"name": "retail"})

    page = text(login(manager_user).get(f"{T}/plans/{plan.id}/").content.decode())

    assert "Public sector" in page and "public_sector" not in page
    assert "Name : Retail push → retail" in page  # a name that happens to be a code stays as written


@pytest.mark.django_db
def test_an_id_of_another_tenant_is_never_named(tenant, other_tenant, admin_user):
    foreign = TargetAccountFactory(tenant=other_tenant, name="Globex Secret Account")
    plan = PlanFactory(tenant=tenant)
    event_on(plan, "plan.step_2", after={"accounts": [foreign.id]})

    page = login(admin_user).get(f"{T}/audit/").content.decode()

    assert "Globex Secret Account" not in page
    assert f"#{foreign.id}" in page


@pytest.mark.django_db
def test_the_audit_trail_names_a_page_of_events_in_a_fixed_number_of_queries(tenant, admin_user):
    client = login(admin_user)

    def add_events(count):
        for _ in range(count):
            plan = PlanFactory(tenant=tenant, partner=None)
            account = TargetAccountFactory(tenant=tenant)
            event_on(plan, "plan.step_2", after={"accounts": [account.id]})
            event_on(account, "account.updated", before={"owner": None}, after={"owner": admin_user.id})

    add_events(2)
    few = queries_for(client, f"{T}/audit/")  # after a first request (per-process caches)
    add_events(15)
    many = queries_for(client, f"{T}/audit/")

    assert many == few
    assert f"Owner : {admin_user.display_name}" in text(client.get(f"{T}/audit/").content.decode())


def event_on(target, action: str, **values):
    """An event as a service would record it on `target`, with its before/after values."""
    return AuditEventFactory(
        tenant=target.tenant,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_label=str(target),
        **values,
    )
