"""django-allauth integration: closed sign-up, and the tenant's two-factor rule."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.utils import is_mfa_enabled


class AccountAdapter(DefaultAccountAdapter):
    # The post-login redirect is allauth's own: it honours `next` only when it is a safe,
    # same-host URL, and goes to LOGIN_REDIRECT_URL otherwise.

    def is_open_for_signup(self, request) -> bool:
        # Accounts are created from invitations: a vendor decides who works in its tenant.
        return False


def mfa_missing(membership, user) -> bool:
    """The tenant requires two-factor authentication of its staff and this staff member has none.

    Asked by the portal middleware and by API session authentication alike."""
    return (
        membership.tenant.require_mfa_for_staff
        and not membership.is_partner_role
        and not is_mfa_enabled(user)
    )
