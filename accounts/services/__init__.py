"""Writes of the accounts app, one module per subject; import them from here."""

from accounts.services.accounts import (
    ACCOUNT_FIELDS,
    OPPORTUNITY_FIELDS,
    account_create,
    account_delete,
    account_stages_refresh,
    account_update,
    mapping_create,
    mapping_delete,
    mapping_update,
    opportunity_create,
    opportunity_delete,
    opportunity_update,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "OPPORTUNITY_FIELDS",
    "account_create",
    "account_delete",
    "account_stages_refresh",
    "account_update",
    "mapping_create",
    "mapping_delete",
    "mapping_update",
    "opportunity_create",
    "opportunity_delete",
    "opportunity_update",
]
