import datetime
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import localtime, now

from partnerhub.tenancy.formats import DEFAULT_LOCALE, PortalLocale
from partnerhub.tenancy.logos import logo_field
from partnerhub.tenancy.roles import PARTNER_ROLES, Role
from partnerhub.tenancy.scoping import TenantScopedModel
from partnerhub.tenancy.taxonomy import Currency, Region


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (use a name such as Europe/Berlin).")


class Tenant(models.Model):
    """A vendor company: everything else in PartnerHub belongs to exactly one tenant."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True, help_text="Appears in portal URLs: /t/<slug>/")
    timezone = models.CharField(
        "time zone",
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="Times in the portal are shown in it, e.g. Europe/Berlin.",
    )
    locale = models.CharField(
        max_length=10,
        choices=PortalLocale.choices,
        default=DEFAULT_LOCALE,
        help_text=(
            "How money and dates are written: $40,000.00 and Dec 31, 2026, or 40.000,00 € and 31.12.2026."
        ),
    )
    default_currency = models.CharField(
        max_length=3,
        choices=Currency.choices,
        default=Currency.USD,
        help_text="The currency of an amount that is given without one (an import says when it used it).",
    )
    default_sla_hours = models.PositiveSmallIntegerField(
        "default SLA (hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="Hours a partner has to accept a handed-off lead, unless a program says otherwise.",
    )
    require_mfa_for_staff = models.BooleanField(
        "require two-factor authentication for staff",
        default=False,
        help_text="Vendor staff must set up two-factor authentication to use the portal.",
    )
    logo = logo_field("Shown on the partners' landing pages: PNG, JPEG or WebP, at most 256 KB.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The tenant's time zone (the field is validated against the known zones)."""
        return zoneinfo.ZoneInfo(self.timezone)

    def local_date(self, at: datetime.datetime | None = None) -> datetime.date:
        """The tenant's date at the instant `at` (now by default): its time zone decides when a day
        starts, for due dates, quarters and the nudges' "today"."""
        return localtime(at or now(), self.zone).date()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email.strip().lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; what they may do depends on their membership in a tenant."""

    email = models.EmailField(max_length=254, unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin (operators only).")
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    # Django's admin and allauth call these.
    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


# Partner roles belong to a partner company; vendor staff to none (memberships and invitations).
PARTNER_IFF_PARTNER_ROLE = models.Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False) | (
    ~models.Q(role__in=sorted(PARTNER_ROLES)) & models.Q(partner__isnull=True)
)
# Neither accepted nor revoked: pending, or expired and waiting to be replaced.
INVITATION_OPEN = {"accepted_at__isnull": True, "revoked_at__isnull": True}


class Partner(TenantScopedModel):
    """A partner company of the vendor: reseller, integrator, consultancy, hyperscaler."""

    class Tier(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one (strategic)"
        ONE_TO_FEW = "one_to_few", "One-to-few (growing)"
        ONE_TO_MANY = "one_to_many", "One-to-many (long tail)"

    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.ONE_TO_MANY)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Values of the tenant's verticals (TenantVertical), checked by the services against its list.
    verticals = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    regions = ArrayField(models.CharField(max_length=40, choices=Region.choices), default=list, blank=True)
    certifications = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    has_marketing_automation = models.BooleanField(
        default=False, help_text="Runs its own nurture; otherwise leads stay in the vendor's nurture longer."
    )
    weekly_handoff_cap = models.PositiveIntegerField(
        "open handoffs per week",
        null=True,
        blank=True,
        help_text="At most this many open handoffs offered in one week (Monday to Sunday, the partner's "
        "time zone); empty: no cap.",
    )
    description = models.TextField(blank=True)
    logo = logo_field("Shown beside the vendor's on its landing pages: PNG, JPEG or WebP, at most 256 KB.")
    account_manager = models.ForeignKey(
        "tenancy.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The vendor's owner of this partner relationship, shown to the partner as its contact.",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    partner_scope = "id"

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("name"),
                name="partner_name_unique_per_tenant",
                violation_error_message="A partner with this name already exists.",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "tier"], name="partner_tenant_tier_idx"),
            models.Index(fields=["tenant", "status"], name="partner_tenant_status_idx"),
            GinIndex(fields=["verticals"], name="partner_verticals_gin"),
            GinIndex(fields=["regions"], name="partner_regions_gin"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_labels(self) -> list[str]:
        return [str(Region(value).label) for value in self.regions if value in Region.values]


class TenantVertical(TenantScopedModel):
    """One of the tenant's verticals (industries), which an account's industry, a partner's
    verticals, a plan's vertical market and a package version hold by `value`. Each tenant starts
    with the defaults (taxonomy.Vertical) and edits its list in its settings. An archived vertical
    is offered and accepted nowhere any more, but rows that hold it keep it and show its label."""

    value = models.SlugField(max_length=40, help_text="What rows and the API hold; never changes.")
    label = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0, help_text="Order in pickers and lists.")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "value"], name="vertical_value_unique_per_tenant"),
            models.UniqueConstraint(
                "tenant",
                Lower("label"),
                name="vertical_label_unique_per_tenant",
                violation_error_message="A vertical with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(TenantScopedModel):
    """A user's one role in one tenant; partner roles belong to a partner company."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    created_at = models.DateTimeField(default=now)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_user_and_tenant"),
            models.CheckConstraint(
                condition=PARTNER_IFF_PARTNER_ROLE,
                name="membership_partner_iff_partner_role",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "role"], name="membership_tenant_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_partner_role(self) -> bool:
        return self.role in PARTNER_ROLES


