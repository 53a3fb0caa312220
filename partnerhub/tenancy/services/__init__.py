"""Writes of the tenancy core, one module per subject; import them from here."""

from partnerhub.tenancy.services.api_keys import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    hash_api_key,
)
from partnerhub.tenancy.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    invitation_send_pending,
    invitation_token,
    user_create_for_invitation,
)
from partnerhub.tenancy.services.memberships import membership_change_role, membership_remove
from partnerhub.tenancy.services.notifications import (
    Notice,
    notification_create,
    notification_emails_send,
    notification_emails_send_pending,
    notification_send_email,
    notifications_create_many,
    notifications_mark_read,
)
from partnerhub.tenancy.services.partners import (
    PARTNER_FIELDS,
    partner_create,
    partner_delete,
    partner_update,
)
from partnerhub.tenancy.services.system import heartbeat_record, idempotency_records_purge
from partnerhub.tenancy.services.tenants import TENANT_FIELDS, tenant_create, tenant_update
from partnerhub.tenancy.services.verticals import (
    vertical_add,
    vertical_archive,
    vertical_move,
    vertical_rename,
    vertical_restore,
    verticals_check,
    verticals_install,
)

__all__ = [
    "PARTNER_FIELDS",
    "TENANT_FIELDS",
    "Notice",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "hash_api_key",
    "heartbeat_record",
    "idempotency_records_purge",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "invitation_send_pending",
    "invitation_token",
    "membership_change_role",
    "membership_remove",
    "notification_create",
    "notification_emails_send",
    "notification_emails_send_pending",
    "notification_send_email",
    "notifications_create_many",
    "notifications_mark_read",
    "partner_create",
    "partner_delete",
    "partner_update",
    "tenant_create",
    "tenant_update",
    "user_create_for_invitation",
    "vertical_add",
    "vertical_archive",
    "vertical_move",
    "vertical_rename",
    "vertical_restore",
    "verticals_check",
    "verticals_install",
]
