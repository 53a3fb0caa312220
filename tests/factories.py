"""factory_boy factories, one `<Model>Factory` per model. The isolation walker and the query-count
suite find a model's factory by this naming convention, so new models need only a factory here."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import (
    ApiKey,
    AuditEvent,
    Invitation,
    Membership,
    Partner,
    Tenant,
    User,
)
from partnerhub.tenancy.roles import Role

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.Sequence(lambda n: f"vendor-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class TenantScopedFactory(factory.django.DjangoModelFactory):
    """Tenant-owned rows are created outside any tenant context in tests: use `unscoped`."""

    class Meta:
        abstract = True

    tenant = factory.SubFactory(TenantFactory)

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped


class PartnerFactory(TenantScopedFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    tier = Partner.Tier.ONE_TO_FEW
    verticals = factory.LazyFunction(lambda: ["healthcare"])
    regions = factory.LazyFunction(lambda: ["north_america"])


class MembershipFactory(TenantScopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PARTNER_MANAGER
    partner = None

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, role=Role.PARTNER_USER, partner=partner)


class InvitationFactory(TenantScopedFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.PARTNER_USER
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    nonce = factory.Faker("hexify", text="^" * 32)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ApiKeyFactory(TenantScopedFactory):
    """Creates a key through the service, so it has a real hash; the secret is on `.raw_key`."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"Key {n}")
    scopes = factory.LazyFunction(lambda: ["read", "write"])

    @classmethod
    def _create(cls, model_class, tenant, name, scopes, **kwargs):
        with tenant_context(tenant):
            key, raw_key = services.api_key_create(tenant=tenant, actor=None, name=name, scopes=scopes)
        key.raw_key = raw_key
        return key


class AuditEventFactory(TenantScopedFactory):
    class Meta:
        model = AuditEvent

    actor_label = "someone@example.com"
    action = "partner.updated"
    target_label = "Partner"
