"""The EPCIS interface's browsable resources: the event types, EPC classes (our lots),
business steps, locations and dispositions found in the events a key may see, in pages,
and the query parameter each one's ``…/{value}/events`` stands for."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.http import QueryDict
from django.utils.translation import gettext as _

from farms.models import Place, Plot
from traceability import epcis
from traceability.models import Batch
from traceability.services.epcis_query import (
    MAX_PER_PAGE,
    PER_PAGE,
    TOKEN_LIFETIME,
    QueryParameterError,
)
from traceability.services.epcis_query import (
    count_of as _count,
)

PARAMETERS = {
    "eventTypes": "eventType",
    "epcs": "MATCH_anyEPCClass",
    "bizSteps": "EQ_bizStep",
    "bizLocations": "EQ_bizLocation",
    "readPoints": "EQ_readPoint",
    "dispositions": "EQ_disposition",
}
_SALT = "traceability.epcis-values"


def _lots(ids: list) -> list[str]:
    batches = Batch.objects.filter(pk__in=ids).select_related("product").order_by("pk")
    return [epcis.lot_uri(batch.code, batch.product.gtin) for batch in batches]


def _locations(model) -> Callable[[list], list[str]]:
    def members(ids: list) -> list[str]:
        return [
            epcis.location_uri(where) for where in model.objects.filter(pk__in=ids).order_by("pk")
        ]

    return members


def _as_is(values: list) -> list[str]:
    return [str(value) for value in values]


def _steps(values: list) -> list[str]:
    return list(dict.fromkeys(epcis.bizstep(step) for step in values))


@dataclass(frozen=True)
class Source:
    column: str
    members: Callable[[list], list[str]]
    # A value read from the events' details (a partner's own location) rather than a column.
    detail: str = ""


_PARTNER_LOCATIONS = Source("partner_location", _as_is, detail="bizLocation")


SOURCES: dict[str, list[Source]] = {
    "eventTypes": [Source("event_type", _as_is)],
    "epcs": [Source("batch_id", _lots)],
    "bizSteps": [Source("business_step", _steps)],
    "bizLocations": [
        Source("plot_id", _locations(Plot)),
        Source("place_id", _locations(Place)),
        _PARTNER_LOCATIONS,
    ],
    "readPoints": [Source("plot_id", _locations(Plot)), Source("place_id", _locations(Place))],
    "dispositions": [Source("disposition", _as_is)],
}


def _size(params: QueryDict) -> int:
    return min(_count(params, "perPage") or PER_PAGE, MAX_PER_PAGE)


def _resume(dimension: str, params: QueryDict) -> tuple[int, object]:
    token = params.get("nextPageToken")
    if not token:
        return 0, None
    try:
        state = signing.loads(token, salt=_SALT, max_age=TOKEN_LIFETIME)
    except signing.BadSignature:
        state = None
    if not isinstance(state, dict) or state.get("dimension") != dimension:
        raise QueryParameterError(_("This nextPageToken is unknown, expired or for another query."))
    return state["source"], state["after"]


def page_of_values(
    dimension: str, events: QuerySet, params: QueryDict
) -> tuple[list[str], str | None]:
    """One page of a dimension's values, read in the order of their stored keys."""
    for name in params:
        if name not in ("perPage", "nextPageToken"):
            raise QueryParameterError(
                _("%(name)s is not a parameter of this resource.") % {"name": name}
            )
    size = _size(params)
    index, after = _resume(dimension, params)
    sources = SOURCES[dimension]
    members: list[str] = []
    while index < len(sources) and len(members) < size:
        source = sources[index]
        keys = events
        if source.detail:
            keys = keys.annotate(**{source.column: KeyTextTransform(source.detail, "details")})
        keys = keys.exclude(**{f"{source.column}__isnull": True})
        if source.detail or source.column == "disposition":
            keys = keys.exclude(**{source.column: ""})
        if after is not None:
            keys = keys.filter(**{f"{source.column}__gt": after})
        keys = list(
            keys.order_by(source.column)
            .values_list(source.column, flat=True)
            .distinct()[: size - len(members) + 1]
        )
        wanted = size - len(members)
        if len(keys) > wanted:
            members += source.members(keys[:wanted])
            state = {"dimension": dimension, "source": index, "after": keys[wanted - 1]}
            return members, signing.dumps(state, salt=_SALT)
        members += source.members(keys)
        index, after = index + 1, None
    if index < len(sources):  # the page filled up just as a source ended
        state = {"dimension": dimension, "source": index, "after": None}
        return members, signing.dumps(state, salt=_SALT)
    return members, None
