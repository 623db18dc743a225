"""Limits that keep one request from exhausting the server: depth, cost, introspection.

Cost counts every field a query would resolve, multiplying what sits under a list by
the number of items it may return: ``first``/``last`` where given, the page-size cap for
connections without them, and a fixed estimate for plain lists.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from graphene.validation import DisableIntrospection, depth_limit_validator
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    InlineFragmentNode,
    IntValueNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)

PLAIN_LIST_ESTIMATE = 5  # events of a batch, inputs of an event…: a handful each


def _items(node: FieldNode, field_type) -> int:
    """How many items a field may return (1 for a single object)."""
    if node.name.value == "edges":
        return 1  # the page of a connection, already counted on the connection
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            if isinstance(argument.value, IntValueNode):
                return max(1, min(int(argument.value.value), settings.GRAPHQL_MAX_PAGE_SIZE))
            return settings.GRAPHQL_MAX_PAGE_SIZE  # a variable: assume the cap
    named = get_named_type(field_type)
    if named.name.endswith("Connection"):
        return settings.GRAPHQL_MAX_PAGE_SIZE
    if isinstance(get_nullable_type(field_type), GraphQLList):
        return PLAIN_LIST_ESTIMATE
    return 1


class QueryCostRule(ValidationRule):
    def enter_operation_definition(self, node, *_args):
        root = self.context.schema.get_root_type(node.operation)
        cost = self._cost(node.selection_set, root, 1, depth=0)
        if cost > settings.GRAPHQL_MAX_COST:
            self.report_error(
                GraphQLError(
                    _("This query is too expensive (%(cost)d > %(max)d): ask for fewer items.")
                    % {"cost": cost, "max": settings.GRAPHQL_MAX_COST},
                    node,
                )
            )

    def _cost(self, selection_set, parent_type, multiplier: int, depth: int) -> int:
        if selection_set is None or depth > settings.GRAPHQL_MAX_DEPTH * 2:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent_type, "fields", {})
                field = fields.get(selection.name.value)
                if field is None:
                    continue
                total += multiplier
                child_type = get_named_type(field.type)
                factor = _items(selection, field.type)
                total += self._cost(
                    selection.selection_set, child_type, multiplier * factor, depth + 1
                )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else None
                total += self._cost(
                    selection.selection_set, target or parent_type, multiplier, depth + 1
                )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.context.get_fragment(selection.name.value)
                if fragment:
                    target = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self._cost(fragment.selection_set, target, multiplier, depth + 1)
        return total


def validation_rules() -> list:
    rules = [depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH), QueryCostRule]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(DisableIntrospection)
    return rules
