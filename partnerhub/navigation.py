"""The portal's navigation, declared once and filtered by the user's role.

Each entry: label, URL name (under /t/<tenant_slug>/), the permission it needs (None: everyone in
the audience), and the audience ("staff", "partner" or "all"). Apps add their entries here.
"""

from dataclasses import dataclass

from django.urls import reverse

from partnerhub.tenancy.roles import can


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None
    audience: str = "all"
    section: str = "Work"


NAV: list[NavItem] = [
    NavItem("Dashboard", "tenancy:dashboard", audience="staff"),
    NavItem("Home", "tenancy:dashboard", audience="partner"),
    NavItem("Notifications", "tenancy:notification_list", "notification.view"),
    NavItem("Plans", "accounts:plan_list", "plan.view"),
    NavItem("Programs", "accounts:program_list", "program.view"),
    NavItem("Lead inbox", "leads:handoff_list", "handoff.view", audience="partner"),
    NavItem("My accounts", "accounts:claim_list", "claim.view", audience="partner"),
    NavItem("Upload my accounts", "accounts:import_claims_create", "claim.change", audience="partner"),
    NavItem("My deal registrations", "leads:registration_list", "registration.view", audience="partner"),
    NavItem("My funds", "mdf:my_funds", "allocation.view", audience="partner"),
    NavItem("My fund requests", "mdf:request_list", "mdf_request.view", audience="partner"),
    NavItem("My claims", "mdf:claim_list", "mdf_request.view", audience="partner"),
    NavItem("Accounts", "accounts:account_list", "account.view", audience="staff", section="Accounts"),
    NavItem(
        "Opportunities", "accounts:opportunity_list", "account.view", audience="staff", section="Accounts"
    ),
    NavItem("Account mapping", "accounts:mapping_list", "mapping.view", audience="staff", section="Accounts"),
    NavItem(
        "Partner suggestions",
        "accounts:claim_suggestions",
        "mapping.view",
        audience="staff",
        section="Accounts",
    ),
    NavItem("Leads", "leads:lead_list", "lead.view", audience="staff", section="Accounts"),
    NavItem("Handoffs", "leads:handoff_list", "handoff.view", audience="staff", section="Accounts"),
    NavItem("Routing queue", "leads:routing_queue", "lead.view", audience="staff", section="Accounts"),
    NavItem("Lead figures", "leads:partner_figures", "lead.view", audience="staff", section="Accounts"),
    NavItem(
        "Deal registrations",
        "leads:registration_queue",
        "registration.review",
        audience="staff",
        section="Accounts",
    ),
    NavItem("Funds", "mdf:fund_list", "mdf.view", audience="staff", section="MDF"),
    NavItem("Fund requests", "mdf:request_queue", "mdf.change", audience="staff", section="MDF"),
    NavItem("Claims", "mdf:claim_queue", "mdf.change", audience="staff", section="MDF"),
    NavItem("Held tranches", "mdf:tranche_held", "mdf.change", audience="staff", section="MDF"),
    NavItem("MDF catalog", "mdf:catalog_list", "mdf.view", audience="staff", section="MDF"),
    NavItem("Scorecard", "reporting:scorecard", "report.view", audience="staff", section="Reporting"),
    NavItem("Attribution", "reporting:attribution", "report.view", audience="staff", section="Reporting"),
    NavItem("Method views", "reporting:method", "report.view", audience="staff", section="Reporting"),
    NavItem("Executive", "reporting:executive", "report.view", audience="staff", section="Reporting"),
    NavItem("Operational", "reporting:operational", "report.view", audience="staff", section="Reporting"),
    NavItem(
        "Checkpoints", "reporting:checkpoint_list", "checkpoint.view", audience="staff", section="Reporting"
    ),
    NavItem("Imports", "accounts:import_list", "account.view", audience="staff", section="Accounts"),
    NavItem("Plays", "plays:play_list", "play.view", audience="staff", section="Playbook"),
    NavItem("Packages", "plays:package_list", "play.view", audience="staff", section="Playbook"),
    NavItem("Partners", "tenancy:partner_list", "partner.view", audience="staff"),
    NavItem("Members", "tenancy:member_list", "member.view", audience="staff"),
    NavItem("Settings", "tenancy:tenant_settings", "tenant.change", audience="staff", section="Admin"),
    # Where rows.py's "map it in Settings → Import vocabulary" points; also reached from Imports.
    NavItem(
        "Import vocabulary", "accounts:import_vocabulary", "account.view", audience="staff", section="Admin"
    ),
    NavItem("FX rates", "reporting:fx_rate_list", "report.view", audience="staff", section="Admin"),
    NavItem("Reporting settings", "reporting:settings", "report.view", audience="staff", section="Admin"),
    NavItem("Business calendars", "leads:calendar_list", "calendar.view", audience="staff", section="Admin"),
    NavItem("Status mapping", "leads:status_mapping_list", "lead.view", audience="staff", section="Admin"),
    NavItem("SLA policies", "leads:sla_policy_list", "sla_policy.view", audience="staff", section="Admin"),
    # Tenant admins keep every key; partner admins their own company's partner keys.
    NavItem("API keys", "tenancy:api_key_list", "apikey.manage", section="Admin"),
    NavItem("Audit trail", "tenancy:audit_list", "audit.view", audience="staff", section="Admin"),
    NavItem("System status", "tenancy:system_status", "system.view", audience="staff", section="Admin"),
]


def nav_for(request) -> list[dict]:
    """Sections of links for this membership; the current page's link is marked active."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    audience = "partner" if membership.is_partner_role else "staff"
    sections: dict[str, list[dict]] = {}
    for item in NAV:
        if item.audience not in ("all", audience):
            continue
        if item.permission and not can(membership.role, item.permission):
            continue
        url = reverse(item.url_name, kwargs={"tenant_slug": membership.tenant.slug})
        active = request.path == url if item.url_name.endswith("dashboard") else request.path.startswith(url)
        sections.setdefault(item.section, []).append(
            {"label": item.label, "url": url, "active": active, "url_name": item.url_name}
        )
    # A page under two links (imports/vocabulary/ is under imports/) marks the closer one only.
    active_items = [entry for items in sections.values() for entry in items if entry["active"]]
    for entry in active_items:
        entry["active"] = len(entry["url"]) == max(len(other["url"]) for other in active_items)
    return [{"name": name, "items": items} for name, items in sections.items()]
