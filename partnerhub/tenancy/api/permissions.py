from rest_framework.permissions import SAFE_METHODS, BasePermission

from partnerhub.tenancy.roles import can


class TenantAccessPermission(BasePermission):
    """Signed in within a tenant, then: an API key needs the scope of the method (read, write);
    a user's role needs the permission the viewset names for the action, and so does a partner
    key's (it acts as a user of its partner: both checks apply to it)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and getattr(request, "tenant", None)):
            return False
        api_key = getattr(request, "api_key", None)
        if api_key is not None:
            scope = "read" if request.method in SAFE_METHODS else "write"
            if not api_key.allows(scope):
                self.message = f"This API key has no “{scope}” scope."
                return False
            if not api_key.is_partner_key:
                return True
        permission = view.required_permission(request) if hasattr(view, "required_permission") else None
        if permission and not can(request.membership.role, permission):
            self.message = "Your role does not allow this."
            return False
        return True
