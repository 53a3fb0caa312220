"""A request rate per API key (or per signed-in user): a runaway sync loop is told to slow down
(429 with Retry-After) before it crowds out everybody else.

DRF's rate throttle, counted as a fixed window in Redis with one INCR per request on one client per
process (Django's cache API would build a Redis client, then read and write a history, per call)."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from partnerhub.tenancy.api.principal import request_principal


@functools.cache
def _redis():
    return cache._cache.get_client(write=True)


class CallerRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.PARTNERHUB_API_RATE  # read per request: configuration (and tests) apply

    def get_cache_key(self, request, view):
        caller = (
            request_principal(request) if request.user.is_authenticated else f"ip:{self.get_ident(request)}"
        )
        return cache.make_key(f"throttle:{caller}:{int(time.time() // self.duration)}")

    def allow_request(self, request, view):
        key = self.get_cache_key(request, view)
        pipeline = _redis().pipeline()
        pipeline.incr(key)
        pipeline.expire(key, self.duration)
        count, _ = pipeline.execute()
        self.retry_after = self.duration - int(time.time()) % self.duration
        return count <= self.num_requests

    def wait(self):
        return self.retry_after
