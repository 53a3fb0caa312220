"""Filters of the proof-file list (docs/api.md): the API's, for a portal list to share later."""

import django_filters

from mdf.models import ProofFile, ProofKind, ReviewState, ScanState
from partnerhub.tenancy.filters import SortFilter, tenant_partners


class ProofFileFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ProofKind.choices, empty_label="Any kind")
    review_state = django_filters.ChoiceFilter(choices=ReviewState.choices, empty_label="Any review state")
    scan_state = django_filters.ChoiceFilter(choices=ScanState.choices, empty_label="Any scan state")
    partner = django_filters.ModelChoiceFilter(queryset=tenant_partners, empty_label="Any partner")
    uploaded_after = django_filters.DateFilter(
        field_name="uploaded_at", lookup_expr="date__gte", label="Uploaded on or after"
    )
    uploaded_before = django_filters.DateFilter(
        field_name="uploaded_at", lookup_expr="date__lte", label="Uploaded on or before"
    )
    sort = SortFilter(
        fields=(
            ("uploaded_at", "uploaded"),
            ("original_name", "name"),
            ("kind", "kind"),
            ("review_state", "review_state"),
            ("size", "size"),
            ("partner__name", "partner"),
        )
    )

    class Meta:
        model = ProofFile
        fields = ["kind", "review_state", "scan_state", "partner"]
