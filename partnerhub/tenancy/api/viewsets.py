"""Bases of every API viewset: the queryset comes from a selector through `scope_for`, an object
outside scope is a 404 before any permission is judged, writes go through services."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.db import IntegrityError, transaction
from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerhub.tenancy.models import IdempotencyRecord
from partnerhub.tenancy.scoping import scope_for


class RolePermissionMixin:
    """The role permission a session user needs (API keys are judged by their scopes instead):
    per action where one is named, else by whether the method reads or writes."""

    permission_read: ClassVar[str | None] = None
    permission_write: ClassVar[str | None] = None
    action_permissions: ClassVar[dict[str, str]] = {}

    def required_permission(self, request) -> str | None:
        action = getattr(self, "action", None)
        if action in self.action_permissions:
            return self.action_permissions[action]
        return self.permission_read if request.method in SAFE_METHODS else self.permission_write


class TenantViewSetMixin(RolePermissionMixin):
    queryset_selector: ClassVar = None

    def get_queryset(self):
        model = self.get_serializer_class().Meta.model
        if getattr(self, "swagger_fake_view", False):  # schema generation has no tenant
            return model.unscoped.none()
        selector = type(self).queryset_selector
        request = self.request
        return scope_for(
            selector(tenant=request.tenant), tenant=request.tenant, membership=request.membership
        )

    def get_object(self):
        if getattr(self, "_object", None) is None:
            self._object = super().get_object()
        return self._object

    def check_permissions(self, request):
        # Look the object up first: outside the caller's scope it is a 404, never a 403 that
        # would confirm it exists.
        lookup = self.lookup_url_kwarg or self.lookup_field
        if lookup in self.kwargs and request.user.is_authenticated and getattr(request, "tenant", None):
            self.get_object()
        super().check_permissions(request)


def _principal(request) -> str:
    api_key = getattr(request, "api_key", None)
    return f"apikey:{api_key.id}" if api_key is not None else f"user:{request.user.pk}"


def _is_idempotency_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == "idempotency_key_unique"


class IdempotentCreateMixin:
    """`Idempotency-Key` on POST: a retry by the same caller with the same key and body gets the
    first answer again instead of creating twice. Keys are private to the user or API key."""

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")[:200]
        if not key:
            return super().create(request, *args, **kwargs)
        principal = _principal(request)
        fingerprint = hashlib.sha256(f"{request.method} {request.path} ".encode() + request.body).hexdigest()
        record = IdempotencyRecord.objects.filter(tenant=request.tenant, principal=principal, key=key).first()
        if record is not None:
            if record.fingerprint != fingerprint:
                return Response(
                    {"detail": "This Idempotency-Key was used for a different request."},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            return Response(
                record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"}
            )
        try:
            # One transaction: if a concurrent request with the same key wins the record, this
            # request's create is rolled back too.
            with transaction.atomic():
                response = super().create(request, *args, **kwargs)
                IdempotencyRecord.objects.create(
                    tenant=request.tenant,
                    principal=principal,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    response_body=response.data,
                )
        except IntegrityError as exc:
            if not _is_idempotency_clash(exc):
                raise
            return Response(
                {"detail": "A request with this Idempotency-Key is in progress; retry shortly."},
                status=status.HTTP_409_CONFLICT,
            )
        return response


class TenantAPIView(RolePermissionMixin, APIView):
    """An API endpoint that is not a model collection (e.g. whoami, metrics): authenticated within
    a tenant by the same classes and permission as the viewsets."""


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantModelViewSet(IdempotentCreateMixin, TenantViewSetMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
