"""The market network's part of the app's GraphQL schema, one module per topic."""

import graphene

from marketplace.schema import prices, trade


class Query(trade.Query, prices.Query, graphene.ObjectType):
    pass


class Mutation(trade.Mutation, prices.Mutation, graphene.ObjectType):
    pass
