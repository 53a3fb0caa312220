"""Reads of CSV import jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ImportJob
from partnerhub.tenancy.models import Tenant


def import_job_list(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """Import jobs for the history list, without the uploaded file or the rejections."""
    return (
        ImportJob.objects.filter(tenant=tenant)
        .select_related("partner", "created_by")
        .defer("content", "errors")
        .order_by("-created_at", "-id")
    )


def import_job_detail(*, tenant: Tenant) -> QuerySet[ImportJob]:
    """An import job with its report, without the uploaded file."""
    return ImportJob.objects.filter(tenant=tenant).select_related("partner", "created_by").defer("content")
