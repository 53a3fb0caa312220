"""Sign-in with django-allauth: email login, the failed-login rate limit (in Redis), MFA
enforcement per tenant, moving between tenants."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.factories import PASSWORD, MembershipFactory, TenantFactory, UserFactory


def sign_in(client: Client, email: str, password: str):
    return client.post("/auth/login/", {"login": email, "password": password})


@pytest.mark.django_db
def test_email_and_password_sign_in_lands_in_the_users_tenant(tenant, manager_user):
    client = Client()
    response = sign_in(client, "pm@northwind.example", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/t/northwind/"


@pytest.mark.django_db
def test_the_sixth_failed_login_in_a_row_is_refused_even_with_the_right_password(tenant, manager_user):
    client = Client()
    for _ in range(5):
        response = sign_in(client, "pm@northwind.example", "wrong password")
        assert "not correct" in response.content.decode()
    sixth = sign_in(client, "pm@northwind.example", PASSWORD)
    assert "Too many failed login attempts" in sixth.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_rate_limit_is_per_account(tenant, manager_user, admin_user):
    client = Client()
    for _ in range(6):
        sign_in(client, "pm@northwind.example", "wrong password")
    assert sign_in(client, "admin@northwind.example", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_signup_is_closed_accounts_come_from_invitations(db):
    response = Client().get("/auth/signup/")
    assert "Sign Up Closed" in response.content.decode()


@pytest.mark.django_db
def test_sign_out_ends_the_session(tenant, manager_user):
    client = login(manager_user)
    client.post("/auth/logout/")
    assert client.get("/t/northwind/").status_code == 302


@pytest.mark.django_db
def test_a_tenant_requiring_mfa_sends_staff_to_set_it_up(tenant, manager_user, partner_user):
    tenant.require_mfa_for_staff = True
    tenant.save()
    response = login(manager_user).get("/t/northwind/partners/")
    assert response.status_code == 302
    assert response["Location"] == "/auth/2fa/totp/activate/"
    # Partner users are not vendor staff: the rule does not apply to them.
    assert login(partner_user).get("/t/northwind/").status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_pass_the_mfa_rule(tenant, manager_user):
    tenant.require_mfa_for_staff = True
    tenant.save()
    Authenticator.objects.create(user=manager_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert login(manager_user).get("/t/northwind/partners/").status_code == 200


@pytest.mark.django_db
def test_totp_setup_is_available_to_every_user_after_confirming_the_password(tenant, partner_user):
    client = login(partner_user)
    first = client.get("/auth/2fa/totp/activate/")
    assert first["Location"].startswith("/auth/reauthenticate/")
    client.post(first["Location"], {"password": PASSWORD})
    response = client.get("/auth/2fa/totp/activate/")
    assert response.status_code == 200
    assert "Authenticator" in response.content.decode()


@pytest.mark.django_db
def test_a_member_of_two_tenants_switches_between_them(tenant):
    globex = TenantFactory(name="Globex Software", slug="globex")
    user = make_member(tenant, Role.TENANT_ADMIN)
    MembershipFactory(tenant=globex, user=user, role=Role.SALES)
    client = login(user)
    page = client.get("/t/northwind/").content.decode()
    assert 'href="/t/globex/"' in page and "Sales" in page
    assert client.get("/t/globex/").status_code == 200
    # Home returns to the tenant used last.
    assert client.get("/")["Location"] == "/t/globex/"
    client.get("/t/northwind/")
    assert client.get("/")["Location"] == "/t/northwind/"


@pytest.mark.django_db
def test_a_user_without_any_tenant_is_told_to_ask_for_an_invitation(db):
    response = login(UserFactory()).get("/")
    assert "Ask your partner manager for an invitation" in response.content.decode()


def last_link() -> str:
    return re.search(r"https?://[^/\s]+(/auth/[^\s]+)", mail.outbox[-1].body).group(1)


@pytest.mark.django_db
def test_password_reset_by_email_sets_a_new_password(tenant, manager_user):
    client = Client()
    client.post("/auth/password/reset/", {"email": "pm@northwind.example"})
    link = last_link()
    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new = "an-entirely-new-passphrase"
    client.post(set_password_url, {"password1": new, "password2": new})
    assert sign_in(Client(), "pm@northwind.example", new).status_code == 302
    assert "not correct" in sign_in(Client(), "pm@northwind.example", PASSWORD).content.decode()


@pytest.mark.django_db
def test_an_unverified_address_must_be_confirmed_before_sign_in(tenant):
    user = make_member(tenant, Role.SALES, email="new@northwind.example")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client = Client()
    response = sign_in(client, "new@northwind.example", PASSWORD)
    assert response["Location"] == "/auth/confirm-email/"
    assert "_auth_user_id" not in client.session
    confirm = last_link()
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/t/northwind/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "http://evil.example"])
def test_sign_in_never_redirects_to_another_site(tenant, manager_user, target):
    client = Client()
    response = client.post(
        f"/auth/login/?next={target}", {"login": "pm@northwind.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    signed_in = login(manager_user).get(f"/auth/login/?next={target}")
    assert "evil.example" not in signed_in.get("Location", "")


@pytest.mark.django_db
def test_sign_in_follows_a_next_page_on_this_site(tenant, manager_user):
    response = Client().post(
        "/auth/login/?next=/t/northwind/partners/", {"login": "pm@northwind.example", "password": PASSWORD}
    )
    assert response["Location"] == "/t/northwind/partners/"


@pytest.mark.django_db
def test_the_mfa_rule_holds_for_the_api_too(tenant, manager_user):
    tenant.require_mfa_for_staff = True
    tenant.save()
    client = login(manager_user)
    response = client.get("/api/v1/partners/", HTTP_X_TENANT="northwind")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    Authenticator.objects.create(user=manager_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/api/v1/partners/", HTTP_X_TENANT="northwind").status_code == 200
