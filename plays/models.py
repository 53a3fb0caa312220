"""The four plays (DOMAIN.md §2), their activation packages (a master template and the versions
derived from it) and programs: a play launched for a plan."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class PlayKind(models.TextChoices):
    ACCELERATION = "acceleration", "Regional account acceleration"
    VERTICAL_WEDGE = "vertical_wedge", "Vertical wedge"
    EXPANSION = "expansion", "Install-base expansion"
    ROUNDTABLE = "roundtable", "Local executive roundtable"


class Play(TenantScopedModel):
    """One of the four plays in the tenant's catalog; the text is the tenant's own to edit."""

    kind = models.CharField(max_length=20, choices=PlayKind.choices)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    success_metric = models.CharField(max_length=300)
    follow_up_template = models.TextField(blank=True, help_text="The talk track sales starts from.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "kind"], name="play_one_per_kind")]

    def __str__(self) -> str:
        return self.name


class ComponentKey(models.TextChoices):
    LANDING_PAGE = "landing_page", "Landing page"
    NURTURE = "nurture_sequence", "Nurture sequence (3 to 5 emails)"
    QUALIFICATION = "qualification_logic", "Qualification logic (scoring, routing)"
    SALES_ENABLEMENT = "sales_enablement", "Sales enablement (lead context, talk track, templates)"
    TRACKING = "tracking", "Tracking (UTM and campaign naming)"
    PARTNER_PLAYBOOK = "partner_playbook", "Partner playbook"
    PROOF_OF_PERFORMANCE = "proof_of_performance", "Proof-of-performance report for MDF"


# Architecture, qualification and handoff logic, and reporting are fixed; the rest flexes per
# vertical or partner (partner spotlight, proof points, timing, channel mix).
FIXED_BY_DEFAULT = {ComponentKey.QUALIFICATION, ComponentKey.TRACKING, ComponentKey.PROOF_OF_PERFORMANCE}


class ActivationPackage(TenantScopedModel):
    """A play's campaign-in-a-box. The master (no parent) holds all seven components; a version
    derived for a vertical or a partner holds only the flexible components it overrides and reads
    everything else from the master, so a change to the master reaches every version."""

    play = models.ForeignKey(Play, on_delete=models.CASCADE, related_name="packages")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="versions"
    )
    name = models.CharField(max_length=120)
    vertical = models.CharField(
        max_length=40, blank=True, help_text="One of the tenant's verticals, by value."
    )
    partner = models.ForeignKey(
        "tenancy.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="packages"
    )
    revision = models.PositiveIntegerField(
        default=1, help_text="Raised on every change of its own components."
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["play_id", "parent_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "play"],
                condition=Q(parent__isnull=True),
                name="package_one_master_per_play",
            ),
            models.UniqueConstraint(
                fields=["tenant", "parent", "vertical", "partner"],
                condition=Q(parent__isnull=False),
                nulls_distinct=False,
                name="package_one_version_per_target",
                violation_error_message="A version for this vertical and partner already exists.",
            ),
            # A master targets no one; a version targets a vertical, a partner or both.
            models.CheckConstraint(
                condition=(Q(parent__isnull=True) & Q(vertical="") & Q(partner__isnull=True))
                | (Q(parent__isnull=False) & (~Q(vertical="") | Q(partner__isnull=False))),
                name="package_master_or_targeted_version",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_master(self) -> bool:
        return self.parent_id is None


class PackageComponent(TenantScopedModel):
    """One of the seven components: on the master, its content and whether it is fixed; on a
    version, an override of a flexible component."""

    package = models.ForeignKey(ActivationPackage, on_delete=models.CASCADE, related_name="components")
    key = models.CharField(max_length=30, choices=ComponentKey.choices)
    content = models.TextField(blank=True)
    is_fixed = models.BooleanField(
        default=False, help_text="Fixed components cannot be overridden by versions."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["package_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "package", "key"], name="component_one_per_package_key")
        ]

    def __str__(self) -> str:
        return self.get_key_display()
