"""A seeded tenant for the schema fuzzer: one of everything the API lists, so generated ids and
filters meet real rows."""

from tests.factories import (
    AccountMappingFactory,
    OpportunityFactory,
    PartnerFactory,
    PlanFactory,
    ProgramFactory,
    TargetAccountFactory,
)


def seed_tenant(tenant) -> None:
    partner = PartnerFactory(tenant=tenant, name="Contoso Consulting")
    account = TargetAccountFactory(tenant=tenant, domain="acme.com", external_id="A-1")
    AccountMappingFactory(tenant=tenant, partner=partner, account=account)
    OpportunityFactory(tenant=tenant, account=account, external_id="O-1")
    PlanFactory(tenant=tenant)
    ProgramFactory(tenant=tenant)
