"""Settings of the benchmarks: production settings (DEBUG off, cached templates) on a database of
their own, so the scale tenants never mix with the data of `make run`.

The database is `partnerhub_bench` (or PARTNERHUB_BENCH_DB) on the same PostgreSQL server as
DATABASE_URL, or on the embedded server when DATABASE_URL is unset. `bench.setup.bootstrap()`
creates and migrates it.
"""

import os

from partnerhub.settings.base import *  # noqa: F403
from partnerhub.settings.base import ALLOWED_HOSTS, CACHES, DATABASES

DATABASES["default"]["NAME"] = os.environ.get("PARTNERHUB_BENCH_DB", "partnerhub_bench")
# Django's test client sends Host: testserver.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# The client speaks plain HTTP to the app; nothing is collected, so no static manifest either.
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES["default"]["KEY_PREFIX"] = "bench"
# The generator's few users share one password hash; no need for a slow hasher here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
