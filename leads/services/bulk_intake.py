"""The bulk intake, set-based: a chunk of arrivals costs a fixed number of statements, whatever its
number of rows, and ends exactly as one `lead_intake` per row would (leads.services.leads keeps
the rules; this module applies them to many rows at once).

Per chunk: the programs, the accounts, the leads the rows name (locked) and their touches at the
rows' times are read in one query each; each row is then judged in order, in memory, with the
rules of the single intake (`_arrival`, `_merge`, `touch_kind`, the audit's shapes); then one
INSERT … ON CONFLICT DO NOTHING of the new leads, one UPDATE of the merged ones, one INSERT of the
touches, one of each kind of audit event, and one rescoring (`leads_rescore`) of every lead a row
changed.

Races: a new lead another arrival inserted meanwhile is skipped by the INSERT (the unique (tenant,
email) index decides) and the row merges into it, as the single intake's savepoint does. Any other
integrity error (a CRM id another lead took meanwhile) rolls the chunk back and takes its rows one
by one through `lead_intake`, which reports such a row by itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from accounts.rows import NumberedRow, rejection, row_errors
from accounts.services.upserts import UpsertReport
from leads.models import Lead, Touch
from leads.rows import LeadRow
from leads.selectors.intake import (
    accounts_by_domain,
    leads_for_keys,
    programs_by_campaign,
    programs_by_code,
    touch_keys,
)
from leads.selectors.scoring import lead_touch_counts
from leads.services.leads import (
    CONSENT_FIELDS,
    FILLABLE_FIELDS,
    Intake,
    Lookups,
    _arrival,
    _clean,
    _merge,
    _needs_email,
    _touch_details,
    created_audit,
    email_and_domain,
    lead_intake,
    merged_audit,
    touch_kind,
)
from leads.services.scoring import SCORED_FIELDS, leads_scored
from partnerhub.tenancy.actors import Actor
from partnerhub.tenancy.audit import audit_many, snapshot
from partnerhub.tenancy.bulk_sql import insert_rows, update_rows
from partnerhub.tenancy.errors import ServiceError
from partnerhub.tenancy.models import Tenant

# Rows judged and written together: the API's bulk call is one chunk (partnerhub.tenancy.api.bulk).
CHUNK_ROWS = 1000
# A lead of the bulk intake is cleaned on what the intake derived from its row (the company's
# domain) only: LeadRow validated the row's fields with the model's own limits, the relations are
# the row's lookups' (the database checks them in the INSERT and UPDATE), and the rest is the
# intake's and scoring's own values.
DERIVED_FIELDS = {"company_domain"}
NOT_CLEANED = [field.name for field in Lead._meta.fields if field.name not in DERIVED_FIELDS]


@dataclass
class Arrival:
    number: int
    data: Mapping
    source: str
    values: dict = field(default_factory=dict)
    lead: Lead | None = None  # the lead it creates (unsaved) or merges into
    created: bool = False


class ChunkLookups(Lookups):
    """The programs and accounts of a whole chunk, loaded in one query each."""

    def __init__(self, tenant: Tenant, rows: Sequence[Mapping]):
        super().__init__(tenant)
        codes = {row["tracking_code"] for row in rows if row.get("tracking_code")}
        campaigns = {
            row["utm_campaign"] for row in rows if row.get("utm_campaign") and not row.get("tracking_code")
        }
        self.by_code = programs_by_code(tenant=tenant, tracking_codes=codes)
        self.by_campaign = programs_by_campaign(tenant=tenant, utm_campaigns=campaigns)
        domains = set()
        for row in rows:
            with contextlib.suppress(ServiceError):  # the row's own judging reports it
                domains.add(email_and_domain(row)[1])
        self.by_domain = accounts_by_domain(tenant=tenant, domains=domains - {""})

    def program(self, tracking_code: str, utm_campaign: str):
        if tracking_code:
            return self.by_code.get(tracking_code.upper())
        return self.by_campaign.get(utm_campaign.upper()) if utm_campaign else None

    def account(self, domain: str):
        return self.by_domain.get(domain)


def leads_upsert(
    *, tenant: Tenant, actor: Actor, rows: Sequence[NumberedRow], source: str, row: type[LeadRow] = LeadRow
) -> UpsertReport:
    """Bulk intake: each row is one arrival (as lead_intake takes it), keyed on its CRM id when a lead
    has it, else on its email. A bad row is rejected with its number and field; the others are
    written. A row that fills nothing and records no touch is unchanged, so re-sending rows with their
    `occurred_at` changes nothing. Within one call the first row with an email or a CRM id wins and
    a later row with the same is rejected, naming the first. Set-based, in chunks of CHUNK_ROWS:
    a chunk costs a fixed number of statements and ends as one lead_intake per row would."""
    report = UpsertReport()
    seen: dict[tuple[str, str], int] = {}
    for start in range(0, len(rows), CHUNK_ROWS):
        arrivals = arrivals_of(
            rows[start : start + CHUNK_ROWS], source=source, seen=seen, report=report, row=row
        )
        if arrivals:
            tally(report, arrivals_intake(tenant, actor, arrivals))
    report.rejected.sort(key=lambda entry: entry["row"])  # stable: a row's problems keep their order
    return report


def arrivals_of(
    rows: Sequence[NumberedRow],
    *,
    source: str,
    seen: dict[tuple[str, str], int],
    report: UpsertReport,
    row: type[LeadRow] = LeadRow,
) -> list[Arrival]:
    """The rows that are arrivals: each validated (LeadRow), and not repeating the email or CRM id of
    an earlier row of the call (`seen`: key → row number). The others are rejected on `report`."""
    arrivals, validator = [], row()
    for number, raw in rows:
        # One LeadRow for all rows: DRF copies a serializer's fields for each instance, which is
        # most of its cost; validating through one instance gives the same values and messages.
        try:
            data = validator.run_validation(raw)
        except serializers.ValidationError as exc:
            report.rejected.extend(row_errors(number, exc.detail))
            continue
        keys = [(name, data[name]) for name in ("email", "external_id") if data.get(name)]
        repeated = next((key for key in keys if key in seen), None)
        if repeated is not None:
            name, _ = repeated
            what = "email" if name == "email" else "CRM id"
            report.rejected.append(rejection(number, name, f"Row {seen[repeated]} already has this {what}."))
            continue
        seen.update(dict.fromkeys(keys, number))
        arrivals.append(Arrival(number=number, data=data, source=data.get("source") or source))
    return arrivals


def tally(report: UpsertReport, outcomes: list[Intake | list[dict]]) -> None:
    for outcome in outcomes:
        if isinstance(outcome, list):
            report.rejected.extend(outcome)
        elif outcome.created:
            report.created += 1
        elif outcome.changed:
            report.updated += 1
        else:
            report.unchanged += 1


class _Raced(Exception):
    """A new lead's email or CRM id was taken by another arrival meanwhile."""


