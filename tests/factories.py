"""factory_boy factories, one `<Model>Factory` per model. The isolation walker and the query-count
suite find a model's factory by this naming convention, so new models need only a factory here."""

import hashlib
import uuid
from datetime import date, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    AccountClaim,
    AccountMapping,
    Checkpoint,
    FollowUpCommitment,
    FollowUpNudge,
    ImportJob,
    ImportMapping,
    Opportunity,
    OpportunityInfluence,
    OpportunityStageChange,
    Plan,
    PlanAccount,
    Program,
    TargetAccount,
    ValueMapping,
)
from leads.models import (
    Attendance,
    AttendanceStatus,
    BusinessCalendar,
    Clock,
    DealRegistration,
    FeedbackStatus,
    Handoff,
    HandoffEscalation,
    HandoffFeedback,
    Holiday,
    Lead,
    RoutingDecision,
    RoutingRule,
    SlaPolicy,
    StatusMapping,
    Step,
    Touch,
    TouchKind,
)
from leads.services import leads_rescore
from mdf import services as mdf_services
from mdf.models import (
    ActivityType,
    Allocation,
    CatalogItem,
    Claim,
    ClaimProof,
    ClaimReminder,
    EntryKind,
    Fund,
    FundRequest,
    FundTranche,
    LedgerEntry,
    ProofFile,
    ProofKind,
    ProposalTemplate,
    RequestAccount,
    RequestRules,
    RequestState,
    ScanState,
    TrancheState,
)
from partnerhub.tenancy import services
from partnerhub.tenancy.context import tenant_context
from partnerhub.tenancy.models import (
    ApiKey,
    AuditEvent,
    IdempotencyRecord,
    Invitation,
    Membership,
    Notification,
    Partner,
    Tenant,
    TenantVertical,
    User,
)
from partnerhub.tenancy.roles import Role
from plays.models import ActivationPackage, ComponentKey, PackageComponent, Play, PlayKind
from reporting.models import FxRate, PlanNudge, ReportingSettings, Rollup, RollupState

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    """A tenant as tenant_create leaves it: with the default verticals (the play catalog is left to
    the tests that need it)."""

    class Meta:
        model = Tenant
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Vendor {n}")
    slug = factory.Sequence(lambda n: f"vendor-{n}")

    @factory.post_generation
    def verticals(tenant, create, extracted, **kwargs):
        if create:
            with tenant_context(tenant):
                services.verticals_install(tenant=tenant)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class TenantScopedFactory(factory.django.DjangoModelFactory):
    """Tenant-owned rows are created in their own tenant, whatever tenant the test has active:
    the database admits a row only into the tenant set for the statement."""

    class Meta:
        abstract = True

    tenant = factory.SubFactory(TenantFactory)

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant_context(kwargs["tenant"]):
            return super()._create(model_class, *args, **kwargs)


class TenantVerticalFactory(TenantScopedFactory):
    class Meta:
        model = TenantVertical

    value = factory.Sequence(lambda n: f"vertical_{n}")
    label = factory.Sequence(lambda n: f"Vertical {n}")
    position = factory.Sequence(lambda n: 100 + n)


