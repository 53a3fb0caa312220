from django.urls import reverse
from django.views.generic import DetailView

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.filters import PartnerFilter
from partnerhub.tenancy.forms import PartnerForm
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantConfirmView,
    TenantListView,
    TenantView,
    VerticalColumn,
)


class PartnerListView(TenantListView):
    permission = "partner.view"
    queryset_selector = selectors.partner_list
    filterset_class = PartnerFilter
    template_name = "tenancy/partner_list.html"
    partial_template_name = "tenancy/partials/_partner_table.html"
    csv_name = "partners"
    csv_columns = [
        ("Name", "name"),
        ("Website", "website"),
        ("Tier", "get_tier_display"),
        ("Status", "get_status_display"),
        ("Verticals", VerticalColumn("verticals")),
        ("Regions", "region_labels"),
        ("Certifications", "certifications"),
        ("Own marketing automation", lambda partner: "yes" if partner.has_marketing_automation else "no"),
        ("Users", "user_count"),
        ("Created", "created_at"),
    ]


class PartnerDetailView(TenantView, DetailView):
    permission = "partner.view"
    queryset_selector = selectors.partner_list
    object_kwarg = "partner_id"
    template_name = "tenancy/partner_detail.html"
    context_object_name = "partner"

    def get_queryset(self):
        return super().get_queryset().select_related("account_manager")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.membership_list(tenant=self.tenant).filter(partner=self.object)
        context["invitations"] = selectors.invitation_open_list(tenant=self.tenant).filter(
            partner=self.object
        )
        if self.can("partner.change"):
            context["history"] = selectors.audit_history_for(tenant=self.tenant, target=self.object)
        return context


class PartnerFormView(ServiceFormView):
    permission = "partner.change"
    template_name = "tenancy/partner_form.html"
    form_class = PartnerForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tenant"] = self.tenant
        # A fresh copy: a rejected form must not leave its values on the object the page shows.
        editing = getattr(self, "object", None)
        kwargs["instance"] = (
            selectors.partner_get(tenant=self.tenant, partner_id=editing.id)
            if editing
            else Partner(tenant=self.tenant)
        )
        return kwargs

    def success_message(self, partner) -> str:
        return f"{partner.name} saved."

    def saved_url(self, partner) -> str:
        return reverse(
            "tenancy:partner_detail", kwargs={"tenant_slug": self.tenant.slug, "partner_id": partner.id}
        )


class PartnerCreateView(PartnerFormView):
    def save(self, data):
        return services.partner_create(tenant=self.tenant, actor=self.request.user, **data)


class PartnerUpdateView(PartnerFormView):
    queryset_selector = selectors.partner_list
    object_kwarg = "partner_id"

    def save(self, data):
        return services.partner_update(
            tenant=self.tenant, actor=self.request.user, partner_id=self.object.id, **data
        )


class PartnerDeleteView(TenantConfirmView):
    permission = "partner.change"
    queryset_selector = selectors.partner_list
    object_kwarg = "partner_id"
    confirm_label = "Delete partner"

    @property
    def title(self):
        return f"Delete {self.object.name}?"

    def message(self):
        return (
            "The partner and its pending invitations are deleted. A partner with users cannot be deleted: "
            "set it inactive to keep its history."
        )

    def perform(self):
        services.partner_delete(tenant=self.tenant, actor=self.request.user, partner_id=self.object.id)
        return f"{self.object.name} deleted."

    def success_url(self):
        return reverse("tenancy:partner_list", kwargs={"tenant_slug": self.tenant.slug})

    def cancel_url(self):
        return reverse(
            "tenancy:partner_detail", kwargs={"tenant_slug": self.tenant.slug, "partner_id": self.object.id}
        )
