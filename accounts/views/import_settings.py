"""Import settings pages: the tenant's import vocabulary (a CRM's stage, industry, country and lead
source words mapped to PartnerHub's values, with the built-in words that apply where the tenant has
mapped none) and its saved column mappings (beside the presets that ship). Staff who may view
accounts read them; changing them takes the right to change accounts (the services check it too)."""

from __future__ import annotations

import functools

import pycountry
from django.urls import path, reverse

from accounts import services
from accounts.filters_imports import ImportMappingFilter, ValueMappingFilter
from accounts.forms_imports import ValueMappingChangeForm, ValueMappingForm, all_vocabulary_choices
from accounts.importing.columns import field_choices
from accounts.importing.kinds import kind_label
from accounts.importing.options import DATE_ORDER_LABELS, DECIMAL_MARK_LABELS, ReadOptions
from accounts.importing.presets import PRESETS
from accounts.importing.vocabularies import REGION_OF_COUNTRY
from accounts.models import ImportJob, ValueMapping
from accounts.selectors.imports import builtin_meaning, builtin_words, import_mapping_list, value_mapping_list
from accounts.services.imports import vocabulary_fields
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView
from partnerhub.tenancy.taxonomy import Region

F = ValueMapping.Field
# Each vocabulary's section: its title and what its words are.
VOCABULARIES = {
    F.OPPORTUNITY_STAGE: (
        "Opportunity stages",
        "The stage names of your CRM's pipelines (“Needs Analysis”, “appointmentscheduled”) and the "
        "PartnerHub stage each one is.",
    ),
    F.INDUSTRY: (
        "Industries",
        "The industry names your CRM writes (“HOSPITAL_HEALTH_CARE”, “Banking”) and the vertical each is in.",
    ),
    F.REGION: (
        "Countries → regions",
        "The region an account is in when the file gives its country. Countries are known by name and "
        "ISO code; map the ones in no region, or put one in another region than the built-in one.",
    ),
    F.LEAD_SOURCE: (
        "Lead sources → partners",
        "A lead source of an opportunity (“Partner Referral - Contoso”) that names the partner who "
        "sourced it.",
    ),
}


def offered_in_imports() -> set[str]:
    """The vocabularies whose unknown words an import's mapping step offers to map."""
    return {vocabulary for fields in vocabulary_fields().values() for _, vocabulary in fields}


def vocabulary_url(tenant, field: str = "") -> str:
    url = reverse("accounts:import_vocabulary", kwargs={"tenant_slug": tenant.slug})
    return f"{url}?field={field}" if field else url


def saved_mappings_url(tenant) -> str:
    return reverse("accounts:import_mapping_list", kwargs={"tenant_slug": tenant.slug})


@functools.cache
def builtin_regions() -> list[tuple[str, list[str]]]:
    """(region, the countries in it by name) of the built-in country → region table."""
    countries: dict[str, list[str]] = {}
    for code, region in REGION_OF_COUNTRY.items():
        country = pycountry.countries.get(alpha_2=code)
        countries.setdefault(region, []).append(country.name if country else code)
    return [(Region(region).label, sorted(names)) for region, names in countries.items()]


def _value_label(labels: dict[str, str], value: str) -> str:
    return labels.get(value) or f"{value} (no longer a PartnerHub value)"


class _VocabularyMixin:
    @functools.cached_property
    def choices(self) -> dict[str, list[tuple[str, str]]]:
        return all_vocabulary_choices(self.tenant)

    def label_of(self, field: str, value: str) -> str:
        return _value_label(dict(self.choices[field]), value)


# --- Import vocabulary --------------------------------------------------------------------------


