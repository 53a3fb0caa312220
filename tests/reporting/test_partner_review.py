"""The partner review (QBR) of one partner for a quarter: its plans' checkpoints against their
targets, lead progression, feedback, MDF and its return, registrations and next quarter's plan; as
a page with charts, a CSV, a PDF pack (opened and read back here) and in the API."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from accounts.models import Plan
from leads.models import LeadStage
from mdf.models import RequestState
from mdf.models.claims import ClaimState
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import (
    AllocationFactory,
    ClaimFactory,
    DealRegistrationFactory,
    FundRequestFactory,
    HandoffFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerFactory,
    PlanFactory,
)
from tests.reporting.journey import DAY, LAUNCH_DAY, at, launched_plan, sweep_on

pytestmark = pytest.mark.django_db
QUARTER = "2026-Q3"  # the plan launched on 1 June: its checkpoints fall due in July and August


@pytest.fixture
def reviewed(in_tenant, partner):
    """Contoso's Q3 2026: a plan launched on 1 June (day 30 frozen, missed), four leads handed in
    July (two reached MQL, one of them SQL), 4,000 USD of MDF paid, 30,000 USD of pipeline it
    influenced (its program named the account), one registration under review and a plan for Q4."""
    tenant = in_tenant
    manager = make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example")
    sales = make_member(tenant, Role.SALES, email="sales@northwind.example")
    plan, named = launched_plan(tenant, manager, sales, partner)
    sweep_on(tenant, LAUNCH_DAY + 30 * DAY)
    july = at(tenant, datetime.date(2026, 7, 10))
    for stage in (LeadStage.NEW, LeadStage.MQL, LeadStage.SQL, LeadStage.NURTURE):
        HandoffFactory(
            tenant=tenant, partner=partner, offered_at=july, lead=LeadFactory(tenant=tenant, stage=stage)
        )
    allocation = AllocationFactory(tenant=tenant, partner=partner)
    request = FundRequestFactory(
        tenant=tenant,
        allocation=allocation,
        state=RequestState.APPROVED,
        amount_requested=Decimal("5000.00"),
        amount_approved=Decimal("5000.00"),
    )
    ClaimFactory(
        tenant=tenant,
        request=request,
        amount_claimed=Decimal("4000.00"),
        amount_approved=Decimal("4000.00"),
        currency="USD",
        state=ClaimState.PAID,
        payment_reference="P-7",
        paid_on=datetime.date(2026, 8, 3),
    )
    OpportunityFactory(tenant=tenant, account=named[0], amount=Decimal("30000.00"), created_at=july)
    DealRegistrationFactory(tenant=tenant, partner=partner, created_at=july)
    PlanFactory(tenant=tenant, partner=partner, year=2026, quarter=4, name="Retail Q4")
    # Another partner's figures never show in Contoso's review.
    other = PartnerFactory(tenant=tenant, name="Fabrikam Systems")
    HandoffFactory(tenant=tenant, partner=other, offered_at=july)
    return {"plan": plan, "manager": manager}


def review_url(partner, **query):
    url = f"/t/northwind/reporting/partners/{partner.id}/review/?quarter={QUARTER}"
    return url + "".join(f"&{key}={value}" for key, value in query.items())


def test_the_review_page_shows_each_part_with_charts(reviewed, partner):
    page = login(reviewed["manager"]).get(review_url(partner)).content.decode()
    assert "Partner review: Contoso Consulting" in page
    assert page.count('role="img"') == 3
    assert "Healthcare Q2" in page and "missed" in page
    assert '<tr><td>Leads handed</td><td class="num">4</td></tr>' in page
    assert '<tr><td>MQL</td><td class="num">2</td></tr>' in page
    assert '<tr><td>SQL</td><td class="num">1</td></tr>' in page
    assert "$4,000.00" in page and "$30,000.00" in page
    assert "7.5\N{MULTIPLICATION SIGN}" in page  # 30,000 of pipeline per 4,000 of MDF
    assert "Retail Q4" in page


def test_the_review_exports_as_csv(reviewed, partner):
    response = login(reviewed["manager"]).get(review_url(partner, export="csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Lead quality and progression,MQL,2" in text
    assert "MDF and ROI,MDF paid (USD),4000.00" in text
    assert "Next quarter's plan,Retail Q4,Draft" in text


def test_the_pdf_pack_has_a_cover_and_the_review(reviewed, partner):
    response = login(reviewed["manager"]).get(review_url(partner, export="pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 4
    cover = reader.pages[0].extract_text()
    assert "Contoso Consulting" in cover and "Q3 2026" in cover and "Northwind Cloud" in cover
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "4000.00" in text and "Page 2" in text
    assert "Fabrikam" not in text


def test_a_partner_user_opens_only_its_own_review(reviewed, partner, partner_user):
    client = login(partner_user)
    assert client.get(review_url(partner)).status_code == 200
    other = PartnerFactory(tenant=partner.tenant, name="Litware")
    assert client.get(review_url(other)).status_code == 404


def test_an_unknown_quarter_is_a_404(reviewed, partner):
    client = login(reviewed["manager"])
    assert client.get(f"/t/northwind/reporting/partners/{partner.id}/review/?quarter=soon").status_code == 404


def test_the_review_costs_the_same_queries_for_more_rows(reviewed, partner):
    from tests.test_query_counts import queries_for

    client = login(reviewed["manager"])
    queries_for(client, review_url(partner))
    before = queries_for(client, review_url(partner))
    july = at(partner.tenant, datetime.date(2026, 7, 12))
    for _ in range(5):
        HandoffFactory(tenant=partner.tenant, partner=partner, offered_at=july)
        DealRegistrationFactory(tenant=partner.tenant, partner=partner, created_at=july)
        PlanFactory(tenant=partner.tenant, partner=partner, year=2026, quarter=4)
    assert Plan.objects.filter(partner=partner).count() == 7
    assert queries_for(client, review_url(partner)) == before


def test_the_api_answers_the_review_figures(reviewed, partner, partner_user):
    client = login(partner_user)
    client.defaults["HTTP_X_TENANT"] = "northwind"
    answer = client.get(f"/api/v1/reporting/partners/{partner.id}/review/?quarter={QUARTER}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["partner_name"] == "Contoso Consulting" and body["quarter"] == QUARTER
    assert [row["leads"] for row in body["funnel"]] == [4, 2, 1, 0]
    assert body["mdf"] == {
        "paid": "4000.00",
        "pipeline_sourced": "0.00",
        "pipeline_influenced": "30000.00",  # by rule: Contoso ran the program naming the account
        "roi": "7.50",
        "amounts_without_rate": 0,
    }
    assert [row["state"] for row in body["results"]] == ["missed", "open", "open"]
    other = PartnerFactory(tenant=partner.tenant, name="Litware")
    assert client.get(f"/api/v1/reporting/partners/{other.id}/review/").status_code == 404
    bad = client.get(f"/api/v1/reporting/partners/{partner.id}/review/?quarter=soon")
    assert bad.status_code == 400 and "quarter" in bad.json()


def test_the_scorecard_by_partner_links_to_each_review(reviewed, partner):
    page = login(reviewed["manager"]).get("/t/northwind/reporting/scorecard/?by=partner").content.decode()
    assert f'href="/t/northwind/reporting/partners/{partner.id}/review/"' in page


def test_mdf_paid_counts_tranches_paid_or_released_in_the_quarter(in_tenant, partner, other_partner):
    from mdf.models import TrancheState
    from mdf.selectors.funds import Quarter
    from reporting.selectors.review import partner_review
    from tests.factories import FundTrancheFactory

    tenant = in_tenant
    july = datetime.datetime(2026, 7, 15, 12, tzinfo=datetime.UTC)
    paid = FundTrancheFactory(
        tenant=tenant,
        request__partner=partner,
        state=TrancheState.PAID,
        settled_at=july,
        amount=Decimal("700"),
    )
    FundTrancheFactory(  # held in June, released in August: paid in the quarter
        tenant=tenant,
        request=paid.request,
        plan=paid.plan,
        day=90,
        state=TrancheState.RELEASED,
        amount=Decimal("300"),
        settled_at=july - datetime.timedelta(days=40),
        decided_at=july + datetime.timedelta(days=30),
    )
    FundTrancheFactory(tenant=tenant, request=paid.request, plan=paid.plan, day=30, settled_at=july)  # held
    FundTrancheFactory(
        tenant=tenant, request__partner=other_partner, state=TrancheState.PAID, settled_at=july
    )
    review = partner_review(tenant=tenant, partner=partner, quarter=Quarter(2026, 3))
    assert review.mdf_paid == Decimal("1000.00")
