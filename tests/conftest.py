import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from tests.factories import MembershipFactory, PartnerFactory, TenantFactory, UserFactory

# A year whose quarters are all ahead: a plan is opened only for a quarter that is not over yet.
PLAN_YEAR = datetime.date.today().year + 1

APP_CREDENTIALS = {
    key: settings.DATABASES["default"].get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")
}


def _connect_default_as(credentials: dict) -> None:
    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is created and migrated by the owner role, as in production..."""
    _connect_default_as(settings.PARTNERHUB_DATABASE_OWNER or APP_CREDENTIALS)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """...and every test runs as the application role, bound by row-level security."""
    with django_db_blocker.unblock():
        _connect_default_as(APP_CREDENTIALS)
    yield
    with django_db_blocker.unblock():
        _connect_default_as(settings.PARTNERHUB_DATABASE_OWNER or APP_CREDENTIALS)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in Redis: start each test without this worker's old keys (other
    pytest workers share the server, so no FLUSHDB)."""
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def tenant(db):
    return TenantFactory(name="Northwind Cloud", slug="northwind")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(name="Globex Software", slug="globex")


@pytest.fixture
def in_tenant(tenant):
    """Run the test body inside the tenant, as a request or task would."""
    with tenant_context(tenant):
        yield tenant


def make_member(tenant, role=Role.PARTNER_MANAGER, partner=None, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(tenant=tenant, user=user, role=role, partner=partner)
    return user


@pytest.fixture
def admin_user(tenant):
    return make_member(tenant, Role.TENANT_ADMIN, email="admin@northwind.example")


@pytest.fixture
def manager_user(tenant):
    return make_member(tenant, Role.PARTNER_MANAGER, email="pm@northwind.example")


@pytest.fixture
def partner(tenant):
    return PartnerFactory(tenant=tenant, name="Contoso Consulting")


@pytest.fixture
def other_partner(tenant):
    return PartnerFactory(tenant=tenant, name="Fabrikam Systems")


@pytest.fixture
def partner_user(tenant, partner):
    return make_member(tenant, Role.PARTNER_USER, partner=partner, email="casey@contoso.example")


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def broker_queue():
    """The real Redis list this test run's tasks are sent to; emptied before and after."""
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    client.delete(queue)
    yield lambda: client.llen(queue)
    client.delete(queue)


@pytest.fixture
def broker_down():
    """Point Celery at a port where no broker listens (a real outage, not a mock)."""
    from partnerhub.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing answers
    app._after_fork()  # drop pooled connections to the real broker
    yield
    app.conf.broker_url = original
    app._after_fork()
