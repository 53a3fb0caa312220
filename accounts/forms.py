"""Forms of the accounts pages: they validate input; the services in accounts.services act."""

import hashlib

from django import forms
from django.core.exceptions import ValidationError

from accounts.domains import normalize_domain
from accounts.importing.columns import IGNORE, field_choices
from accounts.importing.options import DATE_ORDER_LABELS, DECIMAL_MARK_LABELS
from accounts.importing.reading import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from accounts.importing.vocabularies import fold_value
from accounts.models import (
    AccountMapping,
    ImportJob,
    Opportunity,
    OpportunityStage,
    Program,
    TargetAccount,
    ValueMapping,
)
from accounts.selectors.accounts import account_by_domain, account_clashes
from partnerhub.tenancy import selectors as tenancy_selectors
from partnerhub.tenancy.forms import offer_owners
from partnerhub.tenancy.models import Membership, Partner
from partnerhub.tenancy.scoping import scope_for
from partnerhub.tenancy.taxonomy import Region, currency_choices


class AccountForm(forms.ModelForm):
    industry = forms.ChoiceField(required=False)

    class Meta:
        model = TargetAccount
        fields = [
            "name",
            "domain",
            "industry",
            "region",
            "segment",
            "manual_stage",
            "senior_buyers_engaged",
            "owner",
            "external_id",
        ]
        labels = {
            "domain": "Web domain",
            "manual_stage": "Stage",
            "external_id": "CRM id",
        }
        help_texts = {
            "domain": "For example acme.com; a URL or an email address is reduced to its domain.",
            "manual_stage": (
                "Used while the account has no opportunities. Once it has some, the stage follows "
                "them: open, stalled (no stage change in 60 days), existing customer (won), or net new "
                "(only lost ones)."
            ),
            "owner": "The vendor's sales owner of the account.",
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        offer_owners(
            self.fields["owner"], tenant=tenant, function="account", current_id=self.instance.owner_id
        )
        for name, empty in (("region", "No region"), ("segment", "No segment")):
            self.fields[name].choices = [("", empty), *self.fields[name].choices[1:]]
        # The tenant's verticals; an account keeps an archived one it has.
        industries = tenancy_selectors.vertical_choices(tenant=tenant, keep=[self.instance.industry])
        self.fields["industry"].choices = [("", "No industry"), *industries]

    def clean_domain(self):
        return normalize_domain(self.cleaned_data["domain"])

    def clean(self):
        cleaned = super().clean()
        clashes = account_clashes(
            tenant=self.tenant,
            account_id=self.instance.pk,
            domain=cleaned.get("domain", ""),
            external_id=cleaned.get("external_id", ""),
        )
        for field, message in clashes.items():
            self.add_error(field, message)
        return cleaned


class OpportunityForm(forms.ModelForm):
    # Declared, not generated: a generated field would query every tenant's partners at import.
    source_partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="None",
        help_text="The partner that brought the opportunity (partner-sourced pipeline).",
    )
    influencing_partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Partners that helped move this opportunity (partner-influenced pipeline); "
        "Ctrl- or Cmd-click to pick several.",
    )

    class Meta:
        model = Opportunity
        fields = ["name", "stage", "amount", "currency", "close_date", "source_partner", "external_id"]
        labels = {"external_id": "CRM id", "close_date": "Expected close date"}
        widgets = {"close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"stage": "A change of stage is kept in the opportunity's history with its time."}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        partners = tenancy_selectors.partner_choices(tenant=tenant)
        self.fields["source_partner"].queryset = partners
        self.fields["influencing_partners"].queryset = partners
        if self.instance.pk:
            self.initial["influencing_partners"] = [
                partner.pk for partner in self.instance.influencing_partners.all()
            ]


class AccountDomainField(forms.CharField):
    """An account named by its web domain (or a URL or email address at it), found in the tenant."""

    def __init__(self, *, tenant, **kwargs):
        self.tenant = tenant
        kwargs.setdefault("max_length", 253)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        domain = normalize_domain(value)
        account = account_by_domain(tenant=self.tenant, domain=domain)
        if account is None:
            raise ValidationError(
                f"No target account has the domain {domain}. Check the spelling, or ask your "
                "partner manager to add the account first.",
                code="unknown_account",
            )
        return account


class MappingCreateForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label="Choose a partner")
    account = forms.CharField()  # replaced in __init__: it needs the tenant
    relationship = forms.ChoiceField(
        choices=AccountMapping.Relationship.choices, initial=AccountMapping.Relationship.RELATIONSHIP
    )
    notes = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        partners = tenancy_selectors.partner_choices(tenant=membership.tenant)
        self.fields["partner"].queryset = scope_for(partners, tenant=membership.tenant, membership=membership)
        self.fields["account"] = AccountDomainField(
            tenant=membership.tenant,
            label="Account web domain",
            help_text="The account's web domain, e.g. acme.com (a URL or an email address at it works too).",
            widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "acme.com"}),
        )


