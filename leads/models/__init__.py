"""The models of the leads app, by subject: leads and their touches (leads.py)."""

from leads.models.leads import Lead, LeadSource, LeadStage, Touch, TouchKind

__all__ = ["Lead", "LeadSource", "LeadStage", "Touch", "TouchKind"]
