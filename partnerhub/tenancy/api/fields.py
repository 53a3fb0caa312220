"""Input foreign keys resolved inside the caller's tenant: an id from another tenant is a 400,
never a silent cross-link."""

from rest_framework import serializers


class TenantRelatedField(serializers.SlugRelatedField):
    """A related object named by `slug_field` (default: id), looked up with `queryset_for(request)`.

    The queryset is built per request, because tenant-owned managers refuse to query before a
    tenant is active (so a class-level `queryset=` cannot exist).
    """

    def __init__(self, *, queryset_for, slug_field="id", **kwargs):
        self.queryset_for = queryset_for
        kwargs.setdefault("read_only", False)
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self):
        return self.queryset_for(self.context["request"])


class TenantEmailRelatedField(TenantRelatedField):
    """A user named by email: addresses are stored lowercased, CRMs send them in any case."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(str(data).strip().lower())
