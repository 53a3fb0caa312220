"""Test settings: only what the suite needs differs from base."""

import os
import tempfile

from partnerhub.settings.base import *  # noqa: F403
from partnerhub.settings.base import CACHES, DATABASES

SECRET_KEY = "partnerhub-test-secret-key-not-for-production"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Hashing cost is not under test; the MD5 hasher keeps user creation fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by the test client from the finders; nothing is collected.
STATIC_ROOT = None
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Test runs at once (a developer and a helper, or parallel pytest workers) share the servers:
# each run gets its own database, cache key space and task queue.
TEST_RUN = os.environ.get("PARTNERHUB_TEST_DB") or f"test_partnerhub_{os.getpid()}"
TEST_RUN += f"_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
CACHES["default"]["KEY_PREFIX"] = TEST_RUN
# Uploads (logos) of this run go to a directory of its own, removed with the machine's temp files.
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), f"partnerhub-media-{TEST_RUN}")
STORAGES["proofs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": os.path.join(MEDIA_ROOT, "private", "proofs")},
}
PARTNERHUB_PROOF_SCANNER = "mdf.services.proofs.scan_nothing"
# Tasks sent by tests go to a queue of their own: a `make run` worker on the same Redis never
# takes them, and concurrent runs do not take each other's.
CELERY_TASK_DEFAULT_QUEUE = f"partnerhub-{TEST_RUN}"
DATABASES["default"]["TEST"] = {"NAME": TEST_RUN}
# The suite (the schema fuzzer above all) calls far faster than any client; one test sets it low.
PARTNERHUB_API_RATE = "100000/min"
