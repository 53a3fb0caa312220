"""A partner's own account list ("My accounts"): the companies it says it works with, as it named
them. Whether one matched the vendor's target accounts is never shown here (see
accounts/services/claims.py); staff see the resulting mapping on the account mapping pages."""

from django.urls import path, reverse

from accounts.filters import ClaimFilter
from accounts.forms import ClaimForm
from accounts.selectors import accounts as selectors
from accounts.services import claims as services
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView


def claims_url(tenant) -> str:
    return reverse("accounts:claim_list", kwargs={"tenant_slug": tenant.slug})


class ClaimListView(TenantListView):
    permission = "claim.view"
    queryset_selector = selectors.claim_list
    filterset_class = ClaimFilter
    template_name = "accounts/claim_list.html"
    partial_template_name = "accounts/partials/_claim_table.html"
    csv_name = "my-accounts"
    csv_columns = [
        ("Company", "company_name"),
        ("Domain", "domain"),
        ("Relationship", "get_relationship_display"),
        ("Notes", "notes"),
        ("Added", "created_at"),
    ]


class ClaimSuggestionListView(TenantListView):
    """Staff: the companies partners work with that are no target account, to add as one."""

    permission = "mapping.view"
    queryset_selector = selectors.claim_suggestions
    filterset_class = ClaimFilter
    template_name = "accounts/claim_suggestions.html"
    partial_template_name = "accounts/partials/_claim_suggestion_table.html"
    csv_name = "partner-suggestions"
    csv_columns = [
        ("Company", "company_name"),
        ("Domain", "domain"),
        ("Partner", "partner.name"),
        ("Relationship", "get_relationship_display"),
        ("Notes", "notes"),
        ("Added", "created_at"),
    ]


class ClaimCreateView(ServiceFormView):
    permission = "claim.change"
    template_name = "accounts/claim_form.html"
    form_class = ClaimForm

    def save(self, data):
        return services.claim_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, claim):
        return f"{claim.company_name or claim.domain} is on your list."

    def saved_url(self, claim):
        return claims_url(self.tenant)


class ClaimDeleteView(TenantConfirmView):
    permission = "claim.change"
    queryset_selector = selectors.claim_list
    object_kwarg = "account_claim_id"
    confirm_label = "Remove"

    @property
    def title(self):
        return f"Remove {self.object.company_name or self.object.domain} from your accounts?"

    def message(self):
        return f"{self.tenant.name} will no longer count your company as working with {self.object.domain}."

    def perform(self):
        services.claim_delete(tenant=self.tenant, actor=self.request.user, claim_id=self.object.id)
        return f"{self.object.domain} removed from your accounts."

    def success_url(self):
        return claims_url(self.tenant)


urlpatterns = [
    path("my-accounts/", ClaimListView.as_view(), name="claim_list"),
    path("my-accounts/new/", ClaimCreateView.as_view(), name="claim_create"),
    path("my-accounts/<int:account_claim_id>/remove/", ClaimDeleteView.as_view(), name="claim_delete"),
    path("account-mapping/suggestions/", ClaimSuggestionListView.as_view(), name="claim_suggestions"),
]
