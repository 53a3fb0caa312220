"""The account's ledger: /t/<tenant>/reporting/accounts/<target_account_id>/ledger/, linked from the
account page (through PARTNERHUB_ACCOUNT_PAGE: accounts does not import reporting)."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

from accounts.selectors.accounts import account_list
from partnerhub.tenancy.portal import TenantView
from reporting.selectors.ledger import KINDS, account_ledger

PER_PAGE = 25


class AccountLedgerView(TenantView, TemplateView):
    permission = "account.view"
    queryset_selector = account_list
    object_kwarg = "target_account_id"
    template_name = "reporting/account_ledger.html"

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("kind") or None
        if kind not in KINDS:
            kind = None
        page = self.request.GET.get("page", "1")
        ledger = account_ledger(
            tenant=self.tenant,
            account_id=self.object.id,
            kind=kind,
            page=int(page) if page.isascii() and page.isdigit() else 1,
            per_page=PER_PAGE,
        )
        kinds = [(key, label, ledger.counts[key]) for key, label in KINDS.items()]
        return super().get_context_data(
            account=self.object,
            ledger=ledger,
            kind=kind,
            kinds=kinds,
            everything=sum(ledger.counts.values()),
            **kwargs,
        )


urlpatterns = [
    path(
        "reporting/accounts/<int:target_account_id>/ledger/",
        AccountLedgerView.as_view(),
        name="account_ledger",
    ),
]
