"""Rows of the CRM mirror as they arrive from a CSV file or the API bulk endpoints: one validator
per kind of row, shared by both, so a value means the same thing however it is sent.

A row is a mapping of field → value: a CSV file's columns are mapped to fields in the import's
mapping step (accounts.importing.columns); the API's keys are field names, matched loosely (case,
spaces, dashes and a few common aliases: "Website" is the domain, "CRM ID" the external id). Each
validator is a DRF serializer: its field errors name the field at fault. Values are read as CRMs
write them (accounts.importing.values), in the import's ReadOptions (date order, decimal mark,
default currency) found in the context. Words of a CRM's vocabulary (stages, industries,
countries, lead sources) mean what the tenant's mappings say, else the built-in defaults
(accounts.importing.vocabularies). References (a staff member by email or name, an account by CRM
id, domain or exact name, a partner by name) are resolved inside the tenant from lookups that
`lookups_for()` loads for a whole batch in a fixed number of queries, never one query per row.
Salesforce's 15- and 18-character forms of one id are the same id (`id_key`).

Empty values: a column listed in `keep_when_empty` left empty means "not given" (the stored value
stays; a new row gets the default); other optional columns left empty clear the stored value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from accounts.domains import normalize_domain
from accounts.importing import values as crm_values
from accounts.importing.options import ReadOptions
from accounts.importing.vocabularies import ACCOUNT_STAGES, fold_value, region_of_country
from accounts.models import AccountMapping, AccountStage, OpportunityStage, TargetAccount
from accounts.selectors.imports import vocabularies_for
from partnerhub.tenancy.api.fields import EARLIEST_YEAR, LATEST_YEAR, VERTICAL_DESCRIPTION, CurrencyField
from partnerhub.tenancy.models import Partner, Tenant
from partnerhub.tenancy.selectors import staff_users, vertical_choices
from partnerhub.tenancy.taxonomy import Region, Segment, currency_code

# A numbered row: (row number as the caller knows it, the row's values). CSV rows are numbered as
# a spreadsheet shows them (the header is row 1); API rows from 1 for the first of the request's
# `rows` (partnerhub.tenancy.api.bulk). Either way, as the person reading the report counts.
NumberedRow = tuple[int, Mapping]


def fold(name: str) -> str:
    """`Account Domain`, `account-domain` and ` ACCOUNT_DOMAIN ` are one column: account_domain."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def choice_key(text: str) -> str:
    """A choice's value, label or alias as it is compared: case, spaces, dashes and underscores aside."""
    return re.sub(r"[\s_\-]+", " ", str(text).strip().lower())


# --- Fields -------------------------------------------------------------------------------------


def _choice_lookup(choices: Mapping[str, str], aliases: Mapping[str, str]) -> dict[str, str]:
    """{folded value, label or alias: value}: how a lenient choice is read."""
    lookup: dict[str, str] = {}
    for value, label in choices.items():
        lookup.setdefault(choice_key(value), value)
        lookup.setdefault(choice_key(label), value)
    for word, value in aliases.items():  # words CRMs write for a choice
        lookup.setdefault(choice_key(word), str(value))
    return lookup


@extend_schema_field(OpenApiTypes.STR)  # not an enum: labels are accepted too
class LenientChoiceField(serializers.ChoiceField):
    """A choice given by its value or its label, in any case: "Mid-market", "mid_market", "MID MARKET"."""

    def __init__(self, choices, *, vocabulary: str = "", aliases: Mapping[str, str] | None = None, **kwargs):
        values = ", ".join(str(value) for value, _ in choices)
        help_text = kwargs.pop("help_text", "")
        also = " or a word the tenant's import vocabulary maps" if vocabulary else ""
        kwargs["help_text"] = f"{help_text} One of: {values} (or its label, in any case{also}).".strip()
        super().__init__(choices, **kwargs)
        self.vocabulary = vocabulary
        self.aliases = aliases or {}
        self._index()
        self.error_messages["unmapped"] = (
            "“{input}” is not one of this tenant's {what} values and the import vocabulary does not map "
            "it: map it in Admin → Import vocabulary or in the import's mapping step."
        )

    def _index(self) -> None:
        self.lookup = _choice_lookup(self.choices, self.aliases)
        self.error_messages["invalid_choice"] = "“{input}” is not one of: " + ", ".join(self.choices) + "."

    def lookup_for(self, tenant: Tenant) -> dict[str, str]:
        """{folded value or label: value} of the choices this field reads for the tenant."""
        return self.lookup

    def knows(self, word: str, tenant: Tenant) -> bool:
        """Whether `word` names one of the tenant's choices without the tenant's vocabulary."""
        return choice_key(word) in self.lookup_for(tenant)

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str | int):
            self.fail("invalid_choice", input=data)
        value = self.lookup.get(choice_key(data))
        if value is None and self.vocabulary:
            mapped = vocabulary(self.context, self.vocabulary).get(fold_value(str(data)))
            value = mapped if mapped in self.choices else None
            if value is None:
                self.fail("unmapped", input=data, what=str(self.label or self.field_name).lower())
        if value is None:
            self.fail("invalid_choice", input=data)
        return value


