"""MDF pages, mounted under /t/<tenant_slug>/."""

from mdf.views import funds, proofs, requests

app_name = "mdf"

urlpatterns = [
    *funds.urlpatterns,
    *requests.urlpatterns,
    *proofs.urlpatterns,
]
