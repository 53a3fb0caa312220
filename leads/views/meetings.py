"""Logging a meeting on a target account (sales, in the portal)."""

from django.urls import path, reverse

from accounts.selectors.accounts import account_list
from leads.forms.meetings import MeetingForm
from leads.services.meetings import meeting_log
from partnerhub.tenancy.portal import ServiceFormView


class MeetingLogView(ServiceFormView):
    permission = "lead.change"
    queryset_selector = account_list
    object_kwarg = "target_account_id"
    template_name = "leads/meeting_form.html"
    form_class = MeetingForm

    def save(self, data):
        return meeting_log(
            tenant=self.tenant, actor=self.request.user, target_account_id=self.object.id, **data
        )

    def success_message(self, touch) -> str:
        return f"Meeting with {touch.lead} logged on {self.object.name}."

    def saved_url(self, touch) -> str:
        return reverse("accounts:account_detail", args=[self.tenant.slug, self.object.id])


urlpatterns = [
    path("accounts/<int:target_account_id>/meetings/new/", MeetingLogView.as_view(), name="meeting_log"),
]
