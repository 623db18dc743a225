"""Limits that keep one request from exhausting the server: depth, cost, introspection.

They run after GraphQL's own validation rules (see ``view.py``), so they only ever see
documents that are valid: no unknown fields, no fragment cycles.

Cost counts every field a query would resolve, multiplying what sits under a list by
the number of items it may return: ``first``/``last`` where given, the page-size cap for
connections without them, and a fixed estimate for plain lists. Each fragment is
measured once (memoised), a fragment spread twice in one selection counts once (that is
how GraphQL executes it), and every figure saturates just above its limit, so a document
built to multiply itself costs no more to measure than its own length.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from graphene.validation import DisableIntrospection
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

from backend.error_codes import CommonErrorCode

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


class _Measure:
    """Depth and cost of one document's selections, each fragment measured once."""

    def __init__(self, context, max_depth: int, max_cost: int):
        self.context = context
        self.max_depth, self.max_cost = max_depth, max_cost
        self.fragments: dict[str, tuple[int, int]] = {}

    def selections(self, selection_set, parent_type) -> tuple[int, int]:
        """(depth, cost) of a selection set, both capped just above their limits."""
        depth = cost = 0
        seen_fragments: set[str] = set()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                part = self._field(selection, parent_type)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else None
                part = self.selections(selection.selection_set, target or parent_type)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen_fragments:
                    continue
                seen_fragments.add(name)
                part = self._fragment(name)
            depth, cost = max(depth, part[0]), self._capped_cost(cost + part[1])
        return depth, cost

    def _field(self, node: FieldNode, parent_type) -> tuple[int, int]:
        if node.name.value.startswith("__"):
            return 0, 0  # introspection: allowed or refused as a whole, by setting
        field = getattr(parent_type, "fields", {}).get(node.name.value)
        if field is None or node.selection_set is None:
            return 0, 1
        depth, cost = self.selections(node.selection_set, get_named_type(field.type))
        depth = min(depth + 1, self.max_depth + 1)
        return depth, self._capped_cost(1 + _items(node, field.type) * cost)

    def _fragment(self, name: str) -> tuple[int, int]:
        if name not in self.fragments:
            self.fragments[name] = (self.max_depth + 1, self.max_cost + 1)  # guards a cycle
            fragment = self.context.get_fragment(name)
            target = self.context.schema.get_type(fragment.type_condition.name.value)
            self.fragments[name] = self.selections(fragment.selection_set, target)
        return self.fragments[name]

    def _capped_cost(self, cost: int) -> int:
        return min(cost, self.max_cost + 1)


class QueryLimitsRule(ValidationRule):
    def enter_operation_definition(self, node, *_args):
        root = self.context.schema.get_root_type(node.operation)
        measure = _Measure(self.context, settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_COST)
        depth, cost = measure.selections(node.selection_set, root)
        if depth > settings.GRAPHQL_MAX_DEPTH:
            self.report_error(
                GraphQLError(
                    _("This query is nested too deeply (more than %(max)d levels).")
                    % {"max": settings.GRAPHQL_MAX_DEPTH},
                    node,
                    extensions={"code": CommonErrorCode.QUERY_TOO_DEEP.value},
                )
            )
        elif cost > settings.GRAPHQL_MAX_COST:
            self.report_error(
                GraphQLError(
                    _("This query asks for too much (over %(max)d fields): ask for fewer items.")
                    % {"max": settings.GRAPHQL_MAX_COST},
                    node,
                    extensions={"code": CommonErrorCode.QUERY_TOO_COSTLY.value},
                )
            )


def limit_rules() -> list:
    """The product's own rules, run once GraphQL's specified rules have passed."""
    rules = [QueryLimitsRule]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(DisableIntrospection)
    return rules
