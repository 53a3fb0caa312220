"""Money, dates and times read the same on every page: in the tenant's locale and time zone."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import quarter_of
from partnerhub.tenancy.models import Tenant
from tests.conftest import login
from tests.factories import AuditEventFactory, OpportunityFactory, TargetAccountFactory

UTC = datetime.UTC


def account_page(user, account) -> str:
    return login(user).get(f"/t/northwind/accounts/{account.id}/").content.decode()


@pytest.mark.django_db
def test_an_account_page_writes_money_and_dates_in_the_tenant_locale(tenant, admin_user):
    account = TargetAccountFactory(tenant=tenant, name="Mercy General")
    OpportunityFactory(
        tenant=tenant,
        account=account,
        amount=Decimal("40000.00"),
        currency="USD",
        close_date=datetime.date(2026, 12, 31),
    )

    american = account_page(admin_user, account)
    Tenant.objects.filter(id=tenant.id).update(locale="de_DE")
    german = account_page(admin_user, account)

    assert "$40,000.00" in american and "Dec 31, 2026" in american
    assert "40000.00 USD" not in american
    assert "40.000,00\xa0$" in german and "31.12.2026" in german


@pytest.mark.django_db
def test_times_are_shown_in_the_tenant_time_zone(tenant, admin_user):
    Tenant.objects.filter(id=tenant.id).update(timezone="Europe/Berlin", locale="en_GB")
    AuditEventFactory(
        tenant=tenant, action="partner.updated", created_at=datetime.datetime(2026, 12, 1, 20, 38, tzinfo=UTC)
    )

    page = login(admin_user).get("/t/northwind/audit/").content.decode()

    assert "1 Dec 2026, 21:38" in page


@pytest.mark.django_db
def test_an_admin_picks_the_locale_in_the_settings(tenant, admin_user):
    client = login(admin_user)
    form = client.get("/t/northwind/settings/").content.decode()
    assert "Default SLA (hours)" in form and "Require two-factor authentication for staff" in form
    assert "English (United Kingdom)" in form

    client.post(
        "/t/northwind/settings/",
        {
            "name": "Northwind Cloud",
            "timezone": "Europe/London",
            "locale": "en_GB",
            "default_currency": "GBP",
            "default_sla_hours": 24,
        },
    )
    account = TargetAccountFactory(tenant=tenant)
    OpportunityFactory(tenant=tenant, account=account, close_date=datetime.date(2027, 1, 16))

    assert "16 Jan 2027" in account_page(admin_user, account)


# Django's own date and number filters write each page its own way; the tenant's filters
# (`local_date`, `local_datetime`, `money`, `number`) are the one formatting. `date:'c'` is ISO for
# scripts, not for people.
OWN_FORMATTING = re.compile(
    r"\|\s*(date(?!\s*:\s*['\"]c['\"])|time|floatformat|intcomma|naturalday|naturaltime)\b"
)


def test_no_template_formats_money_or_dates_by_itself():
    templates = Path(settings.BASE_DIR) / "templates"
    paths = [path for path in sorted(templates.rglob("*")) if path.suffix in (".html", ".txt")]
    offenders = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in paths
        for match in OWN_FORMATTING.finditer(path.read_text())
    ]
    assert paths and offenders == []


@pytest.mark.parametrize(
    ("zone", "day", "quarter"),
    [
        ("UTC", datetime.date(2026, 12, 31), (2026, 4)),
        ("Pacific/Auckland", datetime.date(2027, 1, 1), (2027, 1)),  # already the new year there
        ("America/Los_Angeles", datetime.date(2026, 12, 31), (2026, 4)),
    ],
)
def test_the_tenants_date_and_quarter_follow_its_time_zone(zone, day, quarter):
    instant = datetime.datetime(2026, 12, 31, 20, 0, tzinfo=datetime.UTC)
    local = Tenant(timezone=zone).local_date(instant)

    assert (local, quarter_of(local)) == (day, quarter)
