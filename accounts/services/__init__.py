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

# Imports and bulk upserts (CSV files and the API bulk endpoints).
from accounts.services.bulk_mapping import rows_upsert_through_mapping  # noqa: E402
from accounts.services.imports import (  # noqa: E402
    import_job_confirm,
    import_job_create,
    import_job_run,
    import_jobs_sweep,
    import_mapping_delete,
    import_mapping_save,
    value_mapping_delete,
    value_mappings_save,
)
from accounts.services.upserts import (  # noqa: E402
    UpsertReport,
    accounts_upsert,
    mappings_upsert,
    opportunities_upsert,
)

__all__ += [
    "UpsertReport",
    "accounts_upsert",
    "import_job_confirm",
    "import_job_create",
    "import_job_run",
    "import_jobs_sweep",
    "import_mapping_delete",
    "import_mapping_save",
    "mappings_upsert",
    "opportunities_upsert",
    "rows_upsert_through_mapping",
    "value_mapping_delete",
    "value_mappings_save",
]

from accounts.services.nudges import follow_up_nudges_send  # noqa: E402

__all__ += ["follow_up_nudges_send"]
