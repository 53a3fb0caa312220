"""Accounts pages, mounted under /t/<tenant_slug>/: accounts and the CRM mirror, imports, plans."""

from accounts.views import accounts, imports, plans

app_name = "accounts"

urlpatterns = [*accounts.urlpatterns, *imports.urlpatterns, *plans.urlpatterns]