ROW_VERTICAL_DESCRIPTION = (
    f"{VERTICAL_DESCRIPTION} Its label works too, in any case, or a word the tenant's import vocabulary maps."
)


@extend_schema_field({"type": "string", "description": ROW_VERTICAL_DESCRIPTION})
class VerticalChoiceField(LenientChoiceField):
    """One of the tenant's active verticals, by value or label, or a word its import vocabulary maps.
    The batch's lookups load the tenant's list once (`context["verticals"]`)."""

    def __init__(self, **kwargs):
        super().__init__([], **kwargs)
        self.help_text = ROW_VERTICAL_DESCRIPTION

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        verticals = self.context.get("verticals")
        if verticals is None and "tenant" in self.context:
            verticals = vertical_choices(tenant=self.context["tenant"])
        if verticals is not None:
            self.choices = verticals
            self._index()

    def lookup_for(self, tenant: Tenant) -> dict[str, str]:
        return _choice_lookup(dict(vertical_choices(tenant=tenant)), self.aliases)


class DomainField(serializers.CharField):
    """A web domain in its normal form (see accounts.domains): URLs and emails are accepted."""

    def to_internal_value(self, data):
        try:
            return normalize_domain(super().to_internal_value(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


def read_options(context: Mapping) -> ReadOptions:
    return context.get("options") or ReadOptions()


def vocabulary(context: Mapping, name: str) -> dict[str, str]:
    """The tenant's words for a field (see accounts.selectors.imports.vocabularies_for)."""
    return context.get("vocabularies", {}).get(name, {})


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^[^-]*$",
        "example": "USD 45,000.00",
        "description": "An amount, with its currency code or symbol if the row has no currency.",
    }
)
class AmountField(serializers.DecimalField):
    """Money as a CRM export writes it: 25000, 25,000.00, USD 45,000.00, $80,000 or (in the import's
    decimal-comma reading) 45.000,00 €. The currency written with it is kept for the row
    (`amount_currency`); an amount is never negative."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=Decimal(0), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):  # JSON true is not an amount
            self.fail("invalid")
        if isinstance(data, str):
            try:
                data, _ = crm_values.parse_amount(
                    data, read_options(self.context).decimal_mark, dollar_of(self.context)
                )
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from exc
        return super().to_internal_value(data)


# Currencies written "$": a bare "$" is the import's currency or the tenant's default when that is
# one of them, else the US dollar.
DOLLARS = frozenset(
    {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN", "BSD", "BBD", "BZD", "JMD", "TTD"}
)


def default_currency_of(context: Mapping) -> str:
    """The currency of amounts written without one: the import's choice, else the tenant's default."""
    return currency_code(read_options(context).currency or "") or context["tenant"].default_currency


def dollar_of(context: Mapping) -> str:
    default = default_currency_of(context)
    return default if default in DOLLARS else "USD"


def amount_currency(text, dollar: str = "USD") -> str | None:
    """The currency written with an amount ("USD 45,000.00", "45.000,00 €"), or None."""
    if not isinstance(text, str):
        return None
    try:
        return crm_values.parse_amount(text, dollar=dollar)[1]
    except ValueError:
        return None


YEARS_MESSAGE = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}."


def within_years(value):
    """`value` if its year is a plausible one: outside it is a typing mistake, and near year 9999 a
    date-time overflows when moved to another time zone."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise serializers.ValidationError(YEARS_MESSAGE)
    return value


