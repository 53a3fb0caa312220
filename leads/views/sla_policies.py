"""Settings → SLA policies: the tenant's default and the own policies of a tier, a partner or a
program. Staff read them; tenant admins and partner managers (`sla_policy.change`) create, change
and delete them through leads.services.sla_policies, each change audited."""

from __future__ import annotations

from django.urls import path, reverse

from leads.forms.sla_policies import SlaPolicyForm
from leads.models import SlaPolicy, SlaScope
from leads.selectors.sla_policies import sla_policy_delete_refusal, sla_policy_list
from leads.services import sla_policies as services
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView, TenantView

CHANGE = "sla_policy.change"


def policy_list_url(tenant) -> str:
    return reverse("leads:sla_policy_list", kwargs={"tenant_slug": tenant.slug})


class SlaPolicyView(TenantView):
    permission = "sla_policy.view"
    queryset_selector = sla_policy_list


class SlaPolicyListView(SlaPolicyView, TenantListView):
    """The default first, then the tiers', the partners' and the programs' own, with their numbers."""

    template_name = "leads/sla_policy_list.html"
    partial_template_name = "leads/partials/_sla_policy_table.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(can_change=self.can(CHANGE), builtin=SlaPolicy())
        return context


class SlaPolicyCreateView(SlaPolicyView, ServiceFormView):
    permission = CHANGE
    template_name = "leads/sla_policy_form.html"
    form_class = SlaPolicyForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant}

    def save(self, data):
        return services.sla_policy_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, policy) -> str:
        return (
            f"{policy.scope_label}: accept within {policy.accept_hours} business hours. Clocks that start "
            "from now on run on it."
        )

    def saved_url(self, policy) -> str:
        return policy_list_url(self.tenant)


class SlaPolicyUpdateView(SlaPolicyCreateView):
    object_kwarg = "sla_policy_id"

    def get_initial(self):
        policy = self.object
        return {name: getattr(policy, name) for name in services.POLICY_FIELDS}

    def save(self, data):
        return services.sla_policy_update(
            tenant=self.tenant, actor=self.request.user, sla_policy_id=self.object.id, **data
        )


class SlaPolicyDeleteView(SlaPolicyView, TenantConfirmView):
    permission = CHANGE
    object_kwarg = "sla_policy_id"
    confirm_label = "Delete policy"

    @property
    def title(self):
        return f"Delete the SLA policy of {self.object.scope_label}?"

    def message(self):
        falls_back = {
            SlaScope.DEFAULT: "every handoff runs on the built-in defaults",
            SlaScope.TIER: "its partners run on the tenant's default policy",
            SlaScope.PARTNER: "its handoffs run on its tier's policy, else the tenant's default",
            SlaScope.PROGRAM: "its leads' handoffs run on their partner's, its tier's or the default policy",
        }[self.object.scope]
        return f"Clocks that start from now on: {falls_back}. Deadlines already set stay as they are."

    def refusal(self):
        return sla_policy_delete_refusal(tenant=self.tenant, policy=self.object)

    def perform(self):
        services.sla_policy_delete(tenant=self.tenant, actor=self.request.user, sla_policy_id=self.object.id)
        return f"The SLA policy of {self.object.scope_label} is deleted."

    def success_url(self):
        return policy_list_url(self.tenant)


POLICY = "settings/sla-policies/<int:sla_policy_id>/"

urlpatterns = [
    path("settings/sla-policies/", SlaPolicyListView.as_view(), name="sla_policy_list"),
    path("settings/sla-policies/new/", SlaPolicyCreateView.as_view(), name="sla_policy_create"),
    path(f"{POLICY}edit/", SlaPolicyUpdateView.as_view(), name="sla_policy_update"),
    path(f"{POLICY}delete/", SlaPolicyDeleteView.as_view(), name="sla_policy_delete"),
]
