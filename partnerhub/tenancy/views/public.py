"""Pages outside any tenant: the landing redirect and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.forms import InvitationSignupForm


class HomeView(View):
    """Send the user to the tenant they used last, or let them choose."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("account_login")
        memberships = list(selectors.user_memberships(user=request.user))
        slugs = [membership.tenant.slug for membership in memberships]
        last = request.session.get("last_tenant")
        if last in slugs:
            return redirect("tenancy:dashboard", tenant_slug=last)
        if len(memberships) == 1:
            return redirect("tenancy:dashboard", tenant_slug=slugs[0])
        return render(request, "tenancy/choose_tenant.html", {"choices": memberships})


class InvitationAcceptView(View):
    """The link from an invitation email: set a password (new users) or confirm, then land in the
    tenant's portal."""

    template_name = "tenancy/invitation_accept.html"

    def dispatch(self, request, token):
        self.invitation = services.invitation_from_token(token)
        if self.invitation is None:
            return render(request, "tenancy/invitation_invalid.html", status=404)
        self.has_account = selectors.user_exists(email=self.invitation.email)
        return super().dispatch(request, token)

    def context(self, **extra):
        return {"invitation": self.invitation, "has_account": self.has_account, **extra}

    def get(self, request, token):
        form = None if self.has_account else InvitationSignupForm(email=self.invitation.email)
        return render(request, self.template_name, self.context(form=form))

    def post(self, request, token):
        if request.user.is_authenticated:
            return self.accept(request, request.user)
        if self.has_account:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = InvitationSignupForm(request.POST, email=self.invitation.email)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form=form), status=400)
        try:
            user = services.user_create_for_invitation(
                invitation=self.invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return render(request, self.template_name, self.context(form=form), status=400)
        return self.accept(request, user, log_in=True)

    def accept(self, request, user, log_in=False):
        tenant = self.invitation.tenant
        try:
            # Public page: the token named the tenant, so the service runs inside it.
            with tenant_context(tenant):
                membership = services.invitation_accept(
                    tenant=tenant, actor=user, invitation_id=self.invitation.id
                )
        except ServiceError as exc:
            return render(request, self.template_name, self.context(error=exc.message), status=400)
        if log_in:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, f"Welcome to {membership.tenant.name}.")
        return redirect("tenancy:dashboard", tenant_slug=membership.tenant.slug)


class HealthView(View):
    """Liveness for the load balancer: the process answers and the database responds."""

    def get(self, request):
        from django.db import connection
        from django.http import JsonResponse

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