def arrivals_intake(tenant: Tenant, actor: Actor, arrivals: list[Arrival]) -> list[Intake | list[dict]]:
    """One chunk of judged arrivals (at most CHUNK_ROWS) through the set-based intake, in its own
    transaction: per arrival its Intake or its rejections, in order (the event door's lists too)."""
    try:
        with transaction.atomic():
            return _Chunk(tenant, actor, arrivals).run()
    except (IntegrityError, _Raced):
        return [intake_one(tenant, actor, arrival) for arrival in arrivals]


def intake_one(tenant: Tenant, actor: Actor, arrival: Arrival) -> Intake | list[dict]:
    """One row through the single intake: the backstop of a chunk that met a race."""

    def write() -> Intake:
        return lead_intake(tenant=tenant, actor=actor, data=arrival.data, source=arrival.source)

    return row_outcome(arrival.number, write)


def row_outcome(number: int, write: Callable[[], Intake | Any]) -> Intake | Any | list[dict]:
    """Run one row's write in its own savepoint: what it returns, or the row's rejections (its
    number, the field and the service's reason), the batch going on either way."""
    try:
        with transaction.atomic():
            return write()
    except ServiceError as exc:
        return [rejection(number, exc.field or "", exc.message)]
    except ValidationError as exc:
        return _invalid(number, exc)


