"""The handoff pages: the partner's lead inbox and a handoff's page (context first, contacts only
after acceptance, the answers), the vendor's list with its SLA filter, offer and recall."""

import datetime

import pytest
from django.utils import timezone

from leads.models import Handoff
from leads.services import handoff_accept, handoff_offer, handoff_record_contact, handoff_record_qualification
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from tests.conftest import login
from tests.factories import HandoffFactory, LeadFactory, ProgramFactory, ReadyLeadFactory, TouchFactory

pytestmark = pytest.mark.django_db

ENABLEMENT = (
    "Lead context per attendee: the opportunity, its stage.\n"
    "Talk track: start from the blocker, not the product; close on a dated next step.\n"
    "Templates: follow-up email."
)


def offered_to(partner, **lead_fields):
    """An offered handoff of Dana Ruiz (VP Finance at Acme Corp), who attended a briefing and booked
    a meeting."""
    lead = LeadFactory(
        tenant=partner.tenant,
        email="dana.ruiz@acme.example",
        phone="+1 415 555 0100",
        first_name="Dana",
        last_name="Ruiz",
        title="VP Finance",
        company_name="Acme Corp",
        **lead_fields,
    )
    TouchFactory(
        tenant=partner.tenant, lead=lead, kind="event_attended", details={"event": "CFO briefing, Berlin"}
    )
    TouchFactory(tenant=partner.tenant, lead=lead, kind="meeting")
    return HandoffFactory(tenant=partner.tenant, lead=lead, partner=partner)


@pytest.fixture
def handoff(tenant, partner):
    program = ProgramFactory(tenant=tenant, partner=partner, components={"sales_enablement": ENABLEMENT})
    return offered_to(partner, program=program)


def url(handoff, action=""):
    return f"/t/northwind/handoffs/{handoff.id}/{action + '/' if action else ''}"


