"""A large traceability record for benchmarks and the mass-balance proof.

One family of lots is recorded through the services, with every rule applied: a crop
diary, a harvest, a split, shippings to partners, a loss, a return, a destruction, a
second split. It is then copied, in bulk, to as many families as asked, on a pool of
producers, plots and partners, spread over two years, so that a lot has neighbours on
its plot in its season and partners are shared, as in a real district.

Copies keep the family's quantities (so the record balances exactly when the services'
family does) and its event hashes (the hash chains of copies are not meant to verify:
the benchmarks measure walking and summing the record, not its chain).
"""

import datetime
import json
import random
import uuid
from dataclasses import dataclass, field

PRODUCERS = 200
PLOTS = 2_000
PARTNERS = 300
SPREAD_DAYS = 730
FAMILIES_PER_CHUNK = 400


@dataclass
class Template:
    """The family recorded through the services, and the pools its copies are put on."""

    batches: list
    events: list
    links: list
    origins: list  # (batch id, plot id)
    producers: list = field(default_factory=list)
    plots: list = field(default_factory=list)
    partners: list = field(default_factory=list)


def record_family():
    """One harvested crop and what happened to it, through the services: 5 lots."""
    from farms.models import Membership
    from tests.factories import (
        PlotFactory,
        ProducerFactory,
        ProductFactory,
        UserFactory,
        kg,
        member,
        moment,
        ship,
        trader,
    )
    from traceability.services.batches import create_batch
    from traceability.services.checks import CheckResult
    from traceability.services.events import record_event
    from traceability.services.parties import register_party
    from traceability.services.transformations import split_batch
    from traceability.steps import BusinessStep as Step

    coop = ProducerFactory(name="HTX mẫu")
    owner = member(UserFactory(), coop, Membership.Role.OWNER)
    plot = PlotFactory(producer=coop)
    crop = create_batch(owner, producer=coop, product=ProductFactory(), plots=[plot])
    diary = [Step.PLANTING, Step.FERTILIZING] + [Step.IRRIGATING] * 17 + [Step.FERTILIZING]
    for index, step in enumerate(diary):
        record_event(owner, crop, step, occurred_at=moment(45 - index * 2), plot=plot)
    record_event(owner, crop, Step.HARVESTING, occurred_at=moment(5), quantity=kg(100))
    for days in (4.8, 4.6):
        record_event(owner, crop, Step.STORING, occurred_at=moment(days))
    checked = CheckResult(True, "", "", [])
    record_event(owner, crop, Step.INSPECTING, occurred_at=moment(4.5), check=checked)
    to_market, kept = split_batch(owner, crop, [kg(60), kg(40)], occurred_at=moment(4))
    stall = register_party(
        owner, coop, name="Sạp mẫu", kind="wholesale_stall", district="Long Biên"
    )
    for days in (3.95, 3.9, 3.85, 3.8, 3.75, 3.7):
        record_event(owner, to_market, Step.STORING, occurred_at=moment(days))
    ship(owner, to_market, kg(30), moment(3.5), to=stall)
    ship(owner, to_market, kg(20), moment(3.4))
    record_event(
        owner, to_market, Step.DESTROYING, occurred_at=moment(3), quantity=kg(5), notes="Dập"
    )
    record_event(
        owner, to_market, Step.RETURNED, occurred_at=moment(2.5), quantity=kg(4), party=stall
    )
    for days in (3.95, 3.9, 3.8, 3.7, 3.6):
        record_event(owner, kept, Step.STORING, occurred_at=moment(days))
    first, second = split_batch(owner, kept, [kg(15), kg(15)], occurred_at=moment(3))
    ship(owner, first, kg(15), moment(2), to=trader(coop))
    for days in (2.5, 2, 1.5):
        record_event(owner, second, Step.STORING, occurred_at=moment(days))
    record_event(owner, second, Step.DESTROYING, occurred_at=moment(1), quantity=kg(3), notes="Héo")
    return [crop, to_market, kept, first, second]


def template_of(lots) -> Template:
    from traceability.models import Batch, BatchLink, TraceEvent

    ids = [lot.pk for lot in lots]
    origins = Batch.origin_plots.through.objects.filter(batch_id__in=ids)
    return Template(
        batches=list(Batch.objects.filter(pk__in=ids).order_by("pk")),
        events=list(TraceEvent.objects.filter(batch_id__in=ids).order_by("batch_id", "sequence")),
        links=list(BatchLink.objects.filter(child_id__in=ids)),
        origins=list(origins.values_list("batch_id", "plot_id")),
    )


