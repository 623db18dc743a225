"""GraphQL for batches, trace events and labels: what the farmer's app reads and writes."""

import django_filters
import graphene
from django.db.models import Prefetch
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_django.filter import DjangoFilterConnectionField
from graphene_file_upload.scalars import Upload

from accounts.error_codes import AccountsErrorCode
from backend.graphql.errors import error_type, not_found
from backend.graphql.filters import NumericGlobalIDFilter
from backend.graphql.mutations import app_mutation
from backend.graphql.scalars import choices_enum
from backend.graphql.selection import requested_paths
from farms.error_codes import FarmsErrorCode
from farms.models import AgriculturalInput, Plot
from farms.permissions import Action
from farms.schema import PlotNode, place_by_id, producer_by_id, product_by_id
from farms.schema_access import get_for, producer_ids, signed_in_user
from traceability import printing
from traceability.error_codes import TraceabilityErrorCode
from traceability.models import Batch, EventInput, Hold, LabelSheet, Party, TraceEvent
from traceability.public import public_trace
from traceability.services import (
    batches,
    corrections,
    holds,
    labels,
    parties,
    transformations,
)
from traceability.services.checks import CheckResult, Residue
from traceability.services.events import InputUse, record_event
from traceability.services.trace import load_trace
from traceability.services.waiting_periods import earliest_safe_harvest
from traceability.steps import RECORDABLE_STEPS, BusinessStep

TraceabilityMutation = app_mutation(
    error_type("TraceabilityError", AccountsErrorCode, FarmsErrorCode, TraceabilityErrorCode)
)

StepEnum = choices_enum("BusinessStep", BusinessStep.values)
RecordableStepEnum = choices_enum("RecordableStep", RECORDABLE_STEPS)
LayoutEnum = choices_enum("LabelLayout", printing.LAYOUTS)


class EventInputType(DjangoObjectType):
    class Meta:
        model = EventInput
        fields = ("name", "active_ingredient", "dose", "dose_unit", "pre_harvest_interval_days")


class PhotoType(graphene.ObjectType):
    url = graphene.String(required=True)
    thumbnail_url = graphene.String(description="Null until the thumbnail is made.")

    def resolve_url(photo, info):
        return info.context.build_absolute_uri(photo.image.url)

    def resolve_thumbnail_url(photo, info):
        return info.context.build_absolute_uri(photo.thumbnail.url) if photo.thumbnail else None


PartyKindEnum = choices_enum("PartnerKind", Party.Kind.values)


class PartyType(DjangoObjectType):
    """A trading partner. Its phone is shown only to those who act for the producer that
    registered it."""

    kind = PartyKindEnum(required=True)
    phone = graphene.String()

    class Meta:
        model = Party
        fields = ("uuid", "name", "commune", "district", "province", "tax_code", "gln")

    def resolve_kind(party, info):
        return Party.Kind(party.kind).value

    def resolve_phone(party, info):
        return parties.phone_visible_to(party, producer_ids(info))


class TraceEventType(DjangoObjectType):
    business_step = StepEnum(required=True)
    party = graphene.Field(PartyType, description="Whom it went to or came from.")
    inputs = graphene.List(graphene.NonNull(EventInputType), required=True)
    photos = graphene.List(graphene.NonNull(PhotoType), required=True)
    plot = graphene.Field(PlotNode)

    class Meta:
        model = TraceEvent
        fields = (
            "uuid",
            "sequence",
            "event_type",
            "disposition",
            "occurred_at",
            "time_zone_offset",
            "recorded_at",
            "plot",
            "place",
            "quantity",
            "notes",
            "hash",
            "corrects",
        )

    def resolve_business_step(event, info):
        return BusinessStep(event.business_step).value  # a fresh row may hold the member

    def resolve_plot(event, info):
        """The plot the list already loaded, if the requester may see it."""
        plot = event.plot
        return plot if plot and plot.producer_id in producer_ids(info) else None

    def resolve_inputs(event, info):
        return event.inputs.all()

    def resolve_photos(event, info):
        return event.photos.all()


class LabelLayoutType(graphene.ObjectType):
    """A sticker sheet the labels can be printed on."""

    layout = LayoutEnum(required=True)
    name = graphene.String(required=True, description="In the request's language.")
    per_page = graphene.Int(required=True)


