"""Plan-keyed nudges (docs/reporting.md, "Nudges"): the last state a launched plan's owners were told
about, the set of its named accounts with no touch in the configured days. A new nudge goes out only
when that set changes, never daily for the same one."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.timezone import now

from partnerhub.tenancy.scoping import TenantScopedModel


class PlanNudge(TenantScopedModel):
    plan = models.OneToOneField("accounts.Plan", on_delete=models.CASCADE, related_name="untouched_nudge")
    # The untouched named accounts, sorted: the state last seen (empty: every account was touched).
    account_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    named_count = models.PositiveIntegerField(default=0)
    nudged_at = models.DateTimeField(null=True, blank=True, help_text="When the owners were last told.")
    updated_at = models.DateTimeField(default=now)

    partner_scope = None  # the vendor's reminders to its own people

    def __str__(self) -> str:
        return f"{len(self.account_ids)} untouched of {self.named_count}"
