"""Pages link to what they name, offer only what can be done, and say why not."""

import datetime

import pytest

from accounts.models import Plan, TargetAccount
from tests.conftest import login
from tests.factories import PlanAccountFactory, PlanFactory, ProgramFactory, TargetAccountFactory

T = "/t/northwind"


@pytest.mark.django_db
def test_an_account_page_links_to_the_plans_naming_it_and_their_partner(tenant, manager_user, partner):
    named = PlanAccountFactory(
        tenant=tenant, plan=PlanFactory(tenant=tenant, name="Hospitals", partner=partner)
    )

    page = login(manager_user).get(f"{T}/accounts/{named.account_id}/").content.decode()

    assert f'href="{T}/plans/{named.plan_id}/"><strong>Hospitals</strong></a>' in page
    assert f'href="{T}/partners/{partner.id}/">Contoso Consulting</a>' in page


@pytest.mark.django_db
def test_a_program_page_links_to_its_plan_and_partner(tenant, partner, manager_user, partner_user):
    program = ProgramFactory(tenant=tenant, partner=partner, tracking_code="2026Q4-ACC-DACH-CONTOSO-1")

    for user in (manager_user, partner_user):
        page = login(user).get(f"{T}/programs/{program.id}/").content.decode()
        assert f'href="{T}/plans/{program.plan_id}/">{program.plan}</a>' in page
        assert f'href="{T}/partners/{partner.id}/">Contoso Consulting</a>' in page
    listing = login(manager_user).get(f"{T}/programs/").content.decode()
    assert f'href="{T}/plans/{program.plan_id}/"' in listing


@pytest.mark.django_db
def test_an_account_named_in_a_plan_offers_no_delete_and_says_why(tenant, manager_user):
    named = PlanAccountFactory(tenant=tenant).account
    free = TargetAccountFactory(tenant=tenant)
    client = login(manager_user)

    named_page = client.get(f"{T}/accounts/{named.id}/").content.decode()
    free_page = client.get(f"{T}/accounts/{free.id}/").content.decode()
    confirm = client.get(f"{T}/accounts/{named.id}/delete/").content.decode()
    posted = client.post(f"{T}/accounts/{named.id}/delete/", follow=True)

    assert f"/accounts/{named.id}/delete/" not in named_page
    assert "is named in a plan, so it cannot be deleted" in named_page
    assert f"/accounts/{free.id}/delete/" in free_page
    assert "is named in a plan, so it cannot be deleted" in confirm and "Delete account" not in confirm
    assert "is named in a plan, so it cannot be deleted" in posted.content.decode()
    assert TargetAccount.unscoped.filter(id=named.id).exists()


def _last_quarter(today: datetime.date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


@pytest.mark.django_db
def test_a_plan_for_a_quarter_that_is_over_is_refused_on_the_quarter(tenant, manager_user):
    year, quarter = _last_quarter(datetime.datetime.now(datetime.UTC).date())  # the tenant is on UTC
    client = login(manager_user)

    form = client.post(f"{T}/plans/new/", {"year": year, "quarter": quarter, "name": "Late"})
    api = client.post(
        "/api/v1/plans/",
        {"year": year, "quarter": quarter},
        content_type="application/json",
        HTTP_X_TENANT="northwind",
    )

    assert form.status_code == 200
    assert f"Q{quarter} {year} is over: plan the current quarter" in form.context["form"].errors["quarter"][0]
    assert api.status_code == 400
    assert list(api.json()) == ["quarter"]
    assert not Plan.unscoped.filter(tenant=tenant).exists()
