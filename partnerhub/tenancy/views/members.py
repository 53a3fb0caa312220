from django.urls import reverse

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.filters import MembershipFilter
from partnerhub.tenancy.forms import InvitationForm, MembershipRoleForm
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView
from partnerhub.tenancy.roles import Role, invitable_roles


def members_url(tenant) -> str:
    return reverse("tenancy:member_list", kwargs={"tenant_slug": tenant.slug})


class MemberListView(TenantListView):
    permission = "member.view"
    queryset_selector = selectors.membership_list
    filterset_class = MembershipFilter
    template_name = "tenancy/member_list.html"
    partial_template_name = "tenancy/partials/_member_table.html"
    invitations_shown = 20
    csv_name = "members"
    csv_columns = [
        ("Email", "user.email"),
        ("Name", "user.full_name"),
        ("Role", "get_role_display"),
        ("Partner", "partner.name"),
        ("Joined", "created_at"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        open_invitations = selectors.invitation_open_list(tenant=self.tenant)
        context["invitations"] = open_invitations[: self.invitations_shown]
        context["invitation_count"] = open_invitations.count()
        context["manageable_roles"] = invitable_roles(self.membership.role)
        return context


class InvitationCreateView(ServiceFormView):
    permission = "member.invite"
    template_name = "tenancy/invitation_form.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["inviter"] = self.membership
        return kwargs

    def get_initial(self):
        # "Invite a user" from a partner's page arrives with the partner chosen.
        partner = self.request.GET.get("partner")
        return {"partner": partner} if partner else {}

    def save(self, data):
        return services.invitation_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, invitation) -> str:
        return f"Invitation sent to {invitation.email}."

    def saved_url(self, invitation) -> str:
        if invitation.partner_id:
            kwargs = {"tenant_slug": self.tenant.slug, "partner_id": invitation.partner_id}
            return reverse("tenancy:partner_detail", kwargs=kwargs)
        return members_url(self.tenant)


class ManageInvitationMixin:
    """Only invitations this member may manage (the service's own rule): the others are a 404, as
    if they did not exist."""

    permission = "member.invite"
    object_kwarg = "invitation_id"

    def get_queryset(self):
        return selectors.invitation_manageable_list(tenant=self.tenant, membership=self.membership)


class InvitationResendView(ManageInvitationMixin, TenantConfirmView):
    title = "Resend the invitation?"
    confirm_label = "Resend"
    danger = False

    def message(self):
        return f"A new link goes to {self.object.email}; the previous link stops working."

    def perform(self):
        services.invitation_resend(tenant=self.tenant, actor=self.request.user, invitation_id=self.object.id)
        return f"Invitation resent to {self.object.email}."

    def success_url(self):
        return members_url(self.tenant)


class InvitationRevokeView(ManageInvitationMixin, TenantConfirmView):
    title = "Revoke the invitation?"
    confirm_label = "Revoke invitation"

    def message(self):
        return f"The link sent to {self.object.email} stops working."

    def perform(self):
        services.invitation_revoke(tenant=self.tenant, actor=self.request.user, invitation_id=self.object.id)
        return f"Invitation for {self.object.email} revoked."

    def success_url(self):
        return members_url(self.tenant)


class MembershipRoleView(ServiceFormView):
    permission = "member.change"
    queryset_selector = selectors.membership_list
    object_kwarg = "membership_id"
    template_name = "tenancy/membership_form.html"

    def get_form(self, form_class=None):
        return MembershipRoleForm.for_membership(self.object, self.request.POST or None)

    def save(self, data):
        return services.membership_change_role(
            tenant=self.tenant, actor=self.request.user, membership_id=self.object.id, **data
        )

    def success_message(self, membership) -> str:
        return f"{membership.user.email} is now {Role(membership.role).label}."

    def saved_url(self, membership) -> str:
        return members_url(self.tenant)


class MembershipRemoveView(TenantConfirmView):
    permission = "member.change"
    queryset_selector = selectors.membership_list
    object_kwarg = "membership_id"
    confirm_label = "Remove from tenant"

    @property
    def title(self):
        return f"Remove {self.object.user.email}?"

    def message(self):
        return f"They lose access to {self.tenant.name}. Their account and other workspaces are untouched."

    def perform(self):
        services.membership_remove(tenant=self.tenant, actor=self.request.user, membership_id=self.object.id)
        return f"{self.object.user.email} removed."

    def success_url(self):
        return members_url(self.tenant)
