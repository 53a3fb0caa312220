"""Portal pages of MDF funds (docs/mdf.md, "Funds pages").

Staff with "mdf.view" read the funds of a quarter with their balances and bar, a fund's
allocations per partner and per tier pool, and its ledger (filtered, paged, CSV); staff with
"mdf.change" create funds, allocate and reallocate, through mdf.services. A partner's users read
"My funds": their company's allocations of the quarter and the pools of their tier. The funds and
the ledger are the vendor's: a partner user asking for one gets a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.generic import TemplateView

from mdf import services
from mdf.filters_funds import FundLedgerFilter
from mdf.forms_funds import AllocationForm, FundForm, ReallocationForm
from mdf.selectors.balances import ledger_list
from mdf.selectors.funds import (
    Quarter,
    allocation_list,
    allocation_targets,
    bar_parts,
    current_quarter,
    fund_allocations,
    fund_list,
    funds_of_quarter,
    my_funds,
    quarter_choices,
)
from partnerhub.tenancy.models import Partner
from partnerhub.tenancy.portal import ServiceFormView, TenantListView, TenantView
from partnerhub.tenancy.scoping import scope_for

VIEW = "mdf.view"
CHANGE = "mdf.change"


def fund_url(tenant, fund_id: int) -> str:
    return reverse("mdf:fund_detail", kwargs={"tenant_slug": tenant.slug, "fund_id": fund_id})


class QuarterMixin:
    """`?quarter=2026-Q4` picks the quarter; none (or an unreadable one): the current quarter in
    the tenant's time zone."""

    def quarter(self) -> Quarter:
        return Quarter.parse(self.request.GET.get("quarter")) or current_quarter(tenant=self.tenant)

    def quarter_context(self, quarter: Quarter) -> dict:
        return {
            "quarter": quarter,
            "quarters": quarter_choices(tenant=self.tenant, around=current_quarter(tenant=self.tenant)),
            "previous_quarter": quarter.shifted(-1),
            "next_quarter": quarter.shifted(1),
        }


class FundListView(QuarterMixin, TenantView, TemplateView):
    """The funds of a quarter, each with its balances and bar: one query whatever their number."""

    permission = VIEW
    template_name = "mdf/funds/fund_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarter = self.quarter()
        context.update(
            self.quarter_context(quarter),
            funds=funds_of_quarter(tenant=self.tenant, quarter=quarter),
            can_change=self.can(CHANGE),
        )
        return context


class FundCreateView(ServiceFormView):
    permission = CHANGE
    template_name = "mdf/funds/fund_form.html"
    form_class = FundForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant}

    def get_initial(self):
        quarter = Quarter.parse(self.request.GET.get("quarter")) or current_quarter(tenant=self.tenant)
        return {"year": quarter.year, "quarter": quarter.quarter}

    def save(self, data):
        fields = {name: value for name, value in data.items() if value not in (None, "")}
        return services.fund_create(tenant=self.tenant, actor=self.request.user, **fields)

    def success_message(self, fund) -> str:
        return f"{fund.name} created: {fund.amount} {fund.currency} for Q{fund.quarter} {fund.year}."

    def saved_url(self, fund) -> str:
        return fund_url(self.tenant, fund.id)


class FundView(TenantView):
    permission = VIEW
    queryset_selector = fund_list
    object_kwarg = "fund_id"


class FundDetailView(FundView, TemplateView):
    """A fund with its balances and bar, its allocations per partner and per tier pool (each with
    its balances), and the form to allocate more."""

    template_name = "mdf/funds/fund_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fund = self.object
        can_change = self.can(CHANGE)
        context.update(
            fund=fund,
            bar=bar_parts(fund),
            tier_labels=[str(Partner.Tier(tier).label).lower() for tier in fund.tiers],
            allocations=fund_allocations(tenant=self.tenant, fund=fund),
            can_change=can_change,
            form=AllocationForm(partners=allocation_targets(tenant=self.tenant, fund=fund))
            if can_change
            else None,
        )
        return context


class AllocationCreateView(FundView, ServiceFormView):
    permission = CHANGE
    template_name = "mdf/funds/allocation_form.html"

    def get_form(self, form_class=None):
        return AllocationForm(
            **self.get_form_kwargs(), partners=allocation_targets(tenant=self.tenant, fund=self.object)
        )

    def save(self, data):
        partner = data.get("partner")
        return services.allocation_create(
            tenant=self.tenant,
            actor=self.request.user,
            fund_id=self.object.id,
            partner_id=partner.id if partner else None,
            tier=data.get("tier") or "",
            amount=data["amount"],
            note=data.get("note") or "",
        )

    def success_message(self, allocation) -> str:
        amount = self.request.POST.get("amount")
        return f"Allocated {amount} {self.object.currency} to {allocation_label(allocation)}."

    def saved_url(self, allocation) -> str:
        return fund_url(self.tenant, self.object.id)


