"""Sales logs a meeting on a target account in the portal: the contact's lead gets a touch of kind
meeting on that account (whatever their email's domain), which the plan's checkpoints count."""

import pytest

from leads.models import Lead, Touch
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import TargetAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(tenant):
    return make_member(tenant, Role.SALES, email="sales@northwind.example")


def url(account) -> str:
    return f"/t/northwind/accounts/{account.id}/meetings/new/"


def test_a_meeting_logged_on_the_account_page_is_a_meeting_touch_on_that_account(in_tenant, sales):
    tenant = in_tenant
    account = TargetAccountFactory(tenant=tenant, name="Fabrikam", domain="fabrikam.example")
    client = login(sales)
    page = client.get(f"/t/northwind/accounts/{account.id}/").content.decode()
    assert url(account) in page  # the account page offers it

    response = client.post(
        url(account),
        {
            "email": "Dana@Gmail.example",
            "first_name": "Dana",
            "title": "CIO",
            "occurred_at": "2026-11-02T10:30",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(email="dana@gmail.example")
    assert (lead.account_id, lead.source, lead.title) == (account.id, "sales", "CIO")
    touch = Touch.objects.get(lead=lead)
    assert (touch.kind, touch.source) == ("meeting", "sales")
    assert AuditEvent.objects.filter(action="lead.created", target_id=str(lead.id)).exists()

    again = client.post(url(account), {"email": "dana@gmail.example", "occurred_at": "2026-11-02T10:30"})
    assert "This meeting is already logged." in again.content.decode()
    assert Touch.objects.filter(lead=lead).count() == 1


def test_a_meeting_without_a_date_is_refused_and_writes_nothing(in_tenant, sales):
    tenant = in_tenant
    account = TargetAccountFactory(tenant=tenant)
    response = login(sales).post(url(account), {"email": "someone@x.example", "occurred_at": "next week"})
    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    assert not Lead.objects.exists()


def test_partner_users_cannot_log_meetings(tenant, partner_user):
    account = TargetAccountFactory(tenant=tenant)
    assert login(partner_user).get(url(account)).status_code == 404  # accounts are the vendor's
