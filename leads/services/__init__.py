"""Writes of the leads app, one module per subject; import them from here."""

from leads.services.bulk_intake import leads_upsert
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
)
from leads.services.scoring import lead_rescore, leads_rescore

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
    "lead_intake",
    "lead_rescore",
    "lead_stage_change",
    "leads_rescore",
    "leads_upsert",
]
