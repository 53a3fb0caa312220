"""Deal registration as people use it: partners in "my deal registrations" and the API, the vendor in
the review queue and on a registration's page. A partner whose registration conflicts with another
partner's sees exactly what it sees for one that does not conflict, on the page and in the API."""

import datetime
import json
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client

from leads.models import DealRegistration
from leads.services import registration_create, registration_submit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import login, make_member
from tests.factories import ApiKeyFactory, BusinessCalendarFactory, OpportunityFactory, TargetAccountFactory

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
FRIDAY = datetime.datetime(2026, 1, 16, 15, 0, tzinfo=BERLIN)
BASE = "/t/northwind/deal-registrations/"
API = "/api/v1/deal-registrations/"
JSON = {"content_type": "application/json", "HTTP_X_TENANT": "northwind"}


@pytest.fixture
def other_partner_user(tenant, other_partner):
    return make_member(tenant, Role.PARTNER_USER, partner=other_partner, email="fran@fabrikam.example")


def submitted(tenant, user, domain, now=FRIDAY):
    with tenant_context(tenant):
        registration = registration_create(
            tenant=tenant,
            actor=user,
            now=now,
            customer_name="Customer",
            customer_domain=domain,
            solution="Cloud migration",
            amount=Decimal("45000.00"),
            currency="EUR",
            close_date=datetime.date(2026, 6, 30),
        )
        registration = registration_submit(
            tenant=tenant, actor=user, registration_id=registration.id, now=now
        )
        DealRegistration.objects.filter(id=registration.id).update(updated_at=now)
        return registration


@pytest.fixture
def held(tenant, partner_user, other_partner_user):
    """Contoso holds acme.com; Fabrikam then registers eu.acme.com (a conflict) and globex.example."""
    first = submitted(tenant, partner_user, "acme.com")
    conflicting = submitted(tenant, other_partner_user, "eu.acme.com")
    clean = submitted(tenant, other_partner_user, "globex.example")
    assert conflicting.has_conflict and not clean.has_conflict
    return first, conflicting, clean


def neutral(text: str, registration) -> str:
    """The page or body with what differs by nature (its id, its domain, CSRF tokens) blanked."""
    text = text.replace(f"/deal-registrations/{registration.id}/", "/deal-registrations/ID/")
    text = text.replace(registration.customer_domain, "DOMAIN")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", text)


def api_body(client, registration) -> str:
    body = client.get(f"{API}{registration.id}/", HTTP_X_TENANT="northwind").json()
    body["id"], body["customer_domain"] = "ID", "DOMAIN"
    return json.dumps(body, sort_keys=True)


def test_the_second_partner_sees_the_same_page_and_body_for_a_conflicting_registration(
    held, other_partner_user
):
    _, conflicting, clean = held
    client = login(other_partner_user)
    pages = [
        client.get(f"{BASE}{registration.id}/").content.decode() for registration in (conflicting, clean)
    ]
    assert neutral(pages[0], conflicting) == neutral(pages[1], clean)
    assert "Under review" in pages[0] and "Contoso" not in pages[0] and "onflict" not in pages[0]
    bodies = [api_body(client, registration) for registration in (conflicting, clean)]
    assert bodies[0] == bodies[1]
    assert json.loads(bodies[0])["review"] is None and json.loads(bodies[0])["state"] == "under_review"


def test_the_second_partner_cannot_see_the_first_partners_registration_nor_count_it(held, other_partner_user):
    first, conflicting, clean = held
    client = login(other_partner_user)
    assert client.get(f"{BASE}{first.id}/").status_code == 404
    assert client.get(f"{API}{first.id}/", HTTP_X_TENANT="northwind").status_code == 404
    listed = client.get(API, HTTP_X_TENANT="northwind").json()
    assert sorted(row["id"] for row in listed["results"]) == [conflicting.id, clean.id]
    # The vendor's conflict filter filters nothing for a partner: no count tells which conflicts.
    filtered = client.get(f"{API}?conflict=true", HTTP_X_TENANT="northwind").json()
    assert filtered["count"] == listed["count"] == 2
    page = client.get(BASE).content.decode()
    assert "Contoso" not in page and ">acme.com</div>" not in page


