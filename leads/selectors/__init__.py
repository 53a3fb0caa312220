"""Reads of the leads app, one module per subject (leads.py, calendars.py, handoffs.py); import them
from here."""

from leads.selectors.handoffs import (
    PartnerLeadView,
    contacts_revealed,
    handoff_fired_steps,
    handoff_lead_for_partner,
    handoff_lead_view,
    handoff_list,
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

__all__ = [
    "PartnerLeadView",
    "account_for_domain",
    "contacts_revealed",
    "handoff_fired_steps",
    "handoff_lead_for_partner",
    "handoff_lead_view",
    "handoff_list",
    "lead_for_key",
    "lead_list",
    "lead_program_choices",
    "lead_touches",
    "partner_managers",
    "partner_users",
    "policy_for",
    "program_for",
]
