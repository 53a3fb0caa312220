"""Test settings: only what the suite needs differs from base."""

import os

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
# Parallel pytest workers share one Redis: give each its own key space.
CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

# Tasks sent by tests go to a queue of their own: a `make run` worker on the same Redis never
# takes them, and parallel pytest workers do not take each other's.
CELERY_TASK_DEFAULT_QUEUE = f"partnerhub-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Two test runs at once (e.g. a developer and a helper) each need their own test database.
if os.environ.get("PARTNERHUB_TEST_DB"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PARTNERHUB_TEST_DB"]}
