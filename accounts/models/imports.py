"""Imports: a CSV upload and its job, the column mappings a tenant saves for its CRM's files, and
the tenant's vocabularies (a CRM's stage or industry names mapped to PartnerHub's values)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from accounts.importing.kinds import kind_label
from partnerhub.tenancy.scoping import TenantScopedModel


class ImportJob(TenantScopedModel):
    """A CSV upload processed by a worker; the page polls its progress and shows its report."""

    class Kind(models.TextChoices):
        """The kinds accounts registers itself; apps above register theirs (accounts.importing.kinds),
        so the column holds any registered kind's name, not a closed list."""

        ACCOUNTS = "accounts", "Accounts"
        OPPORTUNITIES = "opportunities", "Opportunities"
        MAPPINGS = "mappings", "Account mapping"
        CLAIMS = "claims", "A partner's accounts"

    class Status(models.TextChoices):
        MAPPING = "mapping", "Awaiting column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Discarded"

    kind = models.CharField(max_length=20, help_text="A registered import kind (accounts.importing.kinds).")
    partner = models.ForeignKey(
        "tenancy.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner whose account mapping this upload is (mapping imports only).",
    )
    program = models.ForeignKey(
        "accounts.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The program whose attendee list this upload is (event attendance imports only).",
    )
    filename = models.CharField(max_length=255)
    content = models.TextField(help_text="The uploaded CSV, kept until the job is done.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    header = models.JSONField(default=list, blank=True, help_text="The file's column names, as written.")
    columns = models.JSONField(
        default=list,
        blank=True,
        help_text='For each column of the file, the field it is read into, or "" when it is ignored.',
    )
    options = models.JSONField(
        default=dict, blank=True, help_text="How values are read: date order, decimal mark, currency."
    )
    saved_mapping = models.ForeignKey(
        "accounts.ImportMapping",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The saved mapping the columns came from or were saved as.",
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, reason}] of rejected rows.")
    rejected_records = models.JSONField(
        default=dict,
        blank=True,
        help_text="{row: [cells]} of rejected rows as the file had them, for the download to fix.",
    )
    notices = models.JSONField(
        default=dict, blank=True, help_text="{what: count} the report mentions, e.g. a default currency used."
    )
    failure = models.TextField(blank=True, help_text="Why the whole file could not be read, if it could not.")
    created_by = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="importjob_tenant_created_idx"),
            models.Index(fields=["created_at"], condition=Q(status="queued"), name="importjob_queued_idx"),
            # The sweep's search for uploads left at the mapping step.
            models.Index(fields=["created_at"], condition=Q(status="mapping"), name="importjob_mapping_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import: {self.filename}"

    def get_kind_display(self) -> str:
        return kind_label(self.kind)

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def awaits_mapping(self) -> bool:
        return self.status == self.Status.MAPPING

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)


class ImportMapping(TenantScopedModel):
    """A column mapping saved for a source ("Salesforce accounts report"): which column of the file
    goes to which field, and how its values are read. A file whose header has the same columns
    (see `accounts.importing.columns.header_signature`) gets it applied on upload, and the bulk API
    applies it by name."""

    kind = models.CharField(max_length=20, help_text="A registered import kind (accounts.importing.kinds).")
    name = models.CharField(
        max_length=100, help_text="What the source is, e.g. “Salesforce accounts report”."
    )
    columns = models.JSONField(default=dict, help_text='{column name as the file writes it: field, or ""}.')
    signature = models.CharField(max_length=64, help_text="Of the header's columns, in any order or case.")
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                "kind",
                models.functions.Lower("name"),
                name="importmapping_unique_name",
                violation_error_message="A saved mapping of this kind already has this name.",
            )
        ]
        indexes = [models.Index(fields=["tenant", "kind", "signature"], name="importmapping_signature_idx")]

    def __str__(self) -> str:
        return self.name

    def get_kind_display(self) -> str:
        return kind_label(self.kind)


class ValueMapping(TenantScopedModel):
    """One word of a CRM's vocabulary and what it means here: the stage "Needs Analysis" is
    qualification, the industry "HOSPITAL_HEALTH_CARE" is healthcare, the country "Deutschland" is in
    DACH, the lead source "Partner Referral - Contoso" names the partner Contoso. The built-in
    defaults (accounts.importing.vocabularies) apply where the tenant has none."""

    class Field(models.TextChoices):
        OPPORTUNITY_STAGE = "opportunity_stage", "Opportunity stage"
        INDUSTRY = "industry", "Industry"
        REGION = "region", "Country to region"
        LEAD_SOURCE = "lead_source", "Lead source to source partner"

    field = models.CharField(max_length=20, choices=Field.choices)
    source_value = models.CharField(max_length=200, help_text="As the CRM writes it.")
    key = models.CharField(max_length=200, editable=False, help_text="source_value folded: case, spaces.")
    value = models.CharField(
        max_length=200, help_text="PartnerHub's value: a stage, a vertical, a region, or a partner's id."
    )
    updated_by = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["field", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "field", "key"],
                name="valuemapping_unique_key",
                violation_error_message="This value is mapped already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_value} → {self.value}"