class CrmDateField(serializers.DateField):
    """A date as CRMs and spreadsheets write it, in the import's date order (ISO always works)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                return within_years(crm_values.parse_date(data, read_options(self.context).date_order))
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from exc
        return within_years(super().to_internal_value(data))


class YesNoField(serializers.BooleanField):
    """yes/no, true/false, 1/0, in any case."""

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().lower() if isinstance(data, str) else data)


@extend_schema_field(OpenApiTypes.DATETIME)
class TenantDateTimeField(serializers.Field):
    """A date-time as CRMs write it (ISO, or in the import's date order); one without a time zone
    is read in the tenant's time zone, a date alone as its midnight."""

    default_error_messages = {"invalid": "Give a date and time."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        tz = self.context["tenant"].zone
        try:
            return within_years(crm_values.parse_datetime(data, read_options(self.context).date_order, tz))
        except OverflowError as exc:
            raise serializers.ValidationError(YEARS_MESSAGE) from exc
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return value.isoformat()


def id_key(value) -> str:
    """An external id as it is compared: Salesforce's 15-character id and its 18-character form
    are one key; any other id is itself."""
    text = str(value).strip()
    if len(text) == 15 and text.isalnum():
        return crm_values.salesforce_id_18(text)
    return text


def id_forms(values: Iterable[str]) -> set[str]:
    """The stored forms an id may have: an 18-character Salesforce id may be kept as its first 15."""
    forms = set()
    for value in values:
        key = id_key(value)
        forms.update({str(value).strip(), key})
        if len(key) == 18 and key.isalnum() and crm_values.salesforce_id_18(key[:15]) == key:
            forms.add(key[:15])
    return forms


# --- Row validators -----------------------------------------------------------------------------


class RowSerializer(serializers.Serializer):
    """Base of the row validators: loose column names, trimmed values, empty = not given where the
    column says so. Subclasses list their aliases, key columns and the columns a CSV must have."""

    # Columns whose empty value means "not given" rather than "clear it".
    keep_when_empty: ClassVar[frozenset[str]] = frozenset()
    # Columns whose empty value means None (a date, a reference).
    null_when_empty: ClassVar[frozenset[str]] = frozenset()
    # Other names of columns (folded): alias → column.
    aliases: ClassVar[dict[str, str]] = {}
    # The columns that identify a row: two rows of one batch may not share a value of any of them.
    key_columns: ClassVar[tuple[str, ...]] = ()
    # Each entry: columns of which a CSV header must have at least one.
    required_columns: ClassVar[tuple[tuple[str, ...], ...]] = ()
    # The columns of the downloadable template, in order.
    template_columns: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def column_for(cls, name: str) -> str | None:
        """The column a header (or API key) names, or None if it names none of ours."""
        folded = fold(name)
        if folded in cls._declared_fields:
            return folded
        return cls.aliases.get(folded)

    @classmethod
    def canonical(cls, row: Mapping) -> dict:
        """The row keyed by column; a column named exactly wins over an alias of it."""
        values: dict = {}
        exact = set()
        for name, value in row.items():
            if not isinstance(name, str):
                continue
            column = cls.column_for(name)
            if column is None:
                continue
            is_exact = fold(name) == column
            if column in values and (column in exact or not is_exact):
                continue
            values[column] = value.strip() if isinstance(value, str) else value
            if is_exact:
                exact.add(column)
        return values

    @classmethod
    def lookups_for(cls, *, tenant: Tenant, rows: Sequence[Mapping]) -> dict:
        """What the rows refer to, loaded for the whole batch (a fixed number of queries)."""
        return {}

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["A row must be an object."]}
            )
        values = {}
        for column, value in self.canonical(data).items():
            if value in ("", None) and column in self.keep_when_empty:
                continue
            if value == "" and column in self.null_when_empty:
                value = None
            values[column] = value
        return super().to_internal_value(values)


def _values(rows: Iterable[Mapping], column: str) -> set[str]:
    return {str(row[column]).strip() for row in rows if row.get(column) not in ("", None)}