def make_pools(template: Template) -> None:
    """Producers, plots (a grid of 60 m squares) and partners the copies are spread on."""
    from farms.models import Plot, Producer
    from tests.factories import square
    from traceability.models import Party

    producers = Producer.objects.bulk_create(
        Producer(
            kind=Producer.Kind.HOUSEHOLD,
            name=f"Hộ sản xuất {index}",
            commune="Vân Nội",
            district="Đông Anh",
            province="Hà Nội",
        )
        for index in range(PRODUCERS)
    )
    plots = []
    for index in range(PLOTS):
        shape = square(105.70 + (index % 50) * 0.001, 21.10 + (index // 50) * 0.001, 60)
        plots.append(
            Plot(
                producer=producers[index % PRODUCERS],
                name=f"Thửa {index}",
                geometry=shape,
                area_m2=3600,
            )
        )
    template.producers = producers
    template.plots = Plot.objects.bulk_create(plots)
    template.partners = Party.objects.bulk_create(
        Party(name=f"Đối tác {index}", kind=Party.Kind.TRADER, district="Đông Anh")
        for index in range(PARTNERS)
    )


def copy_families(template: Template, families: int, seed: int = 14) -> None:
    """``families`` copies of the template, in chunks (each chunk one transaction)."""
    from django.db import transaction

    shuffle = random.Random(seed)
    for start in range(0, families, FAMILIES_PER_CHUNK):
        count = min(FAMILIES_PER_CHUNK, families - start)
        with transaction.atomic():
            _copy_chunk(template, range(start, start + count), shuffle)


def _copy_chunk(template: Template, numbers: range, shuffle: random.Random) -> None:
    from traceability.models import Batch, BatchLink, TraceEvent

    families = [FamilyCopy(template, number, shuffle) for number in numbers]
    # Rows may point at lots not saved yet: bulk_create reads their ids once they are.
    Batch.objects.bulk_create([lot for family in families for lot in family.lots.values()])
    TraceEvent.objects.bulk_create(
        [event for family in families for event in family.events()], batch_size=5_000
    )
    BatchLink.objects.bulk_create(
        [link for family in families for link in family.links()], batch_size=5_000
    )
    Batch.origin_plots.through.objects.bulk_create(
        [origin for family in families for origin in family.origins()], batch_size=5_000
    )


class FamilyCopy:
    """One copy of the template family: on a plot of the pool (and its producer), moved
    in time, with new codes and transformation ids, shipping to partners of the pool."""

    def __init__(self, template: Template, number: int, shuffle: random.Random):
        self.template, self.shuffle = template, shuffle
        self.plot = template.plots[number % PLOTS]
        self.shift = datetime.timedelta(days=shuffle.randrange(SPREAD_DAYS))
        self.lots = {
            lot.pk: self._lot(lot, f"{lot.code[:4]}-G{number:07d}{index}")
            for index, lot in enumerate(template.batches)
        }
        self.codes = {lot.code: self.lots[lot.pk].code for lot in template.batches}
        self.transformations: dict = {}
        self.partners: dict = {}

    def _lot(self, lot, code: str):
        from traceability.models import Batch

        return Batch(
            code=code,
            product_id=lot.product_id,
            producer=self.plot.producer,
            unit=lot.unit,
            quantity=lot.quantity,
            remaining_quantity=lot.remaining_quantity,
            status=lot.status,
            harvest_date=self._moved(lot.harvest_date),
            produced_on=self._moved(lot.produced_on),
            use_by=self._moved(lot.use_by),
            event_count=lot.event_count,
            chain_head=lot.chain_head,
        )

    def _moved(self, moment):
        return moment - self.shift if moment else moment  # within the last two years

    def _transformation(self, original):
        return self.transformations.setdefault(original, uuid.uuid4()) if original else None

    def _details(self, details: dict) -> dict:
        text = json.dumps(details, ensure_ascii=False)
        for old, new in self.codes.items():
            text = text.replace(old, new)
        return json.loads(text)

    def events(self):
        from traceability.models import TraceEvent

        for event in self.template.events:
            party = None
            if event.party_id:
                party = self.partners.setdefault(
                    event.party_id, self.shuffle.choice(self.template.partners)
                )
            yield TraceEvent(
                batch=self.lots[event.batch_id],
                sequence=event.sequence,
                event_type=event.event_type,
                action=event.action,
                business_step=event.business_step,
                disposition=event.disposition,
                occurred_at=self._moved(event.occurred_at),
                plot=self.plot if event.plot_id else None,
                producer=self.plot.producer,
                quantity=event.quantity,
                notes=event.notes,
                transformation_id=self._transformation(event.transformation_id),
                details=self._details(event.details),
                party=party,
                previous_hash=event.previous_hash,
                hash=event.hash,
            )

    def links(self):
        from traceability.models import BatchLink

        for link in self.template.links:
            yield BatchLink(
                parent=self.lots[link.parent_id],
                child=self.lots[link.child_id],
                kind=link.kind,
                quantity=link.quantity,
                transformation_id=self._transformation(link.transformation_id),
            )

    def origins(self):
        from traceability.models import Batch

        through = Batch.origin_plots.through
        for batch_id, _plot in self.template.origins:
            yield through(batch=self.lots[batch_id], plot=self.plot)


def generate(families: int) -> Template:
    """The template family and ``families`` copies of it."""
    template = template_of(record_family())
    make_pools(template)
    copy_families(template, families)
    return template
