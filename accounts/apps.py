from django.apps import AppConfig

# What the history and audit views call each action the accounts services record.
ACTION_LABELS = {
    "account.created": "Account added",
    "account.updated": "Account changed",
    "account.deleted": "Account deleted",
    "account.upserted": "Accounts synced from the CRM",
    "account.imported": "Accounts imported",
    "opportunity.created": "Opportunity added",
    "opportunity.updated": "Opportunity changed",
    "opportunity.deleted": "Opportunity deleted",
    "opportunity.upserted": "Opportunities synced from the CRM",
    "opportunity.imported": "Opportunities imported",
    "mapping.created": "Partner mapped to the account",
    "mapping.updated": "Account mapping changed",
    "mapping.deleted": "Account mapping removed",
    "mapping.upserted": "Account mapping synced",
    "mapping.imported": "Account mapping imported",
    "claim.recorded": "Account claimed by the partner",
    "claim.deleted": "Claim removed",
    "claim.imported": "Claims imported",
    "import.discarded": "Upload discarded",
    "import_mapping.saved": "Import mapping saved",
    "import_mapping.deleted": "Import mapping deleted",
    "vocabulary.mapped": "Import word mapped",
    "vocabulary.unmapped": "Import word removed",
    "plan.created": "Plan opened",
    "plan.renamed": "Plan renamed",
    "plan.step_1": "Market priority chosen",
    "plan.step_2": "Target accounts named",
    "plan.step_3": "Partner chosen",
    "plan.step_4": "Play chosen",
    "plan.step_5": "Follow-up committed",
    "plan.step_6": "Targets published",
    "plan.draft": "Back to draft",
    "plan.ready": "Ready to launch",
    "plan.launched": "Plan launched",
    "plan.closed": "Plan closed",
    "plan.kickoff_updated": "Owners and kickoff changed",
    "plan.meeting_started": "Planning meeting started",
    "plan.follow_up_done": "Follow-up done",
    "plan.follow_up_nudged": "Follow-up reminder sent",
    "plan.checkpoints_opened": "Checkpoints opened",
    "program.launched": "Program launched",
    "program.completed": "Program completed",
}


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts.models import MARKET_VALUE_CHOICES
        from accounts.services.imports import register_account_kinds
        from partnerhub.tenancy.history import (
            register_action_labels,
            register_value_labels,
            register_vertical_field,
        )

        register_action_labels(ACTION_LABELS)
        register_account_kinds()
        # A plan's market is a region or a segment (fixed lists) or one of the tenant's verticals.
        register_value_labels("accounts.Plan", "market_value", MARKET_VALUE_CHOICES)
        register_vertical_field("accounts.Plan", "market_value")
        register_vertical_field("accounts.TargetAccount", "industry")