class LabelSheetType(DjangoObjectType):
    download_url = graphene.String(description="A link valid for an hour, once ready.")
    layout_name = graphene.String(required=True, description="In the request's language.")

    class Meta:
        model = LabelSheet
        fields = ("uuid", "layout", "label_count", "status", "created_at", "finished_at")

    def resolve_layout_name(sheet, info):
        return str(printing.LAYOUTS[sheet.layout].name)

    def resolve_download_url(sheet, info):
        path = labels.download_link(sheet, producer_ids(info, Action.OPERATE))
        return info.context.build_absolute_uri(path) if path else None


class TraceStepType(graphene.ObjectType):
    time = graphene.DateTime(required=True)
    step = graphene.String(required=True)
    step_code = graphene.String(required=True)
    lot = graphene.String(required=True)
    place = graphene.String(required=True)
    by = graphene.String(required=True)
    quantity = graphene.String(required=True)
    inputs = graphene.List(graphene.NonNull(graphene.String), required=True)


class TraceType(graphene.ObjectType):
    """The journey back to the plots, as a consumer would see it, and its integrity."""

    intact = graphene.Boolean(required=True)
    problems = graphene.List(graphene.NonNull(graphene.String), required=True)
    steps = graphene.List(graphene.NonNull(TraceStepType), required=True)
    lots = graphene.List(graphene.NonNull(graphene.String), required=True)


class HoldType(DjangoObjectType):
    class Meta:
        model = Hold
        fields = ("reason", "explanation", "placed_at", "released_at", "release_note")


class BatchNode(DjangoObjectType):
    events = graphene.List(graphene.NonNull(TraceEventType), required=True)
    holds = graphene.List(
        graphene.NonNull(HoldType), required=True, description="Newest first, open or lifted."
    )
    next_steps = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="What may still be done with the lot: event, recall, split, merge, "
        "transform, labels, withdraw, release (each is checked again when done).",
    )
    earliest_safe_harvest = graphene.DateTime(
        description="While a waiting period runs on this crop's plots, when it ends."
    )
    label_sheets = graphene.List(graphene.NonNull(LabelSheetType), required=True)
    trace = graphene.Field(TraceType, required=True)
    scan_page_url = graphene.String(required=True)

    class Meta:
        model = Batch
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "code",
            "product",
            "producer",
            "origin_plots",
            "unit",
            "quantity",
            "remaining_quantity",
            "status",
            "harvest_date",
            "produced_on",
            "certification",
            "recall_reason",
            "use_by",
            "on_hold",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(producer_id__in=producer_ids(info))

    def resolve_events(batch, info):
        """The batch's diary in the order things happened (prefetched in that order)."""
        return sorted(batch.events.all(), key=lambda event: (event.occurred_at, event.sequence))

    def resolve_label_sheets(batch, info):
        return batch.label_sheets.all()

    def resolve_holds(batch, info):
        return batch.holds.all()

    def resolve_next_steps(batch, info):
        return sorted(batches.next_steps(batch))

    def resolve_earliest_safe_harvest(batch, info):
        return earliest_safe_harvest(batch) if batch.status == Batch.Status.GROWING else None

    def resolve_origin_plots(batch, info, **_paging):
        return batch.origin_plots.all()

    def resolve_scan_page_url(batch, info):
        return info.context.build_absolute_uri(f"/lot/{batch.code}")

    def resolve_trace(batch, info):
        trace = load_trace(batch)
        public = public_trace(trace)
        return TraceType(
            intact=trace.intact,
            problems=[p for r in trace.reports for p in r.problems],
            steps=public.steps,
            lots=sorted(b.code for b in trace.batches.values()),
        )


class BatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Batch.Status.choices)
    product = NumericGlobalIDFilter(field_name="product")
    producer = NumericGlobalIDFilter(field_name="producer")
    harvested_after = django_filters.DateFilter(field_name="harvest_date", lookup_expr="gte")
    harvested_before = django_filters.DateFilter(field_name="harvest_date", lookup_expr="lte")
    code = django_filters.CharFilter(field_name="code", lookup_expr="istartswith")

    class Meta:
        model = Batch
        fields = ["status", "product", "producer", "harvested_after", "harvested_before", "code"]


