"""Demo planning data for `seed_demo`: accounts with opportunities, who knows them, MDF, and two
plans (one launched, one in its meeting). Idempotent: nothing is created twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts import services
from accounts.models import AccountMapping, Plan, TargetAccount
from mdf import services as mdf_services
from partnerhub.tenancy.models import Partner, Tenant, User
from plays.services import catalog_install

# name, domain, industry, region, segment, senior buyers, opportunities [(stage, amount)]
ACCOUNTS = [
    (
        "Mercy General Hospital",
        "mercygeneral.example",
        "healthcare",
        "north_america",
        "enterprise",
        True,
        [("negotiation", "180000")],
    ),
    (
        "Lakeside Clinics",
        "lakesideclinics.example",
        "healthcare",
        "north_america",
        "mid_market",
        False,
        [("qualification", "65000")],
    ),
    (
        "St. Luke's Health",
        "stlukes.example",
        "healthcare",
        "north_america",
        "enterprise",
        True,
        [("closed_won", "240000")],
    ),
    ("Harbor Pediatrics", "harborpeds.example", "healthcare", "north_america", "mid_market", False, []),
    (
        "Northshore Medical",
        "northshoremed.example",
        "healthcare",
        "north_america",
        "enterprise",
        True,
        [("proposal", "120000")],
    ),
    (
        "Pine Valley Care",
        "pinevalleycare.example",
        "healthcare",
        "north_america",
        "smb",
        False,
        [("closed_lost", "30000")],
    ),
    (
        "Summit Health Partners",
        "summithealth.example",
        "healthcare",
        "north_america",
        "enterprise",
        False,
        [("closed_won", "310000"), ("prospecting", "90000")],
    ),
    ("Bayview Labs", "bayviewlabs.example", "life_sciences", "north_america", "mid_market", False, []),
    (
        "First Harbor Bank",
        "firstharbor.example",
        "financial_services",
        "north_america",
        "enterprise",
        True,
        [("proposal", "450000")],
    ),
    (
        "Granite Insurance",
        "graniteins.example",
        "financial_services",
        "north_america",
        "enterprise",
        False,
        [("closed_won", "200000")],
    ),
    (
        "Keystone Credit Union",
        "keystonecu.example",
        "financial_services",
        "north_america",
        "mid_market",
        False,
        [],
    ),
    (
        "Rheinwerk Maschinenbau",
        "rheinwerk.example",
        "manufacturing",
        "dach",
        "enterprise",
        True,
        [("qualification", "140000")],
    ),
    (
        "Alpen Automotive",
        "alpenauto.example",
        "manufacturing",
        "dach",
        "enterprise",
        False,
        [("closed_won", "380000")],
    ),
    ("Donau Präzision", "donau-praezision.example", "manufacturing", "dach", "mid_market", False, []),
    # Enough DACH accounts for the draft plan's step 2, which names 5 to 20 (it offers the region's).
    (
        "Bodensee Antriebstechnik",
        "bodensee-antriebe.example",
        "manufacturing",
        "dach",
        "mid_market",
        False,
        [("proposal", "95000")],
    ),
    (
        "Zürcher Werkzeugbau",
        "zuercher-werkzeugbau.example",
        "manufacturing",
        "dach",
        "enterprise",
        True,
        [("closed_won", "260000")],
    ),
    ("Tirol Kunststoff", "tirol-kunststoff.example", "manufacturing", "dach", "mid_market", False, []),
    (
        "Thames Retail Group",
        "thamesretail.example",
        "retail",
        "uk_ireland",
        "enterprise",
        True,
        [("negotiation", "220000")],
    ),
    ("Cornish Outfitters", "cornishoutfitters.example", "retail", "uk_ireland", "mid_market", False, []),
    ("Maple Valley Schools", "maplevalley.example", "education", "north_america", "public", False, []),
    (
        "Ridgeview University",
        "ridgeview.example",
        "education",
        "north_america",
        "public",
        True,
        [("prospecting", "75000")],
    ),
]
# partner name → [(account domain, relationship)]
MAPPINGS = {
    "Contoso Consulting": [
        ("mercygeneral.example", "customer"),
        ("stlukes.example", "active_project"),
        ("northshoremed.example", "relationship"),
        ("summithealth.example", "customer"),
        ("firstharbor.example", "relationship"),
    ],
    "Litware Partners": [("lakesideclinics.example", "relationship"), ("maplevalley.example", "customer")],
    "Fabrikam Systems": [("rheinwerk.example", "customer"), ("alpenauto.example", "active_project")],
    "Tailspin Analytics": [("thamesretail.example", "customer")],
}
# partner name → MDF this quarter (Adatum has money but no access to the healthcare accounts).
FUNDS = {
    "Adatum Cloud Services": "150000.00",
    "Contoso Consulting": "25000.00",
    "Fabrikam Systems": "40000.00",
}


def seed_planning(tenant: Tenant) -> None:
    plays = {play.kind: play for play in catalog_install(tenant=tenant)}
    if TargetAccount.objects.filter(tenant=tenant).exists():
        return
    sales = User.objects.get(email="sales@northwind.example")
    manager = User.objects.get(email="pm@northwind.example")
    by_domain = {}
    for name, domain, industry, region, segment, senior, opportunities in ACCOUNTS:
        account = services.account_create(
            tenant=tenant,
            actor=None,
            name=name,
            domain=domain,
            industry=industry,
            region=region,
            segment=segment,
            senior_buyers_engaged=senior,
            owner=sales,
            external_id=f"CRM-{domain.split('.')[0].upper()}",
        )
        by_domain[domain] = account
        for number, (stage, amount) in enumerate(opportunities, start=1):
            services.opportunity_create(
                tenant=tenant,
                actor=None,
                account=account,
                name=f"{name}: platform {number}",
                stage=stage,
                amount=Decimal(amount),
                external_id=f"OPP-{domain.split('.')[0].upper()}-{number}",
                close_date=timezone.localdate() + datetime.timedelta(days=45 * number),
            )
    partners = {partner.name: partner for partner in Partner.objects.filter(tenant=tenant)}
    for partner_name, rows in MAPPINGS.items():
        for domain, relationship in rows:
            services.mapping_create(
                tenant=tenant,
                actor=None,
                partner=partners[partner_name],
                account=by_domain[domain],
                relationship=relationship,
                source=AccountMapping.Source.STAFF,
            )
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    fund = mdf_services.fund_create(
        tenant=tenant,
        actor=manager,
        name="Partner marketing",
        year=year,
        quarter=quarter,
        amount=sum((Decimal(amount) for amount in FUNDS.values()), start=Decimal("50000.00")),
        currency="USD",
    )
    for partner_name, amount in FUNDS.items():
        mdf_services.allocation_create(
            tenant=tenant,
            actor=manager,
            fund_id=fund.id,
            partner_id=partners[partner_name].id,
            amount=Decimal(amount),
        )
    _launched_plan(tenant, manager, sales, partners["Contoso Consulting"], plays, by_domain, year, quarter)
    draft = services.plan_create(
        tenant=tenant, actor=manager, year=year, quarter=quarter, name="DACH manufacturing"
    )
    services.plan_set_market(
        tenant=tenant, actor=manager, plan_id=draft.id, market_kind="region", market_value="dach"
    )


def _launched_plan(tenant, manager, sales, partner, plays, by_domain, year, quarter) -> Plan:
    plan = services.plan_create(
        tenant=tenant, actor=manager, year=year, quarter=quarter, name="Hospitals in the Northeast"
    )
    services.plan_set_market(
        tenant=tenant, actor=manager, plan_id=plan.id, market_kind="vertical", market_value="healthcare"
    )
    named = [account.id for domain, account in by_domain.items() if account.industry == "healthcare"]
    services.plan_set_accounts(tenant=tenant, actor=manager, plan_id=plan.id, account_ids=named)
    services.plan_set_partner(tenant=tenant, actor=manager, plan_id=plan.id, partner_id=partner.id)
    services.plan_set_play(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        play_id=plays["vertical_wedge"].id,
    )
    services.plan_set_follow_up(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        sales_owner=sales,
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        talk_track=plays["vertical_wedge"].follow_up_template or "Call each attendee within 3 days.",
    )
    services.plan_set_targets(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        day30_followups=len(named),
        day60_meetings=4,
        day90_opportunities=3,
        day90_pipeline=Decimal("400000.00"),
    )
    services.plan_update_kickoff(
        tenant=tenant,
        actor=manager,
        plan_id=plan.id,
        owner_partner_marketing=manager,
        owner_sales=sales,
        kickoff_decision_maker="Dana (Contoso, VP Healthcare)",
        kickoff_budget_owner="Pat Partnermanager",
    )
    return services.plan_launch(tenant=tenant, actor=manager, plan_id=plan.id)
