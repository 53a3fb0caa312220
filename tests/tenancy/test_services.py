"""Services of the tenancy core: each change is validated, applied and audited (who, what, when,
before → after)."""

import pytest
from django.core.exceptions import ValidationError

from partnerhub.tenancy import services
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Membership, Partner
from partnerhub.tenancy.roles import Role
from tests.conftest import make_member
from tests.dbstate import update_rows
from tests.factories import AllocationFactory, MembershipFactory, PartnerFactory


def events(action):
    return list(AuditEvent.unscoped.filter(action=action).order_by("id"))


@pytest.mark.django_db
def test_creating_a_partner_is_audited_with_its_values(in_tenant, manager_user):
    partner = services.partner_create(
        tenant=in_tenant, actor=manager_user, name="Contoso", tier="one_to_one", verticals=["healthcare"]
    )
    (event,) = events("partner.created")
    assert (event.actor, event.actor_label, event.target_id) == (
        manager_user,
        manager_user.email,
        str(partner.id),
    )
    assert event.before is None
    assert event.after["name"] == "Contoso" and event.after["verticals"] == ["healthcare"]


@pytest.mark.django_db
def test_updating_a_partner_records_before_and_after(in_tenant, manager_user):
    partner = PartnerFactory(tenant=in_tenant, name="Contoso", tier="one_to_few")
    services.partner_update(tenant=in_tenant, actor=manager_user, partner_id=partner.id, tier="one_to_one")
    (event,) = events("partner.updated")
    assert event.changes == [("tier", "one_to_few", "one_to_one")]


@pytest.mark.django_db
def test_an_update_that_changes_nothing_leaves_no_audit_event(in_tenant, manager_user):
    partner = PartnerFactory(tenant=in_tenant, name="Contoso")
    services.partner_update(tenant=in_tenant, actor=manager_user, partner_id=partner.id, name="Contoso")
    assert events("partner.updated") == []


@pytest.mark.django_db
def test_partner_names_are_unique_per_tenant_whatever_the_case(in_tenant, other_tenant, manager_user):
    PartnerFactory(tenant=in_tenant, name="Contoso")
    PartnerFactory(tenant=other_tenant, name="Fabrikam")
    with pytest.raises(ValidationError, match="already exists"):
        services.partner_create(tenant=in_tenant, actor=manager_user, name="CONTOSO")
    # Another tenant's partner of the same name is no conflict.
    services.partner_create(tenant=in_tenant, actor=manager_user, name="Fabrikam")
    assert Partner.unscoped.filter(name__iexact="contoso").count() == 1


@pytest.mark.django_db
def test_the_account_manager_must_be_vendor_staff_of_the_tenant(
    in_tenant, partner, partner_user, manager_user
):
    with pytest.raises(ServiceError, match="vendor staff"):
        services.partner_update(
            tenant=in_tenant, actor=manager_user, partner_id=partner.id, account_manager=partner_user
        )
    services.partner_update(
        tenant=in_tenant, actor=manager_user, partner_id=partner.id, account_manager=manager_user
    )
    assert Partner.unscoped.get(id=partner.id).account_manager == manager_user


@pytest.mark.django_db
def test_a_partner_with_users_is_not_deleted(in_tenant, partner, partner_user, manager_user):
    with pytest.raises(ServiceError, match="still has users"):
        services.partner_delete(tenant=in_tenant, actor=manager_user, partner_id=partner.id)
    assert Partner.unscoped.filter(id=partner.id).exists()
    assert events("partner.deleted") == []


@pytest.mark.django_db
def test_a_partner_holding_mdf_money_is_not_deleted_but_told_why(in_tenant, partner, manager_user):
    AllocationFactory(tenant=in_tenant, partner=partner)
    with pytest.raises(ServiceError, match="Set the partner inactive instead"):
        services.partner_delete(tenant=in_tenant, actor=manager_user, partner_id=partner.id)
    assert Partner.unscoped.filter(id=partner.id).exists()


@pytest.mark.django_db
def test_deleting_a_partner_keeps_its_values_in_the_trail(in_tenant, partner, manager_user):
    services.partner_delete(tenant=in_tenant, actor=manager_user, partner_id=partner.id)
    (event,) = events("partner.deleted")
    assert event.before["name"] == "Contoso Consulting"
    assert event.target_label == "Contoso Consulting"
    assert not Partner.unscoped.filter(id=partner.id).exists()


@pytest.mark.django_db
def test_role_changes_are_audited_and_the_last_admin_stays(in_tenant, admin_user):
    colleague = MembershipFactory(tenant=in_tenant, role=Role.SALES)
    services.membership_change_role(
        tenant=in_tenant, actor=admin_user, membership_id=colleague.id, role=Role.REVOPS
    )
    (event,) = events("membership.role_changed")
    assert event.changes == [("role", "sales", "revops")]
    own = Membership.unscoped.get(user=admin_user)
    with pytest.raises(ServiceError, match="last tenant admin"):
        services.membership_change_role(
            tenant=in_tenant, actor=admin_user, membership_id=own.id, role=Role.SALES
        )
    with pytest.raises(ServiceError, match="last tenant admin"):
        services.membership_remove(tenant=in_tenant, actor=admin_user, membership_id=own.id)


