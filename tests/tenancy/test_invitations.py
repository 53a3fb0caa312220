"""Invitations: a partner manager invites a partner user by email; the invitee sets a password
and lands in the partner portal of that tenant."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent, Invitation, Membership, User
from partnerhub.tenancy.roles import Role
from partnerhub.tenancy.services.invitations import MAX_EMAIL_ATTEMPTS
from partnerhub.tenancy.tasks import send_pending_invitations_task
from tests.conftest import login, make_member
from tests.dbstate import update_rows
from tests.factories import InvitationFactory

NEW_PASSWORD = "a-long-new-passphrase"


def invite(tenant, actor, email="casey@contoso.example", role=Role.PARTNER_USER, partner=None):
    with tenant_context(tenant):
        return services.invitation_create(tenant=tenant, actor=actor, email=email, role=role, partner=partner)


def emailed_link() -> str:
    """The accept link of the last invitation email, as the invitee would click it."""
    send_pending_invitations_task()
    return re.search(r"http://[^\s]+(/invite/[^\s]+/)", mail.outbox[-1].body).group(1)


@pytest.mark.django_db
def test_invitee_sets_a_password_and_lands_in_the_partner_portal(tenant, partner, manager_user):
    response = login(manager_user).post(
        "/t/northwind/members/invite/",
        {"email": "Casey@Contoso.example", "role": Role.PARTNER_USER, "partner": partner.id},
    )
    assert response.status_code == 302
    link = emailed_link()
    assert "Contoso Consulting" in mail.outbox[-1].body

    invitee = Client()
    page = invitee.get(link)
    assert "Join Northwind Cloud" in page.content.decode()
    response = invitee.post(
        link, {"full_name": "Casey Jones", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/t/northwind/"
    assert "Contoso Consulting" in response.content.decode()
    user = User.objects.get(email="casey@contoso.example")
    membership = Membership.unscoped.get(user=user)
    assert (membership.tenant, membership.role, membership.partner) == (tenant, Role.PARTNER_USER, partner)
    assert EmailAddress.objects.get(user=user).verified
    assert AuditEvent.unscoped.filter(action="membership.created", actor=user).exists()
    # The link works once.
    assert Client().get(link).status_code == 404
    # And the new password signs in.
    assert Client().post("/auth/login/", {"login": user.email, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_weak_or_mismatched_password_is_refused_with_field_errors(tenant, partner, manager_user):
    invite(tenant, manager_user, partner=partner)
    link = emailed_link()
    response = Client().post(link, {"full_name": "Casey", "password1": "12345", "password2": "12345"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    response = Client().post(link, {"full_name": "Casey", "password1": NEW_PASSWORD, "password2": "other"})
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.filter(email="casey@contoso.example").exists()


@pytest.mark.django_db
def test_someone_with_an_account_signs_in_then_joins(tenant, other_tenant, partner):
    existing = make_member(other_tenant, Role.SALES, email="casey@contoso.example")
    admin = make_member(tenant, Role.TENANT_ADMIN)
    invite(tenant, admin, partner=partner)
    link = emailed_link()
    anonymous = Client().get(link).content.decode()
    assert "Sign in to accept" in anonymous
    client = login(existing)
    response = client.post(link)
    assert response["Location"] == "/t/northwind/"
    assert Membership.unscoped.filter(user=existing).count() == 2


@pytest.mark.django_db
def test_an_invitation_for_someone_else_is_refused(tenant, partner, manager_user, admin_user):
    invite(tenant, manager_user, partner=partner)
    link = emailed_link()
    response = login(admin_user).post(link)
    assert response.status_code == 400
    assert "This invitation is for casey@contoso.example" in response.content.decode()


@pytest.mark.django_db
def test_resending_replaces_the_link(tenant, partner, manager_user):
    invitation = invite(tenant, manager_user, partner=partner)
    first_link = emailed_link()
    with tenant_context(tenant):
        services.invitation_resend(tenant=tenant, actor=manager_user, invitation_id=invitation.id)
    second_link = emailed_link()
    assert first_link != second_link
    assert Client().get(first_link).status_code == 404
    assert Client().get(second_link).status_code == 200


@pytest.mark.django_db
def test_revoked_and_expired_links_stop_working(tenant, partner, manager_user):
    invitation = invite(tenant, manager_user, partner=partner)
    link = emailed_link()
    update_rows(
        Invitation.unscoped.filter(id=invitation.id), expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert "not valid" in Client().get(link).content.decode()
    # An expired invitation may be replaced by a new one; revoking that one closes it too.
    fresh = invite(tenant, manager_user, partner=partner)
    with tenant_context(tenant):
        services.invitation_revoke(tenant=tenant, actor=manager_user, invitation_id=fresh.id)
    assert Client().get(emailed_link()).status_code == 404


@pytest.mark.django_db
def test_a_forged_token_is_not_valid(db):
    assert Client().get("/invite/not-a-real-token/").status_code == 404


@pytest.mark.django_db
def test_partner_managers_invite_partner_users_only(tenant, partner, manager_user):
    with pytest.raises(ServiceError, match="cannot invite"):
        invite(tenant, manager_user, email="boss@northwind.example", role=Role.TENANT_ADMIN)
    form = login(manager_user).get("/t/northwind/members/invite/").context["form"]
    assert {value for value, _ in form.fields["role"].choices} == {Role.PARTNER_ADMIN, Role.PARTNER_USER}


@pytest.mark.django_db
def test_tenant_admins_invite_staff_without_a_partner(tenant, admin_user):
    invitation = invite(tenant, admin_user, email="sam@northwind.example", role=Role.SALES)
    assert invitation.partner is None


@pytest.mark.django_db
def test_partner_roles_need_a_partner_and_staff_roles_none(tenant, partner, admin_user):
    with pytest.raises(ServiceError, match="partner company"):
        invite(tenant, admin_user, role=Role.PARTNER_USER)
    with pytest.raises(ServiceError, match="do not belong"):
        invite(tenant, admin_user, role=Role.SALES, partner=partner)


@pytest.mark.django_db
def test_members_and_pending_invitees_are_not_invited_twice(tenant, partner, manager_user):
    with pytest.raises(ServiceError, match="already a member"):
        invite(tenant, manager_user, email="PM@northwind.example", partner=partner)
    invite(tenant, manager_user, partner=partner)
    with pytest.raises(ServiceError, match="pending invitation"):
        invite(tenant, manager_user, partner=partner)


@pytest.mark.django_db
def test_invitation_form_shows_the_refusal_on_the_field(tenant, partner, manager_user):
    response = login(manager_user).post(
        "/t/northwind/members/invite/",
        {"email": "pm@northwind.example", "role": Role.PARTNER_USER, "partner": partner.id},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "pm@northwind.example is already a member of Northwind Cloud."
    ]


@pytest.mark.django_db
def test_a_partner_user_cannot_invite(tenant, partner_user):
    assert login(partner_user).get("/t/northwind/members/invite/").status_code == 403


@pytest.mark.django_db
def test_a_partner_admin_invites_colleagues_of_their_own_company_only(tenant, partner, other_partner):
    partner_admin = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)
    client = login(partner_admin)
    form = client.get("/t/northwind/members/invite/").context["form"]
    with tenant_context(tenant):  # the page's choices, read as the page reads them
        assert list(form.fields["partner"].queryset) == [partner]
    assert {value for value, _ in form.fields["role"].choices} == {Role.PARTNER_ADMIN, Role.PARTNER_USER}
    response = client.post(
        "/t/northwind/members/invite/", {"email": "jo@contoso.example", "role": Role.PARTNER_USER}
    )
    assert response["Location"] == f"/t/northwind/partners/{partner.id}/"
    assert Invitation.unscoped.get(email="jo@contoso.example").partner == partner
    with pytest.raises(ServiceError, match="own company"):
        invite(tenant, partner_admin, email="kim@fabrikam.example", partner=other_partner)
    with pytest.raises(ServiceError, match="cannot invite"):
        invite(tenant, partner_admin, email="boss@northwind.example", role=Role.SALES)


@pytest.mark.django_db
def test_the_inviters_role_comes_from_their_membership(tenant, other_tenant, partner):
    outsider = make_member(other_tenant, Role.TENANT_ADMIN)
    with pytest.raises(ServiceError, match="Only members"):
        invite(tenant, outsider, partner=partner)


@pytest.mark.django_db
def test_a_partner_admin_learns_nothing_about_people_outside_their_company(tenant, partner, other_partner):
    partner_admin = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)
    make_member(tenant, Role.PARTNER_USER, partner=other_partner, email="bob@fabrikam.example")
    manager = make_member(tenant, Role.PARTNER_MANAGER)
    invite(tenant, manager, email="kim@fabrikam.example", partner=other_partner)
    for email in ("bob@fabrikam.example", "kim@fabrikam.example", "pm-someone@northwind.example"):
        if email.startswith("pm-"):
            make_member(tenant, Role.SALES, email=email)
        with pytest.raises(ServiceError) as refused:
            invite(tenant, partner_admin, email=email)
        assert (
            refused.value.message
            == f"{email} cannot be invited from here. Ask your contact at Northwind Cloud."
        )


@pytest.mark.django_db
def test_managing_an_invitation_follows_the_same_role_rules_as_sending_it(
    tenant, partner, admin_user, manager_user
):
    admin_invite = invite(tenant, admin_user, email="boss@northwind.example", role=Role.TENANT_ADMIN)
    client = login(manager_user)
    assert client.get(f"/t/northwind/invitations/{admin_invite.id}/revoke/").status_code == 404
    assert client.post(f"/t/northwind/invitations/{admin_invite.id}/revoke/").status_code == 404
    assert client.post(f"/t/northwind/invitations/{admin_invite.id}/resend/").status_code == 404
    assert Invitation.unscoped.get(id=admin_invite.id).revoked_at is None
    with tenant_context(tenant), pytest.raises(ServiceError, match="cannot manage"):
        services.invitation_revoke(tenant=tenant, actor=manager_user, invitation_id=admin_invite.id)
    page = client.get("/t/northwind/members/").content.decode()
    assert "boss@northwind.example" in page
    assert f"/invitations/{admin_invite.id}/revoke/" not in page


@pytest.mark.django_db
def test_the_sweep_sends_fresh_invitations_past_a_pile_of_expired_ones(tenant, partner):
    expired = timezone.now() - timedelta(days=1)
    InvitationFactory.create_batch(250, tenant=tenant, partner=partner, expires_at=expired)
    fresh = InvitationFactory(tenant=tenant, partner=partner, email="fresh@contoso.example")
    assert send_pending_invitations_task() == 1
    assert mail.outbox[0].to == ["fresh@contoso.example"]
    assert Invitation.unscoped.get(id=fresh.id).email_sent_at is not None


@pytest.mark.django_db
def test_an_address_the_mailer_refuses_is_retried_a_few_times_without_blocking_the_rest(tenant, partner):
    broken = InvitationFactory(tenant=tenant, partner=partner, email="broken\n@contoso.example")
    good = InvitationFactory(tenant=tenant, partner=partner, email="good@contoso.example")
    assert send_pending_invitations_task() == 1
    assert [message.to for message in mail.outbox] == [["good@contoso.example"]]
    assert Invitation.unscoped.get(id=good.id).email_sent_at is not None
    for _ in range(MAX_EMAIL_ATTEMPTS + 2):
        send_pending_invitations_task()
    assert Invitation.unscoped.get(id=broken.id).email_attempts == MAX_EMAIL_ATTEMPTS


@pytest.mark.django_db
def test_an_overlong_address_is_a_field_error_not_a_crash(tenant, partner, manager_user):
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".example"
    assert len(long_email) > 254
    response = login(manager_user).post(
        "/t/northwind/members/invite/",
        {"email": long_email, "role": Role.PARTNER_USER, "partner": partner.id},
    )
    assert response.status_code == 200
    assert "at most 254 characters" in str(response.context["form"].errors["email"])


@pytest.mark.django_db
def test_revoking_an_expired_invitation_is_audited_as_such(tenant, partner, manager_user):
    invitation = invite(tenant, manager_user, partner=partner)
    update_rows(
        Invitation.unscoped.filter(id=invitation.id), expires_at=timezone.now() - timedelta(minutes=1)
    )
    with tenant_context(tenant):
        services.invitation_revoke(tenant=tenant, actor=manager_user, invitation_id=invitation.id)
    event = AuditEvent.unscoped.get(action="invitation.revoked")
    assert (event.before, event.after) == ({"status": "expired"}, {"status": "revoked"})
