"""Bases of every API viewset: the queryset comes from a selector through `scope_for`, an object
outside scope is a 404 before any permission is judged, writes go through services."""

from __future__ import annotations

import hashlib
from typing import ClassVar

import psycopg
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from partnerhub.tenancy.api.principal import request_principal
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
    # Object ids in paths are plain ASCII integers: full-width digits or `true` are a 404.
    lookup_value_converter = "int"

    def get_queryset(self):
        return self.scoped(type(self).queryset_selector)

    def scoped(self, selector):
        """What `selector` reads, within the caller's scope (tenant, and partner for partner users)."""
        model = self.get_serializer_class().Meta.model
        if getattr(self, "swagger_fake_view", False):  # schema generation has no tenant
            return model.unscoped.none()
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


def _is_idempotency_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == "idempotency_key_unique"


MAX_IDEMPOTENCY_KEY_LENGTH = 200
IN_PROGRESS = {"detail": "A request with this Idempotency-Key is still in progress; retry shortly."}


class IdempotentCreateMixin:
    """`Idempotency-Key` on POST: a retry by the same caller with the same key and body gets the
    first answer again instead of creating twice. Keys are private to the user or API key.

    The key is claimed (its row inserted) before the work, in the work's transaction: a retry
    arriving meanwhile waits on that row and then replays the committed answer, or, after
    `PARTNERHUB_IDEMPOTENCY_WAIT_SECONDS`, answers 409 "still in progress". If the first attempt
    fails, its claim rolls back with it and the retry does the work."""

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return super().create(request, *args, **kwargs)
        if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            return Response(
                {"detail": f"An Idempotency-Key has at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        principal = request_principal(request)
        fingerprint = hashlib.sha256(f"{request.method} {request.path} ".encode() + request.body).hexdigest()
        replay = self._replay(request, principal, key, fingerprint)
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Only the claim is bounded: the work itself waits for its locks as usual.
                    wait = int(settings.PARTNERHUB_IDEMPOTENCY_WAIT_SECONDS * 1000)
                    cursor.execute(f"SET LOCAL lock_timeout = {wait}")
                    record = IdempotencyRecord.objects.create(
                        tenant=request.tenant,
                        principal=principal,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=0,  # claimed, not answered yet
                        response_body={},
                    )
                    cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
                response = super().create(request, *args, **kwargs)
                record.status_code, record.response_body = response.status_code, response.data
                record.save(update_fields=["status_code", "response_body"])
        except IntegrityError as exc:
            if not _is_idempotency_clash(exc):
                raise
            # The same key finished while this request waited for it: its answer stands.
            return self._replay(request, principal, key, fingerprint) or Response(
                IN_PROGRESS, status=status.HTTP_409_CONFLICT
            )
        except OperationalError as exc:
            if not isinstance(exc.__cause__, psycopg.errors.LockNotAvailable):
                raise
            return Response(IN_PROGRESS, status=status.HTTP_409_CONFLICT)
        return response

    def _replay(self, request, principal: str, key: str, fingerprint: str) -> Response | None:
        record = IdempotencyRecord.objects.filter(tenant=request.tenant, principal=principal, key=key).first()
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            return Response(
                {"detail": "This Idempotency-Key was used for a different request."},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(
            record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"}
        )


class ServiceActionsMixin:
    """A viewset whose writes are actions handed to services: validate an input serializer
    (`validated`), call the service, answer the object as its detail shows it (`detail_response`).
    With `create_serializer_class` and `create_with(data)`, POST on the collection creates the same
    way (under IdempotentCreateMixin in the MRO, which replays it)."""

    detail_serializer_class: ClassVar[type | None] = None
    create_serializer_class: ClassVar[type | None] = None

    def get_serializer_class(self):
        """The detail serializer answers a retrieve too (and documents it)."""
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def validated(self, serializer_class, data=None) -> dict:
        serializer = serializer_class(
            data=self.request.data if data is None else data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def detail_queryset(self):
        """Where the answered object is read from: the viewset's scoped queryset unless the detail
        needs more joined."""
        return self.get_queryset()

    def detail_response(self, object_id: int, code: int = status.HTTP_200_OK) -> Response:
        serializer_class = self.detail_serializer_class or self.serializer_class
        instance = self.detail_queryset().get(id=object_id)
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)

    def create_with(self, data: dict):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        created = self.create_with(self.validated(self.create_serializer_class))
        return self.detail_response(created.id, code=status.HTTP_201_CREATED)


class TenantAPIView(RolePermissionMixin, APIView):
    """An API endpoint that is not a model collection (e.g. whoami, metrics): authenticated within
    a tenant by the same classes and permission as the viewsets."""


class TenantReadOnlyViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantModelViewSet(IdempotentCreateMixin, TenantViewSetMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
