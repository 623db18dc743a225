"""Filters for the apps' GraphQL lists."""

from graphene_django.filter import GlobalIDFilter
from graphql_relay import from_global_id


class NumericGlobalIDFilter(GlobalIDFilter):
    """A Relay global id of a row with a numeric key: one of another shape ("ProducerNode:ab")
    matches nothing, where the base filter would fail on the database's type."""

    def filter(self, qs, value):
        if value is not None and not from_global_id(value).id.isdigit():
            return qs.none()
        return super().filter(qs, value)
