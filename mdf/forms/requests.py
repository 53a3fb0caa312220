"""Forms and list filters of fund requests, the catalog and the proposal templates. The forms shape
input; the rules are the services' (mdf/services/requests.py)."""

from __future__ import annotations

from django import forms

from mdf.models import ActivityType, CatalogItem, FundRequest, ProposalTemplate
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.taxonomy import currency_choices

REQUEST = FundRequest._meta
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2}


def _answer_name(index: int) -> str:
    return f"answer_{index}"


class RequestForm(forms.Form):
    """What a partner asks money for. Built for one kind: a catalog request has no amount (the item's
    is fixed), a proposal has the template's questions, a new request picks its fund."""

    fund = forms.TypedChoiceField(coerce=int, help_text="The budget it draws from.")
    partner = forms.TypedChoiceField(coerce=int, help_text="The partner the budget line is agreed with.")
    title = forms.CharField(max_length=REQUEST.get_field("title").max_length)
    activity_type = forms.ChoiceField(choices=ActivityType.choices)
    starts_on = forms.DateField(label="Starts on", widget=DATE_INPUT)
    ends_on = forms.DateField(label="Ends on", widget=DATE_INPUT)
    format = forms.ChoiceField(choices=FundRequest.Format.choices, initial=FundRequest.Format.VIRTUAL)
    plan = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The account-first plan it serves (required except for catalog requests).",
    )
    target_accounts = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Target accounts it is meant to reach",
        help_text="Named accounts of the plan chosen above.",
    )
    expected_accounts_in_room = forms.IntegerField(
        label="Expected: target accounts in the room", min_value=0, initial=0
    )
    expected_meetings = forms.IntegerField(label="Expected: meetings", min_value=0, initial=0)
    expected_pipeline = forms.DecimalField(label="Expected: pipeline", min_value=0, initial=0, **MONEY)
    partner_contribution = forms.DecimalField(label="Your own contribution", min_value=0, initial=0, **MONEY)
    amount_requested = forms.DecimalField(label="Amount asked", min_value=0.01, **MONEY)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(
        self,
        *args,
        kind: str,
        funds=None,
        partners=None,
        plans=(),
        account_groups=(),
        questions=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.questions = list(questions)
        if funds is None:
            del self.fields["fund"]
        else:
            self.fields["fund"].choices = [(fund.id, f"{fund} · {fund.currency}") for fund in funds]
        partner_known = partners is None
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].choices = [(partner.id, partner.name) for partner in partners]
        self.fields["plan"].choices = [("", "None")] + [
            (plan.id, str(plan) if partner_known else f"{plan} ({plan.partner.name})") for plan in plans
        ]
        self.fields["target_accounts"].choices = list(account_groups)
        if kind == FundRequest.Kind.CATALOG:
            del self.fields["amount_requested"]
        for index, question in enumerate(self.questions):
            self.fields[_answer_name(index)] = forms.CharField(
                label=question, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
            )

    def clean(self):
        """The data as the services take it: the template's answers keyed by their questions."""
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The activity ends on or after the day it starts.")
        answers = {
            question: data.pop(_answer_name(index), "") for index, question in enumerate(self.questions)
        }
        if self.questions:
            data["answers"] = answers
        return data

    @classmethod
    def initial_for(cls, request: FundRequest) -> dict:
        initial = {
            name: getattr(request, name)
            for name in (
                "title",
                "activity_type",
                "starts_on",
                "ends_on",
                "format",
                "expected_accounts_in_room",
                "expected_meetings",
                "expected_pipeline",
                "partner_contribution",
                "amount_requested",
                "description",
            )
        }
        initial["plan"] = request.plan_id
        initial["target_accounts"] = [row.account_id for row in request.request_accounts.all()]
        questions = request.template.questions if request.template_id else []
        answers = request.answers if isinstance(request.answers, dict) else {}
        for index, question in enumerate(questions):
            initial[_answer_name(index)] = answers.get(question, "")
        return initial


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount approved",
        required=False,
        min_value=0.01,
        help_text="Empty: the amount asked. Less approves it partially.",
        **MONEY,
    )


class NoteForm(forms.Form):
    """Information asked for, or why a request is rejected or declined: the partner reads it."""

    note = forms.CharField(label="For the partner", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


CATALOG = CatalogItem._meta
TEMPLATE = ProposalTemplate._meta


class CatalogItemForm(forms.Form):
    name = forms.CharField(max_length=CATALOG.get_field("name").max_length)
    activity_type = forms.ChoiceField(choices=ActivityType.choices)
    amount = forms.DecimalField(
        min_value=0.01, help_text="The fixed amount a request from it is for.", **MONEY
    )
    currency = forms.ChoiceField(choices=currency_choices)
    tiers = forms.MultipleChoiceField(
        choices=Partner.Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The partner tiers that may request it.",
    )
    limit_per_quarter = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="How many a partner may have approved per quarter; empty: no limit.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    @classmethod
    def initial_for(cls, item: CatalogItem) -> dict:
        return {name: getattr(item, name) for name in cls.base_fields}


class ProposalTemplateForm(forms.Form):
    play = forms.TypedChoiceField(coerce=int, help_text="The play whose programs this template serves.")
    name = forms.CharField(max_length=TEMPLATE.get_field("name").max_length)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One question per line: what a proposal from this template must answer.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, plays=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["play"].choices = [(play.id, play.name) for play in plays]

    @classmethod
    def initial_for(cls, template: ProposalTemplate) -> dict:
        return {
            "play": template.play_id,
            "name": template.name,
            "questions": "\n".join(template.questions),
            "description": template.description,
        }

    def clean_questions(self) -> list[str]:
        questions = [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]
        if not questions:
            raise forms.ValidationError("Ask at least one question.")
        too_long = [question for question in questions if len(question) > 300]
        if too_long:
            raise forms.ValidationError(f"A question has at most 300 characters: “{too_long[0][:40]}…”.")
        return questions


class RequestRulesForm(forms.Form):
    second_approval_above = forms.DecimalField(
        label="Second approval above",
        required=False,
        min_value=0,
        help_text="A request approved for more than this needs a second, different approver. Empty: never.",
        **MONEY,
    )
    aging_business_days = forms.IntegerField(
        label="Aging after (business days)",
        min_value=1,
        max_value=60,
        help_text="A request in review longer than this is shown as aging.",
    )


__all__ = [
    "ApproveForm",
    "CatalogItemForm",
    "NoteForm",
    "ProposalTemplateForm",
    "RequestForm",
    "RequestRulesForm",
]
