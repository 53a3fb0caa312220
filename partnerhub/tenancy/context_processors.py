from django.utils.functional import SimpleLazyObject

from partnerhub.navigation import nav_for
from partnerhub.tenancy.selectors import user_memberships


def tenancy(request):
    """The active tenant and membership, and (lazily) every tenant of the user for the switcher."""
    user = getattr(request, "user", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": getattr(request, "membership", None),
        "user_memberships": SimpleLazyObject(lambda: list(user_memberships(user=user)) if user else []),
        "nav": nav_for(request),
    }
