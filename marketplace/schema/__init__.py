"""The market network's part of the app's GraphQL schema, one module per topic."""

import graphene

from marketplace.schema import trade


class Query(trade.Query, graphene.ObjectType):
    pass


class Mutation(trade.Mutation, graphene.ObjectType):
    pass
