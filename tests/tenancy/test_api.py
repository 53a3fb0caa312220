"""REST API for partners and memberships: CRUD by role and key, filters, pagination, idempotent
creates, how a session names its tenant, and the OpenAPI schema."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from partnerhub.tenancy.models import AuditEvent, IdempotencyRecord, Partner
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.tasks import purge_idempotency_records_task
from tests.conftest import make_member
from tests.dbstate import update_rows
from tests.factories import ApiKeyFactory, MembershipFactory, PartnerFactory

PARTNERS = "/api/v1/partners/"
MEMBERSHIPS = "/api/v1/memberships/"
JSON = "application/json"

NEW_PARTNER = {
    "name": "Litware Health",
    "website": "https://litware.example",
    "tier": "one_to_one",
    "verticals": ["healthcare", "life_sciences"],
    "regions": ["dach"],
    "certifications": ["Cloud Architect"],
}


def session(user, tenant_slug="northwind") -> Client:
    """A signed-in portal user calling the API for one tenant (X-Tenant header)."""
    client = Client(HTTP_X_TENANT=tenant_slug)
    client.force_login(user)
    return client


def bearer(key) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def detail(partner) -> str:
    return f"{PARTNERS}{partner.id}/"


# --- Partners: CRUD -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_partner_manager_lists_and_retrieves_partners(partner, other_partner, partner_user, manager_user):
    client = session(manager_user)
    listing = client.get(PARTNERS)
    assert listing.status_code == 200
    assert names(listing) == ["Contoso Consulting", "Fabrikam Systems"]
    one = client.get(detail(partner))
    assert one.status_code == 200
    assert one.json()["name"] == "Contoso Consulting"
    assert one.json()["user_count"] == 1


@pytest.mark.django_db
def test_partner_manager_creates_a_partner(tenant, manager_user):
    response = session(manager_user).post(PARTNERS, NEW_PARTNER, content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    partner = Partner.unscoped.get(tenant=tenant, name="Litware Health")
    assert body["id"] == partner.id
    assert body["user_count"] == 0
    assert partner.tier == "one_to_one"
    assert partner.verticals == ["healthcare", "life_sciences"]
    assert partner.regions == ["dach"]
    assert partner.certifications == ["Cloud Architect"]
    event = AuditEvent.unscoped.get(tenant=tenant, action="partner.created")
    assert event.actor_label == "pm@northwind.example"


@pytest.mark.django_db
def test_partner_manager_patches_puts_and_deletes_a_partner(tenant, manager_user, partner):
    client = session(manager_user)
    patched = client.patch(detail(partner), {"tier": "one_to_one"}, content_type=JSON)
    assert patched.status_code == 200
    assert patched.json()["tier"] == "one_to_one"
    assert patched.json()["name"] == "Contoso Consulting"
    put = client.put(
        detail(partner),
        {"name": "Contoso Group", "tier": "one_to_many", "status": "inactive", "verticals": ["retail"]},
        content_type=JSON,
    )
    assert put.status_code == 200
    partner.refresh_from_db()
    assert (partner.name, partner.tier, partner.status, partner.verticals) == (
        "Contoso Group",
        "one_to_many",
        "inactive",
        ["retail"],
    )
    event = AuditEvent.unscoped.filter(tenant=tenant, action="partner.updated").first()
    assert event.before["name"] == "Contoso Consulting"
    assert event.after["name"] == "Contoso Group"
    deleted = client.delete(detail(partner))
    assert deleted.status_code == 204
    assert not Partner.unscoped.filter(id=partner.id).exists()
    assert client.get(detail(partner)).status_code == 404


@pytest.mark.django_db
def test_a_write_key_does_the_full_crud(tenant):
    client = bearer(ApiKeyFactory(tenant=tenant, scopes=["read", "write"]))
    created = client.post(PARTNERS, NEW_PARTNER, content_type=JSON)
    assert created.status_code == 201
    url = f"{PARTNERS}{created.json()['id']}/"
    assert client.get(url).json()["name"] == "Litware Health"
    assert client.patch(url, {"status": "prospect"}, content_type=JSON).json()["status"] == "prospect"
    replaced = client.put(url, {"name": "Litware Clinics", "tier": "one_to_few"}, content_type=JSON)
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Litware Clinics"
    assert client.delete(url).status_code == 204
    assert not Partner.unscoped.filter(tenant=tenant).exists()


@pytest.mark.django_db
def test_account_manager_is_set_by_a_staff_members_email(tenant, manager_user):
    response = session(manager_user).post(
        PARTNERS, {**NEW_PARTNER, "account_manager": "pm@northwind.example"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["account_manager"] == "pm@northwind.example"
    assert Partner.unscoped.get(name="Litware Health").account_manager == manager_user


@pytest.mark.django_db
def test_a_partner_users_email_is_refused_as_account_manager(tenant, manager_user, partner, partner_user):
    client = session(manager_user)
    created = client.post(
        PARTNERS, {**NEW_PARTNER, "account_manager": "casey@contoso.example"}, content_type=JSON
    )
    updated = client.patch(detail(partner), {"account_manager": "casey@contoso.example"}, content_type=JSON)
    assert created.status_code == 400
    assert "account_manager" in created.json()
    assert updated.status_code == 400
    assert "account_manager" in updated.json()
    assert not Partner.unscoped.filter(name="Litware Health").exists()
    assert Partner.unscoped.get(id=partner.id).account_manager is None


@pytest.mark.django_db
def test_account_manager_email_is_matched_whatever_its_case(tenant, manager_user):
    response = session(manager_user).post(
        PARTNERS, {**NEW_PARTNER, "account_manager": "PM@Northwind.example"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["account_manager"] == "pm@northwind.example"


# --- Partners: filters, ordering, pagination ----------------------------------------------------


@pytest.fixture
def directory(tenant):
    PartnerFactory(tenant=tenant, name="Contoso Consulting", tier="one_to_one", verticals=["healthcare"])
    PartnerFactory(tenant=tenant, name="Fabrikam Systems", tier="one_to_few", verticals=["retail"])
    PartnerFactory(tenant=tenant, name="Litware Health", tier="one_to_few", verticals=["healthcare"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("tier=one_to_few", ["Fabrikam Systems", "Litware Health"]),
        ("vertical=healthcare", ["Contoso Consulting", "Litware Health"]),
        ("q=fabri", ["Fabrikam Systems"]),
        ("tier=one_to_few&vertical=healthcare", ["Litware Health"]),
        ("sort=-name", ["Litware Health", "Fabrikam Systems", "Contoso Consulting"]),
    ],
)
def test_partner_filters_and_ordering(directory, manager_user, query, expected):
    response = session(manager_user).get(f"{PARTNERS}?{query}")
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.django_db
def test_a_page_of_up_to_200_rows_is_served(tenant):
    PartnerFactory.create_batch(205, tenant=tenant)
    response = bearer(ApiKeyFactory(tenant=tenant, scopes=["read"])).get(f"{PARTNERS}?page_size=200")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 205
    assert len(body["results"]) == 200
    assert body["previous"] is None
    assert "page=2" in body["next"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field, message",
    [
        ("page=abc", "page", "A page is a whole number, 1 for the first."),
        ("page=0", "page", "A page is a whole number, 1 for the first."),
        ("page=2", "page", "There is no such page: the last is 1 at 50 rows a page."),
        ("page_size=abc", "page_size", "A page holds 1 to 200 rows: send a whole number in that range."),
        ("page_size=0", "page_size", "A page holds 1 to 200 rows: send a whole number in that range."),
        ("page_size=500", "page_size", "A page holds 1 to 200 rows: send a whole number in that range."),
    ],
)
def test_a_page_or_page_size_the_list_cannot_serve_is_a_400_naming_the_parameter(
    directory, manager_user, query, field, message
):
    response = session(manager_user).get(f"{PARTNERS}?{query}")
    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.django_db
def test_the_schema_states_the_bounds_of_page_and_page_size():
    schema = Client().get("/api/schema/?format=json").json()
    parameters = {row["name"]: row for row in schema["paths"][PARTNERS]["get"]["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
    assert parameters["page_size"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "default": 50,
    }
    assert "1 to 200" in parameters["page_size"]["description"]


@pytest.mark.django_db
def test_lists_sort_with_sort_only_and_refuse_ordering(directory, manager_user):
    client = session(manager_user)
    refused = client.get(f"{PARTNERS}?ordering=-name")
    assert refused.status_code == 400
    assert refused.json() == {
        "ordering": ["Lists are ordered with `sort` (for example `sort=-created`), where one can be."]
    }
    schema = Client().get("/api/schema/?format=json").json()
    parameters = {row["name"]: row for row in schema["paths"][PARTNERS]["get"]["parameters"]}
    assert "ordering" not in parameters
    assert parameters["sort"]["description"].startswith("Sort by these keys, comma-separated")


@pytest.mark.django_db
def test_a_missing_object_is_not_found_in_words_that_name_no_model(tenant, other_tenant, manager_user):
    theirs = PartnerFactory(tenant=other_tenant, name="Globex Partner")
    client = session(manager_user)
    missing = client.get(f"{PARTNERS}999999999/")
    foreign = client.get(detail(theirs))
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert (foreign.status_code, foreign.json()) == (404, {"detail": "Not found."})


# --- Partners: roles ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_partner_user_reads_only_their_own_company(partner, other_partner, partner_user):
    client = session(partner_user)
    assert names(client.get(PARTNERS)) == ["Contoso Consulting"]
    assert client.get(detail(partner)).status_code == 200
    assert client.get(detail(other_partner)).status_code == 404


@pytest.mark.django_db
def test_partner_user_cannot_write(partner, other_partner, partner_user):
    client = session(partner_user)
    assert client.post(PARTNERS, NEW_PARTNER, content_type=JSON).status_code == 403
    assert client.patch(detail(partner), {"tier": "one_to_one"}, content_type=JSON).status_code == 403
    assert client.delete(detail(partner)).status_code == 403
    assert client.patch(detail(other_partner), {"tier": "one_to_one"}, content_type=JSON).status_code == 404
    assert client.delete(detail(other_partner)).status_code == 404
    assert Partner.unscoped.get(id=partner.id).tier == "one_to_few"
    assert Partner.unscoped.filter(id=other_partner.id).exists()
    assert not Partner.unscoped.filter(name="Litware Health").exists()


@pytest.mark.django_db
def test_sales_reads_partners_but_cannot_create(tenant, partner):
    client = session(make_member(tenant, Role.SALES))
    assert names(client.get(PARTNERS)) == ["Contoso Consulting"]
    response = client.post(PARTNERS, NEW_PARTNER, content_type=JSON)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this."}
    assert not Partner.unscoped.filter(name="Litware Health").exists()


@pytest.mark.django_db
def test_deleting_a_partner_with_users_is_a_400_and_keeps_it(manager_user, partner, partner_user):
    response = session(manager_user).delete(detail(partner))
    assert response.status_code == 400
    assert "still has users" in response.json()["detail"]
    assert Partner.unscoped.filter(id=partner.id).exists()


# --- Idempotency-Key ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(tenant, manager_user):
    client = session(manager_user)
    first = client.post(PARTNERS, NEW_PARTNER, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sync-42")
    second = client.post(PARTNERS, NEW_PARTNER, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sync-42")
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Partner.unscoped.filter(tenant=tenant, name="Litware Health").count() == 1


@pytest.mark.django_db
def test_reusing_an_idempotency_key_for_another_body_is_a_422(tenant, manager_user):
    client = session(manager_user)
    client.post(PARTNERS, NEW_PARTNER, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sync-42")
    response = client.post(
        PARTNERS, {**NEW_PARTNER, "name": "Other Name"}, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sync-42"
    )
    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Partner.unscoped.filter(name="Other Name").exists()


# --- Memberships --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_every_membership(admin_user, manager_user, partner_user):
    rows = session(manager_user).get(MEMBERSHIPS).json()["results"]
    assert [(row["email"], row["role"], row["partner_name"]) for row in rows] == [
        ("admin@northwind.example", "tenant_admin", None),
        ("casey@contoso.example", "partner_user", "Contoso Consulting"),
        ("pm@northwind.example", "partner_manager", None),
    ]


@pytest.mark.django_db
def test_partner_users_see_only_their_companys_people(
    tenant, manager_user, partner, other_partner, partner_user
):
    colleague = MembershipFactory.for_partner(tenant=tenant, partner=partner)
    MembershipFactory.for_partner(tenant=tenant, partner=other_partner)
    rows = session(partner_user).get(MEMBERSHIPS).json()["results"]
    assert sorted(row["email"] for row in rows) == sorted(["casey@contoso.example", colleague.user.email])
    assert {row["partner_name"] for row in rows} == {"Contoso Consulting"}


@pytest.mark.django_db
def test_memberships_are_read_only(tenant, admin_user):
    response = session(admin_user).post(MEMBERSHIPS, {"role": "sales"}, content_type=JSON)
    assert response.status_code == 405


@pytest.mark.django_db
def test_partner_user_filtering_by_another_partner_learns_nothing(partner, other_partner, partner_user):
    client = session(partner_user)
    other = client.get(f"{MEMBERSHIPS}?partner={other_partner.id}")
    unknown = client.get(f"{MEMBERSHIPS}?partner=999999999")
    assert (other.status_code, other.json()) == (unknown.status_code, unknown.json())


# --- Which tenant a session acts in -------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_without_x_tenant_uses_the_tenant_last_opened_in_the_portal(tenant, manager_user):
    client = Client()
    client.force_login(manager_user)
    assert client.get("/t/northwind/").status_code == 200
    response = client.get("/api/v1/whoami/")
    assert response.status_code == 200
    assert response.json()["tenant"] == "northwind"
    assert response.json()["principal"] == "pm@northwind.example"
    assert response.json()["role"] == "partner_manager"


@pytest.mark.django_db
def test_a_session_naming_a_tenant_the_user_is_not_in_is_a_404(tenant, other_tenant, manager_user):
    PartnerFactory(tenant=other_tenant, name="Globex Partner")
    response = session(manager_user, tenant_slug="globex").get(PARTNERS)
    assert response.status_code == 404
    assert "Globex Partner" not in response.content.decode()


# --- OpenAPI schema -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_lists_the_endpoints_and_the_bearer_scheme():
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/partners/", "/api/v1/partners/{id}/", "/api/v1/memberships/", "/api/v1/whoami/"} <= set(
        schema["paths"]
    )
    assert set(schema["paths"]["/api/v1/partners/{id}/"]) >= {"get", "put", "patch", "delete"}
    assert "post" not in schema["paths"]["/api/v1/memberships/"]
    api_key_scheme = schema["components"]["securitySchemes"]["apiKey"]
    assert (api_key_scheme["type"], api_key_scheme["scheme"]) == ("http", "bearer")
    assert {"apiKey": []} in schema["paths"]["/api/v1/partners/"]["get"]["security"]


@pytest.mark.django_db
def test_the_schema_answers_to_accept_json():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/partners/" in response.json()["paths"]


@pytest.mark.django_db
def test_a_signed_in_user_who_has_not_opened_a_workspace_reads_the_schema_and_docs(tenant, manager_user):
    client = Client()
    client.force_login(manager_user)
    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")
    assert schema.status_code == 200
    assert "/api/v1/partners/" in schema.json()["paths"]
    assert docs.status_code == 200


@pytest.mark.django_db
def test_idempotency_keys_are_private_to_their_caller(tenant):
    first, second = ApiKeyFactory(tenant=tenant), ApiKeyFactory(tenant=tenant)
    body = {"name": "Litware Health"}
    created = bearer(first).post(PARTNERS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sync-1")
    assert created.status_code == 201
    other = bearer(second).post(PARTNERS, body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="sync-1")
    # Not a replay of the first caller's answer: a create of its own, refused as a duplicate name.
    assert "Idempotent-Replayed" not in other
    assert other.status_code == 400


@pytest.mark.django_db
def test_old_idempotency_records_are_purged(tenant):
    key = ApiKeyFactory(tenant=tenant)
    bearer(key).post(PARTNERS, {"name": "A"}, content_type=JSON, HTTP_IDEMPOTENCY_KEY="old")
    bearer(key).post(PARTNERS, {"name": "B"}, content_type=JSON, HTTP_IDEMPOTENCY_KEY="new")
    update_rows(IdempotencyRecord.unscoped.filter(key="old"), created_at=timezone.now() - timedelta(days=2))
    assert purge_idempotency_records_task() == 1
    assert list(IdempotencyRecord.unscoped.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_a_session_change_must_name_its_tenant(tenant, manager_user):
    client = Client()
    client.force_login(manager_user)
    client.get("/t/northwind/")  # the portal remembers this tenant for reads
    assert client.get(PARTNERS).status_code == 200
    response = client.post(PARTNERS, {"name": "Litware"}, content_type=JSON)
    assert response.status_code == 400
    assert "X-Tenant" in response.json()["detail"]
    assert not Partner.unscoped.filter(name="Litware").exists()


@pytest.mark.django_db
def test_duplicate_list_values_are_stored_once(tenant, manager_user):
    body = {"name": "Litware", "verticals": ["healthcare", "healthcare"], "certifications": ["A", " A "]}
    response = session(manager_user).post(PARTNERS, body, content_type=JSON)
    assert response.json()["verticals"] == ["healthcare"]
    assert response.json()["certifications"] == ["A"]
