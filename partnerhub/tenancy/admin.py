"""Operator admin (Django superusers only). Tenant-owned models are listed across tenants, which is
why the admin uses their `unscoped` managers. They are read-only here: changes go through the
portal and the API, where services validate and audit them."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import (
    ApiKey,
    AuditEvent,
    Heartbeat,
    IdempotencyRecord,
    Invitation,
    Membership,
    Partner,
    Tenant,
    TenantVertical,
    User,
)
from partnerhub.tenancy.services.tenants import TENANT_FIELDS, tenant_create


class TenantScopedAdmin(admin.ModelAdmin):
    list_select_related = ["tenant"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return self.model.unscoped.select_related("tenant")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The page runs inside the object's tenant, so its related fields resolve there.
        obj = self.model.unscoped.select_related("tenant").filter(pk=object_id).first() if object_id else None
        with tenant_context(obj.tenant if obj else None):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # read-only: a delete here would skip the services' checks and audit


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "default_sla_hours", "require_mfa_for_staff", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def delete_view(self, request, object_id, extra_context=None):
        # Offboarding a tenant deletes its rows: inside the tenant, where the database wall
        # admits them (outside it, the cascade would match nothing and the tenant row would stay).
        tenant = Tenant.objects.filter(pk=object_id).first()
        with tenant_context(tenant):
            return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        # The tenant's rows are read-only one by one here, but offboarding takes all of them.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_queryset(self, request, queryset):
        for tenant in queryset:
            with tenant_context(tenant):
                tenant.delete()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new tenant starts ready to plan (the play catalog): the one service every door uses.
        fields = {name: getattr(obj, name) for name in TENANT_FIELDS}
        obj.pk = tenant_create(actor=request.user, slug=obj.slug, **fields).pk
        obj._state.adding = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Partner)
class PartnerAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "tier", "status", "created_at"]
    list_filter = ["tier", "status", "tenant"]
    search_fields = ["name"]
    readonly_fields = ["tenant"]


@admin.register(TenantVertical)
class TenantVerticalAdmin(TenantScopedAdmin):
    list_display = ["label", "value", "tenant", "position", "archived_at"]
    list_filter = ["tenant"]
    search_fields = ["label", "value"]
    readonly_fields = ["tenant"]


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role", "partner", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__email"]
    list_select_related = ["tenant", "user", "partner"]
    readonly_fields = ["tenant"]


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdmin):
    list_display = [
        "email",
        "tenant",
        "role",
        "partner",
        "created_at",
        "email_sent_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["tenant", "role"]
    readonly_fields = ["tenant", "nonce"]


@admin.register(ApiKey)
class ApiKeyAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["tenant", "prefix", "key_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    list_display = ["created_at", "tenant", "actor_label", "action", "target_label"]
    list_filter = ["tenant"]
    search_fields = ["action", "actor_label", "target_label"]

    def has_delete_permission(self, request, obj=None):
        return False  # the trail is append-only


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(TenantScopedAdmin):
    list_display = ["key", "tenant", "principal", "status_code", "created_at"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at", "worker_hostname", "run_count"]
