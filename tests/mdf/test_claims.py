"""Claims through the services, one journey per tier: a catalog request approved automatically
within the pool and claimed; a proposal approved for less than asked, claimed with proof, one file
rejected and re-uploaded, approved partially and paid; a strategic line agreed, drawn and paid.
After every step the ledger's entries, the selector's balances and the last running totals agree,
and the database refuses to change or delete an entry. A claim after the window, above the
approved amount, or missing a required proof is refused with a clear message and changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from mdf.models import BUCKETS, EFFECTS, Claim, ClaimState, Fund, FundRequest, LedgerEntry
from mdf.selectors import allocation_balances, allocation_last_entry
from mdf.services import (
    claim_approve,
    claim_create,
    claim_pay,
    claim_reject,
    claim_submit,
    claim_upload_proof,
    proof_accept,
    proof_reject,
    request_approve,
    request_cancel,
    request_create,
    request_submit,
)
from mdf.services.claims import required_proof_kinds
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Notification, Partner
from partnerhub.tenancy.roles import Role
from plays.catalog import PLAYS
from tests.conftest import make_member
from tests.factories import (
    AllocationFactory,
    CatalogItemFactory,
    FundFactory,
    PartnerFactory,
    PlanFactory,
    ProgramFactory,
    ProposalTemplateFactory,
)
from tests.mdf.proof_files import pdf, png, proof_dir, xlsx

pytestmark = pytest.mark.django_db
__all__ = ["proof_dir"]  # the fixture, used by name

UTC = datetime.UTC
AFTER = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # the activity (Nov 2-3) is over
DATES = {"starts_on": datetime.date(2026, 11, 2), "ends_on": datetime.date(2026, 11, 3)}


@pytest.fixture
def reviewer(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="reviewer@northwind.example")


@pytest.fixture
def fund(tenant):
    return FundFactory(tenant=tenant, name="Q4 MDF", amount=Decimal("100000.00"), claim_window_days=30)


def ledger_agrees(tenant, allocation) -> dict:
    """The allocation's buckets three ways: the selector's sums, the entries added up here, and the
    running totals of its last entry. They must be one and the same; returns them."""
    balances = allocation_balances(tenant=tenant, fund_ids=[allocation.fund_id]).get(id=allocation.id)
    from_selector = {bucket: getattr(balances, bucket) for bucket in BUCKETS}
    added = dict.fromkeys(BUCKETS, Decimal("0"))
    for entry in LedgerEntry.objects.filter(tenant=tenant, allocation=allocation):
        for bucket, sign in EFFECTS[entry.kind].items():
            added[bucket] += sign * entry.amount
    last = allocation_last_entry(tenant=tenant, allocation_id=allocation.id)
    running = {bucket: getattr(last, f"allocation_{bucket}") for bucket in BUCKETS}
    assert from_selector == added == running
    assert balances.available == last.allocation_available
    return from_selector


def expect(tenant, allocation, **buckets):
    state = ledger_agrees(tenant, allocation)
    assert {name: state[name] for name in buckets} == {
        name: Decimal(value) for name, value in buckets.items()
    }


def entries_are_immutable(tenant):
    """Every entry written on the way stays as it was: the database refuses a change or a deletion."""
    for entry in LedgerEntry.objects.filter(tenant=tenant):
        for statement, match in (
            ("UPDATE mdf_ledgerentry SET note = 'x' WHERE id = %s", "never changed"),
            ("DELETE FROM mdf_ledgerentry WHERE id = %s", "never deleted"),
        ):
            with (
                pytest.raises(IntegrityError, match=match),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement, [entry.id])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def approved_request(tenant, partner_user, reviewer, fund, *, asked, approved=None, **fields):
    if "program" not in fields:  # a request serves a plan
        partner = partner_user.memberships.get(tenant=tenant).partner
        fields["plan"] = PlanFactory(tenant=tenant, partner=partner).id
    made = request_create(
        tenant=tenant,
        actor=partner_user,
        fund_id=fund.id,
        kind=fields.pop("kind", "strategic"),
        title=fields.pop("title", "Joint event"),
        activity_type="event",
        amount_requested=Decimal(asked),
        **DATES,
        **fields,
    )
    request_submit(
        tenant=tenant, actor=partner_user, request_id=made.id, now=AFTER - datetime.timedelta(days=30)
    )
    return request_approve(
        tenant=tenant, actor=reviewer, request_id=made.id, amount=Decimal(approved) if approved else None
    )


def test_a_proposal_approved_for_less_claimed_with_proof_one_file_rejected_and_replaced_paid_partially(
    in_tenant, partner, partner_user, reviewer, fund, proof_dir
):
    tenant = in_tenant
    allocation = AllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("20000.00"))
    program = ProgramFactory(
        tenant=tenant,
        partner=partner,
        components={"proof_of_performance": "Evidence: invoice, attendee list."},
    )
    template = ProposalTemplateFactory(tenant=tenant, questions=["Who is the audience?"])
    request = approved_request(
        tenant,
        partner_user,
        reviewer,
        fund,
        asked="8000.00",
        approved="6000.00",
        kind="proposal",
        template_id=template.id,
        program=program.id,
        answers={"Who is the audience?": "CIOs"},
    )
    assert request.amount_approved == Decimal("6000.00")
    expect(tenant, allocation, allocated="20000.00", reserved="6000.00", claimed="0")
    assert required_proof_kinds(request) == ["invoice", "attendee_list"]

    claim = claim_create(
        tenant=tenant, actor=partner_user, request_id=request.id, amount_claimed=Decimal("6000.00"), now=AFTER
    )
    invoice = claim_upload_proof(
        tenant=tenant, actor=partner_user, claim_id=claim.id, file=pdf(), kind="invoice"
    )
    with pytest.raises(ServiceError, match="attendee list"):
        claim_submit(tenant=tenant, actor=partner_user, claim_id=claim.id, now=AFTER)
    attendees = claim_upload_proof(
        tenant=tenant, actor=partner_user, claim_id=claim.id, file=xlsx(), kind="attendee_list"
    )
    claim_submit(tenant=tenant, actor=partner_user, claim_id=claim.id, now=AFTER)
    assert Notification.objects.filter(user=reviewer, title__startswith="Claim from").exists()

    proof_accept(tenant=tenant, actor=reviewer, proof_id=invoice.id)
    proof_reject(tenant=tenant, actor=reviewer, proof_id=attendees.id, reason="The accounts are not named")
    with pytest.raises(ServiceError, match="No accepted file of kind “attendee list”"):
        claim_approve(tenant=tenant, actor=reviewer, claim_id=claim.id)
    expect(tenant, allocation, reserved="6000.00", claimed="0")  # the refusal moved nothing

    again = claim_upload_proof(
        tenant=tenant,
        actor=partner_user,
        claim_id=claim.id,
        file=xlsx("named.xlsx"),
        replaces_id=attendees.id,
    )
    assert again.kind == "attendee_list" and again.replaces_id == attendees.id
    with pytest.raises(ServiceError, match=r"“named\.xlsx” waits for review"):
        claim_approve(tenant=tenant, actor=reviewer, claim_id=claim.id)
    proof_accept(tenant=tenant, actor=reviewer, proof_id=again.id)

    with pytest.raises(ServiceError, match="Say why it is approved for less"):
        claim_approve(tenant=tenant, actor=reviewer, claim_id=claim.id, amount=Decimal("5000.00"))
    claim = claim_approve(
        tenant=tenant,
        actor=reviewer,
        claim_id=claim.id,
        amount=Decimal("5000.00"),
        reason="Booth photos missing",
        now=AFTER,
    )
    assert claim.state == ClaimState.PARTIALLY_APPROVED and claim.amount_approved == Decimal("5000.00")
    # 5,000 claimed; the 1,000 the request still held is back in the allocation.
    expect(tenant, allocation, reserved="0", claimed="5000.00", paid="0")
    assert allocation_balances(tenant=tenant, fund_ids=[fund.id]).get(id=allocation.id).available == Decimal(
        "15000.00"
    )
    assert Notification.objects.filter(
        user=partner_user, title__startswith="Claim partially approved"
    ).exists()

    claim = claim_pay(
        tenant=tenant,
        actor=reviewer,
        claim_id=claim.id,
        payment_reference="PAY-2026-118",
        paid_on=AFTER.date(),
        now=AFTER,
    )
    assert claim.state == ClaimState.PAID
    expect(tenant, allocation, reserved="0", claimed="0", paid="5000.00")
    actions = list(
        AuditEvent.objects.filter(target_type__model="claim").order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "mdf.claim.created",
        "mdf.claim.proof_filed",
        "mdf.claim.proof_filed",
        "mdf.claim.submitted",
        "mdf.claim.proof_filed",
        "mdf.claim.partially_approved",
        "mdf.claim.paid",
    ]
    entries_are_immutable(tenant)


def test_a_catalog_request_approved_within_the_pool_is_claimed_and_paid_in_full(
    in_tenant, partner_user, reviewer, fund, proof_dir
):
    tenant = in_tenant
    tail = PartnerFactory(tenant=tenant, name="Tailspin", tier=Partner.Tier.ONE_TO_MANY)
    user = make_member(tenant, Role.PARTNER_USER, partner=tail, email="tia@tailspin.example")
    pool = AllocationFactory(
        tenant=tenant, fund=fund, partner=None, tier="one_to_many", amount=Decimal("1000.00")
    )
    item = CatalogItemFactory(tenant=tenant, amount=Decimal("400.00"), tiers=["one_to_many"])
    made = request_create(
        tenant=tenant, actor=user, fund_id=fund.id, kind="catalog", catalog_item_id=item.id, **DATES
    )
    request = request_submit(
        tenant=tenant, actor=user, request_id=made.id, now=AFTER - datetime.timedelta(days=30)
    )
    assert request.state == "approved"  # by the system, within the pool
    expect(tenant, pool, allocated="1000.00", reserved="400.00")

    claim = claim_create(
        tenant=tenant, actor=user, request_id=request.id, amount_claimed=Decimal("400.00"), now=AFTER
    )
    invoice = claim_upload_proof(tenant=tenant, actor=user, claim_id=claim.id, file=pdf(), kind="invoice")
    claim_submit(tenant=tenant, actor=user, claim_id=claim.id, now=AFTER)
    proof_accept(tenant=tenant, actor=reviewer, proof_id=invoice.id)
    claim = claim_approve(tenant=tenant, actor=reviewer, claim_id=claim.id, now=AFTER)
    assert claim.state == ClaimState.APPROVED
    expect(tenant, pool, reserved="0", claimed="400.00")
    claim_pay(
        tenant=tenant,
        actor=reviewer,
        claim_id=claim.id,
        payment_reference="P-1",
        paid_on=AFTER.date(),
        now=AFTER,
    )
    expect(tenant, pool, claimed="0", paid="400.00")
    entries_are_immutable(tenant)


def test_a_strategic_line_agreed_and_drawn_after_a_rejected_claim(
    in_tenant, partner, partner_user, reviewer, fund, proof_dir
):
    tenant = in_tenant
    Partner.objects.filter(id=partner.id).update(tier=Partner.Tier.ONE_TO_ONE)
    allocation = AllocationFactory(tenant=tenant, fund=fund, partner=partner, amount=Decimal("50000.00"))
    request = approved_request(tenant, partner_user, reviewer, fund, asked="30000.00", title="Joint plan")
    expect(tenant, allocation, reserved="30000.00")

    first = claim_create(
        tenant=tenant,
        actor=partner_user,
        request_id=request.id,
        amount_claimed=Decimal("30000.00"),
        now=AFTER,
    )
    claim_upload_proof(tenant=tenant, actor=partner_user, claim_id=first.id, file=pdf(), kind="invoice")
    with pytest.raises(ServiceError, match="has a claim already"):
        claim_create(
            tenant=tenant,
            actor=partner_user,
            request_id=request.id,
            amount_claimed=Decimal("1.00"),
            now=AFTER,
        )
    claim_submit(tenant=tenant, actor=partner_user, claim_id=first.id, now=AFTER)
    claim_reject(tenant=tenant, actor=reviewer, claim_id=first.id, reason="Wrong invoice")
    expect(tenant, allocation, reserved="30000.00", claimed="0")  # a rejection moves nothing

    second = claim_create(
        tenant=tenant,
        actor=partner_user,
        request_id=request.id,
        amount_claimed=Decimal("28000.00"),
        now=AFTER,
    )
    invoice = claim_upload_proof(
        tenant=tenant, actor=partner_user, claim_id=second.id, file=pdf("right.pdf"), kind="invoice"
    )
    claim_submit(tenant=tenant, actor=partner_user, claim_id=second.id, now=AFTER)
    proof_accept(tenant=tenant, actor=reviewer, proof_id=invoice.id)
    claim_approve(tenant=tenant, actor=reviewer, claim_id=second.id, now=AFTER)
    expect(tenant, allocation, reserved="0", claimed="28000.00")  # the 2,000 left are released
    claim_pay(
        tenant=tenant,
        actor=reviewer,
        claim_id=second.id,
        payment_reference="P-2",
        paid_on=AFTER.date(),
        now=AFTER,
    )
    expect(tenant, allocation, paid="28000.00", claimed="0", reserved="0")
    entries_are_immutable(tenant)


# --- refusals that change nothing ------------------------------------------------------------------


@pytest.fixture
def approved(in_tenant, partner, partner_user, reviewer, fund):
    Fund.objects.filter(id=fund.id).update(max_reimbursement_percent=Decimal("80"))
    Partner.objects.filter(id=partner.id).update(tier=Partner.Tier.ONE_TO_ONE)
    AllocationFactory(tenant=in_tenant, fund=fund, partner=partner, amount=Decimal("20000.00"))
    return approved_request(in_tenant, partner_user, reviewer, fund, asked="10000.00")


def refused(tenant, match, call):
    before = (Claim.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError, match=match):
        call()
    assert (Claim.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()) == before


def test_a_claim_after_the_window_is_refused(in_tenant, approved, partner_user):
    late = datetime.datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # Nov 3 + 30 days = Dec 3
    refused(
        in_tenant,
        r"The claim window closed on 2026-12-03 \(30 days after the activity ended\)",
        lambda: claim_create(
            tenant=in_tenant,
            actor=partner_user,
            request_id=approved.id,
            amount_claimed=Decimal("100"),
            now=late,
        ),
    )


def test_a_claim_before_the_activity_ended_is_refused(in_tenant, approved, partner_user):
    early = datetime.datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    refused(
        in_tenant,
        "claim it once it has taken place",
        lambda: claim_create(
            tenant=in_tenant,
            actor=partner_user,
            request_id=approved.id,
            amount_claimed=Decimal("100"),
            now=early,
        ),
    )


def test_a_claim_above_the_approved_amount_times_the_reimbursement_is_refused(
    in_tenant, approved, partner_user
):
    refused(
        in_tenant,
        "At most 8000.00 USD can be claimed: 80 % of the 10000.00 USD approved.",
        lambda: claim_create(
            tenant=in_tenant,
            actor=partner_user,
            request_id=approved.id,
            amount_claimed=Decimal("8000.01"),
            now=AFTER,
        ),
    )


def test_a_claim_missing_a_required_proof_is_not_submitted(in_tenant, approved, partner_user):
    claim = claim_create(
        tenant=in_tenant,
        actor=partner_user,
        request_id=approved.id,
        amount_claimed=Decimal("8000.00"),
        now=AFTER,
    )
    refused(
        in_tenant,
        "Before it is sent: A file of kind “invoice”.",
        lambda: claim_submit(tenant=in_tenant, actor=partner_user, claim_id=claim.id, now=AFTER),
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.DRAFT


def test_another_partner_cannot_claim_or_learn_of_a_request(in_tenant, approved, other_partner):
    outsider = make_member(
        in_tenant, Role.PARTNER_ADMIN, partner=other_partner, email="fran@fabrikam.example"
    )
    refused(
        in_tenant,
        "No such request.",
        lambda: claim_create(
            tenant=in_tenant, actor=outsider, request_id=approved.id, amount_claimed=Decimal("1"), now=AFTER
        ),
    )


def test_a_partner_cannot_decide_its_own_claim(in_tenant, approved, partner_user, proof_dir):
    claim = claim_create(
        tenant=in_tenant,
        actor=partner_user,
        request_id=approved.id,
        amount_claimed=Decimal("100.00"),
        now=AFTER,
    )
    claim_upload_proof(tenant=in_tenant, actor=partner_user, claim_id=claim.id, file=png(), kind="invoice")
    claim_submit(tenant=in_tenant, actor=partner_user, claim_id=claim.id, now=AFTER)
    refused(
        in_tenant,
        "Only the vendor's staff decide on claims.",
        lambda: claim_approve(tenant=in_tenant, actor=partner_user, claim_id=claim.id),
    )


def test_the_package_names_the_required_files(in_tenant, partner):
    common = PLAYS["acceleration"]["components"]["proof_of_performance"]
    program = ProgramFactory(tenant=in_tenant, partner=partner, components={"proof_of_performance": common})
    request = FundRequest(program=program)
    assert required_proof_kinds(request) == ["invoice", "attendee_list", "photos"]
    assert required_proof_kinds(FundRequest()) == ["invoice"]


def test_a_claimed_request_can_no_longer_be_cancelled(in_tenant, approved, partner_user):
    claim_create(
        tenant=in_tenant,
        actor=partner_user,
        request_id=approved.id,
        amount_claimed=Decimal("100.00"),
        now=AFTER,
    )
    refused(
        in_tenant,
        "This request is claimed: it can no longer be cancelled.",
        lambda: request_cancel(tenant=in_tenant, actor=partner_user, request_id=approved.id),
    )
