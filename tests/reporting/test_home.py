"""The home page per role: staff see what needs doing (each a count and the first rows, with
links); a partner's users see their company's dashboard, only its own rows. Both cost the same
queries for a few rows as for many."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mdf.models import RequestState
from mdf.models.claims import ClaimState
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import (
    AllocationFactory,
    CheckpointFactory,
    ClaimFactory,
    DealRegistrationFactory,
    FollowUpCommitmentFactory,
    FundRequestFactory,
    HandoffFactory,
    PartnerFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db
HOME = "/t/northwind/"


def fill(tenant, partner, count):
    """`count` of every kind of work waiting, for `partner`."""
    today = tenant.local_date()
    late = timezone.now() - datetime.timedelta(days=3)
    for _ in range(count):
        PlanFactory(tenant=tenant, partner=partner, status="ready")
        launched = PlanFactory(tenant=tenant, partner=partner, status="launched", launched_at=late)
        CheckpointFactory(tenant=tenant, plan=launched, due_on=today + datetime.timedelta(days=2))
        FollowUpCommitmentFactory(tenant=tenant, plan=launched, due_on=today - datetime.timedelta(days=1))
        HandoffFactory(tenant=tenant, partner=partner, offered_at=late)
        allocation = AllocationFactory(tenant=tenant, partner=partner)
        FundRequestFactory(
            tenant=tenant, allocation=allocation, state=RequestState.SUBMITTED, in_review_since=late
        )
        approved = FundRequestFactory(
            tenant=tenant,
            allocation=allocation,
            state=RequestState.APPROVED,
            amount_approved=Decimal("1000.00"),
        )
        ClaimFactory(tenant=tenant, request=approved, state=ClaimState.SUBMITTED, submitted_at=late)
        DealRegistrationFactory(tenant=tenant, partner=partner)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_staff_see_what_needs_doing(tenant, partner):
    manager = make_member(tenant, Role.PARTNER_MANAGER)
    fill(tenant, partner, 2)
    page = login(manager).get(HOME).content.decode()
    for title in (
        "Plans waiting on a decision",
        "Checkpoints due this week",
        "Follow-ups due",
        "SLA breaches",
        "MDF requests to review",
        "MDF claims to review",
    ):
        assert title in page
    assert page.count('<span class="badge">2</span>') == 6
    assert "overdue" in page


def test_staff_see_empty_states(tenant):
    page = login(make_member(tenant, Role.PARTNER_MANAGER)).get(HOME).content.decode()
    assert "No plan is waiting to be launched." in page
    assert "No handoff is past its SLA." in page
    assert "No claim is waiting for review." in page


def test_staff_home_query_count_does_not_grow(tenant, partner):
    client = login(make_member(tenant, Role.PARTNER_MANAGER))
    fill(tenant, partner, 2)
    queries_for(client, HOME)  # the first request fills per-tenant caches
    before = queries_for(client, HOME)
    fill(tenant, partner, 6)
    assert queries_for(client, HOME) == before


def test_partner_sees_its_own_dashboard_only(tenant, partner, partner_user):
    other = PartnerFactory(tenant=tenant, name="Fabrikam Systems")
    fill(tenant, partner, 2)
    fill(tenant, other, 3)
    page = login(partner_user).get(HOME).content.decode()
    assert 'id="partner-dashboard"' in page
    assert "<svg" in page and 'role="img"' in page
    assert "What needs doing" not in page
    # Its own two registrations under review, not the other partner's three.
    assert '<tr><td>Under review</td><td class="num">2</td></tr>' in page
    assert "Leads handed to you" in page
    assert "One-to-few (growing)" in page  # the next tier from one-to-many


def test_partner_home_query_count_does_not_grow(tenant, partner, partner_user):
    client = login(partner_user)
    fill(tenant, partner, 2)
    queries_for(client, HOME)  # the first request fills per-tenant caches
    before = queries_for(client, HOME)
    fill(tenant, partner, 6)
    assert queries_for(client, HOME) == before
