"""Programs: launched plans running their play, with the package pinned at launch."""

from django.urls import path, reverse
from django.views.generic import TemplateView

from accounts.filters_programs import ProgramFilter
from accounts.selectors.programs import program_list
from partnerhub.tenancy.emails import absolute_url
from partnerhub.tenancy.portal import TenantListView, TenantView
from plays.models import ComponentKey


class ProgramListView(TenantListView):
    permission = "program.view"
    queryset_selector = program_list
    filterset_class = ProgramFilter
    template_name = "accounts/program_list.html"
    partial_template_name = "accounts/partials/_program_table.html"
    csv_name = "programs"
    csv_columns = [
        ("Tracking code", "tracking_code"),
        ("Play", "play.name"),
        ("Partner", "partner.name"),
        ("Plan", "plan"),
        ("Quarter", "plan.quarter_label"),
        ("Package", "package_label"),
        ("Status", "get_status_display"),
        ("Launched", "launched_at"),
        ("UTM", "utm_query"),
    ]


class ProgramDetailView(TenantView, TemplateView):
    permission = "program.view"
    queryset_selector = program_list
    object_kwarg = "program_id"
    template_name = "accounts/program_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = self.object
        context["program"] = program
        # The components as pinned at launch, in the package's order.
        context["components"] = [
            (key.label, program.components[key.value])
            for key in ComponentKey
            if key.value in program.components
        ]
        # The public landing page (leads), with the program's UTM parameters for the links shared.
        landing = reverse("landing:landing_page", args=(self.tenant.slug, program.tracking_code))
        context["landing_url"] = absolute_url(f"{landing}?{program.utm_query}")
        context["landing_preview"] = landing
        return context


urlpatterns = [
    path("programs/", ProgramListView.as_view(), name="program_list"),
    path("programs/<int:program_id>/", ProgramDetailView.as_view(), name="program_detail"),
]
