from django import forms
from django.contrib.postgres.forms import SimpleArrayField

from partnerhub.tenancy import selectors
from partnerhub.tenancy.logos import ACCEPT
from partnerhub.tenancy.models import ApiKey, Membership, Partner, Tenant, User
from partnerhub.tenancy.roles import Role, invitable_roles
from partnerhub.tenancy.taxonomy import Region


def offer_owners(field, *, tenant, function: str, current_id=None, empty_label: str = "No owner yet") -> None:
    """Make `field` an owner picker: people by name, the staff whose role does the work (one rule,
    `owner_choices`), never a list of e-mail addresses."""
    field.queryset = selectors.owner_choices(tenant=tenant, function=function, current_id=current_id)
    field.label_from_instance = lambda user: user.display_name
    field.empty_label = empty_label


class LogoFormMixin(forms.Form):
    """A model form with a `logo` file field: upload a new one, keep the current one (send none), or
    remove it. The services receive `logo` as the new file, the current one, or "" (removed)."""

    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    def clean(self):
        data = super().clean()
        if data.pop("remove_logo", False):
            data["logo"] = ""
        return data


# No link to the current file: logos have no public URL (partnerhub/tenancy/logos.py).
LOGO_WIDGET = forms.FileInput(attrs={"accept": ACCEPT})


class PartnerForm(LogoFormMixin, forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")
    verticals = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    regions = forms.MultipleChoiceField(
        choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    certifications = SimpleArrayField(
        forms.CharField(max_length=100),
        required=False,
        help_text="Comma-separated, e.g. “Cloud Architect, Security Specialist”.",
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "website",
            "tier",
            "status",
            "account_manager",
            "verticals",
            "regions",
            "certifications",
            "has_marketing_automation",
            "weekly_handoff_cap",
            "description",
            "logo",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "logo": LOGO_WIDGET}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        offer_owners(
            self.fields["account_manager"],
            tenant=tenant,
            function="partner",
            current_id=self.instance.account_manager_id,
            empty_label="No account manager yet",
        )
        self.fields["verticals"].choices = selectors.vertical_choices(
            tenant=tenant, keep=self.instance.verticals
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254)
    role = forms.ChoiceField(choices=())
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="None: vendor staff",
        help_text="Required for partner roles: the company this person works for.",
    )

    def __init__(self, *args, inviter: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = invitable_roles(inviter.role)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in allowed]
        self.fields["role"].initial = Role.PARTNER_USER
        partners = selectors.partner_choices(tenant=inviter.tenant)
        if inviter.is_partner_role:  # colleagues of their own company only: the field is fixed
            partners = partners.filter(id=inviter.partner_id)
            self.fields["partner"].initial = inviter.partner_id
            self.fields["partner"].disabled = True
            self.fields["partner"].help_text = ""
        self.fields["partner"].queryset = partners


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="None: vendor staff"
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = selectors.partner_choices(tenant=tenant)

    @classmethod
    def for_membership(cls, membership: Membership, data=None):
        return cls(
            data, tenant=membership.tenant, initial={"role": membership.role, "partner": membership.partner}
        )


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses the key, e.g. “Salesforce sync”.")
    access = forms.ChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write")],
        initial="read",
        widget=forms.RadioSelect,
    )

    @staticmethod
    def scopes_for(access: str) -> list[str]:
        if access == "write":
            return [ApiKey.Scope.READ, ApiKey.Scope.WRITE]
        return [ApiKey.Scope.READ]


class TenantSettingsForm(LogoFormMixin, forms.ModelForm):
    class Meta:
        model = Tenant
        fields = [
            "name",
            "timezone",
            "locale",
            "default_currency",
            "default_sla_hours",
            "require_mfa_for_staff",
            "logo",
        ]
        widgets = {"logo": LOGO_WIDGET}


class VerticalForm(forms.Form):
    """A vertical's name; its value is made from the first name it is given and never changes."""

    label = forms.CharField(
        label="Name", max_length=80, help_text="As people will read it, e.g. “Aerospace & defense”."
    )


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password (again)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                validate_password(first, user=User(email=self.email, full_name=cleaned.get("full_name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class NotificationMarkReadForm(forms.Form):
    """Which of the member's own notifications to mark read; none chosen means all of them."""

    notification_id = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, notifications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notification_id"].queryset = notifications
