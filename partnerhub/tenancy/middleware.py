from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from partnerhub.tenancy.auth import mfa_missing
from partnerhub.tenancy.context import activate, restore
from partnerhub.tenancy.selectors import user_membership

PORTAL_PREFIX = "/t/"


class TenantMiddleware:
    """Resolves `/t/<tenant_slug>/…` to the user's membership and activates that tenant.

    A tenant that does not exist and one the user does not belong to give the same 404. The
    active tenant is cleared around every request, so nothing carries over on a reused thread.

    Every 404 under /t/ is the portal's page (templates/404.html), with DEBUG on too: Django's
    debug page would list the URL patterns and name the lookup that failed ("No Partner matches"),
    which is not for a tenant's users, and a missing page would look unlike a missing tenant.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        token = activate(None)
        try:
            response = self.get_response(request)
            if settings.DEBUG and response.status_code == 404 and request.path_info.startswith(PORTAL_PREFIX):
                response = render(request, "404.html", status=404)  # production's page, from handler404
            return response
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
        timezone.activate(tenant.zone)
        if request.session.get("last_tenant") != slug:
            request.session["last_tenant"] = slug
        if mfa_missing(membership, request.user):
            messages.warning(
                request, f"{tenant.name} requires two-factor authentication for staff. Set it up to continue."
            )
            return redirect("mfa_activate_totp")
        return None


API_PREFIX = "/api/"
ERROR_DETAILS = {
    400: "Bad request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is larger than the limit of {limit:,} bytes.",
    500: "Server error: the request could not be completed. It was logged; retry later.",
}


class ApiErrorsAsJsonMiddleware:
    """Every error answered under /api/ is `{"detail": …}` JSON with its status, including the
    ones no API view produced: an unknown URL, a body Django refused as too large, a server error.
    Outermost, so it sees the answer of every other layer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if status == 400 and limit is not None and _content_length(request) > limit:
            status = 413  # Django answers a body over the limit with a bare 400
        detail = ERROR_DETAILS.get(status, "The request could not be completed.").format(limit=limit or 0)
        json_response = JsonResponse({"detail": detail}, status=status)
        for header in ("Allow", "WWW-Authenticate", "Retry-After", "Cache-Control", "Vary"):
            if header in response:
                json_response[header] = response[header]
        return json_response


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RefuseNulCharactersMiddleware:
    """A NUL character can never be stored (PostgreSQL text cannot hold it) and never names a
    user, partner or account: a query parameter or form field carrying one is refused at the door,
    before any lookup is built from it. JSON bodies are checked by the API's parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or (
                request.method == "POST"
                and request.content_type != "application/json"
                and _has_nul(request.POST)
            )
        ):
            message = "Text may not contain the NUL character."
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in value for value in params.getlist(key)) for key in params)


class PrivateCacheMiddleware:
    """Pages of a signed-in user and every API answer are private: no shared cache (a proxy, a
    CDN) may keep them, and the browser stores no copy (`Cache-Control: private, no-store`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