class MappingUpdateForm(forms.ModelForm):
    class Meta:
        model = AccountMapping
        fields = ["relationship", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ClaimForm(forms.Form):
    """A company the partner works with, named as the partner knows it."""

    domain = forms.CharField(
        max_length=253,
        label="Web domain",
        help_text="e.g. acme.com (a URL or an email address at it works too).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "acme.com"}),
    )
    company_name = forms.CharField(max_length=200, required=False, label="Company name")
    relationship = forms.ChoiceField(
        choices=AccountMapping.Relationship.choices, initial=AccountMapping.Relationship.RELATIONSHIP
    )
    notes = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


# --- Imports ------------------------------------------------------------------------------------

UNMAPPED = ("", "— leave unmapped (those rows are rejected) —")
VOCABULARY_CHOICES = {
    ValueMapping.Field.OPPORTUNITY_STAGE: OpportunityStage.choices,
    ValueMapping.Field.REGION: Region.choices,
}


def vocabulary_choices(*, tenant, vocabulary: str) -> list[tuple[str, str]]:
    """The values a vocabulary maps CRM words to: industries are the tenant's active verticals, lead
    sources the tenant's partners (by id)."""
    if vocabulary == ValueMapping.Field.INDUSTRY:
        return tenancy_selectors.vertical_choices(tenant=tenant)
    if vocabulary == ValueMapping.Field.LEAD_SOURCE:
        partners = tenancy_selectors.partner_choices(tenant=tenant).values_list("id", "name")
        return [(str(partner_id), name) for partner_id, name in partners]
    return list(VOCABULARY_CHOICES[vocabulary])


FILE_HELP = (
    "A CSV file (UTF-8 or Windows-1252, comma or semicolon separated), "
    f"up to {MAX_IMPORT_BYTES // (1024 * 1024)} MB and {MAX_IMPORT_ROWS:,} rows."
)


class ImportForm(forms.Form):
    """The kinds of file the page offers (accounts.importing.kinds, those the role may import) and,
    for an attendee list, the program it belongs to (the service says when one is missing)."""

    kind = forms.ChoiceField(
        label="The file holds", choices=(), widget=forms.RadioSelect, initial=ImportJob.Kind.ACCOUNTS
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        required=False,
        empty_label="Choose a program",
        label="Program (event attendance only)",
        help_text="The program whose event the attendee list is of.",
    )
    file = forms.FileField(label="CSV file", help_text=FILE_HELP)

    def __init__(self, *args, tenant, kinds, with_program: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        if with_program:
            programs = Program.objects.filter(tenant=tenant).order_by("-launched_at", "-id")
            self.fields["program"].queryset = programs
        else:
            del self.fields["program"]


class MappingImportForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        empty_label="Choose a partner",
        help_text="The partner company these accounts belong to.",
    )
    file = forms.FileField(label="CSV file", help_text=FILE_HELP)

    def __init__(self, *args, tenant, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = scope_for(
            tenancy_selectors.partner_choices(tenant=tenant), tenant=tenant, membership=membership
        )


class ClaimsUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text=FILE_HELP)


class ImportMappingForm(forms.Form):
    """The mapping step: a field (or nothing) for each column of the file, how its values are read,
    a word of the tenant's vocabulary for each stage or industry name PartnerHub cannot read yet, and
    a name to save the mapping under."""

    date_order = forms.ChoiceField(
        label="Dates are written", choices=list(DATE_ORDER_LABELS.items()), initial="ymd"
    )
    decimal_mark = forms.ChoiceField(
        label="Decimal mark of amounts", choices=list(DECIMAL_MARK_LABELS.items()), initial="."
    )
    currency = forms.ChoiceField(label="Currency of amounts written without one", required=False)
    replace_external_ids = forms.BooleanField(
        label="Replace the CRM id of accounts found by domain",
        required=False,
        help_text="When an account on the row's domain has another CRM id, give it the file's id "
        "(otherwise the row is rejected and the report says why).",
    )
    save_as = forms.CharField(
        label="Save this mapping as",
        max_length=100,
        required=False,
        help_text="e.g. “Salesforce accounts report”: the next file with the same columns is mapped "
        "alike, and the bulk API can name it.",
    )

    def __init__(self, *args, job, tenant, unknown_words=(), can_save=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [(IGNORE, "— ignore this column —")] + [
            (choice.name, f"{choice.label} ({choice.name})") for choice in field_choices(job.kind)
        ]
        self.column_names = []
        for index, name in enumerate(job.header):
            key = f"column_{index}"
            self.fields[key] = forms.ChoiceField(
                label=name or f"Column {index + 1}",
                choices=choices,
                required=False,
                initial=job.columns[index],
            )
            self.column_names.append(key)
        tenant_default = ("", f"The tenant's default ({tenant.default_currency})")
        self.fields["currency"].choices = [tenant_default, *currency_choices()]
        if job.kind != ImportJob.Kind.ACCOUNTS:
            del self.fields["replace_external_ids"]
        if not can_save:
            del self.fields["save_as"]
        self.word_fields = []
        values = {  # once per vocabulary, not once per word
            vocabulary: vocabulary_choices(tenant=tenant, vocabulary=vocabulary)
            for vocabulary in {word.vocabulary for word in unknown_words}
        }
        for word in unknown_words:
            key = self.word_key(word.vocabulary, word.word)
            self.fields[key] = forms.ChoiceField(
                label=word.word,
                choices=[UNMAPPED, *values[word.vocabulary]],
                required=False,
                help_text=f"{word.rows} row{'s' if word.rows != 1 else ''}",
            )
            self.word_fields.append((key, word))
        for name in ("date_order", "decimal_mark", "currency", "replace_external_ids"):
            if name in self.fields:
                self.fields[name].initial = job.options.get(name, self.fields[name].initial)

    @staticmethod
    def word_key(vocabulary: str, word: str) -> str:
        """The form field of an unknown word: named by the word itself, not its place in the list,
        so a choice always lands on the word it was made for (the list is rebuilt on every post,
        and changes when someone maps a word meanwhile); a word not offered has no field."""
        digest = hashlib.sha256(f"{vocabulary}:{fold_value(word)}".encode()).hexdigest()[:16]
        return f"word_{digest}"

    def column_rows(self, samples):
        """(bound field, samples) for each column of the file, as the page lists them."""
        return [(self[key], samples[index]) for index, key in enumerate(self.column_names)]

    def word_rows(self):
        return [(self[key], word) for key, word in self.word_fields]

    @property
    def columns(self) -> list[str]:
        return [self.cleaned_data.get(key) or IGNORE for key in self.column_names]

    @property
    def options(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("date_order", "decimal_mark", "currency", "replace_external_ids")
            if name in self.fields
        }

    @property
    def words(self) -> dict[str, dict[str, str]]:
        mapped: dict[str, dict[str, str]] = {}
        for key, word in self.word_fields:
            if self.cleaned_data.get(key):
                mapped.setdefault(word.vocabulary, {})[word.word] = self.cleaned_data[key]
        return mapped
