"""Reads of the leads app, one module per subject (leads.py, calendars.py, handoffs.py, inbox.py,
routing.py, registrations.py, scoring.py); import them from here."""

from leads.selectors.attendance import (
    AttendanceFigures,
    attendance_account_choices,
    attendance_figures,
    attendance_list,
    attendances_by_lead,
)
from leads.selectors.handoffs import (
    PartnerLeadView,
    contacts_revealed,
    handoff_fired_steps,
    handoff_lead_for_partner,
    handoff_lead_view,
    partner_managers,
    partner_users,
    partner_users_by_partner,
    policy_for,
)
from leads.selectors.inbox import handoff_list
from leads.selectors.landing import CopyBlock, landing_copy, landing_program, landing_tenant
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
from leads.selectors.routing import (
    handoff_feedback_list,
    lead_routing_decisions,
    partner_lead_figures,
    routing_queue,
    status_mapping_list,
)
from leads.selectors.scoring import lead_touch_counts, plan_account_pairs
from leads.selectors.sla_policies import sla_policy_delete_refusal, sla_policy_list

__all__ = [
    "AttendanceFigures",
    "CopyBlock",
    "PartnerLeadView",
    "account_for_domain",
    "attendance_account_choices",
    "attendance_figures",
    "attendance_list",
    "attendances_by_lead",
    "contacts_revealed",
    "handoff_feedback_list",
    "handoff_fired_steps",
    "handoff_lead_for_partner",
    "handoff_lead_view",
    "handoff_list",
    "landing_copy",
    "landing_program",
    "landing_tenant",
    "lead_for_key",
    "lead_list",
    "lead_program_choices",
    "lead_routing_decisions",
    "lead_touch_counts",
    "lead_touches",
    "partner_lead_figures",
    "partner_managers",
    "partner_users",
    "partner_users_by_partner",
    "plan_account_pairs",
    "policy_for",
    "program_for",
    "registration_conflict_rows",
    "registration_detail",
    "registration_list",
    "review_aging",
    "review_calendar",
    "routing_queue",
    "sla_policy_delete_refusal",
    "sla_policy_list",
    "status_mapping_list",
]
