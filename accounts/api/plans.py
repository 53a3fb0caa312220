"""Plans REST API: the account-first plan (DOMAIN.md §1). Plans are created and renamed through
the collection; each of the six steps, the kickoff, launch and close is an action calling its
service; partner ranking and the play recommendation are read-only actions. Plans are closed,
never deleted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.api.plan_serializers import (
    AccountsInputSerializer,
    FollowUpInputSerializer,
    KickoffInputSerializer,
    MarketInputSerializer,
    PartnerInputSerializer,
    PartnerRankSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanRenameSerializer,
    PlanSerializer,
    PlayInputSerializer,
    RankingQuerySerializer,
    RecommendationSerializer,
    TargetsInputSerializer,
)
from accounts.filters_plans import PlanFilter
from accounts.selectors.plans import plan_detail, plan_list
from accounts.selectors.recommendation import play_recommendation
from accounts.services.plans import (
    follow_up_complete,
    plan_close,
    plan_create,
    plan_launch,
    plan_rename,
    plan_set_accounts,
    plan_set_follow_up,
    plan_set_market,
    plan_set_partner,
    plan_set_play,
    plan_set_targets,
    plan_update_kickoff,
)
from mdf.selectors import ranking_with_funds
from partnerhub.tenancy.api.viewsets import IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.scoping import scope_for

# The service names the model fields of the targets; the API's input names drop the prefix.
TARGET_INPUT_NAMES = {
    f"target_{name}": name
    for name in ["day30_followups", "day60_meetings", "day90_opportunities", "day90_pipeline", "currency"]
}


# --- Viewset -------------------------------------------------------------------------------------


@contextmanager
def input_names(names: dict[str, str]) -> Iterator[None]:
    """A refusal names the input field the caller sent, not the model field the service checked."""
    try:
        yield
    except ServiceError as exc:
        if exc.field not in names:
            raise
        raise ServiceError(exc.message, field=names[exc.field]) from exc


class PlanViewSet(IdempotentCreateMixin, ServiceActionsMixin, TenantReadOnlyViewSet):
    """Account-first plans. Everyone reads the plans in their scope (partner users: those their
    company is the partner of); staff walk the six steps; launchers launch and close."""

    queryset_selector = plan_list
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    permission_read = "plan.view"
    permission_write = "plan.change"
    action_permissions = {
        "launch": "plan.launch",
        "close": "plan.launch",
        # Ranking shows every partner's access and MDF; the recommendation is a planning aid.
        "ranking": "plan.change",
        "recommendation": "plan.change",
    }

    detail_serializer_class = PlanDetailSerializer
    create_serializer_class = PlanCreateSerializer

    def detail_queryset(self):
        request = self.request
        return scope_for(
            plan_detail(tenant=request.tenant), tenant=request.tenant, membership=request.membership
        )

    def create_with(self, data: dict):
        return plan_create(tenant=self.request.tenant, actor=self.request.user, **data)

    def _step(self, service, names: dict[str, str] | None = None, **kwargs) -> Response:
        plan_id = self.get_object().id
        with input_names(names or {}):
            service(tenant=self.request.tenant, actor=self.request.user, plan_id=plan_id, **kwargs)
        return self.detail_response(plan_id)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Open a draft plan for a quarter. Accepts an `Idempotency-Key`."""
        return super().create(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        """The plan with its six steps, named accounts, follow-up, targets, owners and kickoff."""
        return self.detail_response(self.get_object().id)

    @extend_schema(request=PlanRenameSerializer, responses=PlanDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Rename the plan. Its decisions change through the actions, never here."""
        data = self.validated(PlanRenameSerializer)
        if "name" not in data:
            return self.detail_response(self.get_object().id)
        return self._step(plan_rename, name=data["name"])

    # --- The six steps ---------------------------------------------------------------------------

    @extend_schema(request=MarketInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def market(self, request, pk=None):
        """Step 1: one market priority for the quarter (a region, a vertical or a segment)."""
        data = self.validated(MarketInputSerializer)
        return self._step(plan_set_market, {"play": "market_value"}, **data)

    @extend_schema(request=AccountsInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def accounts(self, request, pk=None):
        """Step 2: the named list of 5 to 20 target accounts."""
        data = self.validated(AccountsInputSerializer)
        ids = [account.id for account in data["account_ids"]]
        return self._step(plan_set_accounts, {"accounts": "account_ids"}, account_ids=ids)

    @extend_schema(request=PartnerInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def partner(self, request, pk=None):
        """Step 3: the partner, chosen against the account list (see `ranking`)."""
        data = self.validated(PartnerInputSerializer)
        return self._step(plan_set_partner, {"partner": "partner_id"}, partner_id=data["partner_id"].id)

    @extend_schema(request=PlayInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def play(self, request, pk=None):
        """Step 4: the play. One play per market per quarter (see `recommendation`)."""
        data = self.validated(PlayInputSerializer)
        return self._step(plan_set_play, {"play": "play_id"}, play_id=data["play_id"].id, note=data["note"])

    @extend_schema(request=FollowUpInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """Step 5: sales commits to who calls the attendees, by when, with what talk track."""
        data = self.validated(FollowUpInputSerializer)
        return self._step(plan_set_follow_up, **data)

    @extend_schema(request=TargetsInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def targets(self, request, pk=None):
        """Step 6: the day 30, 60 and 90 targets, published before launch."""
        data = self.validated(TargetsInputSerializer)
        return self._step(plan_set_targets, TARGET_INPUT_NAMES, **data)

    @extend_schema(request=KickoffInputSerializer, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def kickoff(self, request, pk=None):
        """Owners of the six functions and the kickoff items; only the fields sent change."""
        serializer = KickoffInputSerializer(
            self.get_object(), data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return self._step(plan_update_kickoff, **serializer.validated_data)

    # --- Launch and after ------------------------------------------------------------------------

    @extend_schema(request=None, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request, pk=None):
        """Launch a ready plan: creates its program and the day 30/60/90 checkpoints."""
        return self._step(plan_launch)

    @extend_schema(request=None, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the plan: a launched one when its quarter is done, a draft that will not go ahead."""
        return self._step(plan_close)

    @extend_schema(request=None, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up-done")
    def follow_up_done(self, request, pk=None):
        """Sales has made the follow-up calls (after launch): no more nudges."""
        return self._step(follow_up_complete)

    # --- Planning aids ---------------------------------------------------------------------------

    @extend_schema(
        parameters=[RankingQuerySerializer],
        responses={200: PartnerRankSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def ranking(self, request, pk=None):
        """Active partners ranked for the plan's named accounts: access first, then credibility and
        fit. Available MDF is shown beside and never ranks a partner."""
        limit = self.validated(RankingQuerySerializer, data=request.query_params)["limit"]
        ranks = ranking_with_funds(tenant=request.tenant, plan=self.get_object(), limit=limit)
        return Response(PartnerRankSerializer(ranks, many=True).data)

    @extend_schema(responses=RecommendationSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def recommendation(self, request, pk=None):
        """The play that fits the plan's named accounts (and partner), with why and the other options."""
        recommendation = play_recommendation(tenant=request.tenant, plan=self.get_object())
        return Response(RecommendationSerializer(recommendation).data)


def register(router: SimpleRouter) -> None:
    router.register("plans", PlanViewSet, basename="plan")
