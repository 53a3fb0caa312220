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
from accounts.services.plans import (
    follow_up_complete,
    plan_close,
    plan_create,
    plan_launch,
    plan_rename,
    plan_set_accounts,
    plan_set_follow_up,
    plan_set_market,
    plan_set_partner,
    plan_set_play,
    plan_set_targets,
    plan_start_meeting,
    plan_update_kickoff,
)

__all__ += [
    "follow_up_complete",
    "plan_close",
    "plan_create",
    "plan_launch",
    "plan_rename",
    "plan_set_accounts",
    "plan_set_follow_up",
    "plan_set_market",
    "plan_set_partner",
    "plan_set_play",
    "plan_set_targets",
    "plan_start_meeting",
    "plan_update_kickoff",
]
