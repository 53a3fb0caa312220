"""Reads of routing and feedback: which leads are ready and wait in the vendor's queue, a lead's
routing decisions, a partner's load this week and its lead figures (pick rate, feedback rate,
medians, silent leads), all in SQL so a page of N partners runs a constant number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from leads.models import (
    BusinessCalendar,
    Handoff,
    HandoffFeedback,
    Lead,
    LeadStage,
    RoutingDecision,
    StatusMapping,
)
from leads.selectors.calendars import calendar_for
from partnerhub.tenancy.models import Partner, Tenant

# Feedback within this many days of the acceptance counts for the feedback rate.
FEEDBACK_WINDOW = datetime.timedelta(days=14)
WAITING_STAGES = (LeadStage.NEW, LeadStage.NURTURE, LeadStage.MQL, LeadStage.SQL)


def routing_queue(*, tenant: Tenant) -> QuerySet[Lead]:
    """The vendor's queue: leads with no open handoff that are ready, or whose last handoff closed
    (recalled, expired, declined) while the lead is still in play; the longest waiting first (since
    its last handoff closed, else since it arrived)."""
    handoffs = Handoff.objects.filter(tenant=tenant, lead=OuterRef("pk"))
    last_closed = handoffs.filter(closed_at__isnull=False).order_by("-closed_at").values("closed_at")[:1]
    leads = Lead.objects.filter(tenant=tenant, stage__in=WAITING_STAGES).exclude(
        Exists(handoffs.filter(state__in=Handoff.OPEN_STATES))
    )
    return (
        leads.filter(Q(ready=True) | Exists(handoffs))
        .select_related("account", "program")
        .annotate(waiting_since=Coalesce(Subquery(last_closed), F("created_at")))
        .order_by("waiting_since", "id")
    )


def lead_routing_decisions(*, tenant: Tenant, lead: Lead) -> QuerySet[RoutingDecision]:
    """A lead's routing decisions, newest first, each with the partner of the handoff it made."""
    return (
        RoutingDecision.objects.filter(tenant=tenant, lead=lead)
        .select_related("handoff", "handoff__partner")
        .order_by("-created_at", "-id")
    )


class LocalWeekStart(Func):
    """Monday 00:00 of the week holding `now`, on the wall clock of the zone expression."""

    output_field = DateTimeField()

    def __init__(self, zone, *, now: datetime.datetime):
        super().__init__(zone)
        self.now = now

    def as_sql(self, compiler, connection, **extra):
        zone, params = compiler.compile(self.source_expressions[0])
        sql = f"(date_trunc('week', %s AT TIME ZONE {zone}) AT TIME ZONE {zone})"
        return sql, [self.now, *params, *params]


def partner_week_load(*, tenant: Tenant, now: datetime.datetime) -> dict[int, int]:
    """Per partner, its open handoffs offered since Monday 00:00 of this week in its time zone (its
    calendar's, else the tenant's default calendar's, else the tenant's): what the weekly cap
    counts. One query."""
    default_zone = calendar_for(tenant=tenant).zone.key
    own_zone = BusinessCalendar.objects.filter(tenant=tenant, partner=OuterRef("pk")).values("timezone")[:1]
    open_since = (
        Handoff.objects.filter(
            tenant=tenant,
            partner=OuterRef("pk"),
            state__in=Handoff.OPEN_STATES,
            offered_at__gte=OuterRef("week_start"),
        )
        .order_by()
        .values("partner")
        .annotate(count=Count("id"))
        .values("count")
    )
    rows = (
        Partner.objects.filter(tenant=tenant)
        .annotate(week_start=LocalWeekStart(Coalesce(Subquery(own_zone), Value(default_zone)), now=now))
        .annotate(load=Coalesce(Subquery(open_since, output_field=IntegerField()), 0))
        .values_list("id", "load")
    )
    return dict(rows)


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _share(part: str, whole: str):
    return Cast(F(part), FloatField()) / NullIf(Cast(F(whole), FloatField()), Value(0.0))


def _hours(duration: str) -> Func:
    """A duration in hours, to a tenth, for the page to show."""
    return Func(
        F(duration),
        template="ROUND((EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)::numeric, 1)",
        output_field=DecimalField(max_digits=12, decimal_places=1),
    )


