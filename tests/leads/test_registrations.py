"""Deal registration through the services: the conflict check routes to review and is stored for
the vendor, approval links or creates the opportunity sourced by the partner, the protection
expires through the sweep, one extension, and the vendor's review SLA in business time."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Opportunity, OpportunityStage, TargetAccount
from leads.models import DealRegistration
from leads.selectors import account_for_domain, review_aging, review_calendar
from leads.selectors.leads import accounts_for_domain
from leads.selectors.registrations import _same_domain
from leads.services import (
    registration_approve,
    registration_create,
    registration_decide_extension,
    registration_reject,
    registration_request_extension,
    registration_submit,
    registration_update,
    registration_withdraw,
    registrations_expire,
)
from leads.tasks import expire_registrations_task
from partnerhub.celery import app
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Notification
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import send_pending_notification_emails_task
from tests.conftest import make_member
from tests.factories import BusinessCalendarFactory, OpportunityFactory, TargetAccountFactory

pytestmark = pytest.mark.django_db

State = DealRegistration.State
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Friday 16 January 2026, 15:00 in Berlin.
FRIDAY = datetime.datetime(2026, 1, 16, 15, 0, tzinfo=BERLIN)


def draft(tenant, user, domain="acme.com", **fields):
    values = {
        "customer_name": "Acme",
        "customer_domain": domain,
        "solution": "Cloud migration",
        "amount": Decimal("45000.00"),
        "currency": "EUR",
        "close_date": datetime.date(2026, 6, 30),
        "description": "Phase one of three.",
        **fields,
    }
    with tenant_context(tenant):
        return registration_create(tenant=tenant, actor=user, **values)


def submitted(tenant, user, domain="acme.com", now=None, **fields):
    registration = draft(tenant, user, domain, **fields)
    with tenant_context(tenant):
        return registration_submit(tenant=tenant, actor=user, registration_id=registration.id, now=now)


@pytest.fixture
def other_partner_user(tenant, other_partner):
    return make_member(tenant, Role.PARTNER_USER, partner=other_partner, email="fran@fabrikam.example")


def test_a_draft_keeps_the_customer_domain_normalized_and_the_amount_as_decimal(tenant, partner_user):
    registration = draft(tenant, partner_user, domain="https://www.Acme.com/about", currency="eur")
    assert registration.customer_domain == "acme.com"
    assert registration.currency == "EUR"
    assert registration.amount == Decimal("45000.00")
    assert registration.state == State.DRAFT
    with tenant_context(tenant):
        event = AuditEvent.objects.get(action="registration.created")
    assert event.after["status"] == "draft" and event.after["amount"] == "45000.00"


def test_a_free_mail_domain_or_no_domain_at_all_is_refused_on_its_field(tenant, partner_user):
    with pytest.raises(ServiceError) as free_mail:
        draft(tenant, partner_user, domain="gmail.com")
    with pytest.raises(ServiceError) as not_a_domain:
        draft(tenant, partner_user, domain="acme")
    assert free_mail.value.field == not_a_domain.value.field == "customer_domain"


def test_a_submission_without_conflict_goes_to_review_too(tenant, partner_user):
    registration = submitted(tenant, partner_user)
    assert registration.state == State.UNDER_REVIEW
    assert registration.has_conflict is False and registration.conflicts == []
    assert registration.review_due_at is not None
    with tenant_context(tenant):
        actions = list(
            AuditEvent.objects.filter(target_id=str(registration.id))
            .order_by("id")
            .values_list("action", "before")
        )
    assert actions == [
        ("registration.created", None),
        ("registration.submitted", {"status": "draft"}),
        ("registration.review_started", {"status": "submitted"}),
    ]


def test_a_registration_of_the_same_account_by_another_partner_conflicts_subdomains_both_ways(
    tenant, partner_user, other_partner_user
):
    first = submitted(tenant, partner_user, domain="acme.com")
    sub = submitted(tenant, other_partner_user, domain="eu.acme.com")
    assert sub.state == State.UNDER_REVIEW and sub.has_conflict
    assert sub.conflicts == [{"kind": "registration", "id": first.id}]
    # The other way round: a parent domain registered after a subdomain.
    parent = submitted(tenant, other_partner_user, domain="acme.com")
    assert {"kind": "registration", "id": first.id} in parent.conflicts
    # Another company's lookalike domain is no conflict.
    assert submitted(tenant, other_partner_user, domain="notacme.com").has_conflict is False


def test_a_withdrawn_rejected_or_expired_registration_no_longer_conflicts(
    tenant, partner_user, other_partner_user
):
    first = submitted(tenant, partner_user, domain="acme.com")
    with tenant_context(tenant):
        registration_withdraw(tenant=tenant, actor=partner_user, registration_id=first.id)
    assert submitted(tenant, other_partner_user, domain="acme.com").has_conflict is False


def test_open_opportunities_of_another_partner_or_direct_conflict_closed_ones_and_own_do_not(
    tenant, partner, other_partner, partner_user
):
    account = TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com")
    theirs = OpportunityFactory(tenant=tenant, account=account, source_partner=other_partner)
    direct = OpportunityFactory(tenant=tenant, account=account, source_partner=None)
    OpportunityFactory(tenant=tenant, account=account, source_partner=partner)  # its own
    OpportunityFactory(
        tenant=tenant, account=account, source_partner=None, stage=OpportunityStage.CLOSED_LOST
    )
    registration = submitted(tenant, partner_user, domain="eu.acme.com")
    assert registration.conflicts == [
        {"kind": "partner_opportunity", "id": theirs.id},
        {"kind": "direct_opportunity", "id": direct.id},
    ]
    assert registration.account == account


def test_only_a_draft_changes_and_only_its_own_partner_changes_it(tenant, partner_user, other_partner_user):
    registration = draft(tenant, partner_user)
    with tenant_context(tenant):
        registration_update(
            tenant=tenant, actor=partner_user, registration_id=registration.id, solution="Backup"
        )
        with pytest.raises(ServiceError, match="No such deal registration"):
            registration_update(
                tenant=tenant, actor=other_partner_user, registration_id=registration.id, solution="Mine"
            )
        registration_submit(tenant=tenant, actor=partner_user, registration_id=registration.id)
        with pytest.raises(ServiceError, match="under review"):
            registration_update(
                tenant=tenant, actor=partner_user, registration_id=registration.id, solution="X"
            )
        registration.refresh_from_db()
    assert registration.solution == "Backup"


def test_staff_decide_and_partners_do_not(tenant, partner_user, manager_user):
    registration = submitted(tenant, partner_user)
    with tenant_context(tenant):
        with pytest.raises(ServiceError, match="cannot review"):
            registration_approve(tenant=tenant, actor=partner_user, registration_id=registration.id)
        with pytest.raises(ServiceError, match="registering partner"):
            registration_withdraw(tenant=tenant, actor=manager_user, registration_id=registration.id)


def test_approval_creates_the_account_and_opportunity_sourced_by_the_partner(
    tenant, partner, partner_user, manager_user
):
    registration = submitted(tenant, partner_user, domain="initech.example", customer_name="Initech")
    with tenant_context(tenant):
        approved = registration_approve(
            tenant=tenant, actor=manager_user, registration_id=registration.id, now=FRIDAY
        )
        opportunity = Opportunity.objects.get(id=approved.opportunity_id)
        audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert approved.state == State.APPROVED
    assert approved.protection_ends_at == FRIDAY + datetime.timedelta(days=90)
    assert opportunity.source_partner == partner
    assert (opportunity.amount, opportunity.currency) == (Decimal("45000.00"), "EUR")
    assert opportunity.account.domain == "initech.example" and opportunity.account.name == "Initech"
    assert {"registration.approved", "opportunity.created", "account.created"} <= audited
    with tenant_context(tenant):
        assert Notification.objects.filter(
            user=partner_user, title__startswith="Deal registration approved"
        ).exists()


def test_approval_links_the_open_opportunity_the_reviewer_picks_and_makes_the_partner_its_source(
    tenant, partner, partner_user, manager_user
):
    account = TargetAccountFactory(tenant=tenant, domain="acme.com")
    direct = OpportunityFactory(tenant=tenant, account=account, source_partner=None)
    elsewhere = OpportunityFactory(tenant=tenant, source_partner=None)
    registration = submitted(tenant, partner_user, domain="acme.com")
    with tenant_context(tenant):
        with pytest.raises(ServiceError) as refused:
            registration_approve(
                tenant=tenant,
                actor=manager_user,
                registration_id=registration.id,
                opportunity_id=elsewhere.id,
            )
        registration_approve(
            tenant=tenant, actor=manager_user, registration_id=registration.id, opportunity_id=direct.id
        )
        direct.refresh_from_db()
        opportunity_audit = AuditEvent.objects.get(action="opportunity.updated", target_id=str(direct.id))
        assert TargetAccount.objects.count() == 2  # no new account
    assert refused.value.field == "opportunity"
    assert direct.source_partner == partner
    assert opportunity_audit.after["source_partner"] == partner.id


def test_a_rejection_takes_a_coded_reason(tenant, partner_user, manager_user):
    registration = submitted(tenant, partner_user)
    with tenant_context(tenant):
        with pytest.raises(ServiceError) as unknown:
            registration_reject(
                tenant=tenant, actor=manager_user, registration_id=registration.id, reason="nope"
            )
        rejected = registration_reject(
            tenant=tenant, actor=manager_user, registration_id=registration.id, reason="direct_deal_active"
        )
        with pytest.raises(ServiceError, match="rejected"):
            registration_withdraw(tenant=tenant, actor=partner_user, registration_id=registration.id)
    assert unknown.value.field == "reason"
    assert rejected.state == State.REJECTED and rejected.get_reject_reason_display() == "Direct deal active"


def test_protection_expires_through_the_sweep_after_90_days(tenant, partner_user, manager_user, mailoutbox):
    registration = submitted(tenant, partner_user)
    with tenant_context(tenant):
        registration_approve(tenant=tenant, actor=manager_user, registration_id=registration.id, now=FRIDAY)
    assert registrations_expire(now=FRIDAY + datetime.timedelta(days=89, hours=23)) == 0
    assert registrations_expire(now=FRIDAY + datetime.timedelta(days=90)) == 1
    assert registrations_expire(now=FRIDAY + datetime.timedelta(days=91)) == 0  # once
    with tenant_context(tenant):
        registration.refresh_from_db()
        event = AuditEvent.objects.get(action="registration.expired")
        with pytest.raises(ServiceError, match="expired"):
            registration_request_extension(tenant=tenant, actor=partner_user, registration_id=registration.id)
    assert registration.state == State.EXPIRED
    send_pending_notification_emails_task()  # the outbox sends what no broker carried
    assert any(mail.subject.startswith("Deal registration expired: Acme") for mail in mailoutbox)
    assert (event.before, event.after, event.actor_label) == (
        {"status": "approved"},
        {"status": "expired"},
        "System",
    )


def test_the_expiry_sweep_is_a_daily_beat_task():
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-deal-registrations"]
    assert schedule["task"] == expire_registrations_task.name == "leads.expire_registrations"
    assert schedule["schedule"] == datetime.timedelta(days=1)
    assert "leads.expire_registrations" in app.tasks


def test_an_expired_registration_no_longer_conflicts(tenant, partner_user, other_partner_user, manager_user):
    registration = submitted(tenant, partner_user, now=FRIDAY)
    with tenant_context(tenant):
        registration_approve(tenant=tenant, actor=manager_user, registration_id=registration.id, now=FRIDAY)
    registrations_expire(now=FRIDAY + datetime.timedelta(days=90))
    # What still conflicts is the opportunity the approval created, not the expired registration.
    assert [conflict["kind"] for conflict in submitted(tenant, other_partner_user).conflicts] == [
        "partner_opportunity"
    ]


def test_one_extension_works_and_a_second_is_refused(tenant, partner_user, manager_user):
    registration = submitted(tenant, partner_user)
    with tenant_context(tenant):
        registration_approve(tenant=tenant, actor=manager_user, registration_id=registration.id, now=FRIDAY)
        later = FRIDAY + datetime.timedelta(days=80)
        registration_request_extension(
            tenant=tenant, actor=partner_user, registration_id=registration.id, now=later
        )
        extended = registration_decide_extension(
            tenant=tenant, actor=manager_user, registration_id=registration.id, approve=True
        )
        with pytest.raises(ServiceError, match="once"):
            registration_request_extension(
                tenant=tenant, actor=partner_user, registration_id=registration.id, now=later
            )
    assert extended.protection_ends_at == FRIDAY + datetime.timedelta(days=180)
    assert extended.extension == DealRegistration.Extension.APPROVED
    # It now expires at the extended end, not the first one.
    assert registrations_expire(now=FRIDAY + datetime.timedelta(days=100)) == 0
    assert registrations_expire(now=FRIDAY + datetime.timedelta(days=180)) == 1


def test_an_extension_can_be_given_in_days_or_refused_and_then_not_asked_again(
    tenant, partner_user, manager_user
):
    given, refused = (
        submitted(tenant, partner_user),
        submitted(tenant, partner_user, domain="initech.example"),
    )
    with tenant_context(tenant):
        for registration in (given, refused):
            registration_approve(
                tenant=tenant, actor=manager_user, registration_id=registration.id, now=FRIDAY
            )
            registration_request_extension(
                tenant=tenant, actor=partner_user, registration_id=registration.id, now=FRIDAY
            )
        given = registration_decide_extension(
            tenant=tenant, actor=manager_user, registration_id=given.id, approve=True, days=30
        )
        refused = registration_decide_extension(
            tenant=tenant, actor=manager_user, registration_id=refused.id, approve=False
        )
        with pytest.raises(ServiceError, match="once"):
            registration_request_extension(
                tenant=tenant, actor=partner_user, registration_id=refused.id, now=FRIDAY
            )
    assert given.protection_ends_at == FRIDAY + datetime.timedelta(days=120)
    assert refused.protection_ends_at == FRIDAY + datetime.timedelta(days=90)
    assert refused.extension == DealRegistration.Extension.REFUSED


def test_the_review_sla_is_two_business_days_and_ages_across_a_weekend(tenant, partner_user):
    BusinessCalendarFactory(tenant=tenant, partner=None, name="HQ", timezone="Europe/Berlin")
    registration = submitted(tenant, partner_user, now=FRIDAY)
    # Friday 15:00 + 2 business days: the close of Tuesday (Monday and Tuesday count).
    assert registration.review_due_at == datetime.datetime(2026, 1, 20, 17, 0, tzinfo=BERLIN)
    with tenant_context(tenant):
        calendar = review_calendar(tenant=tenant)

    def aging(day, hour):
        now = datetime.datetime(2026, 1, day, hour, 0, tzinfo=BERLIN)
        return review_aging(registration=registration, calendar=calendar, now=now).text

    assert aging(19, 9) == "due in 16 business hours"  # the weekend counted nothing
    assert aging(20, 16) == "due in 1 business hour"
    assert aging(21, 11) == "overdue by 2 business hours"
    assert aging(22, 12) == "overdue by 1 business day"
    # Saturday and Sunday add nothing to the aging.
    assert aging(24, 12) == aging(26, 8) == "overdue by 3 business days"


def _approved(tenant, user, manager_user, count, now):
    for index in range(count):
        registration = submitted(tenant, user, domain=f"customer{index}.{user.id}.example")
        with tenant_context(tenant):
            registration_approve(tenant=tenant, actor=manager_user, registration_id=registration.id, now=now)


def _expire_counting_queries(now):
    with CaptureQueriesContext(connection) as queries:
        expired = registrations_expire(now=now)
    return expired, len(queries)


def test_the_expiry_sweep_runs_the_same_queries_for_1_and_for_20_registrations(
    tenant, partner_user, other_partner_user, manager_user
):
    ended = FRIDAY + datetime.timedelta(days=90)
    _approved(tenant, partner_user, manager_user, 1, FRIDAY)
    one = _expire_counting_queries(ended)
    _approved(tenant, partner_user, manager_user, 10, FRIDAY)
    _approved(tenant, other_partner_user, manager_user, 10, FRIDAY)
    twenty = _expire_counting_queries(ended)
    assert (one[0], twenty[0]) == (1, 20)
    assert twenty[1] == one[1]
    with tenant_context(tenant):
        assert DealRegistration.objects.filter(state=State.EXPIRED).count() == 21
        told = Notification.objects.filter(title__startswith="Deal registration expired")
        assert set(told.values_list("user__email", flat=True)) == {
            partner_user.email,
            other_partner_user.email,
        }
        assert told.count() == 21
        assert AuditEvent.objects.filter(action="registration.expired").count() == 21


def test_the_accounts_of_a_domain_and_its_subdomains_are_found(tenant):
    for domain in ("acme.com", "eu.acme.com", "sales.eu.acme.com", "notacme.com", "acme.com.example"):
        TargetAccountFactory(tenant=tenant, domain=domain)
    with tenant_context(tenant):
        found = sorted(
            accounts_for_domain(tenant=tenant, domain="eu.acme.com", subdomains=True).values_list(
                "domain", flat=True
            )
        )
        nearest = account_for_domain(tenant=tenant, domain="www.eu.acme.com")
    assert found == ["acme.com", "eu.acme.com", "sales.eu.acme.com"]
    assert nearest.domain == "eu.acme.com"
    # Which index serves the range is the planner's choice (row-level security adds the tenant's
    # condition, which the tenant index serves as well): no plan is asserted here.


def test_the_conflict_check_finds_subdomains_through_a_range_on_the_domain_key_index(
    tenant, partner_user, other_partner_user
):
    held = submitted(tenant, partner_user, domain="sales.eu.acme.com")
    submitted(tenant, partner_user, domain="eu.acme.com.example")  # not a subdomain: no conflict
    claim = submitted(tenant, other_partner_user, domain="eu.acme.com")
    with tenant_context(tenant):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = DealRegistration.unscoped.filter(_same_domain("eu.acme.com")).order_by().explain()
    assert claim.conflicts == [{"kind": "registration", "id": held.id}]
    assert "registration_domain_idx" in plan and "(domain_key)::text >= 'com.acme.eu.'::text" in plan
