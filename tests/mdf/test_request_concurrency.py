"""Approvals racing for one allocation's money, each on its own thread and database connection:
fifty submitted requests, money for ten. Exactly ten are approved, the others are refused with the
money that is there and stay submitted; the ledger never goes below zero and its three accounts of
the balance agree. Twenty rounds, each on fresh data."""

from decimal import Decimal

import pytest
from django.utils import timezone

from mdf.models import EntryKind, FundRequest, LedgerEntry, RequestState
from mdf.selectors import allocation_balances, fund_balances, fund_last_entry
from mdf.services import request_approve
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import AllocationFactory, FundRequestFactory, PartnerFactory, TenantFactory
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS, REQUESTS, COVERED = 20, 50, 10
SHORT = "Only 0.00 USD is available in the allocation of Contoso."


def one_round(number: int) -> None:
    tenant = TenantFactory(slug=f"race-{number}")
    reviewer = make_member(tenant, Role.PARTNER_MANAGER, email=f"pm{number}@race.example")
    with tenant_context(tenant):
        partner = PartnerFactory(tenant=tenant, name="Contoso")
        allocation = AllocationFactory(tenant=tenant, partner=partner, amount=Decimal("1000.00"))
        requests = FundRequestFactory.create_batch(
            REQUESTS,
            tenant=tenant,
            allocation=allocation,
            amount_requested=Decimal("100.00"),
            state=RequestState.SUBMITTED,
            in_review_since=timezone.now(),
        )
    waiting = iter(request.id for request in requests)  # next() is atomic under the GIL

    def approve():
        request_id = next(waiting)
        with tenant_context(tenant):
            try:
                request_approve(tenant=tenant, actor=reviewer, request_id=request_id)
            except ServiceError as exc:
                return exc.message
            return "approved"

    results = run_at_once(approve, times=REQUESTS, timeout=60)

    assert results.count("approved") == COVERED, f"round {number}"
    assert results.count(SHORT) == REQUESTS - COVERED, f"round {number}: {set(results)}"
    with tenant_context(tenant):
        states = FundRequest.objects.filter(tenant=tenant).values_list("state", "amount_approved")
        assert sorted(states) == [(RequestState.APPROVED, Decimal("100.00"))] * COVERED + [
            (RequestState.SUBMITTED, None)
        ] * (REQUESTS - COVERED)
        entries = LedgerEntry.objects.filter(tenant=tenant, fund_id=allocation.fund_id)
        reserved = sum(e.amount for e in entries if e.kind == EntryKind.RESERVE)
        allocated = sum(e.amount for e in entries if e.kind == EntryKind.ALLOCATE)
        assert (entries.count(), allocated, reserved) == (1 + COVERED, Decimal("1000.00"), Decimal("1000.00"))
        balance = allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get()
        fund = fund_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get()
        last = fund_last_entry(tenant=tenant, fund_id=allocation.fund_id)
        assert (balance.reserved, balance.available) == (reserved, Decimal("0.00"))
        assert (last.seq, last.allocation_reserved, last.allocation_available) == (
            1 + COVERED,
            reserved,
            Decimal("0.00"),
        )
        assert fund.reserved == last.fund_reserved == reserved


def test_fifty_approvals_against_money_for_ten_approve_exactly_ten_twenty_times_over():
    for number in range(ROUNDS):
        one_round(number)
