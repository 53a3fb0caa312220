"""Event attendance: a program's attendee list, one row per person (lead) per program, with where
they stand (registered, attended, no-show) and the target account their lead matched. Target-account
attendance (accounts of the plan with someone who attended) is counted from these rows in SQL."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class AttendanceStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"


class Attendance(TenantScopedModel):
    """One person on one program's attendee list (leads.services.attendance.attendance_record): the
    status moves registered → attended or no-show (and no-show → attended, a late check-in), never
    back; each status keeps the time it was reached."""

    program = models.ForeignKey("accounts.Program", on_delete=models.CASCADE, related_name="attendances")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="attendances")
    account = models.ForeignKey(
        "accounts.TargetAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The target account the lead matched, as of the latest arrival.",
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    registered_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    # Staff only, like the leads it lists.
    partner_scope = None

    class Meta:
        ordering = ["-status_changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "program", "lead"], name="attendance_once_per_program")
        ]
        indexes = [
            # The attendance page and the API filter a program's list by status and by account; the
            # target-account count reads attended rows by account.
            models.Index(fields=["tenant", "program", "status", "account"], name="attendance_status_idx"),
            models.Index(fields=["tenant", "program", "account"], name="attendance_account_idx"),
            models.Index(fields=["tenant", "program", "-status_changed_at"], name="attendance_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.lead_id} at {self.program_id})"
