"""The public map's layers as GeoJSON, by bounding box and page. Only public facts:
producers appear at the centre of their plots (never their premises), with no contacts.
A farm household's land lies around its home, so the map never names a household nor
links to a page that does (as in the open data); cooperatives and enterprises are named.

Paging is by id (keyset): each page ends with the id to continue ``after``, so a client
walks a large layer at a constant cost per page. Geometries go out as PostGIS wrote them:
a feature is serialized around its GeoJSON text, never parsed and written again."""

import datetime
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from farms.models import Certification, Place, Plot, Producer
from farms.opening_hours import is_open
from maps.error_codes import MapsErrorCode
from maps.models import AdministrativeArea, PlanningZone
from marketplace.models import Offer
from traceability.models import Batch

DEFAULT_PAGE = 500
MAX_PAGE = 2000
PRECISION = 6  # decimal places of degrees: about 10 cm
RECENT_LOTS = 3  # lots harvested from a plot, linked from its popup to their scan pages
PUBLIC_PLACE_KINDS = [Place.Kind.MARKET, Place.Kind.SUPERMARKET, Place.Kind.SHOP]


@dataclass
class Page:
    features: list[str]  # GeoJSON Features, serialized
    next_after: int | None  # id to continue after, None on the last page

    def feature_collection(self, next_link: str | None) -> str:
        """The page as a GeoJSON FeatureCollection (with OGC API paging fields)."""
        links = json.dumps([{"rel": "next", "href": next_link}] if next_link else [])
        return (
            f'{{"type": "FeatureCollection", "numberReturned": {len(self.features)}, '
            f'"links": {links}, "features": [{",".join(self.features)}]}}'
        )


