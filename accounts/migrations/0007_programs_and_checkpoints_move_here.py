"""Programs (from plays) and checkpoints (from reporting) move to the planning side, which launches
and dates them. The tables keep their names: a database whose plays and reporting apps created them
keeps them (and their rows); a new one gets them here. Their content types move too, so the audit
trail and the permissions that point at them stay attached."""

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from django.db import migrations, models

MOVES = [("plays", "program"), ("reporting", "checkpoint")]


def _move(apps, moves):
    """Point the old app's content type at the new app (or merge into one that already exists)."""
    content_types = apps.get_model("contenttypes", "ContentType")
    audit_events = apps.get_model("tenancy", "AuditEvent")
    for (old_app, model), new_app in moves:
        old = content_types.objects.filter(app_label=old_app, model=model).first()
        if old is None:
            continue
        new = content_types.objects.filter(app_label=new_app, model=model).first()
        if new is None:
            old.app_label = new_app
            old.save(update_fields=["app_label"])
        else:
            audit_events.unscoped.filter(target_type=old).update(target_type=new)
            old.delete()


def create_tables_where_missing(apps, schema_editor):
    existing = set(schema_editor.connection.introspection.table_names())
    for name in ("Program", "Checkpoint"):
        model = apps.get_model("accounts", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def move_content_types(apps, schema_editor):
    _move(apps, [(move, "accounts") for move in MOVES])


def move_content_types_back(apps, schema_editor):
    _move(apps, [(("accounts", model), old_app) for old_app, model in MOVES])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_account_claims'),
        ('plays', '0004_program_moves_to_accounts'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('tenancy', '0003_base_manager_reads_like_unscoped'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='Checkpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.PositiveSmallIntegerField(choices=[(30, 'Day 30: operational'), (60, 'Day 60: engagement'), (90, 'Day 90: pipeline')])),
                ('due_on', models.DateField()),
                ('frozen_at', models.DateTimeField(blank=True, null=True)),
                ('snapshot', models.JSONField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkpoints', to='accounts.plan')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.tenant')),
            ],
            options={
                'db_table': 'reporting_checkpoint',
                'ordering': ['plan_id', 'day'],
                'indexes': [models.Index(condition=models.Q(('frozen_at__isnull', True)), fields=['due_on'], name='checkpoint_open_idx')],
                'constraints': [models.UniqueConstraint(fields=('tenant', 'plan', 'day'), name='checkpoint_one_per_day')],
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='Program',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('package_label', models.CharField(help_text='Package and revision pinned at launch.', max_length=200)),
                ('components', models.JSONField(help_text="The package's resolved components at launch: {key: content}.")),
                ('tracking_code', models.CharField(max_length=80)),
                ('utm_source', models.CharField(max_length=80)),
                ('utm_medium', models.CharField(max_length=40)),
                ('utm_campaign', models.CharField(max_length=80)),
                ('utm_content', models.CharField(max_length=40)),
                ('status', models.CharField(choices=[('running', 'Running'), ('completed', 'Completed')], default='running', max_length=10)),
                ('launched_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('package', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programs', to='plays.activationpackage')),
                ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programs', to='tenancy.partner')),
                ('plan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='program', to='accounts.plan')),
                ('play', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programs', to='plays.play')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.tenant')),
            ],
            options={
                'db_table': 'plays_program',
                'ordering': ['-launched_at', '-id'],
                'indexes': [models.Index(fields=['tenant', 'partner'], name='program_tenant_partner_idx')],
                'constraints': [models.UniqueConstraint(fields=('tenant', 'tracking_code'), name='program_tracking_code_unique')],
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
            ]
        ),
        migrations.RunPython(create_tables_where_missing, migrations.RunPython.noop),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
