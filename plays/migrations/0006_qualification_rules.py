"""The catalog's qualification component gains its machine-readable "Rules:" block
(plays/qualification.py). Every tenant's master that still holds the catalog's old qualification text,
word for word, gets the new text (the same prose with rules that match it): its revision rises and
the change is in the audit trail, as an edit would be. A text the tenant edited is left as it is (its
leads are scored by the catalog's default rules until it gains a block), and programs keep what
they pinned at launch."""

from django.db import migrations

from partnerhub.tenancy.context import tenant_context
from plays import catalog

KEY = "qualification_logic"
# The catalog's text before it carried rules, as every tenant was given it.
OLD_TEXT = (
    "Handoff criteria (never hand over raw event scans):\n"
    "- Engagement threshold: score of 60 or more, of which at least 30 from actions, not page views.\n"
    "- Actions that count: attended the session (20), booked a meeting (40), replied to a nurture email "
    "(15), downloaded the briefing pack (10), visited the landing page twice (5).\n"
    "- Fit: company is on the plan's named account list (required); title is director or above, or owns "
    "the budget line (required).\n"
    "Routing: a sales-ready lead goes to the account's sales owner and, if the partner has access to the "
    "account, is handed off to the partner with its context. Leads below the threshold stay in the "
    "vendor's nurture.\n"
    "SLA: accept within 24 h, first touch within 24 h, qualification call within 5 days; a breach nudges, "
    "then escalates to the partner manager, then recalls the lead."
)


def add_rules(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    ActivationPackage = apps.get_model("plays", "ActivationPackage")
    PackageComponent = apps.get_model("plays", "PackageComponent")
    AuditEvent = apps.get_model("tenancy", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Tenant by tenant, with the tenant active: the database wall admits each tenant's rows only inside it.
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            components = PackageComponent._base_manager.filter(
                tenant=tenant, key=KEY, package__parent__isnull=True, content=OLD_TEXT
            ).select_related("package__play")
            for component in components:
                new_text = catalog.PLAYS[component.package.play.kind]["components"][KEY]
                component.content = new_text
                component.save(update_fields=["content", "updated_at"])
                package = component.package
                package.revision += 1
                package.save(update_fields=["revision", "updated_at"])
                package_type, _ = ContentType.objects.get_or_create(app_label="plays", model="activationpackage")
                AuditEvent._base_manager.create(
                    tenant=tenant,
                    action="package.component_updated",
                    target_type=package_type,
                    target_id=str(package.pk),
                    target_label=package.name[:200],
                    before={"key": KEY, "content": OLD_TEXT, "revision": package.revision - 1},
                    after={"key": KEY, "content": new_text, "revision": package.revision},
                    actor_label="System",
                )


class Migration(migrations.Migration):
    dependencies = [
        ("plays", "0005_vertical_is_a_tenant_vertical"),
        ("tenancy", "0002_notification"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
