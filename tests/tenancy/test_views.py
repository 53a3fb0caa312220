"""Portal pages under /t/<tenant_slug>/: the partner directory, partner forms, members, audit trail,
settings and system status, as each role sees them."""

import csv
import io

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.views.defaults import server_error

from partnerhub.tenancy import services
from partnerhub.tenancy.models import AuditEvent, Invitation, Membership, Partner, Tenant
from partnerhub.tenancy.roles import Role
from tests.conftest import login, make_member
from tests.dbstate import update_rows
from tests.factories import AuditEventFactory, MembershipFactory, PartnerFactory

T = "/t/northwind"


def listed(response) -> list[str]:
    """Names of the rows on the page, in the order shown."""
    return [str(row) for row in response.context["rows"]]


def csv_rows(response) -> list[list[str]]:
    """The rows as a spreadsheet reads them: UTF-8 behind a byte-order mark (which Excel needs)."""
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def followed_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def membership_of(user) -> Membership:
    return Membership.unscoped.get(user=user)


def partner_form(**changes) -> dict:
    """Everything the partner form posts, as a browser would send it."""
    data = {
        "name": "Litware Health",
        "website": "litware.example",
        "tier": Partner.Tier.ONE_TO_FEW,
        "status": Partner.Status.ACTIVE,
        "account_manager": "",
        "verticals": ["healthcare", "life_sciences"],
        "regions": ["dach"],
        "certifications": "Cloud Architect, Security Specialist",
        "description": "Hospital IT in the DACH region.",
    }
    data.update(changes)
    return data


@pytest.fixture
def directory(tenant):
    """Three partners that differ in every filterable way."""
    return [
        PartnerFactory(
            tenant=tenant,
            name="Contoso Consulting",
            website="https://contoso.example",
            tier=Partner.Tier.ONE_TO_ONE,
            status=Partner.Status.ACTIVE,
            verticals=["healthcare"],
            regions=["dach"],
        ),
        PartnerFactory(
            tenant=tenant,
            name="Fabrikam Systems",
            website="https://fabrikam.example",
            tier=Partner.Tier.ONE_TO_FEW,
            status=Partner.Status.PROSPECT,
            verticals=["retail", "education"],
            regions=["north_america"],
        ),
        PartnerFactory(
            tenant=tenant,
            name="Litware Health",
            website="https://litware-partners.example",
            tier=Partner.Tier.ONE_TO_MANY,
            status=Partner.Status.INACTIVE,
            verticals=["healthcare", "life_sciences"],
            regions=["uk_ireland", "dach"],
        ),
    ]


# --- Partner directory --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=fabrikam", ["Fabrikam Systems"]),
        ("q=litware-partners", ["Litware Health"]),  # the website is searched too
        ("tier=one_to_one", ["Contoso Consulting"]),
        ("status=prospect", ["Fabrikam Systems"]),
        ("vertical=healthcare", ["Contoso Consulting", "Litware Health"]),
        ("region=dach", ["Contoso Consulting", "Litware Health"]),
        ("region=dach&status=inactive", ["Litware Health"]),
    ],
)
def test_directory_search_and_filters(directory, manager_user, query, expected):
    response = login(manager_user).get(f"{T}/partners/?{query}")
    assert response.status_code == 200
    assert listed(response) == expected


@pytest.mark.django_db
def test_directory_sorts_by_name_both_ways(tenant, manager_user):
    for name in ["Bravo Partners", "Charlie Cloud", "Alpha Integrators"]:
        PartnerFactory(tenant=tenant, name=name)
    client = login(manager_user)
    ascending = client.get(f"{T}/partners/?sort=name")
    descending = client.get(f"{T}/partners/?sort=-name")
    assert listed(ascending) == ["Alpha Integrators", "Bravo Partners", "Charlie Cloud"]
    assert listed(descending) == ["Charlie Cloud", "Bravo Partners", "Alpha Integrators"]


@pytest.mark.django_db
def test_directory_pages_by_25(tenant, manager_user):
    PartnerFactory.create_batch(30, tenant=tenant)
    client = login(manager_user)
    first = client.get(f"{T}/partners/")
    second = client.get(f"{T}/partners/?page=2")
    assert len(listed(first)) == 25
    assert len(listed(second)) == 5
    assert set(listed(first)).isdisjoint(listed(second))
    assert "26\u201330 of 30" in second.content.decode()  # en dash


