"""Bad input, class by class: each answers a 4xx JSON with a message through the real stack and
writes nothing. Every JSON endpoint that takes a body is walked for the body classes, so a new one
is covered without new test code. The inputs here are examples; schemathesis (tests/test_schema_
fuzz.py) tries the rest of the schema."""

import json
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client, override_settings
from django.urls import include, path, reverse

from partnerhub.tenancy.api.viewsets import IN_PROGRESS
from partnerhub.tenancy.models import Partner
from tests.conftest import PLAN_YEAR
from tests.dbstate import changed_tables, fingerprint
from tests.factories import (
    AccountMappingFactory,
    ApiKeyFactory,
    PartnerFactory,
    TargetAccountFactory,
    TenantFactory,
)
from tests.routes import all_routes

JSON = "application/json"
BODY_ROUTES = [
    route for route in all_routes() if route.is_api and "post" in route.methods and not route.object_kwargs
]
NOT_PLAIN_IDS = [True, 1.9, "\uff11\uff12", " 12", "012", "12abc", 2**63, -1, [1], {"id": 1}]


@pytest.fixture
def api(tenant) -> Client:
    key = ApiKeyFactory(tenant=tenant, scopes=["read", "write"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}", raise_request_exception=False)


def post(client, url, body, **headers):
    return client.post(
        url, body if isinstance(body, str | bytes) else json.dumps(body), content_type=JSON, **headers
    )


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_every_body_route_is_walked():
    assert len(BODY_ROUTES) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_a_deeply_nested_body_is_a_400_on_every_json_endpoint(tenant, api, route):
    before = fingerprint()
    url = "/" + route.pattern
    for depth in (40, 100_000):
        body = assert_json_error(post(api, url, "[" * depth + "]" * depth), 400)
        assert "nested deeper than 32 levels" in body["detail"]
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_a_nul_character_anywhere_in_a_body_is_a_400_naming_where(tenant, api, route):
    before = fingerprint()
    body = assert_json_error(post(api, "/" + route.pattern, {"rows": [{"name": "Ac\x00me"}]}), 400)
    assert body == {"detail": "rows[0].name: text may not contain the NUL character."}
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_nul_character_in_a_resolved_field_is_refused_in_single_and_bulk_endpoints(tenant, api):
    TargetAccountFactory(tenant=tenant, domain="acme.com", external_id="A-1")
    partner = PartnerFactory(tenant=tenant)
    before = fingerprint()
    for url, body in [
        ("/api/v1/partners/", {"name": "Litware", "account_manager": "pm@northwind.example\x00"}),
        ("/api/v1/account-mappings/", {"partner": partner.id, "account_domain": "acme.com\x00"}),
        ("/api/v1/bulk/accounts/", {"rows": [{"external_id": "A-1\x00", "name": "Acme"}]}),
        ("/api/v1/bulk/account-mappings/", {"partner": partner.id, "rows": [{"domain": "\x00acme.com"}]}),
    ]:
        assert "NUL character" in assert_json_error(post(api, url, body), 400)["detail"]
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_a_nul_character_in_a_query_or_form_is_a_400_not_a_lookup(tenant, api, manager_user):
    assert "NUL" in assert_json_error(api.get("/api/v1/partners/?search=Con%00toso"), 400)["detail"]
    assert assert_json_error(api.get("/api/v1/account-mappings/?partner=%00"), 400)
    client = Client()
    client.force_login(manager_user)
    page = client.post("/t/northwind/partners/new/", {"name": "Litware\x00", "tier": "one_to_few"})
    assert page.status_code == 400
    assert not Partner.unscoped.filter(name__startswith="Litware").exists()


@pytest.mark.django_db
def test_a_far_future_naive_date_time_is_a_row_error_not_an_overflow(tenant, api):
    tenant.timezone = "America/Los_Angeles"
    tenant.save(update_fields=["timezone"])
    TargetAccountFactory(tenant=tenant, external_id="A-1")
    rows = [
        {
            "external_id": "O-1",
            "account_external_id": "A-1",
            "name": "Deal",
            "stage": "qualification",
            "amount": "100",
        },
        {
            "external_id": "O-2",
            "account_external_id": "A-1",
            "stage": "qualification",
            "stage_changed_at": "9999-12-31T23:30:00",
        },
        {
            "external_id": "O-3",
            "account_external_id": "A-1",
            "stage": "qualification",
            "stage_changed_at": "0001-01-01T00:00:00",
        },
    ]
    body = post(api, "/api/v1/bulk/opportunities/", {"rows": rows}).json()
    assert body["created"] == 1
    assert [(entry["row"], entry["column"]) for entry in body["rejected"]] == [
        (2, "stage_changed_at"),
        (3, "stage_changed_at"),
    ]
    assert "between 1900 and 2999" in body["rejected"][0]["reason"]
    single = post(
        api,
        "/api/v1/opportunities/",
        {
            "external_id": "O-9",
            "name": "Far",
            "account": TargetAccountFactory(tenant=tenant).id,
            "stage_changed_at": "9999-12-31T23:59:59-12:00",
        },
    )
    assert assert_json_error(single, 400)["stage_changed_at"] == [
        "Enter a date and time between 1900 and 2999."
    ]


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_json_answer_with_or_without_an_idempotency_key(tenant, api):
    big = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "big-1"}):
        body = assert_json_error(post(api, "/api/v1/partners/", big, **headers), 413)
        assert "larger than the limit" in body["detail"]
    assert not Partner.unscoped.exists()