def _domains(rows: Iterable[Mapping], column: str) -> set[str]:
    domains = set()
    for value in _values(rows, column):
        try:
            domains.add(normalize_domain(value))
        except DjangoValidationError:
            continue  # the row's validation reports it
    return domains


def _staff_lookups(tenant: Tenant, rows: Sequence[Mapping], column: str) -> dict:
    """Staff members the rows name by email or by full name: {key folded: [users]}."""
    wanted = {value.lower() for value in _values(rows, column)}
    if not wanted:
        return {"staff_by_key": {}}
    staff_by_key: dict[str, list] = {}
    for user in (
        staff_users(tenant=tenant)
        .annotate(name_key=Lower("full_name"))
        .filter(Q(email__in=wanted) | Q(name_key__in=wanted))
    ):
        for key in {user.email.lower(), user.full_name.strip().lower()} & wanted:
            staff_by_key.setdefault(key, []).append(user)
    return {"staff_by_key": staff_by_key}


def _staff_member(context: Mapping, value: str):
    users = context["staff_by_key"].get(value.strip().lower(), [])
    if not users:
        raise serializers.ValidationError(f"No staff member of this tenant has the email or name {value}.")
    if len(users) > 1:
        raise serializers.ValidationError(f"{len(users)} staff members are named {value}: give the email.")
    return users[0]


class AccountRow(RowSerializer):
    name = serializers.CharField(max_length=200, required=False)
    domain = DomainField(max_length=253)
    industry = VerticalChoiceField(required=False, allow_blank=True, vocabulary="industry")
    region = LenientChoiceField(Region.choices, required=False, allow_blank=True)
    country = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Sets the region when the row has none (through the tenant's country mapping).",
    )
    segment = LenientChoiceField(Segment.choices, required=False, allow_blank=True)
    stage = LenientChoiceField(
        AccountStage.choices,
        aliases=ACCOUNT_STAGES,
        required=False,
        help_text="The stage set by hand; it shows while the account has no opportunities.",
    )
    senior_buyers_engaged = YesNoField(required=False)
    owner = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A vendor staff member of the tenant, by email or full name.",
    )
    external_id = serializers.CharField(max_length=100, required=False, help_text="The account's CRM id.")

    keep_when_empty = frozenset({"stage", "senior_buyers_engaged", "external_id", "country"})
    aliases = {
        "account_name": "name",
        "company": "name",
        "company_name": "name",
        "website": "domain",
        "url": "domain",
        "account_domain": "domain",
        "vertical": "industry",
        "manual_stage": "stage",
        "account_stage": "stage",
        "senior_buyers": "senior_buyers_engaged",
        "owner_email": "owner",
        "account_owner": "owner",
        "crm_id": "external_id",
        "account_id": "external_id",
        "billing_country": "country",
    }
    key_columns = ("external_id", "domain")
    required_columns = (("name",), ("domain",))
    template_columns = (
        "name",
        "domain",
        "industry",
        "region",
        "country",
        "segment",
        "stage",
        "senior_buyers_engaged",
        "owner",
        "external_id",
    )

    @classmethod
    def lookups_for(cls, *, tenant, rows):
        # Archived verticals read too: an account that holds one keeps it through a sync (the
        # upsert refuses it for any other account, see accounts_upsert).
        verticals = vertical_choices(tenant=tenant, archived=True)
        return {**_staff_lookups(tenant, rows, "owner"), "verticals": verticals}

    def validate_owner(self, value):
        return _staff_member(self.context, value) if value else None

    def validate(self, attrs):
        country = attrs.pop("country", "")
        if country and not attrs.get("region"):
            region = vocabulary(self.context, "region").get(fold_value(country))
            region = region or region_of_country(country)
            if region in Region.values:
                attrs["region"] = region
        return attrs


