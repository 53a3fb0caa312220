"""Base classes of every portal page under /t/<tenant_slug>/.

The middleware has resolved the tenant and the user's membership (or answered 404). These bases
add the rest of the one way in: querysets come from a selector through `scope_for` (tenant and,
for partner users, partner), an object outside scope is a 404, and a role that may not act gets
a 403 only after the object was found in scope.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections.abc import Callable, Iterable
from typing import ClassVar

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.generic import FormView, TemplateView, View

from partnerhub.tenancy.context import get_active_tenant, tenant_context
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.roles import can
from partnerhub.tenancy.scoping import scope_for
from partnerhub.tenancy.selectors import request_vertical_labels


class TenantView(View):
    permission: ClassVar[str | None] = None
    # Selector returning the rows of this view's model for a tenant: `selector(tenant=…)`.
    queryset_selector: ClassVar[Callable[..., QuerySet] | None] = None
    # URL keyword holding the object's id (`partner_id`); the object is looked up before anything else.
    object_kwarg: ClassVar[str | None] = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if getattr(request, "tenant", None) is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must be routed under /t/<tenant_slug>/.")
        self.tenant = request.tenant
        self.membership = request.membership

    def dispatch(self, request, *args, **kwargs):
        if self.object_kwarg:
            self.object = self.get_object()  # 404 outside scope, before any role check
        if self.permission and not can(self.membership.role, self.permission):
            raise PermissionDenied("Your role does not allow this.")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        if self.queryset_selector is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a queryset_selector.")
        selector = type(self).queryset_selector
        return scope_for(selector(tenant=self.tenant), tenant=self.tenant, membership=self.membership)

    def get_object(self) -> Model:
        if getattr(self, "_object", None) is None:
            self._object = get_object_or_404(self.get_queryset(), pk=self.kwargs[self.object_kwarg])
        return self._object

    def can(self, permission: str) -> bool:
        return can(self.membership.role, permission)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object_kwarg:
            context.setdefault("object", self.object)
        return context


def apply_service_error(form, exc: ServiceError | ValidationError) -> None:
    """Show a service's refusal on the form: on the field at fault, or above the form."""
    if isinstance(exc, ServiceError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


NUMBER = re.compile(r"-?\d+(\.\d+)?")


class ServiceFormView(TenantView, FormView):
    """A form whose valid data goes to one service: `save(data)` calls it. A refusal (ServiceError,
    ValidationError) is shown on the form, on its field where it names one; success is announced
    (`success_message(saved)`, None for silence) and redirects to `saved_url(saved)`."""

    def save(self, data: dict):
        raise NotImplementedError

    def success_message(self, saved) -> str | None:
        return None

    def saved_url(self, saved) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            saved = self.save(form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        message = self.success_message(saved)
        if message:
            messages.success(self.request, message)
        return redirect(self.saved_url(saved))


def _csv_safe(value, tz) -> str:
    """Spreadsheets execute cells starting with these characters: quote them as text (but leave
    negative numbers alone). Times are written in the tenant's time zone."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, tz).isoformat()
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def _resolve(obj, accessor: str | Callable) -> object:
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value):
            value = value()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


class VerticalColumn:
    """A CSV column holding a vertical (or a list of them), written by the tenant's labels: they are
    read once per export, before the rows stream (`for_request`)."""

    def __init__(self, attribute: str):
        self.attribute = attribute

    def for_request(self, request) -> Callable:
        labels = request_vertical_labels(request)

        def label(row) -> str:
            value = getattr(row, self.attribute)
            if isinstance(value, list):
                return "; ".join(labels.get(item, item) for item in value)
            return labels.get(value, value)

        return label


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable, columns: list[tuple[str, str | Callable]], filename: str, tz):
    """Stream rows as CSV: memory stays flat however many rows the filter matches. Starts with a
    byte-order mark so Excel reads the UTF-8 (accents, dashes) right."""
    writer = csv.writer(_Echo())
    # The body is read after the view returned and the request's tenant was cleared: each row is
    # fetched and rendered back inside it, so the database wall admits the tenant's rows.
    tenant = get_active_tenant()

    def lines():
        yield "\ufeff" + writer.writerow([header for header, _ in columns])
        remaining = iter(rows)
        while True:
            with tenant_context(tenant):
                row = next(remaining, None)
                if row is None:
                    return
                line = writer.writerow([_csv_safe(_resolve(row, accessor), tz) for _, accessor in columns])
            yield line

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TenantListView(TenantView, TemplateView):
    """A filtered, sortable, paginated list; the same URL serves the htmx partial and the CSV export."""

    filterset_class = None
    paginate_by = 25
    partial_template_name: ClassVar[str] = ""
    csv_columns: ClassVar[list[tuple[str, str | Callable | VerticalColumn]]] = []
    csv_name: ClassVar[str] = ""

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(request.GET or None, queryset=queryset, request=request)
            queryset = self.filterset.qs
        if not queryset.ordered:  # stable pages need a total order
            queryset = queryset.order_by("-pk")
        if request.GET.get("export") == "csv" and self.csv_columns:
            stamp = timezone.localdate().isoformat()
            columns = [
                (header, accessor.for_request(request) if isinstance(accessor, VerticalColumn) else accessor)
                for header, accessor in self.csv_columns
            ]
            return csv_response(
                queryset.iterator(chunk_size=2000),
                columns,
                f"{self.tenant.slug}-{self.csv_name}-{stamp}.csv",
                # Rows stream after the middleware has reset the active time zone.
                tz=self.tenant.zone,
            )
        page = Paginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
        context = self.get_context_data(page=page, rows=page.object_list, filter=self.filterset)
        template = self.template_name
        if request.htmx and not request.htmx.boosted and self.partial_template_name:
            template = self.partial_template_name
        response = TemplateResponse(request, template, context)
        # Page and partial share a URL: caches (and the back button) must keep them apart.
        patch_vary_headers(response, ["HX-Request"])
        return response


class TenantActionView(TenantView):
    """POST does one thing, then goes back to a page that says how it went: `perform()` returns the
    success message; a service's refusal is said as an error, on `failure_url()`."""

    def perform(self) -> str:
        """Do it; return the success message."""
        raise NotImplementedError

    def success_url(self) -> str:
        raise NotImplementedError

    def failure_url(self) -> str:
        return self.success_url()

    def post(self, request, *args, **kwargs):
        try:
            messages.success(request, self.perform())
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(self.failure_url())
        return HttpResponseRedirect(self.success_url())


class TenantConfirmView(TenantActionView, TemplateView):
    """A destructive or irreversible action: GET asks for confirmation, POST does it."""

    template_name = "partials/confirm_page.html"
    title: ClassVar[str] = "Are you sure?"
    confirm_label: ClassVar[str] = "Confirm"
    danger: ClassVar[bool] = True

    def message(self) -> str:
        return ""

    def refusal(self) -> str:
        """Why the action cannot be taken (the service's own rule, asked of its selector), or "":
        the page then says why and offers no button."""
        return ""

    def cancel_url(self) -> str:
        return self.success_url()

    def failure_url(self) -> str:
        return self.cancel_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            message=self.message(),
            refusal=self.refusal(),
            confirm_label=self.confirm_label,
            danger=self.danger,
            cancel_url=self.cancel_url(),
        )
        return context
