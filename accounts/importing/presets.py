"""Column mappings that ship with PartnerHub, for the standard exports of Salesforce and HubSpot:
their documented column labels and the field each one fills. A file whose header matches most of a
preset's columns gets the preset's mapping suggested (a tenant's saved mapping comes first)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    columns: dict[str, str]
    options: dict = field(default_factory=dict)


PRESETS = (
    Preset(
        name="Salesforce accounts report",
        kind="accounts",
        columns={
            "Account Name": "name",
            "Account ID": "external_id",
            "Account ID (18)": "external_id",
            "Website": "domain",
            "Industry": "industry",
            "Billing Country": "country",
            "Shipping Country": "",
            "Account Owner": "owner",
            "Account Owner: Email": "owner",
        },
    ),
    Preset(
        name="Salesforce opportunities report",
        kind="opportunities",
        columns={
            "Opportunity ID": "external_id",
            "Opportunity Name": "name",
            "Account ID": "account_external_id",
            "Account Name": "account_name",
            "Website": "account_domain",
            "Stage": "stage",
            "Amount": "amount",
            "Opportunity Currency": "currency",
            "Amount Currency": "currency",
            "Close Date": "close_date",
            "Created Date": "created_date",
            "Last Stage Change Date": "stage_changed_at",
            "Lead Source": "lead_source",
        },
    ),
    Preset(
        name="HubSpot companies export",
        kind="accounts",
        columns={
            "Record ID": "external_id",
            "Company ID": "external_id",
            "Company name": "name",
            "Name": "name",
            "Company Domain Name": "domain",
            "Website URL": "domain",
            "Industry": "industry",
            "Country/Region": "country",
            "Country": "country",
            "Company owner": "owner",
        },
    ),
    Preset(
        name="HubSpot deals export",
        kind="opportunities",
        columns={
            "Record ID": "external_id",
            "Deal ID": "external_id",
            "Deal Name": "name",
            "Deal Stage": "stage",
            "Amount": "amount",
            "Currency": "currency",
            "Close Date": "close_date",
            "Create Date": "created_date",
            "Associated Company": "account_name",
            "Associated Company IDs": "account_external_id",
            "Associated Company IDs (Primary)": "account_external_id",
        },
    ),
)