def test_the_vendor_sees_the_conflict_beside_the_registration(held, tenant, manager_user, other_partner):
    first, conflicting, clean = held
    client = login(manager_user)
    page = client.get(f"{BASE}{conflicting.id}/").content.decode()
    conflicts = page.split('id="conflicts"', 1)[1]
    assert "Registered by Contoso Consulting" in conflicts
    assert f"/deal-registrations/{first.id}/" in conflicts
    assert "No conflict at submission" in client.get(f"{BASE}{clean.id}/").content.decode()
    queue = client.get(f"{BASE}review/?conflict=true").content.decode()
    assert "eu.acme.com" in queue and "globex.example" not in queue
    body = client.get(f"{API}{conflicting.id}/", HTTP_X_TENANT="northwind").json()
    assert body["review"]["has_conflict"] is True
    assert body["review"]["conflicts"] == [{"kind": "registration", "id": first.id}]


def test_the_queue_shows_aging_filters_overdue_sorts_by_due_and_exports(tenant, manager_user, partner_user):
    BusinessCalendarFactory(tenant=tenant, partner=None, name="HQ", timezone="Europe/Berlin")
    old = submitted(tenant, partner_user, "initech.example", now=FRIDAY)
    fresh = submitted(tenant, partner_user, "globex.example", now=datetime.datetime.now(BERLIN))
    client = login(manager_user)
    overdue = client.get(f"{BASE}review/?overdue=true").content.decode()
    assert "initech.example" in overdue and "globex.example" not in overdue
    assert re.search(r"overdue by \d+ business days", overdue)
    by_due = client.get(f"{BASE}review/?sort=-due").content.decode()
    assert by_due.index("globex.example") < by_due.index("initech.example")
    export = client.get(f"{BASE}review/?export=csv&overdue=true")
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert (
        len(rows) == 2 and "initech.example" in rows[1] and rows[1].endswith(",no,yes")
    )  # conflict, overdue
    assert fresh.review_due_at > old.review_due_at


def test_a_partner_registers_submits_and_follows_its_registration_in_the_portal(
    tenant, partner_user, manager_user, mailoutbox
):
    client = login(partner_user)
    saved = client.post(
        f"{BASE}new/",
        {
            "customer_name": "Acme",
            "customer_domain": "www.acme.com",
            "solution": "Backup",
            "amount": "12000.50",
            "currency": "EUR",
            "close_date": "2027-03-31",
        },
    )
    with tenant_context(tenant):
        registration = DealRegistration.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"{BASE}{registration.id}/"
    assert registration.customer_domain == "acme.com" and registration.amount == Decimal("12000.50")
    assert "Submit this deal registration?" in client.get(f"{BASE}{registration.id}/submit/").content.decode()
    client.post(f"{BASE}{registration.id}/submit/")
    page = client.get(f"{BASE}{registration.id}/").content.decode()
    assert "Under review" in page
    # The vendor approves on the confirmation page; the partner sees the protection end.
    login(manager_user).post(f"{BASE}{registration.id}/approve/", {"opportunity": ""})
    with tenant_context(tenant):
        registration.refresh_from_db()
    assert registration.state == DealRegistration.State.APPROVED
    send_pending_notification_emails_task()
    assert [mail.to for mail in mailoutbox if "approved" in mail.subject] == [[partner_user.email]]
    page = client.get(f"{BASE}{registration.id}/").content.decode()
    assert "Request extension" in page
    client.post(f"{BASE}{registration.id}/request-extension/")
    assert "Request extension" not in client.get(f"{BASE}{registration.id}/").content.decode()


