"""The demo tenant opens with a plan whose three checkpoints are frozen: a partner manager sees met
and missed results on day one."""

import pytest
from django.core.management import call_command

from accounts.models import Checkpoint, Plan
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Notification, Tenant
from reporting.demo import PLAN_NAME


@pytest.mark.django_db
def test_the_demo_plan_has_its_checkpoints_frozen_once():
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)  # idempotent
    with tenant_context(Tenant.objects.get(slug="northwind")):
        plan = Plan.objects.get(name=PLAN_NAME)
        results = {
            checkpoint.day: (
                checkpoint.snapshot["met"],
                [m["actual"] for m in checkpoint.snapshot["measures"]],
            )
            for checkpoint in Checkpoint.objects.filter(plan=plan)
        }
        assert results == {30: (True, [1, 1, 2]), 60: (False, [2]), 90: (False, [1, "120000.00"])}
        assert Notification.objects.filter(title__startswith="Day 60 checkpoint missed").count() == 2


@pytest.mark.django_db
def test_the_demo_has_two_years_of_fx_rates_and_attributed_pipeline(client):
    from django.test import Client

    from partnerhub.tenancy.models import User
    from reporting.models import FxRate

    call_command("seed_demo", quiet=True)
    with tenant_context(Tenant.objects.get(slug="northwind")):
        assert (
            FxRate.objects.filter(currency="EUR").count() == 25
        )  # every month start, two years and this one
    client = Client()
    client.force_login(User.objects.get(email="pm@northwind.example"))
    page = client.get("/t/northwind/reporting/attribution/")
    assert page.status_code == 200 and page.context["split"].total_count > 0
