"""One declarative test base for the API's resources: NetBox's `APIViewTestCases` idea
(utilities/testing/api.py), smaller and in pytest style.

A test class names one resource, how to build valid input for it, and who may do what:

    class TestPartnerAPI(APIResourceCases):
        url = "/api/v1/partners/"
        model = Partner
        operations = CRUD | {REPLACE}
        readers = EVERYONE
        writers = {Role.TENANT_ADMIN, Role.PARTNER_MANAGER, Role.CHANNEL, WRITE_KEY}
        list_queries = 5
        audits = audits_of("partner")
        invalid = {"tier": "platinum"}

        def create_payload(self, tenant, partner):
            return {"name": "Litware Health", "tier": "one_to_one"}

and inherits, for the operations it has (the others' cases are not generated):

- test_list: every row once, across pages of two, in the resource's pagination (page numbers and a
  count; or a keyset cursor in id order, no count, and `sort` refused);
- test_detail; test_create (201, the row exists, its detail answers the same, one audit event by
  the caller); test_update (PATCH: what was sent changes, nothing else; the event's before and
  after) and test_replace (PUT); test_delete (204, the row gone, its detail then a 404, the event);
- test_access[<role or key scope>], one per role and key scope: what it may read (a partner's
  people: their own company's rows only) and write (each write succeeds and is audited), and the
  refusals of the rest: 403 with the reason, or 404 where its scope hides the row, with nothing
  stored changed;
- test_without_credentials_is_401, test_another_tenants_id_is_404 (as a missing id is),
  test_an_operation_it_does_not_have_is_405, test_invalid_input_is_400_on_the_field, and
  test_list_queries: as many queries for one row as for several, and at most `list_queries`.

Rows come from `row()`, by default the model's factory (tests/factories.py); a partner's row is the
one tests/routes.py's `owned_by_partner` makes. What these cases leave to the suites that walk every
route: another partner's rows under every method (tests/test_tenant_isolation.py) and lists with
every relation filled (tests/test_query_counts.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.test import Client

from partnerhub.tenancy.models import ApiKey, AuditEvent, Partner, Tenant, User
from partnerhub.tenancy.roles import PARTNER_ROLES, STAFF_ROLES, Role
from tests.conftest import make_member
from tests.dbstate import changed_tables, fingerprint
from tests.factories import ApiKeyFactory, PartnerFactory
from tests.routes import factory_for, owned_by_partner
from tests.test_query_counts import queries_for

JSON = "application/json"

LIST, DETAIL, CREATE, UPDATE, REPLACE, DELETE = "list", "detail", "create", "update", "replace", "delete"
OPERATIONS = (LIST, DETAIL, CREATE, UPDATE, REPLACE, DELETE)
READS = frozenset({LIST, DETAIL})
CRUD = frozenset({LIST, DETAIL, CREATE, UPDATE, DELETE})
# Each operation's HTTP method, and whether it is called on one row (its detail URL).
CALLS = {
    LIST: ("get", False),
    DETAIL: ("get", True),
    CREATE: ("post", False),
    UPDATE: ("patch", True),
    REPLACE: ("put", True),
    DELETE: ("delete", True),
}
SUCCESS = {LIST: 200, DETAIL: 200, CREATE: 201, UPDATE: 200, REPLACE: 200, DELETE: 204}

READ_KEY, WRITE_KEY = "read_key", "write_key"
KEY_SCOPES = {READ_KEY: ["read"], WRITE_KEY: ["read", "write"]}
KEYS = frozenset(KEY_SCOPES)
STAFF = STAFF_ROLES | KEYS
EVERYONE = frozenset(Role) | KEYS
PRINCIPALS = sorted(EVERYONE)

ROLE_REFUSED = "Your role does not allow this."
NO_WRITE_SCOPE = "This API key has no “write” scope."
NOT_FOUND = {"detail": "Not found."}
KEYSET_UNSORTED = "This list pages by cursor in id order and cannot be sorted; filter it instead."
# Rows made for the list's query count: one, then this many.
MANY = 5


def audits_of(noun: str) -> dict[str, str]:
    """The audit actions of a resource whose service records `<noun>.created`, `.updated` (PATCH
    and PUT alike) and `.deleted`."""
    return {
        CREATE: f"{noun}.created",
        UPDATE: f"{noun}.updated",
        REPLACE: f"{noun}.updated",
        DELETE: f"{noun}.deleted",
    }


def session(user: User, tenant_slug: str = "northwind") -> Client:
    """A signed-in portal user calling the API for one tenant (the X-Tenant header)."""
    client = Client(HTTP_X_TENANT=tenant_slug)
    client.force_login(user)
    return client


def bearer(key: ApiKey) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key.raw_key}")


@dataclass
class Caller:
    """Who calls: a member with a role (signed in) or an API key with its scopes."""

    principal: str
    client: Client
    partner: Partner  # the caller's company if it is a partner's; else the one its input names
    user: User | None = None
    key: ApiKey | None = None

    @property
    def is_partner(self) -> bool:
        return self.principal in PARTNER_ROLES


def caller(principal: str, tenant: Tenant, partner) -> Caller:
    """A fresh caller of `tenant`; a partner role works for `partner`."""
    if principal in KEY_SCOPES:
        key = ApiKeyFactory(tenant=tenant, scopes=KEY_SCOPES[principal])
        return Caller(principal, bearer(key), partner, key=key)
    user = make_member(tenant, principal, partner=partner if principal in PARTNER_ROLES else None)
    return Caller(principal, session(user, tenant.slug), partner, user=user)


def last_event_id() -> int:
    return AuditEvent.unscoped.order_by("-id").values_list("id", flat=True).first() or 0


def shows(body: dict, expected: dict) -> None:
    """The answer holds `expected` (the fields it names; others may be there too)."""
    assert {name: body.get(name, "<missing>") for name in expected} == expected


class APIResourceCases:
    """Subclass as `Test<Resource>API` and declare the resource (see the module's docstring)."""

    pytestmark = pytest.mark.django_db

    url: ClassVar[str]
    model: ClassVar[type]
    operations: ClassVar[frozenset[str]] = CRUD
    # Roles (Role values) and key scopes (READ_KEY, WRITE_KEY) allowed to read and to write.
    readers: ClassVar[frozenset[str]]
    writers: ClassVar[frozenset[str]] = frozenset()
    # Who calls in the plain CRUD cases.
    actor: ClassVar[str] = Role.TENANT_ADMIN
    keyset: ClassVar[bool] = False  # a `next` cursor in id order, no count; else page numbers
    list_queries: ClassVar[int]  # the most queries one list page may run
    audits: ClassVar[dict[str, str]] = {}  # operation → the audit action its service records
    invalid: ClassVar[dict] = {}  # input refused on each of its fields, at create and update
    refusals: ClassVar[dict[str, str]] = {}  # principal → its 403's detail, where not the usual
    volatile: ClassVar[frozenset[str]] = frozenset({"updated_at"})  # fields any change changes

    def __init_subclass__(cls, abstract: bool = False, **kwargs):
        """`abstract=True` makes a base that declares what several resources share."""
        super().__init_subclass__(**kwargs)
        if abstract:
            return
        missing = [name for name in ("url", "model", "readers", "list_queries") if not hasattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} does not declare {', '.join(missing)}")
        cls.operations = frozenset(cls.operations)
        # Cases of what the resource does not have are not generated (None is not collected).
        for operation in set(OPERATIONS) - cls.operations:
            setattr(cls, f"test_{operation}", None)
        if cls.operations == set(OPERATIONS):
            cls.test_an_operation_it_does_not_have_is_405 = None
        if not cls.invalid:
            cls.test_invalid_input_is_400_on_the_field = None

    def pytest_generate_tests(self, metafunc):
        if "principal" in metafunc.fixturenames:
            metafunc.parametrize("principal", PRINCIPALS)

    # --- Declarations a resource overrides ------------------------------------------------------

    def row(self, tenant: Tenant, partner=None):
        """A new row; where rows belong to partners, one of `partner`'s when it is given."""
        if partner is None:
            return factory_for(self.model)(tenant=tenant)
        return owned_by_partner(self.model, tenant, partner)

    def create_payload(self, tenant: Tenant, partner) -> dict:
        raise NotImplementedError(f"{type(self).__name__} creates: declare create_payload()")

    def update_payload(self, tenant: Tenant, partner) -> dict:
        raise NotImplementedError(f"{type(self).__name__} updates: declare update_payload()")

    def replace_payload(self, tenant: Tenant, partner) -> dict:
        raise NotImplementedError(f"{type(self).__name__} replaces: declare replace_payload()")

    def expected(self, operation: str, payload: dict, partner) -> dict:
        """What the answer to `payload` (built with `partner`) shows; by default the payload."""
        return payload

    def shown(self, row) -> dict:
        """Fields the detail of `row` shows, besides its id."""
        return {}

    # --- Helpers ---------------------------------------------------------------------------------

    def detail_url(self, pk) -> str:
        return f"{self.url}{pk}/"

    def payload(self, operation: str, tenant: Tenant, partner) -> dict | None:
        builders = {CREATE: self.create_payload, UPDATE: self.update_payload, REPLACE: self.replace_payload}
        return builders[operation](tenant, partner) if operation in builders else None

    def call(self, client: Client, operation: str, row=None, body: dict | None = None):
        method, on_row = CALLS[operation]
        url = self.detail_url(row.pk) if on_row else self.url
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, body or {}, content_type=JSON)

    def as_actor(self, tenant: Tenant, partner) -> Caller:
        return caller(self.actor, tenant, partner)

    def actors_row(self, tenant: Tenant, partner):
        """A row the actor may act on: its own company's when the actor is a partner's."""
        return self.row(tenant, partner if self.actor in PARTNER_ROLES else None)

    def assert_audited(self, operation: str, who: Caller, tenant: Tenant, since: int = 0):
        """The one event the operation's service recorded (after event `since`), naming the caller."""
        if operation not in self.audits:
            return None
        events = AuditEvent.unscoped.filter(
            tenant=tenant, id__gt=since, action=self.audits[operation], actor=who.user, api_key=who.key
        )
        assert events.count() == 1, (
            f"{operation}: no single {self.audits[operation]!r} event by {who.principal}"
        )
        return events.get()

    def refusal(self, principal: str, operation: str) -> str:
        if principal in self.refusals:
            return self.refusals[principal]
        return NO_WRITE_SCOPE if principal == READ_KEY and operation not in READS else ROLE_REFUSED

    def sees(self, who: Caller, owned_by_callers_company: bool) -> bool:
        """Whether the caller's scope holds a row (staff and keys: every row of the tenant)."""
        if not who.is_partner:
            return True
        return owned_by_callers_company and self.model.partner_scope is not None

    def may(self, principal: str, operation: str) -> bool:
        return principal in (self.readers if operation in READS else self.writers)

    def list_ids(self, response) -> list[int]:
        return [row["id"] for row in response.json()["results"]]

    # --- Reads -----------------------------------------------------------------------------------

    def test_list(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        made = {self.actors_row(tenant, partner).pk for _ in range(3)}
        pages, ids, url = [], [], f"{self.url}?page_size=2"
        while url:
            response = who.client.get(url)
            assert response.status_code == 200, response.content
            pages.append(response.json())
            ids += self.list_ids(response)
            url = pages[-1]["next"]
        assert made <= set(ids)
        assert len(ids) == len(set(ids)), "a row was listed twice"
        assert len(pages) == math.ceil(len(ids) / 2)
        assert pages[0]["previous"] is None and pages[-1]["previous"] is not None
        if self.keyset:
            assert set(pages[0]) == {"next", "previous", "results"}  # no COUNT(*) of the table
            assert ids == sorted(ids)
            refused = who.client.get(f"{self.url}?sort=-id")
            assert (refused.status_code, refused.json()) == (400, {"sort": [KEYSET_UNSORTED]})
        else:
            assert set(pages[0]) == {"count", "next", "previous", "results"}
            assert pages[0]["count"] == len(ids)
            assert "page=2" in pages[0]["next"]

    def test_detail(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        row = self.actors_row(tenant, partner)
        response = self.call(who.client, DETAIL, row)
        assert response.status_code == 200, response.content
        shows(response.json(), {"id": row.pk, **self.shown(row)})

    def test_list_queries(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        self.actors_row(tenant, partner)
        with_one = queries_for(who.client, self.url)
        for _ in range(MANY - 1):
            self.actors_row(tenant, partner)
        assert queries_for(who.client, self.url) == with_one
        assert with_one <= self.list_queries, f"the list runs {with_one} queries"

    # --- Writes ----------------------------------------------------------------------------------

    def test_create(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        payload = self.create_payload(tenant, partner)
        response = self.call(who.client, CREATE, body=payload)
        assert response.status_code == 201, response.content
        body = response.json()
        shows(body, self.expected(CREATE, payload, partner))
        assert self.model.unscoped.filter(tenant=tenant, pk=body["id"]).exists()
        assert who.client.get(self.detail_url(body["id"])).json() == body
        self.assert_audited(CREATE, who, tenant)

    def test_update(self, tenant, partner):
        self.check_change(UPDATE, tenant, partner)

    def test_replace(self, tenant, partner):
        self.check_change(REPLACE, tenant, partner)

    def check_change(self, operation: str, tenant: Tenant, partner) -> None:
        who = self.as_actor(tenant, partner)
        row = self.actors_row(tenant, partner)
        before = self.call(who.client, DETAIL, row).json()
        payload = self.payload(operation, tenant, partner)
        response = self.call(who.client, operation, row, payload)
        assert response.status_code == 200, response.content
        body = response.json()
        shows(body, self.expected(operation, payload, partner))
        assert self.call(who.client, DETAIL, row).json() == body
        if operation == UPDATE:  # a PATCH keeps what it was not sent
            kept = {name: value for name, value in before.items() if name not in payload}
            shows(body, {name: value for name, value in kept.items() if name not in self.volatile})
        event = self.assert_audited(operation, who, tenant)
        if event is not None:  # the event's before and after of each plain field sent
            plain = [
                name
                for name in payload
                if name in event.after and not self.model._meta.get_field(name).is_relation
            ]
            assert plain, f"the {event.action!r} event records none of {sorted(payload)}"
            assert {name: (event.before[name], event.after[name]) for name in plain} == {
                name: (before[name], body[name]) for name in plain
            }

    def test_delete(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        row = self.actors_row(tenant, partner)
        response = self.call(who.client, DELETE, row)
        assert response.status_code == 204, response.content
        assert not self.model.unscoped.filter(pk=row.pk).exists()
        assert self.call(who.client, DETAIL, row).status_code == 404
        self.assert_audited(DELETE, who, tenant)

    # --- Who may do what -------------------------------------------------------------------------

    def test_access(self, principal, tenant, partner, other_partner):
        who = caller(principal, tenant, partner)
        mine, theirs = self.row(tenant, partner), self.row(tenant, other_partner)
        visible = {row.pk for row, own in ((mine, True), (theirs, False)) if self.sees(who, own)}
        payloads = {operation: self.payload(operation, tenant, partner) for operation in self.operations}

        if LIST in self.operations:
            response = who.client.get(f"{self.url}?page_size=200")
            if self.may(principal, LIST):
                assert response.status_code == 200, response.content
                assert set(self.list_ids(response)) & {mine.pk, theirs.pk} == visible
            else:
                assert (response.status_code, response.json()) == (403, {"detail": ROLE_REFUSED})
        for row in (mine, theirs):
            self.assert_answer(who, DETAIL, row, None, row.pk in visible)

        before = fingerprint()
        # Writes in this order, so that the delete (if any) comes last, on the row just changed.
        for operation in (CREATE, UPDATE, REPLACE, DELETE):
            if operation in self.operations:
                self.assert_answer(who, operation, mine, payloads[operation], mine.pk in visible)
        if principal not in self.writers:
            assert changed_tables(before, fingerprint()) == []

    def assert_answer(self, who: Caller, operation: str, row, body, visible: bool) -> None:
        """The caller's answer: success where it may, else a 404 where its scope hides the row and a
        403 with the reason where it does not."""
        since = last_event_id()
        response = self.call(who.client, operation, row, body)
        on_row = CALLS[operation][1]
        where = f"{who.principal} {operation}: {response.status_code} {response.content[:300]!r}"
        if on_row and not visible:
            assert (response.status_code, response.json()) == (404, NOT_FOUND), where
        elif self.may(who.principal, operation):
            assert response.status_code == SUCCESS[operation], where
            if body is not None:
                shows(response.json(), self.expected(operation, body, who.partner))
            if operation == DELETE:
                assert not self.model.unscoped.filter(pk=row.pk).exists(), where
            self.assert_audited(operation, who, row.tenant, since)
        else:
            assert (response.status_code, response.json()) == (
                403,
                {"detail": self.refusal(who.principal, operation)},
            ), where

    def test_without_credentials_is_401(self, tenant, partner):
        row = self.row(tenant, partner)
        payloads = {operation: self.payload(operation, tenant, partner) for operation in self.operations}
        before = fingerprint()
        for operation in sorted(self.operations):
            response = self.call(Client(), operation, row, payloads[operation])
            assert response.status_code == 401, operation
            assert set(response.json()) == {"detail"}
        assert changed_tables(before, fingerprint()) == []

    def test_another_tenants_id_is_404(self, tenant, other_tenant, partner):
        """Answered as an id that does not exist: the same words, which name no model."""
        who = self.as_actor(tenant, partner)
        theirs = self.row(other_tenant, PartnerFactory(tenant=other_tenant))
        missing = self.model(pk=999_999_999)
        on_rows = [
            operation for operation in OPERATIONS if operation in self.operations and CALLS[operation][1]
        ]
        payloads = {operation: self.payload(operation, tenant, partner) for operation in on_rows}
        before = fingerprint()
        for operation in on_rows:
            for row in (theirs, missing):
                response = self.call(who.client, operation, row, payloads[operation])
                assert (response.status_code, response.json()) == (404, NOT_FOUND), operation
        assert changed_tables(before, fingerprint()) == []

    def test_an_operation_it_does_not_have_is_405(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        row = self.actors_row(tenant, partner)
        before = fingerprint()
        for operation in OPERATIONS:
            if operation not in self.operations:
                response = self.call(who.client, operation, row, {"name": "x"})
                assert response.status_code == 405, operation
                assert set(response.json()) == {"detail"}
        assert changed_tables(before, fingerprint()) == []

    def test_invalid_input_is_400_on_the_field(self, tenant, partner):
        who = self.as_actor(tenant, partner)
        row = self.actors_row(tenant, partner)
        writes = [operation for operation in (CREATE, UPDATE, REPLACE) if operation in self.operations]
        bodies = {
            operation: {**self.payload(operation, tenant, partner), **self.invalid} for operation in writes
        }
        before = fingerprint()
        for operation in writes:
            response = self.call(who.client, operation, row, bodies[operation])
            assert response.status_code == 400, (operation, response.content)
            errors = response.json()
            # Each field is named, or a path into it (`verticals[0]`), with its messages.
            assert set(self.invalid) <= {key.split("[")[0] for key in errors}, (operation, errors)
            assert all(isinstance(message, str) for messages in errors.values() for message in messages)
        assert changed_tables(before, fingerprint()) == []
