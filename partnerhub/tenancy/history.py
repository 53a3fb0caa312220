"""The audit trail as people read it: the one presenter of every history and audit view.

An event keeps what the services wrote (`plan.step_1`, `owner: 3`, `accounts: [23, 24]`,
`manual_stage: net_new`). `history_present` turns a page of events into words: the action's label,
each field's verbose name, a foreign key or a list of ids as the related objects' names, a choice
by its label, a date in the tenant's format. Names are resolved for the whole page at once, one
query per related model and scoped to the tenant, never one per row.

Apps name their actions with `register_action_labels` (from their AppConfig.ready); an action
nobody named reads from its code ("mapping.deleted" → "Mapping deleted").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from partnerhub.tenancy import formats
from partnerhub.tenancy.models import AuditEvent, Tenant, TenantVertical, User
from partnerhub.tenancy.scoping import TenantScopedModel

_ACTION_LABELS: dict[str, str] = {}

# The core's own actions; the domain apps register theirs.
CORE_ACTION_LABELS = {
    "tenant.created": "Workspace created",
    "tenant.updated": "Settings changed",
    "partner.created": "Partner added",
    "partner.updated": "Partner changed",
    "partner.deleted": "Partner deleted",
    "apikey.created": "API key created",
    "apikey.revoked": "API key revoked",
    "invitation.created": "Invitation sent",
    "invitation.resent": "Invitation sent again",
    "invitation.replaced": "Invitation replaced by a new one",
    "invitation.revoked": "Invitation revoked",
    "invitation.accepted": "Invitation accepted",
    "membership.created": "Member joined",
    "membership.role_changed": "Role changed",
    "membership.removed": "Member removed",
    "vertical.added": "Vertical added",
    "vertical.renamed": "Vertical renamed",
    "vertical.moved": "Vertical moved",
    "vertical.archived": "Vertical archived",
    "vertical.restored": "Vertical restored",
}

# Longer texts (a talk track, a description) are cut in the trail; the object keeps them whole.
TEXT_SHOWN = 140
IDS_SHOWN = 8
# Labels of the values of fields that hold coded values without model choices (a plan's market
# value is a region, a vertical or a segment by its kind): {(model label, field name): {value: label}}.
_VALUE_LABELS: dict[tuple[str, str], dict[str, str]] = {}
# Fields holding one of the tenant's verticals (or a list of them): shown by the tenant's labels.
_VERTICAL_FIELDS: set[tuple[str, str]] = {("tenancy.Partner", "verticals")}


def register_action_labels(labels: dict[str, str]) -> None:
    _ACTION_LABELS.update(labels)


def register_value_labels(model_label: str, field_name: str, choices: Iterable[tuple[str, str]]) -> None:
    """Show a field's coded values by their labels in the history (`accounts.Plan`, `market_value`)."""
    _VALUE_LABELS[(model_label, field_name)] = {value: str(label) for value, label in choices}


def register_vertical_field(model_label: str, field_name: str) -> None:
    """Show a field's values by the labels of the tenant's verticals (`accounts.TargetAccount`,
    `industry`); values with a registered label (a plan's region market) keep that one."""
    _VERTICAL_FIELDS.add((model_label, field_name))


def _holds_verticals(model_field: models.Field | None) -> bool:
    return model_field is not None and (model_field.model._meta.label, model_field.name) in _VERTICAL_FIELDS


register_action_labels(CORE_ACTION_LABELS)


def action_label(action: str) -> str:
    if action in _ACTION_LABELS:
        return _ACTION_LABELS[action]
    noun, _, verb = action.partition(".")
    return capfirst(f"{noun} {verb}".replace("_", " ").strip())


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: not set before (a creation), or nothing to compare
    after: str | None  # None: cleared, or removed


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    action: str
    changes: list[Change] = field(default_factory=list)
    subject: str = ""  # the part of the target the event is about (a package's component)

    @property
    def created_at(self) -> datetime.datetime:
        return self.event.created_at

    @property
    def actor_label(self) -> str:
        return self.event.actor_label

    @property
    def target_label(self) -> str:
        return self.event.target_label

    @property
    def target_kind(self) -> str:
        return capfirst(self.event.target_type.name) if self.event.target_type_id else ""


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


# An event about one part of its target names that part with this key (a package's component).
SUBJECT_KEY = "key"


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    """The model field an event key names: the target's own, else one of the rows recorded on it
    (a plan's follow-up commitment, a package's components), one-to-one companions first."""
    if model is None:
        return None
    relations = sorted(
        (relation for relation in model._meta.related_objects if relation.one_to_one or relation.one_to_many),
        key=lambda relation: not relation.one_to_one,
    )
    candidates = [model] + [relation.related_model for relation in relations]
    for candidate in candidates:
        try:
            found = candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if found.concrete or found.many_to_many:
            return found
    return None


def _related_model(model_field: models.Field | None) -> type[models.Model] | None:
    if model_field is not None and model_field.is_relation and model_field.related_model is not None:
        return model_field.related_model
    return None


