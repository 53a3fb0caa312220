"""The set-based bulk intake (leads_upsert) against one lead_intake per row: the same report, the
same leads, touches and audit trail for a mixed batch; a fixed number of statements whatever the
number of rows; a new email another arrival inserts meanwhile merges; the chunks of a long call."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.rows import rejection, row_errors
from accounts.services.upserts import UpsertReport
from leads.models import Lead, LeadSource, Touch
from leads.rows import LeadRow
from leads.services import bulk_intake, lead_intake, leads_upsert
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import AuditEvent
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.factories import LeadFactory, ProgramFactory, TargetAccountFactory, TouchFactory

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 11, 3, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def marketer(tenant):
    return make_member(tenant, Role.FIELD_MARKETING, email="fm@northwind.example")


def one_by_one(*, tenant, actor, rows, source) -> UpsertReport:
    """The bulk intake as it was: each row through lead_intake, on its own."""
    report = UpsertReport()
    arrivals = bulk_intake.arrivals_of(rows, source=source, seen={}, report=report)
    bulk_intake.tally(report, [bulk_intake.intake_one(tenant, actor, arrival) for arrival in arrivals])
    report.rejected.sort(key=lambda entry: entry["row"])  # as the rows came, one at a time
    return report


MIXED = [
    # new, at a subdomain of a target account, by tracking code in another case
    {
        "email": "New.Person@eu.acme.com",
        "first_name": "Nia",
        "title": "CIO",
        "tracking_code": "spring-1",
        "touch_kind": "event_attended",
        "occurred_at": WHEN.isoformat(),
    },
    # merging: fills the empty title and the consent, does not overwrite the first name
    {
        "email": "KNOWN@acme.com",
        "first_name": "Kimberly",
        "title": "Director of IT",
        "consent": True,
        "consent_method": "webinar form",
        "touch_kind": "meeting",
        "occurred_at": LATER.isoformat(),
    },
    # an unchanged re-send of a recorded touch
    {"email": "resend@acme.com", "touch_kind": "meeting", "occurred_at": WHEN.isoformat()},
    # the email of row 1 again
    {"email": "new.person@EU.acme.com", "first_name": "Other"},
    # an unknown tracking code
    {"email": "x@acme.com", "tracking_code": "NOPE"},
    # not an email
    {"email": "not an email", "first_name": "Bad"},
    # free mail: no account; the program by its UTM campaign
    {"email": "jo@gmail.com", "utm_campaign": "SPRING", "touch_kind": "asset_downloaded"},
    # the CRM id of a known lead: merges into it (its email is not applied)
    {"email": "someone.else@acme.com", "external_id": "00Q-2", "phone": "+1 555 0100", "country": "Norway"},
    # the CRM id of the lead row 2 merged into, under another email: the same lead again
    {"email": "kim.other@acme.com", "external_id": "00Q-1", "phone": "+47 22 00 00 00"},
    # an unknown CRM id alone: a new lead needs its email
    {"external_id": "00Q-404", "first_name": "Ola"},
    # a web domain that is no domain
    {"email": "a@acme.com", "web_domain": "not a domain!!"},
    # the event door's default touch
    {"email": "ev@acme.com", "source": "event", "company_name": "Acme"},
    # a new lead with a CRM id, at a web domain given as a URL
    {"email": "lee@contoso.example", "external_id": "00Q-9", "web_domain": "https://www.contoso.example/x"},
]


def given(tenant):
    acme = TargetAccountFactory(tenant=tenant, name="Acme", domain="acme.com")
    TargetAccountFactory(tenant=tenant, name="Contoso", domain="contoso.example")
    ProgramFactory(tenant=tenant, tracking_code="SPRING-1", utm_campaign="spring")
    with tenant_context(tenant):
        LeadFactory(tenant=tenant, email="known@acme.com", first_name="Kim", title="", external_id="00Q-1")
        LeadFactory(tenant=tenant, email="crm@acme.com", phone="", country="", external_id="00Q-2")
        TouchFactory(
            tenant=tenant,
            lead=LeadFactory(tenant=tenant, email="resend@acme.com", company_domain="acme.com", account=acme),
            kind="meeting",
            occurred_at=WHEN,
            source="api",
        )


def _timeless(values: dict | None) -> dict | None:
    """An audit event's values without the times of the moment it ran."""
    if values is None:
        return None
    return {
        name: (value is not None) if name.endswith("_at") else value
        for name, value in values.items()
        if name not in ("scored_at",)
    }