def test_the_partners_inbox_lists_its_own_handoffs_with_their_deadline(
    tenant, partner, other_partner, partner_user, handoff
):
    theirs = HandoffFactory(tenant=tenant, partner=other_partner, lead__company_name="Initech")
    page = login(partner_user).get("/t/northwind/handoffs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lead inbox" in html and "Dana Ruiz" in html and "Acme Corp" in html
    assert "Initech" not in html and f"handoff-{theirs.id}" not in html
    assert f'data-deadline="{handoff.accept_due_at.isoformat()}"' in html
    # Never the email, not even as a search hit: the partner has not accepted yet.
    assert "dana.ruiz@acme.example" not in html
    assert "Dana" not in login(partner_user).get("/t/northwind/handoffs/?q=dana.ruiz@acme").content.decode()
    # Another partner's handoff is not found, exactly like one that does not exist.
    assert login(partner_user).get(url(theirs)).status_code == 404
    assert login(partner_user).get("/t/northwind/handoffs/999999/").status_code == 404


def test_the_handoff_page_shows_the_context_first_and_the_contacts_only_after_acceptance(
    tenant, partner_user, handoff
):
    client = login(partner_user)
    html = client.get(url(handoff)).content.decode()
    context_at, person_at = html.index('id="context"'), html.index('id="person"')
    assert context_at < person_at
    assert "Confirm the meeting Dana booked" in html  # the strongest touch decides the next step
    assert "start from the blocker, not the product" in html  # the package's talk track
    assert "Dana Ruiz: VP Finance, Acme Corp." in html
    assert "CFO briefing, Berlin" in html
    assert "dana.ruiz@acme.example" not in html and "+1 415 555 0100" not in html
    assert html.count("Shown once you accept") == 2

    response = client.post(url(handoff, "accept"))
    assert response.status_code == 302 and response["Location"] == url(handoff)
    html = client.get(url(handoff)).content.decode()
    assert "dana.ruiz@acme.example" in html and "+1 415 555 0100" in html
    assert "Log first contact" in html
    with tenant_context(tenant):
        handoff.refresh_from_db()
        assert handoff.state == Handoff.State.ACCEPTED
        assert AuditEvent.objects.filter(action="handoff.accepted", target_id=handoff.id).count() == 1


def test_declining_needs_a_reason_and_words_for_other(tenant, partner_user, handoff):
    client = login(partner_user)
    page = client.post(url(handoff, "decline"), {"reason": "other", "text": "  "})
    assert page.status_code == 200
    assert "Say why the lead is declined." in page.content.decode()
    response = client.post(url(handoff, "decline"), {"reason": "not_our_territory"})
    assert response.status_code == 302 and response["Location"] == "/t/northwind/handoffs/"
    with tenant_context(tenant):
        handoff.refresh_from_db()
    assert (handoff.state, handoff.reject_reason) == (Handoff.State.REJECTED, "not_our_territory")
    # Closed: no more answers, and the page says how it ended.
    html = client.get(url(handoff)).content.decode()
    assert "Not our territory" in html and "Accept" not in html.split('id="context"')[0]


def test_first_contact_then_qualification_stop_their_clocks(tenant, partner_user, handoff):
    client = login(partner_user)
    client.post(url(handoff, "accept"))
    client.post(url(handoff, "contact"))
    page = client.post(url(handoff, "qualification"), {"outcome": "qualified", "note": "Budget in Q2"})
    assert page.status_code == 302
    html = client.get(url(handoff)).content.decode()
    assert "Qualified: Budget in Q2" in html
    clocks = html.split('id="clocks"')[1].split("</table>")[0]
    assert clocks.count('<td class="small">Stopped ') == 3  # accept, first contact, qualification
    assert "data-deadline" not in clocks  # nothing counts down any more


def test_staff_cannot_answer_for_the_partner_and_partners_cannot_recall(
    tenant, manager_user, partner_user, handoff
):
    assert login(manager_user).post(url(handoff, "accept")).status_code == 403
    assert login(partner_user).get(url(handoff, "recall")).status_code == 403
    assert login(partner_user).get(f"/t/northwind/leads/{handoff.lead_id}/offer/").status_code == 404


def test_the_vendor_filters_handoffs_by_sla_state(tenant, partner, manager_user):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    on_time = HandoffFactory(tenant=tenant, partner=partner, offered_at=now, lead__company_name="OnTime Ltd")
    at_risk = HandoffFactory(
        tenant=tenant,
        partner=partner,
        offered_at=now - 20 * hour,
        accept_warn_at=now - hour,
        accept_due_at=now + hour,
        lead__company_name="AtRisk Ltd",
    )
    breached = HandoffFactory(
        tenant=tenant,
        partner=partner,
        offered_at=now - 30 * hour,
        accept_warn_at=now - 10 * hour,
        accept_due_at=now - 2 * hour,
        lead__company_name="Breached Ltd",
    )
    client = login(manager_user)

    def listed(query):
        html = client.get(f"/t/northwind/handoffs/?{query}").content.decode()
        return {name for name in ("OnTime Ltd", "AtRisk Ltd", "Breached Ltd") if name in html}

    assert listed("sla=on_time") == {"OnTime Ltd"}
    assert listed("sla=at_risk") == {"AtRisk Ltd"}
    assert listed("sla=breached") == {"Breached Ltd"}
    # By default the nearest deadline comes first: the breached one, then the one about to breach.
    html = client.get("/t/northwind/handoffs/").content.decode()
    order = [html.index(f"handoff-{handoff.id}") for handoff in (breached, at_risk, on_time)]
    assert order == sorted(order)
    assert "Overdue" in html and "Due soon" in html


def test_staff_offer_a_lead_and_recall_it_after_confirming(tenant, partner, manager_user):
    lead = ReadyLeadFactory(tenant=tenant, first_name="Ola", last_name="Berg")
    client = login(manager_user)
    assert "Offer to a partner" in client.get(f"/t/northwind/leads/{lead.id}/").content.decode()
    response = client.post(f"/t/northwind/leads/{lead.id}/offer/", {"partner": partner.id})
    assert response.status_code == 302
    with tenant_context(tenant):
        handoff = Handoff.objects.get(lead=lead)
    assert response["Location"] == url(handoff)
    assert "Contoso Consulting" in client.get(f"/t/northwind/leads/{lead.id}/").content.decode()

    confirm = client.get(url(handoff, "recall"))
    assert "Recall this handoff?" in confirm.content.decode()
    client.post(url(handoff, "recall"))
    with tenant_context(tenant):
        handoff.refresh_from_db()
    assert handoff.state == Handoff.State.RECALLED
    refused = client.get(url(handoff, "recall")).content.decode()
    assert "This handoff is recalled." in refused


def test_the_stored_deadline_follows_the_running_clocks(tenant, partner, partner_user, manager_user):
    """What the inbox sorts by: the accept clock's due instant, then the first contact's (the
    nearer of the two clocks acceptance starts), then the qualification's, then none."""
    lead = ReadyLeadFactory(tenant=tenant)
    with tenant_context(tenant):
        handoff = handoff_offer(tenant=tenant, actor=manager_user, lead_id=lead.id, partner_id=partner.id)
        assert handoff.deadline_at == handoff.accept_due_at
        handoff = handoff_accept(tenant=tenant, actor=partner_user, handoff_id=handoff.id)
        assert handoff.deadline_at == min(handoff.contact_due_at, handoff.qualify_due_at)
        handoff = handoff_record_contact(tenant=tenant, actor=partner_user, handoff_id=handoff.id)
        assert handoff.deadline_at == handoff.qualify_due_at
        handoff_record_qualification(
            tenant=tenant, actor=partner_user, handoff_id=handoff.id, outcome="qualified"
        )
        handoff.refresh_from_db()
        assert handoff.deadline_at is None
