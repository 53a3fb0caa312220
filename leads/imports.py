"""The CSV import kinds of the leads app, registered with the accounts import machinery
(accounts.importing.kinds) by LeadsConfig.ready: upload, mapping step, worker, report, rejected-rows
download and saved mappings work for them as for accounts.

- "leads": a CRM's contacts or leads export; each row is one arrival through `leads_upsert` with
  the door `csv` (re-importing the file changes nothing: its rows come back unchanged).
- "attendance": a program's attendee list (the program is chosen at upload); each row is recorded by
  `attendances_record`.
"""

from __future__ import annotations

from accounts.importing.kinds import ImportKind, register_import_kind
from accounts.importing.options import ReadOptions
from accounts.rows import NumberedRow
from accounts.services.upserts import UpsertReport
from leads.import_rows import AttendanceRow, LeadImportRow
from leads.models import LeadSource
from leads.services.attendance import attendances_record
from leads.services.bulk_intake import leads_upsert


def import_leads(job, rows: list[NumberedRow]) -> UpsertReport:
    # Each row validated by the kind's own row (as the preview did): its aliases, and an empty
    # cell giving nothing (the lead keeps its value, a new lead has none).
    return leads_upsert(
        tenant=job.tenant, actor=job.created_by, rows=rows, source=LeadSource.CSV, row=LeadImportRow
    )


def import_attendance(job, rows: list[NumberedRow]) -> UpsertReport:
    return attendances_record(
        tenant=job.tenant,
        actor=job.created_by,
        program_id=job.program_id,
        rows=rows,
        options=ReadOptions.from_dict(job.options),
    )


def register_lead_kinds() -> None:
    register_import_kind(
        ImportKind(
            name="leads",
            label="Leads",
            row=LeadImportRow,
            upsert=import_leads,
            audit_action="lead.imported",
            permission="lead.change",
            refusal="Your role cannot import leads.",
            help="A row is one arrival of a person, keyed on its CRM id when a lead has it, else on its "
            "email: a known email merges into its lead, filling only its empty fields. HubSpot's and "
            "Salesforce's column names (Record ID, Lead ID, Job Title, Company / Account, Website) are "
            "read as they come.",
        )
    )
    register_import_kind(
        ImportKind(
            name="attendance",
            label="Event attendance",
            row=AttendanceRow,
            upsert=import_attendance,
            audit_action="attendance.imported",
            permission="lead.change",
            refusal="Your role cannot import event attendance.",
            target="program",
            help="Choose the program whose event the list is of. A row is one person: status registered, "
            "attended or no-show (an event tool's Attended yes/no works too); the person's lead is found "
            "by email or created. A status only moves forward: registered → attended or no-show.",
        )
    )
