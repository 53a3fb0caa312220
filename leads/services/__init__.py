"""Writes of the leads app, one module per subject; import them from here."""

from leads.services.attendance import attendance_record, attendances_record
from leads.services.bulk_intake import leads_upsert
from leads.services.feedback import (
    handoff_feedback,
    handoff_silence_sweep,
    status_mapping_create,
    status_mapping_delete,
    status_mapping_update,
)
from leads.services.handoffs import (
    handoff_accept,
    handoff_offer,
    handoff_recall,
    handoff_record_contact,
    handoff_record_qualification,
    handoff_reject,
)
from leads.services.ladder import handoff_ladder_sweep
from leads.services.landing import landing_consent_wording, landing_submit
from leads.services.leads import (
    LEAD_FIELDS,
    STAGE_TRANSITIONS,
    Intake,
    lead_intake,
    lead_stage_change,
)
from leads.services.registrations import (
    registration_approve,
    registration_create,
    registration_decide_extension,
    registration_reject,
    registration_request_extension,
    registration_submit,
    registration_update,
    registration_withdraw,
    registrations_expire,
)
from leads.services.routing import lead_reroute, lead_route
from leads.services.scoring import lead_rescore, leads_rescore
from leads.services.sla_policies import sla_policy_create, sla_policy_delete, sla_policy_update

__all__ = [
    "LEAD_FIELDS",
    "STAGE_TRANSITIONS",
    "Intake",
    "attendance_record",
    "attendances_record",
    "handoff_accept",
    "handoff_feedback",
    "handoff_ladder_sweep",
    "handoff_offer",
    "handoff_recall",
    "handoff_record_contact",
    "handoff_record_qualification",
    "handoff_reject",
    "handoff_silence_sweep",
    "landing_consent_wording",
    "landing_submit",
    "lead_intake",
    "lead_reroute",
    "lead_rescore",
    "lead_route",
    "lead_stage_change",
    "leads_rescore",
    "leads_upsert",
    "registration_approve",
    "registration_create",
    "registration_decide_extension",
    "registration_reject",
    "registration_request_extension",
    "registration_submit",
    "registration_update",
    "registration_withdraw",
    "registrations_expire",
    "sla_policy_create",
    "sla_policy_delete",
    "sla_policy_update",
    "status_mapping_create",
    "status_mapping_delete",
    "status_mapping_update",
]
