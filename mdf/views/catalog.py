"""The vendor's offer to partners (docs/mdf.md, "Requests"): the pre-approved catalog, the proposal
templates per play, and the approval rules. Staff with "mdf.view" read them; "mdf.change" creates,
changes, deactivates and offers again, through mdf.services, each change audited. A deactivated
item or template is no longer offered; the requests made from it keep it."""

from __future__ import annotations

from typing import ClassVar

from django.urls import path, reverse

from mdf import services
from mdf.forms.requests import CatalogItemForm, ProposalTemplateForm, RequestRulesForm
from mdf.selectors.catalog import catalog_editor_rows, template_editor_rows, template_plays
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView, TenantView

VIEW, CHANGE = "mdf.view", "mdf.change"


def catalog_url(tenant) -> str:
    return reverse("mdf:catalog_list", kwargs={"tenant_slug": tenant.slug})


def templates_url(tenant) -> str:
    return reverse("mdf:template_list", kwargs={"tenant_slug": tenant.slug})


class CatalogView(TenantView):
    permission = VIEW
    queryset_selector = catalog_editor_rows


class CatalogListView(CatalogView, TenantListView):
    template_name = "mdf/catalog/catalog_list.html"
    paginate_by = 100
    csv_name = "mdf-catalog"
    csv_columns = [
        ("Name", "name"),
        ("Activity", "get_activity_type_display"),
        ("Amount", "amount"),
        ("Currency", "currency"),
        ("Tiers", "tiers"),
        ("Limit per quarter", "limit_per_quarter"),
        ("Active", lambda row: "yes" if row.is_active else "no"),
        ("Requests", "request_count"),
    ]

    def get_queryset(self):
        return super().get_queryset().order_by("-is_active", "name", "id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_change=self.can(CHANGE), **kwargs)


class CatalogItemCreateView(CatalogView, ServiceFormView):
    permission = CHANGE
    template_name = "mdf/catalog/item_form.html"
    form_class = CatalogItemForm

    def get_initial(self):
        return {"currency": self.tenant.default_currency, "tiers": ["one_to_many"]}

    def save(self, data):
        return services.catalog_item_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, item) -> str:
        return f"{item.name} is in the catalog: partners of its tiers can request it."

    def saved_url(self, item) -> str:
        return catalog_url(self.tenant)


class CatalogItemUpdateView(CatalogItemCreateView):
    object_kwarg = "catalog_item_id"

    def get_initial(self):
        return CatalogItemForm.initial_for(self.object)

    def save(self, data):
        return services.catalog_item_update(
            tenant=self.tenant, actor=self.request.user, item_id=self.object.id, **data
        )

    def success_message(self, item) -> str:
        return f"{item.name} is saved; requests already made keep the amount they were made for."


class SetActiveView(TenantConfirmView):
    """Offer an item or a template again, or no more."""

    permission = CHANGE
    active: ClassVar[bool] = False
    danger = False

    @property
    def title(self):
        verb = "Offer" if self.active else "Stop offering"
        return f"{verb} “{self.object.name}”?"

    @property
    def confirm_label(self):
        return "Offer it again" if self.active else "Deactivate"

    def message(self):
        if self.active:
            return "Partners can make new requests from it again."
        return "Partners can no longer make new requests from it; the requests already made keep it."


class CatalogItemActiveView(CatalogView, SetActiveView):
    object_kwarg = "catalog_item_id"

    def perform(self):
        services.catalog_item_set_active(
            tenant=self.tenant, actor=self.request.user, item_id=self.object.id, active=self.active
        )
        return f"{self.object.name} is {'offered again' if self.active else 'no longer offered'}."

    def success_url(self):
        return catalog_url(self.tenant)


class ProposalTemplateView(TenantView):
    permission = VIEW
    queryset_selector = template_editor_rows


class TemplateListView(ProposalTemplateView, TenantListView):
    template_name = "mdf/catalog/template_list.html"
    paginate_by = 100

    def get_queryset(self):
        return super().get_queryset().order_by("-is_active", "play__name", "name", "id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_change=self.can(CHANGE), **kwargs)


class TemplateCreateView(ProposalTemplateView, ServiceFormView):
    permission = CHANGE
    template_name = "mdf/catalog/template_form.html"
    form_class = ProposalTemplateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plays": template_plays(tenant=self.tenant)}

    def save(self, data):
        return services.proposal_template_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, template) -> str:
        return f"{template.name} is published: partners can make proposals from it."

    def saved_url(self, template) -> str:
        return templates_url(self.tenant)


class TemplateUpdateView(TemplateCreateView):
    object_kwarg = "proposal_template_id"

    def get_initial(self):
        return ProposalTemplateForm.initial_for(self.object)

    def save(self, data):
        return services.proposal_template_update(
            tenant=self.tenant, actor=self.request.user, template_id=self.object.id, **data
        )

    def success_message(self, template) -> str:
        return f"{template.name} is saved."


class TemplateActiveView(ProposalTemplateView, SetActiveView):
    object_kwarg = "proposal_template_id"

    def perform(self):
        services.proposal_template_set_active(
            tenant=self.tenant, actor=self.request.user, template_id=self.object.id, active=self.active
        )
        return f"{self.object.name} is {'offered again' if self.active else 'no longer offered'}."

    def success_url(self):
        return templates_url(self.tenant)


class RequestRulesView(ServiceFormView):
    """The approval rules: the amount above which a second approver decides, the aging days."""

    permission = CHANGE
    template_name = "mdf/catalog/rules_form.html"
    form_class = RequestRulesForm

    def get_initial(self):
        rules = services.request_rules(tenant=self.tenant)
        return {
            "second_approval_above": rules.second_approval_above,
            "aging_business_days": rules.aging_business_days,
        }

    def save(self, data):
        return services.request_rules_set(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, rules) -> str:
        return "Approval rules saved: they apply to the next decisions."

    def saved_url(self, rules) -> str:
        return reverse("mdf:request_rules", kwargs={"tenant_slug": self.tenant.slug})


ITEM = "mdf/catalog/<int:catalog_item_id>/"
TEMPLATE = "mdf/proposal-templates/<int:proposal_template_id>/"

urlpatterns = [
    path("mdf/catalog/", CatalogListView.as_view(), name="catalog_list"),
    path("mdf/catalog/new/", CatalogItemCreateView.as_view(), name="catalog_create"),
    path(f"{ITEM}edit/", CatalogItemUpdateView.as_view(), name="catalog_update"),
    path(f"{ITEM}deactivate/", CatalogItemActiveView.as_view(active=False), name="catalog_deactivate"),
    path(f"{ITEM}activate/", CatalogItemActiveView.as_view(active=True), name="catalog_activate"),
    path("mdf/proposal-templates/", TemplateListView.as_view(), name="template_list"),
    path("mdf/proposal-templates/new/", TemplateCreateView.as_view(), name="template_create"),
    path(f"{TEMPLATE}edit/", TemplateUpdateView.as_view(), name="template_update"),
    path(f"{TEMPLATE}deactivate/", TemplateActiveView.as_view(active=False), name="template_deactivate"),
    path(f"{TEMPLATE}activate/", TemplateActiveView.as_view(active=True), name="template_activate"),
    path("mdf/request-rules/", RequestRulesView.as_view(), name="request_rules"),
]
