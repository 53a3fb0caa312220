"""Settings read from the environment, with safe defaults (DEBUG off unless asked).

Every variable is documented in `.env.example`. Without DATABASE_URL / REDIS_URL the embedded
PostgreSQL and Redis of `partnerhub.embedded` are started and used.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DJANGO_DEBUG", False)

# Development fallback only: `check --deploy` flags an insecure key, so production sets its own.
SECRET_KEY = env("DJANGO_SECRET_KEY") or "django-insecure-partnerhub-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_ratelimit",
    "partnerhub.tenancy",
    "accounts",
    "plays",
    "mdf",
    "leads",
    "reporting",
]

MIDDLEWARE = [
    "partnerhub.tenancy.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerhub.tenancy.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "partnerhub.tenancy.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "partnerhub.tenancy.middleware.TenantMiddleware",
]

# Content-Security-Policy (django-csp) on every answer: scripts and styles only from this site, so
# an injected <script> or a script in an attribute never runs. Inline style attributes are allowed
# (style-src-attr): they cannot run code, and the templates use a few for layout.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "partnerhub.urls"
WSGI_APPLICATION = "partnerhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerhub.tenancy.context_processors.tenancy",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------

# Two roles (docs/operations.md): the application connects as one that row-level security binds;
# migrations run as the owner of the tables. Without DATABASE_OWNER_URL both are DATABASE_URL's.
DATABASE_URL = env("DATABASE_URL")
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL")
if not DATABASE_URL:
    from partnerhub import embedded

    DATABASE_URL, DATABASE_OWNER_URL = embedded.postgres_urls()

DATABASES = {
    "default": {
        **dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        # Django's PostgreSQL backend, each statement carrying the active tenant (tenancy/rls.py).
        "ENGINE": "partnerhub.tenancy.postgres",
        # Server-side cursors outlive a statement; PgBouncer in transaction mode cannot keep them.
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
}
PARTNERHUB_DATABASE_APP_ROLE = DATABASES["default"]["USER"]
PARTNERHUB_DATABASE_OWNER = (
    {
        key: value
        for key, value in dj_database_url.parse(DATABASE_OWNER_URL).items()
        if key in ("USER", "PASSWORD", "HOST", "PORT")
    }
    if DATABASE_OWNER_URL
    else None
)
# NOLOGIN and read-only: the one role that reads across tenants. Its name goes into SQL text.
PARTNERHUB_DATABASE_READER_ROLE = env("DATABASE_READER_ROLE", "partnerhub_reader")
if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", PARTNERHUB_DATABASE_READER_ROLE):
    raise ImproperlyConfigured("DATABASE_READER_ROLE must be a plain lower-case PostgreSQL role name.")

REDIS_URL = env("REDIS_URL")
if not REDIS_URL:
    from partnerhub import embedded

    REDIS_URL = embedded.redis_url()


def redis_db(url: str, db: int) -> str:
    """The same server on another logical database: broker and cache must not share keys."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_db(REDIS_URL, env_int("REDIS_CACHE_DB", 1)),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "partnerhub"),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth (django-allauth) --------------------------------------------------------------------

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "partnerhub.tenancy.auth.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PartnerHub] "
ACCOUNT_SESSION_REMEMBER = None
# Five failed logins per account in five minutes; the sixth is refused (stored in Redis).
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PartnerHub"

