"""The schema the farmers' app talks to, composed from each domain app's schema module."""

import graphene
from graphene import relay

from accounts import schema as accounts
from backend.graphql.sync import sync_mutation
from farms import schema as farms
from knowledge import schema as knowledge
from maps import schema as maps
from marketplace import schema as marketplace
from traceability import schema as traceability


class Query(
    accounts.Query,
    farms.Query,
    traceability.Query,
    marketplace.Query,
    knowledge.Query,
    maps.Query,
    graphene.ObjectType,
):
    node = relay.Node.Field()


class Mutation(
    accounts.Mutation,
    farms.Mutation,
    traceability.Mutation,
    marketplace.Mutation,
    knowledge.Mutation,
    graphene.ObjectType,
):
    sync = sync_mutation(
        {
            **farms.SYNC_OPERATIONS,
            **traceability.SYNC_OPERATIONS,
            **marketplace.SYNC_OPERATIONS,
        }
    ).Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