@pytest.mark.django_db
def test_ids_in_bodies_are_plain_integers_only(tenant, api):
    account = TargetAccountFactory(tenant=tenant, id=12)
    partner = PartnerFactory(tenant=tenant)
    before = fingerprint()
    for value in NOT_PLAIN_IDS:
        answer = post(api, "/api/v1/account-mappings/", {"partner": partner.id, "account": value})
        errors = assert_json_error(answer, 400)
        assert "account" in errors, (value, errors)
        bulk = post(
            api, "/api/v1/bulk/account-mappings/", {"partner": value, "rows": [{"domain": account.domain}]}
        )
        assert "partner" in assert_json_error(bulk, 400), value
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.django_db
def test_ids_in_paths_are_plain_integers_only(tenant, api):
    partner = PartnerFactory(tenant=tenant)
    assert api.get(f"/api/v1/partners/{partner.id}/").status_code == 200
    for value in ["\uff11", "true", "1.0", "%201", "-1"]:
        assert_json_error(api.get(f"/api/v1/partners/{value}/"), 404)


@pytest.mark.django_db
def test_numbers_beyond_what_a_column_holds_are_field_errors(tenant, api):
    # A count the integer column cannot hold is named on its field, before the plan's step order
    # is even judged (a fresh plan refuses step 6 for another reason).
    plan = post(api, "/api/v1/plans/", {"year": PLAN_YEAR, "quarter": 1}).json()["id"]
    targets = {"day30_followups": 10**30, "day60_meetings": 1, "day90_opportunities": 1}
    refused = assert_json_error(post(api, f"/api/v1/plans/{plan}/targets/", targets), 400)
    assert list(refused) == ["day30_followups"]
    mapping = AccountMappingFactory(tenant=tenant)
    answer = api.patch(
        f"/api/v1/account-mappings/{mapping.id}/", json.dumps({"partner": 10**30}), content_type=JSON
    )
    assert "partner" in assert_json_error(answer, 400)