def _invalid(number: int, exc: ValidationError) -> list[dict]:
    return row_errors(number, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class _Chunk:
    """One chunk's arrivals, judged in order in memory, then written set-based."""

    def __init__(self, tenant: Tenant, actor: Actor, arrivals: list[Arrival]):
        self.tenant, self.actor, self.arrivals = tenant, actor, arrivals
        self.outcomes: dict[int, Intake | list[dict]] = {}
        self.by_email: dict[str, Lead] = {}
        self.by_external_id: dict[str, Lead] = {}

    def run(self) -> list[Intake | list[dict]]:
        lookups = ChunkLookups(self.tenant, [arrival.data for arrival in self.arrivals])
        for arrival in self.arrivals:
            try:
                arrival.values = _arrival(arrival.data, lookups)
            except ServiceError as exc:
                self.outcomes[arrival.number] = [rejection(arrival.number, exc.field or "", exc.message)]
        judged = [arrival for arrival in self.arrivals if arrival.number not in self.outcomes]
        self._know(
            leads_for_keys(
                tenant=self.tenant,
                emails={arrival.values["email"] for arrival in judged if arrival.values["email"]},
                external_ids={a.values["external_id"] for a in judged if a.values["external_id"]},
                lock=True,
            )
        )
        for arrival in judged:
            self._find_or_make(arrival)
        self._merge_and_touch(judged)
        return [self.outcomes[arrival.number] for arrival in self.arrivals]

    def _know(self, leads: list[Lead]) -> None:
        for lead in leads:
            self.by_email[lead.email] = lead
            if lead.external_id:
                self.by_external_id[lead.external_id] = lead

    def _find_or_make(self, arrival: Arrival) -> None:
        """The lead the arrival is about (by CRM id, else email, as `lead_for_key`), or a new one.
        A new lead is reachable by no later row of the call: its email and CRM id are taken."""
        values = arrival.values
        lead = self.by_external_id.get(values["external_id"]) if values["external_id"] else None
        lead = lead or self.by_email.get(values["email"])
        if lead is None and not values["email"]:
            exc = _needs_email(values)
            self.outcomes[arrival.number] = [rejection(arrival.number, exc.field, exc.message)]
            return
        if lead is None:
            lead = Lead(tenant=self.tenant, source=arrival.source, **values)
            try:
                _clean(lead, exclude=NOT_CLEANED)
            except ValidationError as exc:
                self.outcomes[arrival.number] = _invalid(arrival.number, exc)
                return
            arrival.created = True
        arrival.lead = lead

    def _merge_and_touch(self, judged: list[Arrival]) -> None:
        """Merge each arrival into its lead and make its touch and audit event, in memory; score the
        leads they changed with their touches so far and these; then write it all."""
        arrivals = [arrival for arrival in judged if arrival.number not in self.outcomes]
        merging = [arrival for arrival in arrivals if not arrival.created]  # new leads have no touches yet
        times = {arrival.data["occurred_at"] for arrival in merging if arrival.data.get("occurred_at")}
        recorded = touch_keys(tenant=self.tenant, lead_ids={a.lead.pk for a in merging}, times=times)
        now = timezone.now()
        filled, touches, events, changed = set(), [], [], {}
        for arrival in arrivals:
            lead, intake = arrival.lead, Intake(lead=arrival.lead, created=arrival.created)
            before = None
            if not arrival.created:
                before = snapshot(lead, FILLABLE_FIELDS + CONSENT_FIELDS)
                kept = {name: getattr(lead, name) for name in FILLABLE_FIELDS + CONSENT_FIELDS}
                intake.filled, intake.not_applied = _merge(lead, arrival.values)
                if intake.filled:
                    try:
                        _clean(lead, exclude=NOT_CLEANED)
                    except ValidationError as exc:
                        for name, value in kept.items():  # the lead as it was: the row is not applied
                            setattr(lead, name, value)
                        self.outcomes[arrival.number] = _invalid(arrival.number, exc)
                        continue
                    filled.update(intake.filled)
                    if lead.external_id:
                        self.by_external_id[lead.external_id] = lead
            intake.touch = self._touch(arrival, intake, recorded, now)
            if intake.touch is not None:
                touches.append(intake.touch)
            if arrival.created:
                events.append(("lead.created", lead, None, created_audit(lead)))
            elif intake.changed or intake.not_applied:
                shapes = merged_audit(intake, before)
                events.append(("lead.merged", lead, shapes["before"], shapes["after"]))
            if intake.changed:
                changed[id(lead)] = lead
            self.outcomes[arrival.number] = intake
        created = [arrival.lead for arrival in arrivals if arrival.created]
        events += self._score(list(changed.values()), touches, now)
        rescored = [lead for lead in changed.values() if lead.pk is not None]  # before the insert
        self._write(created, rescored, sorted(filled), touches, events)

    def _touch(self, arrival: Arrival, intake: Intake, recorded: set, now) -> Touch | None:
        """The arrival's touch (unsaved); None when it names none or repeats one recorded at its time
        (a new lead has none recorded, and no later row of the call reaches it)."""
        kind = touch_kind(arrival.data, arrival.source)
        if not kind:
            return None
        occurred_at = arrival.data.get("occurred_at")
        if not arrival.created:
            if occurred_at and (intake.lead.pk, kind, occurred_at) in recorded:
                return None
            recorded.add((intake.lead.pk, kind, occurred_at or now))
        return Touch(
            tenant=self.tenant,
            lead=intake.lead,
            kind=kind,
            occurred_at=occurred_at or now,
            program=arrival.values["program"],
            source=arrival.source,
            details=_touch_details(arrival.data, intake.not_applied),
        )

    def _score(self, leads: list[Lead], touches: list[Touch], now) -> list[tuple]:
        """Score the changed leads before anything is written, on the touches they have (one
        aggregate, for the leads already saved) and the chunk's: a new lead is inserted scored,
        a merged one updated once."""
        counts = lead_touch_counts(tenant=self.tenant, lead_ids=[lead.pk for lead in leads if lead.pk])
        for touch in touches:
            key = touch.lead.pk if touch.lead.pk is not None else id(touch.lead)
            kinds = counts.setdefault(key, {})
            kinds[touch.kind] = kinds.get(touch.kind, 0) + 1
        return leads_scored(tenant=self.tenant, leads=leads, counts=counts, now=now)

    def _write(self, created: list[Lead], rescored: list[Lead], filled, touches, events) -> None:
        """Insert the new leads in one statement (a lead another arrival inserted meanwhile: the
        unique index waits for it, skips ours, and the chunk is taken again row by row), then the
        touches, the merged leads' filled and scored fields, and the audit trail."""
        inserted = insert_rows(created, skip_conflicts_on="email")
        if len(inserted) != len(created):
            raise _Raced
        insert_rows(touches)
        update_rows(rescored, [*filled, *SCORED_FIELDS])
        audit_many(tenant=self.tenant, actor=self.actor, events=events)
