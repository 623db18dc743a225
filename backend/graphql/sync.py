"""Offline sync: the app records operations without signal and sends the queue later,
perhaps more than once. Each operation runs through the same mutation code in its own
transaction; each carries the app's UUID, so a repeat returns the first result and
writes nothing new. One bad operation is reported and the others still apply.

Each app lists its offline operations (name → mutation class, whose ``Arguments.input``
is the operation's input type); ``sync_mutation`` builds the ``sync`` mutation from them.
"""

import graphene
from django.conf import settings
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.graphql.errors import Error, Refusal, error_type, refusals_as, sign_in_required
from backend.graphql.limits import past_deadline


def _result_type(operations: dict) -> type[graphene.ObjectType]:
    """One queue item's outcome: the output fields of every operation's mutation."""
    enums = {enum for mutation in operations.values() for enum in mutation.error_type.enums}
    item_error = error_type("SyncItemError", *sorted(enums, key=lambda enum: enum.__name__))
    fields = {}
    for mutation in operations.values():
        for name, field in mutation._meta.fields.items():
            if name != "errors":
                fields.setdefault(name, graphene.Field(field.type))
    return type(
        "SyncItemResult",
        (graphene.ObjectType,),
        {
            "index": graphene.Int(required=True, description="Position in the queue sent."),
            "operation": graphene.String(),
            "client_id": graphene.UUID(),
            "errors": graphene.List(graphene.NonNull(item_error), required=True),
            **fields,
        },
    )


def _operation_input(operations: dict) -> type[graphene.InputObjectType]:
    return type(
        "SyncOperationInput",
        (graphene.InputObjectType,),
        {
            "__doc__": "One queued operation: set exactly one field.",
            **{name: m.Arguments.input.get_type()() for name, m in operations.items()},
        },
    )


def sync_mutation(mutations: dict) -> type[graphene.Mutation]:
    """The ``sync`` mutation over ``mutations`` (snake_case name → ServiceMutation)."""
    item_result = _result_type(mutations)
    operation_input = _operation_input(mutations)

    def apply(info, index: int, operation: dict):
        if past_deadline(info):  # what was applied is answered; the rest is sent again
            message = _("Not applied: the request took too long. Send this item again.")
            error = Refusal(None, CommonErrorCode.NOT_APPLIED.value, message)
            return item_result(index=index, errors=[error])
        chosen = [(name, data) for name, data in operation.items() if data is not None]
        if len(chosen) != 1:
            message = _("Each queued item must hold exactly one operation.")
            error = Refusal(None, CommonErrorCode.ONE_OPERATION.value, message)
            return item_result(index=index, errors=[error])
        name, data = chosen[0]
        outcome = mutations[name].run(info, dict(data))
        fields = {key: value for key, value in outcome.items() if key in item_result._meta.fields}
        return item_result(index=index, operation=name, client_id=data.get("client_id"), **fields)

    class Sync(graphene.Mutation):
        """Apply a queue of operations recorded offline, each on its own."""

        results = graphene.List(graphene.NonNull(item_result), required=True)
        errors = graphene.List(graphene.NonNull(Error), required=True)

        class Arguments:
            operations = graphene.List(graphene.NonNull(operation_input), required=True)

        @classmethod
        def mutate(cls, root, info, operations):
            if not info.context.user.is_authenticated:
                return cls(results=[], errors=refusals_as(Error, sign_in_required()))
            if len(operations) > settings.GRAPHQL_MAX_SYNC_OPERATIONS:
                message = _("Send at most %(max)d operations at a time.") % {
                    "max": settings.GRAPHQL_MAX_SYNC_OPERATIONS
                }
                error = Refusal("operations", CommonErrorCode.TOO_MANY_OPERATIONS.value, message)
                return cls(results=[], errors=[error])
            return cls(results=[apply(info, i, op) for i, op in enumerate(operations)], errors=[])

    return Sync
