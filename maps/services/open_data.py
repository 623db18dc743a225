"""Open data: aggregated, anonymised datasets that anyone may reuse, each with a data
dictionary, published under one licence at stable addresses.

What keeps them anonymous: a farm household is never named (households appear only in
counts), no contact, street address or premises of anyone appears, and any count of
fewer than ``OPEN_DATA_MIN_PRODUCERS`` producers is suppressed (its figures left empty
and ``suppressed`` true), so that no single farm's land can be read off a table."""

import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.tasks import queue
from maps.models import OpenDataFile
from maps.services import analysis
from maps.services.reports import CONTENT_TYPES, Report, run_report

PRICE_MONTHS = 24
PUBLISHING = "open-data:publishing"  # cache key: a build was asked for and is on its way


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless Table Schema type: string, integer, number, date, boolean
    description: Promise


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Promise
    description: Promise
    geometry: Promise | None  # what each feature's geometry is; None: no geometry
    columns: tuple[Column, ...]
    build: Callable[[datetime.date, bool], Report]


COUNTS = ("plots", "producers", "households", "area_ha")


def published(report: Report) -> Report:
    """The report as published: areas to 0.1 ha (a night's change no longer shows one
    plot), and a ``suppressed`` column. A row is withheld when it counts fewer producers
    than the threshold, or a few farm households beside organisations: their area would
    be the total less the organisations' published certified areas."""
    low, names = settings.OPEN_DATA_MIN_PRODUCERS, report.columns
    rows = []
    for row in report.rows:
        figures = dict(zip(names, row, strict=True))
        hidden = figures["producers"] < low or 0 < figures["households"] < low
        figures["area_ha"] = round(figures["area_ha"], 1)
        values = [None if hidden and name in COUNTS else figures[name] for name in names]
        rows.append((*values, hidden))
    return Report([*names, "suppressed"], rows, report.geometries)


def crop_areas_by_commune(day: datetime.date, geometry: bool = False) -> Report:
    return published(analysis.area_by_crop_and_commune(geometry))


def certified_area_by_district(day: datetime.date, geometry: bool = False) -> Report:
    return published(analysis.certified_area_by_district(day, geometry))


_CERTIFIED_ORGANISATIONS = """
SELECT producer.name AS producer, producer.kind, producer.registration_code,
       producer.commune, producer.district, producer.province,
       cert.scheme, cert.number AS certificate_number, cert.issued_by,
       cert.valid_from, cert.valid_to, cert.verified_at IS NOT NULL AS verified,
       ROUND((COALESCE(SUM(ST_Area(plot.geometry::geography)), 0) / 10000)::numeric, 4)
           AS certified_area_ha,
       CASE WHEN %(geometry)s THEN ST_AsGeoJSON(producer.public_point, 6) END AS geometry
FROM farms_certification cert
JOIN farms_producer producer ON producer.id = cert.producer_id
LEFT JOIN farms_certification_plots covered ON covered.certification_id = cert.id
LEFT JOIN farms_plot plot ON plot.id = covered.plot_id AND plot.producer_id = producer.id
WHERE producer.kind IN ('cooperative', 'enterprise')
  AND cert.valid_from <= %(day)s AND cert.valid_to >= %(day)s
GROUP BY producer.id, cert.id
ORDER BY producer.name, cert.scheme, cert.number
"""


def certified_producers(day: datetime.date, geometry: bool = False) -> Report:
    """Certificates in force of cooperatives and enterprises (bodies with a public
    registration), with the area of their own plots: members' plots on a group
    certificate are household land, counted in the area tables only."""
    return run_report(_CERTIFIED_ORGANISATIONS, {"day": day}, spatial=True, geometry=geometry)


_MARKET_PLACES = """
SELECT place.location_code, place.gln, place.name, place.kind, place.commune,
       place.district, place.province, place.opening_hours,
       CASE WHEN %(geometry)s THEN ST_AsGeoJSON(place.location, 6) END AS geometry
FROM farms_place place
LEFT JOIN farms_producer operator ON operator.id = place.producer_id
WHERE place.kind IN ('market', 'supermarket', 'shop')
  AND operator.kind IS DISTINCT FROM 'household'  -- a household's shop may be its home
ORDER BY place.kind, place.name, place.id
"""


def market_places(day: datetime.date, geometry: bool = False) -> Report:
    return run_report(_MARKET_PLACES, {}, spatial=True, geometry=geometry)


