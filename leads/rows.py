"""One arrival of a lead as the API and bulk rows send it: the fields, read strictly. Shared by the
single create (its input serializer) and the bulk intake (each row), so both refuse alike."""

from rest_framework import serializers

from leads.models import Lead, LeadSource, TouchKind
from partnerhub.tenancy.api.fields import DateTimeField

# A touch's details are a few facts (an asset's name, an event's session), not a document.
MAX_DETAILS_KEYS = 20
MAX_DETAIL_LENGTH = 500


def _text(name: str, help_text: str = "", **kwargs) -> serializers.CharField:
    model_field = Lead._meta.get_field(name)
    return serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=model_field.max_length,
        help_text=help_text or str(model_field.help_text) or "",
        **kwargs,
    )


class LeadRow(serializers.Serializer):
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="The person's email: the lead's key in the tenant (any case). Required, except to "
        "update a known lead named by its `external_id`.",
    )
    first_name = _text("first_name")
    last_name = _text("last_name")
    title = _text("title", "Job title.")
    phone = _text("phone")
    country = _text("country")
    company_name = _text("company_name")
    web_domain = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=253,
        help_text="The company's web domain (a URL works too); without it, the email's domain. It is "
        "matched to a target account; free-mail domains (gmail.com …) never match.",
    )
    external_id = _text(
        "external_id",
        "The lead's id in the CRM, unique in the tenant: an arrival with "
        "the CRM id of a lead merges into that lead.",
    )
    source = serializers.ChoiceField(
        choices=LeadSource.choices, required=False, help_text="The door it came through (default: api)."
    )
    tracking_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="The program's tracking code (any case); an unknown code is refused.",
    )
    utm_campaign = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="The utm_campaign of the link it came by: names the program whose campaign it is.",
    )
    consent = serializers.BooleanField(required=False, default=False, help_text="Marketing consent given.")
    consent_at = DateTimeField(required=False, allow_null=True, help_text="When (default: now).")
    consent_method = _text("consent_method", "How consent was given, e.g. “webinar form, checkbox”.")
    touch_kind = serializers.ChoiceField(
        choices=TouchKind.choices,
        required=False,
        allow_blank=True,
        help_text="What the person engaged with: recorded as a touch (events and landing pages record "
        "theirs by default). A second arrival of a known email merges into its lead as this touch.",
    )
    occurred_at = DateTimeField(
        required=False,
        allow_null=True,
        help_text="When the touch happened (default: now). A touch of the same kind at the same time "
        "is recorded once, so a re-sent arrival adds nothing.",
    )
    details = serializers.DictField(
        child=serializers.CharField(max_length=MAX_DETAIL_LENGTH, allow_blank=True),
        required=False,
        help_text=f"A few facts of the touch (asset, event session): at most {MAX_DETAILS_KEYS} text values.",
    )

    def validate_email(self, value: str) -> str:
        return value.strip().lower()

    def validate_details(self, value: dict) -> dict:
        if len(value) > MAX_DETAILS_KEYS:
            raise serializers.ValidationError(f"Send at most {MAX_DETAILS_KEYS} details.")
        if any(len(key) > 100 for key in value):
            raise serializers.ValidationError("A detail's name has at most 100 characters.")
        return value

    def validate(self, attrs):
        if not attrs.get("email") and not attrs.get("external_id"):
            raise serializers.ValidationError(
                {"email": ["This field is required (or `external_id`, to update a known lead)."]}
            )
        if attrs.get("consent_at") and not attrs.get("consent"):
            raise serializers.ValidationError(
                {"consent_at": ["Set `consent` to true to record when it was given."]}
            )
        return attrs
