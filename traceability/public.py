"""What the public scan page may show: an explicit projection of a trace.

Only the fields listed here reach the consumer. Producer contacts, street addresses,
home locations, the people who recorded events and their free-text notes never do.
It carries the ten items Circular 02/2024/TT-BKHCN asks of a traced product.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.numbers import format_quantity
from farms.models import Certification
from farms.services import utm_srid
from traceability.models import Batch, Label, TraceEvent
from traceability.services.holds import standing_holds
from traceability.services.integrity import last_recall_step
from traceability.services.trace import Trace
from traceability.steps import BusinessStep, Phase, rule_for


@dataclass(frozen=True)
class PublicProducer:
    name: str
    kind: str
    address: str  # commune, district, province: never a street or home address
    cooperative: str
    description: str


@dataclass(frozen=True)
class PublicCertificate:
    scheme: str
    number: str
    issued_by: str
    valid_from: datetime.date
    valid_to: datetime.date
    valid_today: bool
    verified: bool  # checked by an inspector against the paper certificate
    suspended: bool = False  # suspended or withdrawn by its certifying body


@dataclass(frozen=True)
class PublicStep:
    time: datetime.datetime
    step: str
    step_code: str
    lot: str
    place: str
    place_code: str
    by: str
    quantity: str
    inputs: list[str]
    photos: list[str]
    corrected_on: datetime.date | None = None  # declared wrong then (the reason stays private)
    partner: str = ""  # whom it went to or came from, as partners may be named publicly
    recorded_days_later: int = 0  # typed long after it happened (0: within LATE_ENTRY)


@dataclass(frozen=True)
class PublicWaitingPeriod:
    """An input with a waiting period, and the harvest that followed it."""

    input: str
    applied: datetime.datetime
    harvested: datetime.datetime
    days: int

    @property
    def kept(self) -> bool:
        return self.harvested >= self.applied + datetime.timedelta(days=self.days)


@dataclass
class PublicTrace:
    product: str
    product_image: str
    lot: str
    gtin: str
    producer: PublicProducer
    harvest_date: datetime.date | None
    production_date: datetime.date | None
    expiry_date: datetime.date | None
    certificate: PublicCertificate | None
    steps: list[PublicStep]
    intact: bool
    recalled: bool
    recall_reason: str
    holds: list[str]
    region: str
    map_shapes: list[str] = field(default_factory=list)
    map_link: str = ""
    waiting_periods: list[PublicWaitingPeriod] = field(default_factory=list)


def _producer(batch: Batch) -> PublicProducer:
    producer = batch.producer
    return PublicProducer(
        name=producer.name,
        kind=producer.get_kind_display(),
        address=producer.public_address,
        cooperative=producer.cooperative.name if producer.cooperative_id else "",
        description=producer.description,
    )


def _certificate(certificate: Certification | None) -> PublicCertificate | None:
    if certificate is None:
        return None
    return PublicCertificate(
        scheme=certificate.get_scheme_display(),
        number=certificate.number,
        issued_by=certificate.issued_by,
        valid_from=certificate.valid_from,
        valid_to=certificate.valid_to,
        valid_today=certificate.is_valid_on(timezone.localdate()),
        verified=certificate.verified_at is not None,
        suspended=certificate.status != Certification.Status.ACTIVE,
    )


def _quantity(value, batch: Batch) -> str:
    return f"{format_quantity(value)} {batch.get_unit_display()}" if value is not None else ""


def _place(event: TraceEvent) -> tuple[str, str]:
    if not event.plot_id and not event.place_id:
        if rule_for(event.business_step).phase in (Phase.PRE_HARVEST, Phase.HARVEST):
            return ", ".join(plot.name for plot in event.batch.origin_plots.all()), ""
        return "", ""
    if event.plot_id:
        farm = event.plot.producer
        return (f"{event.plot.name} · {farm.commune}, {farm.district}", event.plot.location_code)
    if event.place_id:
        place = event.place
        area = ", ".join(p for p in (place.district, place.province) if p)
        return (f"{place.name} · {area}" if area else place.name, place.location_code)
    return "", ""


LATE_ENTRY = datetime.timedelta(days=7)
# A step a partner took, told from the partner's side ("Đã nhận tại Siêu thị …").
_AT_PARTNER = {
    BusinessStep.RECEIVING: gettext_lazy("Received at %(name)s"),
    BusinessStep.STORING: gettext_lazy("Stored at %(name)s"),
    BusinessStep.SELLING: gettext_lazy("Sold at %(name)s"),
}


def _headline(event: TraceEvent) -> tuple[str, str]:
    """The step's name, and who took it (empty when the name says it)."""
    label = BusinessStep(event.business_step).label
    if not event.actor_id:
        return label, event.producer.name
    phrase = _AT_PARTNER.get(event.business_step)
    if phrase is None:
        return label, event.actor.public_name
    return str(phrase) % {"name": event.actor.public_name}, ""


def _lateness(event: TraceEvent) -> int:
    """Days between a step and its record, when that is long: a diary typed in one go
    reads differently from one kept day by day."""
    delay = event.recorded_at - event.occurred_at
    return delay.days if delay > LATE_ENTRY else 0


