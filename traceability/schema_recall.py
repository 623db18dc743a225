"""GraphQL for the recall workbench: what a recall of a lot would reach, read before the
recall is confirmed (``recallBatch``)."""

import graphene

from backend.graphql.scalars import choices_enum
from traceability.schema import PartyType, batch_by_id
from traceability.services.recall_scope import Relation, recall_scope

RelationEnum = choices_enum("RecallRelation", [relation.value for relation in Relation])


class AffectedLotType(graphene.ObjectType):
    """A lot in a recall's reach. Only what deciding needs: it may belong to another
    producer (the cooperative that merged it), whose diary stays its own."""

    code = graphene.String(required=True)
    product = graphene.String(required=True)
    producer = graphene.String(required=True)
    status = graphene.String(required=True)
    on_hold = graphene.Boolean(required=True)
    remaining_quantity = graphene.Decimal(required=True)
    unit = graphene.String(required=True)
    relation = RelationEnum(required=True)
    relation_label = graphene.String(required=True, description="In the user's language.")

    @staticmethod
    def of(affected) -> "AffectedLotType":
        lot = affected.batch
        return AffectedLotType(
            code=lot.code,
            product=lot.product.name,
            producer=lot.producer.name,
            status=lot.get_status_display(),
            on_hold=lot.on_hold,
            remaining_quantity=lot.remaining_quantity,
            unit=lot.get_unit_display(),
            relation=affected.relation.value,
            relation_label=affected.label,
        )


class ReachType(graphene.ObjectType):
    party = graphene.Field(PartyType, required=True)
    lot = graphene.String(required=True)
    shipped = graphene.Decimal(required=True)
    returned = graphene.Decimal(required=True)
    still_out = graphene.Decimal(required=True)
    unit = graphene.String(required=True)


class RecallScopeType(graphene.ObjectType):
    lots = graphene.List(graphene.NonNull(AffectedLotType), required=True)
    reached = graphene.List(graphene.NonNull(ReachType), required=True)
    hidden_reaches = graphene.Int(
        required=True, description="Partners reached through other producers' lots, counted."
    )


class Query(graphene.ObjectType):
    recall_scope = graphene.Field(
        RecallScopeType,
        batch_id=graphene.ID(required=True),
        description="Every lot and partner a recall of this lot should look at.",
    )

    def resolve_recall_scope(root, info, batch_id):
        scope = recall_scope(info.context.user, batch_by_id(info, batch_id))
        return RecallScopeType(
            lots=[AffectedLotType.of(affected) for affected in scope.lots],
            reached=scope.reached,  # Reach has ReachType's fields
            hidden_reaches=scope.hidden_reaches,
        )
