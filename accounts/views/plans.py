"""Plan pages: the board by quarter and market, and the plan page, which is the 30-minute meeting:
the six steps on one page, each saved in place with htmx."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts import services
from accounts.filters_plans import PlanFilter
from accounts.models import (
    MAX_ACCOUNT_IDS,
    MAX_PLAN_ACCOUNTS,
    MIN_PLAN_ACCOUNTS,
    PLAN_OWNER_FIELDS,
    AccountStage,
    Plan,
    PlanStep,
    quarter_of,
)
from accounts.plan_forms import (
    AccountsForm,
    FollowUpForm,
    KickoffForm,
    MarketForm,
    PartnerForm,
    PlanCreateForm,
    PlayForm,
    TargetsForm,
)
from accounts.selectors.accounts import account_choices
from accounts.selectors.markets import market_warning
from accounts.selectors.plans import (
    plan_account_candidates,
    plan_detail,
    plan_list,
    plan_status_counts,
    plan_step_states,
)
from accounts.selectors.recommendation import play_recommendation
from mdf.selectors import ranking_with_funds
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.portal import (
    ServiceFormView,
    TenantConfirmView,
    TenantListView,
    TenantView,
    apply_service_error,
)
from partnerhub.tenancy.selectors import audit_history_for
from plays.selectors import play_choices
from reporting.selectors.checkpoints import plan_checkpoints
from reporting.selectors.plan_roi import plan_account_roi

RANKING_SHOWN = 10
HISTORY_SHOWN = 15


class PlanBoardView(TenantListView):
    permission = "plan.view"
    queryset_selector = plan_list
    filterset_class = PlanFilter
    template_name = "accounts/plan_list.html"
    partial_template_name = "accounts/partials/_plan_board.html"
    csv_name = "plans"
    csv_columns = [
        ("Plan", "name"),
        ("Quarter", "quarter_label"),
        ("Market", "market_label"),
        ("Status", "get_status_display"),
        ("Named accounts", "account_count"),
        ("Partner", "partner.name"),
        ("Play", "play.name"),
        ("Tracking code", lambda plan: getattr(getattr(plan, "program", None), "tracking_code", "")),
        ("Launched", "launched_at"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.membership.is_partner_role:
            counts = plan_status_counts(tenant=self.tenant)
            chosen = self.request.GET.get("status", "")
            context["status_cards"] = [
                {"status": status, "label": label, "count": counts[status], "active": status == chosen}
                for status, label in Plan.Status.choices
            ]
        return context


def plan_url(tenant, plan_id: int) -> str:
    return reverse("accounts:plan_detail", args=[tenant.slug, plan_id])


class PlanCreateView(ServiceFormView):
    permission = "plan.change"
    template_name = "accounts/plan_create.html"
    form_class = PlanCreateForm

    def get_initial(self):
        year, quarter = quarter_of(self.tenant.local_date())  # the tenant's current quarter
        return {"year": year, "quarter": quarter}

    def save(self, data):
        return services.plan_create(tenant=self.tenant, actor=self.request.user, **data)

    def success_message(self, plan) -> str:
        return "Plan opened. Start with one market priority."

    def saved_url(self, plan) -> str:
        return plan_url(self.tenant, plan.id)


# --- The plan page and its wizard ---------------------------------------------------------------


def ticked_accounts(*, tenant, values: list[str]) -> list:
    """The accounts ticked in step 2's list (a search or a refused save hands them back), so that
    neither drops a tick; ids that are not this tenant's accounts are left out."""
    ids = [int(value) for value in values[:MAX_ACCOUNT_IDS] if value.isdigit()]
    return list(account_choices(tenant=tenant).filter(id__in=ids))


def account_checklist(*, tenant, plan: Plan, ticked: list, query: str = "", stage: str = "") -> dict:
    """Step 2's list: the ticked accounts first, then the accounts to add (those of the market or
    of the search), each row with whether it is ticked."""
    ticked_ids = [account.id for account in ticked]
    matches = plan_account_candidates(tenant=tenant, plan=plan, exclude=ticked_ids, query=query, stage=stage)
    rows = [(account, True) for account in ticked] + [(account, False) for account in matches]
    return {"rows": rows, "matches": bool(matches)}


