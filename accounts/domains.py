"""Web domains are how accounts are matched (partner uploads, CRM rows): one normal form."""

import contextlib
import re

from django.core.exceptions import ValidationError

DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_domain(value: str) -> str:
    """`https://www.Acme.com/about`, `ACME.com.` and `sales@acme.com` all become `acme.com`."""
    text = (value or "").strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#:]", text, maxsplit=1)[0].rstrip(".")
    text = text.removeprefix("www.")
    with contextlib.suppress(UnicodeError):  # what cannot be encoded is rejected just below
        text = text.encode("idna").decode("ascii")  # bücher.de → xn--bcher-kva.de
    if not DOMAIN.match(text):
        raise ValidationError(f"“{value}” is not a web domain (for example acme.com).", code="invalid_domain")
    return text
