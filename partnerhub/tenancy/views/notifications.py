"""The signed-in member's notifications: the list and marking them read."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from partnerhub.tenancy import selectors, services
from partnerhub.tenancy.filters import NotificationFilter
from partnerhub.tenancy.forms import NotificationMarkReadForm
from partnerhub.tenancy.portal import TenantListView, TenantView
from partnerhub.tenancy.scoping import scope_for


class OwnNotificationsMixin:
    """Only the member's own notifications, never a colleague's, whatever the role; the tenant
    and partner scope applies on top, as on every page."""

    permission = "notification.view"

    def get_queryset(self):
        notifications = selectors.notification_list(tenant=self.tenant, user=self.request.user)
        return scope_for(notifications, tenant=self.tenant, membership=self.membership)


class NotificationListView(OwnNotificationsMixin, TenantListView):
    filterset_class = NotificationFilter
    template_name = "tenancy/notification_list.html"
    partial_template_name = "tenancy/partials/_notification_table.html"
    csv_name = "notifications"
    csv_columns = [
        ("Time", "created_at"),
        ("Title", "title"),
        ("Message", "body"),
        ("Link", "url"),
        ("Read", "read_at"),
    ]


class NotificationMarkReadView(OwnNotificationsMixin, TenantView):
    """POST: mark the chosen notifications read (`notification_id`, repeatable), or all of them."""

    def post(self, request, *args, **kwargs):
        list_url = reverse("tenancy:notification_list", kwargs={"tenant_slug": self.tenant.slug})
        form = NotificationMarkReadForm(request.POST, notifications=self.get_queryset())
        if not form.is_valid():
            messages.error(request, "That notification is no longer there. Reload the page.")
            return redirect(list_url)
        chosen = form.cleaned_data["notification_id"]
        count = services.notifications_mark_read(
            tenant=self.tenant,
            user=request.user,
            notification_ids=[notification.id for notification in chosen] if chosen else None,
        )
        messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked read.")
        return redirect(list_url)