class OpportunityRow(RowSerializer):
    external_id = serializers.CharField(max_length=100, help_text="The opportunity's CRM id.")
    name = serializers.CharField(max_length=200, required=False)
    account_external_id = serializers.CharField(
        max_length=100, required=False, help_text="The CRM id of its target account."
    )
    account_domain = DomainField(
        max_length=253, required=False, help_text="Or the domain of its target account."
    )
    account_name = serializers.CharField(
        max_length=200,
        required=False,
        write_only=True,
        help_text="Or the exact name of its target account (a name two accounts share is refused).",
    )
    stage = LenientChoiceField(OpportunityStage.choices, required=False, vocabulary="opportunity_stage")
    amount = AmountField(required=False)
    currency = CurrencyField(
        required=False,
        help_text="Else the currency written with the amount, else (for a new opportunity) the "
        "tenant's default currency.",
    )
    close_date = CrmDateField(required=False, allow_null=True)
    source_partner = serializers.CharField(
        max_length=200,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Name of the partner that brought the opportunity.",
    )
    lead_source = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The CRM's lead source: sets the source partner where the tenant maps the value to one.",
    )
    stage_changed_at = TenantDateTimeField(
        required=False,
        help_text="When the stage changed in the CRM (without a zone, the tenant's time zone).",
    )
    created_date = TenantDateTimeField(
        required=False,
        write_only=True,
        help_text="When the CRM created it: a new opportunity's history starts then, unless "
        "stage_changed_at says otherwise.",
    )

    keep_when_empty = frozenset(
        {
            "account_external_id",
            "account_domain",
            "account_name",
            "stage",
            "amount",
            "currency",
            "stage_changed_at",
            "created_date",
            "lead_source",
        }
    )
    null_when_empty = frozenset({"close_date"})
    aliases = {
        "crm_id": "external_id",
        "opportunity_id": "external_id",
        "opportunity_name": "name",
        "opportunity": "name",
        "account_id": "account_external_id",
        "account_crm_id": "account_external_id",
        "account_website": "account_domain",
        "domain": "account_domain",
        "account": "account_name",
        "opportunity_stage": "stage",
        "close": "close_date",
        "partner": "source_partner",
        "source": "source_partner",
        "last_stage_change_date": "stage_changed_at",
        "created": "created_date",
    }
    key_columns = ("external_id",)
    required_columns = (
        ("external_id",),
        ("name",),
        ("amount",),
        ("account_external_id", "account_domain", "account_name"),
    )
    template_columns = (
        "external_id",
        "name",
        "account_external_id",
        "account_domain",
        "account_name",
        "stage",
        "amount",
        "currency",
        "close_date",
        "source_partner",
        "lead_source",
        "stage_changed_at",
        "created_date",
    )

    @classmethod
    def lookups_for(cls, *, tenant, rows):
        external_ids = id_forms(_values(rows, "account_external_id"))
        domains = _domains(rows, "account_domain")
        names = {name.lower() for name in _values(rows, "account_name")}
        accounts = (
            TargetAccount.objects.filter(tenant=tenant)
            .annotate(name_key=Lower("name"))
            .filter(Q(external_id__in=external_ids) | Q(domain__in=domains) | Q(name_key__in=names))
            if external_ids or domains or names
            else []
        )
        partner_names = {name.lower() for name in _values(rows, "source_partner")}
        partners = (
            Partner.objects.filter(tenant=tenant)
            .annotate(key=Lower("name"))
            .filter(key__in=partner_names)
            .only("id", "name")
            if partner_names
            else []
        )
        accounts = list(accounts)
        by_name: dict[str, list] = {}
        for account in accounts:
            if account.name_key in names:
                by_name.setdefault(account.name_key, []).append(account)
        return {
            "accounts_by_external_id": {
                id_key(account.external_id): account for account in accounts if account.external_id
            },
            "accounts_by_domain": {account.domain: account for account in accounts},
            "accounts_by_name": by_name,
            "partners_by_name": {partner.name.lower(): partner for partner in partners},
            "partners_by_id": {
                str(partner.id): partner
                for partner in Partner.objects.filter(tenant=tenant).only("id", "name")
            }
            if _values(rows, "lead_source")
            else {},
        }

    def validate_source_partner(self, value):
        if not value:
            return None
        partner = self.context["partners_by_name"].get(value.lower())
        if partner is None:
            raise serializers.ValidationError(f"No partner of this tenant is named {value}.")
        return partner

    def _account(self, attrs):
        """The account the row names, by CRM id, domain or exact name; each given must agree."""
        found = {}
        if "account_external_id" in attrs:
            external_id = attrs["account_external_id"]
            account = self.context["accounts_by_external_id"].get(id_key(external_id))
            if account is None:
                raise serializers.ValidationError(
                    {"account_external_id": f"No target account has the CRM id {external_id}."}
                )
            found["account_external_id"] = account
        if "account_domain" in attrs:
            domain = attrs["account_domain"]
            account = self.context["accounts_by_domain"].get(domain)
            if account is None:
                raise serializers.ValidationError(
                    {"account_domain": f"No target account has the domain {domain}."}
                )
            found["account_domain"] = account
        name = attrs.pop("account_name", None)
        if name and not found:  # a name only decides when nothing more precise is given
            accounts = self.context["accounts_by_name"].get(name.lower(), [])
            if not accounts:
                raise serializers.ValidationError({"account_name": f"No target account is named {name}."})
            if len(accounts) > 1:
                raise serializers.ValidationError(
                    {
                        "account_name": f"{len(accounts)} target accounts are named {name}: "
                        "give the account's CRM id or domain."
                    }
                )
            found["account_name"] = accounts[0]
        accounts = {account.id: account for account in found.values()}
        if len(accounts) > 1:
            raise serializers.ValidationError(
                {"account_domain": "The account's CRM id and domain name two different accounts."}
            )
        return next(iter(accounts.values()), None)

    def validate(self, attrs):
        account = self._account(attrs)
        if account is not None:
            attrs["account"] = account
        lead_source = attrs.pop("lead_source", "")
        if lead_source and "source_partner" not in attrs:
            partner_id = vocabulary(self.context, "lead_source").get(fold_value(lead_source))
            partner = self.context["partners_by_id"].get(str(partner_id)) if partner_id else None
            if partner is not None:
                attrs["source_partner"] = partner
        written = amount_currency(self.canonical(self.initial_data).get("amount"), dollar_of(self.context))
        if written and attrs.get("currency", written) != written:
            said = attrs["currency"]
            raise serializers.ValidationError(
                {"currency": f"The amount is written in {written}, the currency column says {said}."}
            )
        if "currency" not in attrs:
            if written:
                attrs["currency"] = written
            else:
                attrs["default_currency"] = default_currency_of(self.context)
        return attrs


