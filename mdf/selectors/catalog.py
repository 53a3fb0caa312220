"""Reads of the vendor's catalog and proposal templates for their editor (active and inactive)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from mdf.models import CatalogItem, ProposalTemplate
from partnerhub.tenancy.models import Tenant
from plays.models import Play


def catalog_list(*, tenant: Tenant) -> QuerySet[CatalogItem]:
    """Every catalog item with how many requests were made from it."""
    return CatalogItem.objects.filter(tenant=tenant).annotate(request_count=Count("requests"))


def template_list(*, tenant: Tenant) -> QuerySet[ProposalTemplate]:
    """Every proposal template with its play and how many requests were made from it."""
    return (
        ProposalTemplate.objects.filter(tenant=tenant)
        .select_related("play")
        .annotate(request_count=Count("requests"))
    )


def template_plays(*, tenant: Tenant) -> QuerySet[Play]:
    """The plays a template may be published for."""
    return Play.objects.filter(tenant=tenant).order_by("name")
