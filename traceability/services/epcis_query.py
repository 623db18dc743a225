"""The EPCIS 2.0 query language (SimpleEventQuery parameters) over trace events, for the
holder of one API key, in pages.

Who sees what: an inspection body every event; a producer the events it recorded and
those on its lots; a trading partner only the events that name it (what was shipped to it
or received from it, and what it recorded itself), never a farm's own records. Corrections
are not events: they are the errorDeclaration of the event they correct. A transformation
is stored once per lot it touches and shown once.
"""

import base64
import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from backend.gs1 import InvalidDigitalLink, gtin_spellings, parse_digital_link
from traceability import epcis
from traceability.models import ApiKey, TraceEvent
from traceability.steps import STEP_RULES, BusinessStep, EventType

PER_PAGE = 30
MAX_PER_PAGE = 1000
TOKEN_LIFETIME = datetime.timedelta(hours=24)
_PAGE_SALT = "traceability.epcis-page"
_PAGING = {"perPage", "nextPageToken"}
_ORDER = {"orderBy", "orderDirection", "eventCountLimit", "maxEventCount"}


class QueryParameterError(ValueError):
    """A parameter EPCIS calls invalid (QueryParameterException)."""


class QueryTooLargeError(ValueError):
    """More events match than the query's maxEventCount allows (QueryTooLargeException)."""


def visible_events(key: ApiKey, *, every_row: bool = False) -> QuerySet:
    """The events this key may see; a transformation once, unless ``every_row`` (its row
    on each lot it touched, to list those lots)."""
    events = TraceEvent.objects.exclude(business_step=BusinessStep.CORRECTING)
    if not every_row:
        earlier_row = TraceEvent.objects.filter(
            transformation_id=OuterRef("transformation_id"), id__lt=OuterRef("id")
        )
        events = events.exclude(Exists(earlier_row))
    if key.scope == ApiKey.Scope.INSPECTION:
        return events
    if key.scope == ApiKey.Scope.PRODUCER:
        return events.filter(Q(producer=key.producer) | Q(batch__producer=key.producer))
    return events.filter(Q(party=key.party) | Q(actor=key.party))


def _values(params: QueryDict, name: str) -> list[str]:
    """A pipe-delimited parameter (given once or repeated) as its values."""
    return [value for given in params.getlist(name) for value in given.split("|") if value]


def _time(value: str, name: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    try:
        # In UTC: the database refuses offsets that Python takes (+22:13).
        return moment.astimezone(datetime.UTC) if moment and moment.tzinfo else _no_time(name)
    except OverflowError:
        return _no_time(name)


def _no_time(name: str):
    raise QueryParameterError(
        _("%(name)s is a time with its offset, such as 2026-12-01T08:00:00+07:00.") % {"name": name}
    )


_NUMBER = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,6})?")


def _number(value: str, name: str) -> Decimal:
    """A quantity as the database holds one: ASCII digits, no exponent."""
    if not _NUMBER.fullmatch(value):
        raise QueryParameterError(_("%(name)s is a number.") % {"name": name})
    return Decimal(value)


