"""Imports pages: upload a CSV of accounts, opportunities or a partner's account mapping, follow its
progress, read its report (rows created, updated, unchanged, rejected with row, column and reason)
and download the rejected rows. Partner users upload their own company's accounts and see only
their own uploads (ImportJob.partner_scope)."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.generic import FormView, TemplateView

from accounts import services
from accounts.filters_imports import ImportJobFilter
from accounts.forms import ClaimsUploadForm, ImportForm, MappingImportForm
from accounts.models import ImportJob
from accounts.rows import ROW_SERIALIZERS
from accounts.selectors.imports import import_job_detail, import_job_list
from accounts.services.imports import MAX_IMPORT_BYTES
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.portal import TenantListView, TenantView, apply_service_error, csv_response

# How many rejections the job page lists; the CSV download has all the job kept.
REJECTIONS_SHOWN = 200
REJECTION_COLUMNS = [
    ("Row", lambda entry: entry.get("row")),
    ("Column", lambda entry: entry.get("column")),
    ("Reason", lambda entry: entry.get("reason")),
]


# --- Pages --------------------------------------------------------------------------------------


def _kind_help(kind: str) -> dict:
    serializer_class = ROW_SERIALIZERS[kind]
    return {
        "kind": kind,
        "label": ImportJob.Kind(kind).label,
        "required": [" or ".join(options) for options in serializer_class.required_columns],
        "columns": serializer_class.template_columns,
    }


class ImportListView(TenantListView):
    """Every import of the tenant; a partner user sees their own company's uploads only."""

    queryset_selector = import_job_list
    filterset_class = ImportJobFilter
    template_name = "accounts/import_list.html"
    partial_template_name = "accounts/partials/_import_table.html"
    csv_name = "imports"
    csv_columns = [
        ("Uploaded", "created_at"),
        ("File", "filename"),
        ("Kind", "get_kind_display"),
        ("Partner", "partner.name"),
        ("Status", "get_status_display"),
        ("Rows", "total_rows"),
        ("Processed", "processed_rows"),
        ("Created", "created_count"),
        ("Updated", "updated_count"),
        ("Unchanged", "unchanged_count"),
        ("Rejected", "rejected_count"),
        ("Uploaded by", "created_by.email"),
        ("Finished", "finished_at"),
    ]


class _UploadView(TenantView, FormView):
    template_name = "accounts/import_form.html"
    title = ""
    kinds: tuple[str, ...] = ()

    def read(self, form) -> bytes:
        # One byte past the limit is enough for the service to refuse an oversized file.
        return form.cleaned_data["file"].read(MAX_IMPORT_BYTES + 1)

    def create(self, form, content: bytes) -> ImportJob:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            job = self.create(form, self.read(form))
        except ServiceError as exc:
            apply_service_error(form, exc)
            return self.form_invalid(form)
        return redirect("accounts:import_detail", tenant_slug=self.tenant.slug, import_job_id=job.id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, kinds=[_kind_help(kind) for kind in self.kinds])
        return context


class ImportCreateView(_UploadView):
    permission = "account.change"
    form_class = ImportForm
    title = "Import accounts or opportunities"
    kinds = (ImportJob.Kind.ACCOUNTS, ImportJob.Kind.OPPORTUNITIES)

    def create(self, form, content):
        upload = form.cleaned_data["file"]
        return services.import_job_create(
            tenant=self.tenant,
            actor=self.request.user,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            content_bytes=content,
        )


class MappingImportCreateView(_UploadView):
    """Staff upload a partner's account mapping (partners upload their own list as claims)."""

    permission = "mapping.change"
    form_class = MappingImportForm
    kinds = (ImportJob.Kind.MAPPINGS,)

    title = "Upload a partner's accounts"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant, "membership": self.membership}

    def create(self, form, content):
        upload = form.cleaned_data["file"]
        return services.import_job_create(
            tenant=self.tenant,
            actor=self.request.user,
            kind=ImportJob.Kind.MAPPINGS,
            filename=upload.name,
            content_bytes=content,
            partner=form.cleaned_data.get("partner"),
        )


class ClaimsImportCreateView(_UploadView):
    """A partner user uploads the list of companies their company works with (My accounts)."""

    permission = "claim.change"
    form_class = ClaimsUploadForm
    kinds = (ImportJob.Kind.CLAIMS,)
    title = "Upload my accounts"

    def create(self, form, content):
        upload = form.cleaned_data["file"]
        return services.import_job_create(
            tenant=self.tenant,
            actor=self.request.user,
            kind=ImportJob.Kind.CLAIMS,
            filename=upload.name,
            content_bytes=content,
        )


class ImportTemplateView(TenantView):
    """An empty CSV with the columns of a kind of import (?kind=accounts|opportunities|mappings)."""

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("kind", "")
        if kind not in ROW_SERIALIZERS:
            raise Http404("No such kind of import.")
        needed = {
            ImportJob.Kind.MAPPINGS: "mapping.change",
            ImportJob.Kind.CLAIMS: "claim.change",
        }.get(kind, "account.change")
        if not self.can(needed):
            raise PermissionDenied("Your role does not allow this.")
        buffer = io.StringIO()
        csv.writer(buffer).writerow(ROW_SERIALIZERS[kind].template_columns)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response


class ImportDetailView(TenantView, TemplateView):
    """A job's progress (the partial polls every second while it runs) and its report; with
    ?export=csv, its rejected rows as CSV."""

    queryset_selector = import_job_detail
    object_kwarg = "import_job_id"
    template_name = "accounts/import_detail.html"
    partial_template_name = "accounts/partials/_import_progress.html"

    def get(self, request, *args, **kwargs):
        job = self.object
        if request.GET.get("export") == "csv":
            return csv_response(
                job.errors,
                REJECTION_COLUMNS,
                f"{self.tenant.slug}-import-{job.id}-rejected.csv",
                tz=self.tenant.zone,
            )
        context = self.get_context_data(
            job=job,
            rejections=job.errors[:REJECTIONS_SHOWN],
            more_rejections=max(0, len(job.errors) - REJECTIONS_SHOWN),
            errors_truncated=job.rejected_count > len({entry.get("row") for entry in job.errors}),
        )
        template = self.template_name
        if request.htmx and not request.htmx.boosted:
            template = self.partial_template_name
        response = TemplateResponse(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import_list"),
    path("imports/new/", ImportCreateView.as_view(), name="import_create"),
    path("imports/mapping/", MappingImportCreateView.as_view(), name="import_mapping_create"),
    path("imports/my-accounts/", ClaimsImportCreateView.as_view(), name="import_claims_create"),
    path("imports/template/", ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:import_job_id>/", ImportDetailView.as_view(), name="import_detail"),
]
