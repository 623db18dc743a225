"""The schema the farmers' app talks to, composed from each domain app's schema module."""

import graphene
from graphene import relay

from accounts import schema as accounts
from backend.graphql.errors import node_by_id
from backend.graphql.sync import sync_mutation
from farms import schema as farms
from knowledge import schema as knowledge
from maps import schema as maps
from marketplace import schema as marketplace
from traceability import schema as traceability
from traceability import schema_recall as recall


class Query(
    accounts.Query,
    farms.Query,
    traceability.Query,
    recall.Query,
    marketplace.Query,
    knowledge.Query,
    maps.Query,
    graphene.ObjectType,
):
    node = graphene.Field(
        relay.Node,
        id=graphene.ID(required=True, description="The ID of the object"),
        description="Any object by its ID, if you may see it.",
    )

    def resolve_node(root, info, id):
        return node_by_id(info, id)


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
            **knowledge.SYNC_OPERATIONS,
        }
    ).Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