@pytest.mark.django_db
def test_directory_empty_states_tell_no_partners_from_no_match(tenant, manager_user):
    client = login(manager_user)
    empty = client.get(f"{T}/partners/").content.decode()
    assert "No partners yet" in empty
    PartnerFactory(tenant=tenant, name="Contoso Consulting")
    no_match = client.get(f"{T}/partners/?q=zebra").content.decode()
    assert "No partner matches these filters" in no_match
    assert "No partners yet" not in no_match


@pytest.mark.django_db
def test_htmx_request_gets_only_the_table(directory, manager_user):
    response = login(manager_user).get(f"{T}/partners/?tier=one_to_one", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Contoso Consulting" in html
    assert "Fabrikam Systems" not in html
    assert "<table" in html


@pytest.mark.django_db
def test_csv_export_has_the_filtered_rows_and_defuses_formulas(tenant, manager_user):
    PartnerFactory(tenant=tenant, name="Contoso Consulting")
    PartnerFactory(tenant=tenant, name="=HYPERLINK(1) Consulting")
    PartnerFactory(tenant=tenant, name="Fabrikam Systems")
    response = login(manager_user).get(f"{T}/partners/?q=consulting&export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="northwind-partners-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[0] == "Name"
    assert {row[0] for row in rows} == {"Contoso Consulting", "'=HYPERLINK(1) Consulting"}


# --- Partner create, edit, delete ---------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_partner_saves_it_audits_it_and_shows_it(tenant, manager_user):
    response = login(manager_user).post(
        f"{T}/partners/new/", partner_form(account_manager=manager_user.id, has_marketing_automation="on")
    )
    partner = Partner.unscoped.get(tenant=tenant, name="Litware Health")
    assert response.status_code == 302
    assert response["Location"] == f"{T}/partners/{partner.id}/"
    assert partner.website == "https://litware.example"
    assert partner.tier == Partner.Tier.ONE_TO_FEW
    assert partner.verticals == ["healthcare", "life_sciences"]
    assert partner.regions == ["dach"]
    assert partner.certifications == ["Cloud Architect", "Security Specialist"]
    assert partner.has_marketing_automation is True
    assert partner.account_manager == manager_user
    event = AuditEvent.unscoped.get(tenant=tenant, action="partner.created")
    assert event.target_id == str(partner.id)
    assert event.actor_label == "pm@northwind.example"
    assert event.before is None
    assert event.after["name"] == "Litware Health"
    assert event.after["account_manager"] == manager_user.id


@pytest.mark.django_db
def test_a_duplicate_name_in_another_case_is_refused_on_the_form(tenant, manager_user, partner):
    response = login(manager_user).post(f"{T}/partners/new/", partner_form(name="CONTOSO consulting"))
    assert response.status_code == 200
    assert "A partner with this name already exists." in response.content.decode()
    assert Partner.unscoped.filter(tenant=tenant).count() == 1


@pytest.mark.django_db
def test_a_rejected_edit_keeps_the_partners_real_name_on_the_page(
    tenant, manager_user, partner, other_partner
):
    response = login(manager_user).post(
        f"{T}/partners/{partner.id}/edit/", partner_form(name="fabrikam SYSTEMS")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A partner with this name already exists." in html
    assert "<h1>Edit Contoso Consulting</h1>" in html
    assert Partner.unscoped.get(id=partner.id).name == "Contoso Consulting"


@pytest.mark.django_db
def test_editing_a_partner_saves_and_audits_before_and_after(tenant, manager_user):
    partner = PartnerFactory(tenant=tenant, name="Litware Health", tier=Partner.Tier.ONE_TO_FEW)
    response = login(manager_user).post(
        f"{T}/partners/{partner.id}/edit/",
        partner_form(tier=Partner.Tier.ONE_TO_ONE, status=Partner.Status.INACTIVE),
    )
    assert response.status_code == 302
    assert response["Location"] == f"{T}/partners/{partner.id}/"
    partner.refresh_from_db()
    assert partner.tier == Partner.Tier.ONE_TO_ONE
    assert partner.status == Partner.Status.INACTIVE
    event = AuditEvent.unscoped.get(tenant=tenant, action="partner.updated")
    assert event.target_id == str(partner.id)
    assert event.before["tier"] == "one_to_few"
    assert event.after["tier"] == "one_to_one"
    assert event.before["status"] == "active"
    assert event.after["status"] == "inactive"


@pytest.mark.django_db
def test_delete_asks_first_then_deletes(tenant, manager_user, partner):
    client = login(manager_user)
    confirm = client.get(f"{T}/partners/{partner.id}/delete/")
    assert confirm.status_code == 200
    assert "Delete Contoso Consulting?" in confirm.content.decode()
    assert Partner.unscoped.filter(id=partner.id).exists()
    response = client.post(f"{T}/partners/{partner.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/partners/"
    assert "Contoso Consulting deleted." in followed_messages(response)
    assert not Partner.unscoped.filter(id=partner.id).exists()
    assert AuditEvent.unscoped.filter(tenant=tenant, action="partner.deleted").count() == 1


@pytest.mark.django_db
def test_delete_is_refused_while_the_partner_has_users(tenant, manager_user, partner, partner_user):
    response = login(manager_user).post(f"{T}/partners/{partner.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/partners/{partner.id}/"
    [message] = followed_messages(response)
    assert "Contoso Consulting still has users" in message
    assert Partner.unscoped.filter(id=partner.id).exists()


# --- Role rules ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sales_reads_the_directory_but_cannot_add_partners(tenant, partner):
    sales = make_member(tenant, Role.SALES)
    client = login(sales)
    assert listed(client.get(f"{T}/partners/")) == ["Contoso Consulting"]
    assert client.get(f"{T}/partners/new/").status_code == 403
    assert client.post(f"{T}/partners/new/", partner_form()).status_code == 403
    assert not Partner.unscoped.filter(name="Litware Health").exists()


@pytest.mark.django_db
def test_partner_user_sees_only_their_own_company(partner, other_partner, partner_user):
    client = login(partner_user)
    assert listed(client.get(f"{T}/partners/")) == ["Contoso Consulting"]
    assert client.get(f"{T}/partners/{partner.id}/").status_code == 200
    assert client.get(f"{T}/partners/{other_partner.id}/").status_code == 404
    assert client.get(f"{T}/partners/{partner.id}/edit/").status_code == 403
    assert client.post(f"{T}/partners/{partner.id}/delete/").status_code == 403
    assert Partner.unscoped.filter(id=partner.id).exists()


@pytest.mark.django_db
def test_partner_user_navigation_has_no_staff_links(partner_user):
    response = login(partner_user).get(f"{T}/")
    html = response.content.decode()
    labels = [item["label"] for section in response.context["nav"] for item in section["items"]]
    assert "Members" not in labels and "Partners" not in labels and "Plays" not in labels
    assert f'href="{T}/members/"' not in html
    assert f'href="{T}/partners/"' not in html
    assert login(partner_user).get(f"{T}/members/").status_code == 403


@pytest.mark.django_db
def test_partner_home_shows_company_colleagues_and_account_manager(
    tenant, partner, other_partner, partner_user
):
    manager = make_member(
        tenant, Role.PARTNER_MANAGER, email="jordan@northwind.example", full_name="Jordan Reyes"
    )
    update_rows(Partner.unscoped.filter(id=partner.id), account_manager=manager)
    make_member(tenant, Role.PARTNER_ADMIN, partner=partner, email="robin@contoso.example")
    make_member(tenant, Role.PARTNER_USER, partner=other_partner, email="sam@fabrikam.example")
    html = login(partner_user).get(f"{T}/").content.decode()
    assert "Contoso Consulting" in html
    assert "casey@contoso.example" in html
    assert "robin@contoso.example" in html
    assert "sam@fabrikam.example" not in html
    assert "Jordan Reyes" in html
    assert "jordan@northwind.example" in html


# --- Members ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_page_lists_everyone_and_filters_by_role(admin_user, manager_user, partner_user):
    client = login(admin_user)
    everyone = [membership.user.email for membership in client.get(f"{T}/members/").context["rows"]]
    partner_users = [m.user.email for m in client.get(f"{T}/members/?role=partner_user").context["rows"]]
    assert everyone == ["admin@northwind.example", "casey@contoso.example", "pm@northwind.example"]
    assert partner_users == ["casey@contoso.example"]


@pytest.mark.django_db
def test_tenant_admin_changes_a_role_and_it_is_audited(tenant, admin_user, manager_user):
    membership = membership_of(manager_user)
    response = login(admin_user).post(
        f"{T}/members/{membership.id}/role/", {"role": Role.SALES, "partner": ""}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{T}/members/"
    assert "pm@northwind.example is now Sales." in followed_messages(response)
    assert membership_of(manager_user).role == Role.SALES
    event = AuditEvent.unscoped.get(tenant=tenant, action="membership.role_changed")
    assert event.actor_label == "admin@northwind.example"
    assert event.before == {"role": "partner_manager", "partner": None}
    assert event.after == {"role": "sales", "partner": None}


@pytest.mark.django_db
def test_a_partner_manager_cannot_change_roles(admin_user, manager_user, partner_user):
    membership = membership_of(partner_user)
    client = login(manager_user)
    response = client.post(f"{T}/members/{membership.id}/role/", {"role": Role.TENANT_ADMIN, "partner": ""})
    assert response.status_code == 403
    assert membership_of(partner_user).role == Role.PARTNER_USER
    assert "Change role" not in client.get(f"{T}/members/").content.decode()


@pytest.mark.django_db
def test_the_last_tenant_admin_cannot_be_removed(tenant, admin_user):
    membership = membership_of(admin_user)
    response = login(admin_user).post(f"{T}/members/{membership.id}/remove/", follow=True)
    assert "This is the last tenant admin; make someone else admin first." in followed_messages(response)
    assert Membership.unscoped.filter(id=membership.id, role=Role.TENANT_ADMIN).exists()
    assert not AuditEvent.unscoped.filter(tenant=tenant, action="membership.removed").exists()


@pytest.mark.django_db
def test_a_partner_manager_may_invite_partner_roles_only(manager_user):
    response = login(manager_user).get(f"{T}/members/invite/")
    assert response.status_code == 200
    assert list(response.context["form"].fields["role"].choices) == [
        ("partner_admin", "Partner admin"),
        ("partner_user", "Partner user"),
    ]
    assert 'value="tenant_admin"' not in response.content.decode()


@pytest.mark.django_db
def test_a_partner_manager_cannot_post_a_staff_role_invitation(tenant, manager_user):
    response = login(manager_user).post(
        f"{T}/members/invite/", {"email": "new@northwind.example", "role": Role.TENANT_ADMIN, "partner": ""}
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Invitation.unscoped.filter(email="new@northwind.example").exists()


@pytest.mark.django_db
def test_inviting_a_partner_role_requires_the_partner(tenant, manager_user, partner):
    response = login(manager_user).post(
        f"{T}/members/invite/", {"email": "new@contoso.example", "role": Role.PARTNER_USER, "partner": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["partner"] == ["Choose the partner company for a partner role."]
    assert not Invitation.unscoped.filter(email="new@contoso.example").exists()


# --- Audit trail --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_trail_is_for_tenant_admins_only(admin_user, manager_user):
    assert login(admin_user).get(f"{T}/audit/").status_code == 200
    assert login(manager_user).get(f"{T}/audit/").status_code == 403


@pytest.mark.django_db
def test_audit_trail_filters_by_action_prefix(tenant, admin_user):
    AuditEventFactory(tenant=tenant, action="partner.created", target_label="Contoso Consulting")
    AuditEventFactory(tenant=tenant, action="partner.updated", target_label="Contoso Consulting")
    AuditEventFactory(tenant=tenant, action="membership.removed", target_label="casey@contoso.example")
    response = login(admin_user).get(f"{T}/audit/?action=partner.")
    assert sorted(entry.event.action for entry in response.context["rows"]) == [
        "partner.created",
        "partner.updated",
    ]
    assert "Member removed" not in response.content.decode()


@pytest.mark.django_db
def test_audit_trail_exports_csv(tenant, admin_user):
    AuditEventFactory(
        tenant=tenant,
        action="partner.updated",
        actor_label="pm@northwind.example",
        target_label="Contoso Consulting",
        before={"tier": "one_to_few"},
        after={"tier": "one_to_one"},
    )
    AuditEventFactory(tenant=tenant, action="apikey.created", target_label="CRM sync")
    response = login(admin_user).get(f"{T}/audit/?action=partner&export=csv")
    header, *rows = csv_rows(response)
    assert header == ["Time", "Actor", "Action", "Target type", "Target id", "Target", "Before", "After"]
    assert [(row[1], row[2], row[5]) for row in rows] == [
        ("pm@northwind.example", "partner.updated", "Contoso Consulting")
    ]
    assert "one_to_few" in rows[0][6]
    assert "one_to_one" in rows[0][7]


# --- Settings -----------------------------------------------------------------------------------


def settings_form(**changes) -> dict:
    data = {
        "name": "Northwind Cloud",
        "timezone": "UTC",
        "locale": "en_US",
        "default_currency": "USD",
        "default_sla_hours": "24",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_tenant_admin_changes_the_time_zone_and_it_is_audited(tenant, admin_user):
    response = login(admin_user).post(f"{T}/settings/", settings_form(timezone="Europe/Berlin"), follow=True)
    assert response.redirect_chain[-1][0] == f"{T}/settings/"
    assert "Settings saved." in followed_messages(response)
    assert Tenant.objects.get(id=tenant.id).timezone == "Europe/Berlin"
    event = AuditEvent.unscoped.get(tenant=tenant, action="tenant.updated")
    assert event.before["timezone"] == "UTC"
    assert event.after["timezone"] == "Europe/Berlin"


@pytest.mark.django_db
def test_an_unknown_time_zone_is_a_field_error_and_changes_nothing(tenant, admin_user):
    response = login(admin_user).post(f"{T}/settings/", settings_form(timezone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert "is not a known time zone" in response.context["form"].errors["timezone"][0]
    assert Tenant.objects.get(id=tenant.id).timezone == "UTC"
    assert not AuditEvent.unscoped.filter(tenant=tenant, action="tenant.updated").exists()


@pytest.mark.django_db
def test_settings_are_for_tenant_admins_only(tenant, manager_user):
    client = login(manager_user)
    assert client.get(f"{T}/settings/").status_code == 403
    assert client.post(f"{T}/settings/", settings_form(timezone="Europe/Berlin")).status_code == 403
    assert Tenant.objects.get(id=tenant.id).timezone == "UTC"


# --- System status ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_system_status_shows_the_heartbeat(tenant, admin_user):
    client = login(admin_user)
    assert "No heartbeat yet" in client.get(f"{T}/status/").content.decode()
    services.heartbeat_record(hostname="w1")
    html = client.get(f"{T}/status/").content.decode()
    assert "Worker and beat are running" in html
    assert "w1" in html


# --- Partner detail -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_partner_page_lists_that_partners_people_only(tenant, manager_user, partner, other_partner):
    colleague = MembershipFactory.for_partner(tenant=tenant, partner=partner)
    stranger = MembershipFactory.for_partner(tenant=tenant, partner=other_partner)
    html = login(manager_user).get(f"{T}/partners/{partner.id}/").content.decode()
    assert colleague.user.email in html
    assert stranger.user.email not in html


@pytest.mark.django_db
def test_partner_page_shows_its_recent_changes_to_those_who_edit_it(
    tenant, partner, manager_user, partner_user
):
    client = login(manager_user)
    client.post(
        f"/t/northwind/partners/{partner.id}/edit/",
        {"name": "Contoso Consulting", "tier": "one_to_one", "status": "active"},
    )
    page = client.get(f"/t/northwind/partners/{partner.id}/").content.decode()
    assert "Recent changes" in page and "Partner changed" in page
    assert "One-to-few (growing)</span> → One-to-one (strategic)" in page
    assert (
        "Recent changes"
        not in login(partner_user).get(f"/t/northwind/partners/{partner.id}/").content.decode()
    )


@pytest.mark.django_db
def test_partner_admins_are_offered_to_invite_colleagues(tenant, partner, partner_user):
    partner_admin = make_member(tenant, Role.PARTNER_ADMIN, partner=partner)
    assert "Invite a colleague" in login(partner_admin).get("/t/northwind/").content.decode()
    assert "Invite a colleague" not in login(partner_user).get("/t/northwind/").content.decode()


# --- Error pages and favicon --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    "path",
    [
        "/t/northwind/no-such-page/",  # no URL pattern
        "/t/no-such-workspace/",  # no tenant (or not the user's)
        "/t/globex/partners/",  # another tenant's page
        "/t/northwind/partners/999999999/",  # no object
    ],
)
def test_a_tenant_page_that_does_not_exist_answers_the_portals_404_with_debug_on_too(
    tenant, other_tenant, manager_user, settings, debug, path
):
    settings.DEBUG = debug
    response = login(manager_user).get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert static("css/portal.css") in page
    # Not Django's debug page: no URL patterns, no model named.
    assert "URLconf" not in page
    assert "matches the given query" not in page


@pytest.mark.django_db
def test_a_server_error_answers_the_portals_500_page(rf):
    response = server_error(rf.get("/t/northwind/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert static("css/portal.css") in page
    assert static("favicon.svg") in page


@pytest.mark.django_db
def test_every_page_names_the_favicon_which_is_an_svg_in_static(tenant, manager_user):
    portal = login(manager_user).get("/t/northwind/").content.decode()
    public = Client().get("/auth/login/").content.decode()
    link = f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">'
    assert link in portal
    assert link in public
    with open(finders.find("favicon.svg"), encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