class PartnerFactory(TenantScopedFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    tier = Partner.Tier.ONE_TO_FEW
    verticals = factory.LazyFunction(lambda: ["healthcare"])
    regions = factory.LazyFunction(lambda: ["north_america"])


class MembershipFactory(TenantScopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PARTNER_MANAGER
    partner = None

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, role=Role.PARTNER_USER, partner=partner)


class InvitationFactory(TenantScopedFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.PARTNER_USER
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    nonce = factory.Faker("hexify", text="^" * 32)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ApiKeyFactory(TenantScopedFactory):
    """Creates a key through the service, so it has a real hash; the secret is on `.raw_key`."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"Key {n}")
    scopes = factory.LazyFunction(lambda: ["read", "write"])

    @classmethod
    def _create(cls, model_class, tenant, name, scopes, partner=None, **kwargs):
        """`partner=`: a partner key (acting as a user of that partner)."""
        with tenant_context(tenant):
            key, raw_key = services.api_key_create(
                tenant=tenant, actor=None, name=name, scopes=scopes, partner=partner
            )
        key.raw_key = raw_key
        return key


class AuditEventFactory(TenantScopedFactory):
    class Meta:
        model = AuditEvent

    actor_label = "someone@example.com"
    action = "partner.updated"
    target_label = "Partner"


def same_tenant():
    return factory.SelfAttribute("..tenant")


class IdempotencyRecordFactory(TenantScopedFactory):
    class Meta:
        model = IdempotencyRecord

    principal = factory.Sequence(lambda n: f"apikey:{n}")
    key = factory.Sequence(lambda n: f"crm-sync-{n}")
    fingerprint = "0" * 64
    status_code = 201
    response_body = factory.LazyFunction(dict)


class NotificationFactory(TenantScopedFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")


# --- accounts -----------------------------------------------------------------------------------


class TargetAccountFactory(TenantScopedFactory):
    class Meta:
        model = TargetAccount

    name = factory.Sequence(lambda n: f"Account {n}")
    domain = factory.Sequence(lambda n: f"account{n}.example")
    industry = "healthcare"
    region = "north_america"
    segment = "enterprise"


class OpportunityFactory(TenantScopedFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(TargetAccountFactory, tenant=same_tenant())
    name = factory.Sequence(lambda n: f"Opportunity {n}")
    amount = Decimal("25000.00")


class OpportunityInfluenceFactory(TenantScopedFactory):
    class Meta:
        model = OpportunityInfluence

    opportunity = factory.SubFactory(OpportunityFactory, tenant=same_tenant())
    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())


class OpportunityStageChangeFactory(TenantScopedFactory):
    class Meta:
        model = OpportunityStageChange

    opportunity = factory.SubFactory(OpportunityFactory, tenant=same_tenant())
    from_stage = "prospecting"
    to_stage = "qualification"


class AccountMappingFactory(TenantScopedFactory):
    class Meta:
        model = AccountMapping

    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    account = factory.SubFactory(TargetAccountFactory, tenant=same_tenant())


class AccountClaimFactory(TenantScopedFactory):
    class Meta:
        model = AccountClaim

    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    domain = factory.Sequence(lambda n: f"claimed{n}.example")
    company_name = factory.Sequence(lambda n: f"Claimed Company {n}")


class ImportJobFactory(TenantScopedFactory):
    class Meta:
        model = ImportJob

    kind = ImportJob.Kind.ACCOUNTS
    filename = "accounts.csv"
    content = "name,domain\n"
    status = ImportJob.Status.QUEUED  # its mapping confirmed: by the columns' names (no `columns`)


class ImportMappingFactory(TenantScopedFactory):
    class Meta:
        model = ImportMapping

    kind = ImportJob.Kind.ACCOUNTS
    name = factory.Sequence(lambda n: f"CRM accounts report {n}")
    columns = factory.LazyFunction(lambda: {"Account Name": "name", "Website": "domain"})
    signature = factory.Sequence(lambda n: f"{n:064x}")


class ValueMappingFactory(TenantScopedFactory):
    class Meta:
        model = ValueMapping

    field = ValueMapping.Field.OPPORTUNITY_STAGE
    source_value = factory.Sequence(lambda n: f"Stage {n}")
    key = factory.LazyAttribute(lambda mapping: mapping.source_value.lower())
    value = "qualification"


class PlanFactory(TenantScopedFactory):
    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"Plan {n}")
    year = 2026
    quarter = 4


class PlanAccountFactory(TenantScopedFactory):
    class Meta:
        model = PlanAccount

    plan = factory.SubFactory(PlanFactory, tenant=same_tenant())
    account = factory.SubFactory(TargetAccountFactory, tenant=same_tenant())

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, plan=PlanFactory(tenant=tenant, partner=partner))


class FollowUpCommitmentFactory(TenantScopedFactory):
    class Meta:
        model = FollowUpCommitment

    plan = factory.SubFactory(PlanFactory, tenant=same_tenant())
    sales_owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    talk_track = "Ask about the briefing and book a follow-up meeting."

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, plan=PlanFactory(tenant=tenant, partner=partner))


class FollowUpNudgeFactory(TenantScopedFactory):
    class Meta:
        model = FollowUpNudge

    commitment = factory.SubFactory(FollowUpCommitmentFactory, tenant=same_tenant())
    state = FollowUpNudge.State.DUE_SOON
    due_on = factory.SelfAttribute("commitment.due_on")


class CheckpointFactory(TenantScopedFactory):
    class Meta:
        model = Checkpoint

    # A checkpoint is opened when its plan is launched.
    plan = factory.SubFactory(
        PlanFactory, tenant=same_tenant(), status="launched", launched_at=factory.LazyFunction(timezone.now)
    )
    day = 30
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=30))

    @classmethod
    def for_partner(cls, *, tenant, partner):
        plan = PlanFactory(tenant=tenant, partner=partner, status="launched", launched_at=timezone.now())
        return cls(tenant=tenant, plan=plan)


class PlanNudgeFactory(TenantScopedFactory):
    """The last untouched-accounts state a launched plan's owners were told about (reporting)."""

    class Meta:
        model = PlanNudge

    plan = factory.SubFactory(
        PlanFactory, tenant=same_tenant(), status="launched", launched_at=factory.LazyFunction(timezone.now)
    )
    account_ids = factory.LazyFunction(list)
    named_count = 0


class FundFactory(TenantScopedFactory):
    class Meta:
        model = Fund

    name = factory.Sequence(lambda n: f"Fund {n}")
    year = 2026
    quarter = 4
    amount = Decimal("1000000.00")
    currency = "USD"
    tiers = factory.LazyFunction(lambda: list(Partner.Tier.values))


class AllocationFactory(TenantScopedFactory):
    """A partner's allocation holding `amount`, allocated from its own fund by the service (one
    allocate entry): `AllocationFactory(partner=p, fund__year=2026, fund__quarter=4, amount=…)`."""

    class Meta:
        model = Allocation

    fund = factory.SubFactory(FundFactory, tenant=same_tenant())
    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    amount = Decimal("10000.00")

    @classmethod
    def _create(cls, model_class, tenant, fund, partner=None, amount=Decimal("10000.00"), tier="", **kwargs):
        with tenant_context(tenant):
            return mdf_services.allocation_create(
                tenant=tenant,
                actor=None,
                fund_id=fund.id,
                partner_id=partner.id if partner else None,
                tier=tier,
                amount=amount,
            )


class LedgerEntryFactory(TenantScopedFactory):
    """An entry of an allocation (a reservation by default), written by the ledger service."""

    class Meta:
        model = LedgerEntry

    allocation = factory.SubFactory(AllocationFactory, tenant=same_tenant())
    kind = EntryKind.RESERVE
    amount = Decimal("100.00")

    @classmethod
    def _create(cls, model_class, tenant, allocation, kind, amount, **kwargs):
        with tenant_context(tenant), transaction.atomic():
            fund = mdf_services.locked_fund(tenant=tenant, fund_id=allocation.fund_id)
            return mdf_services.ledger_write(
                tenant=tenant,
                actor=None,
                fund=fund,
                allocation=allocation,
                kind=kind,
                amount=amount,
                **kwargs,
            )


PROOF_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class ProofFileFactory(TenantScopedFactory):
    """A clean PDF of a partner, waiting for review, its bytes in the "proofs" storage (as an
    upload leaves it; the upload's own checks are tested through mdf.services.proof_upload)."""

    class Meta:
        model = ProofFile

    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    kind = ProofKind.INVOICE
    original_name = factory.Sequence(lambda n: f"invoice-{n}.pdf")
    content_type = "application/pdf"
    uploaded_by_label = "partner@example.com"
    scan_state = ScanState.CLEAN

    @classmethod
    def _create(cls, model_class, tenant, content=PROOF_PDF, **kwargs):
        name = storages["proofs"].save(f"proofs/{tenant.id}/{uuid.uuid4().hex}.pdf", ContentFile(content))
        kwargs.setdefault("size", len(content))
        kwargs.setdefault("sha256", hashlib.sha256(content).hexdigest())
        return super()._create(model_class, tenant=tenant, storage_name=name, **kwargs)


# --- plays --------------------------------------------------------------------------------------


class PlayFactory(TenantScopedFactory):
    """A tenant has one play of each kind: asking for more returns the existing ones."""

    class Meta:
        model = Play
        django_get_or_create = ["tenant", "kind"]

    kind = factory.Iterator(PlayKind.values)
    name = factory.LazyAttribute(lambda play: PlayKind(play.kind).label)
    success_metric = "Opportunity progression on the target accounts"


class MasterPackageFactory(TenantScopedFactory):
    class Meta:
        model = ActivationPackage
        django_get_or_create = ["tenant", "play", "parent"]

    play = factory.SubFactory(PlayFactory, tenant=same_tenant())
    parent = None
    name = factory.LazyAttribute(lambda package: f"{package.play.name} master")


class ActivationPackageFactory(TenantScopedFactory):
    """A version derived from its play's master for a partner."""

    class Meta:
        model = ActivationPackage

    play = factory.SubFactory(PlayFactory, tenant=same_tenant())
    parent = factory.LazyAttribute(
        lambda package: MasterPackageFactory(tenant=package.tenant, play=package.play)
    )
    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    name = factory.Sequence(lambda n: f"Package version {n}")


class PackageComponentFactory(TenantScopedFactory):
    class Meta:
        model = PackageComponent

    package = factory.SubFactory(ActivationPackageFactory, tenant=same_tenant())
    key = ComponentKey.LANDING_PAGE
    content = "Partner spotlight: hero image and customer quote."


class ProgramFactory(TenantScopedFactory):
    class Meta:
        model = Program

    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    plan = factory.SubFactory(
        PlanFactory, tenant=same_tenant(), partner=factory.SelfAttribute("..partner"), status="launched"
    )
    play = factory.SubFactory(PlayFactory, tenant=same_tenant())
    package = factory.LazyAttribute(
        lambda program: MasterPackageFactory(tenant=program.tenant, play=program.play)
    )
    package_label = "Master r1"
    components = factory.LazyFunction(dict)
    tracking_code = factory.Sequence(lambda n: f"2026Q4-ACC-TEST-{n}")
    utm_source = "partner"
    utm_medium = "partner"
    utm_campaign = factory.SelfAttribute("tracking_code")
    utm_content = "acceleration"


# --- leads --------------------------------------------------------------------------------------


class BusinessCalendarFactory(TenantScopedFactory):
    class Meta:
        model = BusinessCalendar

    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    name = factory.Sequence(lambda n: f"Calendar {n}")
    timezone = "Europe/Berlin"


class HolidayFactory(TenantScopedFactory):
    class Meta:
        model = Holiday

    calendar = factory.SubFactory(BusinessCalendarFactory, tenant=same_tenant())
    date = factory.Sequence(lambda n: date(2027, 1, 1) + timedelta(days=n))
    name = "Company day off"

    @classmethod
    def for_partner(cls, *, tenant, partner):
        """A holiday of the partner's calendar (made if it has none yet)."""
        with tenant_context(tenant):
            calendar = BusinessCalendar.unscoped.filter(tenant=tenant, partner=partner).first()
        calendar = calendar or BusinessCalendarFactory(tenant=tenant, partner=partner)
        return cls(tenant=tenant, calendar=calendar)


class LeadFactory(TenantScopedFactory):
    """A lead (the query-count suite fills its account and program, as the list renders them)."""

    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"lead{n}@account{n}.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    title = "Head of IT"
    company_name = factory.Sequence(lambda n: f"Company {n}")
    company_domain = factory.Sequence(lambda n: f"account{n}.example")


class TouchFactory(TenantScopedFactory):
    class Meta:
        model = Touch

    lead = factory.SubFactory(LeadFactory, tenant=same_tenant())
    kind = TouchKind.EVENT_ATTENDED
    source = "event"


class ReadyLeadFactory(LeadFactory):
    """A lead ready for a handoff under the catalog's default rules, made so the way a real one is:
    a director at a target account who attended and asked for a meeting, scored by
    `leads_rescore` (the stored score and reasons are the service's own)."""

    class Meta:
        skip_postgeneration_save = True

    title = "Director of IT"
    account = factory.SubFactory(TargetAccountFactory, tenant=same_tenant())

    @factory.post_generation
    def engaged(lead, create, extracted, **kwargs):
        if not create:
            return
        for kind in (TouchKind.EVENT_ATTENDED, TouchKind.MEETING):
            TouchFactory(tenant=lead.tenant, lead=lead, kind=kind)
        with tenant_context(lead.tenant):
            leads_rescore(tenant=lead.tenant, lead_ids=[lead.id])
            lead.refresh_from_db()


class AttendanceFactory(TenantScopedFactory):
    """A person who attended a program's event (the query-count suite fills the account it renders)."""

    class Meta:
        model = Attendance

    program = factory.SubFactory(ProgramFactory, tenant=same_tenant())
    lead = factory.SubFactory(LeadFactory, tenant=same_tenant())
    status = AttendanceStatus.ATTENDED
    registered_at = factory.LazyFunction(timezone.now)
    attended_at = factory.LazyFunction(timezone.now)


class SlaPolicyFactory(TenantScopedFactory):
    """A partner's own policy, with the built-in defaults; given a tier or a program, that one's
    instead, and with `partner=None` (and neither) the tenant's default."""

    class Meta:
        model = SlaPolicy

    tier = ""
    program = None
    partner = factory.Maybe(
        factory.LazyAttribute(lambda policy: not policy.tier and policy.program is None),
        yes_declaration=factory.SubFactory(PartnerFactory, tenant=same_tenant()),
        no_declaration=None,
    )


class HandoffFactory(TenantScopedFactory):
    """An offered handoff with its accept clock (the services compute real instants; this one is
    simply a day, two days and three days after the offer)."""

    class Meta:
        model = Handoff

    lead = factory.SubFactory(LeadFactory, tenant=same_tenant())
    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    offered_at = factory.LazyFunction(timezone.now)
    accept_warn_at = factory.LazyAttribute(lambda handoff: handoff.offered_at + timedelta(hours=18))
    accept_due_at = factory.LazyAttribute(lambda handoff: handoff.offered_at + timedelta(days=1))
    accept_recall_at = factory.LazyAttribute(lambda handoff: handoff.offered_at + timedelta(days=2))
    next_due_at = factory.SelfAttribute("accept_warn_at")
    deadline_at = factory.SelfAttribute("accept_due_at")


class HandoffEscalationFactory(TenantScopedFactory):
    class Meta:
        model = HandoffEscalation

    handoff = factory.SubFactory(HandoffFactory, tenant=same_tenant())
    clock = Clock.ACCEPT
    step = Step.WARNED
    at = factory.SelfAttribute("handoff.accept_warn_at")


class StatusMappingFactory(TenantScopedFactory):
    class Meta:
        model = StatusMapping

    partner_status = factory.Sequence(lambda n: f"Status {n}")
    partner_status_key = factory.LazyAttribute(lambda mapping: mapping.partner_status.casefold())
    status = FeedbackStatus.CONTACTED


class HandoffFeedbackFactory(TenantScopedFactory):
    """A report on an accepted handoff, in the partner's words, mapped to contacted."""

    class Meta:
        model = HandoffFeedback

    handoff = factory.SubFactory(
        HandoffFactory,
        tenant=same_tenant(),
        state=Handoff.State.ACCEPTED,
        accepted_at=factory.LazyFunction(timezone.now),
    )
    words = "Called them"
    status = FeedbackStatus.CONTACTED
    actor_label = "partner@example.com"

    @classmethod
    def for_partner(cls, *, tenant, partner):
        handoff = HandoffFactory(
            tenant=tenant, partner=partner, state=Handoff.State.ACCEPTED, accepted_at=timezone.now()
        )
        return cls(tenant=tenant, handoff=handoff)


class RoutingDecisionFactory(TenantScopedFactory):
    class Meta:
        model = RoutingDecision

    lead = factory.SubFactory(LeadFactory, tenant=same_tenant())
    rule = RoutingRule.NONE
    reason = "No partner can take the lead: it stays in the vendor's queue."
    actor_label = "System"


class DealRegistrationFactory(TenantScopedFactory):
    """A registration under review, submitted an hour ago, due in two days."""

    class Meta:
        model = DealRegistration

    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    customer_name = factory.Sequence(lambda n: f"Customer {n}")
    customer_domain = factory.Sequence(lambda n: f"customer{n}.example")
    domain_key = factory.LazyAttribute(lambda row: ".".join(reversed(row.customer_domain.split("."))) + ".")
    solution = "Cloud migration"
    amount = Decimal("45000.00")
    currency = "EUR"
    close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    state = DealRegistration.State.UNDER_REVIEW
    submitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    review_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))