def _planned(queryset, paths: set[str], prefix: str):
    """Prefetch only what the query reads below ``prefix`` (e.g. "edges.node.")."""
    queryset = queryset.select_related("product", "producer", "certification")
    if f"{prefix}events" in paths:
        events = (
            TraceEvent.objects.select_related("plot", "place", "party")
            .prefetch_related("inputs", "photos")
            .order_by("occurred_at", "sequence")
        )
        queryset = queryset.prefetch_related(Prefetch("events", queryset=events))
    if f"{prefix}labelSheets" in paths:
        queryset = queryset.prefetch_related("label_sheets")
    if f"{prefix}holds" in paths:
        queryset = queryset.prefetch_related("holds")
    if f"{prefix}originPlots" in paths:
        queryset = queryset.prefetch_related(
            Prefetch(
                "origin_plots",
                queryset=Plot.objects.select_related("crop", "producer", "handover__to_producer"),
            )
        )
    return queryset


class Query(graphene.ObjectType):
    my_batches = DjangoFilterConnectionField(BatchNode, filterset_class=BatchFilter)
    batch_by_code = graphene.Field(BatchNode, code=graphene.String(required=True))
    label_layouts = graphene.List(graphene.NonNull(LabelLayoutType), required=True)

    def resolve_label_layouts(root, info):
        return [
            LabelLayoutType(layout=key, name=str(layout.name), per_page=layout.per_page)
            for key, layout in printing.LAYOUTS.items()
        ]

    def resolve_my_batches(root, info, **kwargs):
        signed_in_user(info)
        visible = Batch.objects.filter(producer_id__in=producer_ids(info))
        return _planned(visible, requested_paths(info), "edges.node.").order_by(
            "-created_at", "-pk"
        )

    def resolve_batch_by_code(root, info, code):
        visible = Batch.objects.filter(producer_id__in=producer_ids(info), code=code)
        return _planned(visible, requested_paths(info), "").first()


def batch_by_id(info, global_id, field="batchId") -> Batch:
    return get_for(
        info, Batch.objects.select_related("product", "producer"), global_id, "BatchNode", field
    )


class CreateBatchInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    producer_id = graphene.ID(required=True)
    product_id = graphene.ID(required=True)
    plot_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    unit = graphene.String()
    harvested_at = graphene.DateTime(description="Leave out for a crop still growing.")
    quantity = graphene.Decimal()


class CreateBatch(TraceabilityMutation):
    batch = graphene.Field(BatchNode)

    class Arguments:
        input = CreateBatchInput(required=True)

    @classmethod
    def perform(cls, info, data):
        plots = [
            get_for(info, Plot.objects.all(), plot_id, "PlotNode", "plotIds")
            for plot_id in data["plot_ids"]
        ]
        batch = batches.create_batch(
            info.context.user,
            producer=producer_by_id(info, data["producer_id"]),
            product=product_by_id(info, data["product_id"]),
            plots=plots,
            unit=data.get("unit"),
            harvested_at=data.get("harvested_at"),
            quantity=data.get("quantity"),
            batch_uuid=data.get("client_id"),
        )
        return {"batch": batch}


class InputUseInput(graphene.InputObjectType):
    agricultural_input_id = graphene.ID()
    name = graphene.String(default_value="")
    dose = graphene.Decimal()
    dose_unit = graphene.String(default_value="")
    pre_harvest_interval_days = graphene.Int(description="Overrides the catalogue's.")


class RecordEventInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    batch_id = graphene.ID(required=True)
    step = RecordableStepEnum(required=True)
    occurred_at = graphene.DateTime(required=True, description="When it happened, with offset.")
    plot_id = graphene.ID()
    place_id = graphene.ID()
    quantity = graphene.Decimal()
    notes = graphene.String(default_value="")
    inputs = graphene.List(graphene.NonNull(InputUseInput), default_value=[])
    photos = graphene.List(graphene.NonNull(Upload), default_value=[])
    keep_photo_location = graphene.Boolean(
        default_value=False, description="Keep where the photos were taken (private)."
    )
    check = graphene.Field(
        lambda: CheckInput, description="For an inspection or a laboratory test: its outcome."
    )
    party_id = graphene.UUID(description="For a shipping: whom it went to (a known partner).")
    new_party = graphene.Field(
        lambda: PartyInput, description="Or a partner not known yet, registered with the event."
    )


class PartyInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    name = graphene.String(required=True)
    kind = PartyKindEnum(required=True)
    district = graphene.String(required=True)
    commune = graphene.String(default_value="")
    province = graphene.String(default_value="Hà Nội")
    tax_code = graphene.String(default_value="")
    gln = graphene.String(default_value="")
    phone = graphene.String(default_value="", description="Kept private.")


def _new_party(info, producer, data: dict) -> Party:
    return parties.register_party(
        info.context.user,
        producer,
        name=data["name"],
        kind=data["kind"].value,
        district=data["district"],
        commune=data["commune"],
        province=data["province"],
        tax_code=data["tax_code"],
        gln=data["gln"],
        phone=data["phone"],
        party_uuid=data.get("client_id"),
    )


def _party(info, batch: Batch, data: dict) -> Party | None:
    if data.get("new_party"):
        return _new_party(info, batch.producer, data["new_party"])
    if data.get("party_id"):
        found = parties.partners_of(batch.producer).filter(uuid=data["party_id"]).first()
        if found is None:
            raise not_found("partyId")
        return found
    return None


class ResidueInput(graphene.InputObjectType):
    substance = graphene.String(required=True)
    value = graphene.Decimal(required=True)
    limit = graphene.Decimal(required=True, description="The maximum residue limit.")
    unit = graphene.String(default_value="mg/kg")


class CheckInput(graphene.InputObjectType):
    conformant = graphene.Boolean(description="Required for an inspection.")
    laboratory = graphene.String(default_value="")
    sample_code = graphene.String(default_value="")
    residues = graphene.List(graphene.NonNull(ResidueInput), default_value=[])


def _check(data: dict | None) -> CheckResult | None:
    if data is None:
        return None
    residues = [
        Residue(r["substance"], r["value"], r["limit"], r["unit"]) for r in data["residues"]
    ]
    return CheckResult(data.get("conformant"), data["laboratory"], data["sample_code"], residues)


def _input_use(info, item) -> InputUse:
    catalogue = (
        get_for(
            info,
            AgriculturalInput.objects.all(),
            item["agricultural_input_id"],
            "AgriculturalInputNode",
            "inputs",
            owned=False,
        )
        if item.get("agricultural_input_id")
        else None
    )
    return InputUse(
        agricultural_input=catalogue,
        name=item.get("name") or "",
        dose=item.get("dose"),
        dose_unit=item.get("dose_unit") or "",
        pre_harvest_interval_days=item.get("pre_harvest_interval_days"),
    )


class RecordEvent(TraceabilityMutation):
    event = graphene.Field(TraceEventType)
    batch = graphene.Field(BatchNode)

    class Arguments:
        input = RecordEventInput(required=True)

    @classmethod
    def perform(cls, info, data):
        batch = batch_by_id(info, data["batch_id"])
        plot = (
            get_for(info, Plot.objects.all(), data["plot_id"], "PlotNode", "plotId")
            if data.get("plot_id")
            else None
        )
        step = data["step"].value  # graphene passes the enum member
        event = record_event(
            info.context.user,
            batch,
            step,
            occurred_at=data["occurred_at"],
            plot=plot,
            place=place_by_id(info, data.get("place_id")),
            quantity=data.get("quantity"),
            notes=data.get("notes") or "",
            inputs=[_input_use(info, i) for i in data["inputs"]],
            photos=data["photos"],
            keep_photo_location=data["keep_photo_location"],
            event_uuid=data.get("client_id"),
            check=_check(data.get("check")),
            party=_party(info, batch, data),
        )
        batch.refresh_from_db()
        return {"event": event, "batch": batch}