# Monthly mean prices (weighted by observations) and an index against each series' first
# month in the window. Daily prices are already published ones (see marketplace.prices).
_PRICE_INDEX = """
WITH monthly AS (
    SELECT date_trunc('month', price.day)::date AS month, price.product_id, price.unit,
           price.source, SUM(price.samples) AS observations,
           SUM(price.average_price * price.samples)::numeric / SUM(price.samples) AS mean
    FROM marketplace_dailyprice price
    WHERE price.day BETWEEN %(since)s AND %(day)s
    GROUP BY 1, 2, 3, 4
)
SELECT to_char(month, 'YYYY-MM') AS month, product.code AS product_code,
       product.name_vi AS product, monthly.unit, monthly.source, monthly.observations,
       ROUND(mean)::bigint AS average_price_vnd,
       ROUND(100 * mean / FIRST_VALUE(mean) OVER series, 1) AS price_index,
       to_char(FIRST_VALUE(month) OVER series, 'YYYY-MM') AS base_month
FROM monthly JOIN farms_product product ON product.id = monthly.product_id
WINDOW series AS (PARTITION BY monthly.product_id, monthly.unit, monthly.source ORDER BY month)
ORDER BY product.code, monthly.unit, monthly.source, month
"""


def price_index(day: datetime.date, geometry: bool = False) -> Report:
    since = _months_back(day, PRICE_MONTHS - 1)
    return run_report(_PRICE_INDEX, {"day": day, "since": since})


def _months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


_DISTRICT = Column("district", "string", _("District name."))
_PRODUCERS = Column("producers", "integer", _("Number of producers (suppressed when small)."))
_PLOTS = Column("plots", "integer", _("Number of plots (suppressed when few producers)."))
_HOUSEHOLDS = Column(
    "households", "integer", _("How many of the producers are farm households (suppressed).")
)
_AREA = Column("area_ha", "number", _("Area in hectares (to 0.1 ha), measured on the ellipsoid."))
_SUPPRESSED = Column(
    "suppressed",
    "boolean",
    _("True when the figures are withheld: too few producers, or too few households."),
)
_SCHEME = Column("scheme", "string", _("Standard: vietgap, globalgap, organic or other."))
_PROVINCE = Column("province", "string", _("Province name."))
_COMMUNE = Column("commune", "string", _("Commune (ward, township) name."))

DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "crop-areas-by-commune",
            _("Crop areas by commune"),
            _(
                "The area of the registered plots of each crop in each commune. A plot "
                "counts in the commune holding a point inside it."
            ),
            _("The commune's boundary."),
            (
                _DISTRICT,
                Column("commune_code", "string", _("The statistics office's commune code.")),
                _COMMUNE,
                Column("crop_code", "string", _("The crop's code; empty when not given.")),
                Column("crop", "string", _("The crop's Vietnamese name.")),
                _PLOTS,
                _PRODUCERS,
                _HOUSEHOLDS,
                _AREA,
                _SUPPRESSED,
            ),
            crop_areas_by_commune,
        ),
        Dataset(
            "certified-area-by-district",
            _("Certified area by district"),
            _("The area of plots covered by a certificate in force, per district and standard."),
            _("The district's boundary."),
            (
                Column("district_code", "string", _("The statistics office's district code.")),
                _DISTRICT,
                _SCHEME,
                _PLOTS,
                _PRODUCERS,
                _HOUSEHOLDS,
                _AREA,
                _SUPPRESSED,
            ),
            certified_area_by_district,
        ),
        Dataset(
            "certified-producers",
            _("Certified cooperatives and enterprises"),
            _(
                "Certificates in force of cooperatives and enterprises. Farm households "
                "are not named: their certified land is in the area tables."
            ),
            _("The middle of the producer's plots (not its premises)."),
            (
                Column("producer", "string", _("The cooperative's or enterprise's name.")),
                Column("kind", "string", _("cooperative or enterprise.")),
                Column("registration_code", "string", _("Business registration number.")),
                _COMMUNE,
                _DISTRICT,
                _PROVINCE,
                _SCHEME,
                Column("certificate_number", "string", _("The certificate's number.")),
                Column("issued_by", "string", _("The certifying body.")),
                Column("valid_from", "date", _("First day of validity.")),
                Column("valid_to", "date", _("Last day of validity.")),
                Column("verified", "boolean", _("An inspector checked the paper certificate.")),
                Column(
                    "certified_area_ha", "number", _("Area of the plots the certificate covers.")
                ),
            ),
            certified_producers,
        ),
        Dataset(
            "market-places",
            _("Markets, supermarkets and shops"),
            _("Places that sell farm produce, with their opening hours."),
            _("The place's location."),
            (
                Column("location_code", "string", _("The place's stable location code.")),
                Column("gln", "string", _("GS1 Global Location Number, where there is one.")),
                Column("name", "string", _("The place's name.")),
                Column("kind", "string", _("market, supermarket or shop.")),
                _COMMUNE,
                _DISTRICT,
                _PROVINCE,
                Column(
                    "opening_hours",
                    "string",
                    _("In the OpenStreetMap syntax, e.g. Mo-Sa 05:00-11:00; Su off."),
                ),
            ),
            market_places,
        ),
        Dataset(
            "price-index",
            _("Farm price index"),
            _(
                "Monthly mean prices of the last 24 months from completed orders (days "
                "with enough buyers) and market surveys, with an index."
            ),
            None,
            (
                Column("month", "string", _("The month, YYYY-MM.")),
                Column("product_code", "string", _("The product's code.")),
                Column("product", "string", _("The product's Vietnamese name.")),
                Column("unit", "string", _("The unit the price is for: kg, t, piece…")),
                Column("source", "string", _("orders or market (survey).")),
                Column("observations", "integer", _("Prices averaged.")),
                Column("average_price_vnd", "integer", _("Mean price per unit, in đồng.")),
                Column(
                    "price_index",
                    "number",
                    _("The mean price against the series' first month (= 100)."),
                ),
                Column("base_month", "string", _("The series' first month, YYYY-MM.")),
            ),
            price_index,
        ),
    )
}


