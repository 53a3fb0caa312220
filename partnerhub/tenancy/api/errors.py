"""API errors: `{"detail": …}` or field errors with the right 4xx; bad input never becomes a 500."""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from partnerhub.tenancy.api.parsers import RequestTooLarge
from partnerhub.tenancy.errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        exc = exceptions.ValidationError({exc.field: [exc.message]} if exc.field else {"detail": exc.message})
    elif isinstance(exc, DjangoValidationError):
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:  # Django's "__all__" reads as DRF's key
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, DataError):
        # A value the fields let through but the column cannot hold (a number out of range): the
        # fields should have caught it; the answer is still the caller's 400, never a 500.
        exc = exceptions.ValidationError({"detail": "A value is out of range for its field."})
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        # An id outside the caller's tenant or partner, or that does not exist: one answer, which
        # names no model (Django's "No TargetAccount matches the given query." would).
        exc = exceptions.NotFound()
    elif isinstance(exc, ProtectedError | IntegrityError):
        return Response(
            {"detail": "This conflicts with data that depends on it or already exists."},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = flat_errors(response.data)
    return response


def flat_errors(errors) -> dict:
    """Field errors as one flat object, {"rows[0].domain": ["…"]}: the shape the schema documents,
    whatever nesting the serializers produced (lists of rows, list items, nested objects)."""
    if not isinstance(errors, dict):
        return {api_settings.NON_FIELD_ERRORS_KEY: _messages(errors)}
    flat: dict = {}
    pending = [("", errors)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                pending.append((_join(path, key), item))
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                if item:
                    pending.append((f"{path}[{index}]", item))
        else:
            flat[path or api_settings.NON_FIELD_ERRORS_KEY] = value if path == "detail" else _messages(value)
    return dict(sorted(flat.items()))


def _join(path: str, key) -> str:
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _messages(value) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]
