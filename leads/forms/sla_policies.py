"""The SLA policy form of the settings page. It shapes input; the rules (one scope at most, one
policy a scope) are the service's, shown on the field at fault."""

from __future__ import annotations

from django import forms

from leads.models import SlaPolicy
from leads.selectors import lead_program_choices
from leads.services.sla_policies import NUMBER_FIELDS
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.selectors import partner_choices

POLICY = SlaPolicy._meta


class SlaPolicyForm(forms.Form):
    """Its scope (a tier, a partner or a program; none of them: the tenant's default) and its
    numbers, with the model's bounds."""

    tier = forms.ChoiceField(
        choices=[("", "No tier"), *Partner.Tier.choices],
        required=False,
        help_text="The partners of this tier.",
    )
    partner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No partner",
        help_text=POLICY.get_field("partner").help_text,
    )
    program = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No program",
        help_text=POLICY.get_field("program").help_text,
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(tenant=tenant)
        self.fields["program"].queryset = lead_program_choices(tenant=tenant).select_related("partner")
        self.fields["program"].label_from_instance = lambda program: (
            f"{program.tracking_code} ({program.partner.name})"
        )
        # The numbers as the model bounds them (labels, defaults, minimum and maximum).
        self.fields.update(forms.fields_for_model(SlaPolicy, fields=NUMBER_FIELDS))
        for name in NUMBER_FIELDS:
            self.fields[name].label = POLICY.get_field(name).verbose_name.capitalize()