class Invitation(TenantScopedModel):
    """An emailed invitation to join a tenant with a role. The link carries a signed token whose
    nonce is stored here: resending rotates the nonce, so only the newest link works."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=32, choices=Role.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    # Outbox: the email goes out from a task; a sweep retries any left unsent (broker outage).
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Failed attempts to send the email."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "tenant",
                Lower("email"),
                condition=models.Q(**INVITATION_OPEN),
                name="invitation_one_open_per_email",
                violation_error_message="This address already has an open invitation.",
            ),
            models.CheckConstraint(
                condition=PARTNER_IFF_PARTNER_ROLE,
                name="invitation_partner_iff_partner_role",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_sent_at__isnull=True, **INVITATION_OPEN),
                name="invitation_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class ApiKey(TenantScopedModel):
    """A key for the REST API. Only a SHA-256 of the key is stored; the prefix finds it. A vendor key
    (no partner) acts as revops staff; a partner key, created by a partner admin, acts as a user of
    its partner company and reaches only what that company's users reach."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Write"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=10, choices=Scope.choices))
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text="The partner company a partner key acts for; empty: the vendor's key.",
    )

    partner_scope = "partner_id"  # a partner admin sees its own company's keys, never the vendor's

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~models.Q(scopes=[]), name="apikey_has_a_scope")]
        indexes = [
            models.Index(fields=["tenant", "created_at"], name="apikey_tenant_created_idx"),
            models.Index(fields=["tenant", "partner", "created_at"], name="apikey_tenant_partner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_partner_key(self) -> bool:
        return self.partner_id is not None


class AuditEvent(TenantScopedModel):
    """Who did what to which object, when, with the values before and after."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Kept as text so the trail still reads right after a user or key is deleted.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="audit_tenant_created_idx"),
            models.Index(fields=["tenant", "action"], name="audit_tenant_action_idx"),
            models.Index(fields=["tenant", "target_type", "target_id"], name="audit_tenant_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        return [
            (key, before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]


class Heartbeat(models.Model):
    """System liveness, not tenant data. Only beat schedules the heartbeat task and only a worker
    runs it, so a recent `last_run_at` shows both are alive."""

    name = models.CharField(max_length=50, unique=True)
    last_run_at = models.DateTimeField()
    worker_hostname = models.CharField(max_length=200, blank=True)
    run_count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class IdempotencyRecord(TenantScopedModel):
    """The answer to a create/bulk request sent with an `Idempotency-Key`, replayed on a retry of
    the same caller (a key is private to the user or API key that sent it)."""

    principal = models.CharField(max_length=64, help_text="user:<id> or apikey:<id>")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "principal", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return self.key


class Notification(TenantScopedModel):
    """An in-app notification for one member, with its email sent from the outbox: the row is
    written with the change that caused it, and a sweep sends any email left unsent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    # The recipient's partner company (for partner users): keeps the partner scope on the row.
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    partner_scope = "partner_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "user", "-created_at"], name="notification_user_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_sent_at__isnull=True),
                name="notification_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title
