"""Load the demo tenant: run it as often as you like, it creates only what is missing."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import seed_planning
from leads.demo import seed_leads
from mdf.demo import seed_mdf
from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import ApiKey, Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import Role
from reporting.demo import seed_reporting

DEMO_PASSWORD = "partnerhub-demo"
DEMO_KEY_NAME = "Demo CRM sync"

PARTNERS = [
    dict(
        name="Contoso Consulting",
        website="https://contoso.example",
        tier=Partner.Tier.ONE_TO_ONE,
        verticals=["healthcare", "financial_services"],
        regions=["north_america"],
        certifications=["Cloud Architect", "Security Specialist"],
        has_marketing_automation=True,
    ),
    dict(
        name="Adatum Cloud Services",
        website="https://adatum.example",
        tier=Partner.Tier.ONE_TO_ONE,
        verticals=["technology"],
        regions=["anz", "asia"],
        certifications=["Cloud Architect"],
        has_marketing_automation=True,
    ),
    dict(
        name="Fabrikam Systems",
        website="https://fabrikam.example",
        tier=Partner.Tier.ONE_TO_FEW,
        verticals=["manufacturing"],
        regions=["dach"],
        certifications=["Data Platform"],
    ),
    dict(
        name="Tailspin Analytics",
        website="https://tailspin.example",
        tier=Partner.Tier.ONE_TO_FEW,
        verticals=["retail"],
        regions=["uk_ireland"],
        certifications=["Analytics"],
    ),
    dict(
        name="Litware Partners",
        website="https://litware.example",
        tier=Partner.Tier.ONE_TO_MANY,
        verticals=["education"],
        regions=["north_america"],
    ),
    dict(
        name="Proseware Integration",
        website="https://proseware.example",
        tier=Partner.Tier.ONE_TO_MANY,
        status=Partner.Status.PROSPECT,
        verticals=["public_sector"],
        regions=["france"],
    ),
]

# email, name, tenant slug, role, partner name
PEOPLE = [
    ("admin@northwind.example", "Avery Admin", "northwind", Role.TENANT_ADMIN, None),
    ("pm@northwind.example", "Pat Partnermanager", "northwind", Role.PARTNER_MANAGER, None),
    ("sales@northwind.example", "Sam Sales", "northwind", Role.SALES, None),
    ("revops@northwind.example", "Riley Revops", "northwind", Role.REVOPS, None),
    ("partner@contoso.example", "Casey Contoso", "northwind", Role.PARTNER_ADMIN, "Contoso Consulting"),
    ("user@fabrikam.example", "Frankie Fabrikam", "northwind", Role.PARTNER_USER, "Fabrikam Systems"),
    # The admin works for a second vendor too: the tenant switcher has something to switch to.
    ("admin@northwind.example", "Avery Admin", "globex", Role.TENANT_ADMIN, None),
]


class Command(BaseCommand):
    help = "Create the demo tenants, partners and users (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        tenants = {
            "northwind": self.tenant("northwind", "Northwind Cloud", "America/New_York"),
            "globex": self.tenant("globex", "Globex Software", "Europe/Berlin"),
        }
        with tenant_context(tenants["northwind"]):
            for fields in PARTNERS:
                if not Partner.objects.filter(tenant=tenants["northwind"], name=fields["name"]).exists():
                    services.partner_create(tenant=tenants["northwind"], actor=None, **fields)
        with tenant_context(tenants["globex"]):
            if not Partner.objects.filter(tenant=tenants["globex"]).exists():
                services.partner_create(
                    tenant=tenants["globex"],
                    actor=None,
                    name="Initech Solutions",
                    tier=Partner.Tier.ONE_TO_FEW,
                    verticals=["financial_services"],
                    regions=["dach"],
                )
        for email, name, slug, role, partner_name in PEOPLE:
            self.person(tenants[slug], email, name, role, partner_name)
        with tenant_context(tenants["northwind"]):
            manager = User.objects.get(email="pm@northwind.example")
            Partner.objects.filter(tenant=tenants["northwind"], account_manager__isnull=True).update(
                account_manager=manager
            )
            raw_key = self.demo_key(tenants["northwind"])
            seed_planning(tenants["northwind"])
            seed_leads(tenants["northwind"])
            seed_mdf(tenants["northwind"])
            seed_reporting(tenants["northwind"])
        if not quiet:
            self.report(raw_key)

    def tenant(self, slug, name, timezone) -> Tenant:
        existing = Tenant.objects.filter(slug=slug).first()
        return existing or services.tenant_create(actor=None, slug=slug, name=name, timezone=timezone)

    def person(self, tenant, email, name, role, partner_name) -> None:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        with tenant_context(tenant):
            partner = Partner.objects.get(tenant=tenant, name=partner_name) if partner_name else None
            Membership.objects.get_or_create(
                tenant=tenant, user=user, defaults={"role": role, "partner": partner}
            )

    def demo_key(self, tenant) -> str:
        # A key's secret is shown once; to print a working one every run, the demo key is replaced.
        ApiKey.objects.filter(tenant=tenant, name=DEMO_KEY_NAME).delete()
        _, raw_key = services.api_key_create(
            tenant=tenant, actor=None, name=DEMO_KEY_NAME, scopes=["read", "write"]
        )
        return raw_key

    def report(self, raw_key: str) -> None:
        write = self.stdout.write
        write("")
        write(self.style.MIGRATE_HEADING(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        seen = set()
        for email, _, _, role, partner_name in PEOPLE:
            if email in seen:
                continue
            seen.add(email)
            who = f"{Role(role).label}" + (f" at {partner_name}" if partner_name else "")
            write(f"  {email:<28} {who}")
        write("  (admin@northwind.example also belongs to a second tenant, Globex Software)")
        write("")
        write(self.style.MIGRATE_HEADING("Demo revops API key (Northwind Cloud, read + write):"))
        write(f"  {raw_key}")
        write(f'  curl -H "Authorization: Bearer {raw_key}" http://127.0.0.1:8000/api/v1/partners/')
        write("")
