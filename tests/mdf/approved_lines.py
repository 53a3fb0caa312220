"""An approved strategic line, ready to be claimed (the claim tests in tests/mdf and tests/browser)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from mdf.services import request_approve, request_create, request_submit
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from tests.factories import AllocationFactory, FundFactory, PlanFactory


@pytest.fixture
def approved_line(tenant, partner, partner_user, manager_user):
    """Contoso's strategic line, approved for 5,000; its activity ended yesterday."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with tenant_context(tenant):
        Partner.objects.filter(id=partner.id).update(tier=Partner.Tier.ONE_TO_ONE)
        fund = FundFactory(tenant=tenant, year=yesterday.year, quarter=(yesterday.month - 1) // 3 + 1)
        allocation = AllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("9000.00"))
        made = request_create(
            tenant=tenant,
            actor=partner_user,
            fund_id=fund.id,
            kind="strategic",
            title="Joint summit",
            activity_type="event",
            starts_on=yesterday,
            ends_on=yesterday,
            plan=PlanFactory(tenant=tenant, partner=partner).id,
            amount_requested=Decimal("5000.00"),
        )
        request_submit(tenant=tenant, actor=partner_user, request_id=made.id)
        request = request_approve(tenant=tenant, actor=manager_user, request_id=made.id)
    return request, allocation
