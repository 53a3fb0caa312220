"""Reads of programs: launched plans running their play."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Program
from partnerhub.tenancy.models import Tenant


def program_list(*, tenant: Tenant) -> QuerySet[Program]:
    return Program.objects.filter(tenant=tenant).select_related("play", "partner", "plan", "package")
