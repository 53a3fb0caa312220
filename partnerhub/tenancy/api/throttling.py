"""A request rate per API key (or per signed-in user): a runaway sync loop is told to slow down
(429 with Retry-After) before it crowds out everybody else.

A fixed window counted in Redis with one INCR per request, on one client per process (Django's
cache API would build a Redis client and do a read and a write per request)."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@functools.cache
def _redis():
    return cache._cache.get_client(write=True)


class CallerRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        limit, period = _rate(settings.PARTNERHUB_API_RATE)
        window = int(time.time() // period)
        key = cache.make_key(f"throttle:{_ident(request, self)}:{window}")
        pipeline = _redis().pipeline()
        pipeline.incr(key)
        pipeline.expire(key, period)
        count, _ = pipeline.execute()
        self.retry_after = period - int(time.time()) % period
        return count <= limit

    def wait(self):
        return self.retry_after


def _rate(rate: str) -> tuple[int, int]:
    """ "1200/min" → (1200, 60): the number, and the seconds of the period named by its first letter."""
    number, period = rate.split("/")
    return int(number), PERIODS[period[0]]


def _ident(request, throttle) -> str:
    api_key = getattr(request, "api_key", None)
    if api_key is not None:
        return f"apikey:{api_key.id}"
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{throttle.get_ident(request)}"
