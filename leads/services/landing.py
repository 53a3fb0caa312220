"""The landing page's door of the intake: a person sends the form of a program's public page.

The rules:
- The arrival is a `lead_intake` like every other door: source landing page, the program's tracking
  code, a `landing_page_visit` touch. The same email again merges into the lead as a new touch.
- The touch carries the UTM parameters of the link the person came by (utm_source, utm_medium,
  utm_campaign, utm_content) and, when they ticked it, the consent wording they agreed to; the lead
  records the consent with its time and method.
- A filled honeypot (a field hidden from people, which bots fill) writes nothing; the page answers
  it as it answers a person, so a bot learns nothing from the answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from accounts.models import Program
from leads.models import LeadSource
from leads.services.leads import Intake, lead_intake
from partnerhub.tenancy.models import Tenant

UTM_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "utm_content"]
PERSON_FIELDS = ["email", "first_name", "last_name", "title", "company_name"]
CONSENT_METHOD = "landing page form, checkbox"


def landing_consent_wording(*, tenant: Tenant, program: Program) -> str:
    """What the person agrees to when they tick the box: shown beside it, kept on their touch."""
    return (
        f"Yes, {tenant.name} and {program.partner.name} may email me about this offer and related "
        "products and events. I can unsubscribe at any time."
    )


def landing_submit(*, tenant: Tenant, program: Program, data: Mapping, honeypot: str = "") -> Intake | None:
    """A landing page's form, sent (`data`: the person's fields, `consent`, the UTM fields). Creates
    or merges the person's lead; None, writing nothing, when the honeypot is filled."""
    if honeypot:
        return None
    details = {name: data[name] for name in UTM_FIELDS if data.get(name)}
    arrival = {name: data.get(name, "") for name in PERSON_FIELDS}
    arrival.update(tracking_code=program.tracking_code, utm_campaign=data.get("utm_campaign", ""))
    if data.get("consent"):
        details["consent_wording"] = landing_consent_wording(tenant=tenant, program=program)
        arrival.update(consent=True, consent_at=timezone.now(), consent_method=CONSENT_METHOD)
    arrival["details"] = details
    # No person is signed in: the page acts as the system (the audit trail says "System").
    return lead_intake(tenant=tenant, actor=None, data=arrival, source=LeadSource.LANDING_PAGE)
