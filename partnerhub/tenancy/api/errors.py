"""API errors: `{"detail": …}` or field errors with the right 4xx; bad input never becomes a 500."""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError
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
    elif isinstance(exc, ObjectDoesNotExist):
        # A service looked up an id outside the tenant (or that does not exist): same answer.
        exc = exceptions.NotFound()
    elif isinstance(exc, ProtectedError | IntegrityError):
        return Response(
            {"detail": "This conflicts with data that depends on it or already exists."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
