"""The change history of every registry record (django-simple-history), and who made each change.

Services run inside `acting_as(actor)`, so a change made from the API, the admin, a command or
an import is recorded with the person (or API client) responsible for it.
"""

import contextvars
import functools
import heapq
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import OuterRef, Subquery
from simple_history.models import HistoricalRecords

from registry.caching import data_changed
from registry.iteration import chunks

_actor: contextvars.ContextVar = contextvars.ContextVar("history_actor", default=None)


@contextmanager
def acting_as(actor):
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def history_user(instance=None, request=None, **kwargs):
    """The user a change is recorded for: the service's actor, else the signed-in requester."""
    actor = _actor.get()
    if actor is not None and actor.is_authenticated:
        return actor
    if request is not None and request.user.is_authenticated:
        return request.user
    return None


def registry_history(**kwargs) -> HistoricalRecords:
    return HistoricalRecords(get_user=history_user, **kwargs)


def attributed(service):
    """Run a service in one transaction, its history recorded for the service's `actor`, and
    the data's version changed for the cache (`registry.caching`) before it writes."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with transaction.atomic(), acting_as(kwargs.get("actor")):
            data_changed()
            return service(*args, **kwargs)

    return wrapper


IGNORED_IN_CHANGES = {"created_at", "updated_at", "uploaded_at"}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
CHUNK = 500


def plain(value):
    """A history value as JSON and CSV show it: ids for relations, ISO 8601 for dates."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        # UTC as `Z`, as the API writes every other timestamp.
        text = value.isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
    if hasattr(value, "code"):  # a django-countries Country
        return value.code or None
    if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
        return value.name or None
    return str(value)


def _tracked(historical_model) -> list[tuple[str, str]]:
    """(name shown, attribute) for each field of the recorded model that a change may touch."""
    original = historical_model.instance_type
    recorded = {field.attname for field in historical_model._meta.concrete_fields}
    return [
        (field.name, field.attname)
        for field in original._meta.concrete_fields
        if field.name not in IGNORED_IN_CHANGES
        and not field.primary_key
        and field.attname in recorded
    ]


def historical_through(historical_model, field_name: str):
    """The model of the links a recorded many-to-many field held: one row per record of the
    history (`history`) and related object."""
    return next(
        relation.related_model
        for relation in historical_model._meta.related_objects
        if relation.related_model.__name__.endswith(f"_{field_name}")
    )


def historical_m2m_rows(historical_model, field_name: str, history_ids) -> list[tuple[int, int]]:
    """(history id, related id) for each relation a recorded many-to-many field held then."""
    field = historical_model.instance_type._meta.get_field(field_name)
    through = historical_through(historical_model, field_name)
    target = f"{field.m2m_reverse_field_name()}_id"
    return list(
        through.objects.filter(history_id__in=history_ids)
        .order_by(target)
        .values_list("history_id", target)
    )


def _m2m_values(historical_model, history_ids) -> dict[str, dict[int, list]]:
    """For each recorded many-to-many field: history id → the related ids then in place."""
    values: dict[str, dict[int, list]] = {}
    for field in getattr(historical_model, "_history_m2m_fields", []):
        rows = historical_m2m_rows(historical_model, field.name, history_ids)
        related = field.related_model
        # Show codes where the related model has them (cooperation areas), else ids.
        label = "code" if any(f.name == "code" for f in related._meta.fields) else "pk"
        labels = dict(
            related.objects.filter(pk__in={related_id for _, related_id in rows}).values_list(
                "pk", label
            )
        )
        by_history: dict[int, list] = {}
        for history_id, related_id in rows:
            by_history.setdefault(history_id, []).append(labels.get(related_id, related_id))
        values[field.name] = by_history
    return values


def history_entries(records) -> Iterator[dict]:
    """Each historical record as `{at, user, action, model, object_id, changes}`, in the
    records' order, each diffed field by field against the object's previous record."""
    historical_model = records.model
    fields = _tracked(historical_model)
    model_name = historical_model.instance_type._meta.model_name
    previous = historical_model.objects.filter(
        id=OuterRef("id"), history_id__lt=OuterRef("history_id")
    ).order_by("-history_id")
    records = records.annotate(
        previous_history_id=Subquery(previous.values("history_id")[:1])
    ).select_related("history_user")
    for chunk in chunks(records.iterator(chunk_size=CHUNK), CHUNK):
        previous_ids = [r.previous_history_id for r in chunk if r.previous_history_id]
        earlier = historical_model.objects.in_bulk(previous_ids, field_name="history_id")
        m2m = _m2m_values(historical_model, [r.history_id for r in chunk] + previous_ids)
        for record in chunk:
            before = earlier.get(record.previous_history_id)
            changes = {}
            for name, attname in fields:
                new = None if record.history_type == "-" else plain(getattr(record, attname))
                old = None if before is None else plain(getattr(before, attname))
                if record.history_type == "-":
                    old, new = plain(getattr(record, attname)), None
                if old != new and not (before is None and old is None and new in ("", None)):
                    changes[name] = [old, new]
            for name, by_history in m2m.items():
                new = [] if record.history_type == "-" else by_history.get(record.history_id, [])
                old = [] if before is None else by_history.get(before.history_id, [])
                if old != new:
                    changes[name] = [old, new]
            yield {
                "at": record.history_date,
                "user": record.history_user.get_username() if record.history_user else None,
                "action": ACTIONS[record.history_type],
                "model": model_name,
                "object_id": record.id,
                "memorandum_id": record.id
                if model_name == "memorandum"
                else getattr(record, "memorandum_id", None),
                "history_id": record.history_id,
                "changes": changes,
            }


def audit_entries(models, *, since=None, until=None) -> Iterator[dict]:
    """Every recorded change to `models` in [since, until), oldest first, merged across models."""
    streams = []
    for model in models:
        records = model.history.all()
        if since is not None:
            records = records.filter(history_date__gte=since)
        if until is not None:
            records = records.filter(history_date__lt=until)
        streams.append(history_entries(records.order_by("history_date", "history_id")))
    return heapq.merge(*streams, key=lambda entry: entry["at"])
