"""Business rules for producers and their land."""

import uuid

from django.conf import settings
from django.contrib.gis.db.models import Collect
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from backend.idempotency import once
from backend.text import checked_text
from farms.error_codes import FarmsErrorCode
from farms.models import Certification, Membership, Plot, PlotHandover, Producer, Product
from farms.permissions import Action, has_global_access, require

# Rough bounds of Viet Nam (mainland and islands), to catch swapped or wrong coordinates.
VIETNAM_BOUNDS = Polygon.from_bbox((102.0, 8.0, 117.5, 23.5))
MIN_PLOT_AREA_M2 = 1.0
MAX_PLOT_AREA_M2 = 5_000_000.0  # 500 ha: larger areas are several plots


def utm_srid(geometry: GEOSGeometry) -> int:
    """The WGS 84 / UTM zone (north) of a geometry's centroid: metres, little distortion."""
    zone = int((geometry.centroid.x + 180) // 6) + 1
    return 32600 + zone


def area_m2(geometry: GEOSGeometry) -> float:
    return geometry.transform(utm_srid(geometry), clone=True).area


def vertex_count(geometry: GEOSGeometry) -> int:
    """The corners of a (multi)polygon, not counting the point that closes each ring."""
    if geometry.geom_type == "Polygon":
        return geometry.num_coords - len(geometry)
    if geometry.geom_type == "MultiPolygon":
        return sum(vertex_count(polygon) for polygon in geometry)
    return geometry.num_coords


def check_vertices(geometry: GEOSGeometry, limit: int, field: str = "geometry") -> None:
    """Refuse boundaries with more corners than ``limit``, before any costlier check."""
    count = vertex_count(geometry)
    if count > limit:
        raise field_error(
            field,
            _("A boundary may have at most %(limit)d corners; this one has %(count)d.")
            % {"limit": limit, "count": count},
            FarmsErrorCode.TOO_MANY_VERTICES,
        )


def _clean_plot_geometry(geometry: GEOSGeometry) -> Polygon:
    check_vertices(geometry, settings.PLOT_MAX_VERTICES)
    if geometry.srid is None:
        geometry.srid = 4326
    if geometry.srid != 4326:
        geometry = geometry.transform(4326, clone=True)
    if geometry.geom_type != "Polygon":
        raise field_error(
            "geometry", _("A plot boundary must be a single polygon."), FarmsErrorCode.NOT_POLYGON
        )
    if not geometry.valid:
        raise field_error(
            "geometry",
            _("The plot boundary crosses itself: %(reason)s") % {"reason": geometry.valid_reason},
            FarmsErrorCode.INVALID_GEOMETRY,
        )
    if not VIETNAM_BOUNDS.contains(geometry):
        raise field_error(
            "geometry",
            _("The plot is not in Viet Nam: check that longitude and latitude are not swapped."),
            FarmsErrorCode.OUTSIDE_VIETNAM,
        )
    size = area_m2(geometry)
    if not MIN_PLOT_AREA_M2 <= size <= MAX_PLOT_AREA_M2:
        raise field_error(
            "geometry",
            _("A plot must be between 1 m² and 500 ha; this one is %(area).0f m².")
            % {"area": size},
            FarmsErrorCode.IMPLAUSIBLE_AREA,
        )
    return geometry


def _plots_on(geometry: Polygon, exclude_pk: int | None):
    """Plots whose interior meets this one (touching is fine), index first."""
    candidates = Plot.objects.filter(geometry__intersects=geometry).exclude(pk=exclude_pk)
    return candidates.filter(geometry__relate=(geometry, "T********"))


def _overlapping_plot(producer: Producer, geometry: Polygon, exclude_pk: int | None):
    """Another plot the producer still holds on this land (handed-over ones are history)."""
    return _plots_on(geometry, exclude_pk).filter(producer=producer, handover=None).first()


_SAME_LAND = """
SELECT mine.id, other.id FROM farms_plot AS mine
JOIN farms_plot AS other
  ON ST_Intersects(other.geometry, mine.geometry)
 AND ST_Relate(other.geometry, mine.geometry, 'T********')
WHERE mine.id = ANY(%s)
"""


def same_land(plot_ids) -> dict[int, set[int]]:
    """For each plot, the plots (itself included, any producer's) whose interiors overlap
    it: the land's history, whoever farmed it, is theirs together. One indexed query."""
    land: dict[int, set[int]] = {plot_id: {plot_id} for plot_id in plot_ids}
    if land:
        with connection.cursor() as cursor:
            cursor.execute(_SAME_LAND, [list(land)])
            for mine, other in cursor.fetchall():
                land[mine].add(other)
    return land


def _land_held_by_another(producer: Producer, geometry: Polygon, exclude_pk: int | None):
    """(holder, plot) when another producer holds this land: through a plot of its own, or
    through a handover to it that it has not registered yet. Land handed to ``producer``,
    or handed on by the one it went to, is free for it."""
    on_land = _plots_on(geometry, exclude_pk).select_related("producer", "handover__to_producer")
    for plot in on_land:
        handover = getattr(plot, "handover", None)
        holder = handover.to_producer if handover else plot.producer
        if holder.pk == producer.pk:
            continue
        if handover and _plots_on(plot.geometry, None).filter(producer=holder).exists():
            continue  # the holder registered the land since: its own plot speaks for it
        return holder, plot
    return None


def validate_plot(producer: Producer, geometry: GEOSGeometry, plot: Plot | None = None) -> Polygon:
    """The cleaned boundary, or a ValidationError: invalid, implausible, overlapping one
    of the producer's plots, or land another producer holds (until they hand it over)."""
    geometry = _clean_plot_geometry(geometry)
    exclude = plot.pk if plot else None
    if clash := _overlapping_plot(producer, geometry, exclude):
        raise field_error(
            "geometry",
            _("This plot overlaps the plot “%(other)s” of the same producer.")
            % {"other": clash.name},
            FarmsErrorCode.OVERLAP,
        )
    if held := _land_held_by_another(producer, geometry, exclude):
        holder, clash = held
        raise field_error(
            "geometry",
            _(
                "This land is registered by %(holder)s (plot “%(other)s”). If it has changed "
                "hands, they record the handover first, so its history stays with it."
            )
            % {"holder": holder.name, "other": clash.name},
            FarmsErrorCode.LAND_OF_ANOTHER_PRODUCER,
        )
    return geometry


def hand_over_plot(actor, plot: Plot, to_producer: Producer, note: str = "") -> PlotHandover:
    """The holder of ``plot`` records that the land now goes to ``to_producer``, who may
    then register it; ``plot`` takes no new harvests. Sent twice, it is recorded once."""
    require(actor, Action.MANAGE, plot.producer)
    note = checked_text(note, "note", 2000)
    if to_producer.pk == plot.producer_id:
        raise field_error(
            "to_registration_code",
            _("The land is already this producer's."),
            FarmsErrorCode.SAME_PRODUCER,
        )
    with transaction.atomic():
        locked = Plot.objects.select_for_update().get(pk=plot.pk)
        existing = PlotHandover.objects.filter(plot=locked).first()
        if existing and existing.to_producer_id == to_producer.pk:
            return existing
        if existing:
            raise field_error(
                "plot_id",
                _("This plot was already handed over to %(holder)s.")
                % {"holder": existing.to_producer.name},
                FarmsErrorCode.PLOT_HANDED_OVER,
            )
        return PlotHandover.objects.create(
            plot=locked,
            to_producer=to_producer,
            handed_over_on=timezone.localdate(),
            note=note,
            recorded_by=actor,
        )


@transaction.atomic
def save_plot(
    actor,
    producer: Producer,
    *,
    name: str,
    geometry: GEOSGeometry,
    crop: Product | None = None,
    gln: str = "",
    plot: Plot | None = None,
    plot_uuid: uuid.UUID | None = None,
) -> Plot:
    """Create or update a plot; its area is computed and it may not overlap a sibling.
    A create sent again with the same ``plot_uuid`` returns the first result."""
    require(actor, Action.MANAGE, producer)
    name = checked_text(name, "name", 120, required=True)

    def replay() -> Plot | None:
        return replayed(Plot, plot_uuid, producer_id=producer.pk) if plot is None else None

    def save() -> Plot:
        # Lock the producer so two plots saved at once cannot both pass the overlap check;
        # a copy of this very request that held the lock before us has committed by now.
        Producer.objects.select_for_update().filter(pk=producer.pk).first()
        if (done := replay()) is not None:
            return done
        if plot is not None and PlotHandover.objects.filter(plot=plot).exists():
            raise field_error(
                "id",
                _("This plot was handed over: it is the land's history and cannot change."),
                FarmsErrorCode.PLOT_HANDED_OVER,
            )
        saved = plot or Plot(producer=producer, uuid=plot_uuid or uuid.uuid4())
        saved.geometry = validate_plot(producer, geometry, plot)
        saved.name, saved.crop, saved.gln = name, crop, gln
        saved.area_m2 = area_m2(saved.geometry)
        saved.full_clean()
        saved.save()
        refresh_map_geometry(producer)
        return saved

    return once(replay, save)


def refresh_map_geometry(producer: Producer) -> None:
    """Recompute what the public map shows of a producer and of its cooperative."""
    plots = Plot.objects.filter(producer=producer).aggregate(all=Collect("geometry"))["all"]
    Producer.objects.filter(pk=producer.pk).update(public_point=plots.centroid if plots else None)
    cooperative = producer if producer.kind == Producer.Kind.COOPERATIVE else producer.cooperative
    if cooperative is not None:
        land = Plot.objects.filter(Q(producer=cooperative) | Q(producer__cooperative=cooperative))
        hull = land.aggregate(all=Collect("geometry"))["all"]
        area = hull.convex_hull if hull else None
        Producer.objects.filter(pk=cooperative.pk).update(
            cooperative_area=area if area and area.geom_type == "Polygon" else None
        )


MAX_DESCRIPTION = 2000
PRODUCER_FIELDS = (
    "kind",
    "name",
    "registration_code",
    "gln",
    "description",
    "commune",
    "district",
    "province",
    "street_address",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _apply(producer: Producer, fields: dict) -> Producer:
    for name, value in fields.items():
        if name not in PRODUCER_FIELDS:
            raise ValueError(name)
        if isinstance(value, str):
            value = checked_text(
                value,
                name,
                MAX_DESCRIPTION if name == "description" else 200,
                required=name == "name",
                paragraph=name == "description",
            )
        setattr(producer, name, value)
    producer.full_clean()
    producer.save()
    return producer


@transaction.atomic
def register_producer(
    actor,
    *,
    cooperative: Producer | None = None,
    producer_uuid: uuid.UUID | None = None,
    **fields,
) -> Producer:
    """A farmer registers their farm (and becomes its owner), or a cooperative's manager
    registers a member farm."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please sign in."))
    if cooperative is not None:
        require(actor, Action.MANAGE, cooperative)

    def replay() -> Producer | None:
        existing = Producer.objects.filter(uuid=producer_uuid).first() if producer_uuid else None
        if existing:
            require(actor, Action.VIEW, existing)
        return existing

    def register() -> Producer:
        producer = Producer(uuid=producer_uuid or uuid.uuid4(), cooperative=cooperative)
        producer = _apply(producer, fields)
        Membership.objects.create(user=actor, producer=producer, role=Membership.Role.OWNER)
        return producer

    return once(replay, register)


@transaction.atomic
def update_producer(actor, producer: Producer, **fields) -> Producer:
    require(actor, Action.MANAGE, producer)
    return _apply(producer, fields)


@transaction.atomic
def add_member(actor, producer: Producer, user, role: str) -> Membership:
    require(actor, Action.MANAGE, producer)
    membership, _created = Membership.objects.update_or_create(
        user=user, producer=producer, defaults={"role": role}
    )
    return membership


CERTIFICATE_FIELDS = {
    "scheme",
    "number",
    "issued_by",
    "valid_from",
    "valid_to",
    "plots",
    "products",
    "area_ha",
    "max_volume_kg",
}
SQUARE_METRES_PER_HA = 10_000


def check_certified_area(plots, area_ha) -> None:
    """The plots a certificate covers may not add up to more than the area it certifies
    (a survey's rounding aside: 2 %)."""
    covered = sum(plot.area_m2 for plot in plots) / SQUARE_METRES_PER_HA
    if covered > float(area_ha) * 1.02:
        raise field_error(
            "plots",
            _("These plots cover %(covered).2f ha; the certificate is for %(area).2f ha.")
            % {"covered": covered, "area": area_ha},
            FarmsErrorCode.OUT_OF_RANGE,
        )


def verify_certification(actor, certification: Certification) -> Certification:
    """An inspector confirms the certificate matches the paper one."""
    require(actor, Action.CERTIFY, certification.producer)
    certification.verified_by, certification.verified_at = actor, timezone.now()
    certification.save(update_fields=["verified_by", "verified_at"])
    return certification


def certificate_edited(certification: Certification, changed: set[str]) -> None:
    """A verified certificate whose content changes must be checked again."""
    if certification.verified_at and changed & CERTIFICATE_FIELDS:
        certification.verified_by = certification.verified_at = None
        certification.save(update_fields=["verified_by", "verified_at"])


def certifications_for(plots, on_day, product: Product) -> list[Certification]:
    """Certificates in force on ``on_day`` that cover every one of ``plots`` and list
    ``product``: those a harvest there may claim (its volume is the record's to check)."""
    plot_ids = {plot.pk for plot in plots}
    if not plot_ids:
        return []
    candidates = (
        Certification.objects.filter(
            plots__in=plot_ids,
            products=product,
            status=Certification.Status.ACTIVE,
            valid_from__lte=on_day,
            valid_to__gte=on_day,
        )
        .prefetch_related("plots")
        .distinct()
        .order_by("-valid_to", "pk")
    )
    return [c for c in candidates if plot_ids <= {plot.pk for plot in c.plots.all()}]


def check_place_operator(actor, producer: Producer | None) -> None:
    """A place is run by a producer the actor manages. Only platform staff record places
    that no producer runs (public markets): a producer's staff could not see them again."""
    if producer is not None:
        require(actor, Action.MANAGE, producer)
    elif not has_global_access(actor, Action.MANAGE):
        raise field_error(
            "producer",
            _("Choose the producer that runs this place."),
            FarmsErrorCode.PRODUCER_REQUIRED,
        )
