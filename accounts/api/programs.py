"""Programs in the API: read-only; a program is created by launching its plan."""

from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from accounts.filters_programs import ProgramFilter
from accounts.models import Program
from accounts.selectors.programs import program_list
from accounts.services.programs import PROGRAM_FIELDS
from partnerhub.tenancy.api.viewsets import TenantReadOnlyViewSet


class ProgramSerializer(serializers.ModelSerializer):
    play_kind = serializers.CharField(source="play.kind", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    utm_query = serializers.CharField(read_only=True, help_text="The query string every link carries.")

    class Meta:
        model = Program
        # What launch records (the service's audited fields), with the names and query string beside.
        fields = ["id", *PROGRAM_FIELDS, "play_kind", "partner_name", "utm_query", "launched_at"]
        read_only_fields = fields


class ProgramViewSet(TenantReadOnlyViewSet):
    """Programs: plays launched for a plan. Partner users see their own company's."""

    queryset_selector = program_list
    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter
    permission_read = "program.view"


def register(router: SimpleRouter) -> None:
    router.register("programs", ProgramViewSet, basename="program")
