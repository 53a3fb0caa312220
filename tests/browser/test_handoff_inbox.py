"""The partner's lead inbox in a browser: deadlines count down, and the accept and decline dialogs
answer a handoff without leaving the page's flow."""

import re

import pytest
from playwright.sync_api import expect

from leads.models import Handoff
from partnerhub.tenancy.context import tenant_context
from tests.leads.test_handoff_pages import offered_to

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offered(partner):
    return offered_to(partner)


def test_a_partner_accepts_through_the_dialog_and_then_sees_the_contacts(signed_in, partner_user, offered):
    page = signed_in(partner_user)
    page.goto("/t/northwind/handoffs/")
    # The countdown replaced the server's word with the time left (about a day).
    expect(page.locator(f"#handoff-{offered.id} .countdown")).to_have_text(re.compile(r"^Due in (23 h|1 d)"))
    page.get_by_role("link", name="Dana Ruiz").click()
    expect(page.locator("#person")).to_contain_text("Shown once you accept")
    expect(page.locator("#person")).not_to_contain_text("dana.ruiz@acme.example")

    page.get_by_role("button", name="Accept", exact=True).click()
    dialog = page.get_by_role("dialog", name="Accept this lead?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    with tenant_context(offered.tenant):
        assert Handoff.objects.get(id=offered.id).state == Handoff.State.OFFERED  # cancel did nothing

    page.get_by_role("button", name="Accept", exact=True).click()
    dialog.get_by_role("button", name="Accept the lead").click()
    expect(page.locator("#person")).to_contain_text("dana.ruiz@acme.example")
    expect(page.get_by_role("button", name="Log first contact")).to_be_visible()


def test_a_partner_declines_with_a_reason_in_the_dialog(signed_in, partner_user, offered):
    page = signed_in(partner_user)
    page.goto(f"/t/northwind/handoffs/{offered.id}/")
    page.get_by_role("link", name="Decline…").click()
    dialog = page.get_by_role("dialog", name="Decline this lead")
    expect(dialog).to_be_visible()
    dialog.get_by_label("No capacity").check()
    dialog.get_by_role("button", name="Decline the lead").click()
    expect(page).to_have_url(re.compile(r"/t/northwind/handoffs/$"))
    expect(page.locator(".messages")).to_contain_text("Declined")
    expect(page.locator(f"#handoff-{offered.id}")).to_contain_text("Rejected")
