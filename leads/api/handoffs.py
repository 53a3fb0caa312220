"""Handoffs in the API: /api/v1/handoffs/ (list, read, offer) and its actions accept, reject, contact,
qualification (the partner's: its users and partner keys) and recall (staff). A partner's principal
sees only its own handoffs, and of each lead what `leads.selectors.handoff_lead_view` allows: no
email or phone before acceptance. Staff and the vendor's keys see the lead's id and everything.
Every write goes through leads.services.handoffs (docs/leads.md, "Handoffs API")."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from leads import services
from leads.filters import HandoffFilter
from leads.models import Clock, Handoff, QualificationOutcome, RejectReason
from leads.selectors import handoff_lead_for_partner, handoff_lead_view, handoff_list, lead_list
from leads.services.handoffs import running_clocks
from partnerhub.tenancy.api.fields import DateTimeField, TenantRelatedField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet
from partnerhub.tenancy.selectors import partner_choices

ANSWER = "handoff.answer"
OFFER = "lead.change"


class TouchSeenSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="What the person engaged with, in words.")
    occurred_at = DateTimeField()


class HandoffPersonSerializer(serializers.Serializer):
    """The person a handoff is about, as the caller may see them."""

    name = serializers.CharField()
    title = serializers.CharField()
    company_name = serializers.CharField()
    company_domain = serializers.CharField()
    country = serializers.CharField()
    email = serializers.CharField(
        help_text="Empty for the partner until it accepts (and again once the handoff is closed)."
    )
    phone = serializers.CharField(help_text="Empty for the partner until it accepts, as `email`.")
    contacts_revealed = serializers.BooleanField(help_text="Whether `email` and `phone` are shown.")


class HandoffPersonDetailSerializer(HandoffPersonSerializer):
    touches = serializers.SerializerMethodField(help_text="The person's engagement history, newest first.")

    @extend_schema_field(TouchSeenSerializer(many=True))
    def get_touches(self, view) -> list[dict]:
        touches = [{"kind": kind, "occurred_at": at} for kind, at in view.touches]
        return TouchSeenSerializer(touches, many=True).data


class ClockSerializer(serializers.Serializer):
    clock = serializers.ChoiceField(
        choices=Clock.choices,
        help_text="accept (stopped by acceptance), contact (by the first logged contact), qualify (by a "
        "qualification outcome).",
    )
    due_at = DateTimeField(help_text="When the clock breaches, in business time of the partner's calendar.")
    recall_at = DateTimeField(help_text="When the handoff is taken back if the clock is still running.")


def _membership(serializer):
    return serializer.context["request"].membership


class HandoffSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    lead = serializers.SerializerMethodField(help_text="The lead's id, for staff; null for the partner.")
    person = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField(
        help_text="The SLA clocks still running, with their deadlines; empty once the handoff is closed."
    )
    offered_at = DateTimeField(read_only=True)
    accepted_at = DateTimeField(read_only=True, allow_null=True)
    first_contact_at = DateTimeField(read_only=True, allow_null=True)
    qualified_at = DateTimeField(read_only=True, allow_null=True)
    closed_at = DateTimeField(read_only=True, allow_null=True)
    updated_at = DateTimeField(read_only=True)
    reject_reason = serializers.ChoiceField(
        choices=RejectReason.choices, allow_blank=True, read_only=True, help_text="Empty unless rejected."
    )
    qualification = serializers.ChoiceField(
        choices=QualificationOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the partner reports the outcome.",
    )

    person_serializer = HandoffPersonSerializer

    class Meta:
        model = Handoff
        fields = [
            "id",
            "state",
            "partner",
            "partner_name",
            "lead",
            "person",
            "clocks",
            "offered_at",
            "accepted_at",
            "first_contact_at",
            "qualified_at",
            "closed_at",
            "reject_reason",
            "reject_text",
            "qualification",
            "qualification_note",
            "updated_at",
        ]
        read_only_fields = fields

    def get_lead(self, handoff) -> int | None:
        membership = _membership(self)
        return None if membership is not None and membership.is_partner_role else handoff.lead_id

    def lead_view(self, handoff):
        return handoff_lead_view(handoff=handoff, membership=_membership(self))

    @extend_schema_field(HandoffPersonSerializer)
    def get_person(self, handoff) -> dict:
        return self.person_serializer(self.lead_view(handoff)).data

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, handoff) -> list[dict]:
        clocks = [
            {
                "clock": clock,
                "due_at": getattr(handoff, f"{clock}_due_at"),
                "recall_at": getattr(handoff, f"{clock}_recall_at"),
            }
            for clock in running_clocks(handoff)
        ]
        return ClockSerializer(clocks, many=True).data


class HandoffDetailSerializer(HandoffSerializer):
    """One handoff, with the person's touches."""

    person_serializer = HandoffPersonDetailSerializer

    def lead_view(self, handoff):
        request = self.context["request"]
        return handoff_lead_for_partner(tenant=request.tenant, handoff=handoff, membership=request.membership)

    @extend_schema_field(HandoffPersonDetailSerializer)
    def get_person(self, handoff) -> dict:
        return super().get_person(handoff)