def _ids(value) -> list:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, int | str) and item != ""]


def _resolve_names(tenant: Tenant, wanted: dict[type[models.Model], set]) -> dict[tuple, str]:
    """{(model, pk): name} for every id the page mentions: one query per model, inside the tenant
    (a user is named only while a member of it)."""
    names: dict[tuple, str] = {}
    for model, ids in wanted.items():
        if issubclass(model, User):
            rows = User.objects.filter(memberships__tenant=tenant, pk__in=ids)
        elif issubclass(model, TenantScopedModel):
            rows = model.objects.filter(tenant=tenant, pk__in=ids)
        elif issubclass(model, Tenant):
            rows = Tenant.objects.filter(pk=tenant.pk, pk__in=ids)
        else:
            continue  # nothing else is named in the trail
        for row in rows:
            names[(model, row.pk)] = getattr(row, "display_name", None) or str(row)
    return names


def _choice_label(model_field: models.Field, value) -> str:
    choices = dict(model_field.flatchoices)
    return str(choices.get(value, value))


def _text(model_field: models.Field | None, value, names: dict[tuple, str]) -> str | None:
    """One recorded value as words; None when it is not set."""
    if _empty(value):
        return None
    related = _related_model(model_field)
    if related is not None:
        ids = _ids(value)
        shown = [names.get((related, _pk(related, item)), f"#{item}") for item in ids[:IDS_SHOWN]]
        more = len(ids) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    if isinstance(model_field, ArrayField):
        return ", ".join(_text(model_field.base_field, item, names) or "" for item in value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if model_field is not None and model_field.choices:
        return _choice_label(model_field, value)
    if isinstance(model_field, models.BooleanField) or isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(model_field, models.DateTimeField):
        return formats.format_datetime(_parse(datetime.datetime, value))
    if isinstance(model_field, models.DateField):
        return formats.format_date(_parse(datetime.date, value))
    if isinstance(model_field, models.DecimalField):
        return formats.format_number(value)
    text = str(value)
    if model_field is not None:
        labels = _VALUE_LABELS.get((model_field.model._meta.label, model_field.name), {})
        if text in labels:
            return labels[text]
        if _holds_verticals(model_field):
            return names.get((TenantVertical, text), text)
    return text if len(text) <= TEXT_SHOWN else text[: TEXT_SHOWN - 1].rstrip() + "…"


def _pk(model: type[models.Model], value):
    """Ids are kept as JSON numbers (or text for text keys): compare them as the model's pk type."""
    if isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField):
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    return value


def _parse(kind, value):
    if isinstance(value, datetime.date):
        return value
    try:
        return kind.fromisoformat(str(value))
    except ValueError:
        return None


# Written as people write them, whatever the field's name says.
ACRONYMS = {"utm": "UTM", "crm": "CRM", "sla": "SLA", "mdf": "MDF", "api": "API", "url": "URL", "mfa": "MFA"}


def _label(model_field: models.Field | None, key: str) -> str:
    words = str(model_field.verbose_name) if model_field is not None else key.replace("_", " ")
    return capfirst(" ".join(ACRONYMS.get(word, word) for word in words.split(" ")))


def _subject(event: AuditEvent, names: dict[tuple, str]) -> str:
    value = (event.after or {}).get(SUBJECT_KEY) or (event.before or {}).get(SUBJECT_KEY)
    if _empty(value):
        return ""
    model = event.target_type.model_class() if event.target_type_id else None
    return _text(_field(model, SUBJECT_KEY), value, names) or ""


def history_present(*, tenant: Tenant, events: Iterable[AuditEvent]) -> list[HistoryEntry]:
    """A page of events (`audit_event_list`, sliced or paginated) as history entries."""
    events = list(events)
    keyed = []
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for event in events:
        model = event.target_type.model_class() if event.target_type_id else None
        rows = []
        for key, before, after in event.changes:
            if _empty(before) and _empty(after):
                continue
            model_field = _field(model, key)
            related = _related_model(model_field)
            if related is not None:
                for value in (before, after):
                    wanted[related].update(_pk(related, item) for item in _ids(value or []))
            rows.append((key, model_field, before, after))
        # In the order the model declares its fields (name before owner), not alphabetical.
        rows.sort(key=lambda row: (row[1] is None, row[1].creation_counter if row[1] else 0, row[0]))
        keyed.append((event, rows))
    names = _resolve_names(tenant, wanted)
    if any(_holds_verticals(model_field) for _, rows in keyed for _, model_field, _, _ in rows):
        # The tenant's labels, archived verticals too: one query for the page.
        verticals = TenantVertical.objects.filter(tenant=tenant).values_list("value", "label")
        names.update({(TenantVertical, value): label for value, label in verticals})
    return [
        HistoryEntry(
            event=event,
            action=action_label(event.action),
            subject=_subject(event, names),
            changes=[
                Change(
                    label=_label(model_field, key),
                    before=_text(model_field, before, names),
                    after=_text(model_field, after, names),
                )
                for key, model_field, before, after in rows
            ],
        )
        for event, rows in keyed
    ]
