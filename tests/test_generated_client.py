"""A client generated from the OpenAPI schema works: openapi-python-client (pinned in pyproject)
generates a typed client from the document /api/schema/ serves, once per session, into a temporary
folder, and a revops script drives a live server of the test stack through it (its typed models,
no hand-written requests): page through lists, filter by what an answer shows, create an account
with an idempotency key, walk a plan from draft to launch, upsert in bulk, and read 400s as the
one error model.

A schema defect a client author would trip over fails here: a draft plan the parser cannot read,
a sort or filter the client cannot send the way the server reads it, an undeclared header, an
error answer without the shared model, or a generator warning (an operation left out)."""

import datetime
import importlib
import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.roles import Role
from plays.models import PlayKind
from plays.services import catalog_install
from tests.conftest import PLAN_YEAR, make_member
from tests.factories import (
    AccountMappingFactory,
    ApiKeyFactory,
    TargetAccountFactory,
)
from tests.openapi import schema_document

# The live server listens on the loopback address only (pytest-django reads this when it starts it).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

PACKAGE = "partnerhub_client"
SALES = "sales@northwind.example"


class Generated:
    """The generated package: `models` and each operation's module by its operationId."""

    def __init__(self, package):
        self.models = importlib.import_module(f"{package.__name__}.models")
        self.client_module = importlib.import_module(f"{package.__name__}.client")
        self.package = package

    def __getattr__(self, operation_id: str):
        tag_folder = importlib.import_module(f"{self.package.__name__}.api")
        for tag in sorted(os.listdir(tag_folder.__path__[0])):
            if os.path.exists(os.path.join(tag_folder.__path__[0], tag, f"{operation_id}.py")):
                return importlib.import_module(f"{self.package.__name__}.api.{tag}.{operation_id}")
        raise AttributeError(operation_id)


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated_client")
    schema = folder / "openapi.json"
    schema.write_text(json.dumps(schema_document()))
    config = folder / "config.json"
    # No post hooks: formatting the generated code with ruff is of no use to a test.
    config.write_text(json.dumps({"post_hooks": []}))
    command = [
        "generate",
        "--path",
        schema,
        "--config",
        config,
        "--meta",
        "none",
        "--output-path",
        folder / PACKAGE,
    ]
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", *map(str, command)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield Generated(importlib.import_module(PACKAGE))
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def northwind(transactional_db, tenant, partner, other_partner):
    """The suite's tenant and its two partners, with a sales owner, six healthcare accounts (two
    mapped to Contoso), the play catalog and a read-write key. Committed (the live server reads it)."""
    sales = make_member(tenant, Role.SALES, email=SALES)
    contoso = partner
    accounts = [
        TargetAccountFactory(
            tenant=tenant, name=f"Clinic {n}", domain=f"clinic{n}.example", owner=sales if n < 2 else None
        )
        for n in range(6)
    ]
    AccountMappingFactory(tenant=tenant, partner=contoso, account=accounts[0], relationship="customer")
    AccountMappingFactory(tenant=tenant, partner=contoso, account=accounts[1])
    with tenant_context(tenant):
        plays = {play.kind: play for play in catalog_install(tenant=tenant)}
    key = ApiKeyFactory(tenant=tenant, scopes=["read", "write"])
    return {"key": key.raw_key, "contoso": contoso, "accounts": accounts, "plays": plays}


@pytest.fixture
def api(generated, live_server, northwind):
    """The generated client, authenticated with the tenant's key; an answer the schema does not
    document raises instead of passing unparsed."""
    client = generated.client_module.AuthenticatedClient(
        base_url=live_server.url, token=northwind["key"], raise_on_unexpected_status=True
    )
    with client:
        yield client


def cursor_of(next_url: str) -> str:
    return parse_qs(urlsplit(next_url).query)["cursor"][0]


def test_lists_page_sort_and_filter_by_what_their_answers_show(generated, api, northwind):
    first = generated.accounts_list.sync(client=api, page_size=4)
    second = generated.accounts_list.sync(client=api, page_size=4, cursor=cursor_of(first.next_))
    by_name = generated.partners_list.sync(client=api, sort="-name", page_size=1)
    page_two = generated.partners_list.sync(client=api, sort="-name", page_size=1, page=2)
    owner = first.results[0].owner
    owned = generated.accounts_list.sync(client=api, owner=owner)

    assert [account.name for account in first.results + second.results] == [f"Clinic {n}" for n in range(6)]
    assert second.next_ is None
    assert (by_name.count, by_name.results[0].name, page_two.results[0].name) == (
        2,
        "Fabrikam Systems",
        "Contoso Consulting",
    )
    assert owner == SALES
    assert [account.name for account in owned.results] == ["Clinic 0", "Clinic 1"]


def test_an_account_is_created_once_per_idempotency_key_and_a_clash_reads_as_the_error_model(generated, api):
    models = generated.models
    body = models.AccountRequest(
        name="Tailspin Health",
        domain="https://www.tailspinhealth.example/about",
        industry="healthcare",
        owner=SALES,
    )

    created = generated.accounts_create.sync_detailed(client=api, body=body, idempotency_key="crm-1")
    replayed = generated.accounts_create.sync_detailed(client=api, body=body, idempotency_key="crm-1")
    clash = generated.accounts_create.sync_detailed(client=api, body=body, idempotency_key="crm-2")

    assert created.status_code == 201
    assert (created.parsed.domain, created.parsed.owner, created.parsed.open_pipeline_amount) == (
        "tailspinhealth.example",
        SALES,
        None,
    )
    assert (replayed.parsed.id, replayed.headers["Idempotent-Replayed"]) == (created.parsed.id, "true")
    assert clash.status_code == 400
    assert isinstance(clash.parsed, models.Error)
    assert clash.parsed.additional_properties == {"domain": ["An account with this domain already exists."]}


