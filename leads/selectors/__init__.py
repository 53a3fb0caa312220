"""Reads of the leads app, one module per subject (leads.py, calendars.py, handoffs.py); import them
from here."""

from leads.selectors.attendance import (
    AttendanceFigures,
    attendance_account_choices,
    attendance_figures,
    attendance_list,
    attendance_of,
)
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

__all__ = [
    "AttendanceFigures",
    "PartnerLeadView",
    "account_for_domain",
    "attendance_account_choices",
    "attendance_figures",
    "attendance_list",
    "attendance_of",
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
]