def _bare(value: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if value.lower().startswith(prefix.lower()):
            return value[len(prefix) :]
    return value


def _steps(values: list[str]) -> set[str]:
    """Our steps a bizStep names: a CBV word (in any of its spellings) or our vocabulary."""
    ours = epcis.vocabulary_base() + "bizstep/"
    cbv_prefixes = ("https://ref.gs1.org/cbv/BizStep-", "https://gs1.org/voc/Bizstep-")
    steps = set()
    for value in values:
        if value.startswith(ours):
            steps.add(value[len(ours) :])
            continue
        word = _bare(value, (*cbv_prefixes, "urn:epcglobal:cbv:bizstep:", "cbv:BizStep-"))
        steps.update(step for step, rule in STEP_RULES.items() if rule.cbv == word)
    return steps


def _dispositions(values: list[str]) -> list[str]:
    prefixes = ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:", "cbv:Disp-")
    return [_bare(value, prefixes) for value in values]


def _places(values: list[str], partners: bool = True) -> Q:
    """The plots and places that location URIs name (a GLN, or our location page), and
    the partners' own business locations as their captured events name them."""
    condition = Q(details__bizLocation__in=values) if partners else Q(pk__in=[])
    for value in values:
        path = urlsplit(value).path
        if value.startswith("https://id.gs1.org/414/"):
            gln = path.rsplit("/", 1)[-1]
            condition |= Q(plot__gln=gln) | Q(place__gln=gln)
        elif value.startswith(settings.SITE_URL + "/loc/"):
            code = unquote(path.rsplit("/", 1)[-1])
            condition |= Q(plot__location_code=code) | Q(place__location_code=code)
    return condition


@dataclass(frozen=True)
class LotClass:
    lot: str | None  # None: every lot of the GTIN
    gtins: tuple[str, ...] = ()


def lot_classes(values: list[str]) -> list[LotClass]:
    """The lots that EPC class URIs name: a Digital Link (01 [+ 10]) on GS1's resolver or
    ours, or a lot's page here."""
    classes = []
    for value in values:
        parts = urlsplit(value)
        if value.startswith(settings.SITE_URL + "/lot/"):
            code = unquote(parts.path.rsplit("/", 1)[-1])
            if "\x00" not in code:  # no lot holds one, and the database refuses it
                classes.append(LotClass(code))
            continue
        if parts.scheme not in ("http", "https") or not parts.path.startswith("/01/"):
            continue
        try:
            link = parse_digital_link(parts.path)
        except InvalidDigitalLink:
            continue
        if link.serial is None:
            classes.append(LotClass(link.lot, tuple(gtin_spellings(link.gtin))))
    return classes


def _on_lots(classes: list[LotClass], lot_field: str, gtin_field: str) -> Q:
    condition = Q(pk__in=[])
    for lot_class in classes:
        part = Q(**{lot_field: lot_class.lot}) if lot_class.lot else Q()
        if lot_class.gtins:
            part &= Q(**{f"{gtin_field}__in": lot_class.gtins})
        condition |= part
    return condition


def _transformations_of(classes: list[LotClass], sides: tuple[str, ...]) -> Q:
    """Transformations whose inputs or outputs hold one of these lots."""
    condition = Q(pk__in=[])
    gtins = [gtin for lot_class in classes if lot_class.lot is None for gtin in lot_class.gtins]
    if gtins:  # every lot of these GTINs: through the stored rows, in one subquery
        rows = TraceEvent.objects.filter(
            transformation_id=OuterRef("transformation_id"), batch__product__gtin__in=gtins
        )
        condition |= Q(Exists(rows))
    for lot_class in classes:
        for side in sides if lot_class.lot else ():
            condition |= Q(**{f"details__{side}__contains": [{"lot": lot_class.lot}]})
    return Q(event_type=EventType.TRANSFORMATION) & condition


def _event_ids(values: list[str]) -> list[uuid.UUID]:
    return [epcis.event_uuid(value) for value in values]


def _declared(condition: Q) -> Q:
    corrections = TraceEvent.objects.filter(condition, corrects=OuterRef("pk"))
    return Q(Exists(corrections))


def _reasons(values: list[str]) -> list[str]:
    prefixes = ("https://ref.gs1.org/cbv/ER-", "urn:epcglobal:cbv:er:", "cbv:ER-")
    return [_bare(value, prefixes) for value in values]


def _correcting(values: list[str]) -> Q:
    condition = Q(pk__in=[])
    for uid in _event_ids(values):
        condition |= Q(details__corrective__contains=[str(uid)])
    return condition


def _flag(value: str, name: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise QueryParameterError(_("%(name)s is true or false.") % {"name": name})
    return value.lower() == "true"


Filter = Callable[[list[str], str], Q]

_TIME_FIELDS = {"eventTime": "occurred_at", "recordTime": "recorded_at"}
_COMPARISONS = {"GE": "gte", "LT": "lt", "GT": "gt", "LE": "lte", "EQ": "exact"}

FILTERS: dict[str, Filter] = {
    "eventType": lambda values, name: Q(event_type__in=values),
    "EQ_action": lambda values, name: Q(action__in=values),
    "EQ_bizStep": lambda values, name: Q(business_step__in=_steps(values)),
    "EQ_disposition": lambda values, name: Q(disposition__in=_dispositions(values)),
    "EQ_readPoint": lambda values, name: _places(values, partners=False),
    "WD_readPoint": lambda values, name: _places(values, partners=False),  # no parts here
    "EQ_bizLocation": lambda values, name: _places(values),
    "WD_bizLocation": lambda values, name: _places(values),
    "EQ_eventID": lambda values, name: Q(uuid__in=_event_ids(values)),
    "EQ_transformationID": lambda values, name: Q(transformation_id__in=_event_ids(values)),
    "MATCH_epcClass": lambda values, name: (
        Q(event_type=EventType.OBJECT)
        & _on_lots(lot_classes(values), "batch__code", "batch__product__gtin")
    ),
    "MATCH_inputEPCClass": lambda values, name: _transformations_of(
        lot_classes(values), ("inputs",)
    ),
    "MATCH_outputEPCClass": lambda values, name: _transformations_of(
        lot_classes(values), ("outputs",)
    ),
    "MATCH_anyEPCClass": lambda values, name: (
        (
            Q(event_type=EventType.OBJECT)
            & _on_lots(lot_classes(values), "batch__code", "batch__product__gtin")
        )
        | _transformations_of(lot_classes(values), ("inputs", "outputs"))
    ),
    "EXISTS_errorDeclaration": lambda values, name: (
        _declared(Q()) if _flag(values[-1], name) else Q()
    ),
    "EQ_errorReason": lambda values, name: _declared(Q(details__reason__in=_reasons(values))),
    "EQ_correctiveEventID": lambda values, name: _declared(_correcting(values)),
}
for _prefix, _lookup in (("GE", "gte"), ("LT", "lt")):
    for _field, _column in _TIME_FIELDS.items():
        FILTERS[f"{_prefix}_{_field}"] = lambda values, name, column=_column, lookup=_lookup: Q(
            **{f"{column}__{lookup}": _time(values[-1], name)}
        )
    FILTERS[f"{_prefix}_errorDeclarationTime"] = lambda values, name, lookup=_lookup: _declared(
        Q(**{f"recorded_at__{lookup}": _time(values[-1], name)})
    )
for _prefix, _lookup in _COMPARISONS.items():
    FILTERS[f"{_prefix}_quantity"] = lambda values, name, lookup=_lookup: Q(
        event_type=EventType.OBJECT, **{f"quantity__{lookup}": _number(values[-1], name)}
    )

# Standard parameters about what these records never carry (instance-level EPCs, parent
# IDs, sensor data, persistent dispositions): they match no event.
NEVER_MATCHED = {
    "MATCH_epc",
    "MATCH_parentID",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_anyEPC",
    "EQ_persistentDisposition_set",
    "EQ_persistentDisposition_unset",
    "GE_startTime",
    "LT_startTime",
    "GE_endTime",
    "LT_endTime",
    "EQ_type",
    "EQ_deviceID",
    "EQ_dataProcessingMethod",
    "EQ_microorganism",
    "EQ_chemicalSubstance",
    "EQ_bizRules",
    "EQ_stringValue",
    "EQ_hexBinaryValue",
    "EQ_uriValue",
    "EQ_booleanValue",
}


MAX_VALUES = 100  # alternatives in one parameter


def condition(name: str, values: list[str]) -> Q:
    """What one query parameter asks of an event (the values are alternatives)."""
    if name not in FILTERS:
        raise QueryParameterError(
            _("%(name)s is not a query parameter this repository knows.") % {"name": name}
        )
    if not values:
        raise QueryParameterError(_("%(name)s needs a value.") % {"name": name})
    if len(values) > MAX_VALUES:
        raise QueryParameterError(
            _("%(name)s takes at most %(count)s values.") % {"name": name, "count": MAX_VALUES}
        )
    if any("\x00" in value for value in values):
        raise QueryParameterError(_("%(name)s holds a NUL character.") % {"name": name})
    return FILTERS[name](values, name)


def filter_events(events: QuerySet, params: QueryDict) -> QuerySet:
    for name in params:
        if name in _PAGING or name in _ORDER:
            continue
        if name in NEVER_MATCHED:
            events = events.none()
        else:
            events = events.filter(condition(name, _values(params, name)))
    return events


@dataclass(frozen=True)
class Order:
    column: str
    descending: bool
    limit: int | None  # eventCountLimit
    most: int | None  # maxEventCount


def count_of(params: QueryDict, name: str) -> int | None:
    if name not in params:
        return None
    value = params[name]
    if not re.fullmatch(r"[0-9]{1,1000}", value) or not value.strip("0"):
        raise QueryParameterError(_("%(name)s is a whole number above 0.") % {"name": name})
    digits = value.lstrip("0")
    return int(digits) if len(digits) <= 9 else 10**9  # beyond any page or limit here


def order_of(params: QueryDict) -> Order:
    """Recording order by default, so that a partner that polls reads each new event once;
    time order for a query by time, which its index then answers from the start."""
    by_time = "GE_eventTime" in params or "LT_eventTime" in params
    order_by = params.get("orderBy", "eventTime" if by_time else "recordTime")
    if order_by not in _TIME_FIELDS:
        raise QueryParameterError(_("orderBy is eventTime or recordTime."))
    direction = params.get("orderDirection", "DESC" if "orderBy" in params else "ASC")
    if direction not in ("ASC", "DESC"):
        raise QueryParameterError(_("orderDirection is ASC or DESC."))
    limit, most = count_of(params, "eventCountLimit"), count_of(params, "maxEventCount")
    if limit is not None and most is not None:
        raise QueryParameterError(_("eventCountLimit and maxEventCount exclude each other."))
    if limit is not None and "orderBy" not in params:
        raise QueryParameterError(_("eventCountLimit needs orderBy."))
    return Order(_TIME_FIELDS[order_by], direction == "DESC", limit, most)


@dataclass(frozen=True)
class Page:
    events: list[TraceEvent]
    next_token: str | None


def _fingerprint(params: QueryDict) -> str:
    """The query a page token belongs to (every parameter but the paging ones)."""
    kept = sorted((k, v) for k in params if k not in _PAGING for v in params.getlist(k))
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:16]


def _per_page(params: QueryDict) -> int:
    return min(count_of(params, "perPage") or PER_PAGE, MAX_PER_PAGE)


def _resume(params: QueryDict) -> dict:
    token = params.get("nextPageToken")
    if not token:
        return {"after": None, "served": 0}
    try:
        state = signing.loads(
            base64.urlsafe_b64decode(token.encode() + b"==").decode(),
            salt=_PAGE_SALT,
            max_age=TOKEN_LIFETIME,
        )
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        state = None
    if not isinstance(state, dict) or state.get("query") != _fingerprint(params):
        raise QueryParameterError(_("This nextPageToken is unknown, expired or for another query."))
    return state


def _token(params: QueryDict, last: TraceEvent, order: Order, served: int) -> str:
    moment = getattr(last, order.column).isoformat()
    state = {"query": _fingerprint(params), "after": [moment, last.pk], "served": served}
    signed = signing.dumps(state, salt=_PAGE_SALT)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _after(order: Order, after: list) -> Q:
    moment, pk = datetime.datetime.fromisoformat(after[0]), after[1]
    beyond = "lt" if order.descending else "gt"
    return Q(**{f"{order.column}__{beyond}": moment}) | Q(
        **{order.column: moment, f"pk__{beyond}": pk}
    )


def page_of(events: QuerySet, params: QueryDict) -> Page:
    """One page of the matching events, in a stable order, and the token of the next."""
    order = order_of(params)
    state = _resume(params)
    if order.most is not None and state["after"] is None and events.count() > order.most:
        raise QueryTooLargeError(
            _("More than %(count)s events match this query.") % {"count": order.most}
        )
    if state["after"] is not None:
        events = events.filter(_after(order, state["after"]))
    size = _per_page(params)
    if order.limit is not None:
        size = min(size, order.limit - state["served"])
    sign = "-" if order.descending else ""
    rows = list(
        epcis.with_export_fields(events.order_by(f"{sign}{order.column}", f"{sign}pk"))[: size + 1]
    )
    more = len(rows) > size > 0
    rows = rows[:size]
    served = state["served"] + len(rows)
    if order.limit is not None and served >= order.limit:
        more = False
    token = _token(params, rows[-1], order, served) if more and rows else None
    return Page(rows, token)
