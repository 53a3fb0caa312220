import zoneinfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from partnerhub.tenancy.auth import mfa_missing
from partnerhub.tenancy.context import activate, restore
from partnerhub.tenancy.selectors import user_membership


class TenantMiddleware:
    """Resolves `/t/<tenant_slug>/…` to the user's membership and activates that tenant.

    A tenant that does not exist and one the user does not belong to give the same 404. The
    active tenant is cleared around every request, so nothing carries over on a reused thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        token = activate(None)
        try:
            return self.get_response(request)
        finally:
            restore(token)
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("tenant_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = user_membership(user=request.user, tenant_slug=slug)
        if membership is None:
            raise Http404("No such workspace.")
        tenant = membership.tenant
        request.tenant, request.membership = tenant, membership
        activate(tenant)
        timezone.activate(zoneinfo.ZoneInfo(tenant.timezone))
        if request.session.get("last_tenant") != slug:
            request.session["last_tenant"] = slug
        if mfa_missing(membership, request.user):
            messages.warning(
                request, f"{tenant.name} requires two-factor authentication for staff. Set it up to continue."
            )
            return redirect("mfa_activate_totp")
        return None