def state(tenant) -> dict:
    """What a user would see of the intake's work: each lead, its touches and the audit trail,
    named by email (not by id) and with the moment's times as "set"."""
    with tenant_context(tenant):
        emails = dict(Lead.objects.values_list("id", "email"))
        leads = [
            (
                lead.email,
                lead.first_name,
                lead.last_name,
                lead.title,
                lead.phone,
                lead.country,
                lead.company_name,
                lead.company_domain,
                lead.account.domain if lead.account else None,
                lead.program.tracking_code if lead.program else None,
                lead.consent,
                lead.consent_at is not None,
                lead.consent_method,
                lead.source,
                lead.external_id,
                lead.stage,
                lead.score,
                lead.ready,
                lead.score_reasons,
            )
            for lead in Lead.objects.select_related("account", "program").order_by("email")
        ]
        touches = sorted(
            (
                emails[touch.lead_id],
                touch.kind,
                touch.occurred_at if touch.occurred_at in (WHEN, LATER) else "now",
                touch.program_id,
                touch.source,
                touch.details,
            )
            for touch in Touch.objects.all()
        )
    events = sorted(
        (
            event.action,
            emails.get(int(event.target_id)) if event.target_id else None,
            repr(_timeless(event.before)),
            repr(_timeless(event.after)),
            event.actor_id,
        )
        for event in AuditEvent.unscoped.filter(tenant=tenant, action__startswith="lead.")
    )
    return {"leads": leads, "touches": touches, "events": events}


class Rollback(Exception):
    pass


def run_and_undo(upsert, tenant, actor, rows) -> tuple[dict, dict]:
    """The report and the resulting state of one run, then everything it wrote undone."""
    result = {}
    try:
        with transaction.atomic(), tenant_context(tenant):
            report = upsert(tenant=tenant, actor=actor, rows=list(enumerate(rows, 1)), source=LeadSource.API)
            result["report"] = report.as_dict()
            result["state"] = state(tenant)
            raise Rollback
    except Rollback:
        pass
    return result["report"], result["state"]


def test_a_mixed_batch_ends_as_one_intake_per_row_would(tenant, marketer):
    given(tenant)

    expected_report, expected_state = run_and_undo(one_by_one, tenant, marketer, MIXED)
    report, actual_state = run_and_undo(leads_upsert, tenant, marketer, MIXED)

    assert report == expected_report
    assert (report["created"], report["updated"], report["unchanged"]) == (4, 3, 1)
    assert [(entry["row"], entry["column"]) for entry in report["rejected"]] == [
        (4, "email"),
        (5, "tracking_code"),
        (6, "email"),
        (10, "email"),
        (11, "web_domain"),
    ]
    assert actual_state["leads"] == expected_state["leads"]
    assert actual_state["touches"] == expected_state["touches"]
    assert actual_state["events"] == expected_state["events"]
    by_email = {lead[0]: lead for lead in actual_state["leads"]}
    assert by_email["new.person@eu.acme.com"][8:10] == ("acme.com", "SPRING-1")
    assert by_email["jo@gmail.com"][8:10] == (None, "SPRING-1")
    assert (by_email["known@acme.com"][1], by_email["known@acme.com"][3]) == ("Kim", "Director of IT")
    assert by_email["known@acme.com"][4] == "+47 22 00 00 00"
    assert by_email["crm@acme.com"][4:6] == ("+1 555 0100", "Norway")
    assert ("ev@acme.com", "event_registered") in {touch[:2] for touch in actual_state["touches"]}
    not_applied = [touch[5]["not_applied"] for touch in actual_state["touches"] if "not_applied" in touch[5]]
    assert {"first_name": "Kimberly"} in not_applied


def test_a_batch_runs_as_many_statements_for_many_rows_as_for_few(tenant, marketer):
    given(tenant)
    with tenant_context(tenant):
        LeadFactory.create_batch(100, tenant=tenant)

    def batch(size: int, start: int) -> list[dict]:
        rows = []
        for index in range(start, start + size):
            rows.append(
                {
                    "email": f"p{index}@acme.com" if index % 3 else f"lead{index}@gmail.com",
                    "first_name": "P",
                    "tracking_code": "SPRING-1",
                    "touch_kind": "meeting",
                    "occurred_at": WHEN.isoformat(),
                }
            )
        rows.append({"email": "known@acme.com", "title": "CTO", "touch_kind": "email_reply"})
        return rows

    counts = []
    for size, start in ((1, 0), (5, 10), (400, 100)):  # the first warms the content types' cache
        with tenant_context(tenant), CaptureQueriesContext(connection) as queries:
            report = leads_upsert(
                tenant=tenant, actor=marketer, rows=list(enumerate(batch(size, start), 1)), source="api"
            )
        assert (report.created, report.updated, report.rejected) == (size, 1, [])
        counts.append(len(queries))

    assert counts[1] == counts[2]
    assert counts[2] <= 20