def data_package(base_url: str) -> dict:
    """The catalogue as a Frictionless Data Package (datapackage.json): every file's
    address, its columns with types and meanings, and the licence."""
    resources = []
    for dataset in DATASETS.values():
        described = {"title": str(dataset.title), "description": str(dataset.description)}
        fields = [
            {"name": column.name, "type": column.type, "description": str(column.description)}
            for column in dataset.columns
        ]
        resources.append(
            {
                "name": dataset.name,
                "path": f"{base_url}{dataset.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                **described,
                "schema": {"fields": fields},
            }
        )
        resources.append(
            {
                "name": f"{dataset.name}-geojson",
                "path": f"{base_url}{dataset.name}.geojson",
                "format": "geojson",
                "mediatype": "application/geo+json",
                **described,
            }
        )
    return {
        "name": "nongsan-open-data",
        "title": str(_("Open agricultural data")),
        "licenses": [license_()],
        "resources": resources,
    }


def license_() -> dict:
    return {"name": settings.OPEN_DATA_LICENSE, "path": settings.OPEN_DATA_LICENSE_URL}


def publish(day: datetime.date | None = None) -> int:
    """Build every dataset in every format and replace the published files together,
    so readers never mix two builds; the number of files."""
    day, built_at = day or timezone.localdate(), timezone.now()
    with _snapshot():
        files = [
            _file(dataset, extension, day, built_at)
            for dataset in DATASETS.values()
            for extension in CONTENT_TYPES
        ]
    with transaction.atomic():
        OpenDataFile.objects.bulk_create(
            files,
            update_conflicts=True,
            unique_fields=["name", "extension"],
            update_fields=["content", "rows", "built_at"],
        )
    cache.delete(PUBLISHING)
    return len(files)


@contextmanager
def _snapshot():
    """A transaction that reads one moment of the database, however long the build
    takes (inside another transaction, that one's snapshot is used)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _file(dataset: Dataset, extension: str, day: datetime.date, built_at) -> OpenDataFile:
    report = dataset.build(day, extension == "geojson")
    return OpenDataFile(
        name=dataset.name,
        extension=extension,
        content=report.to_text(extension),
        rows=len(report.rows),
        built_at=built_at,
    )


def published_file(name: str, extension: str) -> OpenDataFile | None:
    """The last build of a file. Before the first, a build is asked for, once in a
    while however many ask (with eager tasks it is there at once, otherwise None)."""
    published = OpenDataFile.objects.filter(name=name, extension=extension)
    file = published.first()
    if file is None and cache.add(PUBLISHING, True, 600):
        queue("maps.tasks.publish_open_data")
        file = published.first()
    return file


def last_built() -> datetime.datetime | None:
    return OpenDataFile.objects.aggregate(last=Max("built_at"))["last"]