class HandoffOfferSerializer(serializers.ModelSerializer):
    lead = TenantRelatedField(
        queryset_for=lambda request: lead_list(tenant=request.tenant), help_text="The lead to offer."
    )
    partner = TenantRelatedField(
        queryset_for=lambda request: partner_choices(tenant=request.tenant),
        help_text="The partner it is offered to.",
    )

    class Meta:
        model = Handoff
        fields = ["lead", "partner"]


class HandoffRejectSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices, help_text="Why the partner declines.")
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=Handoff._meta.get_field("reject_text").max_length,
        help_text="In the partner's own words: required when `reason` is other.",
    )


class HandoffQualificationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=QualificationOutcome.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=Handoff._meta.get_field("qualification_note").max_length
    )


STATE_REFUSED = "400 (on `handoff`) when the handoff is not in a state this step applies to."


@extend_schema_view(
    create=extend_schema(
        summary="Offer a lead to a partner (staff): the accept clock starts",
        request=HandoffOfferSerializer,
        responses={201: OpenApiResponse(HandoffDetailSerializer, description="The new, offered handoff.")},
    )
)
class HandoffViewSet(IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet):
    """Handoffs: one offer of one lead to one partner. Staff read every one, offer and recall; a
    partner's users and partner keys read their own company's and answer them (accept or reject,
    then the first contact and the qualification outcome). Another partner's handoff is a 404, as
    one that does not exist."""

    queryset_selector = handoff_list
    serializer_class = HandoffSerializer
    detail_serializer_class = HandoffDetailSerializer
    create_serializer_class = HandoffOfferSerializer
    filterset_class = HandoffFilter
    permission_read = "handoff.view"
    permission_write = OFFER
    action_permissions = {
        "accept": ANSWER,
        "reject": ANSWER,
        "contact": ANSWER,
        "qualification": ANSWER,
        "recall": OFFER,
    }

    def create_with(self, data):
        return services.handoff_offer(
            tenant=self.request.tenant,
            actor=self.request.user,
            lead_id=data["lead"].id,
            partner_id=data["partner"].id,
        )

    def _answer(self, service, **kwargs):
        handoff = service(
            tenant=self.request.tenant, actor=self.request.user, handoff_id=self.get_object().id, **kwargs
        )
        return self.detail_response(handoff.id)

    @extend_schema(request=None, responses=HandoffDetailSerializer, description=STATE_REFUSED)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The partner accepts: the lead's email and phone are shown from now on, and the contact and
        qualify clocks start."""
        return self._answer(services.handoff_accept)

    @extend_schema(
        request=HandoffRejectSerializer, responses=HandoffDetailSerializer, description=STATE_REFUSED
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The partner declines, with a reason code (and its words, required for other); the lead is
        never offered to this partner again."""
        data = self.validated(HandoffRejectSerializer)
        return self._answer(services.handoff_reject, reason=data["reason"], text=data.get("text", ""))

    @extend_schema(request=None, responses=HandoffDetailSerializer, description=STATE_REFUSED)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """The partner logs its first contact with the person: the contact clock stops."""
        return self._answer(services.handoff_record_contact)

    @extend_schema(
        request=HandoffQualificationSerializer, responses=HandoffDetailSerializer, description=STATE_REFUSED
    )
    @action(detail=True, methods=["post"])
    def qualification(self, request, pk=None):
        """The partner reports the qualification outcome, after the first contact: the qualify clock
        stops."""
        data = self.validated(HandoffQualificationSerializer)
        return self._answer(
            services.handoff_record_qualification, outcome=data["outcome"], note=data.get("note", "")
        )

    @extend_schema(request=None, responses=HandoffDetailSerializer, description=STATE_REFUSED)
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        """Staff take an open handoff back: it closes, and the lead waits to be offered again."""
        return self._answer(services.handoff_recall)


def register(router: SimpleRouter) -> None:
    router.register("handoffs", HandoffViewSet, basename="handoff")
