import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerhub.tenancy.context import NoActiveTenant, tenant_context
from partnerhub.tenancy.models import Partner
from tests.factories import PartnerFactory, TenantFactory


@pytest.mark.django_db
def test_querying_a_tenant_owned_model_without_a_tenant_raises_before_any_sql():
    PartnerFactory()
    with CaptureQueriesContext(connection) as queries, pytest.raises(NoActiveTenant, match="tenant-owned"):
        list(Partner.objects.all())
    assert len(queries) == 0


@pytest.mark.django_db
def test_counting_or_fetching_one_row_without_a_tenant_raises_too():
    partner = PartnerFactory()
    with pytest.raises(NoActiveTenant):
        Partner.objects.count()
    with pytest.raises(NoActiveTenant):
        Partner.objects.get(id=partner.id)


@pytest.mark.django_db
def test_the_active_tenant_filters_every_query():
    mine, theirs = TenantFactory(), TenantFactory()
    own = PartnerFactory(tenant=mine)
    other = PartnerFactory(tenant=theirs)
    with tenant_context(mine):
        assert list(Partner.objects.all()) == [own]
        assert not Partner.objects.filter(id=other.id).exists()


@pytest.mark.django_db
def test_unscoped_is_the_deliberate_way_across_tenants():
    PartnerFactory(), PartnerFactory()
    assert Partner.unscoped.count() == 2


@pytest.mark.django_db
def test_the_tenant_context_is_restored_after_use():
    tenant = TenantFactory()
    with tenant_context(tenant):
        Partner.objects.count()
    with pytest.raises(NoActiveTenant):
        Partner.objects.count()
