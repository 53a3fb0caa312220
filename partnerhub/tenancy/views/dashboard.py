from django.conf import settings
from django.utils.module_loading import import_string
from django.views.generic import TemplateView

from partnerhub.tenancy import selectors
from partnerhub.tenancy.portal import TenantView


class DashboardView(TenantView, TemplateView):
    """The tenant's front page: staff see the program at a glance, partner users their company."""

    def get_template_names(self):
        if self.membership.is_partner_role:
            return ["tenancy/partner_home.html"]
        return ["tenancy/dashboard.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # What the apps above add (what needs doing, the partner's dashboard): the core imports none.
        for path in settings.PARTNERHUB_HOME:
            context.update(
                import_string(path)(request=self.request, tenant=self.tenant, membership=self.membership)
            )
        if self.membership.is_partner_role:
            context["partner"] = (
                selectors.partner_list(tenant=self.tenant)
                .select_related("account_manager")
                .get(id=self.membership.partner_id)
            )
            context["colleagues"] = selectors.membership_list(tenant=self.tenant).filter(
                partner_id=self.membership.partner_id
            )
            return context
        partners = selectors.partner_list(tenant=self.tenant)
        context["partner_counts"] = selectors.partner_counts(tenant=self.tenant)
        context["recent_partners"] = partners.order_by("-created_at")[:5]
        context["member_count"] = selectors.membership_list(tenant=self.tenant).count()
        context["pending_invitations"] = selectors.invitation_open_list(tenant=self.tenant).count()
        context["heartbeat"] = selectors.heartbeat_status()
        return context
