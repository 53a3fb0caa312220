"""Accounts pages: target accounts, their opportunities (the CRM mirror) and the account mapping."""

from django.conf import settings
from django.urls import path, reverse
from django.utils.module_loading import import_string
from django.views.generic import DetailView, TemplateView

from accounts import services
from accounts.filters import AccountFilter, MappingFilter, OpportunityFilter
from accounts.forms import AccountForm, MappingCreateForm, MappingUpdateForm, OpportunityForm
from accounts.models import AccountMapping, Opportunity, TargetAccount
from accounts.selectors import accounts as selectors
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantConfirmView,
    TenantListView,
    TenantView,
    VerticalColumn,
)
from partnerhub.tenancy.selectors import audit_history_for


def _url(name: str, tenant, **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def account_url(tenant, account_id: int, anchor: str = "") -> str:
    return _url("account_detail", tenant, target_account_id=account_id) + (f"#{anchor}" if anchor else "")


# --- Accounts -----------------------------------------------------------------------------------


class AccountListView(TenantListView):
    permission = "account.view"
    queryset_selector = selectors.account_list
    filterset_class = AccountFilter
    template_name = "accounts/account_list.html"
    partial_template_name = "accounts/partials/_account_table.html"
    csv_name = "accounts"
    csv_columns = [
        ("Name", "name"),
        ("Domain", "domain"),
        ("Industry", VerticalColumn("industry")),
        ("Region", "get_region_display"),
        ("Segment", "get_segment_display"),
        ("Stage", "get_stage_display"),
        ("Stage without opportunities", "get_manual_stage_display"),
        ("Senior buyers engaged", lambda account: "yes" if account.senior_buyers_engaged else "no"),
        ("Owner", "owner.email"),
        ("CRM id", "external_id"),
        ("Opportunities", "opportunity_count"),
        ("Open opportunities", "open_opportunity_count"),
        # The amount only when every open opportunity is in one currency: amounts are never converted.
        (
            "Open pipeline",
            lambda account: account.open_pipeline_amount if account.open_pipeline_currency else "",
        ),
        ("Open pipeline currency", "open_pipeline_currency"),
        ("Partners", "partner_count"),
        ("Created", "created_at"),
    ]


class AccountDetailView(TenantView, DetailView):
    permission = "account.view"
    queryset_selector = selectors.account_list
    object_kwarg = "target_account_id"
    template_name = "accounts/account_detail.html"
    context_object_name = "account"

    # An account can have thousands of opportunities (and hundreds of partners): the page shows the
    # first ones and links to the full, paginated lists.
    shown = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        opportunities = selectors.account_opportunities(tenant=self.tenant, account=account)
        context["opportunities"] = opportunities[: self.shown]
        context["mappings"] = selectors.account_mappings(tenant=self.tenant, account=account)[: self.shown]
        context["plans"] = selectors.account_plans(tenant=self.tenant, account=account)
        # What the apps above add to the page (the ledger's link): accounts imports none of them.
        for hook in settings.PARTNERHUB_ACCOUNT_PAGE:
            context.update(import_string(hook)(request=self.request, tenant=self.tenant, account=account))
        if self.can("account.change"):
            context["history"] = audit_history_for(tenant=self.tenant, target=account)
            context["delete_refusal"] = selectors.account_delete_refusal(tenant=self.tenant, account=account)
        return context


class AccountFormView(ServiceFormView):
    permission = "account.change"
    template_name = "accounts/account_form.html"
    form_class = AccountForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tenant"] = self.tenant
        # A fresh copy: a rejected form must not leave its values on the object the page shows.
        editing = getattr(self, "object", None)
        kwargs["instance"] = (
            selectors.account_get(tenant=self.tenant, account_id=editing.id)
            if editing
            else TargetAccount(tenant=self.tenant)
        )
        return kwargs

    def success_message(self, account):
        return f"{account.name} saved."

    def saved_url(self, account):
        return account_url(self.tenant, account.id)


class AccountCreateView(AccountFormView):
    def get_initial(self):
        # "Add as a target account" from a partner's suggestion arrives with its name and domain.
        return {name: self.request.GET[name] for name in ("name", "domain") if self.request.GET.get(name)}

    def save(self, data):
        return services.account_create(tenant=self.tenant, actor=self.request.user, **data)


class AccountUpdateView(AccountFormView):
    queryset_selector = selectors.account_list
    object_kwarg = "target_account_id"

    def save(self, data):
        return services.account_update(
            tenant=self.tenant, actor=self.request.user, account_id=self.object.id, **data
        )


class AccountDeleteView(TenantConfirmView):
    permission = "account.change"
    queryset_selector = selectors.account_list
    object_kwarg = "target_account_id"
    confirm_label = "Delete account"

    @property
    def title(self):
        return f"Delete {self.object.name}?"

    def refusal(self):
        return selectors.account_delete_refusal(tenant=self.tenant, account=self.object)

    def message(self):
        return (
            "The account is deleted with its opportunities, their stage history and its account "
            "mapping. This cannot be undone; the CRM is not changed."
        )

    def perform(self):
        services.account_delete(tenant=self.tenant, actor=self.request.user, account_id=self.object.id)
        return f"{self.object.name} deleted."

    def success_url(self):
        return _url("account_list", self.tenant)

    def cancel_url(self):
        return account_url(self.tenant, self.object.id)


class AccountSuggestView(TenantView, TemplateView):
    """Search-as-you-type for the account field of the mapping form (staff only: partner users
    name an account by its domain and never browse the vendor's account list)."""

    permission = "account.view"
    template_name = "accounts/partials/_account_options.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = (self.request.GET.get("account") or self.request.GET.get("q") or "").strip()
        context["suggestions"] = (
            selectors.account_suggestions(tenant=self.tenant, query=query) if len(query) >= 2 else []
        )
        return context


# --- Opportunities ------------------------------------------------------------------------------


class OpportunityListView(TenantListView):
    permission = "account.view"
    queryset_selector = selectors.opportunity_list
    filterset_class = OpportunityFilter
    template_name = "accounts/opportunity_list.html"
    partial_template_name = "accounts/partials/_opportunity_table.html"
    csv_name = "opportunities"
    csv_columns = [
        ("Account", "account.name"),
        ("Account domain", "account.domain"),
        ("Opportunity", "name"),
        ("Stage", "get_stage_display"),
        ("Amount", "amount"),
        ("Currency", "currency"),
        ("Close date", "close_date"),
        ("CRM id", "external_id"),
        ("Source partner", "source_partner.name"),
        ("Influencing partners", lambda opp: "; ".join(p.name for p in opp.influencing_partners.all())),
        ("Stage changed", "stage_changed_at"),
        ("Created", "created_at"),
    ]


def split_influencers(data: dict) -> tuple[dict, list]:
    """The opportunity's own fields, and its influencing partners (which the service sets apart)."""
    fields = {name: value for name, value in data.items() if name != "influencing_partners"}
    return fields, list(data["influencing_partners"])


class OpportunityFormView(ServiceFormView):
    permission = "account.change"
    template_name = "accounts/opportunity_form.html"
    form_class = OpportunityForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tenant"] = self.tenant
        kwargs["instance"] = self.fresh_instance()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.account
        context["opportunity"] = self.object if self.object_kwarg == "opportunity_id" else None
        return context

    def success_message(self, opportunity):
        return f"{opportunity.name} saved."

    def saved_url(self, opportunity):
        return account_url(self.tenant, opportunity.account_id, anchor=f"opportunity-{opportunity.id}")


class OpportunityCreateView(OpportunityFormView):
    """Add an opportunity to the account of the URL."""

    queryset_selector = selectors.account_list
    object_kwarg = "target_account_id"

    @property
    def account(self):
        return self.object

    def fresh_instance(self):
        return Opportunity(tenant=self.tenant, account=self.account)

    def save(self, data):
        fields, influencers = split_influencers(data)
        return services.opportunity_create(
            tenant=self.tenant,
            actor=self.request.user,
            account=self.account,
            influencing_partners=influencers,
            **fields,
        )


class OpportunityUpdateView(OpportunityFormView):
    queryset_selector = selectors.opportunity_list
    object_kwarg = "opportunity_id"

    @property
    def account(self):
        return self.object.account

    def fresh_instance(self):
        return self.get_queryset().get(id=self.object.id)

    def save(self, data):
        fields, influencers = split_influencers(data)
        return services.opportunity_update(
            tenant=self.tenant,
            actor=self.request.user,
            opportunity_id=self.object.id,
            influencing_partners=influencers,
            **fields,
        )


class OpportunityDeleteView(TenantConfirmView):
    permission = "account.change"
    queryset_selector = selectors.opportunity_list
    object_kwarg = "opportunity_id"
    confirm_label = "Delete opportunity"

    @property
    def title(self):
        return f"Delete {self.object.name}?"

    def message(self):
        return (
            f"The opportunity and its stage history are deleted, and {self.object.account.name}'s stage "
            "is derived again from what remains. The CRM is not changed: if the opportunity still exists "
            "there, the next sync brings it back."
        )

    def perform(self):
        services.opportunity_delete(
            tenant=self.tenant, actor=self.request.user, opportunity_id=self.object.id
        )
        return f"{self.object.name} deleted."

    def success_url(self):
        return account_url(self.tenant, self.object.account_id, anchor="opportunities")


# --- Account mapping ----------------------------------------------------------------------------


class MappingListView(TenantListView):
    """Which partners know which accounts: staff only (a partner's own list is its claims)."""

    permission = "mapping.view"
    queryset_selector = selectors.mapping_list
    filterset_class = MappingFilter
    template_name = "accounts/mapping_list.html"
    partial_template_name = "accounts/partials/_mapping_table.html"
    csv_name = "account-mapping"
    csv_columns = [
        ("Account", "account.name"),
        ("Domain", "account.domain"),
        ("Partner", "partner.name"),
        ("Relationship", "get_relationship_display"),
        ("Source", "get_source_display"),
        ("Notes", "notes"),
        ("Created", "created_at"),
    ]


def mappings_url(tenant) -> str:
    return _url("mapping_list", tenant)


class MappingCreateView(ServiceFormView):
    permission = "mapping.change"
    template_name = "accounts/mapping_form.html"
    form_class = MappingCreateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["membership"] = self.membership
        return kwargs

    def get_initial(self):
        # "Add a partner" from an account's page arrives with the account (its domain) filled in.
        return {name: self.request.GET[name] for name in ("account", "partner") if self.request.GET.get(name)}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        field = form.fields["account"]
        field.label = "Account"
        field.help_text = "Type part of its name or domain and pick it, or type its web domain."
        field.widget.attrs.update(
            {
                "list": "account-options",
                "placeholder": "Acme or acme.com",
                "hx-get": _url("account_suggest", self.tenant),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#account-options",
            }
        )
        return form

    def save(self, data):
        return services.mapping_create(
            tenant=self.tenant,
            actor=self.request.user,
            partner=data["partner"],
            account=data["account"],
            relationship=data["relationship"],
            notes=data["notes"],
            source=AccountMapping.Source.STAFF,
        )

    def success_message(self, mapping):
        return f"{mapping.partner.name} now knows {mapping.account.name}."

    def saved_url(self, mapping):
        if self.request.GET.get("next") == "account":
            return account_url(self.tenant, mapping.account_id, anchor="partners")
        return mappings_url(self.tenant)


class MappingUpdateView(ServiceFormView):
    permission = "mapping.change"
    queryset_selector = selectors.mapping_list
    object_kwarg = "account_mapping_id"
    template_name = "accounts/mapping_form.html"
    form_class = MappingUpdateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_queryset().get(id=self.object.id)  # a fresh copy
        return kwargs

    def save(self, data):
        return services.mapping_update(
            tenant=self.tenant, actor=self.request.user, mapping_id=self.object.id, **data
        )

    def success_message(self, mapping):
        return f"Mapping of {self.object.partner.name} to {self.object.account.name} saved."

    def saved_url(self, mapping):
        return mappings_url(self.tenant)


class MappingDeleteView(TenantConfirmView):
    permission = "mapping.change"
    queryset_selector = selectors.mapping_list
    object_kwarg = "account_mapping_id"
    confirm_label = "Remove mapping"

    @property
    def title(self):
        return f"Remove {self.object.partner.name} from {self.object.account.name}?"

    def message(self):
        return (
            f"{self.object.partner.name} no longer counts as knowing {self.object.account.name} when "
            "partners are ranked for a plan. The account itself is kept."
        )

    def perform(self):
        services.mapping_delete(tenant=self.tenant, actor=self.request.user, mapping_id=self.object.id)
        return f"{self.object.partner.name} removed from {self.object.account.name}."

    def success_url(self):
        return mappings_url(self.tenant)


urlpatterns = [
    path("accounts/", AccountListView.as_view(), name="account_list"),
    path("accounts/new/", AccountCreateView.as_view(), name="account_create"),
    path("accounts/suggest/", AccountSuggestView.as_view(), name="account_suggest"),
    path("accounts/<int:target_account_id>/", AccountDetailView.as_view(), name="account_detail"),
    path("accounts/<int:target_account_id>/edit/", AccountUpdateView.as_view(), name="account_update"),
    path("accounts/<int:target_account_id>/delete/", AccountDeleteView.as_view(), name="account_delete"),
    path(
        "accounts/<int:target_account_id>/opportunities/new/",
        OpportunityCreateView.as_view(),
        name="opportunity_create",
    ),
    path("opportunities/", OpportunityListView.as_view(), name="opportunity_list"),
    path(
        "opportunities/<int:opportunity_id>/edit/", OpportunityUpdateView.as_view(), name="opportunity_update"
    ),
    path(
        "opportunities/<int:opportunity_id>/delete/",
        OpportunityDeleteView.as_view(),
        name="opportunity_delete",
    ),
    path("account-mapping/", MappingListView.as_view(), name="mapping_list"),
    path("account-mapping/new/", MappingCreateView.as_view(), name="mapping_create"),
    path(
        "account-mapping/<int:account_mapping_id>/edit/", MappingUpdateView.as_view(), name="mapping_update"
    ),
    path(
        "account-mapping/<int:account_mapping_id>/delete/",
        MappingDeleteView.as_view(),
        name="mapping_delete",
    ),
]
