"""The API's JSON parser: malformed or hostile bodies become a 4xx here, before any view sees them."""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from rest_framework import exceptions, parsers, status
from rest_framework.settings import api_settings

# Deeper than any payload of this API; far below the depth at which Python's parser gives up.
MAX_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is larger than the limit of {limit:,} bytes.")


class JSONParser(parsers.JSONParser):
    """Strict JSON, refused with a clear 4xx: over the size limit (413), nested deeper than
    MAX_DEPTH, not UTF-8, NaN/Infinity, or with a NUL character in any key or string
    (PostgreSQL cannot store one, so no field could accept it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            text = codecs.decode(raw, encoding)
            data = json.loads(text, parse_constant=_refuse_constant if api_settings.STRICT_JSON else None)
        except RecursionError:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}") from None
        _check(data)
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _check(data) -> None:
    """Depth and NUL characters, walked without recursion."""
    pending = [(data, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(f"{path or 'The body'}: text may not contain the NUL character.")
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else key
                if "\x00" in key:
                    raise exceptions.ParseError("A field name may not contain the NUL character.")
                pending.append((item, where, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
