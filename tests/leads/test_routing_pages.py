"""The routing pages: the vendor's queue of ready leads no partner holds, routing a lead by the
rules from its page, and the decisions with their reasons on the lead's page."""

import pytest

from leads.models import Handoff
from partnerhub.tenancy.context import tenant_context
from tests.conftest import login
from tests.factories import ReadyLeadFactory

pytestmark = pytest.mark.django_db


def test_a_ready_lead_waits_in_the_queue_until_routed_and_its_page_says_why(
    tenant, partner, manager_user, partner_user
):
    lead = ReadyLeadFactory(tenant=tenant, first_name="Ola", last_name="Berg")
    client = login(manager_user)
    assert "Ola Berg" in client.get("/t/northwind/leads/queue/").content.decode()

    response = client.post(f"/t/northwind/leads/{lead.id}/route/")
    assert response.status_code == 302 and response["Location"] == f"/t/northwind/leads/{lead.id}/"
    with tenant_context(tenant):
        handoff = Handoff.objects.get(lead=lead)
    page = client.get(f"/t/northwind/leads/{lead.id}/").content.decode()
    routing = page.split('id="routing"')[1].split("</table>")[0]
    assert (
        "Tier, region and vertical fit" in routing
        and partner.name in routing
        and f"/t/northwind/handoffs/{handoff.id}/" in routing
    )
    assert "Ola Berg" not in client.get("/t/northwind/leads/queue/").content.decode()
    # Partners neither see the queue nor route.
    assert login(partner_user).get("/t/northwind/leads/queue/").status_code == 403
    assert login(partner_user).post(f"/t/northwind/leads/{lead.id}/route/").status_code == 404
