from django.utils.functional import SimpleLazyObject

from partnerhub.navigation import nav_for
from partnerhub.tenancy.selectors import notification_unread_count, user_memberships


def tenancy(request):
    """The active tenant and membership, and (lazily) every tenant of the user for the switcher and
    the count of their unread notifications: each is one query, run only if a template reads it."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    return {
        "tenant": tenant,
        "membership": membership,
        "user_memberships": SimpleLazyObject(lambda: list(user_memberships(user=user)) if user else []),
        "notification_unread_count": SimpleLazyObject(
            lambda: (
                notification_unread_count(tenant=tenant, user=user, membership=membership)
                if membership is not None
                else 0
            )
        ),
        "nav": nav_for(request),
    }
