"""Demo leads for `seed_demo`: people from the demo tenant's target accounts (and one from a free-mail
address) who came through the launched program's event and landing page, some of them twice, so
the leads list, the merge and the touches timeline have something to show. Scored on arrival by the
program's rules: two of them (a CIO who attended and booked a meeting, a VP who downloaded, replied
and met) end ready as MQLs; the others stay in nurture. Runs through the intake
service, as every door does. Idempotent: nothing is created when the tenant has leads already."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Program
from leads.models import Lead, LeadSource, TouchKind
from leads.services import lead_intake
from partnerhub.tenancy.models import Tenant

# (first name, last name, title, email, door, touch)
ARRIVALS = [
    (
        "Dana",
        "Whitfield",
        "CIO",
        "dana.whitfield@mercygeneral.example",
        "event",
        TouchKind.EVENT_REGISTERED,
    ),
    ("Dana", "Whitfield", "CIO", "dana.whitfield@mercygeneral.example", "event", TouchKind.EVENT_ATTENDED),
    ("Dana", "Whitfield", "CIO", "dana.whitfield@mercygeneral.example", "api", TouchKind.MEETING),
    ("Luis", "Ortega", "Director of IT", "l.ortega@harborpeds.example", "event", TouchKind.EVENT_REGISTERED),
    ("Luis", "Ortega", "Director of IT", "l.ortega@harborpeds.example", "event", TouchKind.EVENT_NO_SHOW),
    ("Amara", "Okafor", "VP Clinical Systems", "amara@mercygeneral.example", "landing_page", None),
    ("Amara", "Okafor", "", "amara@mercygeneral.example", "api", TouchKind.ASSET_DOWNLOADED),
    ("Amara", "Okafor", "", "amara@mercygeneral.example", "api", TouchKind.EMAIL_REPLY),
    ("Amara", "Okafor", "", "amara@mercygeneral.example", "api", TouchKind.MEETING),
    (
        "Jonas",
        "Keller",
        "Head of Operations",
        "jonas.keller@donau-praezision.example",
        "api",
        TouchKind.MEETING,
    ),
    ("Priya", "Nair", "IT Manager", "priya.nair@bayviewlabs.example", "landing_page", None),
    ("Sam", "Porter", "Consultant", "sam.porter@gmail.com", "landing_page", None),
    ("Grace", "Lin", "Procurement Lead", "grace.lin@maplevalley.example", "api", TouchKind.EMAIL_REPLY),
]


def seed_leads(tenant: Tenant) -> None:
    if Lead.objects.filter(tenant=tenant).exists():
        return
    program = Program.objects.filter(tenant=tenant).order_by("id").first()
    start = timezone.now() - timedelta(days=len(ARRIVALS))
    for day, (first, last, title, email, door, touch) in enumerate(ARRIVALS):
        data = {"email": email, "first_name": first, "last_name": last, "title": title}
        if program is not None and door != LeadSource.API:
            data["tracking_code"] = program.tracking_code
        if touch:
            data["touch_kind"] = touch
        data["occurred_at"] = start + timedelta(days=day, hours=10)
        if door == LeadSource.LANDING_PAGE:
            data.update(consent=True, consent_at=data["occurred_at"], consent_method="landing page form")
        lead_intake(tenant=tenant, actor=None, data=data, source=door)
