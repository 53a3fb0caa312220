"""Forms of the import settings pages: a word of the tenant's import vocabulary and what it means.
They validate input; accounts.services.imports maps and unmaps."""

from django import forms

from accounts.forms import vocabulary_choices
from accounts.models import ValueMapping
from partnerhub.tenancy.models import Tenant


def all_vocabulary_choices(tenant: Tenant) -> dict[str, list[tuple[str, str]]]:
    """{vocabulary: [(PartnerHub value, label)]} for every vocabulary (a query each for the
    verticals and the partners)."""
    return {field: vocabulary_choices(tenant=tenant, vocabulary=field) for field in ValueMapping.Field.values}


class ValueMappingForm(forms.Form):
    """Map a word: within one vocabulary (the field is fixed, its values offered), or, when none is
    given, in the vocabulary chosen on the form (every value offered, grouped by vocabulary)."""

    field = forms.ChoiceField(label="Vocabulary", choices=ValueMapping.Field.choices)
    word = forms.CharField(
        label="Word as the CRM writes it", max_length=200, help_text="Case, spaces and dashes do not matter."
    )
    value = forms.ChoiceField(label="Means in PartnerHub")

    def __init__(self, *args, choices: dict[str, list[tuple[str, str]]], vocabulary: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if vocabulary in choices:
            self.fields["field"].initial = vocabulary
            self.fields["field"].widget = forms.HiddenInput()
            self.fields["value"].choices = choices[vocabulary]
        else:
            labels = dict(ValueMapping.Field.choices)
            self.fields["value"].choices = [(labels[field], values) for field, values in choices.items()]


class ValueMappingChangeForm(forms.Form):
    """What a word already mapped means from now on."""

    value = forms.ChoiceField(label="Means in PartnerHub")

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = choices
