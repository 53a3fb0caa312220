"""The audit trail: services call `audit()` for every change they make."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.timezone import now

from partnerhub.tenancy.actors import Actor, actor_columns
from partnerhub.tenancy.bulk_sql import insert_values
from partnerhub.tenancy.models import AuditEvent, Tenant


def _json_value(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, FieldFile):  # a stored file (a logo) by its name
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """JSON-ready values of `fields` (foreign keys by id), for the before/after of an audit event."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = _json_value(getattr(instance, field.attname))
    return values


def audit(
    *,
    tenant: Tenant,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    event = _event(tenant, actor_columns(actor), action, target, before, after)
    event.save(force_insert=True)
    return event


def _event(tenant: Tenant, columns: dict, action: str, target, before, after) -> AuditEvent:
    return AuditEvent(
        tenant=tenant,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        **columns,
    )


def audit_transition(
    *,
    tenant: Tenant,
    actor: Actor,
    action: str,
    target: models.Model,
    from_state: str,
    to_state: str,
    also: dict | None = None,
) -> AuditEvent:
    """A state change (invitation pending → revoked, plan draft → launched …), recorded the same way
    everywhere so the trail can be filtered and read uniformly; `also`: what the change set besides
    the state, recorded with the after."""
    extra = {name: _json_value(value) for name, value in (also or {}).items()}
    return audit(
        tenant=tenant,
        actor=actor,
        action=action,
        target=target,
        before={"status": from_state},
        after={"status": to_state, **extra},
    )


@contextmanager
def audited(
    *, tenant: Tenant, actor: Actor, target: models.Model, fields: Iterable[str], action: str
) -> Iterator[None]:
    """Audit what the block changes on `target`: its `fields` before and after, recorded only when
    they differ (saving the same values leaves no event) and only when the block succeeds.

        with audited(tenant=t, actor=actor, target=partner, fields=FIELDS, action="partner.updated"):
            save_changes(partner, changes)
    """
    fields = list(fields)
    before = snapshot(target, fields)
    yield
    after = snapshot(target, fields)
    if after != before:
        audit(tenant=tenant, actor=actor, action=action, target=target, before=before, after=after)


def audit_many(
    *, tenant: Tenant, actor: Actor, events: Iterable[tuple[str, models.Model, dict | None, dict | None]]
) -> None:
    """One event per (action, target, before, after), written in one statement: for set-based
    services that change many rows at once (a rescoring of a thousand leads, a sweep's batch of
    handoffs). The rows go to the table as values, no AuditEvent built (most of the cost for many)."""
    columns = actor_columns(actor)
    actor_values = {
        "actor_id": columns["actor"] and columns["actor"].pk,
        "api_key_id": columns["api_key"] and columns["api_key"].pk,
        "actor_label": columns["actor_label"],
    }
    created_at, types = now(), {}
    rows = []
    for action, target, before, after in events:
        model = type(target)
        if model not in types:
            types[model] = ContentType.objects.get_for_model(target).pk
        rows.append(
            {
                "tenant_id": tenant.pk,
                **actor_values,
                "action": action,
                "target_type_id": types[model],
                "target_id": str(target.pk),
                "target_label": str(target)[:200],
                "before": before,
                "after": after,
                "created_at": created_at,
            }
        )
    insert_values(AuditEvent, rows)