@pytest.mark.django_db
def test_api_errors_no_view_produced_are_json_too(tenant, api):
    unknown = api.get("/api/v1/no-such-thing/")
    assert assert_json_error(unknown, 404) == {"detail": "Not found."}
    assert set(unknown["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert assert_json_error(api.delete("/api/v1/whoami/"), 405)
    assert assert_json_error(Client().get("/api/v1/partners/"), 401)


@pytest.mark.django_db
def test_a_caller_over_the_rate_is_told_to_slow_down_in_json(tenant, api, settings):
    settings.PARTNERHUB_API_RATE = "3/min"
    answers = [api.get("/api/v1/partners/") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert "throttled" in assert_json_error(answers[-1], 429)["detail"]
    assert int(answers[-1]["Retry-After"]) > 0
    other = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKeyFactory(tenant=tenant).raw_key}")
    assert other.get("/api/v1/partners/").status_code == 200  # counted per key


def _crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("api/v1/crash/", _crash), path("", include("partnerhub.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_under_the_api_is_json():
    response = Client(raise_request_exception=False).get("/api/v1/crash/")
    assert assert_json_error(response, 500)["detail"].startswith("Server error")
    assert reverse("home") == "/"


@pytest.mark.django_db
def test_portal_pages_have_a_content_security_policy_and_private_pages_are_not_stored(
    tenant, manager_user, api
):
    client = Client()
    client.force_login(manager_user)
    page = client.get("/t/northwind/partners/")
    policy = page["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "object-src 'none'" in policy
        and "unsafe-inline" not in policy.split("style-src-attr")[0]
    )
    assert set(page["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert set(api.get("/api/v1/partners/")["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert "Content-Security-Policy" in Client().get("/auth/login/")
    assert b"<script>" not in page.content  # nothing inline for the policy to refuse


# --- Idempotency-Key under concurrency -------------------------------------------------------


def _post_in_thread(raw_key: str, key: str, results: list) -> threading.Thread:
    def run():
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
            response = post(client, "/api/v1/partners/", {"name": "Litware Health"}, HTTP_IDEMPOTENCY_KEY=key)
            results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@contextmanager
def partner_table_locked():
    """Another session holds the partner table: a create that reaches it waits (a slow request)
    until the block ends."""
    locker = psycopg.connect(**connection.get_connection_params())
    try:
        locker.execute("LOCK TABLE tenancy_partner IN SHARE ROW EXCLUSIVE MODE")
        yield
    finally:
        locker.rollback()
        locker.close()


def _wait_until_waiting(count: int) -> None:
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as watcher:
        for _ in range(200):
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()[0]
            if waiting >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"expected {count} requests waiting on a lock")


@pytest.mark.django_db(transaction=True)
def test_a_retry_running_at_the_same_time_replays_the_first_answer():
    tenant = TenantFactory(slug="northwind")
    key = ApiKeyFactory(tenant=tenant, scopes=["read", "write"])
    results: list = []
    with partner_table_locked():
        first = _post_in_thread(key.raw_key, "sync-1", results)
        _wait_until_waiting(1)  # the first holds the key and waits on the partner table
        retry = _post_in_thread(key.raw_key, "sync-1", results)
        _wait_until_waiting(2)  # the retry waits on the first one's key
    first.join(10)
    retry.join(10)
    assert [status for status, _ in results] == [201, 201]
    assert results[0][1] == results[1][1]
    assert Partner.unscoped.filter(name="Litware Health").count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(PARTNERHUB_IDEMPOTENCY_WAIT_SECONDS=0.3)
def test_a_retry_that_waits_too_long_is_told_still_in_progress_and_then_replays():
    tenant = TenantFactory(slug="northwind")
    key = ApiKeyFactory(tenant=tenant, scopes=["read", "write"])
    results: list = []
    with partner_table_locked():
        first = _post_in_thread(key.raw_key, "sync-2", results)
        _wait_until_waiting(1)
        retry = _post_in_thread(key.raw_key, "sync-2", results)
        retry.join(10)
        assert results == [(409, IN_PROGRESS)]
    first.join(10)
    assert results[1][0] == 201
    again = post(
        Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}"),
        "/api/v1/partners/",
        {"name": "Litware Health"},
        HTTP_IDEMPOTENCY_KEY="sync-2",
    )
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")


@pytest.mark.django_db
def test_an_idempotency_key_over_the_limit_is_refused_not_cut(tenant, api):
    response = post(api, "/api/v1/partners/", {"name": "Litware"}, HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert assert_json_error(response, 400) == {"detail": "An Idempotency-Key has at most 200 characters."}
    assert not Partner.unscoped.exists()
    assert (
        post(api, "/api/v1/partners/", {"name": "Litware"}, HTTP_IDEMPOTENCY_KEY="k" * 200).status_code == 201
    )
