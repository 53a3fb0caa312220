"""Writes of the leads app, one module per subject; import them from here."""

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
    leads_upsert,
)

__all__ = [
    "LEAD_FIELDS",
    "STAGE_TRANSITIONS",
    "Intake",
    "handoff_accept",
    "handoff_ladder_sweep",
    "handoff_offer",
    "handoff_recall",
    "handoff_record_contact",
    "handoff_record_qualification",
    "handoff_reject",
    "landing_consent_wording",
    "landing_submit",
    "lead_intake",
    "lead_stage_change",
    "leads_upsert",
]
