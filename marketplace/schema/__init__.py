"""The market network's part of the app's GraphQL schema, one module per topic."""

import graphene

from marketplace.schema import equipment, prices, trade


class Query(trade.Query, prices.Query, equipment.Query, graphene.ObjectType):
    pass


class Mutation(trade.Mutation, prices.Mutation, equipment.Mutation, graphene.ObjectType):
    pass


SYNC_OPERATIONS = {**trade.SYNC_OPERATIONS, **equipment.SYNC_OPERATIONS}
