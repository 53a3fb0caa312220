"""The plans board and the plan page, as laid out: the status cards are a row of filters, the
ranking's reasons get the width, a UTM string wraps in its card and copies with one click. Layout is
checked through the markup and classes that produce it (the browser suite looks at the pixels)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.conftest import login
from tests.factories import PlanAccountFactory, PlanFactory, ProgramFactory

T = "/t/northwind"


def css() -> str:
    return (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()


@pytest.mark.django_db
def test_the_status_cards_are_a_row_of_filters_of_the_board(tenant, manager_user):
    PlanFactory(tenant=tenant, name="Still a draft", status="draft")
    PlanFactory(tenant=tenant, name="Good to go", status="ready")
    client = login(manager_user)

    board = client.get(f"{T}/plans/").content.decode()
    ready = client.get(f"{T}/plans/?status=ready").content.decode()

    assert '<nav class="grid cols-4 status-cards"' in board
    assert '<a class="stat" href="?status=ready">' in board
    assert "Good to go" in ready and "Still a draft" not in ready
    # The chosen card shows it is the filter, and a second click shows every status again.
    assert '<a class="stat active" href="?" aria-current="true">' in ready
    assert re.search(r"\.grid\.cols-4 \{ grid-template-columns: repeat\(auto-fit", css())


@pytest.mark.django_db
def test_the_ranking_gives_its_reasons_the_width_and_lets_the_mdf_header_wrap(tenant, manager_user, partner):
    plan = PlanFactory(tenant=tenant, market_kind="vertical", market_value="healthcare")
    for _ in range(5):
        PlanAccountFactory(tenant=tenant, plan=plan)

    page = login(manager_user).get(f"{T}/plans/{plan.id}/").content.decode()

    assert '<table class="data ranking">' in page
    assert '<th class="why">Why</th>' in page and '<td class="small why">' in page
    assert '<th class="num wrap">MDF this quarter' in page
    assert "table.ranking .why { min-width: 14rem;" in css()
    assert "table.data th.wrap { white-space: normal;" in css()


@pytest.mark.django_db
def test_a_utm_string_wraps_in_its_card_and_has_a_copy_button(tenant, partner, manager_user):
    program = ProgramFactory(tenant=tenant, partner=partner, tracking_code="2026Q4-ACC-DACH-CONTOSO-1")
    client = login(manager_user)

    for path in (f"{T}/plans/{program.plan_id}/", f"{T}/programs/{program.id}/"):
        page = client.get(path).content.decode()
        assert f'<code id="utm-query">{program.utm_query.replace("&", "&amp;")}</code>' in page
        assert 'data-copy="#utm-query">Copy UTM</button>' in page
        assert '<script src="/static/js/copy.js" defer></script>' in page
    assert ".copyable code { flex: 1; min-width: 0; overflow-wrap: anywhere;" in css()
    assert "navigator.clipboard" in Path(finders.find("js/copy.js")).read_text()
