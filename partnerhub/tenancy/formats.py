"""Money, dates and numbers as the tenant reads them: in its locale and its time zone (babel).

The one place that formats them for people; templates reach it through the filters of
`tenancy_tags` (`money`, `local_date`, `local_datetime`, `number`), the audit presenter calls it
directly. Outside a tenant (sign-in pages, operator tools) the project's defaults apply.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from babel import UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from partnerhub.tenancy.context import get_active_tenant

DEFAULT_LOCALE = "en_US"


class PortalLocale(models.TextChoices):
    """Locales a tenant may read the portal in: how its money, dates and times are written."""

    EN_US = "en_US", "English (United States)"
    EN_GB = "en_GB", "English (United Kingdom)"
    EN_IE = "en_IE", "English (Ireland)"
    EN_CA = "en_CA", "English (Canada)"
    EN_AU = "en_AU", "English (Australia)"
    EN_IN = "en_IN", "English (India)"
    DE_DE = "de_DE", "German (Germany)"
    DE_AT = "de_AT", "German (Austria)"
    DE_CH = "de_CH", "German (Switzerland)"
    FR_FR = "fr_FR", "French (France)"
    NL_NL = "nl_NL", "Dutch (Netherlands)"
    NL_BE = "nl_BE", "Dutch (Belgium)"
    SV_SE = "sv_SE", "Swedish (Sweden)"
    NB_NO = "nb_NO", "Norwegian (Norway)"
    DA_DK = "da_DK", "Danish (Denmark)"
    FI_FI = "fi_FI", "Finnish (Finland)"
    ES_ES = "es_ES", "Spanish (Spain)"
    IT_IT = "it_IT", "Italian (Italy)"
    PT_BR = "pt_BR", "Portuguese (Brazil)"
    JA_JP = "ja_JP", "Japanese (Japan)"


def validate_locale(value: str) -> None:
    if value not in PortalLocale.values:
        raise ValidationError(f"“{value}” is not a locale the portal offers (use one such as en_GB).")


def active_locale() -> str:
    tenant = get_active_tenant()
    return getattr(tenant, "locale", "") or DEFAULT_LOCALE


def active_zone() -> datetime.tzinfo:
    """The active tenant's time zone, whatever activated the tenant (a page, an API call, a task);
    Django's current time zone outside a tenant."""
    tenant = get_active_tenant()
    return tenant.zone if tenant is not None else timezone.get_current_timezone()


def _as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def format_money(amount, currency: str) -> str:
    """`$40,000.00` (en_US), `40.000,00 €` (de_DE): the currency's own decimals, never converted."""
    number = _as_decimal(amount)
    if number is None:
        return ""
    try:
        return babel_numbers.format_currency(number, currency, locale=active_locale())
    except (UnknownLocaleError, ValueError):
        return f"{format_number(number)} {currency}".strip()


def format_number(value) -> str:
    """`12,500` (en_US), `12.500` (de_DE); decimals kept as given."""
    number = _as_decimal(value)
    if number is None:
        return ""
    return babel_numbers.format_decimal(number, locale=active_locale(), decimal_quantization=False)


def format_percent(ratio) -> str:
    """A ratio as a percentage: `0.425` → `42.5%` (en_US), `42,5 %` (de_DE); empty for none."""
    number = _as_decimal(ratio)
    if number is None:
        return ""
    return babel_numbers.format_percent(number, "#,##0.#%", locale=active_locale())


def _to_local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value.astimezone(active_zone())


def format_date(value) -> str:
    """`Dec 31, 2026` (en_US), `31 Dec 2026` (en_GB), `31.12.2026` (de_DE). A moment is first
    moved to the tenant's time zone, so late evening does not show as the next day."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _to_local(value).date()
    return babel_dates.format_date(value, format="medium", locale=active_locale())


def format_datetime(value) -> str:
    """`Dec 1, 2026, 9:38 PM` (en_US), `1 Dec 2026, 21:38` (en_GB), in the tenant's time zone."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    locale = active_locale()
    local = _to_local(value)
    pattern = babel_dates.get_datetime_format("medium", locale=locale)
    return pattern.replace("'", "").format(
        babel_dates.format_time(local, format="short", locale=locale),
        babel_dates.format_date(local.date(), format="medium", locale=locale),
    )
