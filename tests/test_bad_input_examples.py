"""A seeded tenant for the schema fuzzer: one of everything the API lists, so generated ids and
filters meet real rows."""

from tests.factories import (
    AccountMappingFactory,
    DealRegistrationFactory,
    HandoffFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerFactory,
    PlanFactory,
    ProgramFactory,
    TargetAccountFactory,
    TouchFactory,
)


def seed_tenant(tenant) -> None:
    partner = PartnerFactory(tenant=tenant, name="Contoso Consulting")
    account = TargetAccountFactory(tenant=tenant, domain="acme.com", external_id="A-1")
    AccountMappingFactory(tenant=tenant, partner=partner, account=account)
    OpportunityFactory(tenant=tenant, account=account, external_id="O-1")
    PlanFactory(tenant=tenant)
    program = ProgramFactory(tenant=tenant)
    lead = LeadFactory(
        tenant=tenant, email="dana@acme.com", account=account, program=program, external_id="L-1"
    )
    TouchFactory(tenant=tenant, lead=lead, program=program)
    HandoffFactory(tenant=tenant, lead=lead, partner=partner)
    DealRegistrationFactory(tenant=tenant, partner=partner, customer_domain="acme.com")
