"""A request rate per API key (or per signed-in user): a runaway sync loop is told to slow down
(429 with Retry-After) before it crowds out everybody else. Counters live in the cache (Redis)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class CallerRateThrottle(SimpleRateThrottle):
    scope = "caller"

    def get_rate(self):
        return settings.PARTNERHUB_API_RATE  # read per request, so configuration (and tests) apply

    def get_cache_key(self, request, view):
        api_key = getattr(request, "api_key", None)
        if api_key is not None:
            ident = f"apikey:{api_key.id}"
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
