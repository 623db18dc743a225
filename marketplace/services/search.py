"""Finding offers: by product (typed without diacritics too), certification, price, date,
and distance from the buyer, on PostGIS's spatial index."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from farms.models import Certification, Producer, Product
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import Offer, OfferBatch
from marketplace.services.buyers import check_location
from marketplace.services.offers import sellable

DEFAULT_RADIUS_KM = 30
MAX_RADIUS_KM = 300
MAX_TEXT = 100


class SortOrder(StrEnum):
    DISTANCE = "distance"
    PRICE = "price"
    NEWEST = "newest"


@dataclass
class OfferSearch:
    text: str = ""
    product: Product | None = None
    category: str = ""
    certification: str = ""  # a Certification.Scheme value
    max_price: int | None = None
    available_on: datetime.date | None = None
    near: Point | None = None
    within_km: int = DEFAULT_RADIUS_KM
    delivers_to_me: bool = False  # only offers whose delivery area covers ``near``
    sort: SortOrder | None = None  # default: distance when ``near`` is given, else price


def matching_products(text: str) -> QuerySet[Product]:
    """Catalogue entries whose Vietnamese or English name contains ``text``, ignoring
    case and diacritics ("rau muong" finds "Rau muống", "dua" finds "Dưa")."""
    text = text.strip()[:MAX_TEXT]
    return Product.objects.filter(
        Q(name_vi__unaccent__icontains=text) | Q(name_en__unaccent__icontains=text)
    )


def _check(search: OfferSearch) -> None:
    if search.certification and search.certification not in Certification.Scheme.values:
        raise field_error("certification", _("Unknown standard."), CommonErrorCode.INVALID_CHOICE)
    if search.max_price is not None and search.max_price < 0:
        raise field_error("max_price", _("A price cannot be negative."), MarketplaceErrorCode.PRICE)
    if not 1 <= search.within_km <= MAX_RADIUS_KM:
        raise field_error("within_km", _("Search within 1 to 300 km."), MarketplaceErrorCode.RADIUS)
    if search.near is not None:
        check_location(search.near, "near")
    if search.sort == SortOrder.DISTANCE and search.near is None:
        raise field_error(
            "sort", _("Sorting by distance needs a location."), MarketplaceErrorCode.NO_LOCATION
        )


def _filter(queryset: QuerySet[Offer], search: OfferSearch) -> QuerySet[Offer]:
    if search.text.strip():
        queryset = queryset.filter(product__in=matching_products(search.text))
    if search.product:
        queryset = queryset.filter(product=search.product)
    if search.category:
        queryset = queryset.filter(product__category=search.category)
    if search.certification:  # every lot certified, by a certificate still in force
        lots = OfferBatch.objects.filter(offer=OuterRef("pk"))
        uncertified = lots.exclude(
            batch__certification__scheme=search.certification,
            batch__certification__status=Certification.Status.ACTIVE,
        )
        queryset = queryset.filter(Exists(lots), ~Exists(uncertified))
    if search.max_price is not None:
        queryset = queryset.filter(price_per_unit__lte=search.max_price)
    if search.available_on:
        queryset = queryset.filter(
            available_from__lte=search.available_on, available_to__gte=search.available_on
        )
    return queryset


def _near(queryset: QuerySet[Offer], search: OfferSearch) -> QuerySet[Offer]:
    """Within the radius (ST_DWithin on geography: uses the GiST index), with distance."""
    queryset = queryset.filter(location__dwithin=(search.near, D(km=search.within_km)))
    queryset = queryset.annotate(distance=Distance("location", search.near, spheroid=False))
    if search.delivers_to_me:
        queryset = queryset.filter(
            Q(pickup_place__isnull=False) | Q(distance__lte=F("delivery_radius_km") * 1000)
        )
    return queryset


def with_details(queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """What a page of offers shows, fetched for that page only (prefetches rather than
    joins, so that filtering and sorting run on the offers table and its indexes alone):
    product, seller with its rating, pickup point, and lots with their certificates."""
    sellers = Producer.objects.select_related("cooperative").annotate(
        rating=Avg("reviews__stars"), review_count=Count("reviews")
    )
    shares = OfferBatch.objects.select_related("batch__certification").order_by("pk")
    return queryset.prefetch_related(
        "product",
        "pickup_place",
        Prefetch("producer", queryset=sellers),
        Prefetch("shares", queryset=shares),
    )


def search_offers(search: OfferSearch) -> QuerySet[Offer]:
    """Offers on sale that match, nearest or cheapest first."""
    _check(search)
    queryset = _filter(sellable(), search)
    sort = search.sort or (SortOrder.DISTANCE if search.near else SortOrder.PRICE)
    if search.near is not None:
        queryset = _near(queryset, search)
    order = {
        SortOrder.DISTANCE: ["distance", "price_per_unit", "pk"],
        SortOrder.PRICE: ["price_per_unit", "pk"],
        SortOrder.NEWEST: ["-created_at", "-pk"],
    }[sort]
    return queryset.order_by(*order)
