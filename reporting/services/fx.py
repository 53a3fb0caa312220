"""FX rates: revops sets one rate (portal or API) or loads a file of them. A rate on a day that
already has one replaces it; every change is audited, because it moves the converted figures of
every report dated from that day until the next rate."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.importing.reading import decode, read_csv
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit, audit_many, snapshot
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant
from partnerhub.tenancy.taxonomy import currency_choices
from reporting.models import FxRate
from reporting.models.fx import RATE_DIGITS, RATE_PLACES
from reporting.selectors.money import reporting_currency

AUDITED = ["currency", "quote_currency", "rate_date", "rate"]
COLUMNS = {"currency": True, "date": True, "rate": True, "quote_currency": False}
MAX_RATE = Decimal(10) ** (RATE_DIGITS - RATE_PLACES)


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


class FxFileRejected(ServiceError):
    """The file had bad rows: nothing was loaded; each problem names its row and column."""

    def __init__(self, problems: list[RowProblem]):
        count = len(problems)
        super().__init__(
            f"Nothing was loaded: {count} problem{'s' if count != 1 else ''} in the file. "
            "Correct the rows below and upload the whole file again.",
            field="file",
        )
        self.problems = problems


def _check_currency(code: str, field: str) -> str:
    code = (code or "").strip().upper()
    if code not in {value for value, _ in currency_choices()}:
        raise ServiceError(f"“{code}” is not an ISO 4217 currency code (such as EUR or USD).", field=field)
    return code


def _check_rate(rate) -> Decimal:
    try:
        value = Decimal(str(rate).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError("The rate must be a number, such as 1.0825.", field="rate") from None
    if not value.is_finite() or value <= 0:
        raise ServiceError("The rate must be more than 0.", field="rate")
    if value >= MAX_RATE:
        raise ServiceError(f"The rate must be less than {MAX_RATE:,}.", field="rate")
    if value != value.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise ServiceError(f"The rate may have at most {RATE_PLACES} decimal places.", field="rate")
    return value.quantize(Decimal(1).scaleb(-RATE_PLACES))


def _checked(tenant: Tenant, currency, quote_currency, rate) -> tuple[str, str, Decimal]:
    currency = _check_currency(currency, "currency")
    quote = _check_currency(quote_currency or reporting_currency(tenant), "quote_currency")
    if currency == quote:
        raise ServiceError(
            f"A rate converts {currency} into another currency, not into itself.", field="currency"
        )
    return currency, quote, _check_rate(rate)


def _upsert(tenant, actor, currency, quote, rate_date, rate) -> tuple[FxRate, str]:
    """Create or change the day's rate; answers it and "created", "changed" or "unchanged"."""
    existing = (
        FxRate.objects.select_for_update()
        .filter(tenant=tenant, currency=currency, quote_currency=quote, rate_date=rate_date)
        .first()
    )
    if existing is None:
        created = FxRate.objects.create(
            tenant=tenant,
            currency=currency,
            quote_currency=quote,
            rate_date=rate_date,
            rate=rate,
            updated_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            tenant=tenant,
            actor=actor,
            action="fx_rate.created",
            target=created,
            after=snapshot(created, AUDITED),
        )
        return created, "created"
    if existing.rate == rate:
        return existing, "unchanged"
    before = snapshot(existing, AUDITED)
    existing.rate = rate
    existing.updated_by = actor if getattr(actor, "pk", None) else None
    existing.save(update_fields=["rate", "updated_by", "updated_at"])
    audit(
        tenant=tenant,
        actor=actor,
        action="fx_rate.changed",
        target=existing,
        before=before,
        after=snapshot(existing, AUDITED),
    )
    return existing, "changed"


def fx_rate_set(
    *,
    tenant: Tenant,
    actor: Actor,
    currency: str,
    rate_date: datetime.date,
    rate,
    quote_currency: str | None = None,
) -> FxRate:
    """Set the rate of one currency on one day (into the reporting currency unless told otherwise)."""
    currency, quote, rate = _checked(tenant, currency, quote_currency, rate)
    try:
        with transaction.atomic():
            fx_rate, _ = _upsert(tenant, actor, currency, quote, rate_date, rate)
    except IntegrityError:  # the same day set at once by another request: theirs stands
        raise ServiceError(
            "This rate was set at the same moment by someone else: reload and check it."
        ) from None
    return fx_rate


def fx_rate_update(*, tenant: Tenant, actor: Actor, fx_rate_id: int, rate) -> FxRate:
    """Correct the rate of a day already loaded (its currencies and day stay)."""
    with transaction.atomic():
        fx_rate = FxRate.objects.select_for_update().get(tenant=tenant, id=fx_rate_id)
        fx_rate, _ = _upsert(
            tenant, actor, fx_rate.currency, fx_rate.quote_currency, fx_rate.rate_date, _check_rate(rate)
        )
    return fx_rate


