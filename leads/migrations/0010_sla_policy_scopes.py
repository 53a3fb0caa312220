"""SLA policies per partner and per program beside the tenant's default and the tiers' own: at most
one scope a policy, one policy a scope. First contact is due within 24 business hours by default
(issue 9); existing policies keep the hours they have. The table keeps its row-level security (it
is installed after every migrate, partnerhub.tenancy.rls)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0013_import_kinds_registered'),
        ('leads', '0009_attendance'),
        ('tenancy', '0010_logos'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='slapolicy',
            name='sla_policy_one_per_tier',
        ),
        migrations.AddField(
            model_name='slapolicy',
            name='partner',
            field=models.ForeignKey(blank=True, help_text="This partner's handoffs, whatever its tier.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sla_policies', to='tenancy.partner'),
        ),
        migrations.AddField(
            model_name='slapolicy',
            name='program',
            field=models.ForeignKey(blank=True, help_text='The handoffs of the leads that came through this program, whichever partner has them.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sla_policies', to='accounts.program'),
        ),
        migrations.AlterField(
            model_name='slapolicy',
            name='accept_hours',
            field=models.PositiveIntegerField(default=24, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(500)], verbose_name='accept within (business hours)'),
        ),
        migrations.AlterField(
            model_name='slapolicy',
            name='contact_hours',
            field=models.PositiveIntegerField(default=24, help_text='Counted from acceptance.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(500)], verbose_name='first contact within (business hours)'),
        ),
        migrations.AlterField(
            model_name='slapolicy',
            name='grace_hours',
            field=models.PositiveIntegerField(default=24, help_text='After a breach, before the recall.', validators=[django.core.validators.MaxValueValidator(500)], verbose_name='grace before recall (business hours)'),
        ),
        migrations.AlterField(
            model_name='slapolicy',
            name='qualify_days',
            field=models.PositiveIntegerField(default=5, help_text='Counted from acceptance.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)], verbose_name='qualify within (business days)'),
        ),
        migrations.AlterField(
            model_name='slapolicy',
            name='silent_days',
            field=models.PositiveIntegerField(default=14, help_text='An accepted handoff with no feedback for this long is silent: the partner is nudged.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(250)], verbose_name='silent after (calendar days)'),
        ),
        migrations.AlterField(
            model_name='slapolicy',
            name='tier',
            field=models.CharField(blank=True, choices=[('one_to_one', 'One-to-one (strategic)'), ('one_to_few', 'One-to-few (growing)'), ('one_to_many', 'One-to-many (long tail)')], help_text="The partners of this tier; empty with no partner and no program: the tenant's default.", max_length=20),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('partner__isnull', True), ('tier', '')), models.Q(('program__isnull', True), ('tier', '')), models.Q(('partner__isnull', True), ('program__isnull', True)), _connector='OR'), name='sla_policy_one_scope_at_most', violation_error_message='A policy has one scope at most: a tier, a partner or a program.'),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.UniqueConstraint(condition=models.Q(('partner__isnull', True), ('program__isnull', True), ('tier', '')), fields=('tenant',), name='sla_policy_one_default'),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.UniqueConstraint(condition=models.Q(('tier', ''), _negated=True), fields=('tenant', 'tier'), name='sla_policy_one_per_tier'),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.UniqueConstraint(condition=models.Q(('partner__isnull', False)), fields=('tenant', 'partner'), name='sla_policy_one_per_partner'),
        ),
        migrations.AddConstraint(
            model_name='slapolicy',
            constraint=models.UniqueConstraint(condition=models.Q(('program__isnull', False)), fields=('tenant', 'program'), name='sla_policy_one_per_program'),
        ),
    ]
