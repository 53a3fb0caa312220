"""Attribution by rule: a set of opportunities built to hit each rule and each edge of its window
gives exactly the specified sourced/influenced split, and amounts in other currencies convert at the
FX rate of the opportunity's own day (in the tenant's time zone), not today's."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import OpportunityStage
from leads.models import DealRegistration, Handoff, LeadStage
from partnerhub.tenancy.models import Tenant
from reporting.selectors.attribution import Period, attributions, pipeline_by_month, pipeline_split
from reporting.services.fx import fx_rate_set
from reporting.services.settings import reporting_settings_update
from tests.factories import (
    AccountMappingFactory,
    DealRegistrationFactory,
    HandoffFactory,
    LeadFactory,
    OpportunityFactory,
    PartnerFactory,
    PlanAccountFactory,
    ProgramFactory,
    TargetAccountFactory,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
SECOND = datetime.timedelta(seconds=1)
WINDOW = datetime.timedelta(days=30)


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def converted_lead(tenant, account, partner, converted_at, *, closed_at=None):
    """A lead on the account, accepted by the partner before it converted to an opportunity."""
    lead = LeadFactory(
        tenant=tenant, account=account, stage=LeadStage.OPPORTUNITY, stage_changed_at=converted_at
    )
    state = Handoff.State.RECALLED if closed_at else Handoff.State.ACCEPTED
    HandoffFactory(
        tenant=tenant,
        lead=lead,
        partner=partner,
        state=state,
        offered_at=converted_at - datetime.timedelta(days=10),
        accepted_at=converted_at - datetime.timedelta(days=9),
        closed_at=closed_at,
    )
    return lead


@pytest.fixture
def world(tenant, in_tenant):
    Tenant.objects.filter(id=tenant.id).update(timezone="Europe/Berlin", default_currency="USD")
    tenant.refresh_from_db()
    alpha, beta, gamma = (PartnerFactory(tenant=tenant, name=name) for name in ("Alpha", "Beta", "Gamma"))
    account = {n: TargetAccountFactory(tenant=tenant, name=f"A{n}") for n in range(1, 9)}
    opp = {}

    def opportunity(key, n, created_at, amount, currency="USD", **fields):
        opp[key] = OpportunityFactory(
            tenant=tenant,
            account=account[n],
            name=key,
            created_at=created_at,
            amount=Decimal(amount),
            currency=currency,
            **fields,
        )
        return opp[key]

    # A1: an approved registration links it (Alpha); Beta and Alpha map the account; a rejected one
    # of Gamma's counts for nothing. In EUR, on 10 March: the 1 March rate.
    registered = opportunity("registered", 1, at(3, 10), "10000.00", "EUR")
    for partner, state in (
        (alpha, DealRegistration.State.APPROVED),
        (gamma, DealRegistration.State.REJECTED),
    ):
        DealRegistrationFactory(
            tenant=tenant,
            partner=partner,
            state=state,
            opportunity=registered,
            decided_at=at(3, 9),
            protection_ends_at=at(9, 9) if state == DealRegistration.State.APPROVED else None,
            reject_reason="duplicate" if state == DealRegistration.State.REJECTED else "",
        )
    AccountMappingFactory(tenant=tenant, partner=beta, account=account[1], created_at=at(1, 2))
    AccountMappingFactory(tenant=tenant, partner=alpha, account=account[1], created_at=at(1, 2))

    # A2: Beta's lead converted exactly 30 days before the opportunity: sourced (the window's edge).
    converted_at = at(2, 10, 9)
    converted_lead(tenant, account[2], beta, converted_at)
    opportunity("lead_at_window_edge", 2, converted_at + WINDOW, "20000.00")
    # A3: the same, one second past the window: not sourced, but Beta holds the handoff: influenced.
    converted_lead(tenant, account[3], beta, converted_at)
    opportunity("lead_past_window", 3, converted_at + WINDOW + SECOND, "5000.00")
    # A4: Gamma's lead converted one second after the opportunity was created: not sourced; its
    # accepted handoff makes Gamma an influencer. The CRM naming a source by hand changes nothing.
    created = at(3, 20)
    converted_lead(tenant, account[4], gamma, created + SECOND)
    opportunity("converted_after", 4, created, "7000.00", source_partner=alpha)
    # A5: Gamma's program names the account (launched 5 January, measured 90 days). Created at
    # 22:30 UTC on 31 March, which is 1 April in Berlin: April's rate and April's month.
    program = ProgramFactory(tenant=tenant, partner=gamma, launched_at=at(1, 5))
    PlanAccountFactory(tenant=tenant, plan=program.plan, account=account[5])
    opportunity("program", 5, at(3, 31, 22, 30), "1000.00", "EUR")
    opportunity("after_program", 5, at(1, 5) + datetime.timedelta(days=90) + SECOND, "3000.00")
    # A6: closed won on 1 April; Beta mapped the account before, Alpha only the day after.
    opportunity(
        "closed", 6, at(2, 1), "4000.00", stage=OpportunityStage.CLOSED_WON, stage_changed_at=at(4, 1)
    )
    AccountMappingFactory(tenant=tenant, partner=beta, account=account[6], created_at=at(3, 1))
    AccountMappingFactory(tenant=tenant, partner=alpha, account=account[6], created_at=at(4, 2))
    # A7: in GBP, for which no rate is loaded; Gamma maps the account.
    opportunity("no_rate", 7, at(3, 15), "9999.00", "GBP")
    AccountMappingFactory(tenant=tenant, partner=gamma, account=account[7], created_at=at(1, 2))
    # A8: the lead converted in the window, but its handoff was recalled before: nobody's.
    recalled_at = at(3, 1)
    converted_lead(tenant, account[8], alpha, recalled_at + SECOND, closed_at=recalled_at)
    opportunity("recalled", 8, at(3, 2), "2000.00")

    # EUR rates: from 1 March and from 1 April; today's (much higher) rate is never used.
    for day, rate in (
        (datetime.date(2026, 3, 1), "1.08"),
        (datetime.date(2026, 4, 1), "1.2"),
        (NOW.date(), "9"),
    ):
        fx_rate_set(tenant=tenant, actor=None, currency="EUR", rate_date=day, rate=rate)
    return {"tenant": tenant, "alpha": alpha, "beta": beta, "gamma": gamma, "opp": opp}


def by_opportunity(rows):
    return {(row.opportunity_name, row.partner_name): (row.kind, row.rules) for row in rows}


def test_each_opportunity_is_put_where_its_rule_says(world):
    rows = attributions(world["tenant"], now=NOW)
    assert by_opportunity(rows) == {
        ("registered", "Alpha"): ("sourced", ["deal_registration"]),
        ("registered", "Beta"): ("influenced", ["account_mapping"]),
        ("lead_at_window_edge", "Beta"): ("sourced", ["converted_lead"]),
        ("lead_past_window", "Beta"): ("influenced", ["handoff"]),
        ("converted_after", "Gamma"): ("influenced", ["handoff"]),
        ("program", "Gamma"): ("influenced", ["program"]),
        ("closed", "Beta"): ("influenced", ["account_mapping"]),
        ("no_rate", "Gamma"): ("influenced", ["account_mapping"]),
    }
    amounts = {row.opportunity_name: row.amount_reporting for row in rows}
    assert amounts["registered"] == Decimal("10800.00")  # 10,000 EUR at 1 March's 1.08
    assert amounts["program"] == Decimal("1200.00")  # 1 April in Berlin: 1.2, not 31 March's 1.08
    assert amounts["no_rate"] is None


def test_the_split_counts_each_opportunity_once(world):
    split = pipeline_split(world["tenant"], now=NOW)
    assert (split.sourced, split.sourced_count) == (Decimal("30800.00"), 2)
    assert (split.influenced, split.influenced_count) == (Decimal("17200.00"), 5)
    assert (split.total, split.total_count, split.without_rate) == (Decimal("53000.00"), 9, 1)
    assert split.currency == "USD"


def test_a_partners_split_is_what_it_sourced_and_what_it_influenced(world):
    beta = pipeline_split(world["tenant"], partner_id=world["beta"].id, now=NOW)
    assert (beta.sourced, beta.sourced_count) == (Decimal("20000.00"), 1)
    assert (beta.influenced, beta.influenced_count) == (Decimal("19800.00"), 3)
    alpha = pipeline_split(world["tenant"], partner_id=world["alpha"].id, now=NOW)
    assert (alpha.sourced, alpha.influenced, alpha.total_count) == (Decimal("10800.00"), Decimal(0), 1)


def test_a_wider_window_sources_the_lead_one_second_past_thirty_days(world):
    rows = attributions(world["tenant"], now=NOW, window_days=31)
    assert by_opportunity(rows)[("lead_past_window", "Beta")] == ("sourced", ["converted_lead"])


def test_months_are_the_tenants_and_periods_bound_creation(world):
    tenant = world["tenant"]
    months = {row["month"]: row for row in pipeline_by_month(tenant, Period(), now=NOW)}
    april = months[datetime.date(2026, 4, 1)]
    assert (april["influenced"], april["influenced_count"], april["total"]) == (
        Decimal("1200.00"),
        1,
        Decimal("4200.00"),  # the program's 1,200 and the 3,000 created after it ran
    )
    march_only = Period(since=at(3, 1, 0), until=at(3, 31, 22))  # before 1 April in Berlin
    names = {row.opportunity_name for row in attributions(tenant, march_only, now=NOW)}
    assert names == {"registered", "lead_at_window_edge", "lead_past_window", "converted_after", "no_rate"}


def test_an_fx_rate_loaded_later_for_the_day_changes_the_figure(world):
    tenant = world["tenant"]
    fx_rate_set(tenant=tenant, actor=None, currency="GBP", rate_date=datetime.date(2026, 3, 15), rate="1.25")
    rows = {row.opportunity_name: row.amount_reporting for row in attributions(tenant, now=NOW)}
    assert rows["no_rate"] == Decimal("12498.75")  # 9,999 GBP at 1.25
    assert pipeline_split(tenant, now=NOW).without_rate == 0


def test_the_tenants_sourced_window_is_what_attribution_reads(world):
    tenant = world["tenant"]
    reporting_settings_update(tenant=tenant, actor=None, sourced_window_days=31)
    rows = attributions(tenant, now=NOW)
    assert by_opportunity(rows)[("lead_past_window", "Beta")] == ("sourced", ["converted_lead"])