# --- mdf requests ----------------------------------------------------------------------------


class CatalogItemFactory(TenantScopedFactory):
    class Meta:
        model = CatalogItem

    name = factory.Sequence(lambda n: f"Catalog item {n}")
    activity_type = ActivityType.WEBINAR
    amount = Decimal("500.00")
    currency = "USD"
    tiers = factory.LazyFunction(lambda: list(Partner.Tier.values))

    @classmethod
    def for_partner(cls, *, tenant, partner):
        """The catalog is the vendor's; a partner's users read its active items only: the row they
        may not read is one no longer offered."""
        return cls(tenant=tenant, is_active=False)


class ProposalTemplateFactory(TenantScopedFactory):
    class Meta:
        model = ProposalTemplate

    play = factory.SubFactory(PlayFactory, tenant=same_tenant())
    name = factory.Sequence(lambda n: f"Proposal template {n}")
    questions = factory.LazyFunction(lambda: ["Who is the audience?"])

    @classmethod
    def for_partner(cls, *, tenant, partner):
        """Partners read the active templates only: the row they may not read is a deactivated one."""
        return cls(tenant=tenant, is_active=False)


class RequestRulesFactory(TenantScopedFactory):
    class Meta:
        model = RequestRules
        django_get_or_create = ["tenant"]