def test_a_refused_form_shows_the_services_reason_on_its_field(tenant, partner_user):
    response = login(partner_user).post(
        f"{BASE}new/",
        {
            "customer_name": "Acme",
            "customer_domain": "gmail.com",
            "solution": "Backup",
            "amount": "1",
            "currency": "EUR",
            "close_date": "2027-03-31",
        },
    )
    assert response.status_code == 200
    assert "gmail.com is a free-mail provider" in response.content.decode()


def test_the_api_takes_a_registration_through_review_with_4xx_on_bad_input(tenant, partner, partner_user):
    account = TargetAccountFactory(tenant=tenant, domain="acme.com")
    direct = OpportunityFactory(tenant=tenant, account=account, source_partner=None)
    client = login(partner_user)
    bad = client.post(API, json.dumps({"customer_name": "Acme", "amount": "-5"}), **JSON)
    assert bad.status_code == 400 and {"amount", "customer_domain", "solution", "close_date"} <= set(
        bad.json()
    )
    free_mail = client.post(
        API,
        json.dumps(
            {
                "customer_name": "Acme",
                "customer_domain": "gmail.com",
                "solution": "Backup",
                "amount": "5",
                "close_date": "2027-01-31",
            }
        ),
        **JSON,
    )
    assert free_mail.status_code == 400 and "customer_domain" in free_mail.json()
    created = client.post(
        API,
        json.dumps(
            {
                "customer_name": "Acme",
                "customer_domain": "acme.com",
                "solution": "Backup",
                "amount": "5000",
                "close_date": "2027-01-31",
            }
        ),
        **JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["state"], body["currency"], body["amount"], body["partner"]) == (
        "draft",
        "USD",
        "5000.00",
        partner.id,
    )
    submitted_body = client.post(f"{API}{body['id']}/submit/", **JSON).json()
    assert submitted_body["state"] == "under_review" and submitted_body["review"] is None
    assert client.post(f"{API}{body['id']}/approve/", "{}", **JSON).status_code == 403
    # An API key acts as the vendor (revops): it reviews, and a bad reason is a 400 on its field.
    key = ApiKeyFactory(tenant=tenant, scopes=["read", "write"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key.raw_key}", "content_type": "application/json"}
    wrong = client.post(f"{API}{body['id']}/reject/", json.dumps({"reason": "nope"}), **JSON)
    assert wrong.status_code == 403
    vendor = Client()
    rejected_reason = vendor.post(f"{API}{body['id']}/reject/", json.dumps({"reason": "nope"}), **headers)
    assert rejected_reason.status_code == 400 and "reason" in rejected_reason.json()
    approved = vendor.post(
        f"{API}{body['id']}/approve/", json.dumps({"opportunity": direct.id}), **headers
    ).json()
    assert approved["state"] == "approved" and approved["review"]["opportunity"] == direct.id
    assert approved["review"]["conflicts"] == [{"kind": "direct_opportunity", "id": direct.id}]
    assert client.post(f"{API}{body['id']}/request-extension/", **JSON).status_code == 200
    again = client.post(f"{API}{body['id']}/request-extension/", **JSON)
    assert again.status_code == 400 and "once" in json.dumps(again.json())
    decided = vendor.post(
        f"{API}{body['id']}/decide-extension/", json.dumps({"approve": True, "days": 30}), **headers
    ).json()
    assert decided["extension"] == "approved"


def test_only_reviewers_see_the_review_block_in_the_api_as_on_the_page(held, tenant, manager_user):
    _, conflicting, _ = held
    sales = make_member(tenant, Role.SALES, email="sam@northwind.example")
    reviewer_body = login(manager_user).get(f"{API}{conflicting.id}/", HTTP_X_TENANT="northwind").json()
    sales_client = login(sales)
    sales_body = sales_client.get(f"{API}{conflicting.id}/", HTTP_X_TENANT="northwind").json()
    page = sales_client.get(f"{BASE}{conflicting.id}/").content.decode()
    assert reviewer_body["review"]["has_conflict"] is True
    assert reviewer_body["review"]["aging"].startswith("overdue by")
    assert sales_body["review"] is None and sales_body["state"] == "under_review"
    assert 'id="conflicts"' not in page
