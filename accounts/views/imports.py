"""Imports pages: upload a CSV of accounts, opportunities or a partner's account mapping, map its
columns (pre-filled; with samples, a preview of the first rows and the unknown stage or industry
names to map), follow its progress, read its report (rows created, updated, unchanged, rejected
with row, column and reason) and download the rejected rows as the file had them, to fix and upload
again. Partner users upload their own company's accounts and see only their own uploads
(ImportJob.partner_scope)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from operator import itemgetter

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.views.generic import FormView, TemplateView

from accounts import services
from accounts.filters_imports import ImportJobFilter
from accounts.forms import ClaimsUploadForm, ImportForm, ImportMappingForm, MappingImportForm
from accounts.importing import columns as column_mapping
from accounts.importing.kinds import ImportKind, import_kind, import_kinds
from accounts.importing.options import ReadOptions
from accounts.importing.presets import PRESETS
from accounts.importing.reading import MAX_IMPORT_BYTES, read_csv
from accounts.models import ImportJob
from accounts.selectors.imports import (
    import_job_detail,
    import_job_list,
    import_job_with_file,
    may_download_file_rows,
)
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


def upload_permission(kind: str) -> str:
    """What a role needs to upload (and map) a kind of file."""
    return import_kind(kind).permission


def _rejected_rows_response(job: ImportJob, filename: str, tz) -> HttpResponse:
    """The rejected rows as the file had them, with a last column saying why: fix them and upload
    this file again (its reason column is ignored, the mapping is the same). Written by the
    portal's CSV export, so a cell a spreadsheet would run as a formula is quoted as text."""
    reasons: dict[int, list[str]] = {}
    for entry in job.errors:
        column = entry.get("column")
        reasons.setdefault(entry.get("row"), []).append(
            f"{column}: {entry.get('reason')}" if column else str(entry.get("reason"))
        )
    width = len(job.header)
    rows = []
    for number, cells in sorted(job.rejected_records.items(), key=lambda item: int(item[0])):
        cells, extra = list(cells[:width]), list(cells[width:])
        cells += [""] * (width - len(cells))
        reason = " ".join(reasons.get(int(number), []))
        if extra:  # kept in the reason, so the columns stay the file's and nothing is lost
            reason += " Values beyond the last column: " + " | ".join(extra)
        rows.append([*cells, reason])
    headers = [*job.header, column_mapping.REASON_COLUMN]
    return csv_response(
        rows, [(name, itemgetter(index)) for index, name in enumerate(headers)], filename, tz=tz
    )


