"""A program's public, co-branded landing page: the form arrives as a lead of the program (UTM and
consent on its touch), a second sending merges, errors stay in the form; bots and floods are refused
(honeypot, per-IP limits in the real Redis, CSRF); the page shows nothing of the tenant but its copy,
names and logos, and every unknown or stopped address answers one identical 404. Logos are uploaded
by staff and checked by content."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django_ratelimit.core import get_usage
from PIL import Image

from accounts.models import Program
from leads.models import Lead, LeadSource, Touch, TouchKind
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Partner
from tests.conftest import login
from tests.factories import ProgramFactory
from tests.tenancy.test_views import partner_form, settings_form

pytestmark = pytest.mark.django_db

CODE = "2026Q4-ACC-DACH-CONTOSO-7"
PAGE = f"/l/northwind/{CODE}/"
COPY = (
    "Invitation to a private executive briefing on <script>alert(1)</script> cloud costs.\n"
    "\n"
    "Agenda:\n"
    "1. The business problem in one sentence\n"
    "2. The partner spotlight\n"
    "- Date and venue\n"
)
UTM = "utm_source=partner&utm_medium=email&utm_campaign=2026q4-acc-dach-contoso-7&utm_content=hero"


def png(color="red", size=(8, 8), kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def program(tenant, partner):
    return ProgramFactory(
        tenant=tenant, partner=partner, tracking_code=CODE, components={"landing_page": COPY}
    )


# What a person sends through the form (consent ticked, the honeypot left empty, the link's UTM).
SENT = {
    "first_name": "Dana",
    "last_name": "Reyes",
    "email": "Dana.Reyes@Mercy.example",
    "title": "CIO",
    "company_name": "Mercy General",
    "consent": "on",
    "website": "",
    "utm_source": "partner",
    "utm_medium": "email",
    "utm_campaign": "2026q4-acc-dach-contoso-7",
    "utm_content": "hero",
}


def person(**changes) -> dict:
    return {**SENT, **changes}


def leads_of(tenant):
    with tenant_context(tenant):
        return list(Lead.objects.filter(tenant=tenant).select_related("program"))


def touches_of(tenant):
    with tenant_context(tenant):
        return list(Touch.objects.filter(tenant=tenant).order_by("id"))


def test_the_form_creates_a_lead_of_the_program_with_its_utm_and_consent_and_thanks_without_echo(
    tenant, program
):
    client = Client()
    page = client.get(f"{PAGE}?{UTM}").content.decode()
    assert 'name="utm_content" value="hero"' in page  # carried from the link into the form

    sent = client.post(PAGE, person())

    assert (sent.status_code, sent["Location"]) == (302, f"{PAGE}thanks/")
    [lead] = leads_of(tenant)
    assert (lead.email, lead.first_name, lead.company_name, lead.source) == (
        "dana.reyes@mercy.example",
        "Dana",
        "Mercy General",
        LeadSource.LANDING_PAGE,
    )
    assert lead.program == program
    assert lead.consent and lead.consent_at is not None
    assert lead.consent_method == "landing page form, checkbox"
    [touch] = touches_of(tenant)
    assert touch.kind == TouchKind.LANDING_PAGE_VISIT and touch.program_id == program.id
    utm = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
    assert {key: touch.details[key] for key in utm} == {
        "utm_source": "partner",
        "utm_medium": "email",
        "utm_campaign": "2026q4-acc-dach-contoso-7",
        "utm_content": "hero",
    }
    assert touch.details["tracking_code"] == CODE
    assert "Contoso Consulting may email me" in touch.details["consent_wording"]
    thanks = client.get(sent["Location"]).content.decode()
    assert "Thank you" in thanks
    assert "Dana" not in thanks and "mercy" not in thanks.lower()


def test_the_same_person_again_merges_into_their_lead_as_a_touch(tenant, program):
    Client().post(PAGE, person(consent=""))
    Client().post(f"/l/northwind/{CODE.lower()}/", person(email="dana.reyes@mercy.example", title="CTO"))

    [lead] = leads_of(tenant)
    assert len(touches_of(tenant)) == 2
    assert lead.title == "CIO"  # an arrival never overwrites a field the lead has
    assert lead.consent  # the consent given the second time fills the empty one


def test_errors_are_shown_in_the_form_with_what_was_typed_kept(tenant, program):
    response = Client().post(PAGE, person(email="not-an-email", last_name=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert "This field is required." in page
    assert 'value="Dana"' in page and 'value="Mercy General"' in page and 'value="not-an-email"' in page
    assert leads_of(tenant) == []


def test_a_filled_honeypot_looks_like_success_and_writes_nothing(tenant, program):
    response = Client().post(PAGE, person(website="https://spam.example"))

    assert (response.status_code, response["Location"]) == (302, f"{PAGE}thanks/")
    assert leads_of(tenant) == []
    assert touches_of(tenant) == []


def test_the_form_keeps_csrf_protection(tenant, program):
    response = Client(enforce_csrf_checks=True).post(PAGE, person())

    assert response.status_code == 403
    assert leads_of(tenant) == []


def wait_for_a_fresh_window(group: str, ip: str, rate: str) -> None:
    """The limiter counts in fixed windows: start the burst well inside one (it lasts a minute)."""
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    usage = get_usage(request, group=group, key="ip", rate=rate, increment=False)
    if usage["time_left"] < 20:
        time.sleep(usage["time_left"] + 1)


def test_the_eleventh_post_in_a_minute_from_one_ip_is_refused_while_another_ip_passes(
    tenant, program, settings
):
    settings.PARTNERHUB_LANDING_POST_RATE = "10/m"
    group = f"landing.post:northwind:{CODE.lower()}"
    wait_for_a_fresh_window(group, "203.0.113.7", "10/m")
    flood = Client(REMOTE_ADDR="203.0.113.7")

    answers = [flood.post(PAGE, person(email=f"bot{n}@mercy.example")).status_code for n in range(11)]
    # A forged X-Forwarded-For does not make the same client a new one (no proxy is trusted).
    forged = flood.post(PAGE, person(email="forged@mercy.example"), HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = Client(REMOTE_ADDR="198.51.100.20").post(PAGE, person(email="colleague@mercy.example"))

    assert answers == [302] * 10 + [429]
    assert forged.status_code == 429
    assert "Too many requests" in forged.content.decode() and int(forged["Retry-After"]) > 0
    assert other.status_code == 302
    assert len(leads_of(tenant)) == 11


def test_behind_a_trusted_proxy_the_client_is_read_from_x_forwarded_for(tenant, program, settings):
    settings.PARTNERHUB_LANDING_POST_RATE = "1/m"
    settings.PARTNERHUB_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    first = proxy.post(PAGE, person(email="a@mercy.example"), HTTP_X_FORWARDED_FOR="203.0.113.9")
    # A client prepending its own entry is still the address the proxy appended.
    again = proxy.post(PAGE, person(email="b@mercy.example"), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    someone_else = proxy.post(PAGE, person(email="c@mercy.example"), HTTP_X_FORWARDED_FOR="203.0.113.10")

    assert [first.status_code, again.status_code, someone_else.status_code] == [302, 429, 302]


def test_page_requests_are_limited_more_loosely(tenant, program, settings):
    settings.PARTNERHUB_LANDING_GET_RATE = "3/m"
    wait_for_a_fresh_window("landing.get", "203.0.113.8", "3/m")
    client = Client(REMOTE_ADDR="203.0.113.8")

    answers = [client.get(PAGE).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_unknown_tenant_unknown_code_and_a_stopped_program_answer_one_identical_404(tenant, partner):
    ProgramFactory(
        tenant=tenant, partner=partner, tracking_code="2026Q3-DONE", status=Program.Status.COMPLETED
    )
    client = Client()

    answers = [
        client.get("/l/nobody/2026Q3-DONE/"),
        client.get("/l/northwind/NO-SUCH-CODE/"),
        client.get("/l/northwind/2026Q3-DONE/"),
        client.post("/l/northwind/2026Q3-DONE/", person()),
        client.get("/l/northwind/2026Q3-DONE/logo/vendor/"),
    ]

    assert {answer.status_code for answer in answers} == {404}
    assert len({answer.content for answer in answers}) == 1
    assert b"Northwind" not in answers[0].content and b"Contoso" not in answers[2].content
    assert leads_of(tenant) == []


def test_the_page_shows_the_partner_and_vendor_with_logos_and_the_copy_and_nothing_else(
    tenant, program, partner, other_partner
):
    with tenant_context(tenant):
        tenant.logo.save("vendor.png", io.BytesIO(png("blue")), save=True)
        partner.logo.save("partner.png", io.BytesIO(png("green")), save=True)
    ProgramFactory(
        tenant=tenant,
        partner=other_partner,
        tracking_code="2026Q4-WDG-OTHER-9",
        components={"landing_page": "Fabrikam's own webinar page"},
    )

    response = Client().get(PAGE)
    page = response.content.decode()

    assert "Northwind Cloud" in page and "Contoso Consulting" in page
    vendor_logo = f'src="{PAGE}logo/vendor/?v='
    partner_logo = f'src="{PAGE}logo/partner/?v='
    assert vendor_logo in page and partner_logo in page
    assert "<li>The business problem in one sentence</li>" in page and "<ol>" in page
    assert "<li>Date and venue</li>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Fabrikam" not in page and "2026Q4-WDG-OTHER-9" not in page and "webinar" not in page
    assert "logos/" not in page and f"/{tenant.id}/" not in page
    logo = Client().get(f"{PAGE}logo/partner/")
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content) == png("green")
    assert "max-age=31536000" in logo["Cache-Control"] and "public" in logo["Cache-Control"]
    assert Client().get(f"{PAGE}logo/someone/").status_code == 404


def test_a_program_whose_parties_have_no_logo_shows_names_only(tenant, program):
    page = Client().get(PAGE).content.decode()

    assert "Northwind Cloud" in page and "<img" not in page
    assert Client().get(f"{PAGE}logo/vendor/").status_code == 404


def test_staff_upload_logos_checked_by_content_never_svg_nor_a_renamed_text_file(tenant, admin_user, partner):
    client = login(admin_user)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    refused_svg = client.post(
        "/t/northwind/settings/",
        settings_form(logo=SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")),
    )
    refused_text = client.post(
        "/t/northwind/settings/",
        settings_form(logo=SimpleUploadedFile("logo.png", b"just some text", content_type="image/png")),
    )
    too_big = client.post(
        "/t/northwind/settings/",
        settings_form(logo=SimpleUploadedFile("big.png", png(size=(1200, 1200), kind="BMP") + b"x" * 99_000)),
    )
    accepted = client.post(
        "/t/northwind/settings/",
        settings_form(logo=SimpleUploadedFile("logo.gif", png(kind="WEBP"), content_type="image/gif")),
    )
    partner_logo = client.post(
        f"/t/northwind/partners/{partner.id}/edit/",
        partner_form(name=partner.name, logo=SimpleUploadedFile("contoso.jpg", png("green", kind="JPEG"))),
    )

    assert refused_svg.status_code == refused_text.status_code == too_big.status_code == 200
    assert "Upload a PNG, JPEG or WebP image" in refused_svg.content.decode()
    assert "Upload a PNG, JPEG or WebP image" in refused_text.content.decode()
    assert "at most 256 KB" in too_big.content.decode()
    assert accepted.status_code == 302, accepted.content.decode()
    assert partner_logo.status_code == 302, partner_logo.content.decode()
    tenant.refresh_from_db()
    assert tenant.logo.name.endswith(".webp")  # named by its content, not by the uploader
    with tenant_context(tenant):
        assert Partner.objects.get(id=partner.id).logo.name.endswith(".jpg")

    removed = client.post("/t/northwind/settings/", settings_form(remove_logo="on"))
    assert removed.status_code == 302
    tenant.refresh_from_db()
    assert not tenant.logo


def test_the_program_page_offers_the_landing_link_to_copy_and_preview(tenant, program, manager_user):
    page = login(manager_user).get(f"/t/northwind/programs/{program.id}/").content.decode()

    assert f"{PAGE}?utm_source=partner" in page
    assert 'data-copy="#landing-url"' in page
    assert f'href="{PAGE}"' in page
