"""Plays pages: the catalog, activation packages (master and versions) and programs."""

from django.urls import reverse
from django.views.generic import TemplateView

from accounts.selectors.programs import program_list
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantConfirmView,
    TenantListView,
    TenantView,
    VerticalColumn,
)
from partnerhub.tenancy.selectors import audit_history_for
from plays import qualification, selectors, services
from plays.filters import PackageFilter
from plays.forms import ComponentForm, OverrideForm, PlayForm, VersionForm
from plays.models import ComponentKey


def _package_url(tenant, package_id: int) -> str:
    return reverse(
        "plays:package_detail", kwargs={"tenant_slug": tenant.slug, "activation_package_id": package_id}
    )


# --- Plays ---------------------------------------------------------------------------------------


class PlayListView(TenantListView):
    permission = "play.view"
    queryset_selector = selectors.play_list
    template_name = "plays/play_list.html"
    partial_template_name = "plays/partials/_play_table.html"


class PlayDetailView(TenantView, TemplateView):
    permission = "play.view"
    queryset_selector = selectors.play_list
    object_kwarg = "play_id"
    template_name = "plays/play_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["play"] = self.object
        context["packages"] = selectors.package_list(tenant=self.tenant).filter(play=self.object)
        # A page that shows both may read another app's selector (docs/architecture.md).
        context["programs"] = program_list(tenant=self.tenant).filter(play=self.object)[:10]
        return context


class PlayUpdateView(ServiceFormView):
    permission = "play.change"
    queryset_selector = selectors.play_list
    object_kwarg = "play_id"
    template_name = "plays/play_form.html"
    form_class = PlayForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A fresh copy: a rejected form must not leave its values on the object the page shows.
        kwargs["instance"] = selectors.play_get(tenant=self.tenant, play_id=self.object.id)
        return kwargs

    def save(self, data):
        return services.play_update(
            tenant=self.tenant, actor=self.request.user, play_id=self.object.id, **data
        )

    def success_message(self, play):
        return f"{play.name} saved."

    def saved_url(self, play):
        return reverse("plays:play_detail", kwargs={"tenant_slug": self.tenant.slug, "play_id": play.id})


# --- Activation packages -------------------------------------------------------------------------


class PackageListView(TenantListView):
    permission = "play.view"
    queryset_selector = selectors.package_list
    filterset_class = PackageFilter
    template_name = "plays/package_list.html"
    partial_template_name = "plays/partials/_package_table.html"
    csv_name = "activation-packages"
    csv_columns = [
        ("Play", "play.name"),
        ("Package", "name"),
        ("Master", lambda package: "yes" if package.is_master else "no"),
        ("Derived from", "parent.name"),
        ("Vertical", VerticalColumn("vertical")),
        ("Partner", "partner.name"),
        ("Revision", "revision"),
        ("Own components", "own_component_count"),
        ("Updated", "updated_at"),
    ]


class PackageDetailView(TenantView, TemplateView):
    """A master: its seven components, fixed or flexible, and which versions override which. A
    version: each component as it takes effect, and whether the version overrides it."""

    permission = "play.view"
    queryset_selector = selectors.package_list
    object_kwarg = "activation_package_id"
    template_name = "plays/package_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        package = self.object
        context["package"] = package
        context["components"] = selectors.package_resolved(tenant=self.tenant, package=package)
        context["qualification"] = qualification.shown(
            next(c.content for c in context["components"] if c.key == ComponentKey.QUALIFICATION)
        )
        if package.is_master:
            context["versions"] = selectors.package_list(tenant=self.tenant).filter(parent=package)
        if self.can("play.change"):
            context["history"] = audit_history_for(tenant=self.tenant, target=package)
        return context


class PackageComponentUpdateView(ServiceFormView):
    """Edit one component of a master; every version that does not override it follows."""

    permission = "play.change"
    queryset_selector = selectors.master_component_list
    object_kwarg = "package_component_id"
    template_name = "plays/component_form.html"
    form_class = ComponentForm

    def get_initial(self):
        return {"content": self.object.content, "is_fixed": self.object.is_fixed}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["package"] = self.object.package
        context["overriders"] = selectors.package_list(tenant=self.tenant).filter(
            parent=self.object.package, components__key=self.object.key
        )
        return context

    def save(self, data):
        return services.package_component_update(
            tenant=self.tenant,
            actor=self.request.user,
            package_id=self.object.package_id,
            key=self.object.key,
            content=data["content"],
            is_fixed=data["is_fixed"],
        )

    def success_message(self, component):
        return f"{component.get_key_display()} saved: every version that does not override it follows."

    def saved_url(self, component):
        return _package_url(self.tenant, component.package_id)


class PackageVersionCreateView(ServiceFormView):
    """Derive a version of a master for a vertical and/or a partner."""

    permission = "play.change"
    queryset_selector = selectors.master_package_list
    object_kwarg = "activation_package_id"
    template_name = "plays/version_form.html"
    form_class = VersionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["tenant"] = self.tenant
        return kwargs

    def save(self, data):
        partner = data.get("partner")
        return services.package_version_create(
            tenant=self.tenant,
            actor=self.request.user,
            master_id=self.object.id,
            name=data["name"],
            vertical=data.get("vertical", ""),
            partner_id=partner.id if partner else None,
        )

    def success_message(self, version):
        return f"{version.name} created: it reads everything from the master until you override a part."

    def saved_url(self, version):
        return _package_url(self.tenant, version.id)


class PackageOverrideSetView(ServiceFormView):
    """Give a version its own content for a flexible component."""

    permission = "play.change"
    queryset_selector = selectors.version_package_list
    object_kwarg = "activation_package_id"
    template_name = "plays/override_form.html"
    form_class = OverrideForm

    def resolved(self) -> dict:
        if not hasattr(self, "_resolved"):
            rows = selectors.package_resolved(tenant=self.tenant, package=self.object)
            self._resolved = {row.key: row for row in rows}
        return self._resolved

    def get_initial(self):
        key = self.request.GET.get("key", "")
        row = self.resolved().get(key)
        return {"key": key, "content": row.content} if row else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["package"] = self.object
        context["components"] = list(self.resolved().values())
        return context

    def save(self, data):
        return services.package_override_set(
            tenant=self.tenant,
            actor=self.request.user,
            package_id=self.object.id,
            key=data["key"],
            content=data["content"],
        )

    def success_message(self, override):
        return f"{override.get_key_display()} now has this version's own content."

    def saved_url(self, override):
        return _package_url(self.tenant, self.object.id)


class PackageOverrideClearView(TenantConfirmView):
    permission = "play.change"
    queryset_selector = selectors.override_list
    object_kwarg = "package_component_id"
    confirm_label = "Use the master's content"
    danger = False

    @property
    def title(self):
        return f"Clear the override of {self.object.get_key_display()}?"

    def message(self):
        return (
            f"{self.object.package.name} will read {self.object.get_key_display()} from the master again, "
            "and follow its future changes. This version's own text for it is discarded."
        )

    def perform(self):
        services.package_override_clear(
            tenant=self.tenant,
            actor=self.request.user,
            package_id=self.object.package_id,
            key=self.object.key,
        )
        return f"{self.object.get_key_display()} reads from the master again."

    def success_url(self):
        return _package_url(self.tenant, self.object.package_id)
