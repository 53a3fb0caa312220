"""Each handoff stores its deadline (the earliest due instant of its running clocks), which the
inbox sorts and filters by through the two new indexes; open handoffs get theirs computed here."""

from django.db import connection, migrations, models

from partnerhub.tenancy.context import tenant_context

DEADLINE = """
UPDATE leads_handoff SET deadline_at = CASE
    WHEN state = 'offered' THEN accept_due_at
    WHEN state = 'accepted' THEN LEAST(
        CASE WHEN first_contact_at IS NULL THEN contact_due_at END,
        CASE WHEN qualified_at IS NULL THEN qualify_due_at END)
    END
WHERE tenant_id = %s AND state IN ('offered', 'accepted')
"""


def fill_deadlines(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    # Tenant by tenant, with the tenant active: the database wall admits each tenant's rows only inside it.
    for tenant in Tenant.objects.all():
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(DEADLINE, [tenant.id])


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0003_handoffs"),
        ("tenancy", "0007_install_default_verticals"),
    ]

    operations = [
        migrations.AddField(
            model_name="handoff",
            name="deadline_at",
            field=models.DateTimeField(
                blank=True, help_text="The earliest due instant of the running clocks; empty: none runs.", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(
                fields=["tenant", "partner", "deadline_at", "-offered_at", "-id"], name="handoff_partner_inbox_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="handoff",
            index=models.Index(fields=["tenant", "deadline_at", "-offered_at", "-id"], name="handoff_inbox_idx"),
        ),
        migrations.RunPython(fill_deadlines, migrations.RunPython.noop),
    ]
