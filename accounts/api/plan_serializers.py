"""The plan API's serializers: what a plan looks like (output) and what each action takes (input)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.filters import tenant_accounts, tenant_staff
from accounts.models import (
    KICKOFF_FIELDS,
    MAX_ACCOUNT_IDS,
    PLAN_OWNER_FIELDS,
    AccountMapping,
    AccountStage,
    Checkpoint,
    MarketKind,
    Plan,
)
from accounts.selectors.markets import market_warning
from accounts.selectors.plans import plan_step_states
from partnerhub.tenancy.api.fields import (
    MAX_INTEGER,
    CurrencyField,
    TenantEmailRelatedField,
    TenantIdField,
)
from partnerhub.tenancy.filters import tenant_partners
from partnerhub.tenancy.taxonomy import Currency
from plays.models import PlayKind
from plays.selectors import play_choices

RANKING_DEFAULT_LIMIT = 50
RANKING_MAX_LIMIT = 200


# --- Input fields --------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.EMAIL)
class StaffEmailField(TenantEmailRelatedField):
    """A vendor staff member of the tenant, named by email."""

    def __init__(self, **kwargs):
        super().__init__(queryset_for=tenant_staff, **kwargs)


class BoundedListField(serializers.ListField):
    """A list whose length is checked before its items are resolved (one lookup per item)."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


# --- Output serializers --------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "enum": Plan.Status.values,
        "description": "\n".join(f"* `{value}` - {label}" for value, label in Plan.Status.choices),
    },
    # One named component: the list and the detail both carry it, and other resources have
    # `status` fields of their own choices (the enum postprocessor would warn on the collision).
    component_name="PlanStatusEnum",
)
class PlanStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Plan.Status.choices, **kwargs)


class PartnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlayRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=PlayKind.choices)


class PlanPlaySerializer(PlayRefSerializer):
    reason = serializers.CharField(help_text="Why this play, as recommended when it was chosen.")


class PlanStepStateSerializer(serializers.Serializer):
    step = serializers.IntegerField(
        source="number",
        min_value=1,
        max_value=6,
        help_text="1 market, 2 accounts, 3 partner, 4 play, 5 follow-up, 6 measurement.",
    )
    name = serializers.CharField(source="label")
    taken = serializers.BooleanField(help_text="The step holds a decision.")
    complete = serializers.BooleanField(help_text="Taken and not waiting for review.")
    review = serializers.BooleanField(help_text="An earlier step changed: look at this decision again.")
    reachable = serializers.BooleanField(help_text="Every step above is complete: this one can be taken now.")


class NamedAccountSerializer(serializers.Serializer):
    """A named target account of the plan (read from its PlanAccount row)."""

    id = serializers.IntegerField(source="account.id")
    name = serializers.CharField(source="account.name")
    domain = serializers.CharField(source="account.domain")
    stage = serializers.ChoiceField(source="account.stage", choices=AccountStage.choices)


class FollowUpSerializer(serializers.Serializer):
    sales_owner = serializers.EmailField(source="sales_owner.email", help_text="Who calls the attendees.")
    due_on = serializers.DateField()
    talk_track = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True, help_text="When sales marked the calls made.")


class TargetsSerializer(serializers.Serializer):
    day30_followups = serializers.IntegerField(source="target_day30_followups", allow_null=True)
    day60_meetings = serializers.IntegerField(source="target_day60_meetings", allow_null=True)
    day90_opportunities = serializers.IntegerField(source="target_day90_opportunities", allow_null=True)
    day90_pipeline = serializers.DecimalField(
        source="target_day90_pipeline", max_digits=14, decimal_places=2, allow_null=True
    )
    currency = CurrencyField(source="target_currency")


class OwnersSerializer(serializers.Serializer):
    """Who owns each of the six functions of the plan: a staff member's email, or null."""

    def get_fields(self):
        return {
            name: serializers.EmailField(
                source=f"{name}.email",
                read_only=True,
                allow_null=True,
                default=None,
                help_text=f"Owner of {label.lower()}.",
            )
            for name, label in PLAN_OWNER_FIELDS.items()
        }


class KickoffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = KICKOFF_FIELDS
        read_only_fields = fields


class ProgramRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    utm_source = serializers.CharField()
    utm_medium = serializers.CharField()
    utm_campaign = serializers.CharField()
    utm_content = serializers.CharField()
    utm_query = serializers.CharField(help_text="The query string every link of the program carries.")


class CheckpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Checkpoint
        fields = ["day", "due_on", "frozen_at"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    """A plan on the board: what it is, where it stands. The detail adds the six steps."""

    quarter_label = serializers.CharField(read_only=True)
    market_label = serializers.CharField(read_only=True)
    partner = PartnerRefSerializer(read_only=True, allow_null=True)
    play = PlayRefSerializer(read_only=True, allow_null=True)
    account_count = serializers.IntegerField(read_only=True, help_text="Named target accounts.")
    status = PlanStatusField(read_only=True)
    market_kind = serializers.ChoiceField(
        choices=MarketKind.choices, allow_blank=True, read_only=True, help_text="Empty until step 1 names it."
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "year",
            "quarter",
            "quarter_label",
            "status",
            "market_kind",
            "market_value",
            "market_label",
            "partner",
            "play",
            "account_count",
            "review_steps",
            "launched_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MarketHolderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    play = serializers.CharField()
    message = serializers.CharField()


class PlanDetailSerializer(PlanSerializer):
    """One plan with its six steps, owners, kickoff, and once launched its program and checkpoints.
    Reads a plan from `plan_detail` (everything joined or prefetched)."""

    steps = serializers.SerializerMethodField()
    account_count = serializers.SerializerMethodField(help_text="Named target accounts.")
    market_held_by = serializers.SerializerMethodField(
        help_text="Another plan that already has a play for this market in this quarter (this plan then "
        "cannot pick one), while this plan has none; else null."
    )
    accounts = NamedAccountSerializer(source="plan_accounts", many=True, read_only=True)
    play = serializers.SerializerMethodField()
    follow_up = FollowUpSerializer(read_only=True, allow_null=True)
    targets = TargetsSerializer(source="*", read_only=True)
    owners = OwnersSerializer(source="*", read_only=True)
    kickoff = KickoffSerializer(source="*", read_only=True)
    program = ProgramRefSerializer(read_only=True, allow_null=True)
    checkpoints = CheckpointSerializer(many=True, read_only=True)
    created_by = serializers.EmailField(
        source="created_by.email", read_only=True, allow_null=True, default=None
    )

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "steps",
            "market_held_by",
            "accounts",
            "follow_up",
            "targets",
            "owners",
            "kickoff",
            "program",
            "checkpoints",
            "meeting_started_at",
            "created_by",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanStepStateSerializer(many=True))
    def get_steps(self, plan: Plan) -> list[dict]:
        return PlanStepStateSerializer(plan_step_states(plan), many=True).data  # from what was loaded

    @extend_schema_field(MarketHolderSerializer(allow_null=True))
    def get_market_held_by(self, plan: Plan) -> dict | None:
        held = market_warning(tenant=self.context["request"].tenant, plan=plan)
        if held is None:
            return None
        holder, message = held
        return {"id": holder.id, "name": str(holder), "play": str(holder.play), "message": message}

    def get_account_count(self, plan: Plan) -> int:
        return len(plan.plan_accounts.all())  # prefetched

    @extend_schema_field(PlanPlaySerializer(allow_null=True))
    def get_play(self, plan: Plan) -> dict | None:
        if plan.play is None:
            return None
        return {
            "id": plan.play.id,
            "name": plan.play.name,
            "kind": plan.play.kind,
            "reason": plan.play_reason,
        }


class AccessAccountSerializer(serializers.Serializer):
    name = serializers.CharField()
    relationship = serializers.ChoiceField(choices=AccountMapping.Relationship.choices)


class PartnerRankSerializer(serializers.Serializer):
    partner = PartnerRefSerializer()
    access = serializers.IntegerField(help_text="Named accounts of the plan the partner already works with.")
    access_accounts = AccessAccountSerializer(many=True, help_text="Which, with the relationship.")
    has_vertical = serializers.BooleanField(help_text="Depth in the market's (or the accounts') vertical.")
    certifications = serializers.IntegerField()
    covers_region = serializers.BooleanField()
    score = serializers.IntegerField(help_text="Access first, then credibility and fit; MDF is not in it.")
    reasons = serializers.ListField(child=serializers.CharField())
    mdf_available = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The partner's MDF for the plan's quarter, shown beside."
    )
    mdf_currency = serializers.CharField(help_text="Empty when the partner has no funds that quarter.")


class PlayOptionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PlayKind.choices)
    label = serializers.CharField()
    play = PlayRefSerializer(allow_null=True, help_text="The tenant's play of this kind (null if none).")
    reason = serializers.CharField()


class RecommendationCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open_or_stalled = serializers.IntegerField()
    existing_customers = serializers.IntegerField()
    senior_buyers = serializers.IntegerField()
    in_market_vertical = serializers.IntegerField()


class RecommendationSerializer(PlayOptionSerializer):
    fits = serializers.BooleanField(help_text="False when no play suits the named accounts (see reason).")
    alternatives = PlayOptionSerializer(many=True, help_text="Other plays the accounts support.")
    counts = RecommendationCountsSerializer(help_text="The named accounts counted by what decides.")


# --- Input serializers ---------------------------------------------------------------------------


class PlanCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlanRenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True, required=False)

    def validate(self, attrs):
        others = sorted(set(self.initial_data) - set(self.fields))
        if others:
            message = (
                "Only the name is changed here; the plan's decisions are set through its actions "
                "(market, accounts, partner, play, follow-up, targets, kickoff, launch, close)."
            )
            raise serializers.ValidationError({key: [message] for key in others})
        return attrs


class MarketInputSerializer(serializers.Serializer):
    market_kind = serializers.ChoiceField(choices=MarketKind.choices)
    market_value = serializers.CharField(
        max_length=40,
        help_text="A region, vertical or segment value, of the kind chosen: a vertical is one of the "
        "tenant's (GET /api/v1/verticals/ lists them).",
    )


class AccountsInputSerializer(serializers.Serializer):
    account_ids = BoundedListField(
        child=TenantIdField(queryset_for=tenant_accounts),
        max_length=MAX_ACCOUNT_IDS,
        help_text="Ids of the 5 to 20 named target accounts (the whole list: it replaces the last one).",
    )


class PartnerInputSerializer(serializers.Serializer):
    partner_id = TenantIdField(queryset_for=tenant_partners)


class PlayInputSerializer(serializers.Serializer):
    play_id = TenantIdField(queryset_for=lambda request: play_choices(tenant=request.tenant))
    note = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your own words, kept after the reason PartnerHub records (the recommendation's, or that "
        "this play was chosen over it).",
    )


class FollowUpInputSerializer(serializers.Serializer):
    sales_owner = StaffEmailField(help_text="Email of the vendor staff member who calls the attendees.")
    due_on = serializers.DateField()
    talk_track = serializers.CharField()


class TargetsInputSerializer(serializers.Serializer):
    day30_followups = serializers.IntegerField(
        min_value=0, max_value=MAX_INTEGER, help_text="Target accounts followed up by sales."
    )
    day60_meetings = serializers.IntegerField(
        min_value=0, max_value=MAX_INTEGER, help_text="Meetings booked from target accounts."
    )
    day90_opportunities = serializers.IntegerField(
        min_value=0, max_value=MAX_INTEGER, help_text="Opportunities progressed on target accounts."
    )
    day90_pipeline = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    currency = CurrencyField(required=False, default=Currency.USD)


class KickoffInputSerializer(serializers.ModelSerializer):
    """Owners (staff emails, null to clear) and kickoff items; only the fields sent change."""

    def get_fields(self):
        fields = super().get_fields()
        for name, label in PLAN_OWNER_FIELDS.items():
            fields[name] = StaffEmailField(
                required=False, allow_null=True, help_text=f"Email of the owner of {label.lower()}."
            )
        return fields

    class Meta:
        model = Plan
        fields = [*PLAN_OWNER_FIELDS, *KICKOFF_FIELDS]
        extra_kwargs = {name: {"required": False} for name in KICKOFF_FIELDS}


class RankingQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=RANKING_MAX_LIMIT,
        required=False,
        default=RANKING_DEFAULT_LIMIT,
        help_text=f"How many partners, best first (default {RANKING_DEFAULT_LIMIT}).",
    )
