"""The words CRMs write for stages, industries and countries, and what they mean here by default.

A tenant's own mappings (ValueMapping, Admin → Import vocabulary) come first; these built-in
ones cover the standard values of Salesforce and HubSpot, so their exports import as they come.
Keys are folded (`fold_value`): case, spaces, underscores, dashes and slashes do not matter.
"""

from __future__ import annotations

import functools
import re

import pycountry

from accounts.models import AccountStage, OpportunityStage
from partnerhub.tenancy.taxonomy import Region, Vertical


def fold_value(text: str) -> str:
    """“Proposal/Price Quote”, “proposal price quote” and “PROPOSAL_PRICE-QUOTE” are one word."""
    return re.sub(r"[\s_\-/.,&()]+", " ", str(text).strip().lower()).strip()


S = OpportunityStage
# Salesforce's standard opportunity stages and HubSpot's default sales pipeline (internal names as
# exports write them, and their labels).
OPPORTUNITY_STAGES = {
    "prospecting": S.PROSPECTING,
    "qualification": S.QUALIFICATION,
    "needs analysis": S.QUALIFICATION,
    "value proposition": S.QUALIFICATION,
    "id decision makers": S.QUALIFICATION,
    "perception analysis": S.PROPOSAL,
    "proposal price quote": S.PROPOSAL,
    "negotiation review": S.NEGOTIATION,
    "closed won": S.CLOSED_WON,
    "closed lost": S.CLOSED_LOST,
    "appointmentscheduled": S.PROSPECTING,
    "appointment scheduled": S.PROSPECTING,
    "qualifiedtobuy": S.QUALIFICATION,
    "qualified to buy": S.QUALIFICATION,
    "presentationscheduled": S.PROPOSAL,
    "presentation scheduled": S.PROPOSAL,
    "decisionmakerboughtin": S.PROPOSAL,
    "decision maker bought in": S.PROPOSAL,
    "contractsent": S.NEGOTIATION,
    "contract sent": S.NEGOTIATION,
    "closedwon": S.CLOSED_WON,
    "closedlost": S.CLOSED_LOST,
}

# Salesforce's standard account Types and HubSpot's "Customer" lifecycle stage, as the stage set by
# hand (the other types — partners, "Other" — say nothing about buying and are left to the mapping).
ACCOUNT_STAGES = {
    "customer": AccountStage.EXISTING_CUSTOMER,
    "customer direct": AccountStage.EXISTING_CUSTOMER,
    "customer channel": AccountStage.EXISTING_CUSTOMER,
    "prospect": AccountStage.NET_NEW,
}

V = Vertical
# Salesforce's standard Industry picklist and HubSpot's industry property (internal names).
INDUSTRIES = {
    "healthcare": V.HEALTHCARE,
    "hospital health care": V.HEALTHCARE,
    "medical practice": V.HEALTHCARE,
    "medical devices": V.HEALTHCARE,
    "health wellness and fitness": V.HEALTHCARE,
    "biotechnology": V.LIFE_SCIENCES,
    "pharmaceuticals": V.LIFE_SCIENCES,
    "education": V.EDUCATION,
    "education management": V.EDUCATION,
    "higher education": V.EDUCATION,
    "primary secondary education": V.EDUCATION,
    "e learning": V.EDUCATION,
    "manufacturing": V.MANUFACTURING,
    "machinery": V.MANUFACTURING,
    "industrial automation": V.MANUFACTURING,
    "automotive": V.MANUFACTURING,
    "chemicals": V.MANUFACTURING,
    "electrical electronic manufacturing": V.MANUFACTURING,
    "banking": V.FINANCIAL_SERVICES,
    "finance": V.FINANCIAL_SERVICES,
    "insurance": V.FINANCIAL_SERVICES,
    "financial services": V.FINANCIAL_SERVICES,
    "investment banking": V.FINANCIAL_SERVICES,
    "investment management": V.FINANCIAL_SERVICES,
    "accounting": V.FINANCIAL_SERVICES,
    "retail": V.RETAIL,
    "apparel": V.RETAIL,
    "apparel fashion": V.RETAIL,
    "consumer goods": V.RETAIL,
    "consumer products": V.RETAIL,
    "food beverages": V.RETAIL,
    "government": V.PUBLIC_SECTOR,
    "government administration": V.PUBLIC_SECTOR,
    "public safety": V.PUBLIC_SECTOR,
    "military": V.PUBLIC_SECTOR,
    "technology": V.TECHNOLOGY,
    "computer software": V.TECHNOLOGY,
    "information technology and services": V.TECHNOLOGY,
    "internet": V.TECHNOLOGY,
    "computer hardware": V.TECHNOLOGY,
    "computer network security": V.TECHNOLOGY,
    "electronics": V.TECHNOLOGY,
    "communications": V.TELECOM,
    "telecommunications": V.TELECOM,
    "wireless": V.TELECOM,
    "energy": V.ENERGY,
    "utilities": V.ENERGY,
    "oil energy": V.ENERGY,
    "renewables environment": V.ENERGY,
    "media": V.MEDIA,
    "entertainment": V.MEDIA,
    "media production": V.MEDIA,
    "broadcast media": V.MEDIA,
    "publishing": V.MEDIA,
    "consulting": V.PROFESSIONAL_SERVICES,
    "management consulting": V.PROFESSIONAL_SERVICES,
    "legal services": V.PROFESSIONAL_SERVICES,
    "law practice": V.PROFESSIONAL_SERVICES,
    "engineering": V.PROFESSIONAL_SERVICES,
    "transportation": V.TRANSPORTATION,
    "shipping": V.TRANSPORTATION,
    "logistics and supply chain": V.TRANSPORTATION,
    "transportation trucking railroad": V.TRANSPORTATION,
    "airlines aviation": V.TRANSPORTATION,
    "hospitality": V.HOSPITALITY,
    "hospitality travel": V.HOSPITALITY,
    "leisure travel tourism": V.HOSPITALITY,
    "restaurants": V.HOSPITALITY,
    "recreation": V.HOSPITALITY,
}

