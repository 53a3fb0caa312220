"""Operator admin of the plays app: read-only across tenants, like every tenant-owned model."""

from django.contrib import admin

from partnerhub.tenancy.admin import TenantScopedAdmin
from plays.models import ActivationPackage, PackageComponent, Play


@admin.register(Play)
class PlayAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "kind", "updated_at"]
    list_filter = ["kind", "tenant"]
    readonly_fields = ["tenant"]


@admin.register(ActivationPackage)
class ActivationPackageAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "play", "parent", "vertical", "partner", "revision"]
    list_filter = ["tenant"]
    list_select_related = ["tenant", "play", "parent", "partner"]
    readonly_fields = ["tenant"]


@admin.register(PackageComponent)
class PackageComponentAdmin(TenantScopedAdmin):
    list_display = ["key", "tenant", "package", "is_fixed", "updated_at"]
    list_filter = ["key", "is_fixed", "tenant"]
    list_select_related = ["tenant", "package"]
    readonly_fields = ["tenant"]
