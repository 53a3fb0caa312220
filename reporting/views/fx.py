"""FX rates (Settings → FX rates): what amounts in other currencies convert at, by day. Staff read
them; tenant admins and revops set, load and delete them (`fx.change`), each change audited."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import FormView

from accounts.importing.reading import MAX_IMPORT_BYTES
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantConfirmView,
    TenantListView,
    TenantView,
    apply_service_error,
)
from reporting.filters_fx import FxRateFilter
from reporting.forms import FxRateFileForm, FxRateForm
from reporting.selectors.fx import fx_rate_list
from reporting.selectors.money import reporting_currency
from reporting.services import fx as services

CHANGE = "fx.change"


def fx_rate_list_url(tenant) -> str:
    return reverse("reporting:fx_rate_list", kwargs={"tenant_slug": tenant.slug})


class FxRateView(TenantView):
    permission = "report.view"
    queryset_selector = fx_rate_list


class FxRateListView(FxRateView, TenantListView):
    template_name = "reporting/fx_rate_list.html"
    partial_template_name = "reporting/partials/_fx_rate_table.html"
    filterset_class = FxRateFilter
    paginate_by = 50
    csv_name = "fx-rates"
    csv_columns = [
        ("currency", "currency"),
        ("quote_currency", "quote_currency"),
        ("date", "rate_date"),
        ("rate", "rate"),
        ("updated_at", "updated_at"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(can_change=self.can(CHANGE), reporting_currency=reporting_currency(self.tenant))
        return context


class FxRateCreateView(FxRateView, ServiceFormView):
    permission = CHANGE
    template_name = "reporting/fx_rate_form.html"
    form_class = FxRateForm

    def get_initial(self):
        return {"quote_currency": reporting_currency(self.tenant)}

    def save(self, data):
        return services.fx_rate_set(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, fx_rate) -> str:
        return f"Rate saved: {fx_rate}."

    def saved_url(self, fx_rate) -> str:
        return fx_rate_list_url(self.tenant)


class FxRateLoadView(FxRateView, FormView):
    """A CSV file of rates; all or nothing, with each bad row's problem listed by row and column."""

    permission = CHANGE
    template_name = "reporting/fx_rate_load.html"
    form_class = FxRateFileForm

    def form_valid(self, form):
        content = form.cleaned_data["file"].read(MAX_IMPORT_BYTES + 1)
        try:
            result = services.fx_rates_load(tenant=self.tenant, actor=self.request.user, content=content)
        except services.FxFileRejected as exc:
            apply_service_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form, problems=exc.problems))
        except ServiceError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Rates loaded: {result.created} new, {result.changed} changed, {result.unchanged} unchanged.",
        )
        return redirect(fx_rate_list_url(self.tenant))


class FxRateDeleteView(FxRateView, TenantConfirmView):
    permission = CHANGE
    object_kwarg = "fx_rate_id"
    title = "Delete this FX rate?"
    confirm_label = "Delete rate"

    def message(self) -> str:
        return (
            f"{self.object}. Amounts dated from {self.object.rate_date} then convert at the rate before "
            "it, or are left out of the converted figures if there is none."
        )

    def perform(self) -> str:
        services.fx_rate_delete(tenant=self.tenant, actor=self.request.user, fx_rate_id=self.object.id)
        return f"Rate deleted: {self.object}."

    def success_url(self) -> str:
        return fx_rate_list_url(self.tenant)


urlpatterns = [
    path("reporting/fx-rates/", FxRateListView.as_view(), name="fx_rate_list"),
    path("reporting/fx-rates/new/", FxRateCreateView.as_view(), name="fx_rate_create"),
    path("reporting/fx-rates/load/", FxRateLoadView.as_view(), name="fx_rate_load"),
    path("reporting/fx-rates/<int:fx_rate_id>/delete/", FxRateDeleteView.as_view(), name="fx_rate_delete"),
]