def partner_lead_figures(*, tenant: Tenant, now: datetime.datetime | None = None) -> QuerySet[Partner]:
    """Every partner with its lead figures, in one query:
    - `accepted`, `declined`, `expired` (closed offers: a recall before any answer is none of
      them) and `pick_rate`, the accepted share of those;
    - `median_to_accept`, from the offer to the acceptance;
    - `feedback_rate`: of the accepted handoffs that can be judged (accepted at least 14 days ago,
      or with feedback already), the share with a first feedback within 14 days of the acceptance.
      A silent handoff counts against it; None without any judged handoff;
    - `median_to_feedback`, from the acceptance to the first feedback;
    - `silent_now`: accepted handoffs silent at `now` (no feedback for the policy's silent days)."""
    now = now or timezone.now()
    accepted = Q(handoffs__accepted_at__isnull=False)
    return (
        Partner.objects.filter(tenant=tenant)
        .annotate(
            accepted=Count("handoffs", filter=accepted),
            declined=Count("handoffs", filter=Q(handoffs__state=Handoff.State.REJECTED)),
            expired=Count("handoffs", filter=Q(handoffs__state=Handoff.State.EXPIRED)),
            **_feedback_counts(now),
            silent_now=Count(
                "handoffs", filter=Q(handoffs__state=Handoff.State.ACCEPTED, handoffs__silent_at__lte=now)
            ),
            median_to_accept=Median(F("handoffs__accepted_at") - F("handoffs__offered_at"), filter=accepted),
            median_to_feedback=Median(
                F("handoffs__first_feedback_at") - F("handoffs__accepted_at"),
                filter=Q(handoffs__first_feedback_at__isnull=False),
            ),
        )
        .annotate(
            closed_offers=F("accepted") + F("declined") + F("expired"),
            pick_rate=_share("accepted", "closed_offers"),
            feedback_rate=_share("with_feedback", "judged"),
            hours_to_accept=_hours("median_to_accept"),
            hours_to_feedback=_hours("median_to_feedback"),
        )
        .order_by("name", "id")
    )


def _feedback_counts(now: datetime.datetime) -> dict:
    """`judged` and `with_feedback`, the two counts of a partner's feedback rate (see above)."""
    accepted = Q(handoffs__accepted_at__isnull=False)
    in_window = Q(handoffs__first_feedback_at__lte=F("handoffs__accepted_at") + FEEDBACK_WINDOW)
    judged = accepted & (in_window | Q(handoffs__accepted_at__lte=now - FEEDBACK_WINDOW))
    return {
        "judged": Count("handoffs", filter=judged),
        "with_feedback": Count("handoffs", filter=accepted & in_window),
    }


def partner_feedback_rates(*, tenant: Tenant, now: datetime.datetime) -> QuerySet[Partner]:
    """Every partner with only its `feedback_rate` (as partner_lead_figures has it), for routing:
    one aggregate without the medians and the other counts."""
    return (
        Partner.objects.filter(tenant=tenant)
        .annotate(**_feedback_counts(now))
        .annotate(feedback_rate=_share("with_feedback", "judged"))
        .order_by("name", "id")
    )


def status_mapping_list(*, tenant: Tenant) -> QuerySet[StatusMapping]:
    return StatusMapping.objects.filter(tenant=tenant).order_by("partner_status_key", "id")


def status_for_words(*, tenant: Tenant, key: str) -> str:
    """The tenant's status for a partner's folded words; "" when they are not mapped."""
    return (
        StatusMapping.objects.filter(tenant=tenant, partner_status_key=key)
        .values_list("status", flat=True)
        .first()
        or ""
    )


def handoff_feedback_list(*, tenant: Tenant) -> QuerySet[HandoffFeedback]:
    """Feedback reports, newest first, with their handoff, partner and lead."""
    return (
        HandoffFeedback.objects.filter(tenant=tenant)
        .select_related("handoff", "handoff__partner", "handoff__lead")
        .order_by("-reported_at", "-id")
    )


def feedback_handoffs(*, tenant: Tenant) -> QuerySet[Handoff]:
    """Handoffs a feedback form is for (the partner's scope narrows them to its own)."""
    return Handoff.objects.filter(tenant=tenant).select_related("lead", "partner")
