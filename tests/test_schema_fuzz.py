"""Property-based testing of the whole API against its OpenAPI schema (schemathesis).

Every operation of the schema gets generated requests, valid and invalid, as a read-write key of a
seeded tenant, and the handoff operations again as a read-write partner key of its partner; each
answer must not be a server error, must have a documented status and must match the documented
body. Deterministic (derandomized) and bounded: SCHEMA_FUZZ_EXAMPLES per
operation (environment, default 10).
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from partnerhub.tenancy.models import Partner
from tests.factories import ApiKeyFactory, TenantFactory
from tests.openapi import schema_document
from tests.test_bad_input_examples import seed_tenant

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _load_schema():
    loaded = schemathesis.openapi.from_dict(schema_document())
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI handler closes the database connection after each request; Django's test client
    turns that off so requests run inside the test's transaction, and so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, wsgi_in_test_transaction):
    tenant = TenantFactory(slug="northwind")
    seed_tenant(tenant)
    return tenant


@pytest.fixture
def write_key(seeded):
    return ApiKeyFactory(tenant=seeded, scopes=["read", "write"]).raw_key


@pytest.fixture
def partner_write_key(seeded):
    """A key of the seeded partner, which the seeded handoff is offered to."""
    partner = Partner.unscoped.get(tenant=seeded, name="Contoso Consulting")
    return ApiKeyFactory(tenant=seeded, partner=partner, scopes=["read", "write"]).raw_key


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_as_documented(case, write_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {write_key}"}, checks=CHECKS)


@schema.include(path_regex="^/api/v1/handoffs/").parametrize()
@FUZZ_SETTINGS
def test_the_handoff_operations_answer_a_partner_key_as_documented(case, partner_write_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {partner_write_key}"}, checks=CHECKS)