class MappingRow(RowSerializer):
    domain = DomainField(max_length=253, help_text="The account's web domain (a URL or an email works too).")
    company = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The company's name, shown in the report."
    )
    relationship = LenientChoiceField(AccountMapping.Relationship.choices, required=False)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True)

    keep_when_empty = frozenset({"relationship"})
    aliases = {
        "website": "domain",
        "url": "domain",
        "email": "domain",
        "company_domain": "domain",
        "account_domain": "domain",
        "company_name": "company",
        "name": "company",
        "account": "company",
        "account_name": "company",
        "relation": "relationship",
        "relationship_type": "relationship",
        "note": "notes",
    }
    key_columns = ("domain",)
    required_columns = (("domain",),)
    template_columns = ("company", "domain", "relationship", "notes")

    @classmethod
    def lookups_for(cls, *, tenant, rows):
        domains = _domains(rows, "domain")
        accounts = TargetAccount.objects.filter(tenant=tenant, domain__in=domains) if domains else []
        return {"accounts_by_domain": {account.domain: account for account in accounts}}

    def validate(self, attrs):
        account = self.context["accounts_by_domain"].get(attrs["domain"])
        if account is None:
            company = f" ({attrs['company']})" if attrs.get("company") else ""
            raise serializers.ValidationError(
                {"domain": f"No target account has the domain {attrs['domain']}{company}."}
            )
        attrs["account"] = account
        return attrs


class ClaimRow(MappingRow):
    """A company a partner works with, as the partner names it: checked for form only. Whether the
    vendor targets the domain is not the partner's to learn, so nothing here looks it up."""

    @classmethod
    def lookups_for(cls, *, tenant, rows):
        return {}

    def validate(self, attrs):
        return attrs


# --- Batches ------------------------------------------------------------------------------------


def rejection(row: int, column: str, reason: str) -> dict:
    return {"row": row, "column": column, "reason": reason}