@pytest.mark.django_db
def test_a_partner_role_needs_its_partner(in_tenant, admin_user, partner):
    colleague = MembershipFactory(tenant=in_tenant, role=Role.SALES)
    with pytest.raises(ServiceError, match="partner company"):
        services.membership_change_role(
            tenant=in_tenant, actor=admin_user, membership_id=colleague.id, role=Role.PARTNER_USER
        )
    services.membership_change_role(
        tenant=in_tenant,
        actor=admin_user,
        membership_id=colleague.id,
        role=Role.PARTNER_USER,
        partner=partner,
    )
    assert Membership.unscoped.get(id=colleague.id).partner == partner


@pytest.mark.django_db
def test_removing_a_member_keeps_their_account_and_other_tenants(in_tenant, other_tenant, admin_user):
    person = make_member(in_tenant, Role.SALES)
    MembershipFactory(tenant=other_tenant, user=person, role=Role.SALES)
    membership = Membership.unscoped.get(tenant=in_tenant, user=person)
    services.membership_remove(tenant=in_tenant, actor=admin_user, membership_id=membership.id)
    assert list(
        Membership.unscoped.across_tenants().filter(user=person).values_list("tenant", flat=True)
    ) == [other_tenant.id]
    assert events("membership.removed")[0].before["user"] == person.email


@pytest.mark.django_db
def test_tenant_settings_validate_the_time_zone(in_tenant, admin_user):
    with pytest.raises(ValidationError, match="not a known time zone"):
        services.tenant_update(tenant=in_tenant, actor=admin_user, timezone="Mars/Olympus")
    services.tenant_update(tenant=in_tenant, actor=admin_user, timezone="Europe/Berlin", default_sla_hours=48)
    (event,) = events("tenant.updated")
    assert ("timezone", "UTC", "Europe/Berlin") in event.changes
    assert ("default_sla_hours", 24, 48) in event.changes


@pytest.mark.django_db
def test_api_keys_need_a_name_and_a_known_scope_and_write_implies_read(in_tenant, admin_user):
    with pytest.raises(ServiceError, match="Name the key"):
        services.api_key_create(tenant=in_tenant, actor=admin_user, name="  ", scopes=["read"])
    with pytest.raises(ServiceError, match="read"):
        services.api_key_create(tenant=in_tenant, actor=admin_user, name="CRM", scopes=["admin"])
    key, _ = services.api_key_create(tenant=in_tenant, actor=admin_user, name="CRM", scopes=["write"])
    assert key.scopes == ["read", "write"]
    assert events("apikey.created")[0].after == {"name": "CRM", "scopes": ["read", "write"]}


@pytest.mark.django_db
def test_someone_who_leaves_stops_being_a_partners_contact(in_tenant, admin_user, partner):
    manager = make_member(in_tenant, Role.PARTNER_MANAGER)
    update_rows(Partner.unscoped.filter(id=partner.id), account_manager=manager)
    membership = Membership.unscoped.get(tenant=in_tenant, user=manager)
    services.membership_remove(tenant=in_tenant, actor=admin_user, membership_id=membership.id)
    assert Partner.unscoped.get(id=partner.id).account_manager is None
    (event,) = events("partner.updated")
    assert event.changes == [("account_manager", manager.id, None)]


@pytest.mark.django_db
def test_staff_who_become_partner_users_stop_being_a_partners_contact(in_tenant, admin_user, partner):
    manager = make_member(in_tenant, Role.PARTNER_MANAGER)
    update_rows(Partner.unscoped.filter(id=partner.id), account_manager=manager)
    membership = Membership.unscoped.get(tenant=in_tenant, user=manager)
    services.membership_change_role(
        tenant=in_tenant,
        actor=admin_user,
        membership_id=membership.id,
        role=Role.PARTNER_USER,
        partner=partner,
    )
    assert Partner.unscoped.get(id=partner.id).account_manager is None


@pytest.mark.django_db
def test_services_refuse_a_partner_of_another_tenant(in_tenant, other_tenant, admin_user):
    foreign = PartnerFactory(tenant=other_tenant)
    colleague = MembershipFactory(tenant=in_tenant, role=Role.SALES)
    with pytest.raises(ServiceError, match="valid partner"):
        services.membership_change_role(
            tenant=in_tenant,
            actor=admin_user,
            membership_id=colleague.id,
            role=Role.PARTNER_USER,
            partner=foreign,
        )
    with pytest.raises(ServiceError, match="valid partner"):
        services.invitation_create(
            tenant=in_tenant, actor=admin_user, email="x@example.com", role=Role.PARTNER_USER, partner=foreign
        )


@pytest.mark.django_db
def test_partner_services_refuse_unknown_fields(in_tenant, manager_user):
    with pytest.raises(ServiceError, match="created_at cannot be set"):
        services.partner_create(tenant=in_tenant, actor=manager_user, name="X", created_at=None)
