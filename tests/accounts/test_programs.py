"""A plan's launch into a program (the package pinned, one tracking code) and the play a plan's
named accounts call for."""

import pytest

from accounts.selectors.recommendation import play_recommendation
from accounts.services.programs import program_launch, tracking_code
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import AuditEvent
from plays.models import Play, PlayKind
from plays.services import (
    catalog_install,
    package_component_update,
    package_override_set,
    package_version_create,
)
from tests.conftest import login
from tests.factories import PartnerFactory, PlanAccountFactory, PlanFactory, TargetAccountFactory
from tests.packages import LANDING, NURTURE, effective, master_of


@pytest.fixture
def installed(in_tenant):
    return catalog_install(tenant=in_tenant)


# --- Programs ------------------------------------------------------------------------------------


def ready_plan(tenant, partner, kind=PlayKind.ACCELERATION, market_kind="region", market_value="dach"):
    """A plan whose six steps are done, as the plan's launch service hands it over."""
    return PlanFactory(
        tenant=tenant,
        year=2026,
        quarter=4,
        market_kind=market_kind,
        market_value=market_value,
        partner=partner,
        play=Play.objects.get(kind=kind),
        status="ready",
    )


@pytest.mark.django_db
def test_tracking_code_follows_the_one_naming_convention():
    assert (
        tracking_code(
            year=2026,
            quarter=4,
            play_kind="vertical_wedge",
            market_value="financial_services",
            partner_name="Contoso Consulting GmbH & Co. KG",
            plan_id=42,
        )
        == "2026Q4-WDG-FINANCIAL-CONTOSO-CONSULTING-42"
    )


@pytest.mark.django_db
def test_program_launch_names_and_pins_the_package_as_it_is_at_launch(installed, manager_user):
    tenant = installed[0].tenant
    partner = PartnerFactory(tenant=tenant, name="Contoso Consulting", verticals=["healthcare", "retail"])
    master = master_of(tenant)
    healthcare = package_version_create(
        tenant=tenant,
        actor=manager_user,
        master_id=master.id,
        name="Healthcare version",
        vertical="healthcare",
    )
    package_override_set(
        tenant=tenant, actor=manager_user, package_id=healthcare.id, key=LANDING, content="Clinics landing"
    )
    package_component_update(
        tenant=tenant, actor=manager_user, package_id=master.id, key=NURTURE, content="v2"
    )
    plan = ready_plan(tenant, partner)

    program = program_launch(tenant=tenant, actor=manager_user, plan=plan)

    assert program.package == healthcare  # the partner's first vertical, the market being a region
    assert (
        program.package_label == "Regional account acceleration · Healthcare version (master r2, version r2)"
    )
    assert program.tracking_code == f"2026Q4-ACC-DACH-CONTOSO-CONSULTING-{plan.id}"
    assert program.utm_source == "contoso-consulting"
    assert program.utm_medium == "partner"
    assert program.utm_campaign == f"2026q4-acc-dach-contoso-consulting-{plan.id}"
    assert program.utm_content == "acceleration"
    assert program.utm_query == (
        f"utm_source=contoso-consulting&utm_medium=partner&utm_campaign=2026q4-acc-dach-contoso-consulting-"
        f"{plan.id}&utm_content=acceleration"
    )
    assert program.components[LANDING] == "Clinics landing"
    assert program.components[NURTURE] == "v2"
    assert len(program.components) == 7
    event = AuditEvent.objects.get(action="program.launched")
    assert event.after["tracking_code"] == program.tracking_code

    # A master edit after launch reaches the version, not the running program.
    package_component_update(
        tenant=tenant, actor=manager_user, package_id=master.id, key=NURTURE, content="v3"
    )
    program.refresh_from_db()
    assert effective(tenant, healthcare)[NURTURE] == "v3"
    assert program.components[NURTURE] == "v2"


@pytest.mark.django_db
def test_program_launch_prefers_the_partners_version_then_the_markets_vertical_then_the_master(
    installed, manager_user
):
    tenant = installed[0].tenant
    contoso = PartnerFactory(tenant=tenant, name="Contoso", verticals=["healthcare"])
    fabrikam = PartnerFactory(tenant=tenant, name="Fabrikam", verticals=["retail"])
    litware = PartnerFactory(tenant=tenant, name="Litware", verticals=[])
    master = master_of(tenant, PlayKind.VERTICAL_WEDGE)
    for name, fields in [
        ("Contoso version", {"partner_id": contoso.id}),
        ("Education version", {"vertical": "education"}),
        ("Retail version", {"vertical": "retail"}),
    ]:
        package_version_create(tenant=tenant, actor=manager_user, master_id=master.id, name=name, **fields)

    plans = [
        ready_plan(tenant, contoso, PlayKind.VERTICAL_WEDGE, "vertical", "education"),
        ready_plan(tenant, fabrikam, PlayKind.VERTICAL_WEDGE, "region", "dach"),
        ready_plan(tenant, fabrikam, PlayKind.VERTICAL_WEDGE, "vertical", "healthcare"),
        ready_plan(tenant, litware, PlayKind.VERTICAL_WEDGE, "segment", "enterprise"),
    ]
    chosen = [program_launch(tenant=tenant, actor=manager_user, plan=plan).package.name for plan in plans]

    assert chosen == ["Contoso version", "Retail version", "Master", "Master"]


@pytest.mark.django_db
def test_a_plan_gets_one_program(installed, manager_user, partner):
    tenant = installed[0].tenant
    plan = ready_plan(tenant, partner)
    program_launch(tenant=tenant, actor=manager_user, plan=plan)
    with pytest.raises(ServiceError, match="already has a program"):
        program_launch(tenant=tenant, actor=manager_user, plan=plan)


