"""MDF pages, mounted under /t/<tenant_slug>/."""

from mdf.views import catalog, funds, proofs, requests

app_name = "mdf"

urlpatterns = [
    *funds.urlpatterns,
    *requests.urlpatterns,
    *catalog.urlpatterns,
    *proofs.urlpatterns,
]