class FundRequestFactory(TenantScopedFactory):
    """A strategic request drawing on a partner's allocation (its fund and partner), a draft unless
    told otherwise; its state is set directly, with no ledger entry (use the services for that)."""

    class Meta:
        model = FundRequest

    allocation = factory.SubFactory(AllocationFactory, tenant=same_tenant())
    fund = factory.LazyAttribute(lambda request: request.allocation.fund)
    partner = factory.LazyAttribute(lambda request: request.allocation.partner)
    kind = FundRequest.Kind.STRATEGIC
    title = factory.Sequence(lambda n: f"Joint event {n}")
    activity_type = ActivityType.EVENT
    starts_on = date(2026, 11, 2)
    ends_on = date(2026, 11, 3)
    amount_requested = Decimal("1000.00")
    currency = factory.LazyAttribute(lambda request: request.allocation.fund.currency)
    state = RequestState.DRAFT

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, allocation=AllocationFactory(tenant=tenant, partner=partner))


class RequestAccountFactory(TenantScopedFactory):
    class Meta:
        model = RequestAccount

    request = factory.SubFactory(FundRequestFactory, tenant=same_tenant())
    account = factory.SubFactory(TargetAccountFactory, tenant=same_tenant())

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, request=FundRequestFactory.for_partner(tenant=tenant, partner=partner))


