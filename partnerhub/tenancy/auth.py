from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created from invitations: a vendor decides who works in its tenant.
        return False

    def get_login_redirect_url(self, request) -> str:
        return request.GET.get("next") or reverse("home")
