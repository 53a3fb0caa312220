"""Writes of the leads app, one module per subject; import them from here."""

from leads.services.attendance import attendance_record, attendances_record
from leads.services.handoffs import (
    handoff_accept,
    handoff_offer,
    handoff_recall,
    handoff_record_contact,
    handoff_record_qualification,
    handoff_reject,
)
from leads.services.ladder import handoff_ladder_sweep
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
    "attendance_record",
    "attendances_record",
    "handoff_accept",
    "handoff_ladder_sweep",
    "handoff_offer",
    "handoff_recall",
    "handoff_record_contact",
    "handoff_record_qualification",
    "handoff_reject",
    "lead_intake",
    "lead_stage_change",
    "leads_upsert",
]