class FundTrancheFactory(TenantScopedFactory):
    """A held tranche (its checkpoint missed) of an approved request for its partner's launched plan;
    states set directly, with no ledger entry (use the services for that)."""

    class Meta:
        model = FundTranche

    request = factory.SubFactory(
        FundRequestFactory,
        tenant=same_tenant(),
        state=RequestState.APPROVED,
        amount_approved=Decimal("1000.00"),
    )
    plan = factory.LazyAttribute(
        lambda tranche: PlanFactory(
            tenant=tranche.tenant,
            partner=tranche.request.partner,
            status="launched",
            launched_at=timezone.now(),
        )
    )
    day = 60
    percent = Decimal("50.00")
    amount = Decimal("500.00")
    currency = factory.LazyAttribute(lambda tranche: tranche.request.currency)
    state = TrancheState.HELD
    checkpoint_met = False

    @classmethod
    def for_partner(cls, *, tenant, partner):
        request = FundRequestFactory(
            tenant=tenant,
            allocation=AllocationFactory(tenant=tenant, partner=partner),
            state=RequestState.APPROVED,
            amount_approved=Decimal("1000.00"),
        )
        return cls(tenant=tenant, request=request)


# --- mdf claims ------------------------------------------------------------------------------


class ClaimFactory(TenantScopedFactory):
    """A draft claim on an approved request (states set directly: use the services for the ledger)."""

    class Meta:
        model = Claim

    request = factory.SubFactory(
        FundRequestFactory,
        tenant=same_tenant(),
        state=RequestState.APPROVED,
        amount_approved=Decimal("1000.00"),
    )
    partner = factory.LazyAttribute(lambda claim: claim.request.partner)
    fund = factory.LazyAttribute(lambda claim: claim.request.fund)
    allocation = factory.LazyAttribute(lambda claim: claim.request.allocation)
    amount_claimed = Decimal("800.00")
    currency = factory.LazyAttribute(lambda claim: claim.request.currency)

    @classmethod
    def for_partner(cls, *, tenant, partner):
        allocation = AllocationFactory(tenant=tenant, partner=partner)
        request = FundRequestFactory(
            tenant=tenant,
            allocation=allocation,
            state=RequestState.APPROVED,
            amount_approved=Decimal("1000.00"),
        )
        return cls(tenant=tenant, request=request)


