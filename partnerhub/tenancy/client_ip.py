"""The address of the client a request came from, for per-IP rate limits (the landing pages).

REMOTE_ADDR, unless `PARTNERHUB_TRUSTED_PROXY_COUNT` proxies of ours stand in front: each appends the
address it saw to X-Forwarded-For, so the client is the entry that many places from the end. The
entries before it are whatever the client sent and are never trusted; without a trusted proxy the
header is ignored altogether (a client could write anything in it).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    hops = settings.PARTNERHUB_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops or not forwarded[-hops]:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote
