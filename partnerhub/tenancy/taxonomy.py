"""Shared vocabularies: a partner's verticals and regions are matched against a plan's market."""

import pycountry
from django.db import models


class Vertical(models.TextChoices):
    """The default verticals: every tenant starts with these and keeps its own list from there
    (tenancy.TenantVertical, Settings → Verticals). Rows hold a vertical by its value."""

    HEALTHCARE = "healthcare", "Healthcare"
    LIFE_SCIENCES = "life_sciences", "Life sciences"
    EDUCATION = "education", "Education"
    MANUFACTURING = "manufacturing", "Manufacturing"
    FINANCIAL_SERVICES = "financial_services", "Financial services"
    RETAIL = "retail", "Retail"
    PUBLIC_SECTOR = "public_sector", "Public sector"
    TECHNOLOGY = "technology", "Technology"
    TELECOM = "telecom", "Telecommunications"
    ENERGY = "energy", "Energy & utilities"
    MEDIA = "media", "Media & entertainment"
    PROFESSIONAL_SERVICES = "professional_services", "Professional services"
    TRANSPORTATION = "transportation", "Transportation & logistics"
    HOSPITALITY = "hospitality", "Hospitality"


class Region(models.TextChoices):
    NORTH_AMERICA = "north_america", "North America"
    LATAM = "latam", "Latin America"
    UK_IRELAND = "uk_ireland", "UK & Ireland"
    DACH = "dach", "DACH"
    FRANCE = "france", "France"
    BENELUX = "benelux", "Benelux"
    NORDICS = "nordics", "Nordics"
    SOUTHERN_EUROPE = "southern_europe", "Southern Europe"
    MIDDLE_EAST_AFRICA = "middle_east_africa", "Middle East & Africa"
    INDIA = "india", "India"
    ASIA = "asia", "Asia"
    JAPAN = "japan", "Japan"
    ANZ = "anz", "Australia & New Zealand"


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMB = "smb", "Small business"
    PUBLIC = "public", "Public sector"


# Every active ISO 4217 currency, from pycountry (Debian's iso-codes list, which follows ISO's
# amendments: a new code, or one withdrawn, comes with a package upgrade), as (code, label).
_CURRENCIES = sorted(
    (currency.alpha_3, f"{currency.alpha_3} - {currency.name}") for currency in pycountry.currencies
)


def currency_choices() -> list[tuple[str, str]]:
    """The choices of a currency field. Fields take this function, not its list: a migration then
    names the function instead of copying 178 codes, and an upgrade of the list needs none."""
    return _CURRENCIES


def currency_code(text: str) -> str | None:
    """The active ISO 4217 code that `text` names (a code or an English name, in any case), or None."""
    try:
        return pycountry.currencies.lookup(text.strip()).alpha_3
    except LookupError:
        return None


class Currency:
    """Currencies amounts may be kept in: every active ISO 4217 code. Amounts are never converted
    silently. `Currency.choices` is the callable for a field's `choices`."""

    USD = "USD"
    choices = staticmethod(currency_choices)
