"""Plays REST API; viewsets are registered on the project's one router."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from partnerhub.tenancy.api.fields import TenantRelatedField, VerticalField
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet
from partnerhub.tenancy.selectors import partner_choices
from plays import selectors, services
from plays.filters import PackageFilter
from plays.models import ActivationPackage, ComponentKey, Play

# --- Serializers ---------------------------------------------------------------------------------


def vertical_field(**kwargs) -> VerticalField:
    """One of the tenant's verticals, or empty, as a partner's `verticals` hold them."""
    return VerticalField(allow_blank=True, **kwargs)


class PlaySerializer(serializers.ModelSerializer):
    version_count = serializers.IntegerField(read_only=True, help_text="Versions derived from its master.")
    program_count = serializers.IntegerField(read_only=True, help_text="Programs launched with this play.")

    class Meta:
        model = Play
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "success_metric",
            "follow_up_template",
            "version_count",
            "program_count",
            "updated_at",
        ]
        read_only_fields = ["id", "kind", "updated_at"]


class PackageSerializer(serializers.ModelSerializer):
    play_name = serializers.CharField(source="play.name", read_only=True)
    is_master = serializers.BooleanField(read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    vertical = vertical_field(
        read_only=True, help_text="The vertical of a version made for one; empty if none."
    )
    own_component_count = serializers.IntegerField(
        read_only=True, help_text="On a master its components; on a version its overrides."
    )

    class Meta:
        model = ActivationPackage
        fields = [
            "id",
            "play",
            "play_name",
            "parent",
            "is_master",
            "name",
            "vertical",
            "partner",
            "partner_name",
            "revision",
            "own_component_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ResolvedComponentSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=ComponentKey.choices)
    label = serializers.CharField()
    content = serializers.CharField(help_text="The content in effect for this package.")
    is_fixed = serializers.BooleanField(help_text="Fixed by the master: versions cannot override it.")
    overridden = serializers.BooleanField(help_text="This version has its own content for the component.")
    source = serializers.ChoiceField(choices=[("master", "master"), ("version", "version")])
    overridden_by = serializers.SerializerMethodField(help_text="On a master: ids of versions overriding it.")

    def get_overridden_by(self, row) -> list[int]:
        return [version.id for version in row.overridden_by]


class PackageDetailSerializer(PackageSerializer):
    components = serializers.SerializerMethodField()

    class Meta(PackageSerializer.Meta):
        fields = [*PackageSerializer.Meta.fields, "components"]
        read_only_fields = fields

    @extend_schema_field(ResolvedComponentSerializer(many=True))
    def get_components(self, package) -> list[dict]:
        rows = selectors.package_resolved(tenant=self.context["request"].tenant, package=package)
        return ResolvedComponentSerializer(rows, many=True).data


class VersionCreateSerializer(serializers.ModelSerializer):
    master = TenantRelatedField(
        source="parent",
        queryset_for=lambda request: selectors.master_package_list(tenant=request.tenant),
        help_text="Id of the master package to derive from.",
    )
    vertical = vertical_field(required=False, default="")
    partner = TenantRelatedField(
        queryset_for=lambda request: partner_choices(tenant=request.tenant),
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the partner the version is for.",
    )

    class Meta:
        model = ActivationPackage
        fields = ["master", "name", "vertical", "partner"]


class OverrideClearSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=ComponentKey.choices)


class OverrideSerializer(OverrideClearSerializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ComponentUpdateSerializer(OverrideSerializer):
    is_fixed = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Leave out to keep it as it is."
    )


# --- Viewsets ------------------------------------------------------------------------------------


class PlayViewSet(TenantReadOnlyViewSet):
    """The four plays of the tenant's catalog. Their text is edited with PATCH; plays are neither
    created nor deleted (the catalog is installed with the tenant)."""

    queryset_selector = selectors.play_list
    serializer_class = PlaySerializer
    permission_read = "play.view"
    permission_write = "play.change"

    def partial_update(self, request, pk=None):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        play = services.play_update(
            tenant=request.tenant,
            actor=request.user,
            play_id=self.get_object().id,
            **serializer.validated_data,
        )
        return Response(self.get_serializer(self.get_queryset().get(id=play.id)).data)


class PackageViewSet(IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet):
    """Activation packages: a master per play and the versions derived from it. The detail resolves
    the seven components; POST derives a version; actions edit a master's component and set or clear
    a version's override."""

    queryset_selector = selectors.package_list
    serializer_class = PackageSerializer
    filterset_class = PackageFilter
    permission_read = "play.view"
    permission_write = "play.change"

    detail_serializer_class = PackageDetailSerializer
    create_serializer_class = VersionCreateSerializer

    def create_with(self, data: dict):
        """POST on the collection derives a version of a master."""
        partner = data.get("partner")
        return services.package_version_create(
            tenant=self.request.tenant,
            actor=self.request.user,
            master_id=data["parent"].id,
            name=data["name"],
            vertical=data.get("vertical", ""),
            partner_id=partner.id if partner else None,
        )

    @extend_schema(request=VersionCreateSerializer, responses={201: PackageDetailSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def _edit(self, input_serializer, service) -> Response:
        """Validate the body, hand it to the service with this package's id, answer the detail."""
        data = self.validated(input_serializer)
        package_id = self.get_object().id
        service(tenant=self.request.tenant, actor=self.request.user, package_id=package_id, **data)
        return self.detail_response(package_id)

    @extend_schema(request=OverrideSerializer, responses=PackageDetailSerializer)
    @action(detail=True, methods=["post"], url_path="set-override")
    def set_override(self, request, pk=None):
        """Give a version its own content for a flexible component (refused for fixed ones)."""
        return self._edit(OverrideSerializer, services.package_override_set)

    @extend_schema(request=OverrideClearSerializer, responses=PackageDetailSerializer)
    @action(detail=True, methods=["post"], url_path="clear-override")
    def clear_override(self, request, pk=None):
        """Drop a version's override: the component reads from the master again."""
        return self._edit(OverrideClearSerializer, services.package_override_clear)

    @extend_schema(request=ComponentUpdateSerializer, responses=PackageDetailSerializer)
    @action(detail=True, methods=["post"], url_path="update-component")
    def update_component(self, request, pk=None):
        """Change a master's component (content, and whether it is fixed); versions follow."""
        return self._edit(ComponentUpdateSerializer, services.package_component_update)


def register(router: SimpleRouter) -> None:
    router.register("plays", PlayViewSet, basename="play")
    router.register("packages", PackageViewSet, basename="package")
