"""API authentication. A key decides the tenant (an X-Tenant header sent with it must name that
tenant); a session user names it (X-Tenant header, or the tenant last opened in the portal) and must
be a member of it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from partnerhub.tenancy import services
from partnerhub.tenancy.actors import ApiKeyUser
from partnerhub.tenancy.auth import mfa_missing
from partnerhub.tenancy.context import activate
from partnerhub.tenancy.selectors import user_membership


def bind_tenant(request, tenant, membership, api_key=None) -> None:
    """Make the tenant active for the rest of this request (the middleware clears it afterwards)."""
    for target in (request, request._request):
        target.tenant, target.membership, target.api_key = tenant, membership, api_key
    activate(tenant)


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header: send “Bearer <key>”."))
        key = services.api_key_authenticate(header[1].decode("utf-8", errors="replace"))
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        named = request.headers.get("X-Tenant")
        if named and named != key.tenant.slug:
            # A caller who means another tenant must not get this key's rows as if they were its.
            # The answer is the same whatever the header names: it tells nothing of other tenants.
            raise exceptions.ValidationError(
                {
                    "X-Tenant": [
                        f"This API key acts in tenant '{key.tenant.slug}' and the X-Tenant header names "
                        "another: send the key's tenant, or no X-Tenant header (the key decides)."
                    ]
                }
            )
        principal = ApiKeyUser(key)
        # A partner key is scoped like its partner's users (`scope_for` reads the membership); a
        # vendor key, like revops staff, sees the whole tenant.
        membership = principal.membership if key.is_partner_key else None
        bind_tenant(request, key.tenant, membership=membership, api_key=key)
        return principal, key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{self.keyword} realm="api"'


class TenantSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        slug = request.headers.get("X-Tenant")
        if not slug and request.method not in SAFE_METHODS:
            # A change must not land in whichever tenant another browser tab opened last.
            raise exceptions.ParseError(_("Name the tenant of a change with the X-Tenant header (its slug)."))
        slug = slug or request._request.session.get("last_tenant")
        if not slug:
            raise exceptions.NotFound(_("Name the tenant with the X-Tenant header (its slug)."))
        membership = user_membership(user=user, tenant_slug=slug)
        if membership is None:
            raise exceptions.NotFound(_("No such tenant."))
        if mfa_missing(membership, user):
            raise exceptions.PermissionDenied(
                _("This tenant requires two-factor authentication for staff: set it up in the portal first.")
            )
        bind_tenant(request, membership.tenant, membership=membership)
        return result
