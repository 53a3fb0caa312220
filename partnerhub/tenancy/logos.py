"""Logos of a tenant (the vendor) and of its partners, shown on the co-branded landing pages.

A logo is a small raster image, checked by its content (never by its name or the type the browser
claims): PNG, JPEG or WebP, at most 256 KB and 4096 pixels a side. SVG is refused: it can carry
script. Files go through Django's storage API under a name made here (the tenant's id and a random
part, the extension of the detected format); they are never served from a public media URL, only by
the landing page's logo view, which streams the logo of a running program's tenant or partner.
"""

from __future__ import annotations

import functools
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 256 * 1024
MAX_SIDE = 4096
# Pillow's format name → (extension, content type).
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
ACCEPT = ",".join(content_type for _, content_type in FORMATS.values())
REFUSED = "Upload a PNG, JPEG or WebP image (SVG and other files are refused)."


def _detected_format(file) -> str | None:
    """Pillow's name of the file's image format, read from its bytes; None when it is no image."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            image.verify()
            width, height = image.size
            detected = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValidationError(f"The logo may be at most {MAX_SIDE} pixels wide and high.")
    return detected


def validate_logo(value) -> None:
    """A new upload only: a logo already stored was checked when it came."""
    if not value or getattr(value, "_committed", True):
        return
    if value.size > MAX_BYTES:
        raise ValidationError(f"The logo may be at most {MAX_BYTES // 1024} KB.")
    if _detected_format(value.file) not in FORMATS:
        raise ValidationError(REFUSED)


def logo_upload_to(instance, filename: str) -> str:
    """`logos/<tenant id>/<random>.<extension>`: the uploader's file name is never kept (it could say
    something about the tenant). The extension is the detected format's for an upload (a form's);
    what is served is judged by the content again (`logo_content_type`)."""
    tenant_id = instance.pk if instance._meta.model_name == "tenant" else instance.tenant_id
    upload = getattr(instance.logo, "_file", None)
    detected = _detected_format(upload) if upload is not None else None
    extension, _ = FORMATS.get(detected or "", FORMATS["PNG"])
    return f"logos/{tenant_id}/{uuid.uuid4().hex}.{extension}"


def logo_content_type(logo) -> str | None:
    """The content type of a stored logo, read from its content; None when it is not an image of
    the allowed formats (then it is not served). Read once per file and process: a stored name is
    never reused (a new upload gets a new random one), so what its content says does not change."""
    return _content_type_of(logo.storage, logo.name)


@functools.lru_cache(maxsize=1024)
def _content_type_of(storage, name: str) -> str | None:
    with storage.open(name, "rb") as file:
        detected = _detected_format(file)
    return FORMATS[detected][1] if detected in FORMATS else None


def logo_field(help_text: str) -> models.FileField:
    """The optional logo of a tenant or a partner."""
    return models.FileField(
        upload_to=logo_upload_to, max_length=200, blank=True, validators=[validate_logo], help_text=help_text
    )
