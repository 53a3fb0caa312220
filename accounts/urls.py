"""Accounts pages, mounted under /t/<tenant_slug>/: accounts and the CRM mirror, imports, plans, programs."""

from accounts.views import accounts, claims, import_settings, imports, plans, programs

app_name = "accounts"

urlpatterns = [
    *accounts.urlpatterns,
    *claims.urlpatterns,
    *imports.urlpatterns,
    *import_settings.urlpatterns,
    *plans.urlpatterns,
    *programs.urlpatterns,
]
