"""Reporting pages, mounted under /t/<tenant_slug>/."""

app_name = "reporting"

urlpatterns = []