def _kind_help(kind: ImportKind) -> dict:
    return {
        "kind": kind.name,
        "label": kind.label,
        "required": [" or ".join(options) for options in kind.row.required_columns],
        "columns": kind.row.template_columns,
        "help": kind.help,
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

    def offered_kinds(self) -> list[ImportKind]:
        return [import_kind(kind) for kind in self.kinds]

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
        return redirect("accounts:import_mapping", tenant_slug=self.tenant.slug, import_job_id=job.id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, kinds=[_kind_help(kind) for kind in self.offered_kinds()])
        return context


class ImportCreateView(_UploadView):
    """The upload of every kind registered for this page (accounts, opportunities, leads, event
    attendance… see accounts.importing.kinds) that the user's role may import."""

    permission = "account.change"
    form_class = ImportForm
    title = "Import a file"

    def offered_kinds(self) -> list[ImportKind]:
        return [kind for kind in import_kinds() if kind.upload_page == "main" and self.can(kind.permission)]

    def get_form_kwargs(self):
        offered = self.offered_kinds()
        return {
            **super().get_form_kwargs(),
            "tenant": self.tenant,
            "kinds": [(kind.name, kind.choice_label) for kind in offered],
            "with_program": any(kind.target == "program" for kind in offered),
        }

    def create(self, form, content):
        upload = form.cleaned_data["file"]
        return services.import_job_create(
            tenant=self.tenant,
            actor=self.request.user,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            content_bytes=content,
            program=form.cleaned_data.get("program"),
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
        try:
            kind_ = import_kind(kind)
        except ServiceError as exc:
            raise Http404("No such kind of import.") from exc
        if not self.can(kind_.permission):
            raise PermissionDenied("Your role does not allow this.")
        buffer = io.StringIO()
        csv.writer(buffer).writerow(kind_.row.template_columns)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
        return response


def _notices(job: ImportJob) -> list[str]:
    """What the report says besides its counts, in words."""
    notices = []
    for notice, count in sorted(job.notices.items()):
        what, _, value = notice.partition(":")
        if what == "default_currency":
            notices.append(
                f"{count} new opportunit{'y' if count == 1 else 'ies'} had no currency in the file and "
                f"took the default currency, {value}."
            )
    return notices


OPTION_FIELDS = ("date_order", "decimal_mark", "currency", "replace_external_ids")


def _preview_fields(preview) -> list[str]:
    """The fields the preview's rows were read into, in order of first appearance (the fields the
    file gives when no row could be read)."""
    fields: dict[str, None] = {}
    for row in preview:
        for name in row.values:
            fields.setdefault("currency" if name == "default_currency" else name, None)
    for row in preview if not fields else ():
        for name in row.written:
            fields.setdefault(name, None)
    return list(fields)


def _preview_cells(row, fields: Sequence[str]) -> list[str]:
    """A valid row's values as read; a rejected row's as the file writes them."""
    if row.errors:
        return [str(row.written.get(name, "")) for name in fields]
    return [_shown(row.values, name) for name in fields]


def _shown(values: dict, name: str) -> str:
    if name == "currency" and "currency" not in values and values.get("default_currency"):
        return f"{values['default_currency']} (the default)"
    value = values.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z")
    return str(value)


class ImportMappingView(TenantView, TemplateView):
    """The mapping step of an uploaded file: each column beside the field it goes to (pre-filled),
    a few of its values, how dates and amounts are read, the file's unknown stage or industry names
    to map, and a preview of the first rows as they will be read. "Preview" shows the page again
    with the choices made; "Import" starts the job."""

    queryset_selector = import_job_with_file
    object_kwarg = "import_job_id"
    template_name = "accounts/import_mapping.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.can(upload_permission(self.object.kind)):
            raise PermissionDenied("Your role does not allow this.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.object.awaits_mapping:
            return redirect(self._detail_url())
        return self._render(self._form())

    def post(self, request, *args, **kwargs):
        job = self.object
        if not job.awaits_mapping:
            return redirect(self._detail_url())
        if "discard" in request.POST:
            try:
                services.imports.import_job_discard(tenant=self.tenant, actor=request.user, job_id=job.id)
            except ServiceError as exc:
                raise PermissionDenied(str(exc)) from exc
            return redirect("accounts:import_list", tenant_slug=self.tenant.slug)
        form = self._form(data=request.POST)
        if form.is_valid() and "import" in request.POST:
            try:
                services.import_job_confirm(
                    tenant=self.tenant,
                    actor=request.user,
                    job_id=job.id,
                    columns=form.columns,
                    options=form.options,
                    save_as=form.cleaned_data.get("save_as", ""),
                    words=form.words,
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                return redirect(self._detail_url())
        return self._render(form)

    def _detail_url(self) -> str:
        return reverse(
            "accounts:import_detail",
            kwargs={"tenant_slug": self.tenant.slug, "import_job_id": self.object.id},
        )

    def _form(self, data=None) -> ImportMappingForm:
        job = self.object
        self.parsed = read_csv(job.content)
        columns = job.columns
        if data is not None:  # the choices being made, for the unknown words and the preview
            columns = [data.get(f"column_{index}", column) for index, column in enumerate(job.header)]
        unknown = services.imports.unknown_words(self.tenant, job, self.parsed, columns)
        form = ImportMappingForm(
            data,
            job=job,
            tenant=self.tenant,
            unknown_words=unknown,
            can_save=import_kind(job.kind).saves_mappings,
            # A mapping applied is saved again under its name (so a change updates it); a new one
            # is saved only when the user names it, the preset's name being a suggestion.
            initial={"save_as": job.saved_mapping.name if job.saved_mapping else ""},
        )
        preset = column_mapping.preset_for(job.kind, job.header)
        if preset and "save_as" in form.fields:
            form.fields["save_as"].widget.attrs["placeholder"] = preset.name
        return form

    def _render(self, form: ImportMappingForm):
        job = self.object
        if form.is_bound and form.is_valid():
            columns, options, words = form.columns, ReadOptions.from_dict(form.options), form.words
        else:
            columns, options, words = job.columns, ReadOptions.from_dict(job.options), None
        problems = column_mapping.check_columns(job.kind, job.header, columns)
        preview = (
            []
            if problems
            else services.imports.import_preview(
                tenant=self.tenant, job=job, parsed=self.parsed, columns=columns, options=options, words=words
            )
        )
        fields = _preview_fields(preview)
        context = self.get_context_data(
            job=job,
            form=form,
            column_rows=form.column_rows(column_mapping.samples(self.parsed.records, len(job.header))),
            option_fields=[form[name] for name in OPTION_FIELDS if name in form.fields],
            problems=problems,
            preview=[
                {
                    "number": row.number,
                    "errors": row.errors,
                    "cells": _preview_cells(row, fields),
                }
                for row in preview
            ],
            preview_fields=fields,
            preset_names=[preset.name for preset in PRESETS if preset.kind == job.kind],
            applied=job.saved_mapping,
        )
        return TemplateResponse(self.request, self.template_name, context)


class ImportDetailView(TenantView, TemplateView):
    """A job's progress (the partial polls every second while it runs) and its report; with
    ?export=csv, its rejected rows as CSV."""

    queryset_selector = import_job_detail
    object_kwarg = "import_job_id"
    template_name = "accounts/import_detail.html"
    partial_template_name = "accounts/partials/_import_progress.html"

    def get(self, request, *args, **kwargs):
        job = self.object
        if job.awaits_mapping:
            return redirect("accounts:import_mapping", tenant_slug=self.tenant.slug, import_job_id=job.id)
        if request.GET.get("export") == "csv":
            return csv_response(
                job.errors,
                REJECTION_COLUMNS,
                f"{self.tenant.slug}-import-{job.id}-rejected.csv",
                tz=self.tenant.zone,
            )
        if request.GET.get("export") == "rows":
            if not may_download_file_rows(self.membership, job):
                raise Http404
            return _rejected_rows_response(
                job, f"{self.tenant.slug}-import-{job.id}-rejected-rows.csv", self.tenant.zone
            )
        context = self.get_context_data(
            job=job,
            rejections=job.errors[:REJECTIONS_SHOWN],
            more_rejections=max(0, len(job.errors) - REJECTIONS_SHOWN),
            errors_truncated=job.rejected_count > len({entry.get("row") for entry in job.errors}),
            notices=_notices(job),
            may_download_rows=may_download_file_rows(self.membership, job),
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
    path("imports/<int:import_job_id>/mapping/", ImportMappingView.as_view(), name="import_mapping"),
]