def _steps(events: list[TraceEvent]) -> list[PublicStep]:
    """The journey: every recorded step, a corrected one marked with the day it was
    corrected and followed by what replaced it. Corrections themselves are not steps."""
    corrected = {
        event.details["corrects"]: timezone.localdate(event.recorded_at)
        for event in events
        if event.business_step == BusinessStep.CORRECTING
    }
    return [
        _step(event, corrected.get(str(event.uuid)))
        for event in events
        if event.business_step != BusinessStep.CORRECTING
    ]


def _step(event: TraceEvent, corrected_on: datetime.date | None = None) -> PublicStep:
    place, place_code = _place(event)
    headline, by = _headline(event)
    inputs = [
        " ".join(
            part
            for part in (
                row.name,
                f"({row.active_ingredient})" if row.active_ingredient else "",
                f"{format_quantity(row.dose)} {row.dose_unit}" if row.dose is not None else "",
            )
            if part
        )
        for row in event.inputs.all()
    ]
    return PublicStep(
        time=timezone.localtime(event.occurred_at),
        step=headline,
        step_code=event.business_step,
        lot=event.batch.code,
        place=place,
        place_code=place_code,
        by=by,
        partner=event.party.public_name if event.party_id else "",
        recorded_days_later=_lateness(event),
        quantity=_quantity(event.quantity, event.batch),
        inputs=inputs,
        photos=[(photo.thumbnail or photo.image).url for photo in event.photos.all()],
        corrected_on=corrected_on,
    )


def _waiting_periods(events: list[TraceEvent]) -> list[PublicWaitingPeriod]:
    """For each input with a waiting period (on the lot or its land), the first harvest
    after it: the consumer reads whether the wait was kept, not only that it was sprayed."""
    corrected = {
        e.details["corrects"] for e in events if e.business_step == BusinessStep.CORRECTING
    }
    standing = [e for e in events if str(e.uuid) not in corrected]
    harvests = sorted(
        timezone.localtime(e.occurred_at)
        for e in standing
        if e.business_step == BusinessStep.HARVESTING
    )
    periods = []
    for event in standing:
        applied = timezone.localtime(event.occurred_at)
        after = next((moment for moment in harvests if moment >= applied), None)
        periods += [
            PublicWaitingPeriod(
                row.name, applied.date(), after.date(), row.pre_harvest_interval_days
            )
            for row in event.inputs.all()
            if row.pre_harvest_interval_days and after is not None
        ]
    return periods


def _map(trace: Trace, size: float = 200.0) -> tuple[list[str], str]:
    """SVG polygon point lists for the origin plots, in a ``size`` square, and a link."""
    if not trace.plots:
        return [], ""
    srid = utm_srid(trace.plots[0].geometry)
    shapes = [plot.geometry.transform(srid, clone=True) for plot in trace.plots]
    xmin = min(s.extent[0] for s in shapes)
    ymin = min(s.extent[1] for s in shapes)
    span = max(max(s.extent[2] for s in shapes) - xmin, max(s.extent[3] for s in shapes) - ymin)
    scale = (size * 0.8) / (span or 1)
    margin = size * 0.1
    polygons = [
        " ".join(
            f"{margin + (x - xmin) * scale:.1f},{size - margin - (y - ymin) * scale:.1f}"
            for x, y in shape.exterior_ring.coords
        )
        for shape in shapes
    ]
    centre = trace.plots[0].geometry.centroid
    return polygons, f"geo:{centre.y:.3f},{centre.x:.3f}"


def copy_warning(label: Label) -> str:
    """What consumers are told about a label that may be a copy (empty: nothing)."""
    # Only evidence from many networks is told to consumers; weaker signals (which one
    # person could fabricate) stay with the producer and inspectors.
    if not label.public_warning:
        return ""
    return _(
        "This label has been scanned unusually often or in places far apart. "
        "It may be a copy: ask the seller, or report it to the producer."
    )


def _region(trace: Trace) -> str:
    districts = sorted({f"{p.producer.district}, {p.producer.province}" for p in trace.plots})
    return "; ".join(districts) or trace.batch.producer.public_address


def public_trace(trace: Trace) -> PublicTrace:
    """The lot's public story (a label's own part is ``copy_warning``)."""
    batch = trace.batch
    shapes, link = _map(trace)
    # From the hash chain, so that undoing a recall in the database cannot hide it.
    recall = last_recall_step(trace.events, batch.pk)
    recalled = recall is not None and recall.business_step == BusinessStep.RECALLING
    return PublicTrace(
        product=batch.product.name,
        product_image=batch.product.image.url if batch.product.image else "",
        lot=batch.code,
        gtin=batch.product.gtin,
        producer=_producer(batch),
        harvest_date=batch.harvest_date,
        production_date=batch.produced_on,
        expiry_date=batch.use_by,
        certificate=_certificate(batch.certification),
        steps=_steps(trace.events),
        intact=trace.intact,
        recalled=recalled,
        recall_reason=recall.notes if recalled else "",
        holds=[] if recalled else standing_holds(trace.events, batch.pk),
        region=_region(trace),
        map_shapes=shapes,
        map_link=link,
        waiting_periods=_waiting_periods(trace.events),
    )
