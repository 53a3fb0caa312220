"""Tenancy pages, mounted under /t/<tenant_slug>/."""

from django.urls import path

from partnerhub.tenancy.views import admin, dashboard, members, notifications, partners, verticals

app_name = "tenancy"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("partners/", partners.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", partners.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/<int:partner_id>/", partners.PartnerDetailView.as_view(), name="partner_detail"),
    path("partners/<int:partner_id>/edit/", partners.PartnerUpdateView.as_view(), name="partner_update"),
    path("partners/<int:partner_id>/delete/", partners.PartnerDeleteView.as_view(), name="partner_delete"),
    path("members/", members.MemberListView.as_view(), name="member_list"),
    path("members/invite/", members.InvitationCreateView.as_view(), name="invitation_create"),
    path("members/<int:membership_id>/role/", members.MembershipRoleView.as_view(), name="membership_role"),
    path(
        "members/<int:membership_id>/remove/",
        members.MembershipRemoveView.as_view(),
        name="membership_remove",
    ),
    path(
        "invitations/<int:invitation_id>/resend/",
        members.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        members.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("settings/", admin.TenantSettingsView.as_view(), name="tenant_settings"),
    path("settings/verticals/", verticals.VerticalListView.as_view(), name="vertical_list"),
    path("settings/verticals/new/", verticals.VerticalCreateView.as_view(), name="vertical_create"),
    path(
        "settings/verticals/<int:tenant_vertical_id>/rename/",
        verticals.VerticalRenameView.as_view(),
        name="vertical_rename",
    ),
    path(
        "settings/verticals/<int:tenant_vertical_id>/move/",
        verticals.VerticalMoveView.as_view(),
        name="vertical_move",
    ),
    path(
        "settings/verticals/<int:tenant_vertical_id>/archive/",
        verticals.VerticalArchiveView.as_view(),
        name="vertical_archive",
    ),
    path(
        "settings/verticals/<int:tenant_vertical_id>/restore/",
        verticals.VerticalRestoreView.as_view(),
        name="vertical_restore",
    ),
    path("settings/api-keys/", admin.ApiKeyListView.as_view(), name="api_key_list"),
    path("settings/api-keys/new/", admin.ApiKeyCreateView.as_view(), name="api_key_create"),
    path("settings/api-keys/created/", admin.ApiKeyCreatedView.as_view(), name="api_key_created"),
    path(
        "settings/api-keys/<int:api_key_id>/revoke/", admin.ApiKeyRevokeView.as_view(), name="api_key_revoke"
    ),
    path("audit/", admin.AuditListView.as_view(), name="audit_list"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notification_list"),
    path(
        "notifications/mark-read/",
        notifications.NotificationMarkReadView.as_view(),
        name="notification_mark_read",
    ),
    path("status/", admin.SystemStatusView.as_view(), name="system_status"),
]
