"""Reads of the catalog and proposal templates' editor pages: the rows with how many requests were
made from each, and the plays a template may be published for."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from mdf.models import CatalogItem, ProposalTemplate
from mdf.selectors.requests import catalog_list, template_list
from partnerhub.tenancy.models import Tenant
from plays.models import Play


def catalog_editor_rows(*, tenant: Tenant) -> QuerySet[CatalogItem]:
    return catalog_list(tenant=tenant).annotate(request_count=Count("requests"))


def template_editor_rows(*, tenant: Tenant) -> QuerySet[ProposalTemplate]:
    return template_list(tenant=tenant).annotate(request_count=Count("requests"))


def template_plays(*, tenant: Tenant) -> QuerySet[Play]:
    """The plays a template may be published for."""
    return Play.objects.filter(tenant=tenant).order_by("name")