def _flatten(errors, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(errors, Mapping):
        for name, inner in errors.items():
            column = "" if name == api_settings.NON_FIELD_ERRORS_KEY else name
            yield from _flatten(inner, column or prefix)
    elif isinstance(errors, list | tuple):
        messages = [str(message) for message in errors if not isinstance(message, Mapping | list)]
        if messages:
            yield prefix, " ".join(messages)
        for inner in errors:
            if isinstance(inner, Mapping | list):
                yield from _flatten(inner, prefix)
    else:
        yield prefix, str(errors)


def row_errors(row: int, errors) -> list[dict]:
    """A serializer's errors as the report lists them: one entry per column at fault."""
    return [rejection(row, column, reason) for column, reason in _flatten(errors)]


def _key_value(serializer_class: type[RowSerializer], column: str, value) -> str | None:
    if value in ("", None):
        return None
    if isinstance(serializer_class._declared_fields[column], DomainField):
        try:
            return normalize_domain(str(value))
        except DjangoValidationError:
            return None  # not a key at all: the row's validation rejects it
    return id_key(value) if column.endswith("external_id") else str(value).strip()


def duplicate_rows(serializer_class: type[RowSerializer], rows: Iterable[NumberedRow]) -> dict[int, dict]:
    """Rows that repeat a key (any of the kind's key columns) of an earlier row: the first row with
    a key is the one imported, each later one is rejected naming the first. Judged on the values as
    sent (normalized like the validator does), so every run over a file judges alike."""
    first: dict[tuple[str, str], int] = {}
    duplicates: dict[int, dict] = {}
    for number, raw in rows:
        if not isinstance(raw, Mapping):
            continue
        row = serializer_class.canonical(raw)
        keys = []
        for column in serializer_class.key_columns:
            value = _key_value(serializer_class, column, row.get(column))
            if value is None:
                continue
            seen = first.get((column, value))
            if seen is not None and number not in duplicates:
                duplicates[number] = rejection(
                    number,
                    column,
                    f"Row {seen} has the same {column} ({value}); only the first row with it is imported.",
                )
            keys.append((column, value))
        if number not in duplicates:
            for key in keys:
                first.setdefault(key, number)
    return duplicates


def _with_words(vocabularies: dict, words: Mapping[str, Mapping[str, str]] | None) -> dict:
    """The tenant's vocabularies with `words` ({vocabulary: {word: value}}, not saved yet: the
    mapping step's choices, for its preview) taking precedence."""
    for name, mapped in (words or {}).items():
        vocabularies[name] = {
            **vocabularies.get(name, {}),
            **{fold_value(w): v for w, v in mapped.items() if v},
        }
    return vocabularies


def validate_rows(
    serializer_class: type[RowSerializer],
    *,
    tenant: Tenant,
    rows: Sequence[NumberedRow],
    options: ReadOptions | None = None,
    words: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[tuple[int, dict]], list[dict]]:
    """Validate each row on its own: (valid rows with their cleaned values, rejections). A row that
    repeats an earlier row's key is rejected (see `duplicate_rows`). Values are read in `options`
    (an import's; the API's are the defaults) and the tenant's vocabularies."""
    duplicates = duplicate_rows(serializer_class, rows)
    candidates = [(number, row) for number, row in rows if number not in duplicates]
    context = {
        "tenant": tenant,
        "options": options or ReadOptions(),
        "vocabularies": _with_words(vocabularies_for(tenant), words),
    }
    context.update(
        serializer_class.lookups_for(
            tenant=tenant,
            rows=[serializer_class.canonical(row) for _, row in candidates if isinstance(row, Mapping)],
        )
    )
    valid, rejected = [], list(duplicates.values())
    for number, row in candidates:
        serializer = serializer_class(data=row, context=context)
        if serializer.is_valid():
            valid.append((number, serializer.validated_data))
        else:
            rejected.extend(row_errors(number, serializer.errors))
    rejected.sort(key=lambda entry: entry["row"])
    return valid, rejected


def missing_columns(serializer_class: type[RowSerializer], columns: Iterable[str]) -> list[str]:
    """Required columns a header lacks, in words ("account_external_id or account_domain")."""
    present = set(columns)
    return [
        " or ".join(options) for options in serializer_class.required_columns if not present & set(options)
    ]
