from django.apps import AppConfig

# What the history and audit views call each action the leads services record.
ACTION_LABELS = {
    "lead.created": "Lead created",
    "lead.merged": "Arrived again: merged",
    "lead.stage_changed": "Stage changed",
    "lead.readiness_changed": "Readiness changed",
    "lead.imported": "Leads imported",
    "attendance.recorded": "Attendance recorded",
    "attendance.status_changed": "Attendance status changed",
    "attendance.imported": "Event attendance imported",
    "handoff.offered": "Handoff offered",
    "handoff.accepted": "Handoff accepted",
    "handoff.rejected": "Handoff rejected",
    "handoff.recalled": "Handoff recalled",
    "handoff.expired": "Handoff expired",
    "handoff.contacted": "First contact logged",
    "handoff.qualified": "Qualification reported",
    "handoff.escalated": "SLA escalation",
    "calendar.created": "Business calendar created",
    "calendar.updated": "Business calendar changed",
    "calendar.hours_set": "Working hours set",
    "calendar.deleted": "Business calendar deleted",
    "holiday.added": "Holiday added",
    "holiday.removed": "Holiday removed",
    "registration.created": "Deal registered (draft)",
    "registration.updated": "Deal registration changed",
    "registration.submitted": "Deal registration submitted",
    "registration.review_started": "Deal registration under review",
    "registration.withdrawn": "Deal registration withdrawn",
    "registration.approved": "Deal registration approved",
    "registration.rejected": "Deal registration rejected",
    "registration.expired": "Deal registration expired",
    "registration.extension_requested": "Extension requested",
    "registration.extension_decided": "Extension decided",
}


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self) -> None:
        from leads.imports import register_lead_kinds
        from partnerhub.tenancy.history import register_action_labels

        register_action_labels(ACTION_LABELS)
        register_lead_kinds()  # the CSV import kinds "leads" and "attendance" (leads/imports.py)
