"""Per-request helpers around farms.permissions (which alone decides who may see what)."""

import uuid

from django.db.models import Model
from graphql_relay import from_global_id

from backend.graphql.errors import not_found, query_error, sign_in_required
from farms.permissions import Action, producers_for


def signed_in_user(info):
    """The requester, or a "please sign in" error with its code."""
    if not info.context.user.is_authenticated:
        raise query_error(sign_in_required())
    return info.context.user


def producer_ids(info, action: Action = Action.VIEW) -> set[int]:
    """Producers the requester may ``action`` for, computed once per request."""
    cache = info.context.__dict__.setdefault("_producer_ids", {})
    if action not in cache:
        cache[action] = set(producers_for(info.context.user, action).values_list("pk", flat=True))
    return cache[action]


def model_pk(global_id: str, type_name: str, field: str) -> int:
    """The database id inside a Relay global id, checked to be of the expected type."""
    try:
        kind, pk = from_global_id(global_id)
        if kind == type_name:
            return int(pk)
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    raise not_found(field)


def _lookup(queryset, reference: str, type_name: str, field: str) -> dict:
    """By Relay global id, or by the client UUID an object was created with offline (the
    phone does not know the server's id of what it created without signal)."""
    has_uuid = any(f.name == "uuid" for f in queryset.model._meta.fields)
    if has_uuid:
        try:
            return {"uuid": uuid.UUID(str(reference))}
        except ValueError:
            pass
    return {"pk": model_pk(reference, type_name, field)}


def get_for(
    info, queryset, reference: str, type_name: str, field: str, owned: bool = True
) -> Model:
    """An object of ``queryset`` by global id or client UUID. ``owned`` objects (with a
    ``producer_id``) must belong to a producer the requester may see; anything else is
    "not found", so the API never confirms what exists for other producers."""
    obj = queryset.filter(**_lookup(queryset, reference, type_name, field)).first()
    if obj is None or (owned and obj.producer_id not in producer_ids(info)):
        raise not_found(field)
    return obj