def allocation_label(allocation) -> str:
    if allocation is None:
        return "the fund"
    return allocation.partner.name if allocation.partner_id else f"the {allocation.get_tier_display()} pool"


class AllocationReallocateView(ServiceFormView):
    """Move an allocation's available money back to the fund or on to another partner or pool:
    the first submission shows what will move and asks to confirm; the second moves it."""

    permission = CHANGE
    queryset_selector = allocation_list
    object_kwarg = "allocation_id"
    template_name = "mdf/funds/reallocate_form.html"

    def get_form(self, form_class=None):
        fund = self.object.fund
        return ReallocationForm(
            **self.get_form_kwargs(), partners=allocation_targets(tenant=self.tenant, fund=fund)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, allocation=self.object, fund=self.object.fund)

    def form_valid(self, form):
        if not form.cleaned_data.get("confirmed"):
            data = form.cleaned_data
            target = data.get("to_partner")
            context = self.get_context_data(
                form=form,
                confirming=True,
                to_label=target.name
                if target
                else (
                    f"the {dict(form.fields['to_tier'].choices)[data['to_tier']]} pool"
                    if data.get("to_tier")
                    else "the fund"
                ),
            )
            return TemplateResponse(self.request, self.template_name, context)
        return super().form_valid(form)

    def save(self, data):
        target = data.get("to_partner")
        return services.allocation_reallocate(
            tenant=self.tenant,
            actor=self.request.user,
            allocation_id=self.object.id,
            amount=data["amount"],
            to_partner_id=target.id if target else None,
            to_tier=data.get("to_tier") or "",
            note=data.get("note") or "",
        )

    def success_message(self, target) -> str:
        return (
            f"Reallocated {self.request.POST.get('amount')} {self.object.fund.currency} from "
            f"{allocation_label(self.object)} to {allocation_label(target)}."
        )

    def saved_url(self, target) -> str:
        return fund_url(self.tenant, self.object.fund_id)


class FundLedgerView(FundView, TenantListView):
    """A fund's ledger, newest first: filtered by kind, allocation, partner and dates, paged;
    `?export=csv` downloads what the filters match."""

    queryset_selector = None
    template_name = "mdf/funds/ledger_list.html"
    partial_template_name = "mdf/funds/_ledger_table.html"
    filterset_class = FundLedgerFilter
    paginate_by = 50
    csv_name = "mdf-ledger"
    csv_columns = [
        ("Number", "seq"),
        ("Time", "created_at"),
        ("Kind", "get_kind_display"),
        ("Amount", "amount"),
        ("Currency", "currency"),
        ("Partner or pool", lambda entry: allocation_label(entry.allocation) if entry.allocation_id else ""),
        ("By", "actor_label"),
        ("Note", "note"),
        ("Fund allocated", "fund_allocated"),
        ("Fund reserved", "fund_reserved"),
        ("Fund claimed", "fund_claimed"),
        ("Fund paid", "fund_paid"),
        ("Fund expired", "fund_expired"),
        ("Fund available", "fund_available"),
    ]

    def get_object(self):
        if getattr(self, "_object", None) is None:
            funds = scope_for(fund_list(tenant=self.tenant), tenant=self.tenant, membership=self.membership)
            self._object = get_object_or_404(funds, pk=self.kwargs[self.object_kwarg])
        return self._object

    def get_queryset(self):
        entries = ledger_list(tenant=self.tenant, fund_id=self.object.id)
        return scope_for(entries, tenant=self.tenant, membership=self.membership)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, fund=self.object)


class MyFundsView(QuarterMixin, TenantView, TemplateView):
    """A partner's "My funds": its company's allocations of the quarter with their balances, and
    the pools of its tier it may draw on through the catalog. Staff have the funds pages."""

    permission = "allocation.view"
    template_name = "mdf/funds/my_funds.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.membership.is_partner_role:  # staff read the funds themselves
            return redirect("mdf:fund_list", tenant_slug=self.tenant.slug)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quarter = self.quarter()
        context.update(
            self.quarter_context(quarter),
            mine=my_funds(tenant=self.tenant, partner=self.membership.partner, quarter=quarter),
        )
        return context


FUND = "funds/<int:fund_id>/"

urlpatterns = [
    path("funds/", FundListView.as_view(), name="fund_list"),
    path("funds/new/", FundCreateView.as_view(), name="fund_create"),
    path(FUND, FundDetailView.as_view(), name="fund_detail"),
    path(f"{FUND}allocate/", AllocationCreateView.as_view(), name="allocation_create"),
    path(f"{FUND}ledger/", FundLedgerView.as_view(), name="fund_ledger"),
    path(
        "funds/allocations/<int:allocation_id>/reallocate/",
        AllocationReallocateView.as_view(),
        name="allocation_reallocate",
    ),
    path("my-funds/", MyFundsView.as_view(), name="my_funds"),
]
