"""Offline sync: the app records operations without signal and sends the queue later,
perhaps more than once. Each operation runs through the same mutation code in its own
transaction; each carries the app's UUID, so a repeat returns the first result and
writes nothing new. One bad operation is reported and the others still apply."""

import graphene
from django.conf import settings
from django.utils.translation import gettext as _

from farms import schema as farms
from marketplace.schema import equipment as sharing
from mobile_api.errors import Error, errors_from, sign_in_required
from traceability import schema as trace

OPERATIONS = {
    "register_producer": (farms.RegisterProducer, farms.RegisterProducerInput),
    "update_producer": (farms.UpdateProducer, farms.UpdateProducerInput),
    "save_plot": (farms.SavePlot, farms.SavePlotInput),
    "record_soil_sample": (farms.RecordSoilSample, farms.RecordSoilSampleInput),
    "create_batch": (trace.CreateBatch, trace.CreateBatchInput),
    "record_event": (trace.RecordEvent, trace.RecordEventInput),
    "split_batch": (trace.SplitBatch, trace.SplitBatchInput),
    "merge_batches": (trace.MergeBatches, trace.MergeBatchesInput),
    "transform_batches": (trace.TransformBatches, trace.TransformBatchesInput),
    "order_labels": (trace.OrderLabels, trace.OrderLabelsInput),
    "recall_batch": (trace.RecallBatch, trace.RecallBatchInput),
    "save_equipment": (sharing.SaveEquipment, sharing.SaveEquipmentInput),
    "book_equipment": (sharing.BookEquipment, sharing.BookEquipmentInput),
}

SyncOperationInput = type(
    "SyncOperationInput",
    (graphene.InputObjectType,),
    {
        "__doc__": "One queued operation: set exactly one field.",
        **{name: input_type() for name, (_m, input_type) in OPERATIONS.items()},
    },
)


class SyncItemResult(graphene.ObjectType):
    index = graphene.Int(required=True, description="Position in the queue sent.")
    operation = graphene.String()
    client_id = graphene.UUID()
    errors = graphene.List(graphene.NonNull(Error), required=True)
    producer = graphene.Field(farms.ProducerNode)
    plot = graphene.Field(farms.PlotNode)
    batch = graphene.Field(trace.BatchNode)
    batches = graphene.List(graphene.NonNull(trace.BatchNode))
    event = graphene.Field(trace.TraceEventType)
    label_sheet = graphene.Field(trace.LabelSheetType)
    equipment = graphene.Field(sharing.EquipmentNode)
    booking = graphene.Field(sharing.EquipmentBookingNode)


def _apply(info, index: int, operation: dict) -> SyncItemResult:
    chosen = [(name, data) for name, data in operation.items() if data is not None]
    if len(chosen) != 1:
        error = Error(
            field=None,
            code="one_operation",
            message=_("Each queued item must hold exactly one operation."),
        )
        return SyncItemResult(index=index, errors=[error])
    name, data = chosen[0]
    mutation = OPERATIONS[name][0]
    outcome = mutation.run(info, dict(data))
    fields = {key: value for key, value in outcome.items() if key in SyncItemResult._meta.fields}
    return SyncItemResult(index=index, operation=name, client_id=data.get("client_id"), **fields)


class Sync(graphene.Mutation):
    """Apply a queue of operations recorded offline, each on its own."""

    results = graphene.List(graphene.NonNull(SyncItemResult), required=True)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    class Arguments:
        operations = graphene.List(graphene.NonNull(SyncOperationInput), required=True)

    @classmethod
    def mutate(cls, root, info, operations):
        if not info.context.user.is_authenticated:
            return cls(results=[], errors=errors_from(sign_in_required()))
        if len(operations) > settings.GRAPHQL_MAX_SYNC_OPERATIONS:
            error = Error(
                field="operations",
                code="too_many_operations",
                message=_("Send at most %(max)d operations at a time.")
                % {"max": settings.GRAPHQL_MAX_SYNC_OPERATIONS},
            )
            return cls(results=[], errors=[error])
        return cls(
            results=[_apply(info, index, op) for index, op in enumerate(operations)], errors=[]
        )
