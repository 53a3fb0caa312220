"""Accounts pages, mounted under /t/<tenant_slug>/: accounts and the CRM mirror, imports, plans."""

from accounts.views import accounts, claims, imports, plans

app_name = "accounts"

urlpatterns = [*accounts.urlpatterns, *claims.urlpatterns, *imports.urlpatterns, *plans.urlpatterns]
