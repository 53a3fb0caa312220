"""CRUD of target accounts, opportunities (with their stage history) and account mapping:
/api/v1/accounts/, /api/v1/opportunities/, /api/v1/account-mappings/. Reads come from the
selectors through the tenant (and partner) scope; writes go through accounts.services."""

from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts import services
from accounts.filters import AccountFilter, MappingFilter, OpportunityFilter, tenant_accounts, tenant_staff
from accounts.models import (
    AccountMapping,
    Opportunity,
    OpportunityStage,
    OpportunityStageChange,
    TargetAccount,
)
from accounts.rows import DomainField
from accounts.selectors import accounts as selectors
from partnerhub.tenancy.api.fields import (
    CurrencyField,
    DateTimeField,
    TenantEmailRelatedField,
    TenantRelatedField,
    VerticalField,
)
from partnerhub.tenancy.api.filtering import FilterBackend
from partnerhub.tenancy.api.pagination import KeysetPagination
from partnerhub.tenancy.api.plain import PlainListMixin
from partnerhub.tenancy.api.viewsets import TenantModelViewSet
from partnerhub.tenancy.filters import tenant_partners, without_sort

# --- Accounts -----------------------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    domain = DomainField(
        max_length=253,
        help_text="Web domain, unique in the tenant; a URL or an email address is reduced to it "
        "(https://www.Acme.com/about → acme.com).",
    )
    industry = VerticalField(required=False, allow_blank=True, help_text="The account's industry, or empty.")
    owner = TenantEmailRelatedField(
        queryset_for=tenant_staff,
        required=False,
        allow_null=True,
        help_text="Email of the vendor's sales owner of the account (a staff member).",
    )
    opportunity_count = serializers.IntegerField(read_only=True)
    open_opportunity_count = serializers.IntegerField(read_only=True)
    open_pipeline_amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Sum of the open opportunities' amounts; null when there are none or when they are "
        "in several currencies (amounts are never converted).",
    )
    open_pipeline_currency = serializers.CharField(
        read_only=True, allow_null=True, help_text="The one currency of the open opportunities, if one."
    )
    partner_count = serializers.IntegerField(read_only=True, help_text="Partners mapped to the account.")

    class Meta:
        model = TargetAccount
        fields = [
            "id",
            *services.ACCOUNT_FIELDS,
            "stage",
            "opportunity_count",
            "open_opportunity_count",
            "open_pipeline_amount",
            "open_pipeline_currency",
            "partner_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "stage", "created_at", "updated_at"]
        extra_kwargs = {
            "external_id": {"help_text": "The account's id in the CRM, unique in the tenant."},
            "stage": {
                "help_text": "Derived from the account's opportunities when it has any (open; stalled "
                "when no open one changed stage in 60 days; existing customer when one was won; net new "
                "when all were lost); else manual_stage."
            },
        }

    def validate(self, attrs):
        clashes = selectors.account_clashes(
            tenant=self.context["request"].tenant,
            account_id=getattr(self.instance, "pk", None),
            domain=attrs.get("domain", ""),
            external_id=attrs.get("external_id", ""),
        )
        if clashes:
            raise serializers.ValidationError({field: [message] for field, message in clashes.items()})
        return attrs


# Keyset-paged lists filter, but do not reorder.
KEYSET_FILTERS = [FilterBackend]


class AccountViewSet(PlainListMixin, TenantModelViewSet):
    """Target accounts. Staff read; account editors and write keys change them."""

    pagination_class = KeysetPagination
    filter_backends = KEYSET_FILTERS
    queryset_selector = selectors.account_list
    serializer_class = AccountSerializer
    filterset_class = without_sort(AccountFilter)
    permission_read = "account.view"
    permission_write = "account.change"

    def perform_create(self, serializer):
        account = services.account_create(
            tenant=self.request.tenant, actor=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(id=account.id)

    def perform_update(self, serializer):
        account = services.account_update(
            tenant=self.request.tenant,
            actor=self.request.user,
            account_id=serializer.instance.id,
            **serializer.validated_data,
        )
        serializer.instance = self.get_queryset().get(id=account.id)

    def perform_destroy(self, instance):
        services.account_delete(tenant=self.request.tenant, actor=self.request.user, account_id=instance.id)


# --- Opportunities ------------------------------------------------------------------------------


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage = serializers.ChoiceField(
        choices=OpportunityStage.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty for the stage the opportunity opened in.",
    )

    class Meta:
        model = OpportunityStageChange
        fields = ["from_stage", "to_stage", "changed_at"]
        read_only_fields = fields


class OpportunitySerializer(serializers.ModelSerializer):
    account = TenantRelatedField(queryset_for=tenant_accounts, help_text="Id of the target account.")
    source_partner = TenantRelatedField(
        queryset_for=tenant_partners,
        required=False,
        allow_null=True,
        help_text="Id of the partner that brought the opportunity (partner-sourced pipeline).",
    )
    influencing_partners = TenantRelatedField(
        queryset_for=tenant_partners,
        many=True,
        required=False,
        help_text="Ids of the partners that influenced it (partner-influenced pipeline); "
        "sending the list replaces it.",
    )
    currency = CurrencyField(required=False)
    stage_changed_at = DateTimeField(
        required=False,
        help_text="When the stage last changed. On write, the CRM's time of a stage change (now when "
        "left out); it is used only when the stage changes.",
    )
    stage_history = StageChangeSerializer(
        source="stage_changes", many=True, read_only=True, help_text="Every stage change, newest first."
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            *services.OPPORTUNITY_FIELDS,
            "influencing_partners",
            "stage_changed_at",
            "stage_history",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "external_id": {"help_text": "The opportunity's id in the CRM, unique in the tenant."}
        }


class OpportunityViewSet(PlainListMixin, TenantModelViewSet):
    """CRM opportunities on target accounts, each with its stage history. Every stage change is kept
    with its time, and the account's stage follows."""

    pagination_class = KeysetPagination
    filter_backends = KEYSET_FILTERS
    queryset_selector = selectors.opportunity_list
    plain_selector = selectors.opportunity_rows
    serializer_class = OpportunitySerializer
    filterset_class = without_sort(OpportunityFilter)
    permission_read = "account.view"
    permission_write = "account.change"

    def page_related(self, ids):
        tenant = self.request.tenant
        return {
            "influencing_partners": selectors.opportunity_influencer_ids(tenant=tenant, opportunity_ids=ids),
            "stage_history": selectors.opportunity_stage_histories(tenant=tenant, opportunity_ids=ids),
        }

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        opportunity = services.opportunity_create(
            tenant=self.request.tenant,
            actor=self.request.user,
            influencing_partners=fields.pop("influencing_partners", ()),
            **fields,
        )
        serializer.instance = self.get_queryset().get(id=opportunity.id)

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        opportunity = services.opportunity_update(
            tenant=self.request.tenant,
            actor=self.request.user,
            opportunity_id=serializer.instance.id,
            influencing_partners=fields.pop("influencing_partners", None),
            **fields,
        )
        serializer.instance = self.get_queryset().get(id=opportunity.id)

    def perform_destroy(self, instance):
        services.opportunity_delete(
            tenant=self.request.tenant, actor=self.request.user, opportunity_id=instance.id
        )


# --- Account mapping ----------------------------------------------------------------------------


class MappedAccountDomainField(DomainField):
    """The mapped account's domain on read; on write, another way to name the account."""

    def get_attribute(self, instance):
        return instance.account.domain


class AccountMappingSerializer(serializers.ModelSerializer):
    partner = TenantRelatedField(
        queryset_for=tenant_partners,
        required=False,
        help_text="Id of the partner.",
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    account = TenantRelatedField(
        queryset_for=tenant_accounts,
        required=False,
        help_text="Id of the target account; or name it by `account_domain`.",
    )
    account_name = serializers.CharField(source="account.name", read_only=True)
    account_domain = MappedAccountDomainField(
        required=False,
        max_length=253,
        help_text="The account's web domain: on write, another way to name the account (a URL or an "
        "email address at it works too).",
    )

    class Meta:
        model = AccountMapping
        fields = [
            "id",
            "partner",
            "partner_name",
            "account",
            "account_name",
            "account_domain",
            "relationship",
            "source",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "source", "created_at", "updated_at"]
        extra_kwargs = {"source": {"help_text": "How the mapping arrived: staff, partner upload or API."}}

    def validate(self, attrs):
        request = self.context["request"]
        domain = attrs.pop("account_domain", None)
        if domain is not None:
            account = selectors.account_by_domain(tenant=request.tenant, domain=domain)
            if account is None:
                raise serializers.ValidationError(
                    {"account_domain": [f"No target account has the domain {domain}."]}
                )
            if attrs.get("account", account) != account:
                raise serializers.ValidationError(
                    {"account_domain": ["This is the domain of another account than `account`."]}
                )
            attrs["account"] = account
        if self.instance is not None:
            return attrs  # the service refuses a changed partner or account
        if "account" not in attrs:
            raise serializers.ValidationError(
                {"account": ["Name the account by `account` or `account_domain`."]}
            )
        if "partner" not in attrs:
            raise serializers.ValidationError({"partner": ["This field is required."]})
        return attrs


class AccountMappingViewSet(PlainListMixin, TenantModelViewSet):
    """Which partners already work with which accounts: the vendor's (staff and keys). A partner's
    own list is /api/v1/account-claims/, which never says what matched."""

    pagination_class = KeysetPagination
    filter_backends = KEYSET_FILTERS
    queryset_selector = selectors.mapping_list
    serializer_class = AccountMappingSerializer
    filterset_class = without_sort(MappingFilter)
    plain_columns = {"account_domain": "account__domain"}
    permission_read = "mapping.view"
    permission_write = "mapping.change"

    def perform_create(self, serializer):
        data = serializer.validated_data
        mapping = services.mapping_create(
            tenant=self.request.tenant,
            actor=self.request.user,
            partner=data["partner"],
            account=data["account"],
            relationship=data.get("relationship", AccountMapping.Relationship.RELATIONSHIP),
            notes=data.get("notes", ""),
            source=AccountMapping.Source.API,
        )
        serializer.instance = self.get_queryset().get(id=mapping.id)

    def perform_update(self, serializer):
        changes = {
            name: value
            for name, value in serializer.validated_data.items()
            if name in ("partner", "account", "relationship", "notes")
        }
        mapping = services.mapping_update(
            tenant=self.request.tenant, actor=self.request.user, mapping_id=serializer.instance.id, **changes
        )
        serializer.instance = self.get_queryset().get(id=mapping.id)

    def perform_destroy(self, instance):
        services.mapping_delete(tenant=self.request.tenant, actor=self.request.user, mapping_id=instance.id)


def register(router: SimpleRouter) -> None:
    router.register("accounts", AccountViewSet, basename="account")
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("account-mappings", AccountMappingViewSet, basename="account-mapping")