class PlanPageMixin:
    """Builds the wizard's context: the plan, its steps, and each open step's form and choices."""

    permission = "plan.view"
    queryset_selector = plan_detail
    object_kwarg = "plan_id"

    def wizard_context(self, plan: Plan, bound: dict[int, object] | None = None) -> dict:
        bound = bound or {}
        editable = self.can("plan.change") and plan.status in (Plan.Status.DRAFT, Plan.Status.READY)
        context = {"plan": plan, "steps": plan_step_states(plan), "editable": editable}
        if not editable:
            return context
        held = market_warning(tenant=self.tenant, plan=plan)
        context["market_warning"] = held[1] if held else None
        tenant = self.tenant
        follow_up = getattr(plan, "follow_up", None)
        named_ids = [named.account_id for named in plan.plan_accounts.all()]
        forms = {
            PlanStep.MARKET: MarketForm(
                tenant=tenant, plan=plan, initial={"market": f"{plan.market_kind}:{plan.market_value}"}
            ),
            PlanStep.ACCOUNTS: AccountsForm(tenant=tenant, initial={"accounts": named_ids}),
            PlanStep.PARTNER: PartnerForm(tenant=tenant, initial={"partner": plan.partner_id}),
            PlanStep.PLAY: PlayForm(tenant=tenant, initial={"play": plan.play_id}),
            PlanStep.FOLLOW_UP: FollowUpForm(
                tenant=tenant,
                initial={
                    "sales_owner": follow_up.sales_owner_id if follow_up else plan.owner_sales_id,
                    "due_on": follow_up.due_on if follow_up else None,
                    "talk_track": follow_up.talk_track
                    if follow_up
                    else (plan.play.follow_up_template if plan.play else ""),
                },
            ),
            PlanStep.MEASUREMENT: TargetsForm(
                initial={
                    "day30_followups": plan.target_day30_followups,
                    "day60_meetings": plan.target_day60_meetings,
                    "day90_opportunities": plan.target_day90_opportunities,
                    "day90_pipeline": plan.target_day90_pipeline,
                    "currency": plan.target_currency,
                }
            ),
        }
        forms.update(bound)
        for step in context["steps"]:
            step["form"] = forms[step["number"]]
        reachable = {step["number"] for step in context["steps"] if step["reachable"]}
        # A refused step whose form is not shown (it is not reachable yet) says why above the steps.
        context["wizard_errors"] = [
            error
            for step, form in bound.items()
            if step not in reachable
            for error in form.errors.get("__all__", [])
        ]
        if PlanStep.ACCOUNTS in reachable:
            refused = bound.get(PlanStep.ACCOUNTS)
            ticked = (
                ticked_accounts(tenant=tenant, values=refused.data.getlist("accounts"))
                if refused is not None
                else [named.account for named in plan.plan_accounts.all()]
            )
            context["account_checklist"] = account_checklist(tenant=tenant, plan=plan, ticked=ticked)
        if PlanStep.PARTNER in reachable:
            ranking = ranking_with_funds(tenant=tenant, plan=plan, limit=RANKING_SHOWN)
            context["ranking"] = ranking
            context["chosen_outside_ranking"] = plan.partner_id and plan.partner_id not in {
                rank.partner.id for rank in ranking
            }
        if PlanStep.PLAY in reachable:
            context["recommendation"] = play_recommendation(tenant=tenant, plan=plan)
            context["plays"] = list(play_choices(tenant=tenant))
        context["limits"] = {"min": MIN_PLAN_ACCOUNTS, "max": MAX_PLAN_ACCOUNTS}
        return context

    def history(self, plan: Plan) -> list:
        if not self.can("plan.change"):
            return []
        return audit_history_for(tenant=self.tenant, target=plan, limit=HISTORY_SHOWN)


class PlanDetailView(PlanPageMixin, TenantView):
    template_name = "accounts/plan_detail.html"

    def get(self, request, *args, **kwargs):
        plan = self.object
        context = self.wizard_context(plan)
        context["owners"] = [(label, getattr(plan, name)) for name, label in PLAN_OWNER_FIELDS.items()]
        context["follow_up"] = getattr(plan, "follow_up", None)
        context["checkpoints"] = plan_checkpoints(tenant=self.tenant, plan=plan)
        context["roi"] = plan_account_roi(tenant=self.tenant, plan=plan)
        context["program"] = getattr(plan, "program", None) if plan.status in ("launched", "closed") else None
        context["history"] = self.history(plan)
        context["meeting_started_at"] = plan.meeting_started_at
        context["now"] = timezone.now()
        return TemplateResponse(request, self.template_name, context)


