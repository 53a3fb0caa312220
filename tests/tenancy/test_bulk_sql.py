"""partnerhub.tenancy.bulk_sql: many rows in one statement, as JSON, on the real database. The rows
come back as they went in (keys in order, money, times and JSON intact), a foreign key to an object
saved since takes its key, a unique index's refusal skips the row, and row-level security holds."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Opportunity
from leads.models import Lead, Touch, TouchKind
from partnerhub.tenancy.bulk_sql import insert_rows, update_rows
from partnerhub.tenancy.context import tenant_context
from tests.factories import LeadFactory, TargetAccountFactory, TenantFactory

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 11, 2, 15, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))


def test_inserted_rows_get_their_keys_in_order_and_read_back_as_written(in_tenant):
    leads = [
        Lead(
            tenant=in_tenant, email=f"p{n}@acme.example", title=f"T{n}", score_reasons=[{"rule": "r", "n": n}]
        )
        for n in range(30)
    ]
    leads[7].consent, leads[7].consent_at = True, WHEN
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        inserted = insert_rows(leads)
    assert len(queries) == 1
    assert inserted == leads
    stored = {lead.pk: lead for lead in Lead.objects.filter(tenant=in_tenant)}
    for lead in leads:  # each key is its own row's
        assert stored[lead.pk].email == lead.email
        assert stored[lead.pk].score_reasons == lead.score_reasons
    assert stored[leads[7].pk].consent_at == WHEN  # to the microsecond, in any zone
    assert stored[leads[0].pk].updated_at is not None  # auto_now, as save() sets it
    assert not leads[0]._state.adding


def test_a_foreign_key_to_an_object_saved_since_takes_its_key(in_tenant):
    lead = Lead(tenant=in_tenant, email="new@acme.example")
    touch = Touch(tenant=in_tenant, lead=lead, kind=TouchKind.MEETING, occurred_at=WHEN, source="api")
    insert_rows([lead])
    insert_rows([touch])
    assert Touch.objects.get(pk=touch.pk).lead_id == lead.pk


def test_a_foreign_key_to_an_unsaved_object_is_refused_before_anything_is_sent(in_tenant):
    touch = Touch(
        tenant=in_tenant, lead=Lead(tenant=in_tenant, email="x@acme.example"), kind=TouchKind.MEETING
    )
    with pytest.raises(ValueError, match="lead is not saved"):
        insert_rows([touch])


def test_rows_a_unique_index_refuses_are_skipped_and_keep_no_key(in_tenant):
    LeadFactory(tenant=in_tenant, email="taken@acme.example")
    fresh, taken = (
        Lead(tenant=in_tenant, email="fresh@acme.example"),
        Lead(tenant=in_tenant, email="taken@acme.example"),
    )
    inserted = insert_rows([taken, fresh], skip_conflicts_on="email")
    assert inserted == [fresh] and fresh.pk is not None and taken.pk is None
    assert Lead.objects.filter(tenant=in_tenant, email="taken@acme.example").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # without it, the refusal is an error
        insert_rows([Lead(tenant=in_tenant, email="taken@acme.example")])


def test_money_keeps_its_digits_through_insert_and_update(in_tenant):
    account = TargetAccountFactory(tenant=in_tenant)
    deal = Opportunity(
        tenant=in_tenant,
        account=account,
        name="Deal",
        amount=Decimal("1234567.89"),
        currency="EUR",
        stage="proposal",
    )
    insert_rows([deal])
    deal.amount = Decimal("0.10")
    update_rows([deal], ["amount"])
    assert Opportunity.objects.get(pk=deal.pk).amount == Decimal("0.10")


def test_row_level_security_refuses_a_row_of_another_tenant(in_tenant):
    other = TenantFactory()
    with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        insert_rows([Lead(tenant=other, email="intruder@acme.example")])
    with tenant_context(other):
        assert not Lead.objects.filter(tenant=other).exists()