def parse_bbox(text: str) -> Polygon:
    """ "minLon,minLat,maxLon,maxLat" (the GeoJSON and OGC API order) as a polygon."""
    try:
        numbers = [float(part) for part in (text or "").split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(map(math.isfinite, numbers)):
        raise field_error(
            "bbox", _("Give bbox as minLon,minLat,maxLon,maxLat."), MapsErrorCode.BBOX
        )
    west, south, east, north = numbers
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise field_error(
            "bbox",
            _("The bbox is outside the world or its corners are swapped."),
            MapsErrorCode.BBOX,
        )
    return Polygon.from_bbox(numbers)


def layer_page(name: str, bbox: Polygon, after: int = 0, limit: int = DEFAULT_PAGE) -> Page:
    if name not in LAYERS:
        raise field_error("layer", _("No such layer."), CommonErrorCode.NOT_FOUND)
    if not 1 <= limit <= MAX_PAGE:
        raise field_error(
            "limit", _("A page holds 1 to %(n)d features.") % {"n": MAX_PAGE}, MapsErrorCode.LIMIT
        )
    queryset, geometry_field, properties = LAYERS[name]
    rows = queryset(timezone.localdate())
    # The page's ids by bounding boxes alone (read from the spatial index: the exact test
    # on every shape in a screenful took most of the time), then the exact test on those.
    ids = list(
        rows.select_related(None)
        .prefetch_related(None)
        .filter(**{f"{geometry_field}__bboverlaps": bbox}, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[: limit + 1]
    )
    shown = (
        rows.filter(**{f"{geometry_field}__intersects": bbox}, pk__in=ids[:limit])
        .defer(geometry_field)  # sent as the GeoJSON text below, not parsed in Python
        .annotate(geojson=AsGeoJSON(geometry_field, precision=PRECISION))
        .order_by("pk")
    )
    features = [_feature(row, properties(row)) for row in shown]
    return Page(features, ids[limit - 1] if len(ids) > limit else None)


def _feature(row, properties: dict) -> str:
    described = json.dumps(properties, ensure_ascii=False)
    geometry = row.geojson  # PostGIS's text, as it is
    return (
        f'{{"type": "Feature", "id": {row.pk}, "geometry": {geometry}, "properties": {described}}}'
    )


def _producers(day: datetime.date) -> QuerySet:
    on_sale = Offer.objects.filter(status=Offer.Status.ACTIVE).only("uuid", "producer_id")
    return Producer.objects.only("uuid", "name", "kind", "commune", "district").prefetch_related(
        Prefetch("offers", queryset=on_sale.order_by("-pk"), to_attr="on_sale")
    )


def _is_household(producer: Producer) -> bool:
    return producer.kind == Producer.Kind.HOUSEHOLD


def _producer_properties(producer: Producer) -> dict:
    # A household's party page and offers name it: neither is linked from its point.
    household = _is_household(producer)
    return {
        "name": producer.get_kind_display() if household else producer.name,
        "kind": producer.get_kind_display(),
        "area": f"{producer.commune}, {producer.district}",
        "url": None if household else reverse("traceability:party", args=[producer.uuid]),
        "offers": []
        if household
        else [reverse("market-offer", args=[offer.uuid]) for offer in producer.on_sale[:3]],
    }


def _plots(day: datetime.date) -> QuerySet:
    valid = Certification.objects.filter(valid_from__lte=day, valid_to__gte=day)
    recent_lots = Batch.objects.only("code").order_by("-pk")[:RECENT_LOTS]
    return (
        Plot.objects.select_related("crop", "producer")
        .only(*PLOT_FIELDS)
        .prefetch_related(
            Prefetch("certifications", queryset=valid, to_attr="valid"),
            Prefetch("batches", queryset=recent_lots, to_attr="recent_lots"),
        )
    )


PLOT_FIELDS = (
    "location_code",
    "area_m2",
    "crop__name_vi",
    "crop__name_en",
    "crop__code",
    "producer__name",
    "producer__uuid",
    "producer__kind",
)


def _plot_properties(plot: Plot) -> dict:
    properties = {
        "crop": plot.crop.name if plot.crop else "",
        "crop_code": plot.crop.code if plot.crop else "",
        "area_m2": round(plot.area_m2),
        "certifications": sorted({c.get_scheme_display() for c in plot.valid}),
        "certification_codes": sorted({c.scheme for c in plot.valid}),
    }
    if _is_household(plot.producer):
        # The plot's location page, its lots' scan pages and the party page all name the
        # household: a plot drawn beside its home links to none of them.
        return {
            **properties,
            "producer": plot.producer.get_kind_display(),
            "producer_url": None,
            "url": None,
            "lots": [],
        }
    return {
        **properties,
        "producer": plot.producer.name,
        "producer_url": reverse("traceability:party", args=[plot.producer.uuid]),
        "url": reverse("traceability:location", args=[plot.location_code]),
        "lots": [
            {"code": lot.code, "url": reverse("traceability:lot", args=[lot.code])}
            for lot in plot.recent_lots
        ],
    }


def _cooperatives(day: datetime.date) -> QuerySet:
    return Producer.objects.filter(kind=Producer.Kind.COOPERATIVE).only("uuid", "name")


def _cooperative_properties(cooperative: Producer) -> dict:
    return {"name": cooperative.name, "url": reverse("traceability:party", args=[cooperative.uuid])}


def _places(day: datetime.date) -> QuerySet:
    public = Place.objects.filter(kind__in=PUBLIC_PLACE_KINDS).exclude(
        producer__kind=Producer.Kind.HOUSEHOLD  # a household's shop may be its home
    )
    return public.only("name", "kind", "address", "commune", "district", "opening_hours")


def _place_properties(place: Place) -> dict:
    return {
        "name": place.name,
        "kind": place.get_kind_display(),
        "kind_code": place.kind,
        "address": place.address or f"{place.commune}, {place.district}",
        "opening_hours": place.opening_hours,
        "open_now": is_open(place.opening_hours, timezone.localtime()),
    }


def _zones(day: datetime.date) -> QuerySet:
    return PlanningZone.objects.valid_on(day).prefetch_related("crops")


def _zone_properties(zone: PlanningZone) -> dict:
    return {
        "name": zone.name,
        "purpose": zone.get_purpose_display(),
        "purpose_code": zone.purpose,
        "crops": [crop.name for crop in zone.crops.all()],
        "valid_from": zone.valid_from.isoformat(),
        "valid_to": zone.valid_to.isoformat() if zone.valid_to else None,
        "decision": zone.decision,
    }


def _communes(day: datetime.date) -> QuerySet:
    return AdministrativeArea.objects.filter(level=AdministrativeArea.Level.COMMUNE)


def _area_properties(area: AdministrativeArea) -> dict:
    return {"name": area.name, "code": area.code}


# name: (rows for a day, their geometry field, their public properties)
LAYERS: dict[str, tuple[Callable, str, Callable]] = {
    "producers": (_producers, "public_point", _producer_properties),
    "plots": (_plots, "geometry", _plot_properties),
    "cooperatives": (_cooperatives, "cooperative_area", _cooperative_properties),
    "places": (_places, "location", _place_properties),
    "zones": (_zones, "geometry", _zone_properties),
    "communes": (_communes, "geometry", _area_properties),
}
