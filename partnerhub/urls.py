from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from leads import api as leads_api
from mdf import api as mdf_api
from partnerhub.tenancy.api import urls as tenancy_api
from partnerhub.tenancy.api.views import WhoAmIView
from partnerhub.tenancy.views.public import HealthView, HomeView, InvitationAcceptView
from plays import api as plays_api
from reporting import api as reporting_api

# One router for the whole API; each app registers its viewsets.
api_router = SimpleRouter(use_regex_path=False)
tenancy_api.register(api_router)
accounts_api.register(api_router)
leads_api.register(api_router)
mdf_api.register(api_router)
plays_api.register(api_router)
reporting_api.register(api_router)

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("invite/<str:token>/", InvitationAcceptView.as_view(), name="invitation_accept"),
    path("auth/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The tenant portal: every page under here is scoped by the TenantMiddleware.
    path("t/<slug:tenant_slug>/", include("partnerhub.tenancy.urls")),
    path("t/<slug:tenant_slug>/", include("accounts.urls")),
    path("t/<slug:tenant_slug>/", include("plays.urls")),
    path("t/<slug:tenant_slug>/", include("leads.urls")),
    path("t/<slug:tenant_slug>/", include("mdf.urls")),
    path("t/<slug:tenant_slug>/", include("reporting.urls")),
    # A program's public, co-branded landing page (no sign-in; rate-limited per IP).
    path("l/", include(("leads.views.landing", "landing"))),
    # The revops API: the key (or the session's tenant) decides the tenant.
    path("api/v1/whoami/", WhoAmIView.as_view(), name="api_whoami"),
    path("api/v1/", include(api_router.urls)),
    path("api/v1/", include(reporting_api.urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file: the page needs no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
