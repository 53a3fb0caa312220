"""MDF pages, mounted under /t/<tenant_slug>/."""

from mdf.views import catalog, claims, funds, proofs, requests, tranches

app_name = "mdf"

urlpatterns = [
    *funds.urlpatterns,
    *requests.urlpatterns,
    *catalog.urlpatterns,
    *claims.urlpatterns,
    *proofs.urlpatterns,
    *tranches.urlpatterns,
]
