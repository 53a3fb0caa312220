"""Tenant administration: API keys, the audit trail, settings, system status."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.filters import AuditEventFilter
from partnerhub.tenancy.forms import ApiKeyForm, TenantSettingsForm
from partnerhub.tenancy.history import history_present
from partnerhub.tenancy.portal import ServiceFormView, TenantConfirmView, TenantListView, TenantView

# The session entry that carries a just-created key's secret to the one page that shows it.
CREATED_KEY = "tenancy.api_key_created"


class ApiKeyListView(TenantListView):
    permission = "apikey.manage"
    queryset_selector = selectors.api_key_list
    template_name = "tenancy/api_key_list.html"


class ApiKeyCreateView(ServiceFormView):
    permission = "apikey.manage"
    template_name = "tenancy/api_key_form.html"
    form_class = ApiKeyForm

    def save(self, data):
        key, raw_key = services.api_key_create(
            tenant=self.tenant,
            actor=self.request.user,
            name=data["name"],
            scopes=ApiKeyForm.scopes_for(data["access"]),
        )
        # Post/redirect/get: reloading the page that shows the key must not create another. The
        # secret waits in this session for that one page, which takes it out (see below).
        self.request.session[CREATED_KEY] = {
            "tenant_id": self.tenant.id,
            "key_id": key.id,
            "raw_key": raw_key,
        }
        return key

    def saved_url(self, key) -> str:
        return reverse("tenancy:api_key_created", kwargs={"tenant_slug": self.tenant.slug})


class ApiKeyCreatedView(TenantView, TemplateView):
    """A new key's secret, shown once: the first view after the create takes it out of the
    session, and a reload (or a later visit) finds nothing there and goes back to the list."""

    permission = "apikey.manage"
    queryset_selector = selectors.api_key_list
    template_name = "tenancy/api_key_created.html"

    def get(self, request, *args, **kwargs):
        created = request.session.get(CREATED_KEY)
        if created is None or created["tenant_id"] != self.tenant.id:
            messages.info(request, "A key is shown only once, right after it was created.")
            return redirect("tenancy:api_key_list", tenant_slug=self.tenant.slug)
        del request.session[CREATED_KEY]
        key = get_object_or_404(self.get_queryset(), pk=created["key_id"])
        response = self.render_to_response(self.get_context_data(key=key, raw_key=created["raw_key"]))
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyRevokeView(TenantConfirmView):
    permission = "apikey.manage"
    queryset_selector = selectors.api_key_list
    object_kwarg = "api_key_id"
    confirm_label = "Revoke key"

    @property
    def title(self):
        return f"Revoke “{self.object.name}”?"

    def message(self):
        return "Anything using this key gets 401 Unauthorized from now on. This cannot be undone."

    def perform(self):
        services.api_key_revoke(tenant=self.tenant, actor=self.request.user, api_key_id=self.object.id)
        return f"Key “{self.object.name}” revoked."

    def success_url(self):
        return reverse("tenancy:api_key_list", kwargs={"tenant_slug": self.tenant.slug})


class AuditListView(TenantListView):
    permission = "audit.view"
    queryset_selector = selectors.audit_event_list
    filterset_class = AuditEventFilter
    paginate_by = 50
    template_name = "tenancy/audit_list.html"
    partial_template_name = "tenancy/partials/_audit_table.html"
    csv_name = "audit"
    csv_columns = [
        ("Time", "created_at"),
        ("Actor", "actor_label"),
        ("Action", "action"),
        ("Target type", lambda event: event.target_type.model if event.target_type else ""),
        ("Target id", "target_id"),
        ("Target", "target_label"),
        ("Before", "before"),
        ("After", "after"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page's events in words; the CSV export keeps the recorded values as they are.
        context["rows"] = history_present(tenant=self.tenant, events=context["rows"])
        return context


class TenantSettingsView(ServiceFormView):
    permission = "tenant.change"
    template_name = "tenancy/tenant_settings.html"
    form_class = TenantSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: a rejected form must not leave unsaved values on the tenant of this request.
        kwargs["instance"] = selectors.tenant_get(tenant_id=self.tenant.id)
        return kwargs

    def save(self, data):
        return services.tenant_update(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, tenant) -> str:
        return "Settings saved."

    def saved_url(self, tenant) -> str:
        return reverse("tenancy:tenant_settings", kwargs={"tenant_slug": tenant.slug})


class SystemStatusView(TenantView, TemplateView):
    """Is the background machinery alive? The heartbeat is sent by beat and run by a worker."""

    permission = "system.view"
    template_name = "tenancy/system_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heartbeat"] = selectors.heartbeat_status()
        return context