class TransformationFields(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    occurred_at = graphene.DateTime(required=True)
    place_id = graphene.ID()
    notes = graphene.String(default_value="")


class SplitBatchInput(TransformationFields):
    batch_id = graphene.ID(required=True)
    quantities = graphene.List(graphene.NonNull(graphene.Decimal), required=True)


def _common(info, data) -> dict:
    return {
        "occurred_at": data["occurred_at"],
        "place": place_by_id(info, data.get("place_id")),
        "notes": data.get("notes") or "",
        "transformation_id": data.get("client_id"),
    }


class SplitBatch(TraceabilityMutation):
    batches = graphene.List(graphene.NonNull(BatchNode))

    class Arguments:
        input = SplitBatchInput(required=True)

    @classmethod
    def perform(cls, info, data):
        parts = transformations.split_batch(
            info.context.user,
            batch_by_id(info, data["batch_id"]),
            data["quantities"],
            **_common(info, data),
        )
        return {"batches": parts}


class BatchPartInput(graphene.InputObjectType):
    batch_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True)


def _parts(info, data) -> list:
    transformations.check_part_count(len(data["parts"]))  # before looking any lot up
    return [
        (batch_by_id(info, part["batch_id"], "parts"), part["quantity"]) for part in data["parts"]
    ]


class MergeBatchesInput(TransformationFields):
    parts = graphene.List(graphene.NonNull(BatchPartInput), required=True)
    producer_id = graphene.ID(required=True, description="Who owns the merged batch.")


class MergeBatches(TraceabilityMutation):
    batch = graphene.Field(BatchNode)

    class Arguments:
        input = MergeBatchesInput(required=True)

    @classmethod
    def perform(cls, info, data):
        merged = transformations.merge_batches(
            info.context.user,
            _parts(info, data),
            producer=producer_by_id(info, data["producer_id"]),
            **_common(info, data),
        )
        return {"batch": merged}


class TransformBatchesInput(TransformationFields):
    parts = graphene.List(graphene.NonNull(BatchPartInput), required=True)
    product_id = graphene.ID(required=True)
    quantity = graphene.Decimal(required=True)
    unit = graphene.String()


class TransformBatches(TraceabilityMutation):
    batch = graphene.Field(BatchNode)

    class Arguments:
        input = TransformBatchesInput(required=True)

    @classmethod
    def perform(cls, info, data):
        made = transformations.transform_batches(
            info.context.user,
            _parts(info, data),
            product=product_by_id(info, data["product_id"]),
            quantity=data["quantity"],
            unit=data.get("unit"),
            **_common(info, data),
        )
        return {"batch": made}


class OrderLabelsInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    batch_id = graphene.ID(required=True)
    count = graphene.Int(required=True)
    layout = LayoutEnum(default_value=LayoutEnum._meta.enum[printing.DEFAULT_LAYOUT.upper()])


class OrderLabels(TraceabilityMutation):
    label_sheet = graphene.Field(LabelSheetType)

    class Arguments:
        input = OrderLabelsInput(required=True)

    @classmethod
    def perform(cls, info, data):
        chosen = data.get("layout")  # may be sent as an explicit null
        layout = chosen.value if chosen else printing.DEFAULT_LAYOUT
        sheet = labels.order_label_sheet(
            info.context.user,
            batch_by_id(info, data["batch_id"]),
            data["count"],
            layout,
            sheet_uuid=data.get("client_id"),
        )
        return {"label_sheet": sheet}


class RecallBatchInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    batch_id = graphene.ID(required=True)
    reason = graphene.String(required=True)


class RecallBatch(TraceabilityMutation):
    batches = graphene.List(graphene.NonNull(BatchNode), description="Every batch recalled.")

    class Arguments:
        input = RecallBatchInput(required=True)

    @classmethod
    def perform(cls, info, data):
        recalled = batches.recall_batch(
            info.context.user,
            batch_by_id(info, data["batch_id"]),
            data["reason"],
            recall_uuid=data.get("client_id"),
        )
        return {"batches": recalled}


class ReplacementInput(graphene.InputObjectType):
    """What the wrong event should have said; fields left out are kept."""

    occurred_at = graphene.DateTime()
    quantity = graphene.Decimal()
    notes = graphene.String()
    inputs = graphene.List(graphene.NonNull(InputUseInput))
    check = graphene.Field(CheckInput)


class CorrectEventInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    event_id = graphene.UUID(required=True, description="The uuid of the wrong event.")
    reason = graphene.String(required=True, description="What was wrong.")
    replacement = graphene.Field(
        ReplacementInput, description="Leave out when the event did not happen at all."
    )


class CorrectEvent(TraceabilityMutation):
    """Declare a recorded event wrong, with a reason, and record what is right instead:
    the record keeps both (EPCIS error declaration)."""

    correction = graphene.Field(TraceEventType)
    batch = graphene.Field(BatchNode)

    class Arguments:
        input = CorrectEventInput(required=True)

    @classmethod
    def perform(cls, info, data):
        wrong = get_for(
            info,
            TraceEvent.objects.select_related("batch__producer"),
            str(data["event_id"]),
            "TraceEventType",
            "eventId",
            owned=False,
        )
        if wrong.batch.producer_id not in producer_ids(info):
            raise not_found("eventId")
        given = data.get("replacement")
        correction = corrections.correct_event(
            info.context.user,
            wrong,
            data["reason"],
            _replacement(info, given) if given is not None else None,
            data.get("client_id"),
        )
        return {"correction": correction, "batch": Batch.objects.get(pk=wrong.batch_id)}


def _replacement(info, given: dict) -> corrections.Replacement:
    inputs = given.get("inputs")
    return corrections.Replacement(
        occurred_at=given.get("occurred_at"),
        quantity=given.get("quantity"),
        notes=given.get("notes"),
        inputs=None if inputs is None else [_input_use(info, item) for item in inputs],
        check=_check(given.get("check")),
    )


class RegisterPartyInput(PartyInput):
    producer_id = graphene.ID(required=True, description="The producer that trades with it.")


class RegisterParty(TraceabilityMutation):
    """A trading partner (a trader, a stall…) to name in shippings."""

    party = graphene.Field(PartyType)

    class Arguments:
        input = RegisterPartyInput(required=True)

    @classmethod
    def perform(cls, info, data):
        producer = producer_by_id(info, data["producer_id"])
        return {"party": _new_party(info, producer, data)}


class BatchNoteInput(graphene.InputObjectType):
    batch_id = graphene.ID(required=True)
    reason = graphene.String(required=True, description="Kept on the record.")


class ReleaseHold(TraceabilityMutation):
    """An inspector lifts a lot's hold (and the same hold on what was made from it)."""

    batches = graphene.List(graphene.NonNull(BatchNode))

    class Arguments:
        input = BatchNoteInput(required=True)

    @classmethod
    def perform(cls, info, data):
        released = holds.release_hold(
            info.context.user, batch_by_id(info, data["batch_id"]), data["reason"]
        )
        lots = {hold.batch_id for hold in released}
        return {"batches": list(Batch.objects.filter(pk__in=lots).order_by("pk"))}


class WithdrawRecall(TraceabilityMutation):
    """Undo a mistaken recall; the record keeps both, with this reason."""

    batches = graphene.List(graphene.NonNull(BatchNode))

    class Arguments:
        input = BatchNoteInput(required=True)

    @classmethod
    def perform(cls, info, data):
        lots = batches.withdraw_recall(
            info.context.user, batch_by_id(info, data["batch_id"]), data["reason"]
        )
        return {"batches": lots}


# What the app may queue offline and send through `sync` (see backend.graphql.sync).
SYNC_OPERATIONS = {
    "create_batch": CreateBatch,
    "record_event": RecordEvent,
    "split_batch": SplitBatch,
    "merge_batches": MergeBatches,
    "transform_batches": TransformBatches,
    "order_labels": OrderLabels,
    "recall_batch": RecallBatch,
    "correct_event": CorrectEvent,
    "register_party": RegisterParty,
}


class Mutation(graphene.ObjectType):
    create_batch = CreateBatch.Field()
    record_event = RecordEvent.Field()
    split_batch = SplitBatch.Field()
    merge_batches = MergeBatches.Field()
    transform_batches = TransformBatches.Field()
    order_labels = OrderLabels.Field()
    recall_batch = RecallBatch.Field()
    release_hold = ReleaseHold.Field()
    correct_event = CorrectEvent.Field()
    register_party = RegisterParty.Field()
    withdraw_recall = WithdrawRecall.Field()