def test_a_list_refuses_a_page_it_cannot_serve_with_the_error_model(generated, api):
    past_the_end = generated.partners_list.sync_detailed(client=api, page=9)
    unknown_sort = generated.plans_list.sync_detailed(client=api, sort="colour")

    assert past_the_end.status_code == 400
    assert isinstance(past_the_end.parsed, generated.models.Error)
    assert past_the_end.parsed.additional_properties["page"] == [
        "There is no such page: the last is 1 at 50 rows a page."
    ]
    assert unknown_sort.status_code == 400
    assert list(unknown_sort.parsed.additional_properties) == ["sort"]


def test_a_plan_is_walked_from_draft_to_launch(generated, api, northwind):
    models = generated.models
    accounts, partner = northwind["accounts"], northwind["contoso"]

    draft = generated.plans_create.sync(
        client=api, body=models.PlanCreateRequest(year=PLAN_YEAR, quarter=4, name="Hospitals Q4")
    )
    listed = generated.plans_list.sync(client=api, status=models.PlanStatusEnum.DRAFT)
    early = generated.plans_launch_create.sync_detailed(client=api, id=draft.id)

    assert (draft.status, draft.partner, draft.play, draft.follow_up, draft.program) == (
        models.PlanStatusEnum.DRAFT,
        None,
        None,
        None,
        None,
    )
    assert (draft.targets.day30_followups, draft.targets.day90_pipeline) == (None, None)
    assert [plan.id for plan in listed.results] == [draft.id]
    assert early.status_code == 400
    assert isinstance(early.parsed, models.Error)
    assert early.parsed.detail == "No follow-up commitment, no launch: complete step 5 (follow-up) first."

    plan_id = draft.id
    generated.plans_market_create.sync(
        client=api,
        id=plan_id,
        body=models.MarketInputRequest(market_kind=models.MarketKindEnum.VERTICAL, market_value="healthcare"),
    )
    generated.plans_accounts_create.sync(
        client=api, id=plan_id, body=models.AccountsInputRequest(account_ids=[a.id for a in accounts])
    )
    ranking = generated.plans_ranking_list.sync(client=api, id=plan_id, limit=5)
    generated.plans_partner_create.sync(
        client=api, id=plan_id, body=models.PartnerInputRequest(partner_id=ranking[0].partner.id)
    )
    recommendation = generated.plans_recommendation_retrieve.sync(client=api, id=plan_id)
    generated.plans_play_create.sync(
        client=api,
        id=plan_id,
        body=models.PlayInputRequest(play_id=recommendation.play.id, note="Contoso knows hospitals."),
    )
    generated.plans_follow_up_create.sync(
        client=api,
        id=plan_id,
        body=models.FollowUpInputRequest(
            sales_owner=SALES,
            due_on=timezone.localdate() + datetime.timedelta(days=10),
            talk_track="Thank them for coming; offer the architecture review.",
        ),
    )
    generated.plans_targets_create.sync(
        client=api,
        id=plan_id,
        body=models.TargetsInputRequest(
            day30_followups=6,
            day60_meetings=3,
            day90_opportunities=2,
            day90_pipeline="250000.00",
            currency=models.CurrencyEnum.EUR,
        ),
    )
    generated.plans_kickoff_create.sync(
        client=api, id=plan_id, body=models.KickoffInputRequest(owner_sales=SALES)
    )
    launched = generated.plans_launch_create.sync(client=api, id=plan_id)

    assert (ranking[0].partner.id, ranking[0].access) == (partner.id, 2)
    assert recommendation.play.id == northwind["plays"][PlayKind.VERTICAL_WEDGE].id
    assert launched.status == models.PlanStatusEnum.LAUNCHED
    assert [step.complete for step in launched.steps] == [True] * 6
    assert (launched.partner.name, launched.owners.owner_sales) == ("Contoso Consulting", SALES)
    assert (launched.targets.day90_pipeline, launched.targets.currency) == (
        "250000.00",
        models.CurrencyEnum.EUR,
    )
    assert launched.program.tracking_code
    assert [checkpoint.day for checkpoint in launched.checkpoints] == [
        models.DayEnum.VALUE_30,
        models.DayEnum.VALUE_60,
        models.DayEnum.VALUE_90,
    ]


def test_a_bulk_upsert_reports_each_row_and_a_bad_envelope_reads_as_the_error_model(generated, api):
    models = generated.models
    rows = [
        models.AccountRowRequest(
            external_id="001A000001", name="Woodgrove Clinics", domain="woodgrove.example"
        ),
        models.AccountRowRequest(external_id="001A000002", name="Fourth Coffee", domain="fourth coffee"),
    ]

    report = generated.bulk_accounts_create.sync(
        client=api, body=models.AccountBulkRequestRequest(rows=rows), idempotency_key="sync-1"
    )
    again = generated.bulk_accounts_create.sync(
        client=api, body=models.AccountBulkRequestRequest(rows=rows[:1])
    )
    too_many = generated.bulk_accounts_create.sync_detailed(
        client=api, body=models.AccountBulkRequestRequest(rows=rows[:1] * 1001)
    )

    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    assert [(rejection.row, rejection.column) for rejection in report.rejected] == [(2, "domain")]
    assert (again.created, again.unchanged) == (0, 1)
    assert too_many.status_code == 400
    assert isinstance(too_many.parsed, models.Error)
    assert too_many.parsed.additional_properties == {
        "rows": ["Send at most 1000 rows per call; split larger syncs."]
    }