class ImportVocabularyView(_VocabularyMixin, TenantListView):
    """One section per vocabulary (or the one `?field=` names): the tenant's own words, a form to
    map another, and the built-in words that apply where the tenant has mapped none."""

    permission = "account.view"
    queryset_selector = value_mapping_list
    filterset_class = ValueMappingFilter
    paginate_by = 100
    template_name = "accounts/import_vocabulary.html"
    partial_template_name = "accounts/partials/_import_vocabulary.html"
    csv_name = "import-vocabulary"
    csv_columns = [
        ("Vocabulary", "get_field_display"),
        ("CRM word", "source_value"),
        ("PartnerHub value", "value"),
        ("Changed by", "updated_by.email"),
        ("Changed", "updated_at"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_change = self.can("account.change")
        chosen = self.request.GET.get("field", "")
        builtins = builtin_words(tenant=self.tenant)
        rows = list(context["rows"])
        context.update(
            sections=[
                self._section(field, [row for row in rows if row.field == field], builtins[field], can_change)
                for field in F.values
                if chosen not in F.values or field == chosen
            ],
            can_change=can_change,
            searched=bool(self.request.GET.get("q")),
        )
        return context

    def _section(self, field: str, rows: list, builtins: dict[str, str], can_change: bool) -> dict:
        choices = self.choices[field]
        title, help_text = VOCABULARIES[field]
        return {
            "field": field,
            "title": title,
            "help": help_text,
            "rows": [
                {
                    "mapping": mapping,
                    "label": self.label_of(field, mapping.value),
                    # Each row's own form: ids that do not clash with the other rows'.
                    "form": ValueMappingChangeForm(
                        choices=choices, initial={"value": mapping.value}, auto_id=f"id_vm_{mapping.id}_%s"
                    )
                    if can_change
                    else None,
                }
                for mapping in rows
            ],
            "form": ValueMappingForm(choices=self.choices, vocabulary=field, auto_id=f"id_{field}_%s")
            if can_change and choices
            else None,
            "has_values": bool(choices),
            "offered_in_imports": field in offered_in_imports(),
            "builtin": sorted((word, self.label_of(field, value)) for word, value in builtins.items()),
            "builtin_regions": builtin_regions() if field == F.REGION else [],
        }


class ValueMappingCreateView(_VocabularyMixin, ServiceFormView):
    """Map a word (a word mapped already takes the new value): from a section of the vocabulary page,
    or on its own page, where the vocabulary is chosen too."""

    permission = "account.change"
    template_name = "accounts/value_mapping_form.html"
    form_class = ValueMappingForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        kwargs.update(choices=self.choices, vocabulary=source.get("field", ""))
        return kwargs

    def get_initial(self):
        return {"word": self.request.GET.get("word", "")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        field = context["form"].fields["field"].initial
        context.update(
            title=f"Map a word: {VOCABULARIES[field][0]}" if field else "Map a word",
            back_url=vocabulary_url(self.tenant, field or ""),
        )
        return context

    def save(self, data):
        services.imports.value_mappings_save(
            tenant=self.tenant,
            actor=self.request.user,
            vocabulary=data["field"],
            words={data["word"]: data["value"]},
        )
        return data

    def success_message(self, data):
        return f"“{data['word']}” now reads as {self.label_of(data['field'], data['value'])}."

    def saved_url(self, data):
        return vocabulary_url(self.tenant, data["field"])


class ValueMappingUpdateView(_VocabularyMixin, ServiceFormView):
    permission = "account.change"
    queryset_selector = value_mapping_list
    object_kwarg = "value_mapping_id"
    template_name = "accounts/value_mapping_form.html"
    form_class = ValueMappingChangeForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["choices"] = self.choices[self.object.field]
        return kwargs

    def get_initial(self):
        return {"value": self.object.value}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"What “{self.object.source_value}” means",
            back_url=vocabulary_url(self.tenant, self.object.field),
        )
        return context

    def save(self, data):
        services.imports.value_mappings_save(
            tenant=self.tenant,
            actor=self.request.user,
            vocabulary=self.object.field,
            words={self.object.source_value: data["value"]},
        )
        return data

    def success_message(self, data):
        return f"“{self.object.source_value}” now reads as {self.label_of(self.object.field, data['value'])}."

    def saved_url(self, data):
        return vocabulary_url(self.tenant, self.object.field)


class ValueMappingDeleteView(_VocabularyMixin, TenantConfirmView):
    permission = "account.change"
    queryset_selector = value_mapping_list
    object_kwarg = "value_mapping_id"
    confirm_label = "Remove mapping"

    @property
    def title(self):
        return f"Remove the mapping of “{self.object.source_value}”?"

    def message(self):
        mapping = self.object
        meant = f"It reads as {self.label_of(mapping.field, mapping.value)} now."
        fallback = builtin_meaning(tenant=self.tenant, field=mapping.field, word=mapping.source_value)
        if fallback:
            default = self.label_of(mapping.field, fallback)
            then = f"Without it, files that write it read as {default}, the default."
        else:
            then = (
                "PartnerHub does not know it without your mapping: the next import that has it offers "
                "to map it, and its rows are rejected until it is mapped."
            )
        return f"{meant} {then} Rows imported already keep their values."

    def perform(self):
        services.imports.value_mapping_delete(
            tenant=self.tenant, actor=self.request.user, value_mapping_id=self.object.id
        )
        return f"“{self.object.source_value}” is no longer mapped."

    def success_url(self):
        return vocabulary_url(self.tenant, self.object.field)


# --- Saved import mappings ----------------------------------------------------------------------


@functools.cache
def _field_labels(kind: str) -> dict[str, str]:
    return {choice.name: choice.label for choice in field_choices(kind)}


def columns_shown(kind: str, columns: dict[str, str]) -> list[tuple[str, str]]:
    """(file column, the field it goes to, or "" when ignored) of a saved mapping or a preset."""
    labels = _field_labels(kind)
    shown = [(column, labels.get(field, field) if field else "") for column, field in columns.items()]
    return sorted(shown, key=lambda entry: not entry[1])  # the ignored columns last


def options_shown(kind: str, options: dict, tenant) -> list[str]:
    """How a saved mapping reads values, in words (the options that matter for its kind)."""
    read = ReadOptions.from_dict(options)
    shown = [
        f"Dates: {DATE_ORDER_LABELS[read.date_order]}",
        f"Decimal mark: {DECIMAL_MARK_LABELS[read.decimal_mark]}",
    ]
    if kind == ImportJob.Kind.OPPORTUNITIES:
        currency = read.currency or f"the tenant's default ({tenant.default_currency})"
        shown.append(f"Amounts without a currency: {currency}")
    if kind == ImportJob.Kind.ACCOUNTS and read.replace_external_ids:
        shown.append("Replaces the CRM id of accounts found by domain")
    return shown


class ImportMappingListView(TenantListView):
    """The tenant's saved mappings, with the presets that ship listed beside them (read-only)."""

    permission = "account.view"
    queryset_selector = import_mapping_list
    filterset_class = ImportMappingFilter
    template_name = "accounts/import_mapping_list.html"
    partial_template_name = "accounts/partials/_import_mapping_table.html"
    csv_name = "saved-import-mappings"
    csv_columns = [
        ("Name", "name"),
        ("Kind", "get_kind_display"),
        ("Columns", "columns"),
        ("Options", "options"),
        ("Saved by", "created_by.email"),
        ("Created", "created_at"),
        ("Saved", "updated_at"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mappings"] = [
            {
                "mapping": mapping,
                "columns": columns_shown(mapping.kind, mapping.columns),
                "options": options_shown(mapping.kind, mapping.options, self.tenant),
            }
            for mapping in context["rows"]
        ]
        context["presets"] = [
            {
                "preset": preset,
                "kind": kind_label(preset.kind),
                "columns": columns_shown(preset.kind, preset.columns),
            }
            for preset in PRESETS
        ]
        return context


class ImportMappingDeleteView(TenantConfirmView):
    permission = "account.change"
    queryset_selector = import_mapping_list
    object_kwarg = "import_mapping_id"
    confirm_label = "Delete saved mapping"

    @property
    def title(self):
        return f"Delete the saved mapping “{self.object.name}”?"

    def message(self):
        return (
            "The next file with these columns is no longer mapped this way on upload: its columns are "
            "suggested from the presets and their names instead. Imports done already keep their rows."
        )

    def perform(self):
        services.imports.import_mapping_delete(
            tenant=self.tenant, actor=self.request.user, import_mapping_id=self.object.id
        )
        return f"Saved mapping “{self.object.name}” deleted."

    def success_url(self):
        return saved_mappings_url(self.tenant)


urlpatterns = [
    path("imports/vocabulary/", ImportVocabularyView.as_view(), name="import_vocabulary"),
    path("imports/vocabulary/new/", ValueMappingCreateView.as_view(), name="value_mapping_create"),
    path(
        "imports/vocabulary/<int:value_mapping_id>/edit/",
        ValueMappingUpdateView.as_view(),
        name="value_mapping_update",
    ),
    path(
        "imports/vocabulary/<int:value_mapping_id>/delete/",
        ValueMappingDeleteView.as_view(),
        name="value_mapping_delete",
    ),
    path("imports/saved-mappings/", ImportMappingListView.as_view(), name="import_mapping_list"),
    path(
        "imports/saved-mappings/<int:import_mapping_id>/delete/",
        ImportMappingDeleteView.as_view(),
        name="import_mapping_delete",
    ),
]
