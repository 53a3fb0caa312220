"""Settings → Reporting: the sourced window of attribution. Staff read it; tenant admins and revops
change it (`fx.change`, the permission of the reporting settings)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse

from partnerhub.tenancy.portal import ServiceFormView
from reporting.forms import ReportingSettingsForm
from reporting.selectors.settings import reporting_settings
from reporting.services.settings import reporting_settings_update


class ReportingSettingsView(ServiceFormView):
    permission = "report.view"
    template_name = "reporting/settings.html"
    form_class = ReportingSettingsForm

    def get_initial(self):
        return {"sourced_window_days": reporting_settings(tenant=self.tenant).sourced_window_days}

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_change=self.can("fx.change"), **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.can("fx.change"):
            raise PermissionDenied("Your role does not allow this.")
        return super().post(request, *args, **kwargs)

    def save(self, data):
        return reporting_settings_update(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, settings) -> str:
        days = settings.sourced_window_days
        return f"Saved: a converted partner lead sources an opportunity created up to {days} days later."

    def saved_url(self, settings) -> str:
        return reverse("reporting:settings", kwargs={"tenant_slug": self.tenant.slug})


urlpatterns = [
    path("reporting/settings/", ReportingSettingsView.as_view(), name="settings"),
]
