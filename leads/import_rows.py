"""Rows of the leads app as CSV files (and, for attendance, the bulk API) send them, read through the
import machinery's row validators (accounts.rows.RowSerializer): column names matched loosely with
the aliases CRMs and event tools write ("Email Address", "Job Title", "Company / Account"), an
empty cell meaning "not given".

- `LeadImportRow`: a lead of a HubSpot contacts or Salesforce leads export; the same fields as an
  API arrival (leads.rows.LeadRow), without the touch and the door (a CSV's door is `csv`).
- `AttendanceRow`: a person on a program's attendee list, with their status.
"""

from __future__ import annotations

import copy

from rest_framework import serializers

from accounts.rows import LenientChoiceField, RowSerializer, TenantDateTimeField
from leads.models import AttendanceStatus
from leads.rows import LeadRow, _text

PERSON_ALIASES = {
    "email_address": "email",
    "e_mail": "email",
    "work_email": "email",
    "attendee_email": "email",
    "first": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "last": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "job_title": "title",
    "phone_number": "phone",
    "mobile_phone_number": "phone",
    "country_region": "country",
    "company": "company_name",
    "company_account": "company_name",
    "organization": "company_name",
    "organisation": "company_name",
    "website": "web_domain",
    "website_url": "web_domain",
    "company_domain_name": "web_domain",
    "company_website": "web_domain",
    "domain": "web_domain",
}


class LeadImportRow(RowSerializer, LeadRow):
    """A lead as a CRM export writes it: HubSpot's Record ID and Salesforce's Lead ID are its CRM id."""

    source = None
    touch_kind = None
    occurred_at = None
    details = None
    consent_at = None

    aliases = {
        **PERSON_ALIASES,
        "record_id": "external_id",
        "contact_id": "external_id",
        "lead_id": "external_id",
        "crm_id": "external_id",
        "campaign": "utm_campaign",
        "marketing_consent": "consent",
        "opted_in": "consent",
    }
    keep_when_empty = frozenset(LeadRow._declared_fields)
    key_columns = ("email", "external_id")
    required_columns = (("email", "external_id"),)
    template_columns = (
        "email",
        "first_name",
        "last_name",
        "title",
        "phone",
        "country",
        "company_name",
        "web_domain",
        "external_id",
        "tracking_code",
        "consent",
    )


STATUS_ALIASES = {
    "no show": AttendanceStatus.NO_SHOW,
    "noshow": AttendanceStatus.NO_SHOW,
    "absent": AttendanceStatus.NO_SHOW,
    "did not attend": AttendanceStatus.NO_SHOW,
    "no": AttendanceStatus.NO_SHOW,  # an event tool's "Attended: No"
    "yes": AttendanceStatus.ATTENDED,
    "checked in": AttendanceStatus.ATTENDED,
    "present": AttendanceStatus.ATTENDED,
    "registration": AttendanceStatus.REGISTERED,
    "signed up": AttendanceStatus.REGISTERED,
}


class AttendanceRow(RowSerializer):
    """A person on a program's attendee list: their lead is found by email (or created), their
    status is registered, attended or no-show, `occurred_at` when they reached it."""

    email = serializers.EmailField(max_length=254, help_text="The person's email: their lead's key.")
    first_name = _text("first_name")
    last_name = _text("last_name")
    title = _text("title")
    company_name = _text("company_name")
    web_domain = copy.deepcopy(LeadRow._declared_fields["web_domain"])  # read as the intake reads it
    status = LenientChoiceField(
        AttendanceStatus.choices,
        aliases=STATUS_ALIASES,
        help_text="Registered, attended or no-show (an event tool's Attended yes/no works too).",
    )
    occurred_at = TenantDateTimeField(
        required=False,
        allow_null=True,
        help_text="When the person registered, attended or missed it (default: now); without a time "
        "zone, in the tenant's.",
    )

    aliases = {
        **PERSON_ALIASES,
        "attendance_status": "status",
        "attendance": "status",
        "attended": "status",
        "registration_status": "status",
        "time": "occurred_at",
        "date": "occurred_at",
        "join_time": "occurred_at",
        "check_in_time": "occurred_at",
        "registration_time": "occurred_at",
    }
    keep_when_empty = frozenset({"first_name", "last_name", "title", "company_name", "web_domain"})
    null_when_empty = frozenset({"occurred_at"})
    key_columns = ("email",)
    required_columns = (("email",), ("status",))
    template_columns = (
        "email",
        "first_name",
        "last_name",
        "title",
        "company_name",
        "web_domain",
        "status",
        "occurred_at",
    )

    def validate_email(self, value: str) -> str:
        return value.strip().lower()
