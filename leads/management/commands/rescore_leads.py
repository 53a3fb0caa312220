"""Score the leads that have no score yet (those that arrived before scoring existed, and were not
touched since), tenant by tenant, in chunks: `python manage.py rescore_leads [--tenant SLUG] [--all]`.
Until scored, a lead is not offered to partners."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from leads.models import Lead
from leads.services.scoring import leads_rescore
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import Tenant

CHUNK = 1000


class Command(BaseCommand):
    help = "Score the leads without a score (--all: every lead, e.g. after the rules changed)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="only this tenant (its slug)")
        parser.add_argument(
            "--all", dest="every", action="store_true", help="rescore every lead, not only unscored ones"
        )

    def handle(self, *args, tenant=None, every=False, **options):
        tenants = Tenant.objects.order_by("id")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant {tenant!r}.")
        for each in tenants:
            with tenant_context(each):
                leads = Lead.objects.filter(tenant=each)
                if not every:
                    leads = leads.filter(scored_at__isnull=True)
                ids = list(leads.order_by("id").values_list("id", flat=True))
                for start in range(0, len(ids), CHUNK):
                    with transaction.atomic():
                        leads_rescore(tenant=each, lead_ids=ids[start : start + CHUNK])
            self.stdout.write(f"{each.slug}: {len(ids)} leads scored.")
