"""Settings → Verticals: the tenant's list of verticals (industries), kept by whoever may change the
tenant's settings. Each change goes through partnerhub.tenancy.services.verticals, audited."""

from django.urls import reverse

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.forms import VerticalForm
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantActionView,
    TenantConfirmView,
    TenantListView,
    TenantView,
)


def vertical_list_url(tenant) -> str:
    return reverse("tenancy:vertical_list", kwargs={"tenant_slug": tenant.slug})


class VerticalView(TenantView):
    permission = "tenant.change"
    queryset_selector = selectors.vertical_list


class VerticalListView(VerticalView, TenantListView):
    """Every vertical in its order, archived ones too, with the form to add one."""

    template_name = "tenancy/vertical_list.html"
    paginate_by = 200  # a tenant's list is short: one page, so moving up and down stays on it

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = VerticalForm()
        return context


class VerticalCreateView(VerticalView, ServiceFormView):
    template_name = "tenancy/vertical_form.html"
    form_class = VerticalForm

    def save(self, data):
        return services.vertical_add(tenant=self.tenant, actor=self.request.user, label=data["label"])

    def success_message(self, vertical) -> str:
        return f"Vertical “{vertical.label}” added (value {vertical.value})."

    def saved_url(self, vertical) -> str:
        return vertical_list_url(self.tenant)


class VerticalRenameView(VerticalView, ServiceFormView):
    object_kwarg = "tenant_vertical_id"
    template_name = "tenancy/vertical_form.html"
    form_class = VerticalForm

    def get_initial(self):
        return {"label": self.object.label}

    def save(self, data):
        return services.vertical_rename(
            tenant=self.tenant, actor=self.request.user, vertical_id=self.object.id, label=data["label"]
        )

    def success_message(self, vertical) -> str:
        return f"Vertical renamed “{vertical.label}”: every row holding it shows the new name."

    def saved_url(self, vertical) -> str:
        return vertical_list_url(self.tenant)


class VerticalActionView(VerticalView, TenantActionView):
    """POST: one change of the list from its page's buttons; the list then says how it went."""

    object_kwarg = "tenant_vertical_id"

    def success_url(self) -> str:
        return vertical_list_url(self.tenant)


class VerticalMoveView(VerticalActionView):
    def perform(self) -> str:
        direction = self.request.POST.get("direction", "")  # the service refuses anything but up or down
        vertical = services.vertical_move(
            tenant=self.tenant, actor=self.request.user, vertical_id=self.object.id, direction=direction
        )
        return f"{vertical.label} moved {direction}."


class VerticalRestoreView(VerticalActionView):
    def perform(self) -> str:
        vertical = services.vertical_restore(
            tenant=self.tenant, actor=self.request.user, vertical_id=self.object.id
        )
        return f"{vertical.label} restored: it is offered again."


class VerticalArchiveView(VerticalView, TenantConfirmView):
    object_kwarg = "tenant_vertical_id"
    confirm_label = "Archive vertical"

    @property
    def title(self):
        return f"Archive “{self.object.label}”?"

    def message(self):
        return (
            "It disappears from every picker and is refused in new input: forms, the API and imports. "
            "Accounts, partners, plans and package versions that hold it keep it and still show its "
            "name. You can restore it later."
        )

    def refusal(self):
        return f"{self.object.label} is archived already." if self.object.is_archived else ""

    def perform(self):
        vertical = services.vertical_archive(
            tenant=self.tenant, actor=self.request.user, vertical_id=self.object.id
        )
        return f"{vertical.label} archived."

    def success_url(self):
        return vertical_list_url(self.tenant)