class PlanStepView(PlanPageMixin, TenantView):
    """POST one step's form: on success the wizard is re-rendered (htmx) or the page reloads; on
    refusal the step shows the service's message and nothing was saved."""

    permission = "plan.change"
    step: ClassVar[int]
    form_class: ClassVar[type]

    def make_form(self, data):
        if self.form_class is TargetsForm:
            return self.form_class(data)
        if self.form_class is MarketForm:
            return self.form_class(data, tenant=self.tenant, plan=self.object)
        return self.form_class(data, tenant=self.tenant)

    def perform(self, plan: Plan, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.perform(self.object, form.cleaned_data)
            except (ServiceError, ValidationError) as exc:
                apply_service_error(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, f"Step {self.step} saved.")
                    return HttpResponseRedirect(
                        reverse("accounts:plan_detail", args=[self.tenant.slug, self.object.id])
                    )
                return self.render_wizard(self.fresh_plan())
        return self.render_wizard(self.fresh_plan(), bound={self.step: form})

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse("accounts:plan_detail", args=[self.tenant.slug, self.object.id]))

    def fresh_plan(self) -> Plan:
        return self.get_queryset().get(id=self.object.id)

    def render_wizard(self, plan: Plan, bound=None):
        """htmx swaps in the wizard, and out of band the page's header and history, which a saved
        step changes (the status turns Ready, and Launch appears, after step 6)."""
        template = (
            "accounts/partials/_plan_step_saved.html" if self.request.htmx else "accounts/plan_detail.html"
        )
        context = self.wizard_context(plan, bound)
        context["history"] = self.history(plan)
        if not self.request.htmx:
            context.update(owners=[], checkpoints=[], now=timezone.now())
        return TemplateResponse(self.request, template, context)


class PlanMarketView(PlanStepView):
    step, form_class = PlanStep.MARKET, MarketForm

    def perform(self, plan, data):
        kind, value = data["market"]
        services.plan_set_market(
            tenant=self.tenant, actor=self.request.user, plan_id=plan.id, market_kind=kind, market_value=value
        )


class PlanAccountsView(PlanStepView):
    step, form_class = PlanStep.ACCOUNTS, AccountsForm

    def perform(self, plan, data):
        services.plan_set_accounts(
            tenant=self.tenant,
            actor=self.request.user,
            plan_id=plan.id,
            account_ids=[account.id for account in data["accounts"]],
        )

    def get(self, request, *args, **kwargs):
        """The account search of step 2 (htmx): the accounts ticked so far, then the matches."""
        checklist = account_checklist(
            tenant=self.tenant,
            plan=self.object,
            ticked=ticked_accounts(tenant=self.tenant, values=request.GET.getlist("accounts")),
            query=request.GET.get("q", "").strip()[:100],
            stage=request.GET.get("stage", "") if request.GET.get("stage") in AccountStage.values else "",
        )
        return TemplateResponse(
            request,
            "accounts/partials/_account_suggestions.html",
            {"plan": self.object, "account_checklist": checklist},
        )


class PlanPartnerView(PlanStepView):
    step, form_class = PlanStep.PARTNER, PartnerForm

    def perform(self, plan, data):
        services.plan_set_partner(
            tenant=self.tenant, actor=self.request.user, plan_id=plan.id, partner_id=data["partner"].id
        )


class PlanPlayView(PlanStepView):
    step, form_class = PlanStep.PLAY, PlayForm

    def perform(self, plan, data):
        services.plan_set_play(
            tenant=self.tenant, actor=self.request.user, plan_id=plan.id, play_id=data["play"].id
        )


class PlanFollowUpView(PlanStepView):
    step, form_class = PlanStep.FOLLOW_UP, FollowUpForm

    def perform(self, plan, data):
        services.plan_set_follow_up(tenant=self.tenant, actor=self.request.user, plan_id=plan.id, **data)


class PlanTargetsView(PlanStepView):
    step, form_class = PlanStep.MEASUREMENT, TargetsForm

    def perform(self, plan, data):
        services.plan_set_targets(tenant=self.tenant, actor=self.request.user, plan_id=plan.id, **data)


