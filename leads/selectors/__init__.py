"""Reads of the leads app, one module per subject (leads.py, calendars.py, handoffs.py,
registrations.py); import them from here."""

from leads.selectors.handoffs import (
    PartnerLeadView,
    handoff_fired_steps,
    handoff_lead_for_partner,
    partner_managers,
    partner_users,
    policy_for,
)
from leads.selectors.leads import (
    account_for_domain,
    lead_for_key,
    lead_list,
    lead_program_choices,
    lead_touches,
    program_for,
)
from leads.selectors.registrations import (
    registration_conflict_rows,
    registration_detail,
    registration_list,
    review_aging,
    review_calendar,
)

__all__ = [
    "PartnerLeadView",
    "account_for_domain",
    "handoff_fired_steps",
    "handoff_lead_for_partner",
    "lead_for_key",
    "lead_list",
    "lead_program_choices",
    "lead_touches",
    "partner_managers",
    "partner_users",
    "policy_for",
    "program_for",
    "registration_conflict_rows",
    "registration_detail",
    "registration_list",
    "review_aging",
    "review_calendar",
]
