"""Writes of the leads app, one module per subject; import them from here."""

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
    "lead_intake",
    "lead_stage_change",
    "leads_upsert",
]
