"""Demo MDF for `seed_demo`, on this quarter's fund the planning demo made (accounts/demo.py: the
partners' allocations shown beside the ranking): a pool for the one-to-few and one-to-many tiers, a
catalog item and a proposal template, and a strategic line Contoso asked for on its launched plan,
waiting in the review queue. Everything goes through the services, as in use. Idempotent: nothing
is created when the tenant has a catalog already."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Plan
from mdf import services
from mdf.models import CatalogItem, Fund
from partnerhub.tenancy.models import Partner, Tenant, User
from plays.models import Play

POOLS = {Partner.Tier.ONE_TO_FEW: Decimal("15000.00"), Partner.Tier.ONE_TO_MANY: Decimal("6000.00")}


def seed_mdf(tenant: Tenant) -> None:
    today = timezone.localdate()
    fund = Fund.objects.filter(tenant=tenant, year=today.year, quarter=(today.month - 1) // 3 + 1).first()
    if fund is None or CatalogItem.objects.filter(tenant=tenant).exists():
        return
    for tier, amount in POOLS.items():
        services.allocation_create(tenant=tenant, actor=None, fund_id=fund.id, tier=tier, amount=amount)
    services.catalog_item_create(
        tenant=tenant,
        actor=None,
        name="Co-branded webinar kit",
        description="Slides, landing page and two invitation emails, promoted to the partner's list.",
        activity_type="webinar",
        amount=Decimal("1500.00"),
        currency="USD",
        tiers=[Partner.Tier.ONE_TO_FEW, Partner.Tier.ONE_TO_MANY],
        limit_per_quarter=2,
    )
    play = Play.objects.filter(tenant=tenant).order_by("id").first()
    if play is not None:
        services.proposal_template_create(
            tenant=tenant,
            actor=None,
            play=play,
            name=f"{play.name} proposal",
            questions=[
                "Which of the plan's named accounts will be in the room?",
                "Who follows up with each account, and by when?",
            ],
        )
    _contoso_line(tenant, fund)


def _contoso_line(tenant: Tenant, fund: Fund) -> None:
    """Contoso's strategic line for its launched plan, submitted: the review queue's first row."""
    partner_user = User.objects.filter(email="partner@contoso.example").first()
    plan = Plan.objects.filter(tenant=tenant, partner__name="Contoso Consulting").order_by("-id").first()
    if partner_user is None or plan is None:
        return
    day = timezone.localdate() + timedelta(days=21)
    request = services.request_create(
        tenant=tenant,
        actor=partner_user,
        fund_id=fund.id,
        kind="strategic",
        title="Executive roundtable for the named health systems",
        activity_type="event",
        format="in_person",
        starts_on=day,
        ends_on=day,
        plan=plan.id,
        target_accounts=list(plan.plan_accounts.values_list("account_id", flat=True)[:5]),
        expected_accounts_in_room=4,
        expected_meetings=3,
        expected_pipeline=Decimal("400000.00"),
        partner_contribution=Decimal("5000.00"),
        amount_requested=Decimal("12000.00"),
    )
    services.request_submit(tenant=tenant, actor=partner_user, request_id=request.id)
