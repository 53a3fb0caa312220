from django import forms

from partnerhub.tenancy.selectors import partner_choices, vertical_choices
from plays.models import ComponentKey, Play
from plays.services import PLAY_FIELDS


class PlayForm(forms.ModelForm):
    class Meta:
        model = Play
        fields = PLAY_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "follow_up_template": forms.Textarea(attrs={"rows": 8}),
        }


class ComponentForm(forms.Form):
    """A master's component: its content, and whether versions may override it."""

    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False)
    is_fixed = forms.BooleanField(
        required=False,
        label="Fixed: versions cannot override it",
        help_text="Architecture, qualification and handoff logic, and reporting are usually fixed.",
    )


class VersionForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="E.g. “Healthcare version” or “Contoso version”.")
    vertical = forms.ChoiceField(required=False)
    partner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any partner")

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(tenant=tenant)
        self.fields["vertical"].choices = [("", "Any vertical"), *vertical_choices(tenant=tenant)]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("vertical") and not cleaned.get("partner") and not self.errors:
            raise forms.ValidationError(
                "A version is for a vertical, a partner, or both: choose at least one."
            )
        return cleaned


class OverrideForm(forms.Form):
    """A version's own content for a flexible component (the service refuses fixed ones)."""

    key = forms.ChoiceField(label="Component", choices=ComponentKey.choices)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False)
