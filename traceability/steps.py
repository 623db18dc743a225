"""Business steps of a batch's life and how each maps onto GS1 EPCIS 2.0 / CBV 2.0.

CBV 2.0 has a fixed list of business steps; farm steps that are not on it (planting,
spraying, harvesting…) use the product's own vocabulary URIs in exports.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(StrEnum):
    PRE_HARVEST = "pre_harvest"  # on the growing crop, before harvest
    HARVEST = "harvest"  # creates the lot from the field
    POST_HARVEST = "post_harvest"  # on the harvested lot
    TRANSFORMATION = "transformation"  # split, merge, transform: links lots
    ANYTIME = "anytime"


class Stock(StrEnum):
    """What a step does to the lot's stock (the ledger that mass balance checks)."""

    NONE = "none"
    IN = "in"  # the harvest brings the quantity in
    RETURN = "return"  # what went out comes back (a recall's recovery)
    OUT = "out"  # it leaves the lot's holder: shipped, sold
    LOSS = "loss"  # it is lost or destroyed, with a reason


class BusinessStep(models.TextChoices):
    PLANTING = "planting", _("Planting")
    SEEDING = "seeding", _("Seeding")
    FERTILIZING = "fertilizing", _("Fertilizing")
    SPRAYING = "spraying", _("Spraying")
    IRRIGATING = "irrigating", _("Irrigating")
    HARVESTING = "harvesting", _("Harvesting")
    PACKING = "packing", _("Packing")
    INSPECTING = "inspecting", _("Inspecting")
    STORING = "storing", _("Storing")
    SHIPPING = "shipping", _("Shipping")
    RECEIVING = "receiving", _("Receiving")
    SELLING = "selling", _("Selling")
    DESTROYING = "destroying", _("Loss or destruction")
    REPACKAGING = "repackaging", _("Splitting or merging")
    PROCESSING = "processing", _("Processing")
    RECALLING = "recalling", _("Recall")
    SAMPLING = "sampling", _("Sampling and laboratory test")
    HOLDING = "holding", _("Held for checking")
    RELEASING = "releasing", _("Released after checking")
    RECALL_WITHDRAWN = "recall_withdrawn", _("Recall withdrawn")
    CORRECTING = "correcting", _("Correction")
    RETURNED = "returned", _("Taken back")


class EventType(models.TextChoices):
    OBJECT = "ObjectEvent", "ObjectEvent"
    TRANSFORMATION = "TransformationEvent", "TransformationEvent"


@dataclass(frozen=True)
class StepRule:
    phase: Phase
    cbv: str | None  # the CBV 2.0 business step, or None for our own vocabulary
    disposition: str | None = None
    action: str = "OBSERVE"
    recordable: bool = True  # False: only made by services (transformations, recall)
    stock: Stock = Stock.NONE


STEP_RULES: dict[str, StepRule] = {
    BusinessStep.PLANTING: StepRule(Phase.PRE_HARVEST, None, "active"),
    BusinessStep.SEEDING: StepRule(Phase.PRE_HARVEST, None, "active"),
    BusinessStep.FERTILIZING: StepRule(Phase.PRE_HARVEST, None, "active"),
    BusinessStep.SPRAYING: StepRule(Phase.PRE_HARVEST, None, "active"),
    BusinessStep.IRRIGATING: StepRule(Phase.PRE_HARVEST, None, "active"),
    BusinessStep.HARVESTING: StepRule(Phase.HARVEST, None, "active", action="ADD", stock=Stock.IN),
    BusinessStep.PACKING: StepRule(Phase.POST_HARVEST, "packing", "in_progress"),
    BusinessStep.INSPECTING: StepRule(Phase.ANYTIME, "inspecting", "conformant"),
    BusinessStep.STORING: StepRule(Phase.POST_HARVEST, "storing", "sellable_not_accessible"),
    BusinessStep.SHIPPING: StepRule(Phase.POST_HARVEST, "shipping", "in_transit", stock=Stock.OUT),
    BusinessStep.RECEIVING: StepRule(Phase.POST_HARVEST, "receiving", "in_progress"),
    BusinessStep.SELLING: StepRule(
        Phase.POST_HARVEST, "retail_selling", "retail_sold", stock=Stock.OUT
    ),
    BusinessStep.DESTROYING: StepRule(
        Phase.POST_HARVEST, "destroying", "destroyed", action="DELETE", stock=Stock.LOSS
    ),
    BusinessStep.REPACKAGING: StepRule(
        Phase.TRANSFORMATION, "repackaging", "active", recordable=False
    ),
    BusinessStep.PROCESSING: StepRule(Phase.TRANSFORMATION, None, "active", recordable=False),
    BusinessStep.RECALLING: StepRule(Phase.ANYTIME, "holding", "recalled", recordable=False),
    BusinessStep.SAMPLING: StepRule(Phase.ANYTIME, "sampling", "conformant"),
    BusinessStep.HOLDING: StepRule(
        Phase.ANYTIME, "holding", "non_sellable_other", recordable=False
    ),
    BusinessStep.RELEASING: StepRule(Phase.ANYTIME, None, "active", recordable=False),
    BusinessStep.RECALL_WITHDRAWN: StepRule(Phase.ANYTIME, None, "active", recordable=False),
    BusinessStep.RETURNED: StepRule(
        Phase.POST_HARVEST, "receiving", "returned", action="ADD", stock=Stock.RETURN
    ),
    # Exported as the errorDeclaration of the event it corrects, not as an event.
    BusinessStep.CORRECTING: StepRule(Phase.ANYTIME, None, None, recordable=False),
}

RECORDABLE_STEPS = [step.value for step, rule in STEP_RULES.items() if rule.recordable]
# Steps that check the produce: recorded by its producer or by an inspector, with their outcome.
CHECKS = (BusinessStep.INSPECTING, BusinessStep.SAMPLING)
# What may still be recorded on a recalled lot: checks, and dealing with the produce.
AFTER_RECALL = (*CHECKS, BusinessStep.RETURNED, BusinessStep.DESTROYING)
# Steps that name the partner the lot went to or came from.
WITH_PARTY = (BusinessStep.SHIPPING, BusinessStep.RECEIVING, BusinessStep.RETURNED)


def rule_for(step: str) -> StepRule:
    return STEP_RULES[BusinessStep(step)]
