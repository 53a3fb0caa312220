"""Shared vocabularies: a partner's verticals and regions are matched against a plan's market."""

from django.db import models


class Vertical(models.TextChoices):
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


class Currency(models.TextChoices):
    """Currencies amounts may be kept in (ISO 4217). Amounts are never converted silently."""

    USD = "USD", "US dollar"
    EUR = "EUR", "Euro"
    GBP = "GBP", "Pound sterling"
    CAD = "CAD", "Canadian dollar"
    AUD = "AUD", "Australian dollar"
    JPY = "JPY", "Japanese yen"
    CHF = "CHF", "Swiss franc"
    SEK = "SEK", "Swedish krona"
    INR = "INR", "Indian rupee"