# --- API -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partnerhub.tenancy.api.authentication.ApiKeyAuthentication",
        "partnerhub.tenancy.api.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partnerhub.tenancy.api.permissions.TenantAccessPermission"],
    "DEFAULT_PAGINATION_CLASS": "partnerhub.tenancy.api.pagination.PageNumberPagination",
    # Lists are ordered only by their filterset's `sort` (partnerhub.tenancy.filters.SortFilter).
    "DEFAULT_FILTER_BACKENDS": ["partnerhub.tenancy.api.filtering.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "partnerhub.tenancy.api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["partnerhub.tenancy.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "partnerhub.tenancy.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["partnerhub.tenancy.api.throttling.CallerRateThrottle"],
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Requests per API key (or signed-in user) before the API answers 429 with Retry-After.
PARTNERHUB_API_RATE = env("PARTNERHUB_API_RATE", "1200/min")

# The public landing pages (leads/views/landing.py), limited per client IP with django-ratelimit in
# the Redis cache: form posts per IP and program, and page and logo requests per IP, per `s`, `m`,
# `h` or `d` before a 429.
PARTNERHUB_LANDING_POST_RATE = env("PARTNERHUB_LANDING_POST_RATE", "10/m")
PARTNERHUB_LANDING_GET_RATE = env("PARTNERHUB_LANDING_GET_RATE", "120/m")
# The client's IP: REMOTE_ADDR, unless this many proxies of ours in front each append the address
# they saw to X-Forwarded-For; then the entry that many places from its end (never a forgeable one).
PARTNERHUB_TRUSTED_PROXY_COUNT = env_int("PARTNERHUB_TRUSTED_PROXY_COUNT", 0)
RATELIMIT_IP_META_KEY = "partnerhub.tenancy.client_ip.client_ip"
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "ratelimit:"
# django-ratelimit names the backends it tested; Django's own RedisCache does what it needs
# atomically (add is SET NX, incr is INCRBY).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# How long a retry with the Idempotency-Key of a request still running waits for it before it is
# answered 409 "still in progress".
PARTNERHUB_IDEMPOTENCY_WAIT_SECONDS = float(env("PARTNERHUB_IDEMPOTENCY_WAIT_SECONDS", "10"))

SPECTACULAR_SETTINGS = {
    "TITLE": "PartnerHub API",
    "DESCRIPTION": (
        "Revops API: sync accounts, opportunities and lead status with the CRM and pull metrics. "
        "Authenticate with a tenant API key: `Authorization: Bearer <key>`. The key decides the tenant."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs hold no tenant data: serve them without tenant authentication.
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name per shared choice set, whatever the fields using it are called (an account's `region`
    # and a partner's `regions`; the `stage` of accounts and of opportunities). Verticals are no
    # enum: each tenant keeps its own list (GET /api/v1/verticals/).
    "ENUM_NAME_OVERRIDES": {
        "ProofKindEnum": "mdf.models.proofs.ProofKind",
        "RegionEnum": "partnerhub.tenancy.taxonomy.Region",
        "AccountStageEnum": "accounts.models.AccountStage",
        "OpportunityStageEnum": "accounts.models.OpportunityStage",
        # A play's kind kept the name it had before saved import mappings brought a second `kind`.
        "KindEnum": "plays.models.PlayKind",
        "ImportKindEnum": "accounts.models.ImportJob.Kind",
        "LeadStageEnum": "leads.models.LeadStage",
        "LeadSourceEnum": "leads.models.LeadSource",
        "TouchKindEnum": "leads.models.TouchKind",
        "FeedbackStatusEnum": "leads.models.FeedbackStatus",
        "RejectReasonEnum": "leads.models.RejectReason",
        "QualificationOutcomeEnum": "leads.models.QualificationOutcome",
        "RegistrationRejectReasonEnum": "leads.models.RegistrationRejectReason",
        "HandoffStateEnum": "leads.models.Handoff.State",
        "DealRegistrationStateEnum": "leads.models.DealRegistration.State",
        "SlaScopeEnum": "leads.models.SlaScope",
        "ClaimStateEnum": "mdf.models.ClaimState",
        "FundKindEnum": "mdf.models.Fund.Kind",
        "LedgerEntryKindEnum": "mdf.models.EntryKind",
        "FundRequestStateEnum": "mdf.models.RequestState",
        "FundRequestKindEnum": "mdf.models.FundRequest.Kind",
        "FundRequestFormatEnum": "mdf.models.FundRequest.Format",
        "MdfActivityTypeEnum": "mdf.models.ActivityType",
        # A partner's tier, and the tiers a catalog item serves (the catalog's `tier` filter).
        "TierEnum": "partnerhub.tenancy.models.Partner.Tier",
        # Every currency field (an FX rate has two) shares one enum.
        "CurrencyEnum": "partnerhub.tenancy.taxonomy.currency_choices",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partnerhub.tenancy.api.schema.nullable_as_json_schema",
        # After the enums are named: list filters take the type of the field they filter.
        "partnerhub.tenancy.api.schema.filters_typed_like_their_fields",
    ],
    # 3.1: a nullable field is JSON Schema (`type: [string, "null"]`, `oneOf: [{$ref}, {type: null}]`),
    # which strict validators and generated clients read alike; 3.0's `nullable` beside a `$ref` is not.
    "OAS_VERSION": "3.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL") or redis_db(REDIS_URL, env_int("REDIS_BROKER_DB", 0))
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Redis redelivers an unacked task after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A request must not hang on a dead broker: fail fast, the database keeps the work (outbox sweeps).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE_FILENAME = str(
    Path(env("PARTNERHUB_DATA_DIR") or BASE_DIR / ".partnerhub") / "celerybeat"
)

# Every periodic schedule lives here, and only here.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "tenancy.record_heartbeat",
        "schedule": timedelta(seconds=env_int("PARTNERHUB_HEARTBEAT_SECONDS", 30)),
    },
    "send-pending-invitations": {
        "task": "tenancy.send_pending_invitations",
        "schedule": timedelta(minutes=1),
    },
    "purge-idempotency-records": {
        "task": "tenancy.purge_idempotency_records",
        "schedule": timedelta(hours=1),
    },
    # Imports whose task was lost (broker down at upload) or whose worker died.
    "sweep-queued-imports": {
        "task": "accounts.sweep_queued_imports",
        "schedule": timedelta(minutes=1),
    },
    # Uploads left at the mapping step for a week: their files are dropped.
    "discard-abandoned-imports": {
        "task": "accounts.discard_abandoned_imports",
        "schedule": timedelta(hours=1),
    },
    # Follow-up commitments due in 2 days or overdue: one nudge per state and due date.
    "send-follow-up-nudges": {
        "task": "accounts.send_follow_up_nudges",
        "schedule": timedelta(minutes=15),
    },
    # Handoff SLA clocks: warn, breach and recall steps that have come due, each once.
    "sweep-handoff-ladder": {
        "task": "leads.handoff_ladder_sweep",
        "schedule": timedelta(minutes=1),
    },
    # Accepted handoffs with no feedback for the policy's silent days: their partner nudged once.
    "sweep-silent-handoffs": {
        "task": "leads.handoff_silence_sweep",
        "schedule": timedelta(minutes=15),
    },
    # Approved deal registrations whose protection period has ended.
    "expire-deal-registrations": {
        "task": "leads.expire_registrations",
        "schedule": timedelta(days=1),
    },
    # MDF funds whose quarter has ended: what is still available in them expires.
    "expire-unused-mdf-funds": {
        "task": "mdf.expire_unused_funds",
        "schedule": timedelta(hours=1),
    },
    # "Claim by …" notices, 7 days before an approved request's claim window closes (once each).
    "mdf-claim-reminders": {
        "task": "mdf.send_claim_reminders",
        "schedule": timedelta(hours=1),
    },
    # Launched plans' day 30/60/90 checkpoints whose due day has come: each frozen once.
    "freeze-due-checkpoints": {
        "task": "reporting.freeze_due_checkpoints",
        "schedule": timedelta(minutes=15),
    },
    # Launched plans' named accounts with no touch in PARTNERHUB_NUDGE_UNTOUCHED_DAYS: owners told
    # once per set of accounts.
    "nudge-untouched-accounts": {
        "task": "reporting.nudge_untouched_accounts",
        "schedule": timedelta(days=1),
    },
    # Dashboard rollups: periods with changed source rows rewritten; pending "Refresh now" clicks.
    "refresh-rollups": {
        "task": "reporting.refresh_rollups",
        "schedule": timedelta(minutes=10),
    },
    # ... and rewritten whole once a day, so deleted rows (and deleted FX rates) drop out too.
    "refresh-rollups-full": {
        "task": "reporting.refresh_rollups_full",
        "schedule": timedelta(days=1),
    },
    # Notification emails whose task was lost (broker down) or whose send failed.
    "send-pending-notification-emails": {
        "task": "tenancy.send_pending_notification_emails",
        "schedule": timedelta(minutes=1),
    },
}

# --- Email ------------------------------------------------------------------------------------

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PartnerHub <no-reply@partnerhub.localhost>")

# --- Static files, i18n -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (logos). Never served from a public URL: views stream them (leads/views/landing.py).
MEDIA_ROOT = env("PARTNERHUB_MEDIA_ROOT") or str(BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # MDF proof-of-performance files (mdf/services/proofs.py): a private directory by default, an
    # S3-compatible bucket when PARTNERHUB_PROOFS_S3_BUCKET is set (credentials from the usual AWS_*
    # variables or the machine's role). Never a public URL: the download views stream them.
    "proofs": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("PARTNERHUB_PROOFS_S3_BUCKET"),
            "region_name": env("PARTNERHUB_PROOFS_S3_REGION") or None,
            "endpoint_url": env("PARTNERHUB_PROOFS_S3_ENDPOINT_URL") or None,
            "location": env("PARTNERHUB_PROOFS_S3_PREFIX", "proofs"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if env("PARTNERHUB_PROOFS_S3_BUCKET")
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PARTNERHUB_PROOFS_ROOT") or str(Path(MEDIA_ROOT) / "private" / "proofs"),
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security (on by default outside DEBUG; each can be relaxed from the environment) ----------

# Trust X-Forwarded-Proto only behind a proxy that sets it; exposed directly, clients could forge it.
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# --- PartnerHub -------------------------------------------------------------------------------

# Used in links sent by email (invitations, notifications).
# What a new tenant gets, in order (tenancy.services.tenant_create): each is called with tenant=,
# inside the new tenant. The core imports no domain app; this list is where they are wired in.
PARTNERHUB_TENANT_SETUP = ["plays.services.catalog_install"]
# What the home page shows beside the core's figures: each is called with request=, tenant=,
# membership= and returns context (its `home_template` is included). Wired here for the same reason.
PARTNERHUB_HOME = ["reporting.home.home_context"]
# The same for the target account page (called with request=, tenant=, account=).
PARTNERHUB_ACCOUNT_PAGE = ["reporting.home.account_page_context"]
PARTNERHUB_BASE_URL = env("PARTNERHUB_BASE_URL", "http://127.0.0.1:8000")
PARTNERHUB_INVITATION_DAYS = env_int("PARTNERHUB_INVITATION_DAYS", 7)
# A launched plan's owners are nudged about named accounts with no touch in this many days.
PARTNERHUB_NUDGE_UNTOUCHED_DAYS = env_int("PARTNERHUB_NUDGE_UNTOUCHED_DAYS", 14)
# A heartbeat older than this means the worker or beat is not running.
PARTNERHUB_HEARTBEAT_STALE_SECONDS = env_int("PARTNERHUB_HEARTBEAT_STALE_SECONDS", 120)
# MDF proof-of-performance files: the largest accepted, and the virus scanner every upload passes
# before it is stored (a dotted path to a callable; docs/operations.md, "Proof files").
PARTNERHUB_PROOF_MAX_BYTES = env_int("PARTNERHUB_PROOF_MAX_BYTES", 20 * 1024 * 1024)
PARTNERHUB_PROOF_SCANNER = env("PARTNERHUB_PROOF_SCANNER", "mdf.services.proofs.scan_nothing")
