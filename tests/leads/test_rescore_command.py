"""`manage.py rescore_leads` scores the leads that arrived before scoring, so they can be offered."""

import io

import pytest
from django.core.management import call_command

from leads.models import Lead
from partnerhub.tenancy.context import tenant_context
from tests.factories import LeadFactory, TargetAccountFactory, TouchFactory

pytestmark = pytest.mark.django_db


def test_unscored_leads_get_their_score_and_readiness(tenant, other_tenant):
    account = TargetAccountFactory(tenant=tenant)
    lead = LeadFactory(tenant=tenant, title="Director of IT", account=account)
    for kind in ("event_attended", "meeting"):
        TouchFactory(tenant=tenant, lead=lead, kind=kind)  # written directly: nothing scored them
    LeadFactory(tenant=other_tenant)
    with tenant_context(tenant):
        assert Lead.objects.get(id=lead.id).scored_at is None

    out = io.StringIO()
    call_command("rescore_leads", "--tenant", "northwind", stdout=out)

    assert "northwind: 1 leads scored." in out.getvalue()
    with tenant_context(tenant):
        lead.refresh_from_db()
    assert lead.scored_at is not None and lead.ready and lead.score == 60
    out = io.StringIO()
    call_command("rescore_leads", "--tenant", "northwind", stdout=out)
    assert "northwind: 0 leads scored." in out.getvalue()  # only the unscored, unless --all
