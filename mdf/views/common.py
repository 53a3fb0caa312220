"""What the MDF pages share: who is looking (a partner's user, or the vendor's staff and whether they
manage the funds), and a rule beyond the page's permission, checked once the object was found."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.portal import ServiceFormView, TenantView

REVIEW = "mdf.change"


class MdfView(TenantView):
    # What a partner's user needs to act on their own company's rows (e.g. "mdf_request.change").
    partner_permission: str | None = None

    @property
    def partner(self) -> Partner | None:
        """The partner company of a partner user (None for the vendor's staff)."""
        return self.membership.partner if self.membership.is_partner_role else None

    @property
    def reviewer(self) -> bool:
        return self.partner is None and self.can(REVIEW)

    @property
    def own_or_reviewer(self) -> bool:
        """A partner user who may act on their company's row, or a fund manager."""
        if self.partner is not None:
            return self.partner_permission is not None and self.can(self.partner_permission)
        return self.reviewer

    def allowed(self) -> bool:
        """A rule beyond `permission` (checked after the object was found in scope: 404 first)."""
        return True

    def dispatch(self, request, *args, **kwargs):
        if self.object_kwarg:
            self.object = self.get_object()
        if not self.allowed():
            raise PermissionDenied("Your role does not allow this.")
        return super().dispatch(request, *args, **kwargs)


class DecisionPage(MdfView, ServiceFormView):
    """A fund manager's decision on its own page (the form is the confirmation): the page says what
    it does, or that the object no longer waits for it (`waiting_states`)."""

    permission = REVIEW
    title = ""
    confirm_label = "Confirm"
    explanation = ""
    danger = False
    waiting_states: tuple = ()

    def allowed(self) -> bool:
        return self.partner is None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.title,
            confirm_label=self.confirm_label,
            explanation=self.explanation,
            danger=self.danger,
            waiting=self.object.state in self.waiting_states,
            **kwargs,
        )