# --- Play recommendation -------------------------------------------------------------------------


def plan_with_accounts(tenant, partner, accounts, market_kind="region", market_value="dach"):
    plan = PlanFactory(tenant=tenant, partner=partner, market_kind=market_kind, market_value=market_value)
    for stage, senior, industry in accounts:
        account = TargetAccountFactory(
            tenant=tenant, stage=stage, senior_buyers_engaged=senior, industry=industry
        )
        PlanAccountFactory(tenant=tenant, plan=plan, account=account)
    return plan


def accounts(n, stage, senior=False, industry="retail"):
    return [(stage, senior, industry)] * n


@pytest.mark.django_db
def test_open_and_stalled_opportunities_recommend_acceleration(installed):
    tenant = installed[0].tenant
    partner = PartnerFactory(tenant=tenant, verticals=["healthcare"])
    plan = plan_with_accounts(
        tenant,
        partner,
        accounts(4, "open_opportunity")
        + accounts(3, "stalled_opportunity")
        + accounts(3, "existing_customer")
        + accounts(2, "net_new", senior=True),
    )
    recommendation = play_recommendation(tenant=tenant, plan=plan)
    assert recommendation.play == Play.objects.get(kind="acceleration")
    assert recommendation.reason == "7 of 12 named accounts have open or stalled opportunities."
    assert [option.kind for option in recommendation.alternatives] == ["expansion", "roundtable"]


@pytest.mark.django_db
def test_existing_customers_recommend_expansion(installed):
    tenant = installed[0].tenant
    plan = plan_with_accounts(
        tenant, None, accounts(6, "existing_customer") + accounts(2, "open_opportunity", senior=True)
    )
    recommendation = play_recommendation(tenant=tenant, plan=plan)
    assert recommendation.play.kind == "expansion"
    assert recommendation.reason == "6 of 8 named accounts are existing customers."


@pytest.mark.django_db
def test_senior_buyers_recommend_a_roundtable(installed):
    tenant = installed[0].tenant
    plan = plan_with_accounts(
        tenant, None, accounts(5, "net_new", senior=True) + accounts(2, "existing_customer", senior=True)
    )
    recommendation = play_recommendation(tenant=tenant, plan=plan)
    assert recommendation.play.kind == "roundtable"
    assert recommendation.reason == "7 of 7 named accounts have senior buyers engaged."


@pytest.mark.django_db
def test_partner_depth_in_the_markets_vertical_recommends_the_wedge(installed):
    tenant = installed[0].tenant
    partner = PartnerFactory(tenant=tenant, name="Litware Health", verticals=["healthcare", "life_sciences"])
    plan = plan_with_accounts(
        tenant,
        partner,
        accounts(5, "open_opportunity", industry="healthcare") + accounts(1, "net_new", industry="retail"),
        market_kind="vertical",
        market_value="healthcare",
    )
    recommendation = play_recommendation(tenant=tenant, plan=plan)
    assert recommendation.play.kind == "vertical_wedge"
    assert recommendation.reason == (
        "Litware Health has depth in Healthcare, this plan's market: 5 of 6 named accounts are in Healthcare."
    )
    assert [option.kind for option in recommendation.alternatives] == ["acceleration"]


@pytest.mark.django_db
def test_a_vertical_market_the_partner_has_no_depth_in_falls_back_to_the_stages(installed):
    tenant = installed[0].tenant
    partner = PartnerFactory(tenant=tenant, verticals=["retail"])
    plan = plan_with_accounts(
        tenant, partner, accounts(5, "existing_customer"), market_kind="vertical", market_value="healthcare"
    )
    assert play_recommendation(tenant=tenant, plan=plan).play.kind == "expansion"


@pytest.mark.django_db
def test_ties_go_to_acceleration_then_expansion(installed):
    tenant = installed[0].tenant
    plan = plan_with_accounts(
        tenant, None, accounts(3, "existing_customer", senior=True) + accounts(3, "stalled_opportunity")
    )
    recommendation = play_recommendation(tenant=tenant, plan=plan)
    assert recommendation.play.kind == "acceleration"
    assert [option.kind for option in recommendation.alternatives] == ["expansion", "roundtable"]


@pytest.mark.django_db
def test_net_new_accounts_are_told_honestly_that_no_play_fits(installed, manager_user):
    tenant = installed[0].tenant
    plan = plan_with_accounts(tenant, None, accounts(5, "net_new"))
    recommendation = play_recommendation(tenant=tenant, plan=plan)
    assert (recommendation.play.kind, recommendation.fits, recommendation.alternatives) == (
        "acceleration",
        False,
        (),
    )
    assert recommendation.reason.startswith("No play fits these 5 accounts well")
    assert "the default" not in recommendation.reason
    body = login(manager_user).get(f"/api/v1/plans/{plan.id}/recommendation/", HTTP_X_TENANT="northwind")
    assert body.json()["fits"] is False


@pytest.mark.django_db
def test_recommendation_counts_in_a_fixed_number_of_queries(installed, django_assert_num_queries):
    tenant = installed[0].tenant
    partner = PartnerFactory(tenant=tenant)
    small = plan_with_accounts(tenant, partner, accounts(5, "open_opportunity"))
    large = plan_with_accounts(tenant, partner, accounts(20, "open_opportunity"), market_value="nordics")
    for plan in (small, large):
        plan = type(plan).objects.select_related("partner").get(id=plan.id)
        with django_assert_num_queries(2):
            play_recommendation(tenant=tenant, plan=plan)