R = Region
# ISO 3166 alpha-2 codes of each region. A country in none (e.g. much of Eastern Europe) gets no
# region from its country: the tenant maps it where it sells there.
_REGION_COUNTRIES = {
    R.NORTH_AMERICA: "US CA PR",
    R.LATAM: (
        "MX GT BZ SV HN NI CR PA CU DO HT JM TT BS BB AR BO BR CL CO EC GY PY PE SR UY VE "
        "AG DM GD KN LC VC AW CW"
    ),
    R.UK_IRELAND: "GB IE IM JE GG",
    R.DACH: "DE AT CH LI",
    R.FRANCE: "FR MC",
    R.BENELUX: "BE NL LU",
    R.NORDICS: "DK SE NO FI IS",
    R.SOUTHERN_EUROPE: "ES PT IT GR MT CY AD SM VA",
    R.MIDDLE_EAST_AFRICA: (
        "AE SA QA KW BH OM YE IL JO LB SY IQ IR TR EG LY TN DZ MA SD ZA NG KE GH ET TZ UG RW "
        "CI SN CM AO MZ ZM ZW BW NA MU MG"
    ),
    R.INDIA: "IN",
    R.ASIA: "CN HK TW KR SG MY TH ID PH VN PK BD LK NP KH LA MM MN BN MO KZ UZ",
    R.JAPAN: "JP",
    R.ANZ: "AU NZ",
}
REGION_OF_COUNTRY = {code: region for region, codes in _REGION_COUNTRIES.items() for code in codes.split()}
# Names exports write that pycountry does not know by that name.
_COUNTRY_NAMES = {
    "usa": "US",
    "united states of america": "US",
    "u s a": "US",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "deutschland": "DE",
    "osterreich": "AT",
    "österreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "espana": "ES",
    "españa": "ES",
    "italia": "IT",
    "nederland": "NL",
    "holland": "NL",
    "belgique": "BE",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "uae": "AE",
    "turkey": "TR",
    "macedonia": "MK",
    "ivory coast": "CI",
    "cape verde": "CV",
    "brunei": "BN",
    "palestine": "PS",
    "kosovo": "XK",
    "macau": "MO",
    "macao": "MO",
    "micronesia": "FM",
    "vatican": "VA",
    "vatican city": "VA",
}


@functools.lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO alpha-2 code a country cell names (code, English or common local name), or None."""
    folded = fold_value(text)
    if not folded:
        return None
    if folded in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[folded]
    # An exact lookup only: a fuzzy search reads "Other" or "none" as some country.
    try:
        return pycountry.countries.lookup(str(text).strip()).alpha_2
    except LookupError:
        return None


def region_of_country(text: str) -> str | None:
    code = country_code(text)
    return REGION_OF_COUNTRY.get(code) if code else None


BUILTIN = {
    "opportunity_stage": {key: str(value) for key, value in OPPORTUNITY_STAGES.items()},
    "industry": {key: str(value) for key, value in INDUSTRIES.items()},
    "region": {},  # countries are read by `region_of_country`
    "lead_source": {},  # the partners are the tenant's own
}
