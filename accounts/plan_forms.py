"""Forms of the plan wizard: each validates one step's input; the step's service decides."""

from __future__ import annotations

from django import forms

from accounts.models import KICKOFF_FIELDS, PLAN_OWNER_FIELDS, MarketKind, Plan, TargetAccount
from accounts.selectors.accounts import account_choices
from partnerhub.tenancy.forms import offer_owners
from partnerhub.tenancy.models import Partner, User
from partnerhub.tenancy.selectors import partner_choices, vertical_choices
from partnerhub.tenancy.taxonomy import Currency, Region, Segment
from plays.models import Play
from plays.selectors import play_choices


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int)
    name = forms.CharField(
        max_length=200, required=False, help_text="Optional; the market names it otherwise."
    )


class MarketForm(forms.Form):
    """One priority: a region, a vertical (one of the tenant's) or a segment, picked from one grouped
    list. A plan whose market is a vertical archived since keeps it on offer."""

    market = forms.ChoiceField(label="Market priority")

    def __init__(self, *args, tenant, plan: Plan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        held = [plan.market_value] if plan is not None and plan.market_kind == MarketKind.VERTICAL else []
        values = {
            MarketKind.REGION: Region.choices,
            MarketKind.VERTICAL: vertical_choices(tenant=tenant, keep=held),
            MarketKind.SEGMENT: Segment.choices,
        }
        self.fields["market"].choices = [("", "Choose one priority…")] + [
            (str(kind.label), [(f"{kind}:{value}", label) for value, label in values[kind]])
            for kind in MarketKind
        ]

    def clean_market(self) -> tuple[str, str]:
        kind, _, value = self.cleaned_data["market"].partition(":")
        return kind, value


class AccountsForm(forms.Form):
    accounts = forms.ModelMultipleChoiceField(queryset=TargetAccount.objects.none(), required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = account_choices(tenant=tenant)
        self.fields["accounts"].error_messages["invalid_choice"] = (
            "Some of the chosen accounts no longer exist."
        )


class PartnerForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label=None)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(tenant=tenant)
        self.fields["partner"].error_messages["required"] = "Choose the partner from the ranking."


class PlayForm(forms.Form):
    play = forms.ModelChoiceField(queryset=Play.objects.none(), empty_label=None)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["play"].queryset = play_choices(tenant=tenant)
        self.fields["play"].error_messages["required"] = "Choose one play."


class FollowUpForm(forms.Form):
    sales_owner = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Who calls the attendees", empty_label="Choose the sales owner…"
    )
    due_on = forms.DateField(label="By when", widget=forms.DateInput(attrs={"type": "date"}))
    talk_track = forms.CharField(label="With what talk track", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        offer_owners(
            self.fields["sales_owner"],
            tenant=tenant,
            function="follow_up",
            current_id=self.initial.get("sales_owner"),
            empty_label="Choose the sales owner…",
        )


class TargetsForm(forms.Form):
    day30_followups = forms.IntegerField(
        min_value=0,
        label="Day 30: target accounts followed up",
        help_text="Operational: delivered, follow-up triggered.",
    )
    day60_meetings = forms.IntegerField(
        min_value=0, label="Day 60: meetings booked from target accounts", help_text="Engagement."
    )
    day90_opportunities = forms.IntegerField(
        min_value=0, label="Day 90: opportunities progressed", help_text="Pipeline."
    )
    day90_pipeline = forms.DecimalField(
        min_value=0, max_digits=14, decimal_places=2, required=False, label="Day 90: pipeline amount"
    )
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.USD)


class KickoffForm(forms.ModelForm):
    """Who owns each of the six functions, and the kickoff items of the partnership."""

    class Meta:
        model = Plan
        fields = [*PLAN_OWNER_FIELDS, *KICKOFF_FIELDS]
        labels = {**PLAN_OWNER_FIELDS, "kickoff_signoff_legal": "Sign-off and legal review"}
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in [
                "kickoff_signoff_legal",
                "kickoff_brand_assets",
                "kickoff_tools",
                "kickoff_lead_times",
            ]
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PLAN_OWNER_FIELDS:
            function = name.removeprefix("owner_")
            offer_owners(
                self.fields[name],
                tenant=tenant,
                function=function,
                current_id=getattr(self.instance, f"{name}_id"),
            )
