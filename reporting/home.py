"""The home page's reporting part, wired in through the `PARTNERHUB_HOME` setting (the tenancy
home view cannot import reporting): staff see what needs doing, a partner's users their company's
dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from partnerhub.tenancy.models import Partner
from reporting.charts import Series, svg, trend_chart
from reporting.selectors.home import staff_todo
from reporting.selectors.partners import partner_dashboard


def handed_chart(dashboard) -> str:
    """Leads handed to the partner per month, as inline SVG."""
    return svg(
        trend_chart(
            title="Leads handed to you per month",
            categories=[month.strftime("%b %Y") for month in dashboard.months],
            series=[Series("Leads handed", dashboard.handed)],
        )
    )


def home_context(*, request, tenant, membership) -> dict:
    """Context for templates/tenancy/dashboard.html and partner_home.html: `home_template` names the
    partial to include, beside what it renders."""
    now = timezone.now()
    if membership.is_partner_role:
        partner = Partner.objects.get(tenant=tenant, id=membership.partner_id)
        dashboard = partner_dashboard(tenant=tenant, partner=partner, now=now)
        return {
            "home_template": "reporting/partials/_partner_dashboard.html",
            "dashboard": dashboard,
            "handed_chart": handed_chart(dashboard),
        }
    return {
        "home_template": "reporting/partials/_home_todo.html",
        "todo": staff_todo(tenant=tenant, membership=membership, now=now),
    }


def account_page_context(*, request, tenant, account) -> dict:
    """The account page's link to its ledger (reporting.views.ledger)."""
    return {
        "account_links": [
            (
                "Ledger",
                reverse("reporting:account_ledger", args=[tenant.slug, account.id]),
            )
        ]
    }