class PlanMeetingView(PlanPageMixin, TenantView):
    """Start the 30-minute meeting's clock."""

    permission = "plan.change"

    def post(self, request, *args, **kwargs):
        try:
            services.plan_start_meeting(tenant=self.tenant, actor=request.user, plan_id=self.object.id)
        except ServiceError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("accounts:plan_detail", args=[self.tenant.slug, self.object.id]))


class PlanKickoffView(ServiceFormView):
    """Owners of the six functions and the kickoff items."""

    permission = "plan.change"
    queryset_selector = plan_detail
    object_kwarg = "plan_id"
    template_name = "accounts/plan_kickoff.html"
    form_class = KickoffForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A fresh copy: a refused form must not leave its values on the object the page shows.
        kwargs.update(tenant=self.tenant, instance=self.get_queryset().get(id=self.object.id))
        return kwargs

    def save(self, data):
        return services.plan_update_kickoff(
            tenant=self.tenant, actor=self.request.user, plan_id=self.object.id, **data
        )

    def success_message(self, plan) -> str:
        return "Owners and kickoff saved."

    def saved_url(self, plan) -> str:
        return plan_url(self.tenant, plan.id)


class PlanActionView(TenantConfirmView):
    queryset_selector = plan_detail
    object_kwarg = "plan_id"

    def success_url(self) -> str:
        return reverse("accounts:plan_detail", args=[self.tenant.slug, self.object.id])


class PlanLaunchView(PlanActionView):
    permission = "plan.launch"
    title = "Launch this plan?"
    confirm_label = "Launch"
    danger = False

    def message(self) -> str:
        return (
            f"“{self.object}” becomes a running program with its tracking code; the day 30, 60 and 90 "
            "checkpoints are set from today, and the plan's decisions are fixed."
        )

    def perform(self) -> str:
        plan = services.plan_launch(tenant=self.tenant, actor=self.request.user, plan_id=self.object.id)
        return f"Launched. Tracking code {plan.program.tracking_code}."


class PlanCloseView(PlanActionView):
    permission = "plan.launch"
    title = "Close this plan?"
    confirm_label = "Close plan"

    def message(self) -> str:
        if self.object.status == Plan.Status.LAUNCHED:
            return "Its program completes. Checkpoints and results stay readable."
        return "It will not go ahead; its market is free for another play this quarter."

    def perform(self) -> str:
        services.plan_close(tenant=self.tenant, actor=self.request.user, plan_id=self.object.id)
        return "Plan closed."


class FollowUpDoneView(PlanActionView):
    permission = "plan.change"
    title = "Mark the follow-up done?"
    confirm_label = "Follow-up done"
    danger = False

    def message(self) -> str:
        return "Sales has called the attendees with the agreed talk track. Reminders stop."

    def perform(self) -> str:
        services.follow_up_complete(tenant=self.tenant, actor=self.request.user, plan_id=self.object.id)
        return "Follow-up marked done."


urlpatterns = [
    path("plans/", PlanBoardView.as_view(), name="plan_list"),
    path("plans/new/", PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:plan_id>/", PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:plan_id>/market/", PlanMarketView.as_view(), name="plan_market"),
    path("plans/<int:plan_id>/accounts/", PlanAccountsView.as_view(), name="plan_accounts"),
    path("plans/<int:plan_id>/partner/", PlanPartnerView.as_view(), name="plan_partner"),
    path("plans/<int:plan_id>/play/", PlanPlayView.as_view(), name="plan_play"),
    path("plans/<int:plan_id>/follow-up/", PlanFollowUpView.as_view(), name="plan_follow_up"),
    path("plans/<int:plan_id>/targets/", PlanTargetsView.as_view(), name="plan_targets"),
    path("plans/<int:plan_id>/meeting/", PlanMeetingView.as_view(), name="plan_meeting"),
    path("plans/<int:plan_id>/kickoff/", PlanKickoffView.as_view(), name="plan_kickoff"),
    path("plans/<int:plan_id>/launch/", PlanLaunchView.as_view(), name="plan_launch"),
    path("plans/<int:plan_id>/close/", PlanCloseView.as_view(), name="plan_close"),
    path("plans/<int:plan_id>/follow-up/done/", FollowUpDoneView.as_view(), name="plan_follow_up_done"),
]