class ClaimProofFactory(TenantScopedFactory):
    class Meta:
        model = ClaimProof

    claim = factory.SubFactory(ClaimFactory, tenant=same_tenant())
    proof = factory.SubFactory(
        ProofFileFactory, tenant=same_tenant(), partner=factory.SelfAttribute("..claim.partner")
    )

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, claim=ClaimFactory.for_partner(tenant=tenant, partner=partner))


class ClaimReminderFactory(TenantScopedFactory):
    class Meta:
        model = ClaimReminder

    request = factory.SubFactory(FundRequestFactory, tenant=same_tenant())

    @classmethod
    def for_partner(cls, *, tenant, partner):
        return cls(tenant=tenant, request=FundRequestFactory.for_partner(tenant=tenant, partner=partner))


# --- reporting --------------------------------------------------------------------------------


class FxRateFactory(TenantScopedFactory):
    class Meta:
        model = FxRate

    currency = "EUR"
    quote_currency = "USD"
    rate_date = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    rate = Decimal("1.0825000000")


class ReportingSettingsFactory(TenantScopedFactory):
    class Meta:
        model = ReportingSettings

    sourced_window_days = 30


class RollupFactory(TenantScopedFactory):
    class Meta:
        model = Rollup

    period = "month"
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    partner = factory.SubFactory(PartnerFactory, tenant=same_tenant())
    metric = "leads"
    count = 1


class RollupStateFactory(TenantScopedFactory):
    class Meta:
        model = RollupState
        django_get_or_create = ("tenant",)

    refreshed_at = factory.LazyFunction(timezone.now)
    watermark = factory.SelfAttribute("refreshed_at")
