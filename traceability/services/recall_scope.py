"""The recall workbench: for a lot, every lot a problem with it may reach, in every
direction, and every partner those lots went to, with quantities. One request, a fixed
number of queries whatever the size of the record.

- what was made from it (forward), and what it was made from (back);
- its siblings: lots made from the same sources (a split's other half, a merge's other
  contributions);
- lots harvested from the same plots in the same season (a spraying or a contaminated
  well reaches every cutting of a bed);
- the partners each of them was shipped to, what was shipped and what came back.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from farms.permissions import Action, producers_for, require
from traceability.models import Batch, Party, TraceEvent
from traceability.services.parties import phone_visible_to
from traceability.services.trace import ancestor_ids, descendants_of
from traceability.steps import BusinessStep

SEASON = datetime.timedelta(days=45)  # one crop cycle of a leafy vegetable, around a harvest


class Relation(StrEnum):
    THIS = "this"
    MADE_FROM_IT = "made_from_it"
    ITS_SOURCE = "its_source"
    SIBLING = "sibling"
    SAME_PLOT_AND_SEASON = "same_plot_and_season"


RELATION_LABELS = {
    Relation.THIS: _("This lot"),
    Relation.MADE_FROM_IT: _("Made from it"),
    Relation.ITS_SOURCE: _("What it was made from"),
    Relation.SIBLING: _("Made from the same sources"),
    Relation.SAME_PLOT_AND_SEASON: _("Same plots, same season"),
}


@dataclass(frozen=True)
class AffectedLot:
    batch: Batch
    relation: Relation

    @property
    def label(self) -> str:
        return str(RELATION_LABELS[self.relation])


@dataclass(frozen=True)
class Reach:
    """What one lot gave one partner, and what came back."""

    party: Party
    lot: str
    shipped: Decimal
    returned: Decimal
    unit: str
    phone: str | None = None  # only for those who may see it

    @property
    def still_out(self) -> Decimal:
        return self.shipped - self.returned


@dataclass
class RecallScope:
    batch: Batch
    lots: list[AffectedLot] = field(default_factory=list)
    reached: list[Reach] = field(default_factory=list)
    hidden_reaches: int = 0  # partners of producers the viewer may not see, counted only


def recall_scope(actor, batch: Batch) -> RecallScope:
    """Everything recalling ``batch`` should look at (for those who may recall it)."""
    require(actor, Action.RECALL, batch.producer)
    relations = _relations(batch)
    lots = Batch.objects.filter(pk__in=relations).select_related("product", "producer")
    scope = RecallScope(batch=batch)
    scope.lots = sorted(
        (AffectedLot(lot, relations[lot.pk]) for lot in lots),
        key=lambda item: (list(Relation).index(item.relation), item.batch.code),
    )
    reaches = list(reaches_of({lot.pk: lot for lot in lots}))
    concerned = {producer_id for _reach, producer_id in reaches}
    concerned |= {reach.party.registered_by_id for reach, _producer_id in reaches}
    visible = set(
        producers_for(actor, Action.VIEW).filter(pk__in=concerned).values_list("pk", flat=True)
    )
    for reach, producer_id in reaches:
        if producer_id in visible:
            scope.reached.append(replace(reach, phone=phone_visible_to(reach.party, visible)))
        else:
            scope.hidden_reaches += 1
    return scope


def _relations(batch: Batch) -> dict[int, Relation]:
    sources = ancestor_ids(batch.pk)
    made = descendants_of([batch.pk])
    relations = dict.fromkeys(descendants_of([*sources, batch.pk]), Relation.SIBLING)
    relations.update(dict.fromkeys(made, Relation.MADE_FROM_IT))
    relations.update(dict.fromkeys(sources, Relation.ITS_SOURCE))
    for lot in _same_plot_and_season([batch.pk, *sources]):
        relations.setdefault(lot, Relation.SAME_PLOT_AND_SEASON)
    relations[batch.pk] = Relation.THIS
    return relations


def _same_plot_and_season(lot_ids: list[int]) -> list[int]:
    """Lots harvested from the plots these were harvested from, within a season of one of
    their harvests (and what was made from them)."""
    harvests = Batch.objects.filter(pk__in=lot_ids, harvest_date__isnull=False)
    near = Q()
    for lot in harvests.prefetch_related("origin_plots"):
        plots = [plot.pk for plot in lot.origin_plots.all()]
        if plots:
            near |= Q(
                origin_plots__in=plots,
                harvest_date__range=(lot.harvest_date - SEASON, lot.harvest_date + SEASON),
            )
    if not near:
        return []
    neighbours = list(Batch.objects.filter(near).values_list("pk", flat=True).distinct())
    return neighbours + descendants_of(neighbours)


def reaches_of(lots: dict[int, Batch]):
    """(Reach, the lot's producer id) for every partner the lots went to."""
    moves = (
        TraceEvent.objects.standing()
        .filter(
            batch__in=lots,
            party__isnull=False,
            business_step__in=(BusinessStep.SHIPPING, BusinessStep.RETURNED),
        )
        .values("batch", "party", "business_step")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    totals: dict[tuple[int, int], dict[str, Decimal]] = {}
    for row in moves:
        entry = totals.setdefault((row["batch"], row["party"]), {})
        entry[row["business_step"]] = row["quantity"] or Decimal(0)
    parties = Party.objects.in_bulk({party for _lot, party in totals})
    for (lot_id, party_id), quantities in sorted(totals.items()):
        lot = lots[lot_id]
        reach = Reach(
            party=parties[party_id],
            lot=lot.code,
            shipped=quantities.get(BusinessStep.SHIPPING, Decimal(0)),
            returned=quantities.get(BusinessStep.RETURNED, Decimal(0)),
            unit=lot.get_unit_display(),
        )
        yield reach, lot.producer_id