def fx_rate_delete(*, tenant: Tenant, actor: Actor, fx_rate_id: int) -> None:
    """Remove a rate: amounts of its days then convert at the rate before it, or not at all."""
    with transaction.atomic():
        fx_rate = FxRate.objects.select_for_update().get(tenant=tenant, id=fx_rate_id)
        before = snapshot(fx_rate, AUDITED)
        audit(tenant=tenant, actor=actor, action="fx_rate.deleted", target=fx_rate, before=before)
        fx_rate.delete()


@dataclass(frozen=True)
class LoadResult:
    created: int
    changed: int
    unchanged: int


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError("The date must be written YYYY-MM-DD, such as 2026-03-31.", field="date") from None


def fx_rates_load(*, tenant: Tenant, actor: Actor, content: bytes) -> LoadResult:
    """Load a CSV file of rates: columns currency, date, rate and optionally quote_currency (the
    reporting currency when absent or empty). All or nothing: one bad row and nothing is written;
    every problem is reported by its row (as a spreadsheet numbers it) and column."""
    parsed = read_csv(decode(content))
    header = [name.strip().lower() for name in parsed.header]
    missing = [name for name, required in COLUMNS.items() if required and name not in header]
    if missing:
        raise ServiceError(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: "
            "its first row must name the columns currency, date, rate (and optionally quote_currency).",
            field="file",
        )
    position = {name: header.index(name) for name in COLUMNS if name in header}
    problems = [RowProblem(number, "", rejected["reason"]) for number, rejected in parsed.rejected.items()]
    rows, seen = [], {}
    for number, record in parsed.records:
        if number in parsed.rejected:
            continue
        cells = {
            name: (record[index] if index < len(record) else "").strip() for name, index in position.items()
        }
        try:
            rate_date = _parse_date(cells["date"])
            currency, quote, rate = _checked(
                tenant, cells["currency"], cells.get("quote_currency"), cells["rate"]
            )
        except ServiceError as exc:
            problems.append(
                RowProblem(number, "date" if exc.field == "date" else exc.field or "", exc.message)
            )
            continue
        key = (currency, quote, rate_date)
        if key in seen:
            problems.append(
                RowProblem(number, "date", f"Row {seen[key]} already gives {currency} on {rate_date}.")
            )
            continue
        seen[key] = number
        rows.append((currency, quote, rate_date, rate))
    if problems:
        raise FxFileRejected(sorted(problems, key=lambda problem: problem.row))
    try:
        with transaction.atomic():
            return _load_rows(tenant, actor, rows)
    except IntegrityError:  # a day of the file set at the same moment by someone else
        raise ServiceError(
            "Some of these rates were set at the same moment: upload the file again."
        ) from None


def _load_rows(tenant: Tenant, actor: Actor, rows: list[tuple]) -> LoadResult:
    """Set-based: the days already loaded read (and locked) at once, then one insert, one update
    and one audit statement, whatever the number of rows."""
    existing = {
        (fx.currency, fx.quote_currency, fx.rate_date): fx
        for fx in FxRate.objects.select_for_update().filter(
            tenant=tenant,
            currency__in={row[0] for row in rows},
            quote_currency__in={row[1] for row in rows},
            rate_date__in={row[2] for row in rows},
        )
    }
    user = actor if getattr(actor, "pk", None) else None
    created, changed, events = [], [], []
    for currency, quote, rate_date, rate in rows:
        fx = existing.get((currency, quote, rate_date))
        if fx is None:
            created.append(
                FxRate(
                    tenant=tenant,
                    currency=currency,
                    quote_currency=quote,
                    rate_date=rate_date,
                    rate=rate,
                    updated_by=user,
                )
            )
        elif fx.rate != rate:
            before = snapshot(fx, AUDITED)
            fx.rate, fx.updated_by, fx.updated_at = rate, user, timezone.now()
            changed.append(fx)
            events.append(("fx_rate.changed", fx, before, snapshot(fx, AUDITED)))
    FxRate.objects.bulk_create(created)
    FxRate.objects.bulk_update(changed, ["rate", "updated_by", "updated_at"])
    events += [("fx_rate.created", fx, None, snapshot(fx, AUDITED)) for fx in created]
    audit_many(tenant=tenant, actor=actor, events=events)
    return LoadResult(
        created=len(created), changed=len(changed), unchanged=len(rows) - len(created) - len(changed)
    )
