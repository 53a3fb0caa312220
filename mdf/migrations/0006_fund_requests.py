"""Fund requests, the pre-approved catalog, proposal templates and the approval rules (docs/mdf.md,
"Requests"), after the proof files (0005). The row-level security policies of the new tables are installed after migrate (partnerhub/tenancy/rls.py)."""

import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
import partnerhub.tenancy.taxonomy
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0014_account_reversed_domain"),
        ("mdf", "0005_proof_files"),
        ("plays", "0006_qualification_rules"),
        ("tenancy", "0010_logos"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                (
                    "activity_type",
                    models.CharField(
                        choices=[
                            ("event", "Event"),
                            ("webinar", "Webinar"),
                            ("campaign", "Digital campaign"),
                            ("content", "Content"),
                            ("training", "Training"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0.01)],
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        choices=partnerhub.tenancy.taxonomy.currency_choices, default="USD", max_length=3
                    ),
                ),
                (
                    "tiers",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(
                            choices=[
                                ("one_to_one", "One-to-one (strategic)"),
                                ("one_to_few", "One-to-few (growing)"),
                                ("one_to_many", "One-to-many (long tail)"),
                            ],
                            max_length=20,
                        ),
                        default=list,
                        help_text="The partner tiers that may request it.",
                        size=None,
                    ),
                ),
                (
                    "limit_per_quarter",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="How many a partner may have approved per quarter; empty: no limit.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="ProposalTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                (
                    "questions",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=300),
                        default=list,
                        help_text="What a proposal from it must answer.",
                        size=None,
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "play",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="proposal_templates",
                        to="plays.play",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["play", "name", "id"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="FundRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("strategic", "Strategic (joint budget line)"),
                            ("proposal", "Proposal"),
                            ("catalog", "Catalog"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "answers",
                    models.JSONField(
                        blank=True, default=dict, help_text="The template's questions answered."
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                (
                    "activity_type",
                    models.CharField(
                        choices=[
                            ("event", "Event"),
                            ("webinar", "Webinar"),
                            ("campaign", "Digital campaign"),
                            ("content", "Content"),
                            ("training", "Training"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("starts_on", models.DateField()),
                ("ends_on", models.DateField()),
                (
                    "format",
                    models.CharField(
                        choices=[("in_person", "In person"), ("virtual", "Virtual")],
                        default="virtual",
                        max_length=20,
                    ),
                ),
                ("expected_accounts_in_room", models.PositiveIntegerField(default=0)),
                ("expected_meetings", models.PositiveIntegerField(default=0)),
                (
                    "expected_pipeline",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                (
                    "partner_contribution",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                ("amount_requested", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "amount_approved",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "currency",
                    models.CharField(choices=partnerhub.tenancy.taxonomy.currency_choices, max_length=3),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("info_requested", "Information requested"),
                            ("resubmitted", "Resubmitted"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("declined", "Declined"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="draft",
                        max_length=20,
                    ),
                ),
                ("review_note", models.TextField(blank=True)),
                (
                    "first_approved_amount",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                ("in_review_since", models.DateTimeField(blank=True, null=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "allocation",
                    models.ForeignKey(
                        help_text="Where its money comes from: the partner's allocation, or the tier's pool (catalog).",
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="requests",
                        to="mdf.allocation",
                    ),
                ),
                (
                    "catalog_item",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests",
                        to="mdf.catalogitem",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "first_approved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "fund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT, related_name="requests", to="mdf.fund"
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="mdf_requests",
                        to="tenancy.partner",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="mdf_requests",
                        to="accounts.plan",
                    ),
                ),
                (
                    "program",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="mdf_requests",
                        to="accounts.program",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests",
                        to="mdf.proposaltemplate",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name="RequestAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.targetaccount",
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="request_accounts",
                        to="mdf.fundrequest",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name="fundrequest",
            name="target_accounts",
            field=models.ManyToManyField(
                blank=True, related_name="+", through="mdf.RequestAccount", to="accounts.targetaccount"
            ),
        ),
        migrations.CreateModel(
            name="RequestRules",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "second_approval_above",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="A request approved for more than this needs a second, different approver.",
                        max_digits=14,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                (
                    "aging_business_days",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="A request in review longer than this many business days is shown as aging.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.tenant",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "request rules",
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("unscoped", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddConstraint(
            model_name="catalogitem",
            constraint=models.UniqueConstraint(fields=("tenant", "name"), name="catalog_item_name_unique"),
        ),
        migrations.AddConstraint(
            model_name="catalogitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="catalog_item_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="proposaltemplate",
            constraint=models.UniqueConstraint(
                fields=("tenant", "play", "name"), name="proposal_template_name_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="requestaccount",
            constraint=models.UniqueConstraint(fields=("request", "account"), name="request_account_once"),
        ),
        migrations.AddIndex(
            model_name="fundrequest",
            index=models.Index(fields=["tenant", "state", "in_review_since"], name="fund_request_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="fundrequest",
            index=models.Index(fields=["tenant", "partner", "state"], name="fund_request_partner_idx"),
        ),
        migrations.AddIndex(
            model_name="fundrequest",
            index=models.Index(fields=["tenant", "fund", "state"], name="fund_request_fund_idx"),
        ),
        migrations.AddIndex(
            model_name="fundrequest",
            index=models.Index(fields=["catalog_item", "partner", "state"], name="fund_request_catalog_idx"),
        ),
        migrations.AddConstraint(
            model_name="fundrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_requested__gt", 0)), name="fund_request_amount_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="fundrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("amount_approved__isnull", True),
                    models.Q(
                        ("amount_approved__gt", 0), ("amount_approved__lte", models.F("amount_requested"))
                    ),
                    _connector="OR",
                ),
                name="fund_request_approved_within_asked",
            ),
        ),
        migrations.AddConstraint(
            model_name="fundrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))), name="fund_request_dates"
            ),
        ),
        migrations.AddConstraint(
            model_name="fundrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind", "catalog"), ("catalog_item__isnull", False), ("template__isnull", True)
                    ),
                    models.Q(
                        ("kind", "proposal"), ("template__isnull", False), ("catalog_item__isnull", True)
                    ),
                    models.Q(
                        ("kind", "strategic"), ("template__isnull", True), ("catalog_item__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="fund_request_kind_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="fundrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "draft",
                            "submitted",
                            "info_requested",
                            "resubmitted",
                            "approved",
                            "rejected",
                            "declined",
                            "cancelled",
                        ],
                    )
                ),
                name="fund_request_state_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="requestrules",
            constraint=models.UniqueConstraint(fields=("tenant",), name="request_rules_one_per_tenant"),
        ),
    ]