def test_a_call_longer_than_a_chunk_is_taken_in_chunks_and_still_one_lead_per_email(
    tenant, marketer, monkeypatch
):
    monkeypatch.setattr(bulk_intake, "CHUNK_ROWS", 3)
    rows = [{"email": f"c{index}@acme.com", "touch_kind": "meeting"} for index in range(7)]
    rows.append({"email": "C1@acme.com", "title": "CTO"})  # row 2's email, in another chunk

    with tenant_context(tenant):
        report = leads_upsert(tenant=tenant, actor=marketer, rows=list(enumerate(rows, 1)), source="api")
        assert Lead.objects.count() == 7
        assert Touch.objects.count() == 7
    assert (report.created, report.rejected) == (7, [rejection(8, "email", "Row 2 already has this email.")])


@pytest.mark.django_db(transaction=True)
def test_a_new_email_another_arrival_inserts_meanwhile_merges_into_its_lead(tenant, marketer):
    inserted, finish, results = threading.Event(), threading.Event(), []

    def single_arrival():
        # This arrival has inserted the lead and not committed yet when the bulk call comes.
        try:
            with transaction.atomic(), tenant_context(tenant):
                lead_intake(
                    tenant=tenant,
                    actor=marketer,
                    data={"email": "pat@acme.com", "first_name": "Pat"},
                    source=LeadSource.EVENT,
                )
                inserted.set()
                finish.wait(10)
        finally:
            connection.close()

    def bulk_call():
        rows = [
            {"email": "PAT@acme.com", "first_name": "Patricia", "title": "CTO", "touch_kind": "meeting"},
            {"email": "sam@acme.com", "touch_kind": "meeting"},
        ]
        try:
            with tenant_context(tenant):
                results.append(
                    leads_upsert(tenant=tenant, actor=marketer, rows=list(enumerate(rows, 1)), source="api")
                )
        finally:
            connection.close()

    first = threading.Thread(target=single_arrival)
    first.start()
    assert inserted.wait(10)
    second = threading.Thread(target=bulk_call)
    second.start()
    time.sleep(0.5)  # the bulk insert waits on the email's unique index...
    assert second.is_alive()
    finish.set()  # ...until the single arrival commits; then its row merges
    first.join(10)
    second.join(10)

    (report,) = results
    assert (report.created, report.updated, report.rejected) == (1, 1, [])
    with tenant_context(tenant):
        pat = Lead.objects.get(email="pat@acme.com")
        assert sorted(pat.touches.values_list("kind", flat=True)) == ["event_registered", "meeting"]
        assert Lead.objects.count() == 2
    assert (pat.first_name, pat.title) == ("Pat", "CTO")
    merged = AuditEvent.unscoped.get(tenant=tenant, action="lead.merged")
    assert merged.after["first_name_not_applied"] == "Patricia"


BAD_ROWS = [
    {"email": "not an email"},
    {"email": "nul\x00@acme.com"},
    {"email": True},
    {"email": ["a@acme.com"]},
    {"email": "a@acme.com", "first_name": "x" * 101},
    {"email": "b@acme.com", "touch_kind": "webinar", "consent": "perhaps"},
    {"email": "c@acme.com", "occurred_at": "9999-12-31T23:59:59"},
    {"email": "d@acme.com", "occurred_at": "not a time", "consent_at": "2026-01-01T00:00:00Z"},
    {"email": "e@acme.com", "details": {f"k{index}": "v" for index in range(21)}},
    {"email": "f@acme.com", "details": {"k" * 101: "v"}},
    {"email": "g@acme.com", "details": {"asset": {"nested": "dict"}}},
    {"email": "h@acme.com", "source": "fax"},
    {"first_name": "No key"},
    {"email": "i@acme.com", "tracking_code": "T" * 81, "utm_campaign": 12},
    {"email": "j@acme.com", "title": "\x00"},
]


def test_bad_rows_get_a_lead_rows_messages_and_the_good_rows_between_them_are_written(tenant, marketer):
    rows = [row for index, bad in enumerate(BAD_ROWS) for row in (bad, {"email": f"ok{index}@acme.com"})]
    expected = [
        entry
        for number, row in enumerate(rows, 1)
        if not (serializer := LeadRow(data=row)).is_valid()
        for entry in row_errors(number, serializer.errors)
    ]

    with tenant_context(tenant):
        report = leads_upsert(tenant=tenant, actor=marketer, rows=list(enumerate(rows, 1)), source="api")
        assert Lead.objects.count() == len(BAD_ROWS)

    assert report.rejected == expected
    assert {entry["row"] for entry in report.rejected} == set(range(1, len(rows), 2))
    assert report.created == len(BAD_ROWS)
