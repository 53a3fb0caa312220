"""The operator admin of the accounts app (read-only, tenant by tenant: see TenantScopedAdmin)."""

from django.contrib import admin

from accounts.models import Program
from partnerhub.tenancy.admin import TenantScopedAdmin


@admin.register(Program)
class ProgramAdmin(TenantScopedAdmin):
    list_display = ["tracking_code", "tenant", "play", "partner", "status", "launched_at"]
    list_filter = ["status", "tenant"]
    list_select_related = ["tenant", "play", "partner"]
    search_fields = ["tracking_code"]
    readonly_fields = ["tenant"]
